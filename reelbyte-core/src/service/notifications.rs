//! Notifications: what workflow events tell users, honouring their
//! preferences.
//!
//! The in-app list lives in `notifications`; email and push go to the
//! outbox ([`OutboxMessage`]) in the same change set as the event, for an
//! embedding service to drain and deliver.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{
    ClientProfile, Contract, CreatorProfile, Notification, NotificationPreferences,
};
use crate::error::{Error, Result};
use crate::ids::{
    CreatorProfileId, JobId, NotificationId, NotificationPreferencesId, OutboxMessageId, UserId,
};
use crate::notify::{Channel, OutboxMessage};
use crate::service::{Ctx, Marketplace, command};
use crate::store::{ChangeSet, Page, PartyPreferences};
use crate::value::Text;

/// What a notification is about; decides which preference switches apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A new message in a conversation.
    NewMessage,
    /// A creator sent a proposal for the client's job.
    NewProposal,
    /// A proposal was accepted, rejected or withdrawn.
    ProposalStatus,
    /// A contract was offered, accepted, cancelled or completed.
    ContractUpdate,
    /// A deliverable was submitted, approved or sent back for revision.
    Deliverable,
    /// Money moved: escrow funded, released, refunded, a tip.
    Payment,
    /// A review was left about the user.
    Review,
    /// A dispute was raised, reviewed, escalated or resolved.
    DisputeUpdate,
    /// A saved search found something new.
    SavedSearchMatch,
    /// A support ticket changed.
    SupportUpdate,
}

impl NotificationKind {
    /// The `notifications.notification_type` value.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NewMessage => "new_message",
            Self::NewProposal => "new_proposal",
            Self::ProposalStatus => "proposal_status",
            Self::ContractUpdate => "contract_update",
            Self::Deliverable => "deliverable",
            Self::Payment => "payment",
            Self::Review => "review",
            Self::DisputeUpdate => "dispute_update",
            Self::SavedSearchMatch => "saved_search_match",
            Self::SupportUpdate => "support_update",
        }
    }

    /// Whether `prefs` want this kind by email.
    pub fn wants_email(&self, prefs: &NotificationPreferences) -> bool {
        match self {
            Self::NewMessage => prefs.email_new_message,
            Self::NewProposal | Self::ProposalStatus => prefs.email_proposal_status,
            Self::ContractUpdate | Self::Deliverable | Self::DisputeUpdate => {
                prefs.email_contract_updates
            }
            Self::Payment => prefs.email_payment,
            Self::Review => prefs.email_reviews,
            Self::SavedSearchMatch => prefs.email_new_job,
            // Support replies always reach the mailbox the ticket came from.
            Self::SupportUpdate => true,
        }
    }

    /// Whether `prefs` want this kind as a push notification.
    pub fn wants_push(&self, prefs: &NotificationPreferences) -> bool {
        match self {
            Self::NewMessage => prefs.push_new_message,
            Self::ContractUpdate | Self::Deliverable | Self::DisputeUpdate => {
                prefs.push_contract_updates
            }
            Self::Payment => prefs.push_payment,
            Self::NewProposal
            | Self::ProposalStatus
            | Self::Review
            | Self::SavedSearchMatch
            | Self::SupportUpdate => false,
        }
    }
}

/// One notification to plan: who, what, and what it points at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Notice {
    pub user: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub message: String,
    pub entity: Option<(&'static str, Uuid)>,
}

impl Notice {
    pub(crate) fn new(
        user: UserId,
        kind: NotificationKind,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            user,
            kind,
            title: title.into(),
            message: message.into(),
            entity: None,
        }
    }

    pub(crate) fn about(mut self, entity_type: &'static str, id: Uuid) -> Self {
        self.entity = Some((entity_type, id));
        self
    }
}

/// Which notification preferences a user changes; `None` keeps a switch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePreferencesInput {
    /// Email on new messages.
    pub email_new_message: Option<bool>,
    /// Email on new matching jobs (saved-search alerts).
    pub email_new_job: Option<bool>,
    /// Email on proposals.
    pub email_proposal_status: Option<bool>,
    /// Email on contract, deliverable and dispute updates.
    pub email_contract_updates: Option<bool>,
    /// Email on payments.
    pub email_payment: Option<bool>,
    /// Email on reviews.
    pub email_reviews: Option<bool>,
    /// Marketing email.
    pub email_marketing: Option<bool>,
    /// Push on new messages.
    pub push_new_message: Option<bool>,
    /// Push on contract updates.
    pub push_contract_updates: Option<bool>,
    /// Push on payments.
    pub push_payment: Option<bool>,
    /// The in-app list.
    pub inapp_enabled: Option<bool>,
}

/// A contract and its parties as a command read them: whom
/// [`Marketplace::notify_parties`] notifies, and what they saved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartiesRead<'a> {
    pub contract: &'a Contract,
    pub client: &'a ClientProfile,
    pub creator: &'a CreatorProfile,
    pub saved: &'a PartyPreferences,
}

/// The two parties' users of a contract with what they saved, as
/// [`Marketplace::plan_notices_known`] takes them.
pub(crate) fn party_preferences<'a>(
    client: &ClientProfile,
    creator: &CreatorProfile,
    saved: &'a PartyPreferences,
) -> [(UserId, Option<&'a NotificationPreferences>); 2] {
    [
        (client.user_id, saved.client.as_ref()),
        (creator.user_id, saved.creator.as_ref()),
    ]
}

impl Marketplace {
    /// The stored preferences of `user`, or the defaults when none are stored.
    async fn preferences_or_default(&self, user: UserId) -> Result<NotificationPreferences> {
        let saved = self
            .store()
            .notifications()
            .get_preferences_by_user_id(user)
            .await?;
        Ok(self.or_default_preferences(user, saved))
    }

    /// `saved`, or the defaults for `user` when they saved none.
    fn or_default_preferences(
        &self,
        user: UserId,
        saved: Option<NotificationPreferences>,
    ) -> NotificationPreferences {
        saved.unwrap_or_else(|| {
            NotificationPreferences::defaults(NotificationPreferencesId::new(), user, self.now())
        })
    }

    /// Plans `notice` into `changes`: an in-app notification if the user
    /// keeps the in-app list, and outbox messages for the channels their
    /// preferences switch on. Nothing for the acting user themselves.
    pub(crate) async fn plan_notice(
        &self,
        ctx: &Ctx,
        changes: &mut ChangeSet,
        notice: Notice,
    ) -> Result<()> {
        self.plan_notices_known(ctx, changes, [notice], &[]).await
    }

    /// [`Marketplace::plan_notice`] for a recipient whose preferences were
    /// read (the actor was skipped by the caller).
    fn plan_notice_with(
        &self,
        changes: &mut ChangeSet,
        notice: Notice,
        prefs: &NotificationPreferences,
    ) -> Result<()> {
        let now = self.now();
        let title: Text<200> = Text::parse(&truncate(&notice.title, 200))?;
        let mut notification_id = None;
        if prefs.inapp_enabled {
            let (entity_type, entity_id) = match notice.entity {
                Some((t, id)) => (Some(Text::parse(t)?), Some(id)),
                None => (None, None),
            };
            let n = Notification {
                id: NotificationId::new(),
                user_id: notice.user,
                notification_type: Text::parse(notice.kind.as_str())?,
                title: title.clone(),
                message: notice.message.clone(),
                related_entity_type: entity_type,
                related_entity_id: entity_id,
                action_url: None,
                is_read: false,
                read_at: None,
                created_at: now,
                version: 1,
            };
            notification_id = Some(n.id);
            changes.insert(n);
        }
        let channels = [
            (Channel::Email, notice.kind.wants_email(prefs)),
            (Channel::Push, notice.kind.wants_push(prefs)),
        ];
        for (channel, wanted) in channels {
            if wanted {
                changes.insert(OutboxMessage {
                    id: OutboxMessageId::new(),
                    user_id: notice.user,
                    channel,
                    notification_type: notice.kind.as_str().to_string(),
                    title: title.as_str().to_string(),
                    message: notice.message.clone(),
                    notification_id,
                    created_at: now,
                    delivered_at: None,
                    version: 1,
                });
            }
        }
        Ok(())
    }

    /// Notices to both parties of `contract` (the actor is skipped by
    /// [`Marketplace::plan_notice`]).
    pub(crate) async fn contract_notices(
        &self,
        contract: &Contract,
        kind: NotificationKind,
        title: &str,
        message: &str,
    ) -> Result<Vec<Notice>> {
        self.contract_notices_known(contract, None, None, kind, title, message)
            .await
    }

    /// [`Marketplace::contract_notices`] when the command already knows the
    /// user behind the client or the creator profile (the acting party, or
    /// a profile it loaded): only the unknown ones are read.
    pub(crate) async fn contract_notices_known(
        &self,
        contract: &Contract,
        client_user: Option<UserId>,
        creator_user: Option<UserId>,
        kind: NotificationKind,
        title: &str,
        message: &str,
    ) -> Result<Vec<Notice>> {
        let parties = [
            match client_user {
                Some(user) => user,
                None => self.user_of_client(contract).await?,
            },
            match creator_user {
                Some(user) => user,
                None => self.user_of_creator(contract).await?,
            },
        ];
        Ok(parties
            .into_iter()
            .map(|user| {
                Notice::new(user, kind, title, message).about("contract", contract.id.as_uuid())
            })
            .collect())
    }

    /// The user behind a creator profile.
    pub(crate) async fn user_of_creator_profile(&self, id: CreatorProfileId) -> Result<UserId> {
        Ok(self
            .store()
            .creators()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found("creator_profile"))?
            .user_id)
    }

    /// The user behind the client profile that posted a job.
    pub(crate) async fn user_of_job_client(&self, job: JobId) -> Result<UserId> {
        let job = self
            .store()
            .jobs()
            .get_by_id(job)
            .await?
            .ok_or(Error::not_found("job"))?;
        Ok(self
            .store()
            .clients()
            .get_by_id(job.client_profile_id)
            .await?
            .ok_or(Error::not_found("client_profile"))?
            .user_id)
    }

    /// Plans a notice about the contract to both of its parties (the
    /// actor skipped), each by the preferences read with the parties:
    /// nothing more is read.
    pub(crate) fn notify_parties(
        &self,
        ctx: &Ctx,
        changes: &mut ChangeSet,
        parties: PartiesRead<'_>,
        kind: NotificationKind,
        title: &str,
        message: &str,
    ) -> Result<()> {
        for (user, saved) in party_preferences(parties.client, parties.creator, parties.saved) {
            if ctx.actor == Some(user) {
                continue;
            }
            let notice = Notice::new(user, kind, title, message)
                .about("contract", parties.contract.id.as_uuid());
            let prefs = self.or_default_preferences(user, saved.cloned());
            self.plan_notice_with(changes, notice, &prefs)?;
        }
        Ok(())
    }

    /// Plans several notices.
    pub(crate) async fn plan_notices(
        &self,
        ctx: &Ctx,
        changes: &mut ChangeSet,
        notices: impl IntoIterator<Item = Notice>,
    ) -> Result<()> {
        self.plan_notices_known(ctx, changes, notices, &[]).await
    }

    /// [`Marketplace::plan_notices`] when the command already read what
    /// some recipients saved: `known` pairs a user with their saved
    /// preferences (`None`: they saved none, the defaults apply). Only the
    /// other recipients' preferences are read, all in one read.
    pub(crate) async fn plan_notices_known(
        &self,
        ctx: &Ctx,
        changes: &mut ChangeSet,
        notices: impl IntoIterator<Item = Notice>,
        known: &[(UserId, Option<&NotificationPreferences>)],
    ) -> Result<()> {
        let notices: Vec<Notice> = notices
            .into_iter()
            .filter(|n| ctx.actor != Some(n.user))
            .collect();
        let is_known = |user: UserId| known.iter().any(|(u, _)| *u == user);
        let mut unknown: Vec<UserId> = Vec::new();
        for notice in &notices {
            if !is_known(notice.user) && !unknown.contains(&notice.user) {
                unknown.push(notice.user);
            }
        }
        let notifications = self.store().notifications();
        let read: Vec<NotificationPreferences> = match unknown.as_slice() {
            [] => Vec::new(),
            [one] => notifications
                .get_preferences_by_user_id(*one)
                .await?
                .into_iter()
                .collect(),
            several => notifications.list_preferences_by_user_ids(several).await?,
        };
        for notice in notices {
            let saved = match known.iter().find(|(u, _)| *u == notice.user) {
                Some((_, saved)) => saved.cloned(),
                None => read.iter().find(|p| p.user_id == notice.user).cloned(),
            };
            let prefs = self.or_default_preferences(notice.user, saved);
            self.plan_notice_with(changes, notice, &prefs)?;
        }
        Ok(())
    }

    /// The actor's notifications, newest first.
    pub async fn list_notifications(
        &self,
        ctx: &Ctx,
        unread_only: bool,
        page: Page,
    ) -> Result<Vec<Notification>> {
        crate::service::gigs::check_page(&page)?;
        let user = self.acting_user(ctx).await?;
        self.store()
            .notifications()
            .list_by_user_id(user.id, unread_only, page)
            .await
    }

    /// How many of the actor's notifications are unread (from the unread
    /// counters when the marketplace keeps them, see
    /// [`Marketplace::unread_counts`]).
    pub async fn unread_notification_count(&self, ctx: &Ctx) -> Result<u64> {
        let user = self.acting_user(ctx).await?;
        self.unread_count(user.id, crate::realtime::UnreadKind::Notifications)
            .await
    }

    /// Marks one of the actor's notifications read (already read: unchanged).
    pub async fn mark_notification_read(
        &self,
        ctx: &Ctx,
        id: NotificationId,
    ) -> Result<Notification> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut n = self
                .store()
                .notifications()
                .get_by_id(id)
                .await?
                .filter(|n| n.user_id == user.id)
                .ok_or(Error::not_found("notification"))?;
            let mut changes = ChangeSet::new();
            if !n.is_read {
                changes.insert(self.audit(
                    ctx,
                    "notification",
                    n.id.as_uuid(),
                    "mark_read",
                    None::<&()>,
                    None::<&()>,
                )?);
                // With the row as read, the unread counters see it go read.
                let read = n.clone();
                n.is_read = true;
                n.read_at = Some(self.now());
                changes.update_from(&read, &n);
                n.version += 1;
            }
            Ok((changes, n))
        })
    }

    /// Marks every unread notification of the actor read; returns how many.
    pub async fn mark_all_notifications_read(&self, ctx: &Ctx) -> Result<usize> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut changes = ChangeSet::new();
            // One read of every unread notification: pages at an offset
            // would skip one that another request marked read between two
            // pages (the rest move up a place) and repeat one that arrived.
            let unread = self
                .store()
                .notifications()
                .list_every_by_user_id(user.id, true)
                .await?;
            let marked = unread.len();
            for mut n in unread {
                let read = n.clone();
                n.is_read = true;
                n.read_at = Some(self.now());
                changes.update_from(&read, &n);
            }
            if marked > 0 {
                changes.insert(self.audit(
                    ctx,
                    "notification",
                    user.id.as_uuid(),
                    "mark_all_read",
                    None::<&()>,
                    Some(&serde_json::json!({ "marked": marked })),
                )?);
            }
            Ok((changes, marked))
        })
    }

    /// The actor's notification preferences (the defaults until changed).
    pub async fn notification_preferences(&self, ctx: &Ctx) -> Result<NotificationPreferences> {
        let user = self.acting_user(ctx).await?;
        self.preferences_or_default(user.id).await
    }

    /// Changes the actor's notification preferences.
    pub async fn update_notification_preferences(
        &self,
        ctx: &Ctx,
        input: UpdatePreferencesInput,
    ) -> Result<NotificationPreferences> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let stored = self
                .store()
                .notifications()
                .get_preferences_by_user_id(user.id)
                .await?;
            let mut prefs = match &stored {
                Some(p) => p.clone(),
                None => NotificationPreferences::defaults(
                    NotificationPreferencesId::new(),
                    user.id,
                    self.now(),
                ),
            };
            let old = prefs.clone();
            let switches: [(&mut bool, Option<bool>); 11] = [
                (&mut prefs.email_new_message, input.email_new_message),
                (&mut prefs.email_new_job, input.email_new_job),
                (
                    &mut prefs.email_proposal_status,
                    input.email_proposal_status,
                ),
                (
                    &mut prefs.email_contract_updates,
                    input.email_contract_updates,
                ),
                (&mut prefs.email_payment, input.email_payment),
                (&mut prefs.email_reviews, input.email_reviews),
                (&mut prefs.email_marketing, input.email_marketing),
                (&mut prefs.push_new_message, input.push_new_message),
                (
                    &mut prefs.push_contract_updates,
                    input.push_contract_updates,
                ),
                (&mut prefs.push_payment, input.push_payment),
                (&mut prefs.inapp_enabled, input.inapp_enabled),
            ];
            for (field, value) in switches {
                if let Some(v) = value {
                    *field = v;
                }
            }
            prefs.updated_at = self.now();
            let mut changes = ChangeSet::new();
            if stored.is_some() {
                changes.update(&prefs);
                prefs.version += 1;
            } else {
                changes.insert(prefs.clone());
            }
            changes.insert(self.audit_update(
                ctx,
                "notification_preferences",
                prefs.id.as_uuid(),
                "update",
                &old,
                &prefs,
            )?);
            Ok((changes, prefs))
        })
    }

    /// Outbox messages not yet delivered, oldest first, for the embedding
    /// service's sender (staff only).
    pub async fn pending_outbox(&self, ctx: &Ctx, limit: u32) -> Result<Vec<OutboxMessage>> {
        self.acting_staff(ctx).await?;
        self.store()
            .notifications()
            .list_undelivered_outbox(limit.clamp(1, Page::MAX_LIMIT))
            .await
    }

    /// Marks an outbox message delivered (staff only). Delivering twice is
    /// refused, so two senders cannot both send it.
    pub async fn mark_outbox_delivered(
        &self,
        ctx: &Ctx,
        id: OutboxMessageId,
    ) -> Result<OutboxMessage> {
        command!(self, async {
            self.acting_staff(ctx).await?;
            let mut changes = ChangeSet::new();
            let mut message = self
                .store()
                .notifications()
                .list_undelivered_outbox(u32::MAX)
                .await?
                .into_iter()
                .find(|m| m.id == id)
                .ok_or(Error::not_found("outbox_message"))?;
            message.delivered_at = Some(self.now());
            changes.update(&message);
            changes.insert(self.audit(
                ctx,
                "notification_outbox",
                id.as_uuid(),
                "delivered",
                None::<&()>,
                None::<&()>,
            )?);
            message.version += 1;
            Ok((changes, message))
        })
    }
}

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn switches_follow_the_plan_columns() {
        let mut prefs = NotificationPreferences::defaults(
            NotificationPreferencesId::new(),
            UserId::new(),
            Utc::now(),
        );
        assert!(NotificationKind::Payment.wants_email(&prefs));
        assert!(NotificationKind::Payment.wants_push(&prefs));
        prefs.email_payment = false;
        prefs.push_payment = false;
        assert!(!NotificationKind::Payment.wants_email(&prefs));
        assert!(!NotificationKind::Payment.wants_push(&prefs));
        assert!(!NotificationKind::Review.wants_push(&prefs));
        prefs.email_contract_updates = false;
        assert!(!NotificationKind::DisputeUpdate.wants_email(&prefs));
        assert!(NotificationKind::DisputeUpdate.wants_push(&prefs));
    }

    #[test]
    fn truncation_keeps_short_text() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}

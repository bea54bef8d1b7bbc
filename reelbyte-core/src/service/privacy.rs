//! Consent and GDPR: record and revoke consents, export everything stored
//! about a user, and erase a user.
//!
//! Erasure deletes or anonymises personal data in one atomic step while the
//! money history stays whole: transactions, ledger postings, contracts and
//! the other party's records (their reviews, their messages) are kept, so
//! every ledger check still passes afterwards. The audit log keeps every
//! entry too (it records who did what, which the platform must be able to
//! show). It never held contact details ([`Marketplace::audit`] redacts
//! email addresses and phone numbers when it writes an entry); erasure also
//! removes the user's network address and browser from the entries they
//! made, and the text they wrote from the values of those entries and of
//! the entries about their account and profiles.

use serde::{Deserialize, Serialize};

use crate::entities::{
    AuditLog, ClientProfile, Contract, Conversation, CreatorCategory, CreatorProfile, CreatorSkill,
    Dispute, Favorite, Gig, GigView, Job, Message, Notification, NotificationPreferences,
    PaymentMethod, PayoutMethod, PortfolioItem, ProfileView, Proposal, Review, SavedSearch,
    SupportTicket, Transaction, User, UserConsent, UserSession,
};
use crate::enums::{ContractStatus, DisputeStatus, UserStatus};
use crate::error::{Error, Result};
use crate::ids::{GigViewId, ProfileViewId, UserConsentId, UserId};
use crate::service::{Ctx, Marketplace, command};
use crate::state::{
    GigEvent, GigMachine, JobEvent, JobMachine, ProposalEvent, ProposalMachine, StateMachine,
};
use crate::store::ChangeSet;
use crate::value::{Email, Text};

/// What the platform replaces erased text with.
pub const ERASED: &str = "[erased]";

/// Everything stored about one user, as [`Marketplace::export_user_data`]
/// returns it. Secrets (password hash, token hashes, provider ids) are
/// redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserExport {
    /// When the export was made.
    pub exported_at: chrono::DateTime<chrono::Utc>,
    /// The account.
    pub user: serde_json::Value,
    /// Open sessions (without their token hashes).
    pub sessions: Vec<serde_json::Value>,
    /// Consents given and revoked.
    pub consents: Vec<UserConsent>,
    /// The creator profile, if any.
    pub creator_profile: Option<CreatorProfile>,
    /// Its skills.
    pub skills: Vec<CreatorSkill>,
    /// Its categories.
    pub categories: Vec<CreatorCategory>,
    /// Its portfolio.
    pub portfolio: Vec<PortfolioItem>,
    /// The client profile, if any.
    pub client_profile: Option<ClientProfile>,
    /// Payment methods (provider ids redacted).
    pub payment_methods: Vec<serde_json::Value>,
    /// Payout methods (provider ids redacted).
    pub payout_methods: Vec<serde_json::Value>,
    /// Gigs offered.
    pub gigs: Vec<Gig>,
    /// Jobs posted.
    pub jobs: Vec<Job>,
    /// Proposals sent.
    pub proposals: Vec<Proposal>,
    /// Contracts, as client or creator.
    pub contracts: Vec<Contract>,
    /// Transactions paid or received.
    pub transactions: Vec<Transaction>,
    /// Reviews written.
    pub reviews_written: Vec<Review>,
    /// Reviews received.
    pub reviews_received: Vec<Review>,
    /// Conversations taken part in.
    pub conversations: Vec<Conversation>,
    /// Messages sent.
    pub messages: Vec<Message>,
    /// Notifications received.
    pub notifications: Vec<Notification>,
    /// Notification preferences.
    pub notification_preferences: Option<NotificationPreferences>,
    /// Favorites.
    pub favorites: Vec<Favorite>,
    /// Saved searches.
    pub saved_searches: Vec<SavedSearch>,
    /// Gigs viewed.
    pub gig_views: Vec<GigView>,
    /// Profiles viewed.
    pub profile_views: Vec<ProfileView>,
    /// Disputes raised.
    pub disputes: Vec<Dispute>,
    /// Support tickets.
    pub support_tickets: Vec<SupportTicket>,
    /// What the user did, from the audit log.
    pub audit_log: Vec<AuditLog>,
}

/// What an erasure removed or anonymised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureReport {
    /// Rows deleted.
    pub deleted: usize,
    /// Rows anonymised in place.
    pub anonymised: usize,
}

fn redact(value: &mut serde_json::Value, fields: &[&str]) {
    if let Some(map) = value.as_object_mut() {
        for field in fields {
            if map.contains_key(*field) {
                map.insert(
                    (*field).to_string(),
                    serde_json::Value::String("<redacted>".into()),
                );
            }
        }
    }
}

/// Whether a field named `key` holds state rather than something a person
/// wrote: ids, times, statuses, kinds and currencies. Their values stay in
/// an erased user's audit entries, so the log still shows what happened.
fn states_a_fact(key: &str) -> bool {
    matches!(key, "id" | "status" | "currency" | "tier" | "action")
        || key.ends_with("_id")
        || key.ends_with("_at")
        || key.ends_with("_status")
        || key.ends_with("_currency")
        || key.ends_with("_type")
}

/// Whether `text` is an identifier, an amount or a time, which no one
/// writes as prose.
fn is_machine_text(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
        || text.parse::<rust_decimal::Decimal>().is_ok()
        || chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// Replaces with [`ERASED`] every text in an audit entry's values that may
/// be what the erased user wrote (names, bios, titles, descriptions,
/// comments, links, handles), and reports whether anything changed.
///
/// Deny by default: which fields are free text differs by entity and grows
/// with the schema, so only what [`states_a_fact`] names, and texts that are
/// identifiers, amounts or times, are kept. Numbers and booleans are no one's
/// prose and stay as they are.
fn erase_written_text(value: &mut serde_json::Value, key: Option<&str>) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if key.is_some_and(states_a_fact) || text == ERASED || is_machine_text(text) {
                return false;
            }
            *text = ERASED.to_string();
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            erase_written_text(item, key) | changed
        }),
        Value::Object(fields) => fields.iter_mut().fold(false, |changed, (name, field)| {
            erase_written_text(field, Some(name)) | changed
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `entry` with what it kept of `user`: the user's address and browser
/// when they acted, and the text of its values (see [`erase_written_text`]).
/// `None` when nothing of it is personal.
fn scrubbed_entry(entry: &AuditLog, user: UserId) -> Option<AuditLog> {
    let mut scrubbed = entry.clone();
    let mut changed = false;
    if entry.user_id == Some(user) {
        changed |= scrubbed.ip_address.take().is_some();
        changed |= scrubbed.user_agent.take().is_some();
    }
    for values in [&mut scrubbed.old_values, &mut scrubbed.new_values]
        .into_iter()
        .flatten()
    {
        changed |= erase_written_text(values, None);
    }
    changed.then_some(scrubbed)
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::backend("export", e))
}

impl Marketplace {
    /// The user `ctx` may act for in privacy matters: themselves, or anyone
    /// when the actor is staff.
    async fn privacy_subject(&self, ctx: &Ctx, subject: UserId) -> Result<User> {
        let actor = self.acting_user(ctx).await?;
        if actor.id != subject && !actor.is_staff {
            return Err(Error::not_found("user"));
        }
        self.store()
            .users()
            .get_by_id(subject)
            .await?
            .ok_or(Error::not_found("user"))
    }

    /// Records that the actor grants a consent (`marketing_email`,
    /// `analytics`, `terms`, ...), with the address and user agent of the
    /// request. Granting again re-grants a revoked consent.
    pub async fn grant_consent(&self, ctx: &Ctx, consent_type: &str) -> Result<UserConsent> {
        self.set_consent(ctx, consent_type, true).await
    }

    /// Revokes a consent the actor gave.
    pub async fn revoke_consent(&self, ctx: &Ctx, consent_type: &str) -> Result<UserConsent> {
        self.set_consent(ctx, consent_type, false).await
    }

    async fn set_consent(
        &self,
        ctx: &Ctx,
        consent_type: &str,
        granted: bool,
    ) -> Result<UserConsent> {
        let kind: Text<50> =
            Text::parse_field("consent_type", &consent_type.trim().to_lowercase())?;
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let now = self.now();
            let stored = self
                .store()
                .admin()
                .list_consents_by_user_id(user.id)
                .await?
                .into_iter()
                .find(|c| c.consent_type == kind);
            let mut changes = ChangeSet::new();
            let consent = match stored {
                None if !granted => return Err(Error::not_found("consent")),
                None => {
                    let consent = UserConsent {
                        id: UserConsentId::new(),
                        user_id: user.id,
                        consent_type: kind.clone(),
                        granted: true,
                        granted_at: Some(now),
                        revoked_at: None,
                        ip_address: ctx.ip_address,
                        user_agent: ctx.user_agent.clone(),
                        version: 1,
                    };
                    changes.insert(consent.clone());
                    consent
                }
                Some(mut consent) => {
                    if consent.granted == granted {
                        return Ok((ChangeSet::new(), consent));
                    }
                    consent.granted = granted;
                    if granted {
                        consent.granted_at = Some(now);
                        consent.revoked_at = None;
                    } else {
                        consent.revoked_at = Some(now);
                    }
                    consent.ip_address = ctx.ip_address;
                    consent.user_agent = ctx.user_agent.clone();
                    changes.update(&consent);
                    consent.version += 1;
                    consent
                }
            };
            changes.insert(self.audit(
                ctx,
                "user_consent",
                consent.id.as_uuid(),
                if granted { "grant" } else { "revoke" },
                None::<&()>,
                Some(&consent),
            )?);
            Ok((changes, consent))
        })
    }

    /// The actor's consents.
    pub async fn list_consents(&self, ctx: &Ctx) -> Result<Vec<UserConsent>> {
        let user = self.acting_user(ctx).await?;
        self.store().admin().list_consents_by_user_id(user.id).await
    }

    /// Everything stored about `subject`, for the subject or staff.
    pub async fn export_user_data(&self, ctx: &Ctx, subject: UserId) -> Result<UserExport> {
        let user = self.privacy_subject(ctx, subject).await?;
        let store = self.store();
        let id = user.id;
        let mut user_json = to_json(&user)?;
        redact(&mut user_json, &["password_hash"]);
        let sessions = store
            .sessions()
            .list_by_user_id(id)
            .await?
            .iter()
            .map(|s: &UserSession| {
                let mut json = to_json(s)?;
                redact(&mut json, &["token_hash"]);
                Ok(json)
            })
            .collect::<Result<Vec<_>>>()?;
        let creator = store.creators().get_by_user_id(id).await?;
        let client = store.clients().get_by_user_id(id).await?;
        let (mut skills, mut categories, mut portfolio, mut gigs, mut proposals) =
            (vec![], vec![], vec![], vec![], vec![]);
        let mut payout_methods = vec![];
        let mut contracts = vec![];
        if let Some(c) = &creator {
            skills = store
                .creators()
                .list_skills_by_creator_profile_id(c.id)
                .await?;
            categories = store
                .creators()
                .list_categories_by_creator_profile_id(c.id)
                .await?;
            portfolio = store
                .creators()
                .list_portfolio_by_creator_profile_id(c.id)
                .await?;
            gigs = store.gigs().list_by_creator_profile_id(c.id).await?;
            proposals = store
                .jobs()
                .list_proposals_by_creator_profile_id(c.id)
                .await?;
            for m in store
                .payment_methods()
                .list_payout_methods_by_creator_profile_id(c.id)
                .await?
            {
                let mut json = to_json(&m)?;
                redact(&mut json, &["provider_account_id"]);
                payout_methods.push(json);
            }
            contracts.extend(store.contracts().list_by_creator_profile_id(c.id).await?);
        }
        let mut jobs = vec![];
        if let Some(c) = &client {
            jobs = store.jobs().list_by_client_profile_id(c.id).await?;
            contracts.extend(store.contracts().list_by_client_profile_id(c.id).await?);
        }
        let mut payment_methods = vec![];
        for m in store.payment_methods().list_by_user_id(id).await? {
            let mut json = to_json(&m)?;
            redact(&mut json, &["provider_payment_method_id"]);
            payment_methods.push(json);
        }
        let mut conversations = vec![];
        for p in store.messaging().list_participations_by_user_id(id).await? {
            if let Some(c) = store.messaging().get_by_id(p.conversation_id).await? {
                conversations.push(c);
            }
        }
        let notifications = store
            .notifications()
            .list_every_by_user_id(id, false)
            .await?;
        Ok(UserExport {
            exported_at: self.now(),
            user: user_json,
            sessions,
            consents: store.admin().list_consents_by_user_id(id).await?,
            creator_profile: creator,
            skills,
            categories,
            portfolio,
            client_profile: client,
            payment_methods,
            payout_methods,
            gigs,
            jobs,
            proposals,
            contracts,
            transactions: store.ledger().list_by_user_id(id).await?,
            reviews_written: store.reviews().list_by_reviewer_user_id(id).await?,
            reviews_received: store.reviews().list_by_reviewee_user_id(id).await?,
            conversations,
            messages: store
                .messaging()
                .list_messages_by_sender_user_id(id)
                .await?,
            notifications,
            notification_preferences: store.notifications().get_preferences_by_user_id(id).await?,
            favorites: store
                .discovery()
                .list_favorites_by_user_id(id, None)
                .await?,
            saved_searches: store.discovery().list_saved_searches_by_user_id(id).await?,
            gig_views: store
                .discovery()
                .list_gig_views_by_viewer_user_id(id)
                .await?,
            profile_views: store
                .discovery()
                .list_profile_views_by_viewer_user_id(id)
                .await?,
            disputes: store
                .support()
                .list_disputes_by_raised_by_user_id(id)
                .await?,
            support_tickets: store.support().list_tickets_by_user_id(id).await?,
            audit_log: store.admin().list_audit_by_user_id(id).await?,
        })
    }

    /// Erases `subject` (the subject themself or staff): the account is
    /// anonymised and marked deleted; sessions, tokens, notifications,
    /// preferences, outbox messages, favorites, saved searches and consents
    /// are deleted; profiles, portfolio, payment details, sent messages and
    /// support tickets are emptied of personal content; gigs are deleted,
    /// open jobs cancelled, pending proposals withdrawn; views keep their
    /// counts but lose the viewer. Transactions, ledger postings, contracts,
    /// reviews and the other parties' records stay as they are.
    ///
    /// Refused while the user has a contract that is not completed or
    /// cancelled, or an open dispute: money may still move, and both sides
    /// need the records until it has.
    pub async fn erase_user(&self, ctx: &Ctx, subject: UserId) -> Result<ErasureReport> {
        command!(self, async {
            let user = self.privacy_subject(ctx, subject).await?;
            if user.status == UserStatus::Deleted {
                return Err(Error::rule("already_erased", "the user is already erased"));
            }
            let store = self.store();
            let id = user.id;
            let now = self.now();
            let creator = store.creators().get_by_user_id(id).await?;
            let client = store.clients().get_by_user_id(id).await?;
            let mut contracts = vec![];
            if let Some(c) = &creator {
                contracts.extend(store.contracts().list_by_creator_profile_id(c.id).await?);
            }
            if let Some(c) = &client {
                contracts.extend(store.contracts().list_by_client_profile_id(c.id).await?);
            }
            let mut changes = ChangeSet::new();
            for contract in &contracts {
                if !matches!(
                    contract.status,
                    ContractStatus::Completed | ContractStatus::Cancelled
                ) {
                    return Err(Error::rule(
                        "open_contracts",
                        "contracts still in progress must end first",
                    ));
                }
                for d in store
                    .support()
                    .list_disputes_by_contract_id(contract.id)
                    .await?
                {
                    if !matches!(d.status, DisputeStatus::Resolved | DisputeStatus::Closed) {
                        return Err(Error::rule(
                            "open_contracts",
                            "open disputes must be resolved first",
                        ));
                    }
                }
                // The decision depended on the contract staying closed.
                changes.check(contract);
            }
            let mut report = ErasureReport::default();

            // The account itself.
            let mut erased = user.clone();
            erased.email =
                Email::parse(&format!("erased-{}@erased.invalid", id.as_uuid().simple()))?;
            erased.password_hash = ERASED.to_string();
            erased.phone_number = None;
            erased.phone_verified = false;
            erased.two_factor_enabled = false;
            erased.email_verified = false;
            erased.is_staff = false;
            erased.status = UserStatus::Deleted;
            erased.deleted_at = Some(now);
            erased.updated_at = now;
            changes.update(&erased);
            report.anonymised += 1;

            for s in store.sessions().list_by_user_id(id).await? {
                changes.delete(&s);
                report.deleted += 1;
            }
            for t in store.sessions().list_reset_tokens_by_user_id(id).await? {
                changes.delete(&t);
                report.deleted += 1;
            }
            for c in store.admin().list_consents_by_user_id(id).await? {
                changes.delete(&c);
                report.deleted += 1;
            }

            if let Some(profile) = &creator {
                let mut p = profile.clone();
                p.display_name = Text::parse(ERASED)?;
                p.tagline = None;
                p.bio = None;
                p.profile_image_url = None;
                p.cover_image_url = None;
                p.portfolio_video_url = None;
                p.instagram_handle = None;
                p.tiktok_handle = None;
                p.youtube_channel = None;
                p.website_url = None;
                p.hourly_rate = None;
                p.updated_at = now;
                changes.update(&p);
                report.anonymised += 1;
                for item in store
                    .creators()
                    .list_portfolio_by_creator_profile_id(p.id)
                    .await?
                {
                    changes.delete(&item);
                    report.deleted += 1;
                }
                for gig in store.gigs().list_by_creator_profile_id(p.id).await? {
                    if GigMachine::can(gig.status, GigEvent::Delete) {
                        let mut g = gig.clone();
                        g.status = GigMachine::transition(g.status, GigEvent::Delete)?;
                        g.updated_at = now;
                        changes.update(&g);
                        report.anonymised += 1;
                    }
                }
                for proposal in store
                    .jobs()
                    .list_proposals_by_creator_profile_id(p.id)
                    .await?
                {
                    if ProposalMachine::can(proposal.status, ProposalEvent::Withdraw) {
                        let mut pr = proposal.clone();
                        pr.status =
                            ProposalMachine::transition(pr.status, ProposalEvent::Withdraw)?;
                        pr.updated_at = now;
                        changes.update(&pr);
                        changes.count(crate::store::Counter::JobProposals(pr.job_id), -1);
                        report.anonymised += 1;
                    }
                }
                for m in store
                    .payment_methods()
                    .list_payout_methods_by_creator_profile_id(p.id)
                    .await?
                {
                    let mut m: PayoutMethod = m;
                    m.provider_account_id = Text::parse(ERASED)?;
                    m.account_name = None;
                    m.last_four = None;
                    m.is_default = false;
                    m.is_verified = false;
                    m.updated_at = now;
                    changes.update(&m);
                    report.anonymised += 1;
                }
            }
            if let Some(profile) = &client {
                let mut p = profile.clone();
                p.company_name = Text::parse(ERASED)?;
                p.company_logo_url = None;
                p.website_url = None;
                p.description = None;
                p.updated_at = now;
                changes.update(&p);
                report.anonymised += 1;
                for job in store.jobs().list_by_client_profile_id(p.id).await? {
                    if JobMachine::can(job.status, JobEvent::Cancel) {
                        let mut j = job.clone();
                        j.status = JobMachine::transition(j.status, JobEvent::Cancel)?;
                        j.updated_at = now;
                        changes.update(&j);
                        report.anonymised += 1;
                    }
                }
            }
            for m in store.payment_methods().list_by_user_id(id).await? {
                let mut m: PaymentMethod = m;
                m.provider_payment_method_id = Text::parse(ERASED)?;
                m.last_four = None;
                m.brand = None;
                m.expiry_month = None;
                m.expiry_year = None;
                m.is_default = false;
                m.is_verified = false;
                m.updated_at = now;
                changes.update(&m);
                report.anonymised += 1;
            }
            for message in store
                .messaging()
                .list_messages_by_sender_user_id(id)
                .await?
            {
                if message.is_deleted && message.content.is_empty() {
                    continue;
                }
                let mut m = message.clone();
                m.content = String::new();
                m.attachments = None;
                m.is_deleted = true;
                changes.update(&m);
                report.anonymised += 1;
            }
            for n in &store
                .notifications()
                .list_every_by_user_id(id, false)
                .await?
            {
                changes.delete(n);
                report.deleted += 1;
            }
            if let Some(prefs) = store.notifications().get_preferences_by_user_id(id).await? {
                changes.delete(&prefs);
                report.deleted += 1;
            }
            for o in store.notifications().list_outbox_by_user_id(id).await? {
                changes.delete(&o);
                report.deleted += 1;
            }
            for f in store
                .discovery()
                .list_favorites_by_user_id(id, None)
                .await?
            {
                changes.delete(&f);
                if f.favorited_type == crate::enums::FavoritedType::Gig
                    && store
                        .gigs()
                        .get_by_id(crate::ids::GigId::from_uuid(f.favorited_id))
                        .await?
                        .is_some()
                {
                    changes.count(
                        crate::store::Counter::GigFavorites(crate::ids::GigId::from_uuid(
                            f.favorited_id,
                        )),
                        -1,
                    );
                }
                report.deleted += 1;
            }
            for s in store.discovery().list_saved_searches_by_user_id(id).await? {
                changes.delete(&s);
                report.deleted += 1;
            }
            // Views are append-only: each is replaced by an anonymous copy
            // (same gig and time), so counts over any range stay the same.
            for v in store
                .discovery()
                .list_gig_views_by_viewer_user_id(id)
                .await?
            {
                changes.delete(&v);
                changes.insert(GigView {
                    id: GigViewId::new(),
                    viewer_user_id: None,
                    ip_address: None,
                    user_agent: None,
                    referrer: None,
                    ..v
                });
                report.anonymised += 1;
            }
            for v in store
                .discovery()
                .list_profile_views_by_viewer_user_id(id)
                .await?
            {
                changes.delete(&v);
                changes.insert(ProfileView {
                    id: ProfileViewId::new(),
                    viewer_user_id: None,
                    ip_address: None,
                    user_agent: None,
                    referrer: None,
                    ..v
                });
                report.anonymised += 1;
            }
            for t in store.support().list_tickets_by_user_id(id).await? {
                let mut t = t;
                t.description = ERASED.to_string();
                t.attachments = None;
                t.updated_at = now;
                changes.update(&t);
                report.anonymised += 1;
            }
            // The log keeps every entry, with who did what to which row and
            // the states it moved through, but not what the user wrote or
            // where they acted from: the entries they made, and those about
            // their account and profiles, whoever made them.
            let mut entries = store.admin().list_audit_by_user_id(id).await?;
            let mut about_them = vec![("user", id.as_uuid())];
            about_them.extend(
                creator
                    .as_ref()
                    .map(|p| ("creator_profile", p.id.as_uuid())),
            );
            about_them.extend(client.as_ref().map(|p| ("client_profile", p.id.as_uuid())));
            for (entity_type, entity_id) in about_them {
                entries.extend(
                    store
                        .admin()
                        .list_audit_by_entity(entity_type, entity_id)
                        .await?,
                );
            }
            let mut seen = std::collections::HashSet::new();
            for entry in entries {
                if !seen.insert(entry.id) {
                    continue;
                }
                if let Some(scrubbed) = scrubbed_entry(&entry, id) {
                    changes.update(&scrubbed);
                    report.anonymised += 1;
                }
            }
            let mut erasure = self.audit(
                ctx,
                "user",
                id.as_uuid(),
                "erase",
                None::<&()>,
                Some(&report),
            )?;
            if erasure.user_id == Some(id) {
                // Users who erase themselves leave no address behind either.
                erasure.ip_address = None;
                erasure.user_agent = None;
            }
            changes.insert(erasure);
            Ok((changes, report))
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{ERASED, erase_written_text};

    /// `facts` with the fields of `more` added.
    fn with(facts: &Value, more: Value) -> Value {
        let mut out = facts.clone();
        if let (Some(out), Value::Object(more)) = (out.as_object_mut(), more) {
            out.extend(more);
        }
        out
    }

    #[test]
    fn erasing_written_text_keeps_states_ids_amounts_and_times() {
        let facts = json!({
            "status": "completed",
            "client_profile_id": "0193d2a4-5b6c-7d8e-9f00-112233445566",
            "updated_at": "2026-12-07T05:10:00Z",
            "budget": { "amount": "125.50", "currency": "USD" },
            "version": 4,
            "is_featured": false,
        });
        let mut values = with(
            &facts,
            json!({
                "company_name": "Quartermaine Sodas",
                "description": "Ask for Zebulon",
                "skills": ["color grading", "0193d2a4-5b6c-7d8e-9f00-112233445566"],
                "social": { "handle": "@zebulon" },
            }),
        );

        let changed = erase_written_text(&mut values, None);

        assert!(changed);
        let erased = with(
            &facts,
            json!({
                "company_name": ERASED,
                "description": ERASED,
                "skills": [ERASED, "0193d2a4-5b6c-7d8e-9f00-112233445566"],
                "social": { "handle": ERASED },
            }),
        );
        assert_eq!(values, erased);
    }

    #[test]
    fn erasing_twice_changes_nothing_the_second_time() {
        let mut values = json!({ "title": "Launch reel", "status": "open" });
        assert!(erase_written_text(&mut values, None));
        let once = values.clone();

        assert!(!erase_written_text(&mut values, None));
        assert_eq!(values, once);
    }
}

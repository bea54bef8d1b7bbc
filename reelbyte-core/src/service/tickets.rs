//! Support tickets: opened by any user with a category and priority, worked
//! by staff through the plan's status list, resolution time recorded.

use serde::{Deserialize, Serialize};

use crate::entities::SupportTicket;
use crate::enums::{TicketPriority, TicketStatus};
use crate::error::{Error, Result};
use crate::ids::{SupportTicketId, UserId};
use crate::service::notifications::{Notice, NotificationKind};
use crate::service::{Ctx, Marketplace, command};
use crate::state::{StateMachine, SupportTicketEvent, SupportTicketMachine};
use crate::store::ChangeSet;
use crate::value::{Text, Url};

/// The longest ticket description, in characters.
pub const MAX_TICKET_TEXT_CHARS: usize = 10_000;
/// The most attachments on one ticket.
pub const MAX_TICKET_ATTACHMENTS: usize = 10;

/// A ticket to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenTicketInput {
    /// Category, e.g. `billing`, `account`, `technical`.
    pub category: Text<50>,
    /// Priority; `normal` when absent.
    #[serde(default)]
    pub priority: Option<TicketPriority>,
    /// A headline.
    pub subject: Text<200>,
    /// What the problem is (1 to 10,000 characters).
    pub description: String,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Url>,
}

impl Marketplace {
    /// The ticket, for its author and staff; the flag says whether the
    /// actor is staff.
    async fn visible_ticket(
        &self,
        ctx: &Ctx,
        id: SupportTicketId,
    ) -> Result<(SupportTicket, UserId, bool)> {
        let user = self.acting_user(ctx).await?;
        let ticket = self
            .store()
            .support()
            .get_ticket_by_id(id)
            .await?
            .filter(|t| user.is_staff || t.user_id == user.id)
            .ok_or(Error::not_found("support_ticket"))?;
        Ok((ticket, user.id, user.is_staff))
    }

    /// Opens a support ticket.
    pub async fn open_ticket(&self, ctx: &Ctx, input: OpenTicketInput) -> Result<SupportTicket> {
        let description = input.description.trim().to_string();
        if description.is_empty() || description.chars().count() > MAX_TICKET_TEXT_CHARS {
            return Err(Error::validation(
                "description",
                format!("must have 1 to {MAX_TICKET_TEXT_CHARS} characters"),
            ));
        }
        if input.attachments.len() > MAX_TICKET_ATTACHMENTS {
            return Err(Error::validation(
                "attachments",
                format!("at most {MAX_TICKET_ATTACHMENTS} attachments"),
            ));
        }
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let now = self.now();
            let ticket = SupportTicket {
                id: SupportTicketId::new(),
                user_id: user.id,
                category: Text::parse(&input.category.as_str().to_lowercase())?,
                priority: input.priority.unwrap_or(TicketPriority::Normal),
                subject: input.subject.clone(),
                description: description.clone(),
                attachments: (!input.attachments.is_empty()).then(|| input.attachments.clone()),
                status: SupportTicketMachine::INITIAL,
                assigned_to_user_id: None,
                created_at: now,
                updated_at: now,
                resolved_at: None,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(ticket.clone());
            changes.insert(self.audit(
                ctx,
                "support_ticket",
                ticket.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&ticket),
            )?);
            Ok((changes, ticket))
        })
    }

    /// Staff assign a ticket to a staff member (an open ticket starts).
    pub async fn assign_ticket(
        &self,
        ctx: &Ctx,
        id: SupportTicketId,
        assignee: UserId,
    ) -> Result<SupportTicket> {
        command!(self, async {
            self.acting_staff(ctx).await?;
            let agent = self
                .store()
                .users()
                .get_by_id(assignee)
                .await?
                .ok_or(Error::not_found("user"))?;
            if !agent.is_staff {
                return Err(Error::validation(
                    "assignee",
                    "tickets are assigned to staff",
                ));
            }
            let (mut ticket, _, _) = self.visible_ticket(ctx, id).await?;
            if ticket.status == TicketStatus::Closed {
                return Err(Error::rule("ticket_closed", "a closed ticket stays closed"));
            }
            let old = ticket.clone();
            ticket.assigned_to_user_id = Some(assignee);
            if ticket.status == TicketStatus::Open {
                ticket.status =
                    SupportTicketMachine::transition(ticket.status, SupportTicketEvent::Start)?;
            }
            ticket.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&ticket);
            changes.insert(self.audit_update(
                ctx,
                "support_ticket",
                id.as_uuid(),
                "assign",
                &old,
                &ticket,
            )?);
            ticket.version += 1;
            Ok((changes, ticket))
        })
    }

    /// Moves a ticket through its lifecycle. Staff may apply any event; the
    /// author may reply (`customer_replied`), reopen a resolved ticket, or
    /// close it. Resolving records the resolution time; reopening clears it.
    pub async fn change_ticket_status(
        &self,
        ctx: &Ctx,
        id: SupportTicketId,
        event: SupportTicketEvent,
    ) -> Result<SupportTicket> {
        command!(self, async {
            let (mut ticket, actor, staff) = self.visible_ticket(ctx, id).await?;
            let author_may = matches!(
                event,
                SupportTicketEvent::CustomerReplied
                    | SupportTicketEvent::Reopen
                    | SupportTicketEvent::Close
            );
            if !staff && !author_may {
                return Err(Error::forbidden("only support staff may do this"));
            }
            let old = ticket.clone();
            ticket.status = SupportTicketMachine::transition(ticket.status, event)?;
            let now = self.now();
            match event {
                SupportTicketEvent::Resolve => ticket.resolved_at = Some(now),
                SupportTicketEvent::Reopen => ticket.resolved_at = None,
                _ => {}
            }
            ticket.updated_at = now;
            let mut changes = ChangeSet::new();
            changes.update(&ticket);
            changes.insert(self.audit_update(
                ctx,
                "support_ticket",
                id.as_uuid(),
                event.as_str(),
                &old,
                &ticket,
            )?);
            if actor != ticket.user_id {
                self.plan_notice(
                    ctx,
                    &mut changes,
                    Notice::new(
                        ticket.user_id,
                        NotificationKind::SupportUpdate,
                        format!("Ticket {}", ticket.status),
                        ticket.subject.as_str(),
                    )
                    .about("support_ticket", id.as_uuid()),
                )
                .await?;
            }
            ticket.version += 1;
            Ok((changes, ticket))
        })
    }

    /// A ticket, for its author and staff.
    pub async fn get_ticket(&self, ctx: &Ctx, id: SupportTicketId) -> Result<SupportTicket> {
        Ok(self.visible_ticket(ctx, id).await?.0)
    }

    /// The actor's own tickets.
    pub async fn list_my_tickets(&self, ctx: &Ctx) -> Result<Vec<SupportTicket>> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .support()
            .list_tickets_by_user_id(user.id)
            .await
    }

    /// The tickets assigned to the acting staff member.
    pub async fn list_assigned_tickets(&self, ctx: &Ctx) -> Result<Vec<SupportTicket>> {
        let staff = self.acting_staff(ctx).await?;
        self.store()
            .support()
            .list_tickets_by_assigned_to_user_id(staff.id)
            .await
    }
}

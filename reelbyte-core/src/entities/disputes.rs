//! Section 12 of the plan, disputes and support: `disputes` and
//! `support_tickets`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{DisputeStatus, DisputeType, TicketPriority, TicketStatus};
use crate::ids::{ContractId, DisputeId, SupportTicketId, UserId};
use crate::value::{Text, Url};

/// A row of `disputes`: a disagreement over a contract, for the platform to
/// resolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    /// Primary key.
    pub id: DisputeId,
    /// The contract disputed.
    pub contract_id: ContractId,
    /// Who raised the dispute.
    pub raised_by_user_id: UserId,
    /// What the dispute is about.
    pub dispute_type: Option<DisputeType>,
    /// Headline.
    pub title: Text<200>,
    /// The complaint.
    pub description: String,
    /// Supporting files (JSONB, typed as an array of URLs).
    pub evidence_urls: Option<Vec<Url>>,
    /// Dispute status.
    pub status: DisputeStatus,
    /// How the dispute was settled.
    pub resolution: Option<String>,
    /// The staff member who settled it.
    pub resolved_by_user_id: Option<UserId>,
    /// When the dispute was raised.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When it was settled.
    #[serde(default, with = "crate::timestamp::option")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `support_tickets`: a request for help from a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportTicket {
    /// Primary key.
    pub id: SupportTicketId,
    /// The user asking for help.
    pub user_id: UserId,
    /// Topic, e.g. `"billing"`.
    pub category: Text<50>,
    /// Urgency.
    pub priority: TicketPriority,
    /// Headline.
    pub subject: Text<200>,
    /// The request.
    pub description: String,
    /// Attached files (JSONB, typed as an array of URLs).
    pub attachments: Option<Vec<Url>>,
    /// Ticket status.
    pub status: TicketStatus,
    /// The staff member handling it.
    pub assigned_to_user_id: Option<UserId>,
    /// When the ticket was opened.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// When it was resolved.
    #[serde(default, with = "crate::timestamp::option")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

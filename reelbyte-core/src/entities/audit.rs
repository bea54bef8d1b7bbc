//! Section 14 of the plan, audit and compliance: `audit_logs`.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{AuditLogId, UserId};
use crate::value::Text;

/// A row of `audit_logs`: who did what to which object, with the values
/// before and after. Rows are only ever inserted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLog {
    /// Primary key.
    pub id: AuditLogId,
    /// The acting user, when there is one (system actions have none).
    pub user_id: Option<UserId>,
    /// The actor's address.
    pub ip_address: Option<IpAddr>,
    /// The actor's `User-Agent` header.
    pub user_agent: Option<String>,
    /// The kind of object acted on, e.g. `"contract"`.
    pub entity_type: Text<50>,
    /// The object's id. A bare UUID because it may name a row of any table;
    /// `entity_type` says which.
    pub entity_id: Uuid,
    /// What was done, e.g. `"contract.accept"`.
    pub action: Text<50>,
    /// The changed fields before the action.
    pub old_values: Option<serde_json::Value>,
    /// The changed fields after the action.
    pub new_values: Option<serde_json::Value>,
    /// When the action happened.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
}

//! Idempotency keys: the same key and request returns the first result without
//! a second effect; the same key with another request is refused.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::{IdempotencyRecordId, UserId};

/// The longest idempotency key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// A client-chosen idempotency key (1 to 255 visible ASCII characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Accepts 1 to 255 visible ASCII characters.
    pub fn parse(key: &str) -> Result<Self> {
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(Error::validation(
                "idempotency_key",
                "must have 1 to 255 characters",
            ));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::validation(
                "idempotency_key",
                "must be visible ASCII",
            ));
        }
        Ok(Self(key.to_string()))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored idempotency key and the first result of its command (library
/// addition: `idempotency_keys`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// Primary key.
    pub id: IdempotencyRecordId,
    /// The user who sent the key; keys are scoped per user.
    pub actor_user_id: UserId,
    /// The key.
    pub key: String,
    /// The command's name, e.g. `"fund_escrow"`.
    pub command: String,
    /// SHA-256 of the command's canonical request.
    pub request_hash: String,
    /// The first result, once the command finished (JSON).
    pub response: Option<serde_json::Value>,
    /// When the key was first seen.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// The SHA-256 of a command's name and canonical JSON request.
pub fn request_hash<T: Serialize>(command: &str, request: &T) -> Result<String> {
    let body = serde_json::to_vec(request).map_err(|e| Error::validation("request", e))?;
    let mut hasher = Sha256::new();
    hasher.update(command.as_bytes());
    hasher.update([0u8]);
    hasher.update(&body);
    Ok(hex::encode(hasher.finalize()))
}

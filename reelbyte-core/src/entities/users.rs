//! Section 1 of the plan, users and authentication: `users`,
//! `user_sessions`, `password_reset_tokens`, and `user_consents` (from the
//! plan's GDPR section).
//!
//! [`User`], [`UserSession`] and [`PasswordResetToken`] implement `Debug` by
//! hand so that password and token hashes never reach logs: they print as
//! `"<redacted>"`. They still serialize in full, because storage adapters
//! persist entities through serde.

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{UserStatus, UserType};
use crate::ids::{PasswordResetTokenId, SessionId, UserConsentId, UserId};
use crate::value::{Email, PhoneNumber, Text};

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "<redacted>";

/// A row of `users`: one account, creator, client or both.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Primary key.
    pub id: UserId,
    /// Login and contact address, unique (trimmed and lowercased).
    pub email: Email,
    /// The password hash in PHC string format (`$argon2id$...`). Never the
    /// password itself; redacted from `Debug`.
    pub password_hash: String,
    /// Whether the account acts as a creator, a client or both; decides which
    /// profile tables are populated.
    pub user_type: UserType,
    /// Account status.
    pub status: UserStatus,
    /// Whether the email address has been confirmed.
    pub email_verified: bool,
    /// Phone number in `+<digits>` form, when given.
    pub phone_number: Option<PhoneNumber>,
    /// Whether the phone number has been confirmed.
    pub phone_verified: bool,
    /// Whether a second factor is required at login.
    pub two_factor_enabled: bool,
    /// Whether the user is platform staff, who act on disputes, support
    /// tickets, settings and fees (library addition, not in the plan).
    pub is_staff: bool,
    /// When the user last logged in.
    #[serde(default, with = "crate::timestamp::option")]
    pub last_login_at: Option<DateTime<Utc>>,
    /// Number of successful logins.
    pub login_count: i32,
    /// When the account was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// When the account was soft-deleted.
    #[serde(default, with = "crate::timestamp::option")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

impl User {
    /// A new account as registration creates it: waiting for its address to
    /// be verified, no second factor, not staff, never logged in, at
    /// version 1. Seeds and fixtures that need an active account start from
    /// here and set `status` and `email_verified`, so that a field added to
    /// `User` gets its starting value in one place.
    pub fn new_account(
        id: UserId,
        email: Email,
        password_hash: String,
        user_type: UserType,
        phone_number: Option<PhoneNumber>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            email,
            password_hash,
            user_type,
            status: UserStatus::PendingVerification,
            email_verified: false,
            phone_number,
            phone_verified: false,
            two_factor_enabled: false,
            is_staff: false,
            last_login_at: None,
            login_count: 0,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            version: 1,
        }
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Self {
            id,
            email,
            password_hash: _,
            user_type,
            status,
            email_verified,
            phone_number,
            phone_verified,
            two_factor_enabled,
            is_staff,
            last_login_at,
            login_count,
            created_at,
            updated_at,
            deleted_at,
            version,
        } = self;
        f.debug_struct("User")
            .field("id", id)
            .field("email", email)
            .field("password_hash", &REDACTED)
            .field("user_type", user_type)
            .field("status", status)
            .field("email_verified", email_verified)
            .field("phone_number", phone_number)
            .field("phone_verified", phone_verified)
            .field("two_factor_enabled", two_factor_enabled)
            .field("is_staff", is_staff)
            .field("last_login_at", last_login_at)
            .field("login_count", login_count)
            .field("created_at", created_at)
            .field("updated_at", updated_at)
            .field("deleted_at", deleted_at)
            .field("version", version)
            .finish()
    }
}

/// A row of `user_sessions`: one logged-in session.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSession {
    /// Primary key.
    pub id: SessionId,
    /// The user the session belongs to.
    pub user_id: UserId,
    /// Hex SHA-256 of the session token; the token itself is only ever held
    /// by the client. Redacted from `Debug`.
    pub token_hash: String,
    /// The address the session was opened from.
    pub ip_address: Option<IpAddr>,
    /// The client's `User-Agent` header.
    pub user_agent: Option<String>,
    /// When the session stops being accepted.
    #[serde(with = "crate::timestamp")]
    pub expires_at: DateTime<Utc>,
    /// When the session was opened.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the session was last used.
    #[serde(with = "crate::timestamp")]
    pub last_activity_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

impl fmt::Debug for UserSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Self {
            id,
            user_id,
            token_hash: _,
            ip_address,
            user_agent,
            expires_at,
            created_at,
            last_activity_at,
            version,
        } = self;
        f.debug_struct("UserSession")
            .field("id", id)
            .field("user_id", user_id)
            .field("token_hash", &REDACTED)
            .field("ip_address", ip_address)
            .field("user_agent", user_agent)
            .field("expires_at", expires_at)
            .field("created_at", created_at)
            .field("last_activity_at", last_activity_at)
            .field("version", version)
            .finish()
    }
}

/// A row of `password_reset_tokens`: a single-use, expiring reset token.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetToken {
    /// Primary key.
    pub id: PasswordResetTokenId,
    /// The user whose password the token may reset.
    pub user_id: UserId,
    /// Hex SHA-256 of the token sent to the user. Redacted from `Debug`.
    pub token_hash: String,
    /// When the token stops being accepted.
    #[serde(with = "crate::timestamp")]
    pub expires_at: DateTime<Utc>,
    /// When the token was redeemed; a used token is never accepted again.
    #[serde(default, with = "crate::timestamp::option")]
    pub used_at: Option<DateTime<Utc>>,
    /// When the token was issued.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

impl fmt::Debug for PasswordResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Self {
            id,
            user_id,
            token_hash: _,
            expires_at,
            used_at,
            created_at,
            version,
        } = self;
        f.debug_struct("PasswordResetToken")
            .field("id", id)
            .field("user_id", user_id)
            .field("token_hash", &REDACTED)
            .field("expires_at", expires_at)
            .field("used_at", used_at)
            .field("created_at", created_at)
            .field("version", version)
            .finish()
    }
}

/// A row of `user_consents`: a recorded grant or refusal of one kind of
/// consent (GDPR).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserConsent {
    /// Primary key.
    pub id: UserConsentId,
    /// The user who gave or refused consent.
    pub user_id: UserId,
    /// What the consent is for, e.g. `"marketing_email"`.
    pub consent_type: Text<50>,
    /// Whether consent is given.
    pub granted: bool,
    /// When consent was given.
    #[serde(default, with = "crate::timestamp::option")]
    pub granted_at: Option<DateTime<Utc>>,
    /// When consent was withdrawn.
    #[serde(default, with = "crate::timestamp::option")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// The address the decision was made from (kept as evidence).
    pub ip_address: Option<IpAddr>,
    /// The client's `User-Agent` header at the time (kept as evidence).
    pub user_agent: Option<String>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

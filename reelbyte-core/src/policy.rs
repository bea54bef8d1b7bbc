//! Policy windows: the time-based rules of the marketplace, as data.
//!
//! Every window has a default that follows common marketplace practice; an
//! embedding service can change any of them when it builds the
//! [`Marketplace`](crate::service::Marketplace).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The time windows the marketplace enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Delivered work is approved automatically this long after delivery when
    /// the client neither approves nor asks for a revision (default 3 days).
    pub auto_approve_after: Duration,
    /// A login session lasts this long (default 24 hours, the plan's session TTL).
    pub session_ttl: Duration,
    /// A password-reset token expires after this long (default 1 hour).
    pub password_reset_ttl: Duration,
    /// An email-verification token expires after this long (default 48 hours).
    pub email_verification_ttl: Duration,
    /// Reviews may be left this long after a contract completes (default 14 days).
    pub review_window: Duration,
    /// A contract offer the creator has not accepted expires after this long (default 7 days).
    pub contract_acceptance_window: Duration,
    /// Idempotency keys are remembered at least this long (default 24 hours).
    pub idempotency_key_ttl: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            auto_approve_after: Duration::days(3),
            session_ttl: Duration::hours(24),
            password_reset_ttl: Duration::hours(1),
            email_verification_ttl: Duration::hours(48),
            review_window: Duration::days(14),
            contract_acceptance_window: Duration::days(7),
            idempotency_key_ttl: Duration::hours(24),
        }
    }
}

impl Policy {
    /// Whether work delivered at `delivered_at` is due for automatic approval at `now`.
    pub fn auto_approval_due(&self, delivered_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now >= delivered_at + self.auto_approve_after
    }

    /// Whether a review may still be left at `now` for a contract completed at `completed_at`.
    pub fn review_window_open(&self, completed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now < completed_at + self.review_window
    }

    /// Whether a contract offered at `offered_at` has expired unaccepted at `now`.
    pub fn acceptance_expired(&self, offered_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now >= offered_at + self.contract_acceptance_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn auto_approval_is_due_exactly_at_the_window() {
        let policy = Policy::default();
        let delivered = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .expect("valid");
        assert!(!policy.auto_approval_due(
            delivered,
            delivered + Duration::days(3) - Duration::seconds(1)
        ));
        assert!(policy.auto_approval_due(delivered, delivered + Duration::days(3)));
    }

    #[test]
    fn review_window_closes() {
        let policy = Policy::default();
        let done = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        assert!(policy.review_window_open(done, done + Duration::days(13)));
        assert!(!policy.review_window_open(done, done + Duration::days(14)));
    }
}

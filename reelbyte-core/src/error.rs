//! The library's one error type.
//!
//! Every fallible operation of ReelByte returns [`Error`]. Its variants are
//! semantic (what went wrong for the caller), not technical (which backend
//! failed how): adapters map their own failures into these variants in one
//! place each, keeping the original error as a boxed source.

use std::fmt;

use crate::state::TransitionError;

/// Shorthand for `Result<T, reelbyte_core::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed error from a lower layer, kept as a source rather than stringified.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in ReelByte.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The object does not exist, or the actor may not know that it exists.
    ///
    /// Authorization failures on private objects are reported as `NotFound`
    /// so that guessing an id reveals nothing.
    #[error("{entity} not found")]
    NotFound {
        /// The kind of object, e.g. `"contract"`.
        entity: &'static str,
    },

    /// A uniqueness rule refused the command (an email, slug, one proposal
    /// per creator per job, one review per reviewer per contract, ...).
    #[error("{entity} already exists: {key}")]
    AlreadyExists {
        /// The kind of object, e.g. `"user"`.
        entity: &'static str,
        /// The unique key that collided, e.g. `"email"`.
        key: String,
    },

    /// A concurrent command changed what this one read; nothing was applied.
    ///
    /// The service retries these a bounded number of times before giving up.
    #[error("conflict on {entity}: {reason}")]
    Conflict {
        /// The kind of object that changed underneath the command.
        entity: &'static str,
        /// Why the command could not be applied.
        reason: String,
    },

    /// The command is not allowed in the object's current state.
    #[error(transparent)]
    InvalidTransition(#[from] TransitionError),

    /// The fee schedule refused the quote or the tiers.
    #[error(transparent)]
    Fees(#[from] crate::fees::FeeError),

    /// Input failed validation.
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The offending field.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The actor is known but may not perform this command.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// What the actor is missing.
        reason: String,
    },

    /// The credentials or session token were not accepted.
    #[error("authentication failed")]
    Unauthenticated,

    /// An idempotency key was reused with a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,

    /// A business rule refused the command (for example a revision request
    /// beyond the contract's allowance, or a refund larger than what is held).
    #[error("{rule}: {reason}")]
    Rule {
        /// A stable, machine-readable name of the rule.
        rule: &'static str,
        /// A human-readable explanation.
        reason: String,
    },

    /// The payment provider declined or failed the operation.
    #[error("payment provider: {reason}")]
    Payment {
        /// What the provider said.
        reason: String,
        /// The provider's error, when there is one.
        #[source]
        source: Option<BoxError>,
    },

    /// A read ran past the time limit the deployment set for it (for
    /// example a search too broad for its budget). Nothing changed; a
    /// narrower request, or the same one later, may succeed.
    #[error("the {what} took longer than its time limit")]
    TimedOut {
        /// What ran out of time, e.g. `"search"`.
        what: &'static str,
    },

    /// The storage backend or another dependency failed.
    #[error("{backend} backend error")]
    Backend {
        /// Which backend, e.g. `"postgres"`.
        backend: &'static str,
        /// The original error.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// A [`Error::Validation`] for `field`.
    pub fn validation(field: &'static str, reason: impl fmt::Display) -> Self {
        Self::Validation {
            field,
            reason: reason.to_string(),
        }
    }

    /// A [`Error::NotFound`] for `entity`.
    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    /// A [`Error::Conflict`] on `entity`.
    pub fn conflict(entity: &'static str, reason: impl fmt::Display) -> Self {
        Self::Conflict {
            entity,
            reason: reason.to_string(),
        }
    }

    /// A [`Error::Forbidden`].
    pub fn forbidden(reason: impl fmt::Display) -> Self {
        Self::Forbidden {
            reason: reason.to_string(),
        }
    }

    /// A [`Error::Rule`].
    pub fn rule(rule: &'static str, reason: impl fmt::Display) -> Self {
        Self::Rule {
            rule,
            reason: reason.to_string(),
        }
    }

    /// A [`Error::Backend`] wrapping `source`.
    pub fn backend(backend: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Backend {
            backend,
            source: source.into(),
        }
    }

    /// A stable, machine-readable code for this error, suitable for API
    /// responses (`"not_found"`, `"invalid_transition"`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::Conflict { .. } => "conflict",
            Self::InvalidTransition(_) => "invalid_transition",
            Self::Validation { .. } => "validation",
            Self::Fees(crate::fees::FeeError::NoApplicableTier { .. }) => "no_applicable_fee_tier",
            Self::Fees(crate::fees::FeeError::OverlappingTiers { .. }) => "overlapping_fee_tiers",
            Self::Fees(_) => "invalid_fee_tier",
            Self::Forbidden { .. } => "forbidden",
            Self::Unauthenticated => "unauthenticated",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::Rule { rule, .. } => rule,
            Self::Payment { .. } => "payment_failed",
            Self::TimedOut { .. } => "timed_out",
            Self::Backend { .. } => "backend",
        }
    }

    /// Whether retrying the same command may succeed (a lost optimistic race).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }
}

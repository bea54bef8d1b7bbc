//! Credentials: argon2id password hashes, random session and one-time tokens
//! of which only a SHA-256 hash is ever stored.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::{EmailVerificationTokenId, UserId};

/// Passwords shorter than this are refused (OWASP ASVS 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Passwords longer than this are refused, bounding hashing work.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password as typed, checked against the length policy. Its `Debug` never
/// shows the text.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Accepts 8 to 128 characters.
    pub fn parse(text: &str) -> Result<Self> {
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(Error::validation(
                "password",
                format!("must have at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(Error::validation(
                "password",
                format!("must have at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok(Self(text.to_string()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The argon2id parameters: OWASP's floor (m = 19456 KiB, t = 2, p = 1).
fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None)
        .map_err(|e| Error::backend("argon2", std::io::Error::other(e.to_string())))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` with argon2id and a fresh random salt, as a PHC string.
///
/// This is deliberately slow (tens of milliseconds); async callers should run
/// it off their executor threads.
pub fn hash_password(password: &Password) -> Result<String> {
    let hash = hasher()?
        .hash_password(password.expose().as_bytes())
        .map_err(|e| Error::backend("argon2", std::io::Error::other(e.to_string())))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match hasher() {
        Ok(h) => h.verify_password(password.as_bytes(), hash).is_ok(),
        Err(_) => false,
    }
}

/// A PHC hash of a random password, used to spend the same time verifying an
/// unknown email as a known one (no user enumeration by timing).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Password::parse("no user has this password")
            .and_then(|p| hash_password(&p))
            .unwrap_or_default()
    })
}

/// A secret token handed to a user once: 256 random bits, hex-encoded.
///
/// Only [`SecretToken::hash`] is stored; the raw token is returned to the
/// caller and never kept. Its `Debug` never shows the text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretToken(String);

impl SecretToken {
    /// A new token from the operating system's secure random source.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::backend("getrandom", std::io::Error::other(e.to_string())))?;
        Ok(Self(hex::encode(bytes)))
    }

    /// Wraps a token a user presented (not validated: an unknown token simply
    /// matches no stored hash).
    pub fn from_presented(text: &str) -> Self {
        Self(text.trim().to_string())
    }

    /// The token text to hand to the user.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token, hex-encoded: what the store keeps.
    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

/// The hex SHA-256 of a raw token.
pub fn token_hash(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// A single-use email-verification token (library addition:
/// `email_verification_tokens`, shaped like `password_reset_tokens`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailVerificationToken {
    /// Primary key.
    pub id: EmailVerificationTokenId,
    /// The user whose email it verifies.
    pub user_id: UserId,
    /// SHA-256 of the token sent by email.
    pub token_hash: String,
    /// When it stops working.
    #[serde(with = "crate::timestamp")]
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    #[serde(default, with = "crate::timestamp::option")]
    pub used_at: Option<DateTime<Utc>>,
    /// When it was issued.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency version (library addition).
    pub version: i64,
}

impl std::fmt::Debug for EmailVerificationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailVerificationToken")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("token_hash", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("used_at", &self.used_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_owasp_parameters() {
        let pw = Password::parse("correct horse battery").expect("valid");
        let hash = hash_password(&pw).expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong password", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(hash, hash_password(&pw).expect("hash"), "salts differ");
    }

    #[test]
    fn password_policy() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(!format!("{:?}", Password::parse("secret123").expect("ok")).contains("secret"));
    }

    #[test]
    fn tokens_are_256_bit_and_only_hashes_are_kept() {
        let a = SecretToken::generate().expect("random");
        let b = SecretToken::generate().expect("random");
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a, b);
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.expose());
        assert_eq!(SecretToken::from_presented(a.expose()).hash(), a.hash());
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}

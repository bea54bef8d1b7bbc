//! Accounts: registration, email verification, login and sessions, password
//! resets and changes, suspension by staff, and self-deletion.
//!
//! Secrets never reach the store or the audit log in the clear: passwords are
//! kept as argon2id hashes, and session, reset and verification tokens as
//! SHA-256 hashes; a raw token is handed to the caller once and never kept.
//!
//! Argon2 is deliberately slow, so every command hashes or verifies at most
//! once, before its retry loop, and checks inside the loop that the hash it
//! relied on is still the stored one.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::auth::{
    EmailVerificationToken, MAX_PASSWORD_CHARS, Password, SecretToken, dummy_hash, hash_password,
    verify_password,
};
use crate::entities::{PasswordResetToken, User, UserSession};
use crate::enums::{UserStatus, UserType};
use crate::error::{Error, Result};
use crate::ids::{EmailVerificationTokenId, PasswordResetTokenId, SessionId, UserId};
use crate::service::profiles::{new_client_profile, new_creator_profile};
use crate::service::{Ctx, Marketplace, command};
use crate::state::{StateMachine, UserEvent, UserMachine};
use crate::store::ChangeSet;
use crate::value::{Email, PhoneNumber, Text};

/// Like [`command!`], but also plans the command again when the store refuses
/// its change set because a unique key was taken in the meantime.
///
/// Use it only for commands whose planning step reads every unique key it
/// is about to occupy (an email, a skill name, "the" default payment
/// method): planning again then either succeeds against the new state or
/// refuses with the command's own, precise error instead of the store's.
macro_rules! replanning_command {
    ($self:ident, $body:expr) => {{
        let mut attempt: u32 = 0;
        loop {
            let planned: $crate::error::Result<($crate::store::ChangeSet, _)> = $body.await;
            let (changes, output) = planned?;
            match $self.commit(changes).await {
                Ok(()) => break Ok(output),
                Err(e)
                    if (e.is_retryable()
                        || matches!(e, $crate::error::Error::AlreadyExists { .. }))
                        && attempt < $self.max_retries() =>
                {
                    attempt += 1;
                    $crate::service::Retry::backoff(attempt).await;
                }
                Err(e) => break Err(e),
            }
        }
    }};
}
pub(crate) use replanning_command;

/// What a new account is registered with.
///
/// `Debug` never shows the password.
#[derive(Clone, Deserialize, Serialize)]
pub struct RegisterInput {
    /// Login and contact address (trimmed and lowercased by [`Email::parse`]).
    pub email: Email,
    /// The password as typed: 8 to 128 characters. Only its argon2id hash is
    /// kept.
    pub password: String,
    /// Creator, client or both: decides which profiles are created.
    pub user_type: UserType,
    /// The creator profile's display name, and the client profile's company
    /// name unless `company_name` is given.
    pub display_name: Text<100>,
    /// The client profile's company name, when it differs from
    /// `display_name`. Ignored for creators.
    #[serde(default)]
    pub company_name: Option<Text<200>>,
    /// A phone number, stored unverified.
    #[serde(default)]
    pub phone_number: Option<PhoneNumber>,
}

impl fmt::Debug for RegisterInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterInput")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("user_type", &self.user_type)
            .field("display_name", &self.display_name)
            .field("company_name", &self.company_name)
            .field("phone_number", &self.phone_number)
            .finish()
    }
}

/// A new account and the token that verifies its email address.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The user, in `pending_verification`.
    pub user: User,
    /// The raw verification token to email to the user; only its hash is
    /// stored, so it cannot be recovered later.
    pub verification_token: SecretToken,
}

/// Credentials presented at login.
///
/// The email is a plain string on purpose: a malformed address must fail
/// like a wrong one ([`Error::Unauthenticated`]), not with a validation error
/// that tells a different story. `Debug` never shows the password.
#[derive(Clone, Deserialize, Serialize)]
pub struct LoginInput {
    /// The account's email address, as typed.
    pub email: String,
    /// The password, as typed.
    pub password: String,
}

impl fmt::Debug for LoginInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginInput")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A new login session.
#[derive(Debug, Clone)]
pub struct LoginSession {
    /// The raw session token for the client to present; only its hash is
    /// stored.
    pub token: SecretToken,
    /// The stored session.
    pub session: UserSession,
    /// The user, with the login counted.
    pub user: User,
}

/// The error for an unknown, used or expired one-time token. All three read
/// the same, so that a token's fate cannot be probed.
fn invalid_token() -> Error {
    Error::rule("invalid_token", "the link is invalid or has expired")
}

/// The error for an address that already has an account.
fn email_taken() -> Error {
    Error::AlreadyExists {
        entity: "user",
        key: "email".into(),
    }
}

/// `ctx` with `user` as the actor: for anonymous commands (registration,
/// verification, login, password reset) in which the caller has just proved
/// who they are, so that the audit entry names them.
fn as_actor(ctx: &Ctx, user: UserId) -> Ctx {
    Ctx {
        actor: Some(user),
        ..ctx.clone()
    }
}

/// Refuses an account that may not open a session: a deleted one as if it
/// did not exist, a suspended one with the reason (only ever said after the
/// password matched, so suspension is no oracle either).
fn ensure_may_log_in(user: &User) -> Result<()> {
    match user.status {
        UserStatus::Active | UserStatus::PendingVerification => Ok(()),
        UserStatus::Suspended => Err(Error::forbidden("the account is suspended")),
        UserStatus::Deleted => Err(Error::Unauthenticated),
    }
}

/// The audit record of a suspension: the user row plus the staff member's
/// reason, which has no column of its own.
#[derive(Serialize)]
struct Suspension<'a> {
    #[serde(flatten)]
    user: &'a User,
    reason: &'a str,
}

/// The audit record of a command that ended sessions in bulk.
#[derive(Serialize)]
struct SessionsEnded {
    sessions_ended: usize,
}

impl Marketplace {
    /// Registers a new account in `pending_verification`, with the creator
    /// and/or client profile its `user_type` calls for and an
    /// email-verification token that expires after
    /// [`Policy::email_verification_ttl`](crate::policy::Policy::email_verification_ttl).
    ///
    /// Refuses a password outside 8..=128 characters
    /// ([`Error::Validation`]) and an address that already has an account
    /// (`AlreadyExists { entity: "user", key: "email" }`), also when a
    /// concurrent registration takes it first.
    ///
    /// Hashes the password with argon2id, which blocks the calling thread for
    /// tens of milliseconds; async servers should call this off their
    /// executor threads.
    pub async fn register(&self, ctx: &Ctx, input: RegisterInput) -> Result<Registered> {
        let password = Password::parse(&input.password)?;
        // Checked before hashing too, so a taken address costs no argon2 work.
        if self
            .store()
            .users()
            .get_by_email(input.email.as_str())
            .await?
            .is_some()
        {
            return Err(email_taken());
        }
        let password_hash = hash_password(&password)?;
        let company_name = match &input.company_name {
            Some(name) => name.clone(),
            None => Text::parse_field("company_name", input.display_name.as_str())?,
        };
        // Planned again after the store refuses the email: the new plan then
        // finds the winner's account and refuses with `email_taken`.
        replanning_command!(self, async {
            if self
                .store()
                .users()
                .get_by_email(input.email.as_str())
                .await?
                .is_some()
            {
                return Err(email_taken());
            }
            let now = self.now();
            let user = User::new_account(
                UserId::new(),
                input.email.clone(),
                password_hash.clone(),
                input.user_type,
                input.phone_number.clone(),
                now,
            );
            let token = SecretToken::generate()?;
            let verification = EmailVerificationToken {
                id: EmailVerificationTokenId::new(),
                user_id: user.id,
                token_hash: token.hash(),
                expires_at: now + self.policy().email_verification_ttl,
                used_at: None,
                created_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(user.clone());
            if matches!(input.user_type, UserType::Creator | UserType::Both) {
                changes.insert(new_creator_profile(
                    user.id,
                    input.display_name.clone(),
                    now,
                ));
            }
            if matches!(input.user_type, UserType::Client | UserType::Both) {
                changes.insert(new_client_profile(user.id, company_name.clone(), now));
            }
            changes.insert(verification);
            changes.insert(self.audit(
                &as_actor(ctx, user.id),
                "user",
                user.id.as_uuid(),
                "register",
                None::<&()>,
                Some(&user),
            )?);
            Ok((
                changes,
                Registered {
                    user,
                    verification_token: token,
                },
            ))
        })
    }

    /// Verifies the email address of the account `token` was issued for, and
    /// activates it (`pending_verification` → `active`). An account that is
    /// suspended, or was reinstated before verifying, keeps its status and
    /// only gains `email_verified`.
    ///
    /// The token works once and until it expires; an unknown, used or
    /// expired token, or one of a deleted account, is refused with the same
    /// `Error::Rule { rule: "invalid_token", .. }`.
    pub async fn verify_email(&self, ctx: &Ctx, token: &str) -> Result<User> {
        let token_hash = SecretToken::from_presented(token).hash();
        command!(self, async {
            let now = self.now();
            let mut record = self
                .store()
                .sessions()
                .get_verification_token_by_hash(&token_hash)
                .await?
                .filter(|t| t.used_at.is_none() && t.expires_at > now)
                .ok_or_else(invalid_token)?;
            let mut user = self
                .store()
                .users()
                .get_by_id(record.user_id)
                .await?
                .filter(|u| u.status != UserStatus::Deleted)
                .ok_or_else(invalid_token)?;
            let old = user.clone();
            // Only a pending account changes status. One that staff suspended
            // (or suspended and reinstated) before it verified keeps its
            // status and just gains the flag; otherwise it could never verify.
            if user.status == UserStatus::PendingVerification {
                user.status = UserMachine::transition(user.status, UserEvent::VerifyEmail)?;
            }
            user.email_verified = true;
            user.updated_at = now;
            record.used_at = Some(now);
            let mut changes = ChangeSet::new();
            // The token's versioned update makes it single-use: of two
            // concurrent verifications one conflicts, retries and finds it used.
            changes.update(&record);
            changes.update(&user);
            changes.insert(self.audit(
                &as_actor(ctx, user.id),
                "user",
                user.id.as_uuid(),
                "verify_email",
                Some(&old),
                Some(&user),
            )?);
            user.version += 1;
            Ok((changes, user))
        })
    }

    /// Logs in with an email and password: opens a session that lasts
    /// [`Policy::session_ttl`](crate::policy::Policy::session_ttl), records
    /// the client's address and user agent from `ctx`, and counts the login.
    ///
    /// A wrong password, an unknown or malformed address and a deleted
    /// account are all [`Error::Unauthenticated`], and take the same argon2
    /// work, so neither the answer nor its timing tells whether an account
    /// exists. A suspended account is [`Error::Forbidden`], but only once
    /// the password matched.
    pub async fn login(&self, ctx: &Ctx, input: LoginInput) -> Result<LoginSession> {
        // Bounds hashing work; says nothing about any account.
        if input.password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(Error::Unauthenticated);
        }
        let found = match Email::parse(&input.email) {
            Ok(email) => self.store().users().get_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let Some(found) = found else {
            // Spend the time a known address would cost.
            let _ = verify_password(&input.password, dummy_hash());
            return Err(Error::Unauthenticated);
        };
        if !verify_password(&input.password, &found.password_hash) {
            return Err(Error::Unauthenticated);
        }
        ensure_may_log_in(&found)?;
        let verified_hash = found.password_hash;
        command!(self, async {
            let mut user = self
                .store()
                .users()
                .get_by_id(found.id)
                .await?
                .ok_or(Error::Unauthenticated)?;
            // The password was checked against this hash; a reset since then
            // makes the check worthless.
            if user.password_hash != verified_hash {
                return Err(Error::Unauthenticated);
            }
            ensure_may_log_in(&user)?;
            let now = self.now();
            let token = SecretToken::generate()?;
            let session = self.session_row(ctx, user.id, &token, now);
            user.login_count = user.login_count.saturating_add(1);
            user.last_login_at = Some(now);
            user.updated_at = now;
            let mut changes = ChangeSet::new();
            changes.update(&user);
            changes.insert(session.clone());
            changes.insert(self.audit(
                &as_actor(ctx, user.id),
                "user_session",
                session.id.as_uuid(),
                "login",
                None::<&()>,
                Some(&session),
            )?);
            user.version += 1;
            Ok((
                changes,
                LoginSession {
                    token,
                    session,
                    user,
                },
            ))
        })
    }

    /// The user a session token belongs to, for building a [`Ctx`].
    ///
    /// Refuses unknown and expired tokens, and accounts that are suspended
    /// or deleted, with [`Error::Unauthenticated`].
    ///
    /// Writes nothing: `last_activity_at` keeps the session's opening time,
    /// because updating it here would turn every authenticated read into a
    /// write (and an audit entry).
    pub async fn authenticate(&self, token: &str) -> Result<User> {
        let token_hash = SecretToken::from_presented(token).hash();
        let session = self
            .store()
            .sessions()
            .get_by_token_hash(&token_hash)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if session.expires_at <= self.now() {
            return Err(Error::Unauthenticated);
        }
        let user = self
            .store()
            .users()
            .get_by_id(session.user_id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        match user.status {
            UserStatus::Active | UserStatus::PendingVerification => Ok(user),
            UserStatus::Suspended | UserStatus::Deleted => Err(Error::Unauthenticated),
        }
    }

    /// Ends the session of `token`. Only its owner may: anyone else's token
    /// is `NotFound`, as is an unknown one.
    pub async fn logout(&self, ctx: &Ctx, token: &str) -> Result<()> {
        let actor = ctx.actor()?;
        let token_hash = SecretToken::from_presented(token).hash();
        command!(self, async {
            let session = self
                .store()
                .sessions()
                .get_by_token_hash(&token_hash)
                .await?
                .filter(|s| s.user_id == actor)
                .ok_or(Error::not_found(SessionId::ENTITY))?;
            let mut changes = ChangeSet::new();
            changes.delete(&session);
            changes.insert(self.audit(
                ctx,
                "user_session",
                session.id.as_uuid(),
                "logout",
                Some(&session),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    /// Ends every session of the actor, on every device; returns how many
    /// there were.
    pub async fn logout_everywhere(&self, ctx: &Ctx) -> Result<usize> {
        let actor = ctx.actor()?;
        command!(self, async {
            let sessions = self.store().sessions().list_by_user_id(actor).await?;
            let mut changes = ChangeSet::new();
            sessions.iter().for_each(|s| {
                changes.delete(s);
            });
            let ended = SessionsEnded {
                sessions_ended: sessions.len(),
            };
            changes.insert(self.audit(
                ctx,
                "user",
                actor.as_uuid(),
                "logout_everywhere",
                None::<&()>,
                Some(&ended),
            )?);
            Ok((changes, sessions.len()))
        })
    }

    /// Issues a password-reset token for the account of `email`, expiring
    /// after [`Policy::password_reset_ttl`](crate::policy::Policy::password_reset_ttl).
    ///
    /// Returns `None`, and writes nothing, when no live account has that
    /// address; the HTTP layer answers the same either way, so the answer
    /// does not reveal which addresses have accounts. A malformed address is
    /// [`Error::Validation`].
    pub async fn request_password_reset(
        &self,
        ctx: &Ctx,
        email: &str,
    ) -> Result<Option<SecretToken>> {
        let email = Email::parse(email)?;
        command!(self, async {
            let user = self
                .store()
                .users()
                .get_by_email(email.as_str())
                .await?
                .filter(|u| u.status != UserStatus::Deleted);
            let Some(user) = user else {
                return Ok((ChangeSet::new(), None));
            };
            let now = self.now();
            let token = SecretToken::generate()?;
            let record = PasswordResetToken {
                id: PasswordResetTokenId::new(),
                user_id: user.id,
                token_hash: token.hash(),
                expires_at: now + self.policy().password_reset_ttl,
                used_at: None,
                created_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(record.clone());
            // The requester is anonymous and not necessarily the account's
            // owner, so the entry keeps `ctx` as it is.
            changes.insert(self.audit(
                ctx,
                "password_reset_token",
                record.id.as_uuid(),
                "request",
                None::<&()>,
                Some(&record),
            )?);
            Ok((changes, Some(token)))
        })
    }

    /// Sets a new password with a reset token: the token is used up, every
    /// other outstanding reset token of the account dies with it, and every
    /// session of the account ends, all in one change set.
    ///
    /// An unknown, used or expired token is `Error::Rule { rule:
    /// "invalid_token", .. }`; a password outside 8..=128 characters is
    /// [`Error::Validation`].
    pub async fn reset_password(&self, ctx: &Ctx, token: &str, new_password: &str) -> Result<()> {
        let password = Password::parse(new_password)?;
        let token_hash = SecretToken::from_presented(token).hash();
        // Checked before hashing as well, so that anonymous callers with
        // made-up tokens cannot make the server do argon2 work.
        self.usable_reset_token(&token_hash).await?;
        let password_hash = hash_password(&password)?;
        command!(self, async {
            let now = self.now();
            let mut record = self.usable_reset_token(&token_hash).await?;
            let mut user = self
                .store()
                .users()
                .get_by_id(record.user_id)
                .await?
                .filter(|u| u.status != UserStatus::Deleted)
                .ok_or_else(invalid_token)?;
            let old = user.clone();
            user.password_hash = password_hash.clone();
            user.updated_at = now;
            record.used_at = Some(now);
            let mut changes = ChangeSet::new();
            changes.update(&record);
            let others = self
                .store()
                .sessions()
                .list_reset_tokens_by_user_id(user.id)
                .await?;
            for mut other in others {
                if other.id != record.id && other.used_at.is_none() && other.expires_at > now {
                    other.used_at = Some(now);
                    changes.update(&other);
                }
            }
            changes.update(&user);
            for session in self.store().sessions().list_by_user_id(user.id).await? {
                changes.delete(&session);
            }
            changes.insert(self.audit(
                &as_actor(ctx, user.id),
                "user",
                user.id.as_uuid(),
                "reset_password",
                Some(&old),
                Some(&user),
            )?);
            Ok((changes, ()))
        })
    }

    /// Changes the actor's password, given the current one.
    ///
    /// Every existing session of the account ends, and a fresh one is
    /// returned: the device that changed the password stays signed in, while
    /// any other (possibly stolen) session is cut off. A wrong current
    /// password is [`Error::Unauthenticated`]; a new password outside
    /// 8..=128 characters, or equal to the current one, is
    /// [`Error::Validation`].
    pub async fn change_password(
        &self,
        ctx: &Ctx,
        current: &str,
        new: &str,
    ) -> Result<LoginSession> {
        let password = Password::parse(new)?;
        if new == current {
            return Err(Error::validation(
                "password",
                "must differ from the current password",
            ));
        }
        let user = self.acting_user(ctx).await?;
        if !verify_password(current, &user.password_hash) {
            return Err(Error::Unauthenticated);
        }
        let verified_hash = user.password_hash;
        let password_hash = hash_password(&password)?;
        command!(self, async {
            let mut user = self.acting_user(ctx).await?;
            if user.password_hash != verified_hash {
                return Err(Error::Unauthenticated);
            }
            let now = self.now();
            let old = user.clone();
            user.password_hash = password_hash.clone();
            user.updated_at = now;
            let token = SecretToken::generate()?;
            let session = self.session_row(ctx, user.id, &token, now);
            let mut changes = ChangeSet::new();
            changes.update(&user);
            for existing in self.store().sessions().list_by_user_id(user.id).await? {
                changes.delete(&existing);
            }
            changes.insert(session.clone());
            changes.insert(self.audit_update(
                ctx,
                "user",
                user.id.as_uuid(),
                "change_password",
                &old,
                &user,
            )?);
            user.version += 1;
            Ok((
                changes,
                LoginSession {
                    token,
                    session,
                    user,
                },
            ))
        })
    }

    /// Suspends an account and ends all its sessions. Staff only
    /// ([`Error::Forbidden`] for anyone else); `reason` (1 to 500
    /// characters) is kept in the audit entry. Staff cannot suspend
    /// themselves (`Error::Rule { rule: "cannot_suspend_self", .. }`).
    pub async fn suspend_user(&self, ctx: &Ctx, user: UserId, reason: &str) -> Result<User> {
        let reason: Text<500> = Text::parse_field("reason", reason)?;
        command!(self, async {
            let staff = self.acting_staff(ctx).await?;
            if staff.id == user {
                return Err(Error::rule(
                    "cannot_suspend_self",
                    "staff cannot suspend their own account",
                ));
            }
            let mut target = self
                .store()
                .users()
                .get_by_id(user)
                .await?
                .ok_or(Error::not_found(UserId::ENTITY))?;
            let old = target.clone();
            target.status = UserMachine::transition(target.status, UserEvent::Suspend)?;
            target.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&target);
            for session in self.store().sessions().list_by_user_id(target.id).await? {
                changes.delete(&session);
            }
            let suspension = Suspension {
                user: &target,
                reason: reason.as_str(),
            };
            changes.insert(self.audit(
                ctx,
                "user",
                target.id.as_uuid(),
                "suspend",
                Some(&old),
                Some(&suspension),
            )?);
            target.version += 1;
            Ok((changes, target))
        })
    }

    /// Lifts a suspension (`suspended` → `active`). Staff only.
    pub async fn reinstate_user(&self, ctx: &Ctx, user: UserId) -> Result<User> {
        command!(self, async {
            self.acting_staff(ctx).await?;
            let mut target = self
                .store()
                .users()
                .get_by_id(user)
                .await?
                .ok_or(Error::not_found(UserId::ENTITY))?;
            let old = target.clone();
            target.status = UserMachine::transition(target.status, UserEvent::Reinstate)?;
            target.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&target);
            changes.insert(self.audit_update(
                ctx,
                "user",
                target.id.as_uuid(),
                "reinstate",
                &old,
                &target,
            )?);
            target.version += 1;
            Ok((changes, target))
        })
    }

    /// Deletes the actor's own account: status `deleted`, `deleted_at` set,
    /// every session ended. The row stays (a soft delete), so the ledger's
    /// references keep pointing somewhere; erasing personal data is a
    /// separate step. A suspended account cannot delete itself.
    pub async fn delete_account(&self, ctx: &Ctx) -> Result<User> {
        command!(self, async {
            let mut user = self.acting_user(ctx).await?;
            let old = user.clone();
            let now = self.now();
            user.status = UserMachine::transition(user.status, UserEvent::Delete)?;
            user.deleted_at = Some(now);
            user.updated_at = now;
            let mut changes = ChangeSet::new();
            changes.update(&user);
            for session in self.store().sessions().list_by_user_id(user.id).await? {
                changes.delete(&session);
            }
            changes.insert(self.audit_update(
                ctx,
                "user",
                user.id.as_uuid(),
                "delete",
                &old,
                &user,
            )?);
            user.version += 1;
            Ok((changes, user))
        })
    }

    /// The acting user.
    pub async fn get_me(&self, ctx: &Ctx) -> Result<User> {
        self.acting_user(ctx).await
    }

    /// A password-reset token that may still be used.
    async fn usable_reset_token(&self, token_hash: &str) -> Result<PasswordResetToken> {
        let now = self.now();
        self.store()
            .sessions()
            .get_reset_token_by_hash(token_hash)
            .await?
            .filter(|t| t.used_at.is_none() && t.expires_at > now)
            .ok_or_else(invalid_token)
    }

    /// A new session row for `token`, opened from the client in `ctx`.
    fn session_row(
        &self,
        ctx: &Ctx,
        user: UserId,
        token: &SecretToken,
        now: chrono::DateTime<chrono::Utc>,
    ) -> UserSession {
        UserSession {
            id: SessionId::new(),
            user_id: user,
            token_hash: token.hash(),
            ip_address: ctx.ip_address,
            user_agent: ctx.user_agent.clone(),
            expires_at: now + self.policy().session_ttl,
            created_at: now,
            last_activity_at: now,
            version: 1,
        }
    }
}

//! Conformance behaviours: accounts (registration, verification, login and
//! sessions, password resets and changes, suspension, deletion).
//!
//! Argon2 costs tens of milliseconds per hash, so only the behaviours about
//! passwords register or log in for real; the others seed users and sessions
//! directly.

use std::net::{IpAddr, Ipv4Addr};

use chrono::Duration;
use serde_json::json;

use crate::auth::SecretToken;
use crate::entities::{AuditLog, User, UserSession};
use crate::enums::{UserStatus, UserType};
use crate::error::Error;
use crate::ids::{SessionId, UserId};
use crate::service::{Ctx, LoginInput, RegisterInput, Registered};
use crate::store::{ChangeSet, Record};
use crate::testing::{StoreFactory, TestEnv};
use crate::value::{Email, Text};

/// The password of every account registered here.
const PASSWORD: &str = "correct horse battery staple";

fn register_input(email: &str, kind: UserType) -> RegisterInput {
    RegisterInput {
        email: Email::parse(email).expect("valid email"),
        password: PASSWORD.to_string(),
        user_type: kind,
        display_name: Text::parse("Ada Reels").expect("valid name"),
        company_name: None,
        phone_number: None,
    }
}

fn login_input(email: &str, password: &str) -> LoginInput {
    LoginInput {
        email: email.to_string(),
        password: password.to_string(),
    }
}

/// Registers a creator (one argon2 hash).
async fn registered(env: &TestEnv, email: &str) -> Registered {
    env.market
        .register(&Ctx::anonymous(), register_input(email, UserType::Creator))
        .await
        .expect("register")
}

/// Registers a creator and verifies their email (one argon2 hash).
async fn active_account(env: &TestEnv, email: &str) -> User {
    let registered = registered(env, email).await;
    env.market
        .verify_email(&Ctx::anonymous(), registered.verification_token.expose())
        .await
        .expect("verify email")
}

/// Opens a session for `user` directly in the store (no argon2 work).
async fn seed_session(env: &TestEnv, user: UserId) -> SecretToken {
    let token = SecretToken::generate().expect("random token");
    let now = env.now();
    let session = UserSession {
        id: SessionId::new(),
        user_id: user,
        token_hash: token.hash(),
        ip_address: None,
        user_agent: None,
        expires_at: now + env.market.policy().session_ttl,
        created_at: now,
        last_activity_at: now,
        version: 1,
    };
    let mut changes = ChangeSet::new();
    changes.insert(session);
    env.store.apply(changes).await.expect("seed a session");
    token
}

async fn stored_user(env: &TestEnv, id: UserId) -> User {
    env.store
        .users()
        .get_by_id(id)
        .await
        .expect("read the user")
        .expect("the user exists")
}

async fn sessions_of(env: &TestEnv, user: UserId) -> Vec<UserSession> {
    env.store
        .sessions()
        .list_by_user_id(user)
        .await
        .expect("list sessions")
}

async fn audit_of(env: &TestEnv, entity_type: &str, id: uuid::Uuid) -> Vec<AuditLog> {
    env.store
        .admin()
        .list_audit_by_entity(entity_type, id)
        .await
        .expect("read the audit log")
}

fn is_invalid_token(error: &Error) -> bool {
    matches!(
        error,
        Error::Rule {
            rule: "invalid_token",
            ..
        }
    )
}

// ---------------------------------------------------------------------------
// Registration and verification
// ---------------------------------------------------------------------------

/// Registration creates a pending, unverified account with the profiles its
/// type calls for, a hashed verification token and an audit entry.
pub async fn register_creates_a_pending_account_with_the_profiles_its_type_calls_for(
    factory: &StoreFactory,
) {
    let env = TestEnv::new(factory).await;
    let ctx = Ctx::anonymous().with_client(
        Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))),
        Some("test".into()),
    );

    let mut both = register_input("  Ada@Example.COM ", UserType::Both);
    both.phone_number = Some("+1 415 555 0123".parse().expect("valid phone"));
    let registered = env.market.register(&ctx, both).await.expect("register");
    let user = &registered.user;
    assert_eq!(user.email.as_str(), "ada@example.com");
    assert_eq!(user.status, UserStatus::PendingVerification);
    assert!(!user.email_verified);
    assert!(!user.is_staff);
    assert_eq!(user.login_count, 0);
    assert!(user.password_hash.starts_with("$argon2id$"));
    assert_eq!(stored_user(&env, user.id).await, *user);

    let creator = env
        .store
        .creators()
        .get_by_user_id(user.id)
        .await
        .expect("read");
    let creator = creator.expect("a creator profile");
    assert_eq!(creator.display_name.as_str(), "Ada Reels");
    assert_eq!(creator.total_jobs_completed, 0);
    assert!(creator.total_earnings.is_zero());
    let client = env
        .store
        .clients()
        .get_by_user_id(user.id)
        .await
        .expect("read");
    assert_eq!(
        client.expect("a client profile").company_name.as_str(),
        "Ada Reels",
        "the display name stands in for the company name"
    );

    let token = env
        .store
        .sessions()
        .get_verification_token_by_hash(&registered.verification_token.hash())
        .await
        .expect("read")
        .expect("the token's hash is stored");
    assert_eq!(token.user_id, user.id);
    assert_eq!(
        token.expires_at,
        env.now() + env.market.policy().email_verification_ttl
    );
    assert_eq!(token.used_at, None);

    let audit = audit_of(&env, "user", user.id.as_uuid()).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action.as_str(), "register");
    assert_eq!(audit[0].user_id, Some(user.id));
    assert_eq!(audit[0].ip_address, ctx.ip_address);

    let mut client_only = register_input("brand@example.com", UserType::Client);
    client_only.company_name = Some(Text::parse("Brand Co").expect("valid"));
    let brand = env
        .market
        .register(&ctx, client_only)
        .await
        .expect("register");
    let profile = env
        .store
        .clients()
        .get_by_user_id(brand.user.id)
        .await
        .expect("read");
    assert_eq!(
        profile.expect("a client profile").company_name.as_str(),
        "Brand Co"
    );
    let none = env
        .store
        .creators()
        .get_by_user_id(brand.user.id)
        .await
        .expect("read");
    assert!(none.is_none(), "a client gets no creator profile");
}

/// An address that already has an account, in any letter case, is refused.
pub async fn register_with_a_taken_email_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    registered(&env, "ada@example.com").await;
    let error = env
        .refused(env.market.register(
            &Ctx::anonymous(),
            register_input("ADA@example.com", UserType::Client),
        ))
        .await;
    assert!(
        matches!(&error, Error::AlreadyExists { entity: "user", key } if key == "email"),
        "{error:?}"
    );
}

/// Passwords shorter than 8 or longer than 128 characters are refused.
pub async fn register_with_a_password_outside_the_policy_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    for password in ["short12".to_string(), "x".repeat(129)] {
        let mut input = register_input("ada@example.com", UserType::Creator);
        input.password = password;
        let error = env
            .refused(env.market.register(&Ctx::anonymous(), input))
            .await;
        assert!(
            matches!(
                error,
                Error::Validation {
                    field: "password",
                    ..
                }
            ),
            "{error:?}"
        );
    }
}

/// Malformed fields never become a `RegisterInput`, and its `Debug` hides
/// the password.
pub async fn register_input_refuses_malformed_fields_at_the_boundary(factory: &StoreFactory) {
    let _env = TestEnv::new(factory).await;
    let valid = json!({
        "email": "ada@example.com",
        "password": PASSWORD,
        "user_type": "creator",
        "display_name": "Ada",
        "phone_number": "+14155550123",
    });
    let input: RegisterInput = serde_json::from_value(valid.clone()).expect("valid input");
    assert!(!format!("{input:?}").contains(PASSWORD));
    assert!(!format!("{:?}", login_input("a@b.co", PASSWORD)).contains(PASSWORD));
    for (field, bad) in [
        ("email", json!("not-an-email")),
        ("user_type", json!("admin")),
        ("display_name", json!("   ")),
        ("display_name", json!("x".repeat(101))),
        ("phone_number", json!("12")),
        ("company_name", json!("")),
    ] {
        let mut doc = valid.clone();
        doc[field] = bad;
        assert!(
            serde_json::from_value::<RegisterInput>(doc).is_err(),
            "{field} should be refused"
        );
    }
}

/// Of 16 concurrent registrations of one address, exactly one succeeds and
/// the others are refused as duplicates.
pub async fn concurrent_registrations_of_one_email_admit_exactly_one(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let market = env.market.clone();
            tokio::spawn(async move {
                market
                    .register(
                        &Ctx::anonymous(),
                        register_input("race@example.com", UserType::Creator),
                    )
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("the task finished") {
            Ok(_) => won += 1,
            Err(Error::AlreadyExists {
                entity: "user",
                key,
            }) if key == "email" => {}
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!(won, 1);
    let users = env
        .snapshot()
        .await
        .into_iter()
        .filter(|r| matches!(r, Record::User(u) if u.email.as_str() == "race@example.com"))
        .count();
    assert_eq!(users, 1);
    let profiles = env
        .snapshot()
        .await
        .into_iter()
        .filter(|r| matches!(r, Record::CreatorProfile(_)))
        .count();
    assert_eq!(profiles, 1, "the losers left no profile behind");
}

/// Verifying the email activates the account; the token works only once.
pub async fn verify_email_activates_the_account_once(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let registered = registered(&env, "ada@example.com").await;
    let token = registered.verification_token.expose();
    env.clock.advance(Duration::seconds(1));

    let user = env
        .market
        .verify_email(&Ctx::anonymous(), token)
        .await
        .expect("verify");
    assert_eq!(user.status, UserStatus::Active);
    assert!(user.email_verified);
    assert_eq!(stored_user(&env, user.id).await, user);
    let actions: Vec<_> = audit_of(&env, "user", user.id.as_uuid())
        .await
        .into_iter()
        .map(|a| a.action.into_string())
        .collect();
    assert_eq!(actions, ["register", "verify_email"]);

    let error = env
        .refused(env.market.verify_email(&Ctx::anonymous(), token))
        .await;
    assert!(is_invalid_token(&error), "{error:?}");
}

/// An account suspended before it verified can still verify: it gains the
/// flag and keeps its status until staff reinstate it.
pub async fn verify_email_of_a_suspended_account_keeps_its_status(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let registered = registered(&env, "ada@example.com").await;
    env.market
        .suspend_user(&staff.ctx, registered.user.id, "suspicious signup")
        .await
        .expect("suspend");

    let user = env
        .market
        .verify_email(&Ctx::anonymous(), registered.verification_token.expose())
        .await
        .expect("verify");
    assert_eq!(user.status, UserStatus::Suspended);
    assert!(user.email_verified);
    let user = env
        .market
        .reinstate_user(&staff.ctx, user.id)
        .await
        .expect("reinstate");
    assert_eq!(user.status, UserStatus::Active);
    assert!(user.email_verified);
}

/// Unknown and expired verification tokens are refused alike.
pub async fn verify_email_with_an_unknown_or_expired_token_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let registered = registered(&env, "ada@example.com").await;

    let unknown = env
        .refused(env.market.verify_email(&Ctx::anonymous(), "no-such-token"))
        .await;
    assert!(is_invalid_token(&unknown), "{unknown:?}");

    env.clock
        .advance(env.market.policy().email_verification_ttl);
    let expired = env
        .refused(
            env.market
                .verify_email(&Ctx::anonymous(), registered.verification_token.expose()),
        )
        .await;
    assert!(is_invalid_token(&expired), "{expired:?}");
    assert_eq!(unknown.to_string(), expired.to_string(), "no oracle");
}

// ---------------------------------------------------------------------------
// Login and sessions
// ---------------------------------------------------------------------------

/// Login opens a session from the client's address, counts the login, and
/// the token authenticates.
pub async fn login_opens_a_session_and_counts_the_login(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = active_account(&env, "ada@example.com").await;
    let ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 4));
    let ctx = Ctx::anonymous().with_client(Some(ip), Some("ReelByte/1.0".into()));

    let login = env
        .market
        .login(&ctx, login_input(" ADA@example.com", PASSWORD))
        .await
        .expect("login");
    assert_eq!(login.user.id, user.id);
    assert_eq!(login.user.login_count, 1);
    assert_eq!(login.user.last_login_at, Some(env.now()));
    assert_eq!(stored_user(&env, user.id).await, login.user);
    assert_eq!(login.session.token_hash, login.token.hash());
    assert_eq!(login.session.ip_address, Some(ip));
    assert_eq!(login.session.user_agent.as_deref(), Some("ReelByte/1.0"));
    assert_eq!(
        login.session.expires_at,
        env.now() + env.market.policy().session_ttl
    );
    assert_eq!(
        sessions_of(&env, user.id).await,
        vec![login.session.clone()]
    );

    let authenticated = env
        .market
        .authenticate(login.token.expose())
        .await
        .expect("authenticate");
    assert_eq!(authenticated.id, user.id);

    let audit = audit_of(&env, "user_session", login.session.id.as_uuid()).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action.as_str(), "login");
    assert_eq!(audit[0].user_id, Some(user.id));
}

/// A wrong password is refused, and changes nothing.
pub async fn login_with_wrong_password_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    active_account(&env, "ada@example.com").await;
    let error = env
        .refused(env.market.login(
            &Ctx::anonymous(),
            login_input("ada@example.com", "wrong password"),
        ))
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
}

/// Unknown and malformed addresses fail exactly like a wrong password.
pub async fn login_with_an_unknown_or_malformed_email_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    for email in ["nobody@example.com", "not an email"] {
        let error = env
            .refused(
                env.market
                    .login(&Ctx::anonymous(), login_input(email, PASSWORD)),
            )
            .await;
        assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    }
}

/// A suspended account cannot log in: with the right password it is told
/// so, with a wrong one it learns nothing.
pub async fn suspended_user_cannot_log_in(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = active_account(&env, "ada@example.com").await;
    let staff = env.staff().await;
    env.market
        .suspend_user(&staff.ctx, user.id, "chargeback fraud")
        .await
        .expect("suspend");

    let error = env
        .refused(
            env.market
                .login(&Ctx::anonymous(), login_input("ada@example.com", PASSWORD)),
        )
        .await;
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    let error = env
        .refused(env.market.login(
            &Ctx::anonymous(),
            login_input("ada@example.com", "wrong password"),
        ))
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
}

/// An account that has not verified its email may still log in.
pub async fn unverified_user_can_log_in(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let registered = registered(&env, "ada@example.com").await;
    let login = env
        .market
        .login(&Ctx::anonymous(), login_input("ada@example.com", PASSWORD))
        .await
        .expect("login");
    assert_eq!(login.user.id, registered.user.id);
    assert_eq!(login.user.status, UserStatus::PendingVerification);
}

/// Unknown tokens and expired sessions do not authenticate; authenticating
/// writes nothing.
pub async fn authenticate_refuses_unknown_tokens_and_expired_sessions(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let token = seed_session(&env, user.user_id).await;

    let before = env.snapshot().await;
    let me = env
        .market
        .authenticate(token.expose())
        .await
        .expect("authenticate");
    assert_eq!(me.id, user.user_id);
    assert_eq!(
        env.snapshot().await,
        before,
        "authenticating writes nothing"
    );

    let error = env
        .market
        .authenticate("no-such-token")
        .await
        .expect_err("unknown");
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");

    env.clock.advance(env.market.policy().session_ttl);
    let error = env
        .market
        .authenticate(token.expose())
        .await
        .expect_err("expired");
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
}

/// Logout ends the presented session and no other.
pub async fn logout_ends_only_the_presented_session(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let phone = seed_session(&env, user.user_id).await;
    let laptop = seed_session(&env, user.user_id).await;

    env.market
        .logout(&user.ctx, phone.expose())
        .await
        .expect("logout");
    let error = env
        .market
        .authenticate(phone.expose())
        .await
        .expect_err("ended");
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    env.market
        .authenticate(laptop.expose())
        .await
        .expect("still open");
    assert_eq!(sessions_of(&env, user.user_id).await.len(), 1);

    let error = env
        .refused(env.market.logout(&user.ctx, phone.expose()))
        .await;
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

/// Another user's session token is `NotFound`, and stays open.
pub async fn logout_of_another_users_session_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.creator().await;
    let intruder = env.creator().await;
    let token = seed_session(&env, owner.user_id).await;

    let error = env
        .refused(env.market.logout(&intruder.ctx, token.expose()))
        .await;
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let error = env
        .refused(env.market.logout(&Ctx::anonymous(), token.expose()))
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    env.market
        .authenticate(token.expose())
        .await
        .expect("still open");
}

/// Logging out everywhere ends every session of the actor, and only theirs.
pub async fn logout_everywhere_ends_every_session_of_the_actor(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let other = env.creator().await;
    let mine = [
        seed_session(&env, user.user_id).await,
        seed_session(&env, user.user_id).await,
        seed_session(&env, user.user_id).await,
    ];
    let theirs = seed_session(&env, other.user_id).await;

    let ended = env
        .market
        .logout_everywhere(&user.ctx)
        .await
        .expect("logout everywhere");
    assert_eq!(ended, 3);
    for token in &mine {
        assert!(env.market.authenticate(token.expose()).await.is_err());
    }
    env.market
        .authenticate(theirs.expose())
        .await
        .expect("untouched");
    let audit = audit_of(&env, "user", user.user_id.as_uuid()).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action.as_str(), "logout_everywhere");
}

// ---------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------

/// A reset sets a new password, uses the token up, kills every other reset
/// token and ends every session.
pub async fn password_reset_sets_a_new_password_and_ends_every_session(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = active_account(&env, "ada@example.com").await;
    let session = seed_session(&env, user.id).await;
    let anonymous = Ctx::anonymous();

    let first = env
        .market
        .request_password_reset(&anonymous, "ada@example.com")
        .await
        .expect("request")
        .expect("a token for a known address");
    let second = env
        .market
        .request_password_reset(&anonymous, "ADA@example.com")
        .await
        .expect("request")
        .expect("a token for a known address");
    let stored = env
        .store
        .sessions()
        .get_reset_token_by_hash(&first.hash())
        .await
        .expect("read")
        .expect("only the hash is stored");
    assert_eq!(
        stored.expires_at,
        env.now() + env.market.policy().password_reset_ttl
    );

    env.market
        .reset_password(&anonymous, first.expose(), "a brand new secret")
        .await
        .expect("reset");
    assert!(
        env.market.authenticate(session.expose()).await.is_err(),
        "sessions ended"
    );
    assert!(sessions_of(&env, user.id).await.is_empty());

    for used in [&first, &second] {
        let error = env
            .refused(
                env.market
                    .reset_password(&anonymous, used.expose(), "yet another secret"),
            )
            .await;
        assert!(is_invalid_token(&error), "{error:?}");
    }
    let error = env
        .refused(
            env.market
                .login(&anonymous, login_input("ada@example.com", PASSWORD)),
        )
        .await;
    assert!(
        matches!(error, Error::Unauthenticated),
        "the old password is gone: {error:?}"
    );
    env.market
        .login(
            &anonymous,
            login_input("ada@example.com", "a brand new secret"),
        )
        .await
        .expect("the new password works");
}

/// An unknown address gets no token and changes nothing; a malformed one is
/// a validation error.
pub async fn password_reset_for_an_unknown_email_issues_nothing(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    env.creator().await;
    let before = env.snapshot().await;
    let token = env
        .market
        .request_password_reset(&Ctx::anonymous(), "nobody@example.com")
        .await
        .expect("request");
    assert!(token.is_none());
    assert_eq!(env.snapshot().await, before);

    let error = env
        .refused(
            env.market
                .request_password_reset(&Ctx::anonymous(), "not an email"),
        )
        .await;
    assert!(
        matches!(error, Error::Validation { field: "email", .. }),
        "{error:?}"
    );
}

/// Expired and unknown reset tokens are refused; so is a weak new password.
pub async fn password_reset_with_an_expired_token_or_a_weak_password_is_refused(
    factory: &StoreFactory,
) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let email = stored_user(&env, user.user_id).await.email;
    let anonymous = Ctx::anonymous();
    let token = env
        .market
        .request_password_reset(&anonymous, email.as_str())
        .await
        .expect("request")
        .expect("a token");

    let error = env
        .refused(
            env.market
                .reset_password(&anonymous, token.expose(), "short"),
        )
        .await;
    assert!(
        matches!(
            error,
            Error::Validation {
                field: "password",
                ..
            }
        ),
        "{error:?}"
    );
    let error = env
        .refused(
            env.market
                .reset_password(&anonymous, "no-such-token", "long enough secret"),
        )
        .await;
    assert!(is_invalid_token(&error), "{error:?}");

    env.clock.advance(env.market.policy().password_reset_ttl);
    let error = env
        .refused(
            env.market
                .reset_password(&anonymous, token.expose(), "long enough secret"),
        )
        .await;
    assert!(is_invalid_token(&error), "{error:?}");
}

/// Changing the password needs the current one; it ends every session and
/// hands back a fresh one.
pub async fn change_password_needs_the_current_password_and_renews_the_session(
    factory: &StoreFactory,
) {
    let env = TestEnv::new(factory).await;
    let user = active_account(&env, "ada@example.com").await;
    let ctx = Ctx::user(user.id);
    let old_session = seed_session(&env, user.id).await;

    let error = env
        .refused(
            env.market
                .change_password(&ctx, "wrong password", "a brand new secret"),
        )
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    let error = env
        .refused(env.market.change_password(&ctx, PASSWORD, "short"))
        .await;
    assert!(
        matches!(
            error,
            Error::Validation {
                field: "password",
                ..
            }
        ),
        "{error:?}"
    );
    let error = env
        .refused(env.market.change_password(&ctx, PASSWORD, PASSWORD))
        .await;
    assert!(
        matches!(
            error,
            Error::Validation {
                field: "password",
                ..
            }
        ),
        "{error:?}"
    );

    let renewed = env
        .market
        .change_password(&ctx, PASSWORD, "a brand new secret")
        .await
        .expect("change");
    assert!(env.market.authenticate(old_session.expose()).await.is_err());
    env.market
        .authenticate(renewed.token.expose())
        .await
        .expect("the fresh session works");
    assert_eq!(
        sessions_of(&env, user.id).await,
        vec![renewed.session.clone()]
    );
    assert_eq!(stored_user(&env, user.id).await, renewed.user);
    env.market
        .login(
            &Ctx::anonymous(),
            login_input("ada@example.com", "a brand new secret"),
        )
        .await
        .expect("the new password works");
}

// ---------------------------------------------------------------------------
// Staff actions, deletion, get_me
// ---------------------------------------------------------------------------

/// Staff suspend (ending every session, keeping the reason in the audit log)
/// and reinstate.
pub async fn staff_suspend_and_reinstate_a_user(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let user = env.creator().await;
    let token = seed_session(&env, user.user_id).await;

    let suspended = env
        .market
        .suspend_user(&staff.ctx, user.user_id, "chargeback fraud")
        .await
        .expect("suspend");
    assert_eq!(suspended.status, UserStatus::Suspended);
    assert_eq!(stored_user(&env, user.user_id).await, suspended);
    assert!(sessions_of(&env, user.user_id).await.is_empty());
    assert!(env.market.authenticate(token.expose()).await.is_err());
    let error = env.market.get_me(&user.ctx).await.expect_err("suspended");
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");

    env.clock.advance(Duration::seconds(1));
    let reinstated = env
        .market
        .reinstate_user(&staff.ctx, user.user_id)
        .await
        .expect("reinstate");
    assert_eq!(reinstated.status, UserStatus::Active);
    assert_eq!(stored_user(&env, user.user_id).await, reinstated);

    let audit = audit_of(&env, "user", user.user_id.as_uuid()).await;
    let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["suspend", "reinstate"]);
    assert_eq!(audit[0].user_id, Some(staff.user_id));
    let reason = audit[0].new_values.as_ref().and_then(|v| v.get("reason"));
    assert_eq!(reason, Some(&json!("chargeback fraud")));
    let hash = audit[0]
        .new_values
        .as_ref()
        .and_then(|v| v.get("password_hash"));
    assert_eq!(hash, Some(&json!("<redacted>")));
}

/// Suspension is refused without a reason, for oneself, for unknown users
/// and from a state that does not allow it.
pub async fn suspend_with_bad_input_or_in_the_wrong_state_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let user = env.creator().await;

    let error = env
        .refused(env.market.suspend_user(&staff.ctx, user.user_id, "  "))
        .await;
    assert!(
        matches!(
            error,
            Error::Validation {
                field: "reason",
                ..
            }
        ),
        "{error:?}"
    );
    let error = env
        .refused(
            env.market
                .suspend_user(&staff.ctx, staff.user_id, "testing"),
        )
        .await;
    assert!(
        matches!(
            error,
            Error::Rule {
                rule: "cannot_suspend_self",
                ..
            }
        ),
        "{error:?}"
    );
    let error = env
        .refused(
            env.market
                .suspend_user(&staff.ctx, UserId::new(), "testing"),
        )
        .await;
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let error = env
        .refused(env.market.reinstate_user(&staff.ctx, user.user_id))
        .await;
    assert!(matches!(error, Error::InvalidTransition(_)), "{error:?}");
}

/// Only staff may suspend or reinstate.
pub async fn non_staff_cannot_suspend_or_reinstate(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let other = env.creator().await;

    let error = env
        .refused(
            env.market
                .suspend_user(&user.ctx, other.user_id, "I do not like them"),
        )
        .await;
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    let error = env
        .refused(env.market.reinstate_user(&user.ctx, other.user_id))
        .await;
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    let error = env
        .refused(
            env.market
                .suspend_user(&Ctx::anonymous(), other.user_id, "anonymous"),
        )
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
}

/// Deleting one's account marks it deleted, ends every session, and the
/// account can no longer act or authenticate.
pub async fn deleted_user_cannot_authenticate(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let token = seed_session(&env, user.user_id).await;

    let deleted = env.market.delete_account(&user.ctx).await.expect("delete");
    assert_eq!(deleted.status, UserStatus::Deleted);
    assert_eq!(deleted.deleted_at, Some(env.now()));
    assert_eq!(
        stored_user(&env, user.user_id).await,
        deleted,
        "a soft delete"
    );
    assert!(sessions_of(&env, user.user_id).await.is_empty());

    let error = env
        .market
        .authenticate(token.expose())
        .await
        .expect_err("deleted");
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    let error = env.refused(env.market.delete_account(&user.ctx)).await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    let error = env.market.get_me(&user.ctx).await.expect_err("deleted");
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
}

/// A deleted account cannot log in either, even with the right password.
pub async fn deleted_user_cannot_log_in(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = active_account(&env, "ada@example.com").await;
    env.market
        .delete_account(&Ctx::user(user.id))
        .await
        .expect("delete");
    let error = env
        .refused(
            env.market
                .login(&Ctx::anonymous(), login_input("ada@example.com", PASSWORD)),
        )
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    let token = env
        .market
        .request_password_reset(&Ctx::anonymous(), "ada@example.com")
        .await
        .expect("request");
    assert!(token.is_none(), "a deleted account gets no reset token");
}

/// `get_me` returns the actor, and refuses anonymous callers.
pub async fn get_me_returns_the_actor(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.creator().await;
    let me = env.market.get_me(&user.ctx).await.expect("get me");
    assert_eq!(me, stored_user(&env, user.user_id).await);
    let error = env
        .market
        .get_me(&Ctx::anonymous())
        .await
        .expect_err("anonymous");
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
}

/// Neither the store nor the audit log ever holds a password or a raw
/// token, and the audit log holds no hashes either.
pub async fn secrets_never_reach_the_store_or_the_audit_log(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let registered = registered(&env, "ada@example.com").await;
    let login = env
        .market
        .login(&Ctx::anonymous(), login_input("ada@example.com", PASSWORD))
        .await
        .expect("login");
    let reset = env
        .market
        .request_password_reset(&Ctx::anonymous(), "ada@example.com")
        .await
        .expect("request")
        .expect("a token");

    let records = env.snapshot().await;
    let everything = serde_json::to_string(&records).expect("serialize the store");
    for secret in [
        PASSWORD,
        registered.verification_token.expose(),
        login.token.expose(),
        reset.expose(),
    ] {
        assert!(!everything.contains(secret), "a secret reached the store");
    }
    let audit: Vec<_> = records
        .iter()
        .filter(|r| matches!(r, Record::AuditLog(_)))
        .collect();
    assert_eq!(audit.len(), 3, "register, login, request");
    let audit = serde_json::to_string(&audit).expect("serialize the audit log");
    for hash in [
        registered.user.password_hash.as_str(),
        &registered.verification_token.hash(),
        &login.token.hash(),
        &reset.hash(),
    ] {
        assert!(!audit.contains(hash), "a hash reached the audit log");
    }
}

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_accounts {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, accounts;
            register_creates_a_pending_account_with_the_profiles_its_type_calls_for,
            register_with_a_taken_email_is_refused,
            register_with_a_password_outside_the_policy_is_refused,
            register_input_refuses_malformed_fields_at_the_boundary,
            concurrent_registrations_of_one_email_admit_exactly_one,
            verify_email_activates_the_account_once,
            verify_email_of_a_suspended_account_keeps_its_status,
            verify_email_with_an_unknown_or_expired_token_is_refused,
            login_opens_a_session_and_counts_the_login,
            login_with_wrong_password_is_refused,
            login_with_an_unknown_or_malformed_email_is_refused,
            suspended_user_cannot_log_in,
            unverified_user_can_log_in,
            authenticate_refuses_unknown_tokens_and_expired_sessions,
            logout_ends_only_the_presented_session,
            logout_of_another_users_session_is_not_found,
            logout_everywhere_ends_every_session_of_the_actor,
            password_reset_sets_a_new_password_and_ends_every_session,
            password_reset_for_an_unknown_email_issues_nothing,
            password_reset_with_an_expired_token_or_a_weak_password_is_refused,
            change_password_needs_the_current_password_and_renews_the_session,
            staff_suspend_and_reinstate_a_user,
            suspend_with_bad_input_or_in_the_wrong_state_is_refused,
            non_staff_cannot_suspend_or_reinstate,
            deleted_user_cannot_authenticate,
            deleted_user_cannot_log_in,
            get_me_returns_the_actor,
            secrets_never_reach_the_store_or_the_audit_log,
        );
    };
}

//! Registration, login, sessions, passwords and account administration.

use axum::http::StatusCode;
use reelbyte_core::ids::UserId;
use reelbyte_core::service::{LoginInput, LoginSession, RegisterInput};

use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(register_account))
        .routes(routes!(verify_email))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(logout_everywhere))
        .routes(routes!(request_password_reset))
        .routes(routes!(reset_password))
        .routes(routes!(change_password))
        .routes(routes!(get_me, delete_account))
        .routes(routes!(suspend_user))
        .routes(routes!(reinstate_user))
        .routes(routes!(set_staff))
}

/// A new account (schema of the registration body).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct RegisterBody {
    /// Login and contact address.
    #[schema(format = "email")]
    email: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    /// `creator`, `client` or `both`.
    #[schema(pattern = "^(creator|client|both)$")]
    user_type: String,
    /// The creator's display name (and the company name unless given).
    #[schema(min_length = 1, max_length = 100)]
    display_name: String,
    /// The client profile's company name.
    company_name: Option<String>,
    /// `+<digits>`.
    phone_number: Option<String>,
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct LoginBody {
    /// The account's email address.
    email: String,
    /// The password.
    password: String,
}

/// A session: present `token` as `Authorization: Bearer <token>`.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SessionOut {
    /// The bearer token.
    token: String,
    /// When the session expires.
    expires_at: chrono::DateTime<chrono::Utc>,
    /// The user.
    #[schema(value_type = Object)]
    user: Value,
}

fn session_out(session: &LoginSession) -> ApiResult {
    ok(&SessionOut {
        token: session.token.expose().to_string(),
        expires_at: session.session.expires_at,
        user: crate::server::output::to_json(&session.user)?,
    })
}

/// Registers an account. The email verification token is returned because
/// this example sends no email.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterBody,
    responses((status = 201, description = "the user and its email verification token", body = Object), Problems))]
async fn register_account(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult {
    let ctx = caller.ctx;
    let registered = off_async(
        &s.market,
        move |m| async move { m.register(&ctx, input).await },
    )
    .await?;
    created(&serde_json::json!({
        "user": registered.user,
        "verification_token": registered.verification_token.expose(),
    }))
}

/// A one-time token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenBody {
    /// The token.
    token: String,
}

/// Confirms an email address.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth",
    request_body = TokenBody, responses((status = 200, body = Object), Problems))]
async fn verify_email(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult {
    ok(&s.market.verify_email(&caller.ctx, &body.token).await?)
}

/// Opens a session (rate limited per client address).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginBody, responses((status = 200, body = SessionOut), Problems))]
async fn login(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult {
    let ctx = caller.ctx;
    let session = off_async(
        &s.market,
        move |m| async move { m.login(&ctx, input).await },
    )
    .await?;
    session_out(&session)
}

/// Ends this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "logged out"), Problems))]
async fn logout(State(s): State<AppState>, auth: Auth) -> ApiResult {
    s.market.logout(&auth.ctx, &auth.token).await?;
    no_content()
}

/// Ends every session of the caller.
#[utoipa::path(post, path = "/api/v1/auth/logout-everywhere", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn logout_everywhere(State(s): State<AppState>, auth: Auth) -> ApiResult {
    let ended = s.market.logout_everywhere(&auth.ctx).await?;
    ok(&serde_json::json!({ "sessions_ended": ended }))
}

/// An email address.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailBody {
    /// The address.
    email: String,
}

/// Starts a password reset. Always 202, so that it tells nobody whether an
/// account exists; the token would be emailed (this example only logs that
/// one was made).
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth",
    request_body = EmailBody, responses((status = 202, description = "accepted"), Problems))]
async fn request_password_reset(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailBody>,
) -> ApiResult {
    if s.market
        .request_password_reset(&caller.ctx, &body.email)
        .await?
        .is_some()
    {
        tracing::info!("password reset token issued (an email would carry it)");
    }
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::ACCEPTED,
    ))
}

/// A reset token and the new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetBody {
    /// The emailed token.
    token: String,
    /// The new password.
    new_password: String,
}

/// Sets a new password with a reset token (ends every session).
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth",
    request_body = ResetBody, responses((status = 204, description = "password changed"), Problems))]
async fn reset_password(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ResetBody>,
) -> ApiResult {
    let ctx = caller.ctx;
    off_async(&s.market, move |m| async move {
        m.reset_password(&ctx, &body.token, &body.new_password)
            .await
    })
    .await?;
    no_content()
}

/// The current and the new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordBody {
    /// The current password.
    current_password: String,
    /// The new password.
    new_password: String,
}

/// Changes the password; other sessions end and a new session is returned.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordBody, responses((status = 200, body = SessionOut), Problems))]
async fn change_password(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult {
    let ctx = auth.ctx;
    let session = off_async(&s.market, move |m| async move {
        m.change_password(&ctx, &body.current_password, &body.new_password)
            .await
    })
    .await?;
    session_out(&session)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn get_me(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.get_me(&auth.ctx).await?)
}

/// Deletes the caller's account.
#[utoipa::path(delete, path = "/api/v1/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn delete_account(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.delete_account(&auth.ctx).await?)
}

/// Why a user is suspended.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonBody {
    /// The reason.
    reason: String,
}

/// Suspends a user (staff only).
#[utoipa::path(post, path = "/api/v1/users/{user}/suspend", tag = "users", security(("bearer" = [])),
    params(("user" = Uuid, Path, description = "user id")),
    request_body = ReasonBody, responses((status = 200, body = Object), Problems))]
async fn suspend_user(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(user): ApiPath<UserId>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult {
    ok(&s.market.suspend_user(&auth.ctx, user, &body.reason).await?)
}

/// Lifts a suspension (staff only).
#[utoipa::path(post, path = "/api/v1/users/{user}/reinstate", tag = "users", security(("bearer" = [])),
    params(("user" = Uuid, Path, description = "user id")),
    responses((status = 200, body = Object), Problems))]
async fn reinstate_user(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(user): ApiPath<UserId>,
) -> ApiResult {
    ok(&s.market.reinstate_user(&auth.ctx, user).await?)
}

/// Staff rights.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffBody {
    /// Whether the user is staff.
    is_staff: bool,
}

/// Grants or revokes staff rights (staff only).
#[utoipa::path(put, path = "/api/v1/users/{user}/staff", tag = "users", security(("bearer" = [])),
    params(("user" = Uuid, Path, description = "user id")),
    request_body = StaffBody, responses((status = 200, body = Object), Problems))]
async fn set_staff(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(user): ApiPath<UserId>,
    ApiJson(body): ApiJson<StaffBody>,
) -> ApiResult {
    ok(&s.market.set_staff(&auth.ctx, user, body.is_staff).await?)
}

//! Messaging, notifications, support tickets and public reviews.

use chrono::{DateTime, Utc};
use reelbyte_core::ids::{ConversationId, MessageId, NotificationId, SupportTicketId, UserId};
use reelbyte_core::service::{
    ConversationSubject, OpenTicketInput, SendMessageInput, UpdatePreferencesInput,
};
use reelbyte_core::state::support_ticket::SupportTicketEvent;
use reelbyte_core::store::MessageCursor;

use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_conversations, start_conversation))
        .routes(routes!(get_conversation))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(mark_conversation_read))
        .routes(routes!(set_conversation_muted))
        .routes(routes!(set_conversation_archived))
        .routes(routes!(edit_message, delete_message))
        .routes(routes!(list_notifications))
        .routes(routes!(unread_notification_count))
        .routes(routes!(unread_counts))
        .routes(routes!(refresh_unread_counts))
        .routes(routes!(activity_feed))
        .routes(routes!(mark_notification_read))
        .routes(routes!(mark_all_notifications_read))
        .routes(routes!(
            notification_preferences,
            update_notification_preferences
        ))
        .routes(routes!(list_my_tickets, open_ticket))
        .routes(routes!(list_assigned_tickets))
        .routes(routes!(get_ticket))
        .routes(routes!(assign_ticket))
        .routes(routes!(change_ticket_status))
        .routes(routes!(list_reviews_of_user))
}

/// Whether archived conversations are listed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchivedFilter {
    /// Include archived conversations (default false).
    #[serde(default)]
    include_archived: bool,
}

/// The caller's conversations, newest activity first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "messaging", security(("bearer" = [])),
    params(ArchivedFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_conversations(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<ArchivedFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(
        s.market
            .list_conversations(&auth.ctx, filter.include_archived)
            .await?,
        paging,
    )
}

/// Starts (or finds) the conversation about a subject:
/// `{"type": "contract", ...}`, `{"type": "job", ...}` or `{"type": "direct", ...}`.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "messaging", security(("bearer" = [])),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn start_conversation(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(subject): ApiJson<ConversationSubject>,
) -> ApiResult {
    ok(&s.market.start_conversation(&auth.ctx, subject).await?)
}

/// A conversation (its participants).
#[utoipa::path(get, path = "/api/v1/conversations/{conversation}", tag = "messaging", security(("bearer" = [])),
    params(("conversation" = Uuid, Path, description = "conversation id")),
    responses((status = 200, body = Object), Problems))]
async fn get_conversation(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> ApiResult {
    ok(&s.market.get_conversation(&auth.ctx, id).await?)
}

/// A cursor into a conversation, newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagePage {
    /// `created_at` of the last message already seen (with `before_id`).
    before_created_at: Option<DateTime<Utc>>,
    /// `id` of the last message already seen (with `before_created_at`).
    before_id: Option<uuid::Uuid>,
    /// Messages per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Messages of a conversation, newest first, by cursor.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation}/messages", tag = "messaging", security(("bearer" = [])),
    params(("conversation" = Uuid, Path, description = "conversation id"), MessagePage),
    responses((status = 200, body = Object), Problems))]
async fn list_messages(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(paging): ApiQuery<MessagePage>,
) -> ApiResult {
    let cursor = match (paging.before_created_at, paging.before_id) {
        (Some(created_at), Some(id)) => Some(MessageCursor {
            created_at,
            id: MessageId::from_uuid(id),
        }),
        _ => None,
    };
    let limit = paging.limit.unwrap_or(50).clamp(1, 100);
    let messages = s.market.list_messages(&auth.ctx, id, cursor, limit).await?;
    ok(&serde_json::json!({ "items": messages }))
}

/// Sends a message.
#[utoipa::path(post, path = "/api/v1/conversations/{conversation}/messages", tag = "messaging", security(("bearer" = [])),
    params(("conversation" = Uuid, Path, description = "conversation id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn send_message(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<SendMessageInput>,
) -> ApiResult {
    created(&s.market.send_message(&auth.ctx, id, input).await?)
}

/// Marks a conversation read.
#[utoipa::path(post, path = "/api/v1/conversations/{conversation}/read", tag = "messaging", security(("bearer" = [])),
    params(("conversation" = Uuid, Path, description = "conversation id")),
    responses((status = 200, body = Object), Problems))]
async fn mark_conversation_read(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ConversationId>,
) -> ApiResult {
    ok(&s.market.mark_conversation_read(&auth.ctx, id).await?)
}

/// A flag.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FlagBody {
    /// On or off.
    value: bool,
}

/// Mutes or unmutes a conversation.
#[utoipa::path(put, path = "/api/v1/conversations/{conversation}/muted", tag = "messaging", security(("bearer" = [])),
    params(("conversation" = Uuid, Path, description = "conversation id")),
    request_body = FlagBody, responses((status = 200, body = Object), Problems))]
async fn set_conversation_muted(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(body): ApiJson<FlagBody>,
) -> ApiResult {
    ok(&s
        .market
        .set_conversation_muted(&auth.ctx, id, body.value)
        .await?)
}

/// Archives or unarchives a conversation.
#[utoipa::path(put, path = "/api/v1/conversations/{conversation}/archived", tag = "messaging", security(("bearer" = [])),
    params(("conversation" = Uuid, Path, description = "conversation id")),
    request_body = FlagBody, responses((status = 200, body = Object), Problems))]
async fn set_conversation_archived(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(body): ApiJson<FlagBody>,
) -> ApiResult {
    ok(&s
        .market
        .set_conversation_archived(&auth.ctx, id, body.value)
        .await?)
}

/// New message text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentBody {
    /// The text.
    content: String,
}

/// Edits one of the caller's messages.
#[utoipa::path(patch, path = "/api/v1/messages/{message}", tag = "messaging", security(("bearer" = [])),
    params(("message" = Uuid, Path, description = "message id")),
    request_body = ContentBody, responses((status = 200, body = Object), Problems))]
async fn edit_message(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MessageId>,
    ApiJson(body): ApiJson<ContentBody>,
) -> ApiResult {
    ok(&s.market.edit_message(&auth.ctx, id, &body.content).await?)
}

/// Deletes one of the caller's messages.
#[utoipa::path(delete, path = "/api/v1/messages/{message}", tag = "messaging", security(("bearer" = [])),
    params(("message" = Uuid, Path, description = "message id")),
    responses((status = 200, body = Object), Problems))]
async fn delete_message(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MessageId>,
) -> ApiResult {
    ok(&s.market.delete_message(&auth.ctx, id).await?)
}

/// Whether only unread notifications are listed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnreadFilter {
    /// Only unread ones (default false).
    #[serde(default)]
    unread_only: bool,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(UnreadFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_notifications(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<UnreadFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page_cut(
        s.market
            .list_notifications(&auth.ctx, filter.unread_only, paging.page())
            .await?,
        paging,
    )
}

/// How many notifications are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn unread_notification_count(State(s): State<AppState>, auth: Auth) -> ApiResult {
    let unread = s.market.unread_notification_count(&auth.ctx).await?;
    ok(&serde_json::json!({ "unread": unread }))
}

/// The caller's unread messages (over every conversation) and
/// notifications.
#[utoipa::path(get, path = "/api/v1/me/unread-counts", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn unread_counts(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.unread_counts(&auth.ctx).await?)
}

/// Counts the caller's unread messages and notifications again from the
/// database (a repair: the counters follow every change).
#[utoipa::path(post, path = "/api/v1/me/unread-counts/refresh", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn refresh_unread_counts(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.refresh_unread_counts(&auth.ctx).await?)
}

/// How many feed items.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Items, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// What the caller did lately (the newest 100 actions are kept), newest
/// first.
#[utoipa::path(get, path = "/api/v1/me/activity", tag = "users", security(("bearer" = [])),
    params(FeedQuery), responses((status = 200, body = [Object]), Problems))]
async fn activity_feed(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> ApiResult {
    let limit = query.limit.map_or(20, |n| n as usize);
    ok(&s.market.activity_feed(&auth.ctx, limit).await?)
}

/// Marks a notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{notification}/read", tag = "notifications", security(("bearer" = [])),
    params(("notification" = Uuid, Path, description = "notification id")),
    responses((status = 200, body = Object), Problems))]
async fn mark_notification_read(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<NotificationId>,
) -> ApiResult {
    ok(&s.market.mark_notification_read(&auth.ctx, id).await?)
}

/// Marks every notification read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn mark_all_notifications_read(State(s): State<AppState>, auth: Auth) -> ApiResult {
    let marked = s.market.mark_all_notifications_read(&auth.ctx).await?;
    ok(&serde_json::json!({ "marked": marked }))
}

/// The caller's notification preferences.
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn notification_preferences(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.notification_preferences(&auth.ctx).await?)
}

/// Changes the caller's notification preferences.
#[utoipa::path(patch, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_notification_preferences(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<UpdatePreferencesInput>,
) -> ApiResult {
    ok(&s
        .market
        .update_notification_preferences(&auth.ctx, input)
        .await?)
}

/// The caller's support tickets.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "support", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_my_tickets(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_my_tickets(&auth.ctx).await?, paging)
}

/// Opens a support ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "support", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn open_ticket(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<OpenTicketInput>,
) -> ApiResult {
    created(&s.market.open_ticket(&auth.ctx, input).await?)
}

/// Tickets assigned to the caller (staff).
#[utoipa::path(get, path = "/api/v1/tickets/assigned", tag = "support", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_assigned_tickets(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_assigned_tickets(&auth.ctx).await?, paging)
}

/// A support ticket (its opener and staff).
#[utoipa::path(get, path = "/api/v1/tickets/{ticket}", tag = "support", security(("bearer" = [])),
    params(("ticket" = Uuid, Path, description = "ticket id")),
    responses((status = 200, body = Object), Problems))]
async fn get_ticket(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SupportTicketId>,
) -> ApiResult {
    ok(&s.market.get_ticket(&auth.ctx, id).await?)
}

/// Who takes a ticket.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssigneeBody {
    /// A staff member's user id.
    #[schema(value_type = Uuid)]
    assignee: UserId,
}

/// Assigns a ticket (staff).
#[utoipa::path(post, path = "/api/v1/tickets/{ticket}/assign", tag = "support", security(("bearer" = [])),
    params(("ticket" = Uuid, Path, description = "ticket id")),
    request_body = AssigneeBody, responses((status = 200, body = Object), Problems))]
async fn assign_ticket(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SupportTicketId>,
    ApiJson(body): ApiJson<AssigneeBody>,
) -> ApiResult {
    ok(&s.market.assign_ticket(&auth.ctx, id, body.assignee).await?)
}

/// A ticket event.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TicketEventBody {
    /// What happens to the ticket (see `docs/state-machines.md`).
    #[schema(value_type = String)]
    event: SupportTicketEvent,
}

/// Moves a ticket through its workflow.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket}/events", tag = "support", security(("bearer" = [])),
    params(("ticket" = Uuid, Path, description = "ticket id")),
    request_body = TicketEventBody, responses((status = 200, body = Object), Problems))]
async fn change_ticket_status(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SupportTicketId>,
    ApiJson(body): ApiJson<TicketEventBody>,
) -> ApiResult {
    ok(&s
        .market
        .change_ticket_status(&auth.ctx, id, body.event)
        .await?)
}

/// The public reviews of a user.
#[utoipa::path(get, path = "/api/v1/users/{user}/reviews", tag = "reviews",
    params(("user" = Uuid, Path, description = "user id"), PageQuery),
    responses((status = 200, body = Paged), Problems))]
async fn list_reviews_of_user(
    State(s): State<AppState>,
    ApiPath(user): ApiPath<UserId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_reviews_of_user(user).await?, paging)
}

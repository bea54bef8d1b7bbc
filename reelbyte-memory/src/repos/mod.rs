//! The repository traits of `reelbyte-core`, one file per trait.
//!
//! Every method takes the read lock once, answers from the maps and indexes
//! of [`Db`](crate::db::Db), and clones only the rows it returns.

mod admin;
mod clients;
mod contracts;
mod creators;
mod discovery;
mod gigs;
mod jobs;
mod ledger;
mod messaging;
mod notifications;
mod payment_methods;
mod reviews;
mod sessions;
mod support;
mod users;

/// Unique-key index names looked up by the repositories. They mirror
/// `Record::unique_keys` in `reelbyte-core`, which defines them; the unit
/// tests of this crate look every one of them up.
mod unique {
    pub(super) const USERS_EMAIL: &str = "users_email";
    pub(super) const SESSIONS_TOKEN_HASH: &str = "user_sessions_token_hash";
    pub(super) const RESET_TOKENS_TOKEN_HASH: &str = "password_reset_tokens_token_hash";
    pub(super) const VERIFICATION_TOKENS_TOKEN_HASH: &str = "email_verification_tokens_token_hash";
    pub(super) const CREATOR_PROFILES_USER_ID: &str = "creator_profiles_user_id";
    pub(super) const CLIENT_PROFILES_USER_ID: &str = "client_profiles_user_id";
    pub(super) const GIGS_SLUG: &str = "gigs_slug";
    pub(super) const ESCROW_ACCOUNTS_CONTRACT_ID: &str = "escrow_accounts_contract_id";
    /// Valued `"{actor}:{key}"`, as core's (crate-private)
    /// `idempotency_unique_key` builds it.
    pub(super) const IDEMPOTENCY_ACTOR_KEY: &str = "idempotency_actor_key";
    pub(super) const NOTIFICATION_PREFERENCES_USER_ID: &str = "notification_preferences_user_id";
}

/// Sorts borrowed rows by `key` (ascending; wrap it in
/// [`std::cmp::Reverse`] for newest first).
fn sorted<'a, E, K: Ord>(
    rows: impl IntoIterator<Item = &'a E>,
    key: impl FnMut(&&'a E) -> K,
) -> Vec<&'a E> {
    let mut rows: Vec<&'a E> = rows.into_iter().collect();
    rows.sort_by_key(key);
    rows
}

/// Clones borrowed rows into the answer.
fn owned<'a, E: Clone + 'a>(rows: impl IntoIterator<Item = &'a E>) -> Vec<E> {
    rows.into_iter().cloned().collect()
}

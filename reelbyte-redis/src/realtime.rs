//! [`RedisRealtime`]: the real-time traits of `reelbyte_core::realtime` on
//! Redis hashes, counters, sorted sets, lists and sets.
//!
//! Keys (under the prefix, `reelbyte` by default):
//!
//! ```text
//! stats:{gig}                       hash: gig id -> pending views (HINCRBY; drained by MULTI HGETALL+DEL)
//! unread:{<user>}:messages          counter (Lua: moved only while it exists, floored at 0; expires)
//! unread:{<user>}:messages:holds    sorted set: commit hold -> server time it lapses (expires with the latest)
//! unread:{<user>}:messages:moves    counter of the count's moves: a reader's ticket (expires)
//! ratelimit:{<key>}                 fixed window counter (Lua: INCR, EXPIRE when it has none)
//! ratelimit-sliding:{<key>}         sorted set of hit times (Lua, Redis TIME)
//! rankings:creators:rating, leaderboard:earners:YYYY-MM, trending:gigs, ...   sorted sets
//! {<board key>}:versions            hash: member -> row version of its last versioned change
//! feed:{<user>}                     list (Lua: LPUSH+LTRIM 0 99, an expiry when it has none)
//! feed:{<user>}:known               marker: the feed was stored from the audit log (expires with it)
//! favorites:{<user>}:gig            set, marked known by the member "-" (Lua: changed only while known; expires)
//! favorites:{<user>}:gig:moved      hash: target -> + / -, the moves of an unknown set (expires)
//! ```
//!
//! Every operation touches one key, or (a versioned board change) a board
//! and its versions hash `{<board key>}:versions`, or a feed and its marker,
//! or an unread count with its holds and moves, whose hash tag puts them in
//! one hash slot, so each runs on a cluster connection too;
//! scripts are atomic, so a rate-limit key never lives without expiry.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionLike;
use redis::{FromRedisValue, Script};
use reelbyte_core::enums::FavoritedType;
use reelbyte_core::error::{Error, Result};
use reelbyte_core::ids::UserId;
use reelbyte_core::realtime::{
    ActivityFeeds, Board, FEED_LENGTH, FavoriteSets, Rankings, RateDecision, RateLimiter,
    UNREAD_HOLD, UnreadCounters, UnreadHold, UnreadKind, UnreadRead, UnreadTicket, ViewCounters,
    ViewTarget,
};
use uuid::Uuid;

/// What the rate limiter answers when Redis fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailMode {
    /// Allow the request (availability first; the default).
    #[default]
    Open,
    /// Refuse the request (protection first, e.g. for login attempts).
    Closed,
}

/// Increments a fixed-window counter and gives it its expiry when it has
/// none, atomically: `KEYS[1]`, `ARGV[1]` = window seconds. Returns the count.
const FIXED_WINDOW: &str = r"
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return n
";

/// Sliding window on a sorted set of hit times (server time, microseconds):
/// `KEYS[1]`, `ARGV[1]` = window seconds, `ARGV[2]` = limit, `ARGV[3]` = a
/// unique member. Returns `{allowed, count}`.
const SLIDING_WINDOW: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1]) * 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  count = count + 1
  allowed = 1
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return {allowed, count}
";

/// A versioned change of a board member: `KEYS[1]` the board, `KEYS[2]`
/// its versions hash (same hash slot), `ARGV[1]` the member, `ARGV[2]` the
/// row version, `ARGV[3]` the score, or empty to remove. Applies only when
/// the hash holds no version of the member at `ARGV[2]` or later; returns
/// 1 when it applied.
const VERSIONED: &str = r"
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if seen and tonumber(seen) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
";

/// The time of the Redis server in milliseconds, as a Lua local `now`.
/// Hold lapse times are compared with it, so every client agrees on them
/// whatever its own clock says.
macro_rules! lua_now_ms {
    () => {
        "local t = redis.call('TIME')\n\
         local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    };
}

/// Holds an unread count for commit `ARGV[1]` for `ARGV[2]` ms: the hold
/// set `KEYS[1]` (hold -> the server time it lapses) lives as long as its
/// latest hold.
const UNREAD_HOLD_SCRIPT: &str = concat!(
    lua_now_ms!(),
    r"
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"
);

/// Ends hold `ARGV[2]` in `KEYS[2]`, counts a move in `KEYS[3]` (kept
/// `ARGV[3]` seconds after the last move), and adds `ARGV[1]` to the unread
/// count at `KEYS[1]`, never below zero, keeping its expiry. Returns the
/// new count, or -1 when there is no count (an unknown count stays
/// unknown).
const UNREAD_ADD: &str = r"
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[3]))
local held = redis.call('GET', KEYS[1])
if not held then
  return -1
end
local n = tonumber(held) + tonumber(ARGV[1])
if n < 0 then
  n = 0
end
redis.call('SET', KEYS[1], n, 'KEEPTTL')
return n
";

/// Ends hold `ARGV[1]` in `KEYS[2]`, counts a move in `KEYS[3]` (kept
/// `ARGV[2]` seconds after the last move) and forgets the count `KEYS[1]`.
const UNREAD_FORGET: &str = r"
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[2]))
redis.call('DEL', KEYS[1])
return 1
";

/// The unread count at `KEYS[1]` as `{1, count}`, or, when there is none,
/// `{0, moves}` with the moves counted in `KEYS[2]`: the reader's ticket.
const UNREAD_READ: &str = r"
local held = redis.call('GET', KEYS[1])
if held then
  return {1, tonumber(held)}
end
return {0, tonumber(redis.call('GET', KEYS[2]) or '0')}
";

/// Stores the unread count `ARGV[1]` at `KEYS[1]` for `ARGV[3]` seconds
/// unless a count is there, a hold in `KEYS[2]` has not lapsed, or the
/// moves counted in `KEYS[3]` are no longer the ticket `ARGV[2]`. Returns
/// the count held afterwards, or `ARGV[1]` when it was not stored.
const UNREAD_INIT: &str = concat!(
    lua_now_ms!(),
    r"
local held = redis.call('GET', KEYS[1])
if held then
  return tonumber(held)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) > 0 then
  return tonumber(ARGV[1])
end
if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[2]) then
  return tonumber(ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
return tonumber(ARGV[1])
"
);

/// The member that marks a favorites set as known (no id looks like it), so
/// that an empty set and a missing one differ.
const KNOWN_SET: &str = "-";

/// `ARGV[1]` (`SADD`, `SREM` or `SISMEMBER`) of `ARGV[2]` on the favorites
/// set at `KEYS[1]` when the set is known. When it is not, returns -1, and
/// an add or a removal is kept in the hash `KEYS[2]` (target -> `+` or `-`,
/// the latest), which expires `ARGV[3]` seconds after its last move unless a
/// reader stores the set first (every move it keeps was committed first, so
/// the table has them too once it expired).
const FAVORITE_OP: &str = r"
if redis.call('SISMEMBER', KEYS[1], '-') == 1 then
  return redis.call(ARGV[1], KEYS[1], ARGV[2])
end
if ARGV[1] ~= 'SISMEMBER' then
  local mark = '-'
  if ARGV[1] == 'SADD' then
    mark = '+'
  end
  redis.call('HSET', KEYS[2], ARGV[2], mark)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
end
return -1
";

/// Stores the favorites `ARGV[2..]` at `KEYS[1]` with the moves kept in
/// `KEYS[2]` applied over them (the rule of
/// `reelbyte_core::realtime::initial_favorites`), marked known, for
/// `ARGV[1]` seconds, unless a known set is there; returns the set's
/// members (with the marker).
const FAVORITES_INIT: &str = r"
if redis.call('SISMEMBER', KEYS[1], '-') == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SADD', KEYS[1], '-')
  for i = 2, #ARGV do
    redis.call('SADD', KEYS[1], ARGV[i])
  end
  local moved = redis.call('HGETALL', KEYS[2])
  for i = 1, #moved, 2 do
    if moved[i + 1] == '+' then
      redis.call('SADD', KEYS[1], moved[i])
    else
      redis.call('SREM', KEYS[1], moved[i])
    end
  end
  redis.call('DEL', KEYS[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return redis.call('SMEMBERS', KEYS[1])
";

/// Pushes `ARGV[3..]` (oldest first) at the head of the feed `KEYS[1]`,
/// keeps the newest `ARGV[2]`, and gives the list the expiry `ARGV[1]`
/// seconds when it has none: items pushed to an unknown feed that no
/// reader stores do not stay for good.
const FEED_PUSH: &str = r"
for i = 3, #ARGV do
  redis.call('LPUSH', KEYS[1], ARGV[i])
end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
";

/// Stores the feed `KEYS[1]` unless its marker `KEYS[2]` says it is known:
/// the items it holds (pushed while unknown), then those of `ARGV[3..]`
/// (the record, newest first) that it does not hold, at most `ARGV[2]`
/// (the rule of `reelbyte_core::realtime::merged_feed`); then the marker,
/// and both expire in `ARGV[1]` seconds. Returns 1 when it stored.
const FEED_INIT: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local limit = tonumber(ARGV[2])
local out = redis.call('LRANGE', KEYS[1], 0, -1)
local held = {}
for _, item in ipairs(out) do
  held[item] = true
end
for i = 3, #ARGV do
  if #out >= limit then
    break
  end
  if not held[ARGV[i]] then
    out[#out + 1] = ARGV[i]
  end
end
while #out > limit do
  table.remove(out)
end
redis.call('DEL', KEYS[1])
if #out > 0 then
  redis.call('RPUSH', KEYS[1], unpack(out))
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
redis.call('SET', KEYS[2], '1', 'EX', tonumber(ARGV[1]))
return 1
";

/// How long a known unread count or favorites set lives before it is
/// rebuilt from the store (see [`RedisRealtime::with_rebuild_after`]).
pub const DEFAULT_REBUILD_AFTER: Duration = Duration::from_secs(3600);

/// Every real-time trait on Redis.
pub struct RedisRealtime<C> {
    conn: C,
    prefix: String,
    timeout: Duration,
    fail_mode: FailMode,
    rebuild_after: Duration,
    unread_hold: Script,
    unread_add: Script,
    unread_forget: Script,
    unread_read: Script,
    unread_init: Script,
    favorite_op: Script,
    favorites_init: Script,
    feed_push: Script,
    feed_init: Script,
    fixed: Script,
    sliding: Script,
    versioned: Script,
}

impl<C> std::fmt::Debug for RedisRealtime<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRealtime")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("fail_mode", &self.fail_mode)
            .finish_non_exhaustive()
    }
}

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::backend("redis", error)
}

#[derive(Debug)]
struct Timeout;

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("redis call timed out")
    }
}

impl std::error::Error for Timeout {}

impl<C> RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// Real-time features through `conn`, keys under `prefix` (without the
    /// colon), rate limits failing open.
    pub fn new(conn: C, prefix: impl Into<String>) -> Self {
        Self {
            conn,
            prefix: prefix.into(),
            timeout: Duration::from_secs(1),
            fail_mode: FailMode::Open,
            rebuild_after: DEFAULT_REBUILD_AFTER,
            unread_hold: Script::new(UNREAD_HOLD_SCRIPT),
            unread_add: Script::new(UNREAD_ADD),
            unread_forget: Script::new(UNREAD_FORGET),
            unread_read: Script::new(UNREAD_READ),
            unread_init: Script::new(UNREAD_INIT),
            favorite_op: Script::new(FAVORITE_OP),
            favorites_init: Script::new(FAVORITES_INIT),
            feed_push: Script::new(FEED_PUSH),
            feed_init: Script::new(FEED_INIT),
            fixed: Script::new(FIXED_WINDOW),
            sliding: Script::new(SLIDING_WINDOW),
            versioned: Script::new(VERSIONED),
        }
    }

    /// What the rate limiter answers when Redis fails.
    pub fn with_fail_mode(mut self, mode: FailMode) -> Self {
        self.fail_mode = mode;
        self
    }

    /// How long a known unread count or favorites set lives
    /// ([`DEFAULT_REBUILD_AFTER`] unless set; at least a second). The
    /// marketplace moves them as it commits, but a move lost while Redis was
    /// unreachable would leave one wrong: the expiry bounds how long, since
    /// an expired count or set is rebuilt from the store on its next read.
    /// Moves keep the expiry set when it was stored.
    pub fn with_rebuild_after(mut self, after: Duration) -> Self {
        self.rebuild_after = after;
        self
    }

    /// Longest wait for one call (one second by default).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn key(&self, rest: impl std::fmt::Display) -> String {
        format!("{}:{rest}", self.prefix)
    }

    async fn run<T, F>(&self, call: F) -> Result<T>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result.map_err(backend),
            Err(_) => Err(backend(Timeout)),
        }
    }

    async fn query<T: FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T> {
        let mut conn = self.conn.clone();
        self.run(cmd.query_async(&mut conn)).await
    }

    async fn pipe<T: FromRedisValue>(&self, pipe: redis::Pipeline) -> Result<T> {
        let mut conn = self.conn.clone();
        self.run(pipe.query_async(&mut conn)).await
    }

    fn fail(&self, limit: u64, error: &Error) -> RateDecision {
        tracing::warn!(%error, mode = ?self.fail_mode, "rate limiter unavailable");
        RateDecision {
            allowed: self.fail_mode == FailMode::Open,
            count: 0,
            limit,
        }
    }

    /// A board's versions hash: its hash tag is the board's whole key, so
    /// both live in one hash slot and one script may touch both.
    fn versions_key(&self, board: Board) -> String {
        format!("{{{}}}:versions", self.key(board.key()))
    }

    /// Runs [`VERSIONED`]: sets `score`, or removes when `None`.
    async fn versioned(
        &self,
        board: Board,
        member: Uuid,
        version: i64,
        score: Option<f64>,
    ) -> Result<bool> {
        let mut conn = self.conn.clone();
        let mut invocation = self.versioned.prepare_invoke();
        invocation
            .key(self.key(board.key()))
            .key(self.versions_key(board))
            .arg(member.to_string())
            .arg(version)
            .arg(score.map(|s| s.to_string()).unwrap_or_default());
        let applied: i64 = self.run(invocation.invoke_async(&mut conn)).await?;
        Ok(applied == 1)
    }

    fn views_key(&self, target: ViewTarget) -> String {
        self.key(format_args!("stats:{{{}}}", target.as_str()))
    }

    fn unread_key(&self, user: UserId, kind: UnreadKind) -> String {
        self.key(format_args!("unread:{{{user}}}:{}", kind.as_str()))
    }

    /// The holds on a count, in its hash slot.
    fn unread_holds_key(&self, user: UserId, kind: UnreadKind) -> String {
        self.key(format_args!("unread:{{{user}}}:{}:holds", kind.as_str()))
    }

    /// The moves of a count, in its hash slot.
    fn unread_moves_key(&self, user: UserId, kind: UnreadKind) -> String {
        self.key(format_args!("unread:{{{user}}}:{}:moves", kind.as_str()))
    }

    /// How long a count's moves are remembered after the last one: as long
    /// as a count lives, far longer than a reader takes.
    fn unread_moves_secs(&self) -> u64 {
        self.rebuild_after.as_secs().max(1)
    }

    fn feed_key(&self, user: UserId) -> String {
        self.key(format_args!("feed:{{{user}}}"))
    }

    /// The marker of a known feed, in the feed's hash slot.
    fn feed_known_key(&self, user: UserId) -> String {
        self.key(format_args!("feed:{{{user}}}:known"))
    }

    /// Runs [`FAVORITE_OP`]: `Some(reply == 1)`, or `None` when the set is
    /// unknown.
    async fn favorite_op(
        &self,
        user: UserId,
        kind: FavoritedType,
        op: &str,
        target: Uuid,
    ) -> Result<Option<bool>> {
        let mut conn = self.conn.clone();
        let mut invocation = self.favorite_op.prepare_invoke();
        invocation
            .key(self.favorites_key(user, kind))
            .key(self.favorites_moved_key(user, kind))
            .arg(op)
            .arg(target.to_string())
            .arg(self.rebuild_after.as_secs().max(1));
        let reply: i64 = self.run(invocation.invoke_async(&mut conn)).await?;
        Ok((reply >= 0).then_some(reply == 1))
    }

    fn favorites_key(&self, user: UserId, kind: FavoritedType) -> String {
        self.key(format_args!("favorites:{{{user}}}:{kind}"))
    }

    /// The moves kept while a favorites set is unknown, in its hash slot.
    fn favorites_moved_key(&self, user: UserId, kind: FavoritedType) -> String {
        self.key(format_args!("favorites:{{{user}}}:{kind}:moved"))
    }
}

fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(backend)
}

#[async_trait]
impl<C> ViewCounters for RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn record_view(&self, target: ViewTarget, id: Uuid, by: u64) -> Result<()> {
        let mut cmd = redis::cmd("HINCRBY");
        cmd.arg(self.views_key(target)).arg(id.to_string()).arg(by);
        self.query::<i64>(cmd).await.map(|_| ())
    }

    async fn pending_views(&self, target: ViewTarget, id: Uuid) -> Result<u64> {
        let mut cmd = redis::cmd("HGET");
        cmd.arg(self.views_key(target)).arg(id.to_string());
        Ok(self.query::<Option<u64>>(cmd).await?.unwrap_or(0))
    }

    async fn drain_views(&self, target: ViewTarget) -> Result<Vec<(Uuid, u64)>> {
        let key = self.views_key(target);
        let mut pipe = redis::pipe();
        pipe.atomic().hgetall(&key).del(&key).ignore();
        let (counts,): (Vec<(String, u64)>,) = self.pipe(pipe).await?;
        let mut out = counts
            .into_iter()
            .map(|(id, n)| Ok((parse_uuid(&id)?, n)))
            .collect::<Result<Vec<_>>>()?;
        out.sort();
        Ok(out)
    }
}

#[async_trait]
impl<C> UnreadCounters for RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn hold_unread(&self, user: UserId, kind: UnreadKind, hold: UnreadHold) -> Result<()> {
        let mut conn = self.conn.clone();
        let mut invocation = self.unread_hold.prepare_invoke();
        let lasts_ms = u64::try_from(UNREAD_HOLD.as_millis()).unwrap_or(u64::MAX);
        invocation
            .key(self.unread_holds_key(user, kind))
            .arg(hold.as_uuid().to_string())
            .arg(lasts_ms);
        self.run(invocation.invoke_async::<i64>(&mut conn))
            .await
            .map(drop)
    }

    async fn add_unread(
        &self,
        user: UserId,
        kind: UnreadKind,
        delta: i64,
        hold: UnreadHold,
    ) -> Result<Option<u64>> {
        let mut conn = self.conn.clone();
        let mut invocation = self.unread_add.prepare_invoke();
        invocation
            .key(self.unread_key(user, kind))
            .key(self.unread_holds_key(user, kind))
            .key(self.unread_moves_key(user, kind))
            .arg(delta)
            .arg(hold.as_uuid().to_string())
            .arg(self.unread_moves_secs());
        let count: i64 = self.run(invocation.invoke_async(&mut conn)).await?;
        Ok(u64::try_from(count).ok())
    }

    async fn unread(&self, user: UserId, kind: UnreadKind) -> Result<UnreadRead> {
        let mut conn = self.conn.clone();
        let mut invocation = self.unread_read.prepare_invoke();
        invocation
            .key(self.unread_key(user, kind))
            .key(self.unread_moves_key(user, kind));
        let (known, n): (i64, u64) = self.run(invocation.invoke_async(&mut conn)).await?;
        Ok(if known == 1 {
            UnreadRead::Known(n)
        } else {
            UnreadRead::Unknown(UnreadTicket(n))
        })
    }

    async fn init_unread(
        &self,
        user: UserId,
        kind: UnreadKind,
        count: u64,
        ticket: UnreadTicket,
    ) -> Result<u64> {
        let mut conn = self.conn.clone();
        let mut invocation = self.unread_init.prepare_invoke();
        invocation
            .key(self.unread_key(user, kind))
            .key(self.unread_holds_key(user, kind))
            .key(self.unread_moves_key(user, kind))
            .arg(count)
            .arg(ticket.0)
            .arg(self.rebuild_after.as_secs().max(1));
        self.run(invocation.invoke_async(&mut conn)).await
    }

    async fn forget_unread(&self, user: UserId, kind: UnreadKind, hold: UnreadHold) -> Result<()> {
        let mut conn = self.conn.clone();
        let mut invocation = self.unread_forget.prepare_invoke();
        invocation
            .key(self.unread_key(user, kind))
            .key(self.unread_holds_key(user, kind))
            .key(self.unread_moves_key(user, kind))
            .arg(hold.as_uuid().to_string())
            .arg(self.unread_moves_secs());
        self.run(invocation.invoke_async::<i64>(&mut conn))
            .await
            .map(drop)
    }
}

#[async_trait]
impl<C> RateLimiter for RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn hit_fixed_window(
        &self,
        key: &str,
        limit: u64,
        window_secs: u64,
    ) -> Result<RateDecision> {
        let mut conn = self.conn.clone();
        let mut invocation = self.fixed.prepare_invoke();
        invocation
            .key(self.key(format_args!("ratelimit:{{{key}}}")))
            .arg(window_secs.max(1));
        match self.run(invocation.invoke_async::<u64>(&mut conn)).await {
            Ok(count) => Ok(RateDecision {
                allowed: count <= limit,
                count,
                limit,
            }),
            Err(error) => Ok(self.fail(limit, &error)),
        }
    }

    async fn hit_sliding_window(
        &self,
        key: &str,
        limit: u64,
        window_secs: u64,
    ) -> Result<RateDecision> {
        let mut conn = self.conn.clone();
        let mut invocation = self.sliding.prepare_invoke();
        invocation
            .key(self.key(format_args!("ratelimit-sliding:{{{key}}}")))
            .arg(window_secs.max(1))
            .arg(limit)
            .arg(Uuid::new_v4().simple().to_string());
        match self
            .run(invocation.invoke_async::<(u64, u64)>(&mut conn))
            .await
        {
            Ok((allowed, count)) => Ok(RateDecision {
                allowed: allowed == 1,
                count,
                limit,
            }),
            Err(error) => Ok(self.fail(limit, &error)),
        }
    }
}

#[async_trait]
impl<C> Rankings for RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn set_score(&self, board: Board, member: Uuid, score: f64) -> Result<()> {
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(self.key(board.key()))
            .arg(score)
            .arg(member.to_string());
        self.query::<i64>(cmd).await.map(|_| ())
    }

    async fn add_score(&self, board: Board, member: Uuid, delta: f64) -> Result<f64> {
        let mut cmd = redis::cmd("ZINCRBY");
        cmd.arg(self.key(board.key()))
            .arg(delta)
            .arg(member.to_string());
        self.query(cmd).await
    }

    async fn remove_member(&self, board: Board, member: Uuid) -> Result<()> {
        let mut cmd = redis::cmd("ZREM");
        cmd.arg(self.key(board.key())).arg(member.to_string());
        self.query::<i64>(cmd).await.map(|_| ())
    }

    async fn set_score_at(
        &self,
        board: Board,
        member: Uuid,
        score: f64,
        version: i64,
    ) -> Result<bool> {
        if !score.is_finite() {
            return Err(Error::validation("score", "must be a finite number"));
        }
        self.versioned(board, member, version, Some(score)).await
    }

    async fn remove_member_at(&self, board: Board, member: Uuid, version: i64) -> Result<bool> {
        self.versioned(board, member, version, None).await
    }

    async fn top(&self, board: Board, n: usize) -> Result<Vec<(Uuid, f64)>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("ZRANGE");
        // Redis reads ranks as signed 64-bit integers.
        let last = (n - 1).min(i64::MAX as usize);
        cmd.arg(self.key(board.key()))
            .arg(0)
            .arg(last)
            .arg("REV")
            .arg("WITHSCORES");
        let members: Vec<(String, f64)> = self.query(cmd).await?;
        members
            .into_iter()
            .map(|(id, score)| Ok((parse_uuid(&id)?, score)))
            .collect()
    }
}

#[async_trait]
impl<C> ActivityFeeds for RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn push_activities(&self, user: UserId, items: &[serde_json::Value]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        let mut invocation = self.feed_push.prepare_invoke();
        invocation
            .key(self.feed_key(user))
            .arg(self.rebuild_after.as_secs().max(1))
            .arg(FEED_LENGTH);
        for item in items {
            invocation.arg(serde_json::to_string(item).map_err(backend)?);
        }
        self.run(invocation.invoke_async::<()>(&mut conn)).await
    }

    async fn recent_activity(
        &self,
        user: UserId,
        n: usize,
    ) -> Result<Option<Vec<serde_json::Value>>> {
        // One transaction (both keys share a hash slot): a clear or a store
        // between the two reads would pair a marker with another list.
        let mut pipe = redis::pipe();
        pipe.atomic().exists(self.feed_known_key(user));
        if n > 0 {
            pipe.lrange(self.feed_key(user), 0, n.min(FEED_LENGTH) as isize - 1);
        } else {
            // An empty range: `LRANGE 0 -1` would be the whole list.
            pipe.lrange(self.feed_key(user), 1, 0);
        }
        let (known, items): (bool, Vec<String>) = self.pipe(pipe).await?;
        if !known {
            return Ok(None);
        }
        items
            .iter()
            .map(|json| serde_json::from_str(json).map_err(backend))
            .collect::<Result<_>>()
            .map(Some)
    }

    async fn init_activity(&self, user: UserId, record: &[serde_json::Value]) -> Result<()> {
        let mut conn = self.conn.clone();
        let mut invocation = self.feed_init.prepare_invoke();
        invocation
            .key(self.feed_key(user))
            .key(self.feed_known_key(user))
            .arg(self.rebuild_after.as_secs().max(1))
            .arg(FEED_LENGTH);
        for item in record.iter().take(FEED_LENGTH) {
            invocation.arg(serde_json::to_string(item).map_err(backend)?);
        }
        self.run(invocation.invoke_async::<i64>(&mut conn))
            .await
            .map(drop)
    }

    async fn clear_activity(&self, user: UserId) -> Result<()> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.feed_key(user)).arg(self.feed_known_key(user));
        self.query::<i64>(cmd).await.map(drop)
    }
}

#[async_trait]
impl<C> FavoriteSets for RedisRealtime<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn add_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>> {
        self.favorite_op(user, kind, "SADD", target).await
    }

    async fn remove_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>> {
        self.favorite_op(user, kind, "SREM", target).await
    }

    async fn is_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>> {
        self.favorite_op(user, kind, "SISMEMBER", target).await
    }

    async fn favorites(&self, user: UserId, kind: FavoritedType) -> Result<Option<Vec<Uuid>>> {
        let mut cmd = redis::cmd("SMEMBERS");
        cmd.arg(self.favorites_key(user, kind));
        let members: Vec<String> = self.query(cmd).await?;
        if !members.iter().any(|m| m == KNOWN_SET) {
            return Ok(None);
        }
        known_members(members).map(Some)
    }

    async fn init_favorites(
        &self,
        user: UserId,
        kind: FavoritedType,
        targets: &[Uuid],
    ) -> Result<Vec<Uuid>> {
        let mut conn = self.conn.clone();
        let mut invocation = self.favorites_init.prepare_invoke();
        invocation
            .key(self.favorites_key(user, kind))
            .key(self.favorites_moved_key(user, kind))
            .arg(self.rebuild_after.as_secs().max(1));
        for target in targets {
            invocation.arg(target.to_string());
        }
        let members: Vec<String> = self.run(invocation.invoke_async(&mut conn)).await?;
        known_members(members)
    }

    async fn forget_favorites(&self, user: UserId, kind: FavoritedType) -> Result<()> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.favorites_key(user, kind))
            .arg(self.favorites_moved_key(user, kind));
        self.query::<i64>(cmd).await.map(drop)
    }
}

/// The ids of a known set's members, sorted, without its marker.
fn known_members(members: Vec<String>) -> Result<Vec<Uuid>> {
    let mut out = members
        .iter()
        .filter(|m| *m != KNOWN_SET)
        .map(|id| parse_uuid(id))
        .collect::<Result<Vec<_>>>()?;
    out.sort();
    Ok(out)
}

//! The cache engine behind [`CachedStore`](crate::CachedStore): key layout,
//! read-through with a guarded fill, and invalidation.
//!
//! # Why a concurrent reader cannot re-populate a stale value
//!
//! Every cached entity has a *generation* key next to its value key (same
//! hash tag, so both live in one cluster slot). A reader
//!
//! 1. reads the generation `g` and the value in one pipeline; a hit is served,
//! 2. on a miss loads the row from the inner store,
//! 3. writes it back with a Lua script that sets the value **only if the
//!    generation is still `g`**.
//!
//! A writer first applies its change set to the inner store, then sets the
//! generation to a fresh random value and deletes the value, atomically
//! (`MULTI`). If the writer's invalidation happened before the reader's
//! step 1, the reader's load in step 2 happens after the inner write and is
//! fresh. Otherwise the generation changed between the reader's steps 1 and
//! 3, so the guarded fill refuses the (possibly stale) row. Generations are
//! random UUIDs rather than counters, so a generation key that expires and
//! comes back cannot match an old reader (the only residual case is a
//! generation key evicted *between* a reader's steps while it was unset at
//! step 1, which needs the key to appear and vanish within one read;
//! generation keys live a day).
//!
//! Search results are keyed by a per-kind generation (`search:gigs:gen`)
//! that writers replace: old results become unreachable and expire after
//! their 5 minutes, with no `KEYS`/`SCAN`.
//!
//! Sessions are looked up by token hash, but a delete names only the row id.
//! Readers record which hashes they cached for an id (a set, written before
//! the value); writers invalidate every recorded hash. When nothing is
//! recorded, the writer replaces the session *epoch*, which is part of every
//! session value key, so whatever a racing reader fills is unreachable.
//!
//! A creator's skills, categories and portfolio are cached as three lists
//! keyed by the creator profile, behind one generation per creator (bumped,
//! with the three values deleted, when a change set inserts or updates one
//! of its rows: the record names its creator) and one *parts epoch* shared by
//! every creator. A delete (or a counter) names only the row id, not its
//! creator, so it replaces the epoch instead, which makes every cached list
//! unreadable: deletes of skills, categories and portfolio items are rare
//! next to profile reads. A list value carries the epoch it was filled under
//! and a reader takes it only while the epoch is still the same; the reader
//! reads epoch, generation and value in one pipeline, so a list costs one
//! round trip. A reader racing a delete fills its (possibly stale) list under
//! the old epoch, which no later reader accepts. The lists assume what the
//! schema says: a skill, category or portfolio item never moves to another
//! creator (an update names the creator it belongs to now).
//!
//! A failed invalidation is kept in a local queue; until it has been
//! delivered this process serves every read from the inner store and fills
//! nothing, so it never serves what it failed to invalidate.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionLike;
use redis::{FromRedisValue, Pipeline, Script};
use reelbyte_core::error::Result;
use reelbyte_core::store::{ChangeSet, Record, RowKey, Table, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Time-to-live of each kind of cached value, each capped at 48 hours (the
/// lifetime of the generation keys that guard the values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheTtls {
    /// Sessions by token hash (plan: 24 hours).
    pub session: Duration,
    /// Users, creator and client profiles (plan: 1 hour).
    pub profile: Duration,
    /// Gigs, jobs and contracts (plan's hot entities: 15 minutes).
    pub hot: Duration,
    /// Search results (plan: 5 minutes).
    pub search: Duration,
}

impl Default for CacheTtls {
    fn default() -> Self {
        Self {
            session: Duration::from_secs(24 * 3600),
            profile: Duration::from_secs(3600),
            hot: Duration::from_secs(15 * 60),
            search: Duration::from_secs(5 * 60),
        }
    }
}

/// How long generation keys, epochs and session id maps live: longer than
/// any value they guard.
const GUARD_TTL_SECS: u64 = 48 * 3600;

/// An entity cached by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    User,
    Creator,
    Client,
    Gig,
    Job,
    Contract,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Creator => "creator",
            Kind::Client => "client",
            Kind::Gig => "gig",
            Kind::Job => "job",
            Kind::Contract => "contract",
        }
    }
}

/// A cached search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SearchKind {
    Gigs,
    Jobs,
    Creators,
}

impl SearchKind {
    fn name(self) -> &'static str {
        match self {
            SearchKind::Gigs => "gigs",
            SearchKind::Jobs => "jobs",
            SearchKind::Creators => "creators",
        }
    }
}

/// A list of rows cached by their creator profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    Skills,
    Categories,
    Portfolio,
}

impl Part {
    const ALL: [Part; 3] = [Part::Skills, Part::Categories, Part::Portfolio];

    fn name(self) -> &'static str {
        match self {
            Part::Skills => "skills",
            Part::Categories => "categories",
            Part::Portfolio => "portfolio",
        }
    }
}

/// One thing a change set makes stale.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Invalidation {
    Entity(Kind, Uuid),
    SessionHash(String),
    SessionId(Uuid),
    Search(SearchKind),
    /// The skills, categories and portfolio of one creator profile.
    CreatorParts(Uuid),
    /// Those of every creator profile (the parts epoch).
    AllCreatorParts,
}

/// Everything `changes` makes stale, without duplicates.
pub(crate) fn invalidations(changes: &ChangeSet) -> BTreeSet<Invalidation> {
    let mut out = BTreeSet::new();
    for write in &changes.writes {
        match write {
            Write::Insert(record) => record_invalidations(record, false, &mut out),
            Write::Update { record, .. } => record_invalidations(record, true, &mut out),
            Write::Delete { table, key, .. } => {
                row_invalidations(*table, key, &mut out);
                // The row's creator is unknown here (and a deleted profile or
                // user takes its parts with it).
                if matches!(
                    table,
                    Table::CreatorSkills
                        | Table::CreatorCategories
                        | Table::PortfolioItems
                        | Table::CreatorProfiles
                        | Table::Users
                ) {
                    out.insert(Invalidation::AllCreatorParts);
                }
            }
            Write::Count { counter, .. } => {
                let (table, key) = counter.row();
                row_invalidations(table, &key, &mut out);
                if table == Table::PortfolioItems {
                    out.insert(Invalidation::AllCreatorParts);
                }
            }
            Write::Check { .. } => {}
        }
    }
    out
}

fn record_invalidations(record: &Record, update: bool, out: &mut BTreeSet<Invalidation>) {
    if let Record::UserSession(session) = record {
        out.insert(Invalidation::SessionHash(session.token_hash.clone()));
        if !update {
            return;
        }
    }
    row_invalidations(record.table(), &record.row_key(), out);
    let owner = match record {
        Record::CreatorSkill(skill) => Some(skill.creator_profile_id),
        Record::CreatorCategory(category) => Some(category.creator_profile_id),
        Record::PortfolioItem(item) => Some(item.creator_profile_id),
        _ => None,
    };
    if let Some(owner) = owner {
        out.insert(Invalidation::CreatorParts(owner.as_uuid()));
    }
}

fn row_invalidations(table: Table, key: &RowKey, out: &mut BTreeSet<Invalidation>) {
    let RowKey::Id(id) = *key else {
        return;
    };
    let entity = |kind| Invalidation::Entity(kind, id);
    match table {
        Table::Users => {
            out.insert(entity(Kind::User));
        }
        Table::UserSessions => {
            out.insert(Invalidation::SessionId(id));
        }
        Table::CreatorProfiles => {
            out.insert(entity(Kind::Creator));
            out.insert(Invalidation::Search(SearchKind::Creators));
        }
        Table::CreatorSkills | Table::CreatorCategories => {
            out.insert(Invalidation::Search(SearchKind::Creators));
        }
        Table::ClientProfiles => {
            out.insert(entity(Kind::Client));
        }
        Table::Gigs => {
            out.insert(entity(Kind::Gig));
            out.insert(Invalidation::Search(SearchKind::Gigs));
        }
        Table::Jobs => {
            out.insert(entity(Kind::Job));
            out.insert(Invalidation::Search(SearchKind::Jobs));
        }
        Table::Contracts => {
            out.insert(entity(Kind::Contract));
        }
        _ => {}
    }
}

/// The key layout under a prefix.
///
/// ```text
/// {p}:user:{<id>}            {p}:user:{<id>}:gen          (same for creator, client, gig, job, contract)
/// {p}:session:<epoch>:{<h>}  {p}:session:{<h>}:gen        {p}:session-epoch
/// {p}:session-id:{<id>}      (token hashes cached for a session id)
/// {p}:search:gigs:<gen>:<sha256 of the query>             {p}:search:gigs:gen
/// {p}:creator-skills:{<id>}  {p}:creator-parts:{<id>}:gen {p}:creator-parts-epoch
/// ```      (same for creator-categories, creator-portfolio)
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    fn entity(&self, kind: Kind, id: Uuid) -> (String, String) {
        let value = format!("{}:{}:{{{id}}}", self.prefix, kind.name());
        let generation = format!("{value}:gen");
        (value, generation)
    }

    fn session_epoch(&self) -> String {
        format!("{}:session-epoch", self.prefix)
    }

    fn session(&self, epoch: &str, hash: &str) -> (String, String) {
        (
            format!("{}:session:{epoch}:{{{hash}}}", self.prefix),
            format!("{}:session:{{{hash}}}:gen", self.prefix),
        )
    }

    fn session_id(&self, id: Uuid) -> String {
        format!("{}:session-id:{{{id}}}", self.prefix)
    }

    fn part(&self, part: Part, creator: Uuid) -> String {
        format!("{}:creator-{}:{{{creator}}}", self.prefix, part.name())
    }

    fn parts_generation(&self, creator: Uuid) -> String {
        format!("{}:creator-parts:{{{creator}}}:gen", self.prefix)
    }

    fn parts_epoch(&self) -> String {
        format!("{}:creator-parts-epoch", self.prefix)
    }

    fn search_generation(&self, kind: SearchKind) -> String {
        format!("{}:search:{}:gen", self.prefix, kind.name())
    }

    fn search(&self, kind: SearchKind, generation: &str, query_hash: &str) -> String {
        format!(
            "{}:search:{}:{generation}:{query_hash}",
            self.prefix,
            kind.name()
        )
    }
}

/// Sets `KEYS[1]` to `ARGV[2]` for `ARGV[3]` seconds only while the
/// generation `KEYS[2]` still reads `ARGV[1]` (`""` for unset).
const GUARDED_FILL: &str = r"
local current = redis.call('GET', KEYS[2]) or ''
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
  return 1
end
return 0
";

/// Invalidations not yet delivered, each with the sequence number of its
/// latest queuing.
#[derive(Debug, Default)]
struct Queue {
    next: u64,
    items: std::collections::BTreeMap<Invalidation, u64>,
}

/// The cache engine: a connection, a key layout, TTLs and the queue of
/// invalidations not yet delivered.
pub(crate) struct Cache<C> {
    conn: C,
    keys: Keys,
    ttls: CacheTtls,
    timeout: Duration,
    retry_after: Duration,
    fill: Script,
    pending: Mutex<Queue>,
    /// After a failure, no call goes to Redis until this instant.
    down_until: Mutex<Option<Instant>>,
    /// Creator profile → the user who owns it, learnt from profiles read.
    /// A profile never changes hands, so the pair never goes stale; knowing
    /// it lets a creator's page be read in one round trip.
    owners: Mutex<HashMap<Uuid, Uuid>>,
}

/// How many profile owners a cache remembers before it starts over.
const MAX_OWNERS: usize = 100_000;

impl<C> std::fmt::Debug for Cache<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("keys", &self.keys)
            .field("ttls", &self.ttls)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A cache failure: logged and treated as a miss.
#[derive(Debug)]
enum CacheError {
    Redis(redis::RedisError),
    Timeout,
    /// A recent call failed: Redis is not tried again before the cool-down.
    Down,
}

impl std::fmt::Display for CacheError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheError::Redis(e) => write!(f, "{e}"),
            CacheError::Timeout => f.write_str("timed out"),
            CacheError::Down => f.write_str("cooling down after a failure"),
        }
    }
}

type CacheResult<T> = std::result::Result<T, CacheError>;

/// A creator's page as [`Cache::creator_page`] reads it.
pub(crate) struct CreatorPage<P, U, S, K, F> {
    pub(crate) profile: P,
    pub(crate) owner: Option<U>,
    pub(crate) skills: Vec<S>,
    pub(crate) categories: Vec<K>,
    pub(crate) portfolio: Vec<F>,
}

/// A generation and a value, as one pipeline read them.
type Pair = (Option<String>, Option<String>);

/// The three lists of a creator, as one pipeline read them.
type Lists = (Option<String>, Option<String>, Option<String>);

/// The nine values of a creator page's pipeline, grouped: the profile, the
/// user, the parts' epoch and generation, the three lists. `None` when the
/// reply has another length.
fn split_page(values: Vec<Option<String>>) -> Option<(Pair, Pair, Pair, Lists)> {
    let [pg, pv, ug, uv, epoch, generation, s, k, f]: [Option<String>; 9] =
        values.try_into().ok()?;
    Some(((pg, pv), (ug, uv), (epoch, generation), (s, k, f)))
}

/// A cached list of a creator with the parts epoch it was filled under.
#[derive(serde::Deserialize)]
struct Epoched<T> {
    epoch: String,
    rows: T,
}

/// What [`Epoched`] reads back.
#[derive(Serialize)]
struct EpochedRef<'a, T> {
    epoch: &'a str,
    rows: &'a T,
}

fn fresh_generation() -> String {
    Uuid::new_v4().simple().to_string()
}

/// The expiry of a cached value: at least a second, and never longer than
/// the generations and epochs that guard it. `CacheTtls` are public, and a
/// value that outlived its guard would become readable again when the guard
/// expired and came back at its default.
fn secs(ttl: Duration) -> u64 {
    ttl.as_secs().clamp(1, GUARD_TTL_SECS)
}

impl<C> Cache<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    pub(crate) fn new(
        conn: C,
        prefix: &str,
        ttls: CacheTtls,
        timeout: Duration,
        retry_after: Duration,
    ) -> Self {
        Self {
            conn,
            keys: Keys::new(prefix),
            ttls,
            timeout,
            retry_after,
            fill: Script::new(GUARDED_FILL),
            pending: Mutex::new(Queue::default()),
            down_until: Mutex::new(None),
            owners: Mutex::new(HashMap::new()),
        }
    }

    /// Runs one Redis call under the timeout and the circuit breaker: after
    /// a failure, calls fail at once for `retry_after`, so a dead Redis
    /// costs one probe per cool-down instead of a timeout per read.
    async fn guarded<T, F>(&self, call: F) -> CacheResult<T>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        {
            let mut down = self
                .down_until
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match *down {
                Some(until) if Instant::now() < until => return Err(CacheError::Down),
                Some(_) => *down = None,
                None => {}
            }
        }
        let result = match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result.map_err(CacheError::Redis),
            Err(_) => Err(CacheError::Timeout),
        };
        if result.is_err() {
            *self
                .down_until
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(Instant::now() + self.retry_after);
        }
        result
    }

    fn ttl(&self, kind: Kind) -> Duration {
        match kind {
            Kind::User | Kind::Creator | Kind::Client => self.ttls.profile,
            Kind::Gig | Kind::Job | Kind::Contract => self.ttls.hot,
        }
    }

    async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> CacheResult<T> {
        let mut conn = self.conn.clone();
        self.guarded(cmd.query_async(&mut conn)).await
    }

    async fn pipe<T: FromRedisValue>(&self, pipe: &Pipeline) -> CacheResult<T> {
        let mut conn = self.conn.clone();
        self.guarded(pipe.query_async(&mut conn)).await
    }

    async fn guarded_fill(
        &self,
        value_key: &str,
        generation_key: &str,
        generation: &str,
        json: &str,
        ttl: Duration,
    ) -> CacheResult<()> {
        let mut conn = self.conn.clone();
        let mut invocation = self.fill.prepare_invoke();
        invocation
            .key(value_key)
            .key(generation_key)
            .arg(generation)
            .arg(json)
            .arg(secs(ttl));
        self.guarded(invocation.invoke_async::<i64>(&mut conn))
            .await
            .map(|_| ())
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // The queue is a plain map, consistent whenever a panic could happen.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the cache may be read and filled: no invalidation of this
    /// process is still undelivered (delivering them first if needed).
    async fn usable(&self) -> bool {
        let pending: Vec<(Invalidation, u64)> = {
            let queue = self.queue();
            if queue.items.is_empty() {
                return true;
            }
            queue.items.iter().map(|(i, s)| (i.clone(), *s)).collect()
        };
        self.deliver(pending).await
    }

    /// Delivers queued invalidations. An item leaves the queue only when the
    /// delivery that succeeded was of its latest queuing (a newer write of
    /// the same key, queued meanwhile, stays until delivered itself). True
    /// when everything was delivered.
    async fn deliver(&self, todo: Vec<(Invalidation, u64)>) -> bool {
        let mut delivered = true;
        for (item, seq) in todo {
            match self.invalidate_one(&item).await {
                Ok(()) => {
                    let mut queue = self.queue();
                    if queue.items.get(&item) == Some(&seq) {
                        queue.items.remove(&item);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, ?item, "cache invalidation failed; bypassing the cache until delivered");
                    delivered = false;
                }
            }
        }
        delivered
    }

    /// Invalidates everything `changes` touches (after it was applied).
    pub(crate) async fn invalidate(&self, changes: &ChangeSet) {
        let items = invalidations(changes);
        if items.is_empty() {
            return;
        }
        // Queue first: until delivered, reads of this process bypass the cache.
        let todo: Vec<(Invalidation, u64)> = {
            let mut queue = self.queue();
            queue.next += 1;
            let seq = queue.next;
            for item in &items {
                queue.items.insert(item.clone(), seq);
            }
            items.into_iter().map(|item| (item, seq)).collect()
        };
        self.deliver(todo).await;
    }

    async fn bump_entity(&self, value_key: &str, generation_key: &str) -> CacheResult<()> {
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(generation_key)
            .arg(fresh_generation())
            .arg("EX")
            .arg(GUARD_TTL_SECS)
            .ignore()
            .del(value_key)
            .ignore();
        self.pipe::<()>(&pipe).await
    }

    async fn bump_session_epoch(&self) -> CacheResult<()> {
        let cmd = redis::cmd("SET")
            .arg(self.keys.session_epoch())
            .arg(fresh_generation())
            .arg("EX")
            .arg(GUARD_TTL_SECS)
            .to_owned();
        self.query::<()>(&cmd).await
    }

    async fn session_epoch(&self) -> CacheResult<String> {
        let epoch: Option<String> = self
            .query(&redis::cmd("GET").arg(self.keys.session_epoch()).to_owned())
            .await?;
        Ok(epoch.unwrap_or_else(|| "0".to_owned()))
    }

    async fn invalidate_session_hash(&self, hash: &str) -> CacheResult<()> {
        let epoch = self.session_epoch().await?;
        let (value, generation) = self.keys.session(&epoch, hash);
        self.bump_entity(&value, &generation).await
    }

    async fn invalidate_one(&self, item: &Invalidation) -> CacheResult<()> {
        match item {
            Invalidation::Entity(kind, id) => {
                let (value, generation) = self.keys.entity(*kind, *id);
                self.bump_entity(&value, &generation).await
            }
            Invalidation::SessionHash(hash) => self.invalidate_session_hash(hash).await,
            Invalidation::SessionId(id) => {
                let key = self.keys.session_id(*id);
                let hashes: Vec<String> = self
                    .query(&redis::cmd("SMEMBERS").arg(&key).to_owned())
                    .await?;
                if hashes.is_empty() {
                    // Nothing recorded (never cached, or the map is gone):
                    // make every session value written so far unreachable.
                    return self.bump_session_epoch().await;
                }
                for hash in &hashes {
                    self.invalidate_session_hash(hash).await?;
                }
                Ok(())
            }
            Invalidation::CreatorParts(creator) => {
                // Generation and values share the creator's hash tag.
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .cmd("SET")
                    .arg(self.keys.parts_generation(*creator))
                    .arg(fresh_generation())
                    .arg("EX")
                    .arg(GUARD_TTL_SECS)
                    .ignore();
                for part in Part::ALL {
                    pipe.del(self.keys.part(part, *creator)).ignore();
                }
                self.pipe::<()>(&pipe).await
            }
            Invalidation::AllCreatorParts => {
                let cmd = redis::cmd("SET")
                    .arg(self.keys.parts_epoch())
                    .arg(fresh_generation())
                    .arg("EX")
                    .arg(GUARD_TTL_SECS)
                    .to_owned();
                self.query::<()>(&cmd).await
            }
            Invalidation::Search(kind) => {
                let cmd = redis::cmd("SET")
                    .arg(self.keys.search_generation(*kind))
                    .arg(fresh_generation())
                    .arg("EX")
                    .arg(GUARD_TTL_SECS)
                    .to_owned();
                self.query::<()>(&cmd).await
            }
        }
    }

    /// The row cached as `value` under `key`, or `None` (a miss).
    fn decode_entity<T: DeserializeOwned>(key: &str, value: Option<String>) -> Option<T> {
        match serde_json::from_str(&value?) {
            Ok(v) => Some(v),
            Err(error) => {
                tracing::warn!(%error, key, "undecodable cache entry; treating as a miss");
                None
            }
        }
    }

    /// Reads `(generation, value)` of a key pair; `None` on a cache error.
    async fn lookup<T: DeserializeOwned>(
        &self,
        value_key: &str,
        generation_key: &str,
    ) -> Option<(String, Option<T>)> {
        let (generation, value) = self.lookup_raw(value_key, generation_key).await?;
        Some((generation, Self::decode_entity(value_key, value)))
    }

    /// Reads `(generation, value text)` of a key pair; `None` on a cache
    /// error.
    async fn lookup_raw(
        &self,
        value_key: &str,
        generation_key: &str,
    ) -> Option<(String, Option<String>)> {
        let mut pipe = redis::pipe();
        pipe.get(generation_key).get(value_key);
        match self.pipe::<(Option<String>, Option<String>)>(&pipe).await {
            Ok((generation, value)) => Some((generation.unwrap_or_default(), value)),
            Err(error) => {
                tracing::warn!(%error, key = value_key, "cache read failed; reading through");
                None
            }
        }
    }

    async fn fill<T: Serialize>(
        &self,
        value_key: &str,
        generation_key: &str,
        generation: &str,
        value: &T,
        ttl: Duration,
    ) {
        let json = match serde_json::to_string(value) {
            Ok(json) => json,
            Err(error) => {
                tracing::warn!(%error, key = value_key, "cannot encode a cache entry");
                return;
            }
        };
        if let Err(error) = self
            .guarded_fill(value_key, generation_key, generation, &json, ttl)
            .await
        {
            tracing::warn!(%error, key = value_key, "cache fill failed");
        }
    }

    /// Reads the entity `kind`/`id` through the cache.
    pub(crate) async fn entity<T, F>(&self, kind: Kind, id: Uuid, load: F) -> Result<Option<T>>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Future<Output = Result<Option<T>>> + Send,
    {
        if !self.usable().await {
            return load.await;
        }
        let (value_key, generation_key) = self.keys.entity(kind, id);
        let Some((generation, value)) = self.lookup_raw(&value_key, &generation_key).await else {
            return load.await;
        };
        self.entity_or_load(kind, id, &generation, value, load)
            .await
    }

    /// The cached entity read as `value` (under `generation`), or on a miss
    /// the loaded one, filled under the same guard.
    async fn entity_or_load<T, F>(
        &self,
        kind: Kind,
        id: Uuid,
        generation: &str,
        value: Option<String>,
        load: F,
    ) -> Result<Option<T>>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Future<Output = Result<Option<T>>> + Send,
    {
        let (value_key, generation_key) = self.keys.entity(kind, id);
        if let Some(hit) = Self::decode_entity(&value_key, value) {
            return Ok(Some(hit));
        }
        let loaded = load.await?;
        if let Some(row) = &loaded {
            self.fill(&value_key, &generation_key, generation, row, self.ttl(kind))
                .await;
        }
        Ok(loaded)
    }

    /// The user who owns creator profile `creator`, if this cache has seen
    /// the profile.
    pub(crate) fn owner_of(&self, creator: Uuid) -> Option<Uuid> {
        self.owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&creator)
            .copied()
    }

    /// Remembers that `owner` owns creator profile `creator` (or forgets the
    /// profile, with `None`: it is gone).
    pub(crate) fn learn_owner(&self, creator: Uuid, owner: Option<Uuid>) {
        let mut owners = self
            .owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match owner {
            Some(owner) => {
                if owners.len() >= MAX_OWNERS && !owners.contains_key(&creator) {
                    // Starting over costs one more round trip per profile,
                    // once; an unbounded map would grow with the catalogue.
                    owners.clear();
                }
                owners.insert(creator, owner);
            }
            None => {
                owners.remove(&creator);
            }
        }
    }

    /// Reads a creator's page, the profile `creator` of user `owner` with
    /// the owner and the three lists, in one round trip (each miss is
    /// loaded and filled on its own). `Ok(None)` when the profile is gone;
    /// `Err` only from a load.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn creator_page<P, U, S, K, F, LP, LU, LS, LK, LF>(
        &self,
        creator: Uuid,
        owner: Uuid,
        profile: LP,
        user: LU,
        skills: LS,
        categories: LK,
        portfolio: LF,
    ) -> Result<Option<CreatorPage<P, U, S, K, F>>>
    where
        P: Serialize + DeserializeOwned + Send,
        U: Serialize + DeserializeOwned + Send,
        S: Serialize + DeserializeOwned + Send,
        K: Serialize + DeserializeOwned + Send,
        F: Serialize + DeserializeOwned + Send,
        LP: Future<Output = Result<Option<P>>> + Send,
        LU: Future<Output = Result<Option<U>>> + Send,
        LS: Future<Output = Result<Vec<S>>> + Send,
        LK: Future<Output = Result<Vec<K>>> + Send,
        LF: Future<Output = Result<Vec<F>>> + Send,
    {
        let (profile_key, profile_generation) = self.keys.entity(Kind::Creator, creator);
        let (user_key, user_generation) = self.keys.entity(Kind::User, owner);
        let mut pipe = redis::pipe();
        pipe.get(&profile_generation)
            .get(&profile_key)
            .get(&user_generation)
            .get(&user_key)
            .get(self.keys.parts_epoch())
            .get(self.keys.parts_generation(creator));
        for part in Part::ALL {
            pipe.get(self.keys.part(part, creator));
        }
        let read = if self.usable().await {
            match self.pipe::<Vec<Option<String>>>(&pipe).await {
                Ok(values) => split_page(values),
                Err(error) => {
                    tracing::warn!(%error, "cache read failed; reading through");
                    None
                }
            }
        } else {
            None
        };
        let Some(read) = read else {
            // Read through, without filling: the cache is unusable.
            let Some(profile) = profile.await? else {
                return Ok(None);
            };
            return Ok(Some(CreatorPage {
                profile,
                owner: user.await?,
                skills: skills.await?,
                categories: categories.await?,
                portfolio: portfolio.await?,
            }));
        };
        let ((pg, pv), (ug, uv), (epoch, generation), (s, k, f)) = read;
        let pg = pg.unwrap_or_default();
        let Some(profile) = self
            .entity_or_load(Kind::Creator, creator, &pg, pv, profile)
            .await?
        else {
            return Ok(None);
        };
        let ug = ug.unwrap_or_default();
        let owner = self
            .entity_or_load(Kind::User, owner, &ug, uv, user)
            .await?;
        let epoch = epoch.unwrap_or_else(|| "0".to_owned());
        let generation = generation.unwrap_or_default();
        let (skills, categories, portfolio) = self
            .lists_or_load(
                creator,
                &epoch,
                &generation,
                (s, k, f),
                (skills, categories, portfolio),
            )
            .await?;
        Ok(Some(CreatorPage {
            profile,
            owner,
            skills,
            categories,
            portfolio,
        }))
    }

    /// Reads one of a creator's lists through the cache.
    pub(crate) async fn creator_part<T, F>(
        &self,
        part: Part,
        creator: Uuid,
        load: F,
    ) -> Result<Vec<T>>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Future<Output = Result<Vec<T>>> + Send,
    {
        if !self.usable().await {
            return load.await;
        }
        let value_key = self.keys.part(part, creator);
        let generation_key = self.keys.parts_generation(creator);
        let mut pipe = redis::pipe();
        pipe.get(self.keys.parts_epoch())
            .get(&generation_key)
            .get(&value_key);
        type Read = (Option<String>, Option<String>, Option<String>);
        let (epoch, generation, value) = match self.pipe::<Read>(&pipe).await {
            Ok(read) => read,
            Err(error) => {
                tracing::warn!(%error, key = value_key, "cache read failed; reading through");
                return load.await;
            }
        };
        let epoch = epoch.unwrap_or_else(|| "0".to_owned());
        let generation = generation.unwrap_or_default();
        self.part_or_load(part, creator, &epoch, &generation, value, load)
            .await
    }

    /// The rows of a list value read under `epoch`, or `None` (a miss).
    fn decode_part<T: DeserializeOwned>(
        key: &str,
        epoch: &str,
        value: Option<String>,
    ) -> Option<Vec<T>> {
        match serde_json::from_str::<Epoched<Vec<T>>>(&value?) {
            Ok(hit) if hit.epoch == epoch => Some(hit.rows),
            // Filled before a delete somewhere: stale for all we know.
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, key, "undecodable cache entry; treating as a miss");
                None
            }
        }
    }

    /// The cached list read as `value` (under `epoch` and `generation`), or
    /// on a miss the loaded one, filled under the same guards.
    async fn part_or_load<T, F>(
        &self,
        part: Part,
        creator: Uuid,
        epoch: &str,
        generation: &str,
        value: Option<String>,
        load: F,
    ) -> Result<Vec<T>>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Future<Output = Result<Vec<T>>> + Send,
    {
        let value_key = self.keys.part(part, creator);
        if let Some(hit) = Self::decode_part(&value_key, epoch, value) {
            return Ok(hit);
        }
        let loaded = load.await?;
        let value = EpochedRef {
            epoch,
            rows: &loaded,
        };
        self.fill(
            &value_key,
            &self.keys.parts_generation(creator),
            generation,
            &value,
            self.ttls.profile,
        )
        .await;
        Ok(loaded)
    }

    /// Reads a creator's three lists through the cache in one round trip
    /// (each miss is loaded and filled on its own).
    pub(crate) async fn creator_parts<S, K, P, FS, FK, FP>(
        &self,
        creator: Uuid,
        skills: FS,
        categories: FK,
        portfolio: FP,
    ) -> Result<(Vec<S>, Vec<K>, Vec<P>)>
    where
        S: Serialize + DeserializeOwned + Send,
        K: Serialize + DeserializeOwned + Send,
        P: Serialize + DeserializeOwned + Send,
        FS: Future<Output = Result<Vec<S>>> + Send,
        FK: Future<Output = Result<Vec<K>>> + Send,
        FP: Future<Output = Result<Vec<P>>> + Send,
    {
        if !self.usable().await {
            return Ok((skills.await?, categories.await?, portfolio.await?));
        }
        let mut pipe = redis::pipe();
        pipe.get(self.keys.parts_epoch())
            .get(self.keys.parts_generation(creator));
        for part in Part::ALL {
            pipe.get(self.keys.part(part, creator));
        }
        type Read = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let (epoch, generation, s, k, p) = match self.pipe::<Read>(&pipe).await {
            Ok(read) => read,
            Err(error) => {
                tracing::warn!(%error, "cache read failed; reading through");
                return Ok((skills.await?, categories.await?, portfolio.await?));
            }
        };
        let epoch = epoch.unwrap_or_else(|| "0".to_owned());
        let generation = generation.unwrap_or_default();
        self.lists_or_load(
            creator,
            &epoch,
            &generation,
            (s, k, p),
            (skills, categories, portfolio),
        )
        .await
    }

    /// A creator's three lists as one pipeline read them (under `epoch` and
    /// `generation`), each miss loaded and filled on its own.
    async fn lists_or_load<S, K, P, FS, FK, FP>(
        &self,
        creator: Uuid,
        epoch: &str,
        generation: &str,
        (s, k, p): Lists,
        (skills, categories, portfolio): (FS, FK, FP),
    ) -> Result<(Vec<S>, Vec<K>, Vec<P>)>
    where
        S: Serialize + DeserializeOwned + Send,
        K: Serialize + DeserializeOwned + Send,
        P: Serialize + DeserializeOwned + Send,
        FS: Future<Output = Result<Vec<S>>> + Send,
        FK: Future<Output = Result<Vec<K>>> + Send,
        FP: Future<Output = Result<Vec<P>>> + Send,
    {
        Ok((
            self.part_or_load(Part::Skills, creator, epoch, generation, s, skills)
                .await?,
            self.part_or_load(Part::Categories, creator, epoch, generation, k, categories)
                .await?,
            self.part_or_load(Part::Portfolio, creator, epoch, generation, p, portfolio)
                .await?,
        ))
    }

    /// Reads a session by token hash through the cache; `id_of` names the
    /// session row so writers can find the hashes cached for it.
    pub(crate) async fn session<T, F>(
        &self,
        hash: &str,
        id_of: fn(&T) -> Uuid,
        load: F,
    ) -> Result<Option<T>>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Future<Output = Result<Option<T>>> + Send,
    {
        if !self.usable().await {
            return load.await;
        }
        let epoch = match self.session_epoch().await {
            Ok(epoch) => epoch,
            Err(error) => {
                tracing::warn!(%error, "cache read failed; reading through");
                return load.await;
            }
        };
        let (value_key, generation_key) = self.keys.session(&epoch, hash);
        let Some((generation, cached)) = self.lookup::<T>(&value_key, &generation_key).await else {
            return load.await;
        };
        if let Some(hit) = cached {
            return Ok(Some(hit));
        }
        let loaded = load.await?;
        if let Some(row) = &loaded {
            // Record the hash under the id before filling, so a writer that
            // deletes the row by id finds it.
            let id_key = self.keys.session_id(id_of(row));
            let mut pipe = redis::pipe();
            pipe.atomic()
                .sadd(&id_key, hash)
                .ignore()
                .expire(&id_key, GUARD_TTL_SECS as i64)
                .ignore();
            match self.pipe::<()>(&pipe).await {
                Ok(()) => {
                    self.fill(
                        &value_key,
                        &generation_key,
                        &generation,
                        row,
                        self.ttls.session,
                    )
                    .await
                }
                Err(error) => tracing::warn!(%error, "cache fill failed"),
            }
        }
        Ok(loaded)
    }

    /// Reads search results through the cache, keyed by the kind's
    /// generation and a hash of the query.
    pub(crate) async fn search<Q, T, F>(
        &self,
        kind: SearchKind,
        query: &Q,
        load: F,
    ) -> Result<Vec<T>>
    where
        Q: Serialize + Sync,
        T: Serialize + DeserializeOwned + Send,
        F: Future<Output = Result<Vec<T>>> + Send,
    {
        if !self.usable().await {
            return load.await;
        }
        let Ok(query_json) = serde_json::to_vec(query) else {
            return load.await;
        };
        let query_hash = hex::encode(Sha256::digest(&query_json));
        let generation_key = self.keys.search_generation(kind);
        let generation: Option<String> = match self
            .query(&redis::cmd("GET").arg(&generation_key).to_owned())
            .await
        {
            Ok(generation) => generation,
            Err(error) => {
                tracing::warn!(%error, "cache read failed; reading through");
                return load.await;
            }
        };
        let generation = generation.unwrap_or_else(|| "0".to_owned());
        let key = self.keys.search(kind, &generation, &query_hash);
        match self
            .query::<Option<String>>(&redis::cmd("GET").arg(&key).to_owned())
            .await
        {
            Ok(Some(json)) => match serde_json::from_str(&json) {
                Ok(hit) => return Ok(hit),
                Err(error) => tracing::warn!(%error, key, "undecodable cache entry"),
            },
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "cache read failed; reading through");
                return load.await;
            }
        }
        let loaded = load.await?;
        // A stale fill lands under the old generation, which no reader uses
        // once the writer replaced it.
        if let Ok(json) = serde_json::to_string(&loaded) {
            let cmd = redis::cmd("SET")
                .arg(&key)
                .arg(json)
                .arg("EX")
                .arg(secs(self.ttls.search))
                .to_owned();
            if let Err(error) = self.query::<()>(&cmd).await {
                tracing::warn!(%error, "cache fill failed");
            }
        }
        Ok(loaded)
    }
}

#[cfg(test)]
mod tests {
    use reelbyte_core::ids::{GigId, UserId};
    use reelbyte_core::store::{ChangeSet, Counter, RowKey, Table, Write};

    use super::*;

    #[test]
    fn cached_values_never_outlive_their_guards() {
        assert_eq!(secs(Duration::from_millis(10)), 1);
        assert_eq!(secs(Duration::from_secs(300)), 300);
        assert_eq!(
            secs(Duration::from_secs(30 * 24 * 3600)),
            GUARD_TTL_SECS,
            "a month-long TTL is cut to the guards' lifetime"
        );
    }

    #[test]
    fn counters_and_deletes_name_their_rows_and_searches() {
        let gig = GigId::new();
        let user = UserId::new();
        let session = Uuid::new_v4();
        let mut changes = ChangeSet::new();
        changes.count(Counter::GigViews(gig), 1);
        changes.writes.push(Write::Delete {
            table: Table::Users,
            key: RowKey::Id(user.as_uuid()),
            expected_version: Some(1),
        });
        changes.writes.push(Write::Delete {
            table: Table::UserSessions,
            key: RowKey::Id(session),
            expected_version: Some(1),
        });
        changes.writes.push(Write::Check {
            table: Table::Contracts,
            key: RowKey::Id(Uuid::new_v4()),
            expected_version: 1,
        });
        let found: Vec<_> = invalidations(&changes).into_iter().collect();
        let mut expected = vec![
            Invalidation::Entity(Kind::User, user.as_uuid()),
            Invalidation::Entity(Kind::Gig, gig.as_uuid()),
            Invalidation::SessionId(session),
            Invalidation::Search(SearchKind::Gigs),
            // A deleted user takes its creator's lists with it, and a
            // delete does not say which creator.
            Invalidation::AllCreatorParts,
        ];
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn keys_share_a_hash_tag_with_their_generation() {
        let keys = Keys::new("reelbyte");
        let id = Uuid::nil();
        let (value, generation) = keys.entity(Kind::Gig, id);
        assert_eq!(value, format!("reelbyte:gig:{{{id}}}"));
        assert_eq!(generation, format!("reelbyte:gig:{{{id}}}:gen"));
        let (value, generation) = keys.session("e1", "abc");
        assert_eq!(value, "reelbyte:session:e1:{abc}");
        assert_eq!(generation, "reelbyte:session:{abc}:gen");
    }
}

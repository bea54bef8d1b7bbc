//! The typo fallback's vocabulary lookup on PostgreSQL
//! (`DiscoveryRepo::spelling_candidates`). The rule (which keys, which
//! candidate wins) is [`reelbyte_core::spelling`], re-exported here; this
//! store keeps the vocabulary in `search_words` (migration 0018).

pub use reelbyte_core::spelling::*;

/// The vocabulary lookup: the distinct words filed under any of the keys
/// (`$1`, from [`lookup_keys`]), at most `$2` ([`MAX_CANDIDATES`]) of them,
/// the first in sorted order as [`candidates`] keeps them. One probe of the
/// primary key per key.
pub const LOOKUP: &str = "SELECT DISTINCT word FROM search_words \
     WHERE variant = ANY($1) ORDER BY word LIMIT $2";

//! Deleting everything written under a key prefix.

use redis::aio::ConnectionLike;

/// How many keys one `SCAN` step asks for.
const SCAN_COUNT: usize = 1000;

/// Deletes every key that [`crate::CachedStore`] and [`crate::RedisRealtime`]
/// wrote under `prefix`, and returns how many were deleted.
///
/// Their keys are `<prefix>:...`, or `{<prefix>:...}...` where a key is
/// tagged to share a hash slot, so both shapes are deleted. A prefix that
/// extends this one after a colon (`<prefix>:tenant`) is deleted with it;
/// one that merely starts with the same characters (`<prefix>-old`) is not.
///
/// Keys are found with `SCAN` and removed with `UNLINK`, so Redis never
/// blocks on a long `KEYS`; a key written while the scan runs may survive.
/// Meant for tearing down a tenant, a test or a benchmark run, not for a
/// live deployment's own prefix: its projections would have to be rebuilt.
///
/// `SCAN` walks one server's keys. On a Redis Cluster, call it with a
/// connection to each primary node in turn, not with a cluster
/// connection, which would send each step to whichever node it picks.
///
/// ```no_run
/// # async fn demo() -> redis::RedisResult<()> {
/// let mut conn = reelbyte_redis::connect("redis://127.0.0.1:6379").await?;
/// let deleted = reelbyte_redis::forget_prefix(&mut conn, "reelbyte-staging").await?;
/// println!("{deleted} keys deleted");
/// # Ok(())
/// # }
/// ```
pub async fn forget_prefix<C: ConnectionLike + Send>(
    conn: &mut C,
    prefix: &str,
) -> redis::RedisResult<u64> {
    let literal = glob_literal(prefix);
    let mut deleted = 0;
    for pattern in [format!("{literal}:*"), format!("\\{{{literal}:*")] {
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .query_async(conn)
                .await?;
            if !keys.is_empty() {
                let unlinked: u64 = redis::cmd("UNLINK").arg(&keys).query_async(conn).await?;
                deleted += unlinked;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(deleted)
}

/// `text` as a `SCAN MATCH` pattern that matches only itself.
fn glob_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::glob_literal;

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(glob_literal("reelbyte"), "reelbyte");
        assert_eq!(glob_literal("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}

//! [`Store::apply`](reelbyte_core::store::Store::apply): one transaction per
//! change set, with the semantics of the memory store.

use std::time::Duration;

use reelbyte_core::error::{Error, Result};
use reelbyte_core::store::{Counter, Record, RowKey, Table, Write};
use sqlx::postgres::PgPool;
use sqlx::{AssertSqlSafe, PgConnection};

use crate::codec::{self, Row};
use crate::error;
use crate::fault::{FaultHook, FaultPoint, FaultSite};

/// How many times a change set runs when it keeps meeting serialization
/// failures or deadlocks.
const MAX_ATTEMPTS: u32 = 5;

/// Why one attempt failed: the change set was refused (final), or the
/// database failed (maybe worth a retry).
enum Failure {
    Refused(Error),
    Db(Option<Table>, sqlx::Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Refused(error)
    }
}

fn db(table: Table) -> impl FnOnce(sqlx::Error) -> Failure {
    move |e| Failure::Db(Some(table), e)
}

/// Applies `writes` in one transaction, retrying transient failures.
pub(crate) async fn apply(pool: &PgPool, writes: &[Write], hook: Option<&FaultHook>) -> Result<()> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match apply_once(pool, writes, hook).await {
            Ok(()) => return Ok(()),
            Err(Failure::Refused(error)) => return Err(error),
            Err(Failure::Db(_, e)) if error::is_retryable(&e) && attempt < MAX_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
            }
            Err(Failure::Db(table, e)) => return Err(error::map(table, e)),
        }
    }
}

/// Awaits the test's fault hook, when one is installed.
async fn fault(hook: Option<&FaultHook>, backend_pid: i32, writes: usize, point: FaultPoint) {
    if let Some(hook) = hook {
        hook(FaultSite {
            point,
            backend_pid,
            writes,
        })
        .await;
    }
}

async fn apply_once(
    pool: &PgPool,
    writes: &[Write],
    hook: Option<&FaultHook>,
) -> Result<(), Failure> {
    let mut tx = pool.begin().await.map_err(|e| Failure::Db(None, e))?;
    // Only a test with a fault hook asks which backend runs the transaction.
    let backend_pid = match hook {
        Some(_) => sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| Failure::Db(None, e))?,
        None => 0,
    };
    let total = writes.len();
    for (index, write) in writes.iter().enumerate() {
        fault(hook, backend_pid, total, FaultPoint::Statement { index }).await;
        match write {
            Write::Insert(record) => insert(&mut tx, record).await?,
            Write::Update {
                record,
                expected_version,
            } => update(&mut tx, record, *expected_version).await?,
            Write::Delete {
                table,
                key,
                expected_version,
            } => delete(&mut tx, *table, key, *expected_version).await?,
            Write::Check {
                table,
                key,
                expected_version,
            } => check(&mut tx, *table, key, *expected_version).await?,
            Write::Count { counter, delta } => count(&mut tx, *counter, *delta).await?,
        }
    }
    fault(hook, backend_pid, total, FaultPoint::Commit).await;
    // Deferred foreign keys and the ledger balance trigger run here.
    tx.commit().await.map_err(|e| Failure::Db(None, e))?;
    fault(hook, backend_pid, total, FaultPoint::Committed).await;
    Ok(())
}

/// Quotes a column name (they come from serde field names, never input).
fn quoted(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn columns(row: &Row) -> Vec<&str> {
    row.keys().map(String::as_str).collect()
}

/// Binds a row key.
fn bind_key<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    key: &RowKey,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    match key {
        RowKey::Id(id) => query.bind(*id),
        RowKey::Name(name) => query.bind(name.clone()),
    }
}

async fn insert(conn: &mut PgConnection, record: &Record) -> Result<(), Failure> {
    let table = record.table();
    let row = codec::encode(record)?;
    let cols = quoted(&columns(&row));
    let sql = format!(
        "INSERT INTO {t} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{t}, $1)",
        t = table.name()
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(serde_json::Value::Object(row))
        .execute(conn)
        .await
        .map_err(db(table))?;
    Ok(())
}

/// The version of the row `key` of `table`, locked against concurrent
/// change until the transaction ends; `None` when there is no such row.
async fn current_version(
    conn: &mut PgConnection,
    table: Table,
    key: &RowKey,
) -> Result<Option<i64>, Failure> {
    let version = if table.versioned() {
        "version"
    } else {
        "0::bigint"
    };
    let sql = format!(
        "SELECT {version} FROM {t} WHERE {k} = $1 FOR SHARE",
        t = table.name(),
        k = codec::key_column(table)
    );
    let query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
    let query = match key {
        RowKey::Id(id) => query.bind(*id),
        RowKey::Name(name) => query.bind(name.clone()),
    };
    query.fetch_optional(conn).await.map_err(db(table))
}

fn version_conflict(table: Table, expected: i64, found: i64) -> Error {
    Error::conflict(
        table.name(),
        format!("read at version {expected}, now at version {found}"),
    )
}

async fn update(conn: &mut PgConnection, record: &Record, expected: i64) -> Result<(), Failure> {
    let table = record.table();
    let key = record.row_key();
    if !table.versioned() && expected != 0 {
        return match current_version(conn, table, &key).await? {
            None => Err(Error::not_found(table.name()).into()),
            Some(found) => Err(version_conflict(table, expected, found).into()),
        };
    }
    if table.versioned() && Some(record.version()) != expected.checked_add(1) {
        return Err(Error::validation(
            "version",
            format!(
                "an update of {} read at version {expected} must carry version {}",
                table.name(),
                expected.saturating_add(1),
            ),
        )
        .into());
    }
    let row = codec::encode(record)?;
    let key_column = codec::key_column(table);
    let counters = codec::counter_columns(table);
    let set: Vec<&str> = columns(&row)
        .into_iter()
        .filter(|c| *c != key_column && !counters.contains(c))
        .collect();
    let cols = quoted(&set);
    let version_guard = if table.versioned() {
        " AND version = $3"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE {t} SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{t}, $1)) \
         WHERE {key_column} = $2{version_guard}",
        t = table.name()
    );
    let query = bind_key(
        sqlx::query(AssertSqlSafe(sql)).bind(serde_json::Value::Object(row)),
        &key,
    );
    let query = if table.versioned() {
        query.bind(expected)
    } else {
        query
    };
    let done = query.execute(&mut *conn).await.map_err(db(table))?;
    if done.rows_affected() == 0 {
        return match current_version(conn, table, &key).await? {
            None => Err(Error::not_found(table.name()).into()),
            Some(found) => Err(version_conflict(table, expected, found).into()),
        };
    }
    Ok(())
}

async fn delete(
    conn: &mut PgConnection,
    table: Table,
    key: &RowKey,
    expected: Option<i64>,
) -> Result<(), Failure> {
    let guarded = table.versioned() && expected.is_some();
    if !table.versioned()
        && let Some(expected) = expected.filter(|v| *v != 0)
    {
        return match current_version(conn, table, key).await? {
            None => Err(Error::not_found(table.name()).into()),
            Some(found) => Err(version_conflict(table, expected, found).into()),
        };
    }
    let sql = format!(
        "DELETE FROM {t} WHERE {k} = $1{guard}",
        t = table.name(),
        k = codec::key_column(table),
        guard = if guarded { " AND version = $2" } else { "" }
    );
    let query = bind_key(sqlx::query(AssertSqlSafe(sql)), key);
    let query = match expected {
        Some(v) if guarded => query.bind(v),
        _ => query,
    };
    let done = query.execute(&mut *conn).await.map_err(db(table))?;
    if done.rows_affected() == 0 {
        return match (current_version(conn, table, key).await?, expected) {
            (Some(found), Some(expected)) => Err(version_conflict(table, expected, found).into()),
            _ => Err(Error::not_found(table.name()).into()),
        };
    }
    Ok(())
}

async fn check(
    conn: &mut PgConnection,
    table: Table,
    key: &RowKey,
    expected: i64,
) -> Result<(), Failure> {
    match current_version(conn, table, key).await? {
        // The command read this row, so its disappearance is a lost race.
        None => Err(Error::conflict(
            table.name(),
            format!("the row read at version {expected} was deleted"),
        )
        .into()),
        Some(found) if found != expected => Err(version_conflict(table, expected, found).into()),
        Some(_) => Ok(()),
    }
}

async fn count(conn: &mut PgConnection, counter: Counter, delta: i64) -> Result<(), Failure> {
    let (table, key) = counter.row();
    let column = counter.column();
    let sql = format!(
        "UPDATE {t} SET {column} = GREATEST(COALESCE({column}, 0)::bigint + $1, 0) WHERE id = $2",
        t = table.name()
    );
    let result = bind_key(sqlx::query(AssertSqlSafe(sql)).bind(delta), &key)
        .execute(conn)
        .await;
    match result {
        Ok(done) if done.rows_affected() == 0 => Err(Error::not_found(table.name()).into()),
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("22003") => {
            Err(Error::validation("counter", "counter overflow").into())
        }
        Err(e) => Err(Failure::Db(Some(table), e)),
    }
}

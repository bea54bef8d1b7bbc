//! [`Store::apply`](reelbyte_core::store::Store::apply): one transaction per
//! change set, with the semantics of the memory store.
//!
//! The change set travels as one jsonb array to the `reelbyte_apply`
//! function of migration 0016, which performs the writes in order. The
//! call is one statement in autocommit mode, so a change set costs one
//! round trip, however many writes it holds. Most change sets skip the
//! function's dynamic SQL: [`crate::fused`] sends them as one prepared
//! statement. Consecutive inserts into one table with the same columns go as one
//! operation (`jsonb_populate_recordset`). A guard the function refuses
//! comes back as SQLSTATE `RB001` with a JSON message, mapped here to the
//! same typed errors the statement-per-write adapter returned.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reelbyte_core::error::{Error, Result};
use reelbyte_core::store::{Counter, Record, RowKey, Table, Write};
use serde_json::{Map, Value, json};
use sqlx::postgres::PgPool;

use crate::ApplyPaths;
use crate::codec;
use crate::error;
use crate::fault::{FaultHook, FaultPoint, FaultSite};
use crate::fused;
use crate::lease::Lease;

/// How many times a change set runs when it keeps meeting serialization
/// failures or deadlocks.
const MAX_ATTEMPTS: u32 = 5;

/// SQLSTATE of a guard the function refused (see migration 0016).
const REFUSED: &str = "RB001";

/// Why one attempt failed: the change set was refused (final), or the
/// database failed (maybe worth a retry).
enum Failure {
    Refused(Error),
    /// The plan's own refusal (an unencodable write) after its predecessors ran.
    Planned,
    Db(sqlx::Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Refused(error)
    }
}

/// The function's operations for `writes`, and the error of the first
/// write that cannot be encoded (its predecessors still run first, so that
/// a refusal of an earlier write wins, as when every write was a
/// statement).
struct Plan {
    ops: Vec<Value>,
    refused: Option<Error>,
}

/// Counts of the change sets applied each way.
#[derive(Debug, Default)]
pub(crate) struct PathCounters {
    statement: AtomicU64,
    function: AtomicU64,
}

impl PathCounters {
    pub(crate) fn snapshot(&self) -> ApplyPaths {
        ApplyPaths {
            statement: self.statement.load(Ordering::Relaxed),
            function: self.function.load(Ordering::Relaxed),
        }
    }
}

/// Applies `writes` in one transaction, retrying transient failures.
pub(crate) async fn apply(
    pool: &PgPool,
    lease: &Lease,
    writes: &[Write],
    hook: Option<&FaultHook>,
    paths: &PathCounters,
) -> Result<()> {
    let Plan { ops, refused } = plan(writes);
    // The crash tests stop a transaction between its statement and its
    // commit, which only the function's explicit transaction has.
    if refused.is_none()
        && hook.is_none()
        && let Some((sql, params)) = fused::statement(&ops)
    {
        // A refused statement wrote nothing; the function below runs the
        // same writes and answers with the exact typed error.
        if fused::run(lease, sql, params).await.map_err(map_error)? {
            paths.statement.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
    }
    paths.function.fetch_add(1, Ordering::Relaxed);
    let ops = Value::Array(ops);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match apply_once(pool, &ops, refused.is_some(), writes.len(), hook).await {
            Ok(()) => return Ok(()),
            Err(Failure::Refused(error)) => return Err(error),
            Err(Failure::Planned) => {
                return Err(refused.unwrap_or_else(|| Error::validation("row", "refused")));
            }
            Err(Failure::Db(e)) if error::is_retryable(&e) && attempt < MAX_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
            }
            Err(Failure::Db(e)) => return Err(map_error(e)),
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
    ops: &Value,
    refused: bool,
    writes: usize,
    hook: Option<&FaultHook>,
) -> Result<(), Failure> {
    if hook.is_none() && !refused {
        // One statement is one transaction: sent outside BEGIN/COMMIT, it
        // commits (deferred foreign keys and the ledger balance trigger
        // included) or rolls back whole on the server, in one round trip.
        // The explicit transaction below is for a plan that must roll back
        // after its writes ran, and for the crash tests, which stop the
        // connection between the statement and its commit.
        sqlx::query("SELECT reelbyte_apply($1)")
            .bind(ops)
            .execute(pool)
            .await
            .map_err(Failure::Db)?;
        return Ok(());
    }
    let mut tx = pool.begin().await.map_err(Failure::Db)?;
    // Only a test with a fault hook asks which backend runs the transaction.
    let backend_pid = match hook {
        Some(_) => sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
            .fetch_one(&mut *tx)
            .await
            .map_err(Failure::Db)?,
        None => 0,
    };
    fault(
        hook,
        backend_pid,
        writes,
        FaultPoint::Statement { index: 0 },
    )
    .await;
    if ops.as_array().is_some_and(|o| !o.is_empty()) {
        sqlx::query("SELECT reelbyte_apply($1)")
            .bind(ops)
            .execute(&mut *tx)
            .await
            .map_err(Failure::Db)?;
    }
    if refused {
        // Dropping the transaction rolls it back.
        return Err(Failure::Planned);
    }
    fault(hook, backend_pid, writes, FaultPoint::Commit).await;
    // Deferred foreign keys and the ledger balance trigger run here.
    tx.commit().await.map_err(Failure::Db)?;
    fault(hook, backend_pid, writes, FaultPoint::Committed).await;
    Ok(())
}

/// The operations of `writes`, in order (see migration 0016 for their
/// shape).
fn plan(writes: &[Write]) -> Plan {
    let mut ops: Vec<Value> = Vec::with_capacity(writes.len());
    for write in writes {
        let op = match write {
            Write::Insert(record) => match insert(&mut ops, record) {
                Ok(None) => continue,
                other => other.map(|op| op.unwrap_or(Value::Null)),
            },
            Write::Update {
                record,
                expected_version,
                before,
            } => update(record, *expected_version, before.as_deref()),
            Write::Delete {
                table,
                key,
                expected_version,
            } => Ok(delete(*table, key, *expected_version)),
            Write::Check {
                table,
                key,
                expected_version,
            } => Ok(keyed("check", *table, key, json!(expected_version))),
            Write::Count { counter, delta } => Ok(count(*counter, *delta)),
        };
        match op {
            Ok(op) => ops.push(op),
            Err(error) => {
                return Plan {
                    ops,
                    refused: Some(error),
                };
            }
        }
    }
    Plan { ops, refused: None }
}

/// The key of a row as the function reads it: text, cast to the column's
/// type in SQL.
fn key_text(key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => id.to_string(),
        RowKey::Name(name) => name.clone(),
    }
}

/// An operation on one row of `table`.
fn keyed(op: &str, table: Table, key: &RowKey, expected: Value) -> Value {
    Value::Object(keyed_fields(op, table, key, expected))
}

/// The fields of [`keyed`], for operations that add their own. Built field
/// by field: `json!` would serialise every value into a copy.
fn keyed_fields(op: &str, table: Table, key: &RowKey, expected: Value) -> Map<String, Value> {
    let key_type = match key {
        RowKey::Id(_) => "uuid",
        RowKey::Name(_) => "text",
    };
    let mut fields = Map::new();
    fields.insert("op".into(), op.into());
    fields.insert("table".into(), table.name().into());
    fields.insert("key_column".into(), codec::key_column(table).into());
    fields.insert("key_type".into(), key_type.into());
    fields.insert("key".into(), key_text(key).into());
    fields.insert("expected".into(), expected);
    fields.insert("versioned".into(), table.versioned().into());
    fields
}

/// Adds `record` to the previous insert when that one goes into the same
/// table with the same columns (returns `None`); otherwise a new operation.
fn insert(ops: &mut [Value], record: &Record) -> Result<Option<Value>> {
    let table = record.table();
    let row = codec::encode(record)?;
    if let Some(last) = ops.last_mut()
        && last["op"] == "insert"
        && last["table"] == table.name()
        && last["columns"]
            .as_array()
            .is_some_and(|c| c.len() == row.len() && c.iter().zip(row.keys()).all(|(a, b)| a == b))
        && let Some(Value::Array(rows)) = last.get_mut("rows")
    {
        rows.push(Value::Object(row));
        return Ok(None);
    }
    let columns: Vec<Value> = row.keys().map(|c| Value::String(c.clone())).collect();
    // Built field by field: `json!` would serialise the row into a copy.
    let mut op = Map::new();
    op.insert("op".into(), "insert".into());
    op.insert("table".into(), table.name().into());
    op.insert("columns".into(), Value::Array(columns));
    op.insert("rows".into(), Value::Array(vec![Value::Object(row)]));
    Ok(Some(Value::Object(op)))
}

/// The update of `record`, read at version `expected`. On a versioned
/// table with the row as read (`before`), only the columns that differ
/// from it are written: the version guard means the stored row is `before`,
/// so the result is the same row, and PostgreSQL converts and the wire
/// carries a few columns instead of all of them.
fn update(record: &Record, expected: i64, before: Option<&Record>) -> Result<Value> {
    let table = record.table();
    let key = record.row_key();
    if !table.versioned() && expected != 0 {
        return Ok(keyed("refuse", table, &key, json!(expected)));
    }
    if table.versioned() && Some(record.version()) != expected.checked_add(1) {
        return Err(Error::validation(
            "version",
            format!(
                "an update of {} read at version {expected} must carry version {}",
                table.name(),
                expected.saturating_add(1),
            ),
        ));
    }
    let mut row = codec::encode(record)?;
    let key_column = codec::key_column(table);
    let counters = codec::counter_columns(table);
    if let Some(before) = before.filter(|b| {
        table.versioned() && b.table() == table && b.row_key() == key && b.version() == expected
    }) {
        match record.changed_fields(before) {
            // Compared typed by the core: the row as read is not encoded.
            Some(changed) => {
                let money = codec::money_columns(table);
                row.retain(|column, _| {
                    column == "version"
                        || changed.contains(&column.as_str())
                        || money
                            .iter()
                            .any(|(field, currency)| currency == column && changed.contains(field))
                });
            }
            None => {
                let read = codec::encode(before)?;
                row.retain(|column, value| column == "version" || read.get(column) != Some(value));
            }
        }
    }
    let columns: Vec<Value> = row
        .keys()
        .filter(|c| c.as_str() != key_column && !counters.contains(&c.as_str()))
        .map(|c| Value::String(c.clone()))
        .collect();
    let mut op = keyed_fields(
        "update",
        table,
        &key,
        if table.versioned() {
            json!(expected)
        } else {
            Value::Null
        },
    );
    op.insert("columns".into(), Value::Array(columns));
    op.insert("row".into(), Value::Object(row));
    Ok(Value::Object(op))
}

fn delete(table: Table, key: &RowKey, expected: Option<i64>) -> Value {
    match expected {
        Some(expected) if !table.versioned() && expected != 0 => {
            keyed("refuse", table, key, json!(expected))
        }
        _ => keyed("delete", table, key, json!(expected)),
    }
}

fn count(counter: Counter, delta: i64) -> Value {
    let (table, key) = counter.row();
    json!({
        "op": "count",
        "table": table.name(),
        "column": counter.column(),
        "key": key_text(&key),
        "delta": delta,
    })
}

/// The typed error of a failed attempt.
fn map_error(e: sqlx::Error) -> Error {
    if let sqlx::Error::Database(db) = &e
        && db.code().as_deref() == Some(REFUSED)
    {
        return refusal(db.message());
    }
    error::map(None, e)
}

/// The core's error for the function's refusal `message` (a JSON object).
fn refusal(message: &str) -> Error {
    let details: Value = serde_json::from_str(message).unwrap_or(Value::Null);
    let table = details["table"]
        .as_str()
        .and_then(|t| Table::ALL.iter().find(|x| x.name() == t))
        .map_or("row", |t| t.name());
    let expected = details["expected"].as_i64().unwrap_or_default();
    match details["kind"].as_str() {
        Some("conflict") => Error::conflict(
            table,
            format!(
                "read at version {expected}, now at version {}",
                details["found"].as_i64().unwrap_or_default()
            ),
        ),
        // The command read this row, so its disappearance is a lost race.
        Some("deleted") => Error::conflict(
            table,
            format!("the row read at version {expected} was deleted"),
        ),
        Some("overflow") => Error::validation("counter", "counter overflow"),
        Some("not_found") => Error::not_found(table),
        _ => Error::backend(
            error::BACKEND,
            std::io::Error::other(format!("unexpected refusal: {message}")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use reelbyte_core::entities::{Conversation, CreatorCategory, EscrowAccount};
    use reelbyte_core::enums::{ConversationType, EscrowStatus};
    use reelbyte_core::ids::{
        ContractId, ConversationId, CreatorCategoryId, CreatorProfileId, EscrowAccountId,
    };
    use reelbyte_core::money::Money;
    use reelbyte_core::store::{ChangeSet, Entity};
    use reelbyte_core::value::Text;

    use super::*;

    #[test]
    fn refusals_map_to_the_core_errors() {
        let conflict = refusal(r#"{"kind":"conflict","table":"contracts","expected":3,"found":4}"#);
        assert!(matches!(conflict, Error::Conflict { .. }), "{conflict:?}");
        assert!(
            conflict
                .to_string()
                .contains("read at version 3, now at version 4")
        );
        assert!(matches!(
            refusal(r#"{"kind":"not_found","table":"gigs"}"#),
            Error::NotFound { .. }
        ));
        assert!(matches!(
            refusal(r#"{"kind":"overflow","table":"gigs"}"#),
            Error::Validation {
                field: "counter",
                ..
            }
        ));
        assert!(matches!(refusal("garbage"), Error::Backend { .. }));
    }
    fn category() -> CreatorCategory {
        CreatorCategory {
            id: CreatorCategoryId::new(),
            creator_profile_id: CreatorProfileId::new(),
            category: Text::parse("beauty").expect("valid"),
            is_primary: false,
            created_at: chrono::Utc::now(),
            version: 7,
        }
    }

    fn update_op<E: Entity>(after: &E, read: Option<&E>) -> Value {
        let mut changes = ChangeSet::new();
        match read {
            Some(read) => changes.update_from(read, after),
            None => changes.update(after),
        };
        let plan = plan(&changes.writes);
        assert!(plan.refused.is_none());
        plan.ops.into_iter().next().expect("one operation")
    }

    #[test]
    fn an_update_with_the_read_row_writes_only_what_changed() {
        let read = category();
        let mut after = read.clone();
        after.is_primary = true;
        let narrow = update_op(&after, Some(&read));
        assert_eq!(narrow["columns"], json!(["is_primary", "version"]));
        assert_eq!(narrow["row"], json!({"is_primary": true, "version": 8}));
        assert_eq!(narrow["expected"], json!(7));

        // Nothing changed: the version still moves.
        let same = update_op(&read, Some(&read));
        assert_eq!(same["columns"], json!(["version"]));

        // Without the read row, every column but the key is written.
        let whole = update_op(&after, None);
        assert_eq!(
            whole["columns"],
            json!([
                "category",
                "created_at",
                "creator_profile_id",
                "is_primary",
                "version"
            ])
        );
    }

    #[test]
    fn a_changed_amount_writes_its_currency_column_too() {
        let usd = |a: &str| Money::usd(a).expect("valid");
        let now = chrono::Utc::now();
        let read = EscrowAccount {
            id: EscrowAccountId::new(),
            contract_id: ContractId::new(),
            total_amount: usd("100"),
            held_amount: usd("100"),
            released_amount: usd("0"),
            refunded_amount: usd("0"),
            status: EscrowStatus::Active,
            created_at: now,
            updated_at: now,
            version: 2,
        };
        let mut released = read.clone();
        released.held_amount = usd("0");
        released.released_amount = usd("100");
        let op = update_op(&released, Some(&read));
        assert_eq!(
            op["columns"],
            json!(["currency", "held_amount", "released_amount", "version"])
        );
        assert_eq!(
            op["row"],
            json!({"currency": "USD", "held_amount": "0.00", "released_amount": "100.00", "version": 3})
        );
    }

    #[test]
    fn a_row_without_a_field_list_is_compared_column_by_column() {
        let now = chrono::Utc::now();
        let read = Conversation {
            id: ConversationId::new(),
            job_id: None,
            contract_id: None,
            conversation_type: ConversationType::Direct,
            last_message_at: None,
            created_at: now,
            version: 4,
        };
        let mut answered = read.clone();
        answered.last_message_at = Some(now);
        assert_eq!(
            Record::from(answered.clone()).changed_fields(&Record::from(read.clone())),
            None
        );
        let op = update_op(&answered, Some(&read));
        assert_eq!(op["columns"], json!(["last_message_at", "version"]));
    }
}

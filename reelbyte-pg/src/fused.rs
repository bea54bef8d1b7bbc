//! A change set as one SQL statement of data-modifying `WITH` clauses, for
//! the change sets that allow it.
//!
//! `reelbyte_apply` (migration 0016) runs each write as dynamic SQL, which
//! PostgreSQL parses and plans on every call: with eight clients running
//! gig-order lifecycles the function was 56% of the server's CPU time
//! (`perf`). The statement built here does the same writes as static SQL
//! whose text depends only on the change set's shape (tables, columns,
//! kinds of write), so sqlx prepares it once per connection and PostgreSQL
//! reuses the plan.
//!
//! All parts of one statement see the same snapshot and none sees another's
//! writes, so only change sets whose parts cannot observe each other go this
//! way: every row is written by at most one update, delete or counter, and
//! no row inserted by the set is also touched by another write. Two pairs
//! are folded into one part: a version check and a counter of one row (the
//! counter's update carries the version guard), and an update and a counter
//! of one row (the update also moves the counter; it never writes counter
//! columns itself). Anything else, and any change set this statement
//! refuses, goes to the function, which decides the exact typed error (see
//! [`crate::apply`]).

use crate::lease::Lease;
use serde_json::Value;
use sqlx::AssertSqlSafe;

use reelbyte_core::store::Table;

use crate::codec;

/// One bound parameter of the statement, borrowed from the operations:
/// sqlx encodes each one as it is bound, so the rows are never copied.
/// Cloning them, with the quoting's allocations, was about 8% of the
/// library's client CPU in a gig-order lifecycle (docs/BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Param<'a> {
    Json(&'a Value),
    Text(&'a str),
    Int(i64),
}

/// Change sets with more operations than this go to the function: each
/// statement shape is prepared and kept per connection, and bulk change
/// sets (imports, seeding) are one-offs whose plans are not worth keeping.
const MAX_OPERATIONS: usize = 48;

/// The statement for `ops` (the function's operations, see migration 0016)
/// and its parameters, or `None` when the change set needs the function.
pub(crate) fn statement(ops: &[Value]) -> Option<(String, Vec<Param<'_>>)> {
    if ops.len() > MAX_OPERATIONS {
        return None;
    }
    let plan = Planned::new(ops)?;
    let mut sql = String::from("WITH ");
    let mut params = Vec::new();
    let mut guards: Vec<String> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if plan.folded.contains(&i) {
            continue;
        }
        let part = match str_of(op, "op")? {
            "insert" => insert(op, &mut params)?,
            "update" => {
                guards.push(format!("EXISTS (SELECT 1 FROM w{i})"));
                let count = plan.count_of_update(i).map(|c| &ops[c]);
                update(op, count, &mut params)?
            }
            "delete" => {
                guards.push(format!("EXISTS (SELECT 1 FROM w{i})"));
                delete(op, &mut params)?
            }
            "check" => {
                let (part, expected) = check(op, &mut params)?;
                guards.push(format!(
                    "(SELECT version FROM w{i}) IS NOT DISTINCT FROM {expected}"
                ));
                part
            }
            "count" => {
                guards.push(format!("EXISTS (SELECT 1 FROM w{i})"));
                let check = plan.check_of_count(i).map(|k| &ops[k]);
                count(op, check, &mut params)?
            }
            _ => return None,
        };
        if params.len() > usize::from(u16::MAX) {
            return None;
        }
        if sql.len() > "WITH ".len() {
            sql.push_str(", ");
        }
        sql.push_str(&format!("w{i} AS ({part})"));
    }
    if sql.len() == "WITH ".len() {
        return None;
    }
    // A refused guard raises, so the statement changes nothing.
    let all = if guards.is_empty() {
        "true".to_string()
    } else {
        guards.join(" AND ")
    };
    sql.push_str(&format!(
        " SELECT CASE WHEN {all} THEN NULL \
         ELSE reelbyte_refused('{{\"kind\": \"guard\"}}'::jsonb) END"
    ));
    Some((sql, params))
}

/// Runs the statement: `Ok(true)` when the change set was applied,
/// `Ok(false)` when the database refused it (nothing was written: the
/// caller asks the function why), `Err` when the outcome is unknown (the
/// connection failed), which must not be retried blindly.
pub(crate) async fn run(
    lease: &Lease,
    sql: String,
    params: Vec<Param<'_>>,
) -> Result<bool, sqlx::Error> {
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for param in params {
        query = match param {
            Param::Json(v) => query.bind(v),
            Param::Text(t) => query.bind(t),
            Param::Int(n) => query.bind(n),
        };
    }
    let mut conn = lease.take().await?;
    match query.execute(&mut *conn).await {
        Ok(_) => {
            conn.keep();
            Ok(true)
        }
        // The server answered with an error: the statement rolled back.
        Err(sqlx::Error::Database(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Which operations the statement folds away, and into what.
struct Planned {
    /// Operations carried by another one of the same row.
    folded: Vec<usize>,
    /// (counter, check): the counter's update carries the check's version
    /// guard.
    guarded_counts: Vec<(usize, usize)>,
    /// (update, counter): the update also moves the counter.
    counting_updates: Vec<(usize, usize)>,
}

impl Planned {
    /// `None` when two writes touch one row in a way one statement cannot
    /// express.
    fn new(ops: &[Value]) -> Option<Self> {
        // (table, key) of every row an insert creates.
        let mut inserted: Vec<(&str, &str)> = Vec::new();
        // (table, key, op index) of every other write.
        let mut touched: Vec<(&str, &str, usize)> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let table = str_of(op, "table")?;
            match str_of(op, "op")? {
                "insert" => {
                    let key_column = codec::key_column(table_named(table)?);
                    for row in op.get("rows")?.as_array()? {
                        inserted.push((table, row.get(key_column)?.as_str()?));
                    }
                }
                "update" | "delete" | "check" | "count" => {
                    touched.push((table, str_of(op, "key")?, i));
                }
                _ => return None,
            }
        }
        let mut planned = Self {
            folded: Vec::new(),
            guarded_counts: Vec::new(),
            counting_updates: Vec::new(),
        };
        for (n, &(table, key, i)) in touched.iter().enumerate() {
            if inserted.contains(&(table, key)) {
                return None;
            }
            let others: Vec<usize> = touched
                .iter()
                .enumerate()
                .filter(|&(m, &(t, k, _))| m != n && t == table && k == key)
                .map(|(_, &(_, _, j))| j)
                .collect();
            match others.as_slice() {
                [] => {}
                // Visit each pair once, from its first operation. A counter
                // never moves the version and an update never writes
                // counters, so their order within the set does not matter.
                [j] if i < *j => match (str_of(&ops[i], "op")?, str_of(&ops[*j], "op")?) {
                    ("check", "count") => planned.fold_check(*j, i),
                    ("count", "check") => planned.fold_check(i, *j),
                    ("update", "count") => planned.fold_count(i, *j),
                    ("count", "update") => planned.fold_count(*j, i),
                    _ => return None,
                },
                [_] => {}
                _ => return None,
            }
        }
        Some(planned)
    }

    fn fold_check(&mut self, count: usize, check: usize) {
        self.folded.push(check);
        self.guarded_counts.push((count, check));
    }

    fn fold_count(&mut self, update: usize, count: usize) {
        self.folded.push(count);
        self.counting_updates.push((update, count));
    }

    /// The check folded into counter operation `i`, if any.
    fn check_of_count(&self, i: usize) -> Option<usize> {
        self.guarded_counts
            .iter()
            .find(|(c, _)| *c == i)
            .map(|(_, k)| *k)
    }

    /// The counter folded into update operation `i`, if any.
    fn count_of_update(&self, i: usize) -> Option<usize> {
        self.counting_updates
            .iter()
            .find(|(u, _)| *u == i)
            .map(|(_, c)| *c)
    }
}

fn str_of<'a>(op: &'a Value, field: &str) -> Option<&'a str> {
    op.get(field)?.as_str()
}

fn table_named(name: &str) -> Option<Table> {
    Table::ALL.iter().copied().find(|t| t.name() == name)
}

/// A quoted identifier. The names come from the adapter's static table
/// descriptions; quoting keeps them exact anyway.
fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_ident(&mut out, name);
    out
}

/// Appends `name` to `sql` as a quoted identifier (see [`ident`]).
fn push_ident(sql: &mut String, name: &str) {
    sql.push('"');
    for part in name.split_inclusive('"') {
        sql.push_str(part);
        if part.ends_with('"') {
            sql.push('"');
        }
    }
    sql.push('"');
}

/// `$n`, after adding `param`.
fn placeholder<'a>(params: &mut Vec<Param<'a>>, param: Param<'a>) -> String {
    params.push(param);
    format!("${}", params.len())
}

fn columns(op: &Value) -> Option<String> {
    let names = op.get("columns")?.as_array()?;
    let mut out = String::with_capacity(names.len() * 16);
    for (n, name) in names.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        push_ident(&mut out, name.as_str()?);
    }
    (!out.is_empty()).then_some(out)
}

/// The key condition of a keyed operation (`"key" = $n::type`).
fn key_condition<'a>(op: &'a Value, params: &mut Vec<Param<'a>>) -> Option<String> {
    let key_type = match str_of(op, "key_type")? {
        "uuid" => "uuid",
        "text" => "text",
        _ => return None,
    };
    let key = placeholder(params, Param::Text(str_of(op, "key")?));
    Some(format!(
        "{} = {key}::{key_type}",
        ident(str_of(op, "key_column")?)
    ))
}

fn versioned(op: &Value) -> bool {
    op.get("versioned").and_then(Value::as_bool) == Some(true)
}

fn insert<'a>(op: &'a Value, params: &mut Vec<Param<'a>>) -> Option<String> {
    let table = ident(str_of(op, "table")?);
    let cols = columns(op)?;
    let rows = placeholder(params, Param::Json(op.get("rows")?));
    Some(format!(
        "INSERT INTO {table} ({cols}) SELECT {cols} FROM jsonb_populate_recordset(NULL::{table}, {rows}::jsonb)"
    ))
}

/// A version-guarded update; with `count`, it also moves that counter of
/// the row.
fn update<'a>(
    op: &'a Value,
    count: Option<&'a Value>,
    params: &mut Vec<Param<'a>>,
) -> Option<String> {
    let table = ident(str_of(op, "table")?);
    let cols = columns(op)?;
    let row = placeholder(params, Param::Json(op.get("row")?));
    let mut sql = format!(
        "UPDATE {table} SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{table}, {row}::jsonb))"
    );
    if let Some(count) = count {
        sql.push_str(&format!(", {}", counter_assignment(count, params)?));
    }
    sql.push_str(&format!(" WHERE {}", key_condition(op, params)?));
    if let Some(expected) = op.get("expected").and_then(Value::as_i64) {
        let expected = placeholder(params, Param::Int(expected));
        sql.push_str(&format!(" AND version = {expected}::bigint"));
    }
    sql.push_str(" RETURNING 1");
    Some(sql)
}

/// `"column" = GREATEST(...)` of a counter operation, as the function
/// computes it (never below zero; an overflow raises).
fn counter_assignment<'a>(op: &'a Value, params: &mut Vec<Param<'a>>) -> Option<String> {
    let column = ident(str_of(op, "column")?);
    let delta = placeholder(params, Param::Int(op.get("delta")?.as_i64()?));
    Some(format!(
        "{column} = GREATEST(COALESCE({column}, 0)::bigint + {delta}::bigint, 0)"
    ))
}

fn delete<'a>(op: &'a Value, params: &mut Vec<Param<'a>>) -> Option<String> {
    let table = ident(str_of(op, "table")?);
    let mut sql = format!("DELETE FROM {table} WHERE {}", key_condition(op, params)?);
    if versioned(op)
        && let Some(expected) = op.get("expected").and_then(Value::as_i64)
    {
        let expected = placeholder(params, Param::Int(expected));
        sql.push_str(&format!(" AND version = {expected}::bigint"));
    }
    sql.push_str(" RETURNING 1");
    Some(sql)
}

/// The locking read of a version check, and the placeholder of the
/// version it must find.
fn check<'a>(op: &'a Value, params: &mut Vec<Param<'a>>) -> Option<(String, String)> {
    let table = ident(str_of(op, "table")?);
    let version = if versioned(op) {
        "version"
    } else {
        "0::bigint AS version"
    };
    let sql = format!(
        "SELECT {version} FROM {table} WHERE {} FOR SHARE",
        key_condition(op, params)?
    );
    let expected = placeholder(params, Param::Int(op.get("expected")?.as_i64()?));
    Some((sql, format!("{expected}::bigint")))
}

/// A counter update; with `check`, only at the version that check read.
fn count<'a>(
    op: &'a Value,
    check: Option<&'a Value>,
    params: &mut Vec<Param<'a>>,
) -> Option<String> {
    let table = ident(str_of(op, "table")?);
    let assignment = counter_assignment(op, params)?;
    let key = placeholder(params, Param::Text(str_of(op, "key")?));
    let mut sql = format!("UPDATE {table} SET {assignment} WHERE id = {key}::uuid");
    if let Some(check) = check {
        if !versioned(check) {
            return None;
        }
        let expected = placeholder(params, Param::Int(check.get("expected")?.as_i64()?));
        sql.push_str(&format!(" AND version = {expected}::bigint"));
    }
    sql.push_str(" RETURNING 1");
    Some(sql)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn keyed(op: &str, table: &str, key: &str, expected: Value) -> Value {
        json!({
            "op": op, "table": table, "key_column": "id", "key_type": "uuid",
            "key": key, "expected": expected, "versioned": true,
        })
    }

    fn insert_op(table: &str, id: &str) -> Value {
        json!({"op": "insert", "table": table, "columns": ["id", "title"],
               "rows": [{"id": id, "title": "t"}]})
    }

    fn update_op(table: &str, id: &str, expected: i64) -> Value {
        let mut op = keyed("update", table, id, json!(expected));
        op["columns"] = json!(["title", "version"]);
        op["row"] = json!({"id": id, "title": "t", "version": expected + 1});
        op
    }

    fn count_op(table: &str, id: &str) -> Value {
        json!({"op": "count", "table": table, "column": "order_count", "key": id, "delta": 1})
    }

    const A: &str = "00000000-0000-0000-0000-00000000000a";
    const B: &str = "00000000-0000-0000-0000-00000000000b";

    #[test]
    fn identifiers_are_quoted_with_inner_quotes_doubled() {
        assert_eq!(ident("gigs"), "\"gigs\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident("\""), "\"\"\"\"");
    }

    #[test]
    fn every_write_becomes_a_part_and_guards_raise_together() {
        let ops = [
            insert_op("contracts", A),
            update_op("gigs", B, 3),
            keyed("delete", "saved_searches", A, json!(2)),
        ];
        let (sql, params) = statement(&ops).expect("one statement");
        assert!(sql.starts_with("WITH w0 AS (INSERT INTO \"contracts\" (\"id\", \"title\")"));
        assert!(sql.contains("w1 AS (UPDATE \"gigs\" SET (\"title\", \"version\")"));
        assert!(sql.contains("AND version = $4::bigint RETURNING 1)"));
        assert!(sql.contains("w2 AS (DELETE FROM \"saved_searches\" WHERE \"id\" = $5::uuid"));
        assert!(sql.ends_with(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM w1) AND EXISTS (SELECT 1 FROM w2) THEN NULL \
             ELSE reelbyte_refused('{\"kind\": \"guard\"}'::jsonb) END"
        ));
        assert_eq!(params.len(), 6);
        assert_eq!(params[3], Param::Int(3));
    }

    #[test]
    fn a_check_folds_into_the_counter_of_the_same_row() {
        let ops = [keyed("check", "gigs", B, json!(7)), count_op("gigs", B)];
        let (sql, params) = statement(&ops).expect("one statement");
        assert!(!sql.contains("FOR SHARE"), "{sql}");
        assert!(
            sql.contains("WHERE id = $2::uuid AND version = $3::bigint RETURNING 1"),
            "{sql}"
        );
        assert_eq!(params[2], Param::Int(7));
    }

    #[test]
    fn a_lone_check_is_a_locking_read() {
        let ops = [
            keyed("check", "escrow_accounts", A, json!(2)),
            update_op("contracts", B, 1),
        ];
        let (sql, _) = statement(&ops).expect("one statement");
        assert!(sql.contains(
            "w0 AS (SELECT version FROM \"escrow_accounts\" WHERE \"id\" = $1::uuid FOR SHARE)"
        ));
        assert!(sql.contains("(SELECT version FROM w0) IS NOT DISTINCT FROM $2::bigint"));
    }

    #[test]
    fn a_counter_folds_into_the_update_of_the_same_row() {
        let ops = [count_op("jobs", B), update_op("jobs", B, 4)];
        let (sql, params) = statement(&ops).expect("one statement");
        assert!(
            sql.starts_with(
                "WITH w1 AS (UPDATE \"jobs\" SET (\"title\", \"version\") = (SELECT \"title\", \"version\" \
                 FROM jsonb_populate_record(NULL::\"jobs\", $1::jsonb)), \"order_count\" = \
                 GREATEST(COALESCE(\"order_count\", 0)::bigint + $2::bigint, 0) WHERE \"id\" = $3::uuid \
                 AND version = $4::bigint RETURNING 1)"
            ),
            "{sql}"
        );
        assert_eq!(params[1], Param::Int(1));
        assert_eq!(params[3], Param::Int(4));
    }

    #[test]
    fn rows_written_twice_need_the_function() {
        // Two writes of one row would see the same snapshot.
        assert!(
            statement(&[update_op("gigs", B, 1), keyed("check", "gigs", B, json!(1))]).is_none()
        );
        assert!(statement(&[count_op("gigs", B), count_op("gigs", B)]).is_none());
        // A row inserted and then written by the same set.
        assert!(statement(&[insert_op("gigs", B), count_op("gigs", B)]).is_none());
        // The plan's own refusal.
        assert!(statement(&[keyed("refuse", "ledger_postings", A, json!(1))]).is_none());
        // Nothing to do, or a bulk load.
        assert!(statement(&[]).is_none());
        let bulk: Vec<Value> = (0..=MAX_OPERATIONS)
            .map(|i| update_op("gigs", &format!("00000000-0000-0000-0000-{i:012}"), 1))
            .collect();
        assert!(statement(&bulk).is_none());
        assert!(statement(&bulk[..MAX_OPERATIONS]).is_some());
        // The same key in different tables is two rows.
        assert!(statement(&[update_op("gigs", B, 1), update_op("jobs", B, 1)]).is_some());
    }
}

//! Database failures mapped to the core's errors, in one place.
//!
//! Callers never see SQL text: a unique violation becomes the same
//! [`Error::AlreadyExists`] the memory store gives (the entity and the
//! core's name of the unique key), a failed CHECK a validation error, a
//! serialization failure a conflict, and anything else a backend error that
//! keeps the driver's error as its source.

use reelbyte_core::error::Error;
use reelbyte_core::store::Table;

/// The backend name of errors and logs.
pub(crate) const BACKEND: &str = "postgres";

/// SQLSTATE of a serialization failure.
const SERIALIZATION_FAILURE: &str = "40001";
/// SQLSTATE of a detected deadlock.
const DEADLOCK_DETECTED: &str = "40P01";

/// The SQLSTATE of `error`, when the server sent one.
fn sqlstate(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Whether running the transaction again may succeed.
pub(crate) fn is_retryable(error: &sqlx::Error) -> bool {
    matches!(
        sqlstate(error).as_deref(),
        Some(SERIALIZATION_FAILURE | DEADLOCK_DETECTED)
    )
}

/// The table a database error names (a partition counts as its table).
fn table_of(error: &sqlx::Error) -> Option<Table> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    let name = db.table()?;
    Table::ALL
        .iter()
        .copied()
        .find(|t| t.name() == name)
        .or_else(|| {
            // Partitions of the monthly tables: `audit_logs_default`,
            // `messages_2026_03`, ...
            [Table::AuditLogs, Table::Messages].into_iter().find(|t| {
                name.strip_prefix(t.name())
                    .is_some_and(|rest| rest.starts_with('_'))
            })
        })
}

/// The core's unique-key name (see `Record::unique_keys`) of a constraint
/// or unique index of the migrations.
pub(crate) fn unique_key_name(table: Option<Table>, constraint: &str) -> String {
    if constraint.ends_with("_pkey") {
        return table.map_or("id", crate::codec::key_column).to_string();
    }
    match constraint {
        "idx_payment_methods_one_default" => "payment_methods_default".to_string(),
        "idx_payout_methods_one_default" => "payout_methods_default".to_string(),
        _ => match constraint.strip_prefix("idx_") {
            Some(index) => index.to_string(),
            None => constraint
                .strip_suffix("_key")
                .unwrap_or(constraint)
                .to_string(),
        },
    }
}

/// Maps a driver error met while writing or reading `table`.
pub(crate) fn map(table: Option<Table>, error: sqlx::Error) -> Error {
    let table = table.or_else(|| table_of(&error));
    let entity = table.map_or("row", |t| t.name());
    let constraint = match &error {
        sqlx::Error::Database(db) => db.constraint().map(str::to_owned),
        _ => None,
    };
    let constraint_name = constraint.clone().unwrap_or_default();
    match sqlstate(&error).as_deref() {
        // unique_violation
        Some("23505") => Error::AlreadyExists {
            entity,
            key: unique_key_name(table, &constraint_name),
        },
        // foreign_key_violation
        Some("23503") => Error::conflict(
            entity,
            format!("a referenced row is missing or still referenced ({constraint_name})"),
        ),
        // check_violation, not_null_violation
        Some("23514" | "23502") => Error::validation(
            "row",
            format!("{entity} breaks the schema's constraint {constraint_name}"),
        ),
        // numeric_value_out_of_range, string_data_right_truncation
        Some("22003") => {
            Error::validation("amount", format!("a number of {entity} is out of range"))
        }
        Some("22001") => Error::validation("text", format!("a text of {entity} is too long")),
        Some(SERIALIZATION_FAILURE | DEADLOCK_DETECTED) => {
            Error::conflict(entity, "concurrent change sets kept colliding")
        }
        // query_canceled: a statement timeout the store set ran out.
        Some("57014") => Error::TimedOut { what: "query" },
        _ => Error::backend(BACKEND, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_map_to_the_core_unique_keys() {
        assert_eq!(unique_key_name(None, "users_email_key"), "users_email");
        assert_eq!(
            unique_key_name(None, "idx_idempotency_actor_key"),
            "idempotency_actor_key"
        );
        assert_eq!(
            unique_key_name(None, "idx_payment_methods_one_default"),
            "payment_methods_default"
        );
        assert_eq!(
            unique_key_name(Some(Table::PlatformSettings), "platform_settings_pkey"),
            "key"
        );
        assert_eq!(unique_key_name(Some(Table::Users), "users_pkey"), "id");
    }
}

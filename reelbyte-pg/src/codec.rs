//! The row codec: an entity travels as JSON between Rust and PostgreSQL.
//!
//! Writes serialise the entity with serde and let
//! `jsonb_populate_record(NULL::table, $1)` turn the object into a row of
//! the table's exact column types; reads select `row_to_json(t.*)` (half
//! the server time of `to_jsonb`, which builds and sorts a binary value
//! first) and deserialise it. Only money needs a mapping: a [`Money`] is an object
//! `{amount, currency}` in JSON but a `DECIMAL` column plus a currency column
//! in the schema ([`money_columns`]).
//!
//! [`Money`]: reelbyte_core::Money

use reelbyte_core::error::{Error, Result};
use reelbyte_core::store::{Record, Table};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A row as a JSON object, keyed by column.
pub(crate) type Row = Map<String, Value>;

/// The money fields of `table`, each with the column that holds its
/// currency. Tables whose amounts always share one currency (a contract, its
/// escrow and its transactions) keep it in one `currency` column.
pub(crate) fn money_columns(table: Table) -> &'static [(&'static str, &'static str)] {
    match table {
        Table::CreatorProfiles => &[
            ("hourly_rate", "hourly_rate_currency"),
            ("total_earnings", "total_earnings_currency"),
        ],
        Table::ClientProfiles => &[("total_spent", "total_spent_currency")],
        Table::Gigs => &[
            ("basic_price", "basic_price_currency"),
            ("standard_price", "standard_price_currency"),
            ("premium_price", "premium_price_currency"),
        ],
        Table::Jobs => &[
            ("budget_min", "budget_min_currency"),
            ("budget_max", "budget_max_currency"),
        ],
        Table::Proposals => &[("proposed_budget", "currency")],
        Table::Contracts => &[
            ("total_amount", "currency"),
            ("platform_fee", "currency"),
            ("creator_payout", "currency"),
            ("processing_fee", "currency"),
        ],
        Table::Milestones | Table::LedgerPostings => &[("amount", "currency")],
        Table::Transactions => &[
            ("amount", "currency"),
            ("platform_fee", "currency"),
            ("processing_fee", "currency"),
            ("net_amount", "currency"),
        ],
        Table::EscrowAccounts => &[
            ("total_amount", "currency"),
            ("held_amount", "currency"),
            ("released_amount", "currency"),
            ("refunded_amount", "currency"),
        ],
        Table::FeeStructure => &[
            ("min_amount", "min_amount_currency"),
            ("max_amount", "max_amount_currency"),
            ("fixed_fee", "fixed_fee_currency"),
        ],
        _ => &[],
    }
}

/// Decimal places of every money column of the plan (`DECIMAL(10, 2)`,
/// `DECIMAL(12, 2)`).
const MONEY_SCALE: u32 = 2;

/// Counter columns: only [`Write::Count`](reelbyte_core::store::Write::Count)
/// changes them, never a versioned update.
pub(crate) fn counter_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Gigs => &["view_count", "order_count", "favorite_count"],
        Table::Jobs => &["view_count", "proposal_count"],
        Table::PortfolioItems => &["view_count", "like_count"],
        Table::ConversationParticipants => &["unread_count"],
        _ => &[],
    }
}

/// The primary-key column of `table`.
pub(crate) fn key_column(table: Table) -> &'static str {
    match table {
        Table::PlatformSettings => "key",
        _ => "id",
    }
}

fn codec_error(table: Table, error: impl std::fmt::Display) -> Error {
    Error::validation(
        "row",
        format!(
            "a {} row does not map to its columns: {error}",
            table.name()
        ),
    )
}

/// The columns of `record`, ready for `jsonb_populate_record`.
pub(crate) fn encode(record: &Record) -> Result<Row> {
    let table = record.table();
    let value = serde_json::to_value(record).map_err(|e| codec_error(table, e))?;
    let Value::Object(mut tagged) = value else {
        return Err(codec_error(table, "not an object"));
    };
    let Some(Value::Object(mut row)) = tagged.remove("row") else {
        return Err(codec_error(table, "no row"));
    };
    for (field, currency_column) in money_columns(table) {
        let Some(Value::Object(money)) = row.get(*field).cloned() else {
            // An absent amount has no currency either.
            if !row.contains_key(*currency_column) {
                row.insert((*currency_column).to_string(), Value::Null);
            }
            continue;
        };
        let amount = money.get("amount").cloned().unwrap_or(Value::Null);
        let currency = money.get("currency").cloned().unwrap_or(Value::Null);
        // The plan's DECIMAL(_, 2) columns would round a third decimal
        // (KWD, BHD, ...) away: refuse instead of changing the amount.
        let decimals = amount
            .as_str()
            .and_then(|a| a.parse::<rust_decimal::Decimal>().ok())
            .map_or(0, |a| a.normalize().scale());
        if decimals > MONEY_SCALE {
            return Err(Error::validation(
                "amount",
                format!(
                    "{}.{field} has {decimals} decimals; the column keeps {MONEY_SCALE}",
                    table.name()
                ),
            ));
        }
        if let Some(existing) = row.get(*currency_column).filter(|v| !v.is_null())
            && *existing != currency
        {
            return Err(Error::validation(
                "currency",
                format!(
                    "{}.{field} is in {currency} but the row is in {existing}",
                    table.name()
                ),
            ));
        }
        row.insert((*field).to_string(), amount);
        row.insert((*currency_column).to_string(), currency);
    }
    Ok(row)
}

/// The entity a row of `table` (as `row_to_json(t.*)`) holds.
pub(crate) fn decode<E: DeserializeOwned>(table: Table, text: &str) -> Result<E> {
    let row = decode_row(table, text)?;
    serde_json::from_value(Value::Object(row)).map_err(|e| codec_error(table, e))
}

/// The record a row of `table` holds.
pub(crate) fn decode_record(table: Table, text: &str) -> Result<Record> {
    let row = decode_row(table, text)?;
    let mut tagged = Map::new();
    tagged.insert("table".into(), Value::String(record_tag(table).into()));
    tagged.insert("row".into(), Value::Object(row));
    serde_json::from_value(Value::Object(tagged)).map_err(|e| codec_error(table, e))
}

fn decode_row(table: Table, text: &str) -> Result<Row> {
    let value: Value = serde_json::from_str(text).map_err(|e| codec_error(table, e))?;
    let Value::Object(mut row) = value else {
        return Err(codec_error(table, "not an object"));
    };
    // `row_to_json` writes NUMERIC columns as JSON numbers; the core reads
    // decimals from strings. Integer columns stay numbers. DECIMAL columns
    // have at most 12 significant digits, which an f64 round-trips exactly.
    for value in row.values_mut() {
        if let Value::Number(n) = value
            && !n.is_i64()
            && !n.is_u64()
        {
            *value = Value::String(n.to_string());
        }
    }
    for (field, currency_column) in money_columns(table) {
        let amount = row.get(*field).cloned().unwrap_or(Value::Null);
        if amount.is_null() {
            continue;
        }
        let currency = row.get(*currency_column).cloned().unwrap_or(Value::Null);
        let mut money = Map::new();
        money.insert("amount".into(), amount);
        money.insert("currency".into(), currency);
        row.insert((*field).to_string(), Value::Object(money));
    }
    Ok(row)
}

/// The serde tag of [`Record`]'s variant for `table`.
fn record_tag(table: Table) -> &'static str {
    match table {
        Table::Users => "user",
        Table::UserSessions => "user_session",
        Table::PasswordResetTokens => "password_reset_token",
        Table::EmailVerificationTokens => "email_verification_token",
        Table::UserConsents => "user_consent",
        Table::CreatorProfiles => "creator_profile",
        Table::CreatorSkills => "creator_skill",
        Table::CreatorCategories => "creator_category",
        Table::PortfolioItems => "portfolio_item",
        Table::ClientProfiles => "client_profile",
        Table::Gigs => "gig",
        Table::Jobs => "job",
        Table::Proposals => "proposal",
        Table::Contracts => "contract",
        Table::Deliverables => "deliverable",
        Table::Milestones => "milestone",
        Table::PaymentMethods => "payment_method",
        Table::PayoutMethods => "payout_method",
        Table::Transactions => "transaction",
        Table::LedgerPostings => "ledger_posting",
        Table::EscrowAccounts => "escrow_account",
        Table::IdempotencyKeys => "idempotency_record",
        Table::Reviews => "review",
        Table::Conversations => "conversation",
        Table::ConversationParticipants => "conversation_participant",
        Table::Messages => "message",
        Table::Notifications => "notification",
        Table::NotificationPreferences => "notification_preferences",
        Table::NotificationOutbox => "outbox_message",
        Table::SavedSearches => "saved_search",
        Table::Favorites => "favorite",
        Table::GigViews => "gig_view",
        Table::ProfileViews => "profile_view",
        Table::Disputes => "dispute",
        Table::SupportTickets => "support_ticket",
        Table::PlatformSettings => "platform_setting",
        Table::FeeStructure => "fee_tier",
        Table::AuditLogs => "audit_log",
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use reelbyte_core::entities::EscrowAccount;
    use reelbyte_core::enums::EscrowStatus;
    use reelbyte_core::ids::{ContractId, EscrowAccountId, UserId};
    use reelbyte_core::money::{Currency, Money};
    use reelbyte_core::testing::empty_creator_profile;

    use super::*;

    /// What `row_to_json` gives back for a row: decimals as JSON numbers.
    fn as_postgres_returns_it(mut row: Row) -> String {
        for value in row.values_mut() {
            if let Value::String(text) = value
                && text.contains('.')
                && let Ok(number) = text.parse::<f64>()
                && let Some(number) = serde_json::Number::from_f64(number)
            {
                *value = Value::Number(number);
            }
        }
        Value::Object(row).to_string()
    }

    #[test]
    fn money_becomes_an_amount_and_a_currency_column_and_back() {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid");
        let mut profile = empty_creator_profile(UserId::new(), now);
        let eur = Currency::parse("EUR").expect("EUR");
        profile.hourly_rate = Some(Money::parse("45.50", eur).expect("valid"));
        let record = Record::CreatorProfile(profile.clone());

        let row = encode(&record).expect("encode");
        assert_eq!(row["hourly_rate"], Value::String("45.50".into()));
        assert_eq!(row["hourly_rate_currency"], Value::String("EUR".into()));
        assert_eq!(row["total_earnings_currency"], Value::String("USD".into()));

        let back =
            decode_record(Table::CreatorProfiles, &as_postgres_returns_it(row)).expect("decode");
        assert_eq!(back, record);

        profile.hourly_rate = None;
        let row = encode(&Record::CreatorProfile(profile)).expect("encode");
        assert_eq!(row["hourly_rate_currency"], Value::Null);
    }

    #[test]
    fn amounts_sharing_a_currency_column_must_agree() {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid");
        let usd = |a: &str| Money::usd(a).expect("valid");
        let eur = Money::parse("0", Currency::parse("EUR").expect("EUR")).expect("valid");
        let escrow = EscrowAccount {
            id: EscrowAccountId::new(),
            contract_id: ContractId::new(),
            total_amount: usd("100"),
            held_amount: usd("100"),
            released_amount: usd("0"),
            refunded_amount: eur,
            status: EscrowStatus::Active,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let error = encode(&Record::EscrowAccount(escrow)).expect_err("mixed currencies");
        assert!(matches!(
            error,
            Error::Validation {
                field: "currency",
                ..
            }
        ));
    }
}

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
use serde::Deserialize;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde_json::value::RawValue;
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
    let columns = columns_of(table, text)?;
    E::deserialize(RowDeserializer::new(table, &columns)).map_err(|e| codec_error(table, e))
}

/// The record a row of `table` holds.
pub(crate) fn decode_record(table: Table, text: &str) -> Result<Record> {
    let columns = columns_of(table, text)?;
    Record::deserialize(TaggedRow {
        tag: record_tag(table),
        row: RowDeserializer::new(table, &columns),
    })
    .map_err(|e| codec_error(table, e))
}

/// The columns of a row as `row_to_json` writes it, each value still JSON
/// text: the row is read into the entity straight from these slices, so a
/// read builds no `serde_json::Value` tree (building one and reading the
/// entity out of it was about a quarter of the library's client
/// instructions per lifecycle on PostgreSQL, docs/BENCHMARKS.md).
fn columns_of(table: Table, text: &str) -> Result<Vec<(&str, &RawValue)>> {
    struct Columns<'a>(Vec<(&'a str, &'a RawValue)>);

    impl<'de> Deserialize<'de> for Columns<'de> {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            struct Visit;
            impl<'de> Visitor<'de> for Visit {
                type Value = Columns<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a row as a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> std::result::Result<Self::Value, A::Error> {
                    let mut columns = Vec::with_capacity(map.size_hint().unwrap_or(32));
                    while let Some(entry) = map.next_entry::<&'de str, &'de RawValue>()? {
                        columns.push(entry);
                    }
                    Ok(Columns(columns))
                }
            }
            d.deserialize_map(Visit)
        }
    }

    serde_json::from_str::<Columns<'_>>(text)
        .map(|c| c.0)
        .map_err(|e| codec_error(table, e))
}

/// A row's columns read as the entity's fields: a money field's amount
/// column and currency column become one `{amount, currency}` value; the
/// currency columns also stay columns (fields such as a transaction's
/// `currency` read them; the entities ignore the others).
struct RowDeserializer<'a> {
    table: Table,
    columns: &'a [(&'a str, &'a RawValue)],
}

impl<'a> RowDeserializer<'a> {
    fn new(table: Table, columns: &'a [(&'a str, &'a RawValue)]) -> Self {
        Self { table, columns }
    }

    fn column(&self, name: &str) -> Option<&'a RawValue> {
        self.columns
            .iter()
            .find(|(c, _)| *c == name)
            .map(|(_, v)| *v)
    }
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let money = money_columns(self.table);
        visitor.visit_map(RowAccess {
            row: &self,
            money,
            next: 0,
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The fields of a [`RowDeserializer`], one column at a time.
struct RowAccess<'r, 'de> {
    row: &'r RowDeserializer<'de>,
    money: &'static [(&'static str, &'static str)],
    next: usize,
    value: Option<Field<'de>>,
}

impl<'de> MapAccess<'de> for RowAccess<'_, 'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(&(name, value)) = self.row.columns.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        let currency = self
            .money
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, currency)| *currency);
        self.value = Some(match currency {
            Some(currency) if value.get() != "null" => Field::Money {
                amount: value,
                currency: self.row.column(currency),
            },
            _ => Field::Raw(value),
        });
        seed.deserialize(BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value.take() {
            Some(field) => seed.deserialize(field),
            None => Err(de::Error::custom("a value without its column")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.columns.len() - self.next)
    }
}

/// One field's value: a column's JSON text, or a money field's two
/// columns.
#[derive(Clone, Copy)]
enum Field<'de> {
    Raw(&'de RawValue),
    Money {
        amount: &'de RawValue,
        currency: Option<&'de RawValue>,
    },
}

impl<'de> Field<'de> {
    /// `row_to_json` writes NUMERIC columns as JSON numbers; the core reads
    /// decimals from strings, with the column's exact digits. Integer
    /// columns stay numbers.
    fn decimal(text: &'de str) -> Option<&'de str> {
        let first = text.bytes().next()?;
        let number = first == b'-' || first.is_ascii_digit();
        (number && text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))).then_some(text)
    }

    /// A money field as `{"amount": ..., "currency": ...}`, whatever the
    /// entity asks for. An amount without its currency column reads as a
    /// null currency, which the money type refuses.
    fn money<V: Visitor<'de>>(
        amount: &'de RawValue,
        currency: Option<&'de RawValue>,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        visitor.visit_map(PairAccess::new(
            ["amount", "currency"],
            Field::Raw(amount),
            Field::Raw(currency.unwrap_or(RawValue::NULL)),
        ))
    }
}

/// Each `deserialize_*` of [`Field`]: a column's JSON text is read by
/// `serde_json`, after the decimal rule of [`Field::decimal`]; a money
/// field is its two columns as a map ([`Field::money`]).
macro_rules! through_json {
    ($($method:ident $(, $arg:ident: $ty:ty)*;)+) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
            match self {
                Field::Raw(raw) => {
                    if let Some(decimal) = Field::decimal(raw.get()) {
                        return visitor.visit_borrowed_str(decimal);
                    }
                    let mut json = serde_json::Deserializer::from_str(raw.get());
                    let value = de::Deserializer::$method(&mut json, $($arg,)* visitor)?;
                    json.end()?;
                    Ok(value)
                }
                Field::Money { amount, currency } => Field::money(amount, currency, visitor),
            }
        }
    )+};
}

impl<'de> de::Deserializer<'de> for Field<'de> {
    type Error = serde_json::Error;

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Field::Raw(raw) if raw.get() == "null" => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    through_json! {
        deserialize_any;
        deserialize_bool;
        deserialize_i8;
        deserialize_i16;
        deserialize_i32;
        deserialize_i64;
        deserialize_i128;
        deserialize_u8;
        deserialize_u16;
        deserialize_u32;
        deserialize_u64;
        deserialize_u128;
        deserialize_f32;
        deserialize_f64;
        deserialize_char;
        deserialize_str;
        deserialize_string;
        deserialize_bytes;
        deserialize_byte_buf;
        deserialize_unit;
        deserialize_unit_struct, name: &'static str;
        deserialize_seq;
        deserialize_tuple, len: usize;
        deserialize_tuple_struct, name: &'static str, len: usize;
        deserialize_map;
        deserialize_struct, name: &'static str, fields: &'static [&'static str];
        deserialize_enum, name: &'static str, variants: &'static [&'static str];
        deserialize_identifier;
        deserialize_ignored_any;
    }
}

/// A [`Record`] as serde reads it: `{"table": tag, "row": {...}}`.
struct TaggedRow<'de> {
    tag: &'static str,
    row: RowDeserializer<'de>,
}

impl<'de> de::Deserializer<'de> for TaggedRow<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(PairAccess::new(
            ["table", "row"],
            BorrowedStrDeserializer::new(self.tag),
            self.row,
        ))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A map of two entries, each value read by a deserializer of its own: a
/// money field's `{amount, currency}`, a record's `{table, row}`.
struct PairAccess<A, B> {
    keys: [&'static str; 2],
    first: Option<A>,
    second: Option<B>,
    next: usize,
}

impl<A, B> PairAccess<A, B> {
    fn new(keys: [&'static str; 2], first: A, second: B) -> Self {
        Self {
            keys,
            first: Some(first),
            second: Some(second),
            next: 0,
        }
    }
}

impl<'de, A, B> MapAccess<'de> for PairAccess<A, B>
where
    A: de::Deserializer<'de, Error = serde_json::Error>,
    B: de::Deserializer<'de, Error = serde_json::Error>,
{
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(key) = self.keys.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        if let Some(first) = self.first.take() {
            return seed.deserialize(first);
        }
        match self.second.take() {
            Some(second) => seed.deserialize(second),
            None => Err(de::Error::custom("a value without its key")),
        }
    }
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
    use reelbyte_core::entities::{CreatorProfile, EscrowAccount};
    use reelbyte_core::enums::EscrowStatus;
    use reelbyte_core::ids::{ContractId, EscrowAccountId, UserId};
    use reelbyte_core::money::{Currency, Money};
    use reelbyte_core::testing::empty_creator_profile;

    use super::*;

    /// What `row_to_json` gives back for a row: decimals as JSON numbers,
    /// with the column's digits.
    fn as_postgres_returns_it(row: Row) -> String {
        let columns: Vec<String> = row
            .iter()
            .map(|(column, value)| {
                let text = match value {
                    Value::String(text)
                        if text.contains('.') && text.parse::<rust_decimal::Decimal>().is_ok() =>
                    {
                        text.clone()
                    }
                    other => other.to_string(),
                };
                format!("{}:{text}", Value::String(column.clone()))
            })
            .collect();
        format!("{{{}}}", columns.join(","))
    }

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid")
    }

    fn usd(amount: &str) -> Money {
        Money::usd(amount).expect("valid")
    }

    fn escrow() -> EscrowAccount {
        EscrowAccount {
            id: EscrowAccountId::new(),
            contract_id: ContractId::new(),
            total_amount: usd("1234567890.25"),
            held_amount: usd("1234567890.25"),
            released_amount: usd("0"),
            refunded_amount: usd("0"),
            status: EscrowStatus::Active,
            created_at: now(),
            updated_at: now(),
            version: 1,
        }
    }

    #[test]
    fn decimals_keep_the_digits_postgres_sends() {
        let mut profile = empty_creator_profile(UserId::new(), now());
        profile.average_rating = rust_decimal::Decimal::new(450, 2);
        let text = as_postgres_returns_it(
            encode(&Record::CreatorProfile(profile.clone())).expect("encode"),
        );
        assert!(text.contains("\"average_rating\":4.50"), "{text}");

        let back: CreatorProfile = decode(Table::CreatorProfiles, &text).expect("decode");
        assert_eq!(back.average_rating.to_string(), "4.50");
        assert_eq!(back, profile);
    }

    #[test]
    fn amounts_read_back_from_their_columns() {
        let no_rate = empty_creator_profile(UserId::new(), now());
        assert_eq!(no_rate.hourly_rate, None);
        for (record, column) in [
            // Four amounts sharing one currency column.
            (
                Record::EscrowAccount(escrow()),
                "\"total_amount\":1234567890.25",
            ),
            // An absent amount.
            (Record::CreatorProfile(no_rate), "\"hourly_rate\":null"),
        ] {
            let text = as_postgres_returns_it(encode(&record).expect("encode"));
            assert!(text.contains(column), "{text}");
            assert_eq!(
                decode_record(record.table(), &text).expect("decode"),
                record
            );
        }
    }

    #[test]
    fn rows_that_do_not_fit_their_entity_are_typed_errors() {
        let mut row = encode(&Record::EscrowAccount(escrow())).expect("encode");
        row.remove("currency");
        let without_currency = as_postgres_returns_it(row);
        for text in [
            "",
            "{not json",
            "[1, 2]",
            "{\"id\": 5}",
            without_currency.as_str(),
        ] {
            let error = decode::<EscrowAccount>(Table::EscrowAccounts, text).expect_err(text);
            assert!(
                matches!(error, Error::Validation { field: "row", .. }),
                "{text}: {error:?}"
            );
            let error = decode_record(Table::EscrowAccounts, text).expect_err(text);
            assert!(
                matches!(error, Error::Validation { field: "row", .. }),
                "{text}: {error:?}"
            );
        }
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

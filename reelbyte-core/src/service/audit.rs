//! The values an audit entry keeps: for a change, only the fields that
//! changed (before and after); for a creation or a deletion, the whole row.
//! Secrets and contact details never enter the log.
//!
//! Two ways to find the changed fields:
//!
//! - [`update_values`], for the rows commands change most (contracts,
//!   escrows, transactions and the other types listed with [`field_diff!`]):
//!   the typed fields are compared with `==`, and only the changed ones are
//!   serialised. Serialising both whole rows to compare them was a third of
//!   the memory store's instructions per lifecycle, most of it formatting
//!   amounts, ids and timestamps that had not changed.
//! - [`audit_values`], for any two serialisable values (also of different
//!   shapes): each top-level field is written as JSON text, written straight
//!   from the typed rows, and the texts are compared. Only the few changed
//!   fields are ever turned into values.
//!
//! Both give the same values for the same rows, but for one case: a
//! decimal equal in value and written with other trailing zeros (`4.5` and
//! `4.50`) is a change to the JSON comparison and, rightly, none to the
//! typed one. Debug builds check the rest on every [`update_values`] call,
//! so the whole test suite holds the two to it.

use std::ops::Range;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::{Map, Value};

use crate::entities::{
    ClientProfile, Contract, ConversationParticipant, CreatorCategory, CreatorProfile, Deliverable,
    Dispute, EscrowAccount, FeeTier, Gig, Job, Milestone, NotificationPreferences, PaymentMethod,
    PayoutMethod, PortfolioItem, Proposal, Review, SavedSearch, SupportTicket, Transaction, User,
};
use crate::error::{Error, Result};
use crate::store::Record;

/// A row type whose fields can be compared one by one, typed.
pub(crate) trait FieldDiff: Serialize {
    /// Pushes the serde names of the fields in which `old` and `new`
    /// differ onto `changed`, in declaration order.
    fn changed_fields(old: &Self, new: &Self, changed: &mut Vec<&'static str>);
}

/// Implements [`FieldDiff`] for a struct from the list of its fields.
///
/// The list is checked against the struct when it compiles: the pattern
/// names every field without `..`, so a field added to the struct and not
/// here is an error. The field names are the serde names (none of these
/// types renames a field; the debug check in [`update_values`] would see
/// one that did).
macro_rules! field_diff {
    ($($ty:ident { $($field:ident $(as $name:literal)?),+ $(,)? })+) => {$(
        impl FieldDiff for $ty {
            fn changed_fields(old: &Self, new: &Self, changed: &mut Vec<&'static str>) {
                let $ty { $($field: _),+ } = old;
                $(
                    if old.$field != new.$field {
                        changed.push(serde_name!($field $(, $name)?));
                    }
                )+
            }
        }
    )+};
}

/// [`field_diff!`] for the row types commands update, and from the same
/// list [`changed_record_fields`], so a type added here is compared on
/// every path.
macro_rules! record_field_diff {
    ($($ty:ident { $($fields:tt)+ })+) => {
        field_diff! { $($ty { $($fields)+ })+ }

        /// The serde names of the fields in which `new` differs from `old`,
        /// in declaration order, compared typed; `None` when the two rows
        /// are of different tables or of a type without a field list (see
        /// [`Record::changed_fields`]).
        pub(crate) fn changed_record_fields(
            old: &Record,
            new: &Record,
        ) -> Option<Vec<&'static str>> {
            let mut names = Vec::new();
            match (old, new) {
                $((Record::$ty(old), Record::$ty(new)) => {
                    FieldDiff::changed_fields(old, new, &mut names)
                })+
                _ => return None,
            }
            Some(names)
        }
    };
}

/// A field's serde name: its own, or the one given with `as` (for raw
/// identifiers such as `r#type`).
macro_rules! serde_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $name:literal) => {
        $name
    };
}

record_field_diff! {
    Contract {
        id, job_id, proposal_id, gig_id, client_profile_id, creator_profile_id, title,
        description, scope_of_work, total_amount, platform_fee, creator_payout, processing_fee,
        fee_tier_id, gig_tier, revisions_allowed, start_date, deadline_date, estimated_hours,
        deliverable_description, revision_count, status, created_at, accepted_at, started_at,
        submitted_at, completed_at, cancelled_at, version,
    }
    EscrowAccount {
        id, contract_id, total_amount, held_amount, released_amount, refunded_amount, status,
        created_at, updated_at, version,
    }
    Transaction {
        id, payer_user_id, payee_user_id, contract_id, milestone_id, transaction_type, amount,
        currency, platform_fee, processing_fee, net_amount, payment_provider,
        provider_transaction_id, payment_method_id, status, description, metadata, created_at,
        completed_at, failed_at, error_message, version,
    }
    Milestone {
        id, contract_id, title, description, amount, due_date, sequence_order, status,
        created_at, submitted_at, approved_at, paid_at, version,
    }
    Deliverable {
        id, contract_id, version_number, title, description, video_urls, file_urls, status,
        client_feedback, revision_notes, created_at, reviewed_at, approved_at, version,
    }
    Job {
        id, client_profile_id, title, description, category, video_type,
        video_duration_preference, platform_preference, budget_type, budget_min, budget_max,
        deadline_date, estimated_duration_days, required_skills, experience_level, attachments,
        view_count, proposal_count, status, created_at, updated_at, published_at, closed_at,
        version,
    }
    Proposal {
        id, job_id, creator_profile_id, cover_letter, proposed_budget, proposed_timeline_days,
        attachments, portfolio_samples, status, created_at, updated_at, reviewed_at, accepted_at,
        version,
    }
    Review {
        id, contract_id, reviewer_user_id, reviewee_user_id, reviewer_type, overall_rating,
        communication_rating, quality_rating, professionalism_rating, value_rating, title,
        comment, response_text, response_at, is_public, is_featured, flagged, created_at,
        updated_at, version,
    }
    Dispute {
        id, contract_id, raised_by_user_id, dispute_type, title, description, evidence_urls,
        status, resolution, resolved_by_user_id, created_at, resolved_at, version,
    }
    SupportTicket {
        id, user_id, category, priority, subject, description, attachments, status,
        assigned_to_user_id, created_at, updated_at, resolved_at, version,
    }
    Gig {
        id, creator_profile_id, title, slug, description, basic_price, basic_description,
        basic_delivery_days, basic_revisions, standard_price, standard_description,
        standard_delivery_days, standard_revisions, premium_price, premium_description,
        premium_delivery_days, premium_revisions, category, subcategory, video_type,
        thumbnail_url, video_samples, requirements, view_count, order_count, favorite_count,
        status, search_tags, created_at, updated_at, published_at, version,
    }
    User {
        id, email, password_hash, user_type, status, email_verified, phone_number,
        phone_verified, two_factor_enabled, is_staff, last_login_at, login_count, created_at,
        updated_at, deleted_at, version,
    }
    CreatorProfile {
        id, user_id, display_name, tagline, bio, profile_image_url, cover_image_url,
        portfolio_video_url, years_of_experience, hourly_rate, availability_status,
        response_time_hours, total_jobs_completed, total_earnings, success_rate,
        on_time_delivery_rate, average_rating, total_reviews, rating_sum, contracts_closed,
        on_time_completions, is_verified, verification_level, verified_at, instagram_handle,
        tiktok_handle, youtube_channel, website_url, created_at, updated_at, version,
    }
    CreatorCategory {
        id, creator_profile_id, category, is_primary, created_at, version,
    }
    PortfolioItem {
        id, creator_profile_id, title, description, video_url, thumbnail_url,
        video_duration_seconds, view_count, like_count, project_type, platform, display_order,
        is_featured, created_at, updated_at, version,
    }
    ClientProfile {
        id, user_id, company_name, company_logo_url, industry, company_size, website_url,
        description, total_jobs_posted, total_spent, average_rating, total_reviews, rating_sum,
        is_verified, verified_at, payment_verified, created_at, updated_at, version,
    }
    PaymentMethod {
        id, user_id, provider, provider_payment_method_id, r#type as "type", last_four, brand,
        expiry_month, expiry_year, is_default, is_verified, created_at, updated_at, version,
    }
    PayoutMethod {
        id, creator_profile_id, r#type as "type", provider, provider_account_id, account_name,
        last_four, is_default, is_verified, created_at, updated_at, version,
    }
    NotificationPreferences {
        id, user_id, email_new_message, email_new_job, email_proposal_status,
        email_contract_updates, email_payment, email_reviews, email_marketing, push_new_message,
        push_contract_updates, push_payment, inapp_enabled, created_at, updated_at, version,
    }
    ConversationParticipant {
        id, conversation_id, user_id, is_muted, is_archived, last_read_at, unread_count,
        joined_at, version,
    }
    SavedSearch {
        id, user_id, search_type, name, search_params, alert_enabled, alert_frequency,
        created_at, updated_at, version,
    }
    FeeTier {
        id, tier_name, min_amount, max_amount, platform_fee_percentage,
        processing_fee_percentage, fixed_fee, effective_from, effective_until, created_at,
        version,
    }
}

/// The `old_values` and `new_values` of an audit entry for a row changed
/// from `old` to `new`: the fields that differ, before and after, secrets
/// redacted. What [`audit_values`] gives for the same rows, found by typed
/// comparison.
pub(crate) fn update_values<T: FieldDiff>(old: &T, new: &T) -> Result<(Value, Value)> {
    let mut names = Vec::new();
    T::changed_fields(old, new, &mut names);
    let values = (picked(old, &names)?, picked(new, &names)?);
    #[cfg(debug_assertions)]
    if let (Some(old), Some(new)) = (Fields::of(old)?, Fields::of(new)?) {
        let (mut before, mut after) = changed(&old, &new)?;
        drop_rescaled_decimals(&mut before, &mut after);
        debug_assert_eq!(
            values,
            (before, after),
            "the typed comparison and the JSON comparison disagree"
        );
    }
    Ok(values)
}

/// Removes from the JSON comparison's values the fields that differ only
/// in a decimal's trailing zeros (`"4.5"` and `"4.50"`, say, a rating
/// computed here and the same rating read back from a `NUMERIC(3,2)`
/// column): equal values, which the typed comparison rightly leaves out.
#[cfg(debug_assertions)]
fn drop_rescaled_decimals(before: &mut Value, after: &mut Value) {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return;
    };
    let decimal = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| Decimal::from_str(s).ok())
    };
    let rescaled: Vec<String> = after
        .keys()
        .filter(|name| {
            matches!(
                (decimal(before.get(*name)), decimal(after.get(*name))),
                (Some(was), Some(is)) if was == is
            )
        })
        .cloned()
        .collect();
    for name in rescaled {
        before.remove(&name);
        after.remove(&name);
    }
}

/// The fields of `row` named in `names`, as an object of their values,
/// secrets redacted. Fields not named are not serialised at all.
fn picked<T: Serialize>(row: &T, names: &[&'static str]) -> Result<Value> {
    let mut picked = Picked {
        names,
        values: Map::new(),
    };
    if !names.is_empty() {
        row.serialize(Splitter(&mut picked))
            .map_err(|e| audit_error(e.to_string()))?;
    }
    Ok(Value::Object(picked.values))
}

/// Fields whose values the log never holds.
const SECRETS: [&str; 6] = [
    // Contact details: an erased user's address must not survive in the
    // append-only log.
    "email",
    "phone_number",
    "password_hash",
    "token_hash",
    "provider_payment_method_id",
    "provider_account_id",
];

/// What replaces a secret's value.
const REDACTED: &str = "<redacted>";

/// The `old_values` and `new_values` of an audit entry.
pub(crate) fn audit_values<T: Serialize, U: Serialize>(
    old: Option<&T>,
    new: Option<&U>,
) -> Result<(Option<Value>, Option<Value>)> {
    match (old, new) {
        (Some(old), Some(new)) => match (Fields::of(old)?, Fields::of(new)?) {
            (Some(old), Some(new)) => {
                let (before, after) = changed(&old, &new)?;
                Ok((Some(before), Some(after)))
            }
            // Not both structs: keep both whole.
            _ => Ok((Some(redacted(old)?), Some(redacted(new)?))),
        },
        (old, new) => Ok((
            old.map(redacted).transpose()?,
            new.map(redacted).transpose()?,
        )),
    }
}

/// A whole value for the log, secrets replaced.
fn redacted<T: Serialize>(value: &T) -> Result<Value> {
    let mut json = serde_json::to_value(value).map_err(audit_error)?;
    if let Some(map) = json.as_object_mut() {
        for secret in SECRETS {
            if let Some(v) = map.get_mut(secret) {
                *v = Value::String(REDACTED.into());
            }
        }
    }
    Ok(json)
}

fn audit_error(e: impl std::fmt::Display) -> Error {
    Error::validation("audit", e.to_string())
}

/// The fields that differ between `old` and `new` (present in one only, or
/// with different JSON), as two objects: their values before and after.
fn changed(old: &Fields, new: &Fields) -> Result<(Value, Value)> {
    let mut before = Map::new();
    let mut after = Map::new();
    for (name, text) in new.iter() {
        let was = old.get(name);
        if was == Some(text) {
            continue;
        }
        if let Some(was) = was {
            before.insert(name.to_string(), field_value(name, was)?);
        }
        after.insert(name.to_string(), field_value(name, text)?);
    }
    for (name, text) in old.iter() {
        if new.get(name).is_none() {
            before.insert(name.to_string(), field_value(name, text)?);
        }
    }
    Ok((Value::Object(before), Value::Object(after)))
}

fn field_value(name: &str, text: &[u8]) -> Result<Value> {
    if SECRETS.contains(&name) {
        return Ok(Value::String(REDACTED.into()));
    }
    serde_json::from_slice(text).map_err(audit_error)
}

/// The top-level fields of a struct, each as its JSON text, in order.
struct Fields {
    json: Vec<u8>,
    spans: Vec<(&'static str, Range<usize>)>,
}

impl Fields {
    /// The fields of `value`, or `None` when it does not serialise as a
    /// struct (its values are then logged whole).
    fn of<T: Serialize>(value: &T) -> Result<Option<Self>> {
        let mut fields = Self {
            json: Vec::with_capacity(512),
            spans: Vec::with_capacity(48),
        };
        match value.serialize(Splitter(&mut fields)) {
            Ok(()) => Ok(Some(fields)),
            Err(SplitError::NotAStruct) => Ok(None),
            Err(SplitError::Json(e)) => Err(audit_error(e)),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        self.spans
            .iter()
            .map(|(name, span)| (*name, &self.json[span.clone()]))
    }

    fn get(&self, name: &str) -> Option<&[u8]> {
        self.spans
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, span)| &self.json[span.clone()])
    }
}

/// Where [`Splitter`] puts each top-level field of the struct it is given.
trait FieldSink {
    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), SplitError>;
}

impl FieldSink for Fields {
    /// Every field, as its JSON text.
    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), SplitError> {
        let start = self.json.len();
        serde_json::to_writer(&mut self.json, value).map_err(SplitError::Json)?;
        let end = self.json.len();
        self.spans.push((key, start..end));
        Ok(())
    }
}

/// The values of the named fields only.
struct Picked<'a> {
    names: &'a [&'static str],
    values: Map<String, Value>,
}

impl FieldSink for Picked<'_> {
    fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), SplitError> {
        if !self.names.contains(&key) {
            return Ok(());
        }
        let value = if SECRETS.contains(&key) {
            Value::String(REDACTED.into())
        } else {
            serde_json::to_value(value).map_err(SplitError::Json)?
        };
        self.values.insert(key.to_string(), value);
        Ok(())
    }
}

#[derive(Debug)]
enum SplitError {
    NotAStruct,
    Json(serde_json::Error),
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAStruct => f.write_str("not a struct"),
            Self::Json(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SplitError {}

impl ser::Error for SplitError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        Self::Json(<serde_json::Error as ser::Error>::custom(msg))
    }
}

/// A serializer that accepts one struct and hands each field's value to its
/// sink on its own.
struct Splitter<'a, S>(&'a mut S);

impl<S: FieldSink> ser::SerializeStruct for Splitter<'_, S> {
    type Ok = ();
    type Error = SplitError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), SplitError> {
        self.0.field(key, value)
    }

    fn end(self) -> std::result::Result<(), SplitError> {
        Ok(())
    }
}

/// Everything but a struct is refused with `NotAStruct`.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(
            fn $method(self, $(_: $arg),*) -> std::result::Result<(), SplitError> {
                Err(SplitError::NotAStruct)
            }
        )*
    };
}

impl<S: FieldSink> ser::Serializer for Splitter<'_, S> {
    type Ok = ();
    type Error = SplitError;
    type SerializeSeq = Impossible<(), SplitError>;
    type SerializeTuple = Impossible<(), SplitError>;
    type SerializeTupleStruct = Impossible<(), SplitError>;
    type SerializeTupleVariant = Impossible<(), SplitError>;
    type SerializeMap = Impossible<(), SplitError>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), SplitError>;

    not_a_struct!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> std::result::Result<(), SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> std::result::Result<(), SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> std::result::Result<(), SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_seq(
        self,
        _: Option<usize>,
    ) -> std::result::Result<Self::SerializeSeq, SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_tuple(self, _: usize) -> std::result::Result<Self::SerializeTuple, SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleStruct, SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleVariant, SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_map(
        self,
        _: Option<usize>,
    ) -> std::result::Result<Self::SerializeMap, SplitError> {
        Err(SplitError::NotAStruct)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStruct, SplitError> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStructVariant, SplitError> {
        Err(SplitError::NotAStruct)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    struct Row {
        id: u32,
        status: &'static str,
        email: &'static str,
        note: Option<&'static str>,
    }

    fn row(status: &'static str, email: &'static str) -> Row {
        Row {
            id: 7,
            status,
            email,
            note: None,
        }
    }

    #[test]
    fn a_change_keeps_only_the_changed_fields() {
        let (old, new) = audit_values(
            Some(&row("active", "a@x.io")),
            Some(&row("paused", "a@x.io")),
        )
        .expect("values");
        assert_eq!(old, Some(json!({"status": "active"})));
        assert_eq!(new, Some(json!({"status": "paused"})));
    }

    #[test]
    fn a_changed_secret_is_recorded_as_changed_but_redacted() {
        let (old, new) = audit_values(
            Some(&row("active", "a@x.io")),
            Some(&row("active", "b@x.io")),
        )
        .expect("values");
        assert_eq!(old, Some(json!({"email": "<redacted>"})));
        assert_eq!(new, Some(json!({"email": "<redacted>"})));
    }

    #[test]
    fn creations_and_deletions_keep_the_whole_row_without_secrets() {
        let whole = json!({"id": 7, "status": "active", "email": "<redacted>", "note": null});
        let (old, new) =
            audit_values(None::<&Row>, Some(&row("active", "a@x.io"))).expect("values");
        assert_eq!((old, new), (None, Some(whole.clone())));
        let (old, new) =
            audit_values(Some(&row("active", "a@x.io")), None::<&Row>).expect("values");
        assert_eq!((old, new), (Some(whole), None));
    }

    #[test]
    fn different_shapes_compare_by_field_name() {
        #[derive(Serialize)]
        struct Suspension {
            status: &'static str,
            reason: &'static str,
        }
        let (old, new) = audit_values(
            Some(&row("active", "a@x.io")),
            Some(&Suspension {
                status: "suspended",
                reason: "fraud",
            }),
        )
        .expect("values");
        assert_eq!(
            old,
            Some(json!({"status": "active", "id": 7, "email": "<redacted>", "note": null}))
        );
        assert_eq!(new, Some(json!({"status": "suspended", "reason": "fraud"})));
    }

    /// The JSON comparison's values for a change of `old` to `new`.
    fn by_json<T: Serialize>(old: &T, new: &T) -> (Value, Value) {
        let (old, new) = audit_values(Some(old), Some(new)).expect("values");
        (old.expect("old values"), new.expect("new values"))
    }

    #[test]
    fn a_record_names_its_changed_fields_against_a_row_of_its_own_table() {
        use crate::entities::tests::{contract, escrow};
        use crate::enums::ContractStatus;
        use crate::store::Record;

        let old = contract();
        let mut new = old.clone();
        new.status = ContractStatus::Active;
        new.version += 1;
        let (old, new) = (Record::from(old), Record::from(new));
        assert_eq!(new.changed_fields(&old), Some(vec!["status", "version"]));
        assert_eq!(old.changed_fields(&old), Some(vec![]));
        // Another table: nothing to compare field by field.
        assert_eq!(new.changed_fields(&Record::from(escrow())), None);
    }

    #[test]
    fn typed_comparison_logs_what_the_json_comparison_logs() {
        use crate::entities::tests::{contract, escrow, gig, review, transaction, user};
        use crate::enums::{ContractStatus, EscrowStatus};
        use crate::money::Money;

        fn check<T: FieldDiff>(old: &T, new: &T) {
            assert_eq!(update_values(old, new).expect("values"), by_json(old, new));
        }
        // Unchanged, and two rows apart in every id.
        check(&contract(), &contract().clone());
        let (a, b) = (contract(), contract());
        check(&a, &b);
        check(&escrow(), &escrow());
        check(&transaction(), &transaction());
        check(&review(), &review());
        check(&gig(), &gig());
        check(&user(), &user());

        // One command's change: a status, an amount, a timestamp, the version.
        let old = escrow();
        let mut new = old.clone();
        new.status = EscrowStatus::Released;
        new.held_amount = Money::zero(new.held_amount.currency());
        new.updated_at = old.updated_at + chrono::Duration::seconds(30);
        new.version += 1;
        let (before, after) = update_values(&old, &new).expect("values");
        assert_eq!((before.clone(), after.clone()), by_json(&old, &new));
        assert_eq!(
            before
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>()),
            Some(vec![
                "held_amount".to_string(),
                "status".into(),
                "updated_at".into(),
                "version".into()
            ])
        );
        assert_eq!(after["status"], json!("released"));

        let old = contract();
        let mut new = old.clone();
        new.status = ContractStatus::Completed;
        new.completed_at = None;
        check(&old, &new);
    }

    #[test]
    fn a_decimal_written_with_other_trailing_zeros_is_not_a_change() {
        use rust_decimal::Decimal;

        #[derive(Serialize, PartialEq)]
        struct Rated {
            id: u32,
            average_rating: Decimal,
        }
        field_diff! { Rated { id, average_rating } }
        let old = Rated {
            id: 1,
            average_rating: Decimal::new(450, 2),
        };
        let new = Rated {
            id: 1,
            average_rating: Decimal::new(45, 1),
        };
        // The JSON comparison sees "4.50" become "4.5"; the value is the same.
        assert_ne!(by_json(&old, &new), (json!({}), json!({})));
        assert_eq!(
            update_values(&old, &new).expect("values"),
            (json!({}), json!({}))
        );
    }

    #[test]
    fn typed_comparison_redacts_secrets() {
        use crate::entities::tests::user;
        use crate::value::Email;

        let old = user();
        let mut new = old.clone();
        new.email = Email::parse("grace@example.com").expect("valid email");
        let (before, after) = update_values(&old, &new).expect("values");
        assert_eq!(before, json!({"email": "<redacted>"}));
        assert_eq!(after, json!({"email": "<redacted>"}));
    }

    #[test]
    fn values_that_are_not_structs_are_kept_whole() {
        let (old, new) = audit_values(Some(&json!({"a": 1})), Some(&json!({"a": 1, "email": "x"})))
            .expect("values");
        assert_eq!(old, Some(json!({"a": 1})));
        assert_eq!(new, Some(json!({"a": 1, "email": "<redacted>"})));
    }
}

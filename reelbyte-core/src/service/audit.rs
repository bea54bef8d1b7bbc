//! The values an audit entry keeps: for a change, only the fields that
//! changed (before and after); for a creation or a deletion, the whole row.
//! Secrets and contact details never enter the log.
//!
//! Rows are compared field by field on their JSON text, written straight
//! from the typed rows: building a `serde_json::Value` tree of both whole
//! rows for every command cost a third of the memory store's instructions,
//! and only the few changed fields are ever turned into values.

use std::ops::Range;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

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

/// A serializer that accepts one struct and writes each field's value as
/// JSON on its own.
struct Splitter<'a>(&'a mut Fields);

impl ser::SerializeStruct for Splitter<'_> {
    type Ok = ();
    type Error = SplitError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), SplitError> {
        let start = self.0.json.len();
        serde_json::to_writer(&mut self.0.json, value).map_err(SplitError::Json)?;
        let end = self.0.json.len();
        self.0.spans.push((key, start..end));
        Ok(())
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

impl ser::Serializer for Splitter<'_> {
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

    #[test]
    fn values_that_are_not_structs_are_kept_whole() {
        let (old, new) = audit_values(Some(&json!({"a": 1})), Some(&json!({"a": 1, "email": "x"})))
            .expect("values");
        assert_eq!(old, Some(json!({"a": 1})));
        assert_eq!(new, Some(json!({"a": 1, "email": "<redacted>"})));
    }
}

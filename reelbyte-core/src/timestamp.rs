//! Serde for the entities' `DateTime<Utc>` and `NaiveDate` fields: the same
//! RFC 3339 text as chrono's own implementation, written and read without
//! chrono's general-purpose formatter and parser.
//!
//! Every row the library stores, caches, audits or serves goes through
//! serde, and timestamps were the dearest part of it: chrono writes one
//! through `collect_str`, which `serde_json` escapes piece by piece (about
//! 2,100 instructions a timestamp, 7% of a gig-order lifecycle on the
//! memory store, counted with callgrind). Here a timestamp is formatted into
//! a stack buffer and handed over as one string.
//!
//! The output is byte for byte chrono's (`SecondsFormat::AutoSi` with `Z`),
//! and the input accepted is chrono's: only the common form
//! (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)`, what this library and
//! PostgreSQL's `row_to_json` write) is parsed here; anything else, years
//! outside 0 to 9999 and leap seconds included, goes to chrono, which also
//! gives every error. Dates ([`date`]) are written as chrono's `YYYY-MM-DD`
//! and read the same way. Property tests hold both directions to chrono's.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Row {
//!     #[serde(with = "reelbyte_core::timestamp")]
//!     created_at: DateTime<Utc>,
//!     #[serde(default, with = "reelbyte_core::timestamp::option")]
//!     deleted_at: Option<DateTime<Utc>>,
//! }
//!
//! let row: Row =
//!     serde_json::from_str(r#"{"created_at":"2026-12-07T11:28:13.123456+00:00"}"#).unwrap();
//! assert_eq!(row.deleted_at, None);
//! assert_eq!(
//!     serde_json::to_string(&row).unwrap(),
//!     r#"{"created_at":"2026-12-07T11:28:13.123456Z","deleted_at":null}"#
//! );
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The longest text written here: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const MAX_LEN: usize = 30;

/// A timestamp's RFC 3339 text, on the stack.
struct Rfc3339 {
    buf: [u8; MAX_LEN],
    len: usize,
}

impl Rfc3339 {
    /// chrono's text of `t`, or `None` when chrono writes it another way
    /// (a year outside 0 to 9999 takes a sign).
    fn of(t: &DateTime<Utc>) -> Option<Self> {
        let naive = t.naive_utc();
        let year = naive.year();
        if !(0..=9999).contains(&year) {
            return None;
        }
        let mut out = Self {
            buf: [0; MAX_LEN],
            len: 0,
        };
        let (mut second, mut nano) = (naive.second(), naive.nanosecond());
        // chrono keeps a leap second as nanoseconds past 1e9 of second 59.
        if nano >= 1_000_000_000 {
            second += 1;
            nano -= 1_000_000_000;
        }
        // Each value below has the digits given: year 0 to 9999, the rest
        // at most 60, the fractions below their power of ten.
        out.date(year, naive.month(), naive.day());
        out.push(b'T');
        out.digits(naive.hour(), 2);
        out.push(b':');
        out.digits(naive.minute(), 2);
        out.push(b':');
        out.digits(second, 2);
        if nano != 0 {
            out.push(b'.');
            if nano % 1_000_000 == 0 {
                out.digits(nano / 1_000_000, 3);
            } else if nano % 1_000 == 0 {
                out.digits(nano / 1_000, 6);
            } else {
                out.digits(nano, 9);
            }
        }
        out.push(b'Z');
        Some(out)
    }

    /// chrono's text of `date`, or `None` for a year outside 0 to 9999.
    fn of_date(date: NaiveDate) -> Option<Self> {
        if !(0..=9999).contains(&date.year()) {
            return None;
        }
        let mut out = Self {
            buf: [0; MAX_LEN],
            len: 0,
        };
        out.date(date.year(), date.month(), date.day());
        Some(out)
    }

    /// Writes `YYYY-MM-DD` of a year from 0 to 9999.
    fn date(&mut self, year: i32, month: u32, day: u32) {
        self.digits(year.unsigned_abs(), 4);
        self.push(b'-');
        self.digits(month, 2);
        self.push(b'-');
        self.digits(day, 2);
    }

    fn push(&mut self, byte: u8) {
        self.buf[self.len] = byte;
        self.len += 1;
    }

    /// Writes the last `width` decimal digits of `value`, zero-padded.
    fn digits(&mut self, mut value: u32, width: usize) {
        for slot in self.buf[self.len..self.len + width].iter_mut().rev() {
            // `value % 10` is a digit, so the cast keeps it whole.
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += width;
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// The value of the `width` ASCII digits of `b` from `at`, if they are all
/// digits.
fn number(b: &[u8], at: usize, width: usize) -> Option<u32> {
    b.get(at..at + width)?.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// The date `b` starts with when it has the form `YYYY-MM-DD` and names
/// a valid date.
fn parse_date_prefix(b: &[u8]) -> Option<NaiveDate> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(number(b, 0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(b, 5, 2)?, number(b, 8, 2)?)
}

/// The instant `text` names when it has the common form
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)` with a fraction of at most
/// nine digits and valid fields; `None` sends it to chrono.
fn parse_common(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = parse_date_prefix(b)?;
    let (hour, minute, second) = (number(b, 11, 2)?, number(b, 14, 2)?, number(b, 17, 2)?);
    let mut rest = &b[19..];
    let mut nano = 0;
    if let [b'.', tail @ ..] = rest {
        let digits = tail.iter().take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        // Scales the fraction's digits to nanoseconds: ".5" is 500 ms.
        nano = number(b, 20, digits)? * 10u32.pow((9 - digits) as u32);
        rest = &tail[digits..];
    }
    if rest != b"Z" && rest != b"+00:00" {
        return None;
    }
    // A leap second (second 60) is chrono's to read.
    if second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
    Some(date.and_time(time).and_utc())
}

/// Reads `text` as chrono's `Deserialize` for `DateTime<Utc>` does.
fn parse<E: de::Error>(text: &str) -> Result<DateTime<Utc>, E> {
    match parse_common(text) {
        Some(t) => Ok(t),
        None => text
            .parse::<DateTime<FixedOffset>>()
            .map(|t| t.with_timezone(&Utc))
            .map_err(E::custom),
    }
}

/// Writes `t` as chrono's `Serialize` does.
pub fn serialize<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    match Rfc3339::of(t) {
        Some(text) => serializer.serialize_str(text.as_str()),
        None => t.serialize(serializer),
    }
}

/// Reads what chrono's `Deserialize` for `DateTime<Utc>` reads.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Visitor)
}

struct Visitor;

impl de::Visitor<'_> for Visitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // chrono's words, so errors read as before.
        formatter.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        parse(value)
    }
}

/// The same for `Option<DateTime<Utc>>` fields (`null` for `None`); pair
/// it with `#[serde(default)]` so that a missing field still reads as
/// `None`, as without the attribute.
pub mod option {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer};

    /// Writes `t` as chrono's `Serialize` for the option does.
    pub fn serialize<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        super::write_option(t, serializer)
    }

    /// Reads what chrono's `Deserialize` for the option reads.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        super::read_option(deserializer)
    }
}

/// A value with its own way through serde, here: timestamps and dates.
trait Codec: Copy {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

impl Codec for DateTime<Utc> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(self, serializer)
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer)
    }
}

impl Codec for NaiveDate {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        date::serialize(self, serializer)
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        date::deserialize(deserializer)
    }
}

/// A value written and read by its [`Codec`], for options of it.
struct Wrapped<T>(T);

impl<T: Codec> Serialize for Wrapped<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.write(serializer)
    }
}

impl<'de, T: Codec> Deserialize<'de> for Wrapped<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::read(deserializer).map(Wrapped)
    }
}

/// Writes an option as serde writes options, its value by its codec.
fn write_option<T: Codec, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&Wrapped(*value)),
        None => serializer.serialize_none(),
    }
}

/// Reads an option as serde reads options, its value by its codec.
fn read_option<'de, T: Codec, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<Wrapped<T>>::deserialize(deserializer)?.map(|w| w.0))
}

/// The same for `NaiveDate` fields: chrono's `YYYY-MM-DD`.
pub mod date {
    use std::fmt;

    use chrono::NaiveDate;
    use serde::{Deserializer, Serialize, Serializer, de};

    use super::{Rfc3339, parse_date_prefix};

    /// Writes `date` as chrono's `Serialize` does.
    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        match Rfc3339::of_date(*date) {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => date.serialize(serializer),
        }
    }

    /// Reads what chrono's `Deserialize` for `NaiveDate` reads.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        deserializer.deserialize_str(Visitor)
    }

    struct Visitor;

    impl de::Visitor<'_> for Visitor {
        type Value = NaiveDate;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            // chrono's words, so errors read as before.
            formatter.write_str("a formatted date string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            match value.len() {
                10 => parse_date_prefix(value.as_bytes()),
                _ => None,
            }
            .map_or_else(|| value.parse().map_err(E::custom), Ok)
        }
    }

    /// The same for `Option<NaiveDate>` fields; pair it with
    /// `#[serde(default)]`.
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserializer, Serializer};

        /// Writes `date` as chrono's `Serialize` for the option does.
        pub fn serialize<S: Serializer>(
            date: &Option<NaiveDate>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            super::super::write_option(date, serializer)
        }

        /// Reads what chrono's `Deserialize` for the option reads.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<NaiveDate>, D::Error> {
            super::super::read_option(deserializer)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{SecondsFormat, TimeZone};
    use proptest::prelude::*;

    use super::*;

    fn ours(t: &DateTime<Utc>) -> String {
        serialize(t, serde_json::value::Serializer)
            .expect("serializes")
            .as_str()
            .expect("a string")
            .to_owned()
    }

    fn chronos(t: &DateTime<Utc>) -> String {
        serde_json::to_value(t)
            .expect("serializes")
            .as_str()
            .expect("a string")
            .to_owned()
    }

    fn read(text: &str) -> Result<DateTime<Utc>, String> {
        deserialize(serde_json::Value::String(text.into())).map_err(|e| e.to_string())
    }

    fn chrono_read(text: &str) -> Result<DateTime<Utc>, String> {
        serde_json::from_value::<DateTime<Utc>>(serde_json::Value::String(text.into()))
            .map_err(|e| e.to_string())
    }

    /// Any instant chrono can hold, leap seconds included, with fractions
    /// of every precision.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        let nanos = prop_oneof![
            Just(0u32),
            (0u32..1_000).prop_map(|ms| ms * 1_000_000),
            (0u32..1_000_000).prop_map(|us| us * 1_000),
            0u32..2_000_000_000,
        ];
        let days = prop_oneof![
            // Days since 0001-01-01 of 1917 to 2053, then anywhere chrono
            // reaches (years before 0 and after 9999 included).
            9 => 700_000i32..750_000,
            1 => -100_000_000i32..100_000_000,
        ];
        (days, 0u32..86_400, nanos).prop_filter_map("a valid instant", |(days, secs, nano)| {
            let day = NaiveDate::from_num_days_from_ce_opt(days)?;
            // Only second 59 of a minute may carry a leap second.
            let secs = if nano >= 1_000_000_000 {
                secs / 60 * 60 + 59
            } else {
                secs
            };
            let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, nano)?;
            Some(Utc.from_utc_datetime(&day.and_time(time)))
        })
    }

    #[test]
    fn writes_chronos_text() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 11, 28, 13).unwrap();
        assert_eq!(ours(&t), "2026-12-07T11:28:13Z");
        let t = t + chrono::Duration::microseconds(123_456);
        assert_eq!(ours(&t), "2026-12-07T11:28:13.123456Z");
        let t = Utc.with_ymd_and_hms(-12, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(ours(&t), chronos(&t));
    }

    #[test]
    fn reads_what_postgresql_writes() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 11, 28, 13).unwrap()
            + chrono::Duration::microseconds(120_000);
        assert_eq!(read("2026-12-07T11:28:13.12+00:00"), Ok(t));
        assert_eq!(read("2026-12-07T11:28:13.12Z"), Ok(t));
        assert_eq!(read("2026-12-07T12:28:13.12+01:00"), Ok(t));
        assert_eq!(read("2026-12-07 11:28:13.12Z"), Ok(t));
    }

    #[test]
    fn refuses_as_chrono_does() {
        for text in [
            "",
            "2026-02-30T00:00:00Z",
            "2026-12-07T24:00:00Z",
            "2026-12-07T11:28:13.Z",
            "2026-12-07T11:28:13",
            "yesterday",
        ] {
            assert!(read(text).is_err(), "{text}");
            assert_eq!(read(text), chrono_read(text), "{text}");
        }
    }

    #[test]
    fn options_and_missing_fields() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Row {
            #[serde(default, with = "super::option")]
            at: Option<DateTime<Utc>>,
        }
        let row: Row = serde_json::from_str("{}").expect("reads");
        assert_eq!(row, Row { at: None });
        assert_eq!(
            serde_json::to_string(&row).expect("writes"),
            r#"{"at":null}"#
        );
        let row: Row = serde_json::from_str(r#"{"at":"2026-12-07T11:28:13Z"}"#).expect("reads");
        assert_eq!(
            serde_json::to_string(&row).expect("writes"),
            r#"{"at":"2026-12-07T11:28:13Z"}"#
        );
    }

    fn date_round_trip(date: NaiveDate) -> (String, String) {
        let ours = date::serialize(&date, serde_json::value::Serializer).expect("serializes");
        let theirs = serde_json::to_value(date).expect("serializes");
        (ours.to_string(), theirs.to_string())
    }

    fn read_date(text: &str) -> Result<NaiveDate, String> {
        date::deserialize(serde_json::Value::String(text.into())).map_err(|e| e.to_string())
    }

    fn chrono_read_date(text: &str) -> Result<NaiveDate, String> {
        serde_json::from_value::<NaiveDate>(serde_json::Value::String(text.into()))
            .map_err(|e| e.to_string())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn dates_as_chrono_writes_and_reads_them(
            days in prop_oneof![9 => 700_000i32..750_000, 1 => -100_000_000i32..100_000_000],
        ) {
            if let Some(date) = NaiveDate::from_num_days_from_ce_opt(days) {
                let (ours, theirs) = date_round_trip(date);
                prop_assert_eq!(&ours, &theirs);
                let text = date.to_string();
                prop_assert_eq!(read_date(&text), chrono_read_date(&text));
                // Years 0 to 9999 take the fast paths, not chrono's.
                let common = (0..=9999).contains(&date.year());
                prop_assert_eq!(Rfc3339::of_date(date).is_some(), common);
                prop_assert_eq!(parse_date_prefix(text.as_bytes()), common.then_some(date));
            }
        }

        #[test]
        fn any_near_miss_date_reads_as_chrono_reads_it(
            fields in (0u32..10_000, 0u32..14, 0u32..33),
            tail in prop::sample::select(vec!["", " ", "T", "x"]),
        ) {
            let (y, m, d) = fields;
            let text = format!("{y:04}-{m:02}-{d:02}{tail}");
            prop_assert_eq!(read_date(&text), chrono_read_date(&text));
        }

        #[test]
        fn writes_what_chrono_writes(t in instant()) {
            prop_assert_eq!(ours(&t), chronos(&t));
            // Years 0 to 9999 take the fast path, not chrono's.
            prop_assert_eq!(Rfc3339::of(&t).is_some(), (0..=9999).contains(&t.year()));
        }

        #[test]
        fn reads_what_chrono_reads(
            t in instant(),
            format in prop::sample::select(vec![
                SecondsFormat::Secs,
                SecondsFormat::Millis,
                SecondsFormat::Micros,
                SecondsFormat::Nanos,
                SecondsFormat::AutoSi,
            ]),
            zulu in any::<bool>(),
        ) {
            let text = t.to_rfc3339_opts(format, zulu);
            prop_assert_eq!(read(&text), chrono_read(&text));
            // The common form (years 0 to 9999, no leap second) is read
            // here, to the same instant as chrono's.
            let common = (0..=9999).contains(&t.year()) && t.nanosecond() < 1_000_000_000;
            prop_assert_eq!(parse_common(&text).ok_or(()), chrono_read(&text).map_err(drop).and_then(|c| if common { Ok(c) } else { Err(()) }));
        }

        #[test]
        fn reads_any_near_miss_as_chrono_does(
            fields in (0u32..10_000, 0u32..14, 0u32..33, 0u32..26, 0u32..62, 0u32..62),
            fraction in prop::option::of("[0-9]{0,11}"),
            offset in prop::sample::select(vec!["Z", "z", "+00:00", "-00:00", "+01:30", "", "+0000"]),
            separator in prop::sample::select(vec!["T", "t", " "]),
        ) {
            let (y, mo, d, h, mi, s) = fields;
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let text = format!("{y:04}-{mo:02}-{d:02}{separator}{h:02}:{mi:02}:{s:02}{fraction}{offset}");
            prop_assert_eq!(read(&text), chrono_read(&text));
        }
    }
}

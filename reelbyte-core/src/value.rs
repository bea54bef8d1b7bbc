//! Validated value types: "parse, don't validate".
//!
//! Each type here is a newtype whose only constructor is a `parse` function
//! that checks the input once and returns a [`crate::Error::Validation`] when
//! it is refused. Holding an [`Email`], a [`Slug`] or a [`Text<200>`] is
//! therefore proof that the value is acceptable: code further in never checks
//! again, and storage adapters can write it to its column knowing it fits.
//!
//! Every type displays as the exact string (or number) that `parse` accepts
//! back, implements [`FromStr`], and (de)serializes through `parse`, so a JSON
//! document with an invalid value is refused at the boundary instead of
//! producing a half-valid entity.
//!
//! Nothing here panics on any input; the property tests at the bottom of this
//! file check that for arbitrary strings.

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// Implements `Display`, `FromStr`, `AsRef<str>` and the serde pair for a
/// string newtype that has `fn parse(&str) -> Result<Self, Error>` and
/// `fn as_str(&self) -> &str`. Deserialization goes through `parse`.
macro_rules! string_value_impls {
    ($name:ident $(< const $n:ident : usize >)?) => {
        impl $(<const $n: usize>)? fmt::Display for $name $(<$n>)? {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $(<const $n: usize>)? FromStr for $name $(<$n>)? {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl $(<const $n: usize>)? AsRef<str> for $name $(<$n>)? {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl $(<const $n: usize>)? Serialize for $name $(<$n>)? {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de $(, const $n: usize)?> Deserialize<'de> for $name $(<$n>)? {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

// ---------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------

/// An email address, trimmed and lowercased (`users.email`, `VARCHAR(255)`).
///
/// Accepted: `local@domain` with exactly one `@`, where
/// - the local part is 1 to 64 characters of the RFC 5322 "dot-atom" set
///   (ASCII letters, digits and `` !#$%&'*+/=?^_`{|}~- ``, with dots that
///   neither start, end nor repeat); quoted local parts are not supported;
/// - the domain has at least two labels separated by dots, each label 1 to 63
///   ASCII letters, digits or hyphens, not starting or ending with a hyphen
///   (internationalised domains must be given in their `xn--` form);
/// - the whole address is at most 255 characters, the column's width.
///
/// Addresses are lowercased as a whole. Strictly the local part is case
/// sensitive, but no real provider treats it so, and lowercasing makes the
/// `UNIQUE` constraint on `users.email` mean what users expect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Maximum length of the whole address (the column is `VARCHAR(255)`).
    pub const MAX_LEN: usize = 255;
    /// Maximum length of the part before the `@` (RFC 5321).
    pub const MAX_LOCAL_LEN: usize = 64;

    /// Parses, trims and lowercases an email address.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"email"` when the address breaks any
    /// rule of the type's documentation.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const FIELD: &str = "email";
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(Error::validation(FIELD, "must not be empty"));
        }
        // Refused outright rather than lowercased with Unicode rules, which
        // would turn some non-ASCII characters (the Kelvin sign) into ASCII.
        if !trimmed.is_ascii() {
            return Err(Error::validation(
                FIELD,
                "must be ASCII (write internationalised domains in their xn-- form)",
            ));
        }
        let email = trimmed.to_ascii_lowercase();
        // ASCII from here on: byte length equals character count.
        if email.len() > Self::MAX_LEN {
            return Err(Error::validation(
                FIELD,
                format!("must be at most {} characters", Self::MAX_LEN),
            ));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(Error::validation(FIELD, "must contain an @"));
        };
        if domain.contains('@') {
            return Err(Error::validation(FIELD, "must contain exactly one @"));
        }
        if local.is_empty() {
            return Err(Error::validation(FIELD, "the part before the @ is empty"));
        }
        if local.len() > Self::MAX_LOCAL_LEN {
            return Err(Error::validation(
                FIELD,
                format!(
                    "the part before the @ must be at most {} characters",
                    Self::MAX_LOCAL_LEN
                ),
            ));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(Error::validation(
                FIELD,
                "dots in the part before the @ may not start, end or repeat",
            ));
        }
        if let Some(bad) = local.chars().find(|c| !is_email_atext(*c) && *c != '.') {
            return Err(Error::validation(
                FIELD,
                format!("character {bad:?} is not allowed before the @"),
            ));
        }
        check_domain_name(domain, true).map_err(|reason| Error::validation(FIELD, reason))?;
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }

    /// The address as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

string_value_impls!(Email);

/// RFC 5322 `atext` (the characters of a dot-atom, apart from the dots),
/// lowercase only since addresses are lowercased before this check.
fn is_email_atext(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

/// Checks a DNS host name: dot-separated labels of 1..=63 ASCII letters,
/// digits and hyphens, not starting or ending with a hyphen, at most 253
/// characters. `need_dot` requires at least two labels (as email domains do).
fn check_domain_name(domain: &str, need_dot: bool) -> Result<(), String> {
    if domain.is_empty() {
        return Err("the domain is empty".into());
    }
    if domain.len() > 253 {
        return Err("the domain must be at most 253 characters".into());
    }
    if need_dot && !domain.contains('.') {
        return Err("the domain must contain a dot".into());
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err("the domain has an empty label".into());
        }
        if label.len() > 63 {
            return Err("a domain label must be at most 63 characters".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a domain label may not start or end with a hyphen".into());
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
        {
            return Err(format!("character {bad:?} is not allowed in a domain"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Rating
// ---------------------------------------------------------------------------

/// A star rating from 1 to 5 (`reviews.*_rating`, `CHECK (.. BETWEEN 1 AND 5)`).
///
/// Serialized as a bare JSON integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rating(u8);

impl Rating {
    /// The lowest rating, one star.
    pub const MIN: Rating = Rating(1);
    /// The highest rating, five stars.
    pub const MAX: Rating = Rating(5);

    /// Accepts 1 to 5 inclusive.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"rating"` outside 1..=5.
    pub fn parse(stars: i32) -> Result<Self, Error> {
        match u8::try_from(stars) {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err(Error::validation(
                "rating",
                format!("must be between 1 and 5, got {stars}"),
            )),
        }
    }

    /// The number of stars, as the plan's `INTEGER` column holds it.
    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Rating {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let stars = s
            .trim()
            .parse::<i32>()
            .map_err(|_| Error::validation("rating", format!("{s:?} is not a whole number")))?;
        Self::parse(stars)
    }
}

impl TryFrom<i32> for Rating {
    type Error = Error;
    fn try_from(stars: i32) -> Result<Self, Error> {
        Self::parse(stars)
    }
}

impl From<Rating> for i32 {
    fn from(rating: Rating) -> i32 {
        rating.get()
    }
}

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.get())
    }
}

impl<'de> Deserialize<'de> for Rating {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stars = i32::deserialize(d)?;
        Self::parse(stars).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Percentage
// ---------------------------------------------------------------------------

/// A percentage from 0 to 100 with at most two decimals (`DECIMAL(5,2)`:
/// success rates and fee percentages).
///
/// The value is kept at scale 2, as the column stores it, so it displays as
/// `"12.50"`. It serializes as a decimal string like [`Decimal`] does, which
/// keeps it exact in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percentage(Decimal);

impl Percentage {
    /// 0.00 %.
    pub const ZERO: Percentage = Percentage(Decimal::from_parts(0, 0, 0, false, 2));
    /// 100.00 %.
    pub const ONE_HUNDRED: Percentage = Percentage(Decimal::from_parts(10_000, 0, 0, false, 2));

    /// Accepts `0 <= value <= 100` with at most two decimal places.
    ///
    /// Extra decimals are refused rather than rounded: a fee percentage that
    /// silently changed would change what people are charged.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"percentage"` outside 0..=100 or with
    /// more than two decimals.
    pub fn parse(value: Decimal) -> Result<Self, Error> {
        const FIELD: &str = "percentage";
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(Error::validation(
                FIELD,
                format!("{value} has more than 2 decimal places"),
            ));
        }
        if normalized < Decimal::ZERO || normalized > Decimal::ONE_HUNDRED {
            return Err(Error::validation(
                FIELD,
                format!("must be between 0 and 100, got {value}"),
            ));
        }
        if normalized.is_zero() {
            // Also folds a negative zero ("-0.00") into plain zero.
            return Ok(Self::ZERO);
        }
        let mut stored = normalized;
        stored.rescale(2);
        Ok(Self(stored))
    }

    /// The percentage, e.g. `12.50` for 12.5 %.
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Percentage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let value = Decimal::from_str_exact(s.trim())
            .map_err(|_| Error::validation("percentage", format!("{s:?} is not a number")))?;
        Self::parse(value)
    }
}

impl TryFrom<Decimal> for Percentage {
    type Error = Error;
    fn try_from(value: Decimal) -> Result<Self, Error> {
        Self::parse(value)
    }
}

impl From<Percentage> for Decimal {
    fn from(p: Percentage) -> Decimal {
        p.get()
    }
}

impl Serialize for Percentage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = <Decimal as Deserialize<'de>>::deserialize(d)?;
        Self::parse(value).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Slug
// ---------------------------------------------------------------------------

/// A URL slug (`gigs.slug`, `VARCHAR(250) UNIQUE`): 1 to 250 characters of
/// lowercase ASCII letters and digits, separated by single hyphens, with no
/// leading or trailing hyphen, e.g. `"tiktok-product-video"`.
///
/// [`Slug::parse`] only trims surrounding whitespace; it does not repair
/// anything else, so a slug in a URL maps to exactly one gig. Use
/// [`Slug::from_title`] to build one from free text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// Maximum length (the column is `VARCHAR(250)`).
    pub const MAX_LEN: usize = 250;

    /// Parses a slug that is already in canonical form.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"slug"` when it is not canonical.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const FIELD: &str = "slug";
        let slug = s.trim();
        if slug.is_empty() {
            return Err(Error::validation(FIELD, "must not be empty"));
        }
        if let Some(bad) = slug
            .chars()
            .find(|c| !c.is_ascii_lowercase() && !c.is_ascii_digit() && *c != '-')
        {
            return Err(Error::validation(
                FIELD,
                format!("character {bad:?} is not allowed (use a-z, 0-9 and -)"),
            ));
        }
        // ASCII from here on: byte length equals character count.
        if slug.len() > Self::MAX_LEN {
            return Err(Error::validation(
                FIELD,
                format!("must be at most {} characters", Self::MAX_LEN),
            ));
        }
        if slug.starts_with('-') || slug.ends_with('-') {
            return Err(Error::validation(
                FIELD,
                "must not start or end with a hyphen",
            ));
        }
        if slug.contains("--") {
            return Err(Error::validation(
                FIELD,
                "must not contain repeated hyphens",
            ));
        }
        Ok(Self(slug.to_owned()))
    }

    /// Builds a slug from a title: letters and digits are kept (lowercased,
    /// common accented Latin letters folded to ASCII, apostrophes dropped),
    /// every other run of characters becomes one hyphen, and the result is cut
    /// to [`Slug::MAX_LEN`] at a hyphen where possible.
    ///
    /// Refuses titles with no ASCII-representable letter or digit (say,
    /// `"!!!"` or a title written only in a non-Latin script); the caller then
    /// needs to ask for a slug explicitly.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"slug"` when nothing is left.
    ///
    /// ```
    /// # use reelbyte_core::value::Slug;
    /// # fn main() -> reelbyte_core::Result<()> {
    /// let slug = Slug::from_title("  Café Reels: 3 Edits, 1 Day! ")?;
    /// assert_eq!(slug.as_str(), "cafe-reels-3-edits-1-day");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_title(title: &str) -> Result<Self, Error> {
        let mut slug = String::with_capacity(title.len().min(Self::MAX_LEN));
        let mut pending_hyphen = false;
        for c in title.chars() {
            if matches!(c, '\'' | '\u{2019}') {
                // "Don't" becomes "dont", not "don-t".
                continue;
            }
            let folded: Option<&str> = if c.is_ascii_alphanumeric() {
                None
            } else {
                fold_latin(c)
            };
            let mut push = |piece: char| {
                if pending_hyphen && !slug.is_empty() {
                    slug.push('-');
                }
                pending_hyphen = false;
                slug.push(piece.to_ascii_lowercase());
            };
            match folded {
                Some(ascii) => ascii.chars().for_each(&mut push),
                None if c.is_ascii_alphanumeric() => push(c),
                None => pending_hyphen = true,
            }
            if slug.len() > Self::MAX_LEN {
                break;
            }
        }
        if slug.len() > Self::MAX_LEN {
            // Cut at the last hyphen that keeps us in bounds, else hard-cut.
            // The slug is ASCII, so every byte index is a char boundary.
            let cut = slug[..=Self::MAX_LEN]
                .rfind('-')
                .filter(|i| *i > 0)
                .unwrap_or(Self::MAX_LEN);
            slug.truncate(cut);
            while slug.ends_with('-') {
                slug.pop();
            }
        }
        if slug.is_empty() {
            return Err(Error::validation(
                "slug",
                "the title has no letters or digits to build a slug from",
            ));
        }
        Self::parse(&slug)
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The slug as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

string_value_impls!(Slug);

/// ASCII spelling of the common accented Latin letters (Latin-1 Supplement
/// and the most frequent Latin Extended-A ones), for [`Slug::from_title`].
fn fold_latin(c: char) -> Option<&'static str> {
    let folded = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => "c",
        'Ð' | 'ð' | 'Ď' | 'ď' | 'Đ' | 'đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => "e",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'Į' | 'į' | 'İ' | 'ı' => "i",
        'Ł' | 'ł' => "l",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ř' | 'ř' => "r",
        'Ś' | 'ś' | 'Š' | 'š' | 'Ş' | 'ş' => "s",
        'ß' => "ss",
        'Ť' | 'ť' | 'Ţ' | 'ţ' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' => "u",
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' => "y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "z",
        _ => return None,
    };
    Some(folded)
}

// ---------------------------------------------------------------------------
// Url
// ---------------------------------------------------------------------------

/// An absolute `http` or `https` URL of at most `N` characters (and never
/// more than [`URL_MAX_LEN`]).
///
/// Use the [`Url`] alias (at most 2048 characters) for the plan's `*_url TEXT`
/// columns, and `BoundedUrl<255>` for its `VARCHAR(255)` URL columns, so that
/// a value that would not fit the column is refused when it is parsed or
/// deserialized, not when the database rejects the row.
///
/// Checked by hand (the crate takes no URL dependency):
/// - the scheme is `http` or `https` (any case), followed by `://`;
/// - the host is a DNS name (see [`Email`] for the label rules; a single label
///   such as `localhost` is allowed), a dotted IPv4 address, or a bracketed
///   IPv6 address; an optional port is 1 to 65535;
/// - there are no credentials (`user:pass@host`): they leak secrets into logs
///   and are a classic phishing disguise (`https://bank.com@evil.example`);
/// - there is no whitespace and no control character anywhere.
///
/// The URL is stored as given (after trimming): path, query and fragment are
/// not percent-normalised.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoundedUrl<const N: usize> {
    url: String,
    /// Byte range of the host (without brackets for IPv6) within `url`.
    host: (usize, usize),
}

/// An `http(s)` URL of at most 2048 characters (the plan's `*_url TEXT` columns).
pub type Url = BoundedUrl<URL_MAX_LEN>;

/// The longest URL any [`BoundedUrl`] accepts: 2048 characters, the de-facto
/// limit of browsers and CDNs.
pub const URL_MAX_LEN: usize = 2048;

impl<const N: usize> BoundedUrl<N> {
    /// The effective maximum length: `N`, capped at [`URL_MAX_LEN`].
    pub const MAX_LEN: usize = if N < URL_MAX_LEN { N } else { URL_MAX_LEN };

    /// Parses an absolute `http`/`https` URL of at most [`Self::MAX_LEN`]
    /// characters.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"url"` when the URL breaks any rule of
    /// the type's documentation.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const FIELD: &str = "url";
        let url = s.trim();
        if url.is_empty() {
            return Err(Error::validation(FIELD, "must not be empty"));
        }
        if url.chars().count() > Self::MAX_LEN {
            return Err(Error::validation(
                FIELD,
                format!("must be at most {} characters", Self::MAX_LEN),
            ));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::validation(
                FIELD,
                "must not contain whitespace or control characters",
            ));
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(Error::validation(
                FIELD,
                "must be absolute, starting with http:// or https://",
            ));
        };
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(Error::validation(
                FIELD,
                format!("scheme {scheme:?} is not allowed (use http or https)"),
            ));
        }
        let authority_start = scheme.len() + 3;
        let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        if authority.contains('@') {
            return Err(Error::validation(
                FIELD,
                "must not contain credentials (user@host)",
            ));
        }
        let (host_in_authority, host) =
            split_host(authority).map_err(|reason| Error::validation(FIELD, reason))?;
        let start = authority_start + host_in_authority;
        Ok(Self {
            url: url.to_owned(),
            host: (start, start + host.len()),
        })
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The scheme as written (`http` or `https`, in any case).
    pub fn scheme(&self) -> &str {
        self.url.split_once("://").map_or("", |(scheme, _)| scheme)
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.scheme().eq_ignore_ascii_case("https")
    }

    /// The host: a DNS name, an IPv4 address, or an IPv6 address without
    /// its brackets.
    pub fn host(&self) -> &str {
        self.url.get(self.host.0..self.host.1).unwrap_or("")
    }

    /// The URL as an owned string.
    pub fn into_string(self) -> String {
        self.url
    }
}

string_value_impls!(BoundedUrl<const N: usize>);

impl<const N: usize> fmt::Debug for BoundedUrl<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The host offsets are derived data; show only the URL.
        f.debug_tuple("Url").field(&self.url).finish()
    }
}

/// Splits an authority (`host[:port]`, no credentials) and checks both parts.
/// Returns the host's byte offset within `authority` and the host.
fn split_host(authority: &str) -> Result<(usize, &str), String> {
    let (offset, host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((v6, after)) = bracketed.split_once(']') else {
            return Err("an IPv6 host is missing its closing bracket".into());
        };
        if v6.parse::<Ipv6Addr>().is_err() {
            return Err(format!("{v6:?} is not an IPv6 address"));
        }
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return Err("unexpected characters after the IPv6 host".into()),
            },
        };
        (1, v6, port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (0, host, Some(port)),
            None => (0, authority, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    if offset == 0 {
        check_domain_name(host, false)?;
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p > 0);
        if !valid {
            return Err(format!("{port:?} is not a port between 1 and 65535"));
        }
    }
    Ok((offset, host))
}

// ---------------------------------------------------------------------------
// PhoneNumber
// ---------------------------------------------------------------------------

/// A phone number in international form (`users.phone_number`, `VARCHAR(20)`),
/// stored as `+` followed by 7 to 15 digits, e.g. `"+14155550123"`.
///
/// Input may contain spaces, hyphens and parentheses, which are dropped, and
/// may start with `+`. The digits must include the country code; since no
/// E.164 country code starts with 0, a leading 0 (a national trunk prefix as
/// in `020 7946 0958`) is refused instead of being stored as a wrong number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Fewest digits accepted.
    pub const MIN_DIGITS: usize = 7;
    /// Most digits accepted (E.164's maximum).
    pub const MAX_DIGITS: usize = 15;

    /// Parses and normalises a phone number to `+<digits>`.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] on field `"phone_number"` for other characters,
    /// a misplaced `+`, fewer than 7 or more than 15 digits, or a leading 0.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const FIELD: &str = "phone_number";
        let input = s.trim();
        let body = input.strip_prefix('+').unwrap_or(input);
        let mut normalized = String::with_capacity(Self::MAX_DIGITS + 1);
        normalized.push('+');
        for c in body.chars() {
            match c {
                '0'..='9' => {
                    if normalized.len() > Self::MAX_DIGITS {
                        return Err(Error::validation(
                            FIELD,
                            format!("must have at most {} digits", Self::MAX_DIGITS),
                        ));
                    }
                    normalized.push(c);
                }
                ' ' | '-' | '(' | ')' => {}
                '+' => {
                    return Err(Error::validation(FIELD, "+ is only allowed at the start"));
                }
                other => {
                    return Err(Error::validation(
                        FIELD,
                        format!("character {other:?} is not allowed"),
                    ));
                }
            }
        }
        let digits = normalized.len() - 1;
        if digits < Self::MIN_DIGITS {
            return Err(Error::validation(
                FIELD,
                format!("must have at least {} digits", Self::MIN_DIGITS),
            ));
        }
        if normalized.starts_with("+0") {
            return Err(Error::validation(
                FIELD,
                "must start with the country code (no leading 0)",
            ));
        }
        Ok(Self(normalized))
    }

    /// The normalised number, `+` followed by digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without the leading `+`.
    pub fn digits(&self) -> &str {
        self.0.get(1..).unwrap_or("")
    }

    /// The number as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

string_value_impls!(PhoneNumber);

// ---------------------------------------------------------------------------
// Text<N>
// ---------------------------------------------------------------------------

/// Non-empty, trimmed text of at most `N` characters: the plan's
/// `VARCHAR(N)` columns (`Text<200>` for titles, `Text<50>` for categories).
///
/// Refused: empty or whitespace-only input, more than `N` characters
/// (Unicode scalar values, as PostgreSQL counts them, not bytes), and control
/// characters other than newline and tab (they corrupt logs and terminals and
/// are never meant in these fields).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<const N: usize>(String);

impl<const N: usize> Text<N> {
    /// Maximum length in characters.
    pub const MAX_LEN: usize = N;

    /// Parses text, trimming surrounding whitespace; errors name the field
    /// `"text"` (see [`Text::parse_field`] to name the real one).
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] when the trimmed text is empty, longer than `N`
    /// characters, or holds a control character other than `\n` and `\t`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        Self::parse_field("text", s)
    }

    /// Like [`Text::parse`], with `field` named in the error (e.g. `"title"`).
    ///
    /// # Errors
    ///
    /// As [`Text::parse`], naming `field`.
    pub fn parse_field(field: &'static str, s: &str) -> Result<Self, Error> {
        let text = s.trim();
        if text.is_empty() {
            return Err(Error::validation(field, "must not be empty"));
        }
        let mut count = 0usize;
        for c in text.chars() {
            count += 1;
            if count > N {
                return Err(Error::validation(
                    field,
                    format!("must be at most {N} characters"),
                ));
            }
            if c.is_control() && c != '\n' && c != '\t' {
                return Err(Error::validation(
                    field,
                    format!("control character {c:?} is not allowed"),
                ));
            }
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

string_value_impls!(Text<const N: usize>);

#[cfg(test)]
mod tests {
    use super::*;

    fn is_validation<T: fmt::Debug>(result: Result<T, Error>, field: &str) -> bool {
        matches!(result, Err(Error::Validation { field: f, .. }) if f == field)
    }

    // --- Email ------------------------------------------------------------

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let email = Email::parse("  Ada.Lovelace+Reels@Example.CO.uk \n").expect("valid");
        assert_eq!(email.as_str(), "ada.lovelace+reels@example.co.uk");
        assert_eq!(email.local_part(), "ada.lovelace+reels");
        assert_eq!(email.domain(), "example.co.uk");
        assert_eq!(email.to_string(), email.as_str());
    }

    #[test]
    fn email_accepts_edge_lengths() {
        let local = "a".repeat(64);
        assert!(Email::parse(&format!("{local}@example.com")).is_ok());
        // 64 + 1 + 190 = 255 characters in all.
        let domain = format!(
            "{}.{}.{}.com",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(58)
        );
        let email = format!("{local}@{domain}");
        assert_eq!(email.len(), 255);
        assert!(Email::parse(&email).is_ok());
        assert!(Email::parse(&format!("{email}x")).is_err());
    }

    #[test]
    fn email_refuses_bad_input() {
        let too_long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("a@{}.com", "b".repeat(64));
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "a@",
            "a@@example.com",
            "a@b@example.com",
            "a@localhost",
            "a@example..com",
            "a@.example.com",
            "a@example.com.",
            "a@-example.com",
            "a@example-.com",
            "a@exa_mple.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a b@example.com",
            "a\"b@example.com",
            "a(b)@example.com",
            "ünïcode@example.com",
            "a@exämple.com",
            too_long_local.as_str(),
            long_label.as_str(),
        ] {
            assert!(
                is_validation(Email::parse(bad), "email"),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn email_lowercasing_cannot_smuggle_in_unicode() {
        // U+212A KELVIN SIGN lowercases to an ASCII "k".
        assert!(is_validation(Email::parse("\u{212a}@example.com"), "email"));
    }

    #[test]
    fn email_serde_goes_through_parse() {
        let email: Email = serde_json::from_str(r#"" Bob@Example.com""#).expect("valid");
        assert_eq!(email.as_str(), "bob@example.com");
        assert_eq!(
            serde_json::to_string(&email).expect("ser"),
            r#""bob@example.com""#
        );
        assert!(serde_json::from_str::<Email>(r#""not-an-email""#).is_err());
        assert!(serde_json::from_str::<Email>("42").is_err());
    }

    // --- Rating -----------------------------------------------------------

    #[test]
    fn rating_accepts_one_to_five() {
        for stars in 1..=5 {
            let rating = Rating::parse(stars).expect("valid");
            assert_eq!(rating.get(), stars);
            assert_eq!(
                rating.to_string().parse::<Rating>().expect("round trip"),
                rating
            );
        }
        assert_eq!(Rating::MIN.get(), 1);
        assert_eq!(Rating::MAX.get(), 5);
        assert_eq!(" 4 ".parse::<Rating>().expect("valid").get(), 4);
    }

    #[test]
    fn rating_refuses_out_of_range() {
        for bad in [i32::MIN, -1, 0, 6, 256, 257, i32::MAX] {
            assert!(is_validation(Rating::parse(bad), "rating"), "{bad}");
        }
        for bad in ["", "x", "4.5", "0", "6", "++4"] {
            assert!(is_validation(bad.parse::<Rating>(), "rating"), "{bad:?}");
        }
    }

    #[test]
    fn rating_serde_is_a_number() {
        let rating = Rating::parse(3).expect("valid");
        assert_eq!(serde_json::to_string(&rating).expect("ser"), "3");
        assert_eq!(serde_json::from_str::<Rating>("3").expect("de"), rating);
        for bad in ["0", "6", "-1", "\"3\"", "3.5", "99999999999"] {
            assert!(serde_json::from_str::<Rating>(bad).is_err(), "{bad}");
        }
    }

    // --- Percentage ---------------------------------------------------------

    #[test]
    fn percentage_accepts_zero_to_hundred_with_two_decimals() {
        let p = Percentage::parse(Decimal::new(125, 1)).expect("valid");
        assert_eq!(p.to_string(), "12.50");
        assert_eq!(p.get(), Decimal::new(1250, 2));
        assert_eq!(Percentage::ZERO.to_string(), "0.00");
        assert_eq!(Percentage::ONE_HUNDRED.to_string(), "100.00");
        assert_eq!(
            Percentage::parse(Decimal::ZERO).expect("valid"),
            Percentage::ZERO
        );
        assert_eq!(
            Percentage::parse(Decimal::ONE_HUNDRED).expect("valid"),
            Percentage::ONE_HUNDRED
        );
        // Trailing zeros beyond two places are not extra precision.
        assert!(Percentage::parse(Decimal::new(12_5000, 4)).is_ok());
        assert_eq!(
            "99.99".parse::<Percentage>().expect("valid").get(),
            Decimal::new(9999, 2)
        );
        let negative_zero = "-0.00".parse::<Percentage>().expect("valid");
        assert_eq!(negative_zero.to_string(), "0.00");
    }

    #[test]
    fn percentage_refuses_bad_values() {
        for bad in [
            Decimal::new(-1, 2),
            Decimal::new(10001, 2),
            Decimal::new(1001, 3),
            Decimal::MAX,
            Decimal::MIN,
        ] {
            assert!(is_validation(Percentage::parse(bad), "percentage"), "{bad}");
        }
        for bad in ["", "abc", "1e2", "12.345", "-0.01", "100.01", "NaN"] {
            assert!(
                is_validation(bad.parse::<Percentage>(), "percentage"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn percentage_serde_is_an_exact_string() {
        let p: Percentage = serde_json::from_str(r#""7.5""#).expect("valid");
        assert_eq!(serde_json::to_string(&p).expect("ser"), r#""7.50""#);
        assert!(serde_json::from_str::<Percentage>(r#""100.5""#).is_err());
        assert!(serde_json::from_str::<Percentage>(r#""1.234""#).is_err());
    }

    // --- Slug ---------------------------------------------------------------

    #[test]
    fn slug_accepts_canonical_slugs() {
        for good in ["a", "0", "tiktok-ads", "4k-video-edit-2025", " trimmed "] {
            let slug = Slug::parse(good).expect("valid");
            assert_eq!(slug.as_str(), good.trim());
        }
        assert!(Slug::parse(&"a".repeat(250)).is_ok());
    }

    #[test]
    fn slug_refuses_non_canonical_input() {
        for bad in [
            "", " ", "-a", "a-", "a--b", "A", "a_b", "a b", "a/b", "café", "a.b",
        ] {
            assert!(
                is_validation(Slug::parse(bad), "slug"),
                "{bad:?} was accepted"
            );
        }
        assert!(Slug::parse(&"a".repeat(251)).is_err());
    }

    #[test]
    fn slug_from_title() {
        let cases = [
            ("Hello, World!", "hello-world"),
            ("  --Leading and trailing--  ", "leading-and-trailing"),
            ("Don't Stop", "dont-stop"),
            ("Crème Brûlée  Reels", "creme-brulee-reels"),
            ("Straße über Łódź", "strasse-uber-lodz"),
            ("4K / 60fps", "4k-60fps"),
            ("日本 Video", "video"),
        ];
        for (title, expected) in cases {
            assert_eq!(Slug::from_title(title).expect(title).as_str(), expected);
        }
        for bad in ["", "!!!", "日本語", "''"] {
            assert!(is_validation(Slug::from_title(bad), "slug"), "{bad:?}");
        }
    }

    #[test]
    fn slug_from_long_title_is_cut_at_a_hyphen() {
        let title = "word ".repeat(100);
        let slug = Slug::from_title(&title).expect("valid");
        assert!(slug.as_str().len() <= Slug::MAX_LEN);
        assert!(slug.as_str().ends_with("word"));
        let unbroken = "x".repeat(400);
        assert_eq!(
            Slug::from_title(&unbroken).expect("valid").as_str().len(),
            250
        );
    }

    // --- Url ----------------------------------------------------------------

    #[test]
    fn url_accepts_http_and_https() {
        let url = Url::parse(" https://cdn.example.com/videos/a.mp4?x=1#t=2 ").expect("valid");
        assert_eq!(url.as_str(), "https://cdn.example.com/videos/a.mp4?x=1#t=2");
        assert_eq!(url.host(), "cdn.example.com");
        assert_eq!(url.scheme(), "https");
        assert!(url.is_https());

        let url = Url::parse("HTTP://localhost:8080").expect("valid");
        assert_eq!(url.host(), "localhost");
        assert!(!url.is_https());

        let url = Url::parse("http://[::1]:3000/path").expect("valid");
        assert_eq!(url.host(), "::1");
        assert_eq!(
            Url::parse("https://192.168.0.1?q").expect("valid").host(),
            "192.168.0.1"
        );
        assert!(Url::parse("https://example.com/ünïcode/path").is_ok());
    }

    #[test]
    fn url_refuses_bad_input() {
        for bad in [
            "",
            "example.com",
            "//example.com",
            "ftp://example.com",
            "javascript://alert(1)",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com/a b",
            "https://example.com/\u{7}",
            "https://user:pw@example.com",
            "https://bank.com@evil.example",
            "https://exa_mple.com",
            "https://-example.com",
            "https://example..com",
            "https://example.com:",
            "https://example.com:0",
            "https://example.com:65536",
            "https://example.com:http",
            "https://[::1",
            "https://[nothex]/",
            "https://[::1]x",
            "https://exa\\mple.com",
        ] {
            assert!(
                is_validation(Url::parse(bad), "url"),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn url_length_follows_the_bound() {
        let path = "a".repeat(2048 - "https://example.com/".len());
        let longest = format!("https://example.com/{path}");
        assert!(Url::parse(&longest).is_ok());
        assert!(Url::parse(&format!("{longest}a")).is_err());

        let short = format!("https://example.com/{}", "b".repeat(235));
        assert_eq!(short.len(), 255);
        assert!(BoundedUrl::<255>::parse(&short).is_ok());
        assert!(BoundedUrl::<255>::parse(&format!("{short}b")).is_err());
        assert_eq!(BoundedUrl::<100_000>::MAX_LEN, URL_MAX_LEN);

        // The bound is also enforced on deserialization.
        let json = serde_json::to_string(&format!("{short}b")).expect("ser");
        assert!(serde_json::from_str::<BoundedUrl<255>>(&json).is_err());
        assert!(serde_json::from_str::<Url>(&json).is_ok());
    }

    // --- PhoneNumber ----------------------------------------------------------

    #[test]
    fn phone_number_is_normalised() {
        let cases = [
            ("+1 (415) 555-0123", "+14155550123"),
            ("44 20 7946 0958", "+442079460958"),
            ("  +33-1-23-45-67-89 ", "+33123456789"),
            ("1234567", "+1234567"),
            ("+123456789012345", "+123456789012345"),
        ];
        for (input, expected) in cases {
            let phone = PhoneNumber::parse(input).expect(input);
            assert_eq!(phone.as_str(), expected);
            assert_eq!(phone.digits(), &expected[1..]);
            assert!(phone.as_str().len() <= 20);
        }
    }

    #[test]
    fn phone_number_refuses_bad_input() {
        for bad in [
            "",
            "+",
            "123456",
            "+1234567890123456",
            "020 7946 0958",
            "+0123456789",
            "++14155550123",
            "+1 415 555 0123 ext 4",
            "1+4155550123",
            "+1.415.555.0123",
            "+1/415/5550123",
            "１２３４５６７８",
        ] {
            assert!(
                is_validation(PhoneNumber::parse(bad), "phone_number"),
                "{bad:?}"
            );
        }
    }

    // --- Text -----------------------------------------------------------------

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        let text = Text::<5>::parse("  héllo \n").expect("valid");
        assert_eq!(text.as_str(), "héllo");
        // Five characters, but ten bytes: counted as characters.
        assert!(Text::<5>::parse("ééééé").is_ok());
        assert!(Text::<5>::parse("éééééé").is_err());
        assert!(Text::<20>::parse("line one\nline\ttwo").is_ok());
        assert_eq!(Text::<4>::MAX_LEN, 4);
    }

    #[test]
    fn text_refuses_bad_input() {
        for bad in [
            "",
            "   ",
            "\n\t",
            "abc\u{0}",
            "a\rb",
            "a\u{1b}[31mb",
            "a\u{7f}",
        ] {
            assert!(is_validation(Text::<50>::parse(bad), "text"), "{bad:?}");
        }
        assert!(is_validation(
            Text::<3>::parse_field("title", "four"),
            "title"
        ));
    }

    #[test]
    fn text_serde_goes_through_parse() {
        let text: Text<10> = serde_json::from_str(r#"" short ""#).expect("valid");
        assert_eq!(text.as_str(), "short");
        assert!(serde_json::from_str::<Text<3>>(r#""too long""#).is_err());
        assert!(serde_json::from_str::<Text<3>>(r#""""#).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Checks that `T` displays as something `parse` accepts back
        /// unchanged, and that serde round-trips too.
        fn round_trips<T>(value: &T) -> Result<(), TestCaseError>
        where
            T: fmt::Display + FromStr<Err = Error> + PartialEq + fmt::Debug,
            T: Serialize + for<'de> Deserialize<'de>,
        {
            let reparsed: T = value
                .to_string()
                .parse()
                .map_err(|e| TestCaseError::fail(format!("{value:?} did not re-parse: {e}")))?;
            prop_assert_eq!(&reparsed, value);
            let json =
                serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: T =
                serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&back, value);
            Ok(())
        }

        proptest! {
            #[test]
            fn parsers_never_panic_on_arbitrary_strings(s in any::<String>()) {
                let _ = Email::parse(&s);
                let _ = s.parse::<Rating>();
                let _ = s.parse::<Percentage>();
                let _ = Slug::parse(&s);
                let _ = Slug::from_title(&s);
                let _ = Url::parse(&s);
                let _ = BoundedUrl::<10>::parse(&s);
                let _ = PhoneNumber::parse(&s);
                let _ = Text::<1>::parse(&s);
                let _ = Text::<200>::parse(&s);
            }

            #[test]
            fn parsers_never_panic_on_url_like_strings(
                s in "(https?|HTTP|ftp)?:?/{0,3}[a-z0-9@:\\[\\]\\.\\-_/?#%]{0,40}",
            ) {
                let _ = Url::parse(&s);
                let _ = Email::parse(&s);
            }

            #[test]
            fn numeric_parsers_never_panic(n in any::<i32>(), mantissa in any::<i64>(), scale in 0u32..=28) {
                let _ = Rating::parse(n);
                let _ = Percentage::parse(Decimal::new(mantissa, scale));
            }

            #[test]
            fn accepted_strings_round_trip(s in any::<String>()) {
                if let Ok(v) = Email::parse(&s) { round_trips(&v)?; }
                if let Ok(v) = Slug::parse(&s) { round_trips(&v)?; }
                if let Ok(v) = Url::parse(&s) { round_trips(&v)?; }
                if let Ok(v) = PhoneNumber::parse(&s) { round_trips(&v)?; }
                if let Ok(v) = Text::<30>::parse(&s) { round_trips(&v)?; }
            }

            #[test]
            fn generated_emails_round_trip(
                local in "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\\.[a-z0-9]{1,10}){0,2}",
                domain in "[A-Za-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\\.[a-z0-9]{1,10}){1,3}",
            ) {
                let email = Email::parse(&format!("{local}@{domain}"))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(email.as_str(), format!("{local}@{domain}").to_lowercase());
                round_trips(&email)?;
            }

            #[test]
            fn generated_urls_round_trip(
                scheme in "https?",
                host in "[a-z0-9]{1,10}(\\.[a-z0-9]{1,10}){0,3}",
                port in proptest::option::of(1u16..),
                path in "(/[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,20}){0,3}(\\?[a-z0-9=&]{0,10})?",
            ) {
                let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                let url = Url::parse(&format!("{scheme}://{host}{port}{path}"))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(url.host(), host.as_str());
                round_trips(&url)?;
            }

            #[test]
            fn titles_always_give_valid_slugs(title in any::<String>()) {
                if let Ok(slug) = Slug::from_title(&title) {
                    prop_assert!(Slug::parse(slug.as_str()).is_ok());
                    round_trips(&slug)?;
                }
            }

            #[test]
            fn generated_phone_numbers_round_trip(digits in "[1-9][0-9]{6,14}", plus in any::<bool>()) {
                let input = if plus { format!("+{digits}") } else { digits.clone() };
                let phone = PhoneNumber::parse(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(phone.digits(), digits.as_str());
                round_trips(&phone)?;
            }

            #[test]
            fn ratings_and_percentages_round_trip(stars in 1i32..=5, hundredths in 0i64..=10_000) {
                round_trips(&Rating::parse(stars).map_err(|e| TestCaseError::fail(e.to_string()))?)?;
                let p = Percentage::parse(Decimal::new(hundredths, 2))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                round_trips(&p)?;
            }
        }
    }
}

//! [proptest](mod@proptest) strategies for property-testing code built on ReelByte
//! (feature `proptest`).
//!
//! - valid values of every validated domain type, and invalid inputs that
//!   their parsers must refuse ([`valid_email`], [`invalid_email`], ...);
//! - amounts of money in any supported currency ([`money`]);
//! - service inputs ([`review_input`], [`tier_input`]);
//! - whole workflows: the [`workflow::Command`]s of the marketplace, a
//!   [`workflow::Model`] that says which of them must succeed and what every
//!   balance must be afterwards, and [`workflow::commands`] to generate
//!   sequences of legal and illegal commands by random actors.
//!
//! An embedding service tests its own rule the same way this crate does:
//!
//! ```
//! use proptest::prelude::*;
//! use reelbyte_core::strategies::{money, valid_email};
//! use reelbyte_core::Currency;
//!
//! // Our service gives a 5% loyalty discount; it must never exceed the price
//! // nor lose a cent.
//! fn discount(price: reelbyte_core::Money) -> reelbyte_core::Money {
//!     price.percent(rust_decimal::Decimal::from(5)).expect("in range")
//! }
//!
//! proptest!(|(price in money(Currency::USD, 1, 1_000_000), _email in valid_email())| {
//!     let d = discount(price);
//!     prop_assert!(d.amount() <= price.amount());
//!     prop_assert_eq!(price.checked_sub(d).unwrap().checked_add(d).unwrap(), price);
//! });
//! ```

pub mod workflow;

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::enums::GigTier;
use crate::money::{Currency, Money};
use crate::service::{ReviewInput, TierInput};
use crate::value::{Email, Percentage, PhoneNumber, Rating, Slug, Text, Url};

/// A currency the library knows.
pub fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::all().collect::<Vec<_>>())
}

/// An amount of `currency` between `min_minor` and `max_minor` minor units
/// (cents for USD), inclusive.
pub fn money(currency: Currency, min_minor: i64, max_minor: i64) -> impl Strategy<Value = Money> {
    (min_minor..=max_minor).prop_map(move |minor| {
        Money::from_minor(minor, currency).unwrap_or_else(|_| Money::zero(currency))
    })
}

/// A positive amount in any known currency, up to ten million major units.
pub fn any_positive_money() -> impl Strategy<Value = Money> {
    currency().prop_flat_map(|c| {
        let max = 10_000_000i64 * 10i64.pow(c.scale());
        money(c, 1, max)
    })
}

/// A valid email address.
pub fn valid_email() -> impl Strategy<Value = Email> {
    (
        "[a-z][a-z0-9._]{0,20}[a-z0-9]",
        "[a-z][a-z0-9-]{0,15}",
        "[a-z]{2,6}",
    )
        .prop_filter_map("a valid address", |(local, domain, tld)| {
            Email::parse(&format!("{local}@{domain}.{tld}")).ok()
        })
}

/// Strings that [`Email::parse`] must refuse.
pub fn invalid_email() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z]{1,10}",
        "[a-z]{1,10}@",
        "@[a-z]{1,10}\\.com",
        "[a-z]{1,5} [a-z]{1,5}@example\\.com",
        "[a-z]{1,5}@@example\\.com",
        "[a-z]{65,70}@example\\.com",
    ]
}

/// A valid star rating.
pub fn rating() -> impl Strategy<Value = Rating> {
    (1i32..=5).prop_filter_map("1 to 5", |n| Rating::parse(n).ok())
}

/// Integers that [`Rating::parse`] must refuse.
pub fn invalid_rating() -> impl Strategy<Value = i32> {
    prop_oneof![i32::MIN..=0, 6..=i32::MAX]
}

/// A valid percentage (0 to 100, two decimals).
pub fn percentage() -> impl Strategy<Value = Percentage> {
    (0i64..=10_000).prop_filter_map("0 to 100", |n| Percentage::parse(Decimal::new(n, 2)).ok())
}

/// Decimals that [`Percentage::parse`] must refuse.
pub fn invalid_percentage() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (i64::MIN / 4..0).prop_map(|n| Decimal::new(n, 2)),
        (10_001i64..i64::MAX / 4).prop_map(|n| Decimal::new(n, 2)),
    ]
}

/// A canonical slug.
pub fn slug() -> impl Strategy<Value = Slug> {
    "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,4}".prop_filter_map("canonical", |s| Slug::parse(&s).ok())
}

/// Strings that [`Slug::parse`] must refuse.
pub fn invalid_slug() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "-[a-z]{1,8}",
        "[a-z]{1,8}-",
        "[a-z]{1,8}--[a-z]{1,8}",
        "[A-Z]{1,8}",
        "[a-z]{1,4} [a-z]{1,4}",
    ]
}

/// A non-blank text of at most `N` characters.
pub fn text<const N: usize>() -> impl Strategy<Value = Text<N>> {
    let max = N.clamp(1, 200);
    proptest::string::string_regex(&format!("[A-Za-z0-9][A-Za-z0-9 ,.!?'-]{{0,{}}}", max - 1))
        .expect("a valid regex")
        .prop_filter_map("fits the column", |s| Text::<N>::parse(&s).ok())
}

/// Strings that `Text<N>::parse` must refuse: blank, or longer than `N`.
pub fn invalid_text<const N: usize>() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        " {1,5}".prop_map(|s| s),
        Just("x".repeat(N + 1)),
    ]
}

/// An https URL.
pub fn url() -> impl Strategy<Value = Url> {
    ("[a-z]{3,10}", "[a-z0-9]{1,10}").prop_filter_map("a valid url", |(host, path)| {
        Url::parse(&format!("https://{host}.example.com/{path}")).ok()
    })
}

/// A phone number in E.164 form.
pub fn phone_number() -> impl Strategy<Value = PhoneNumber> {
    "\\+[1-9][0-9]{7,13}".prop_filter_map("E.164", |s| PhoneNumber::parse(&s).ok())
}

/// A gig tier.
pub fn gig_tier() -> impl Strategy<Value = GigTier> {
    prop::sample::select(GigTier::ALL.to_vec())
}

/// A valid gig tier offer in USD.
pub fn tier_input() -> impl Strategy<Value = TierInput> {
    (money(Currency::USD, 500, 1_000_000), 1i32..=30, 0i32..=5).prop_map(
        |(price, delivery_days, revisions)| TierInput {
            price,
            description: None,
            delivery_days,
            revisions,
        },
    )
}

/// A valid review.
pub fn review_input() -> impl Strategy<Value = ReviewInput> {
    (
        rating(),
        proptest::option::of(rating()),
        proptest::option::of(rating()),
        proptest::option::of("[A-Za-z ]{1,200}"),
    )
        .prop_map(|(overall, communication, quality, comment)| ReviewInput {
            overall_rating: overall,
            communication_rating: communication,
            quality_rating: quality,
            professionalism_rating: None,
            value_rating: None,
            title: None,
            comment,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        #[test]
        fn invalid_values_are_refused(
            email in invalid_email(),
            stars in invalid_rating(),
            pct in invalid_percentage(),
            slug in invalid_slug(),
            title in invalid_text::<10>(),
        ) {
            prop_assert!(Email::parse(&email).is_err(), "{}", email);
            prop_assert!(Rating::parse(stars).is_err());
            prop_assert!(Percentage::parse(pct).is_err());
            prop_assert!(Slug::parse(&slug).is_err(), "{}", slug);
            prop_assert!(Text::<10>::parse(&title).is_err(), "{}", title);
        }

        #[test]
        fn valid_values_round_trip_through_their_parsers(
            email in valid_email(),
            slug in slug(),
            amount in any_positive_money(),
            title in text::<50>(),
            phone in phone_number(),
        ) {
            prop_assert_eq!(Email::parse(email.as_str()).ok(), Some(email.clone()));
            prop_assert_eq!(Slug::parse(slug.as_str()).ok(), Some(slug.clone()));
            prop_assert!(amount.is_positive());
            prop_assert_eq!(Text::<50>::parse(title.as_str()).ok(), Some(title.clone()));
            prop_assert_eq!(PhoneNumber::parse(phone.as_str()).ok(), Some(phone.clone()));
        }
    }
}

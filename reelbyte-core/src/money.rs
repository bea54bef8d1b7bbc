//! Money: a `rust_decimal` amount that always carries its currency.
//!
//! An amount is kept at exactly its currency's minor-unit scale (USD 2, JPY 0,
//! KWD 3). Construction refuses more decimals than the currency has instead of
//! rounding silently; arithmetic is checked (no overflow, no mixing of
//! currencies); splitting an amount ([`Money::allocate`],
//! [`Money::allocate_by_weights`]) uses the largest-remainder method so the
//! parts always sum exactly to the whole.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// An ISO 4217 currency that ReelByte can hold, with its minor-unit scale.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    scale: u8,
}

/// ISO 4217 codes accepted by [`Currency::parse`] and their minor units.
const KNOWN_CURRENCIES: &[(&str, u8)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("CHF", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("INR", 2),
    ("BRL", 2),
    ("MXN", 2),
    ("SGD", 2),
    ("HKD", 2),
    ("CNY", 2),
    ("ZAR", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("ISK", 0),
    ("CLP", 0),
    ("VND", 0),
    ("KWD", 3),
    ("BHD", 3),
    ("JOD", 3),
    ("OMR", 3),
    ("TND", 3),
];

impl Currency {
    /// US dollar, the default currency.
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Euro.
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// Pound sterling.
    pub const GBP: Currency = Currency::known(*b"GBP", 2);
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency::known(*b"JPY", 0);
    /// Kuwaiti dinar (three decimals).
    pub const KWD: Currency = Currency::known(*b"KWD", 3);

    const fn known(code: [u8; 3], scale: u8) -> Self {
        Self { code, scale }
    }

    /// Parses a three-letter ISO 4217 code (case-insensitive) that ReelByte supports.
    pub fn parse(code: &str) -> Result<Self, Error> {
        let upper = code.trim().to_ascii_uppercase();
        KNOWN_CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(c, scale)| {
                let b = c.as_bytes();
                Self::known([b[0], b[1], b[2]], *scale)
            })
            .ok_or_else(|| Error::validation("currency", format!("unsupported currency {code:?}")))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The code bytes always come from `KNOWN_CURRENCIES`, which is ASCII.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Number of decimal places of the minor unit (USD 2, JPY 0).
    pub const fn scale(&self) -> u32 {
        self.scale as u32
    }

    /// The smallest representable amount (0.01 USD, 1 JPY).
    pub fn minor_unit(&self) -> Decimal {
        Decimal::new(1, self.scale())
    }

    /// Every currency ReelByte supports.
    pub fn all() -> impl Iterator<Item = Currency> {
        KNOWN_CURRENCIES.iter().map(|(c, scale)| {
            let b = c.as_bytes();
            Self::known([b[0], b[1], b[2]], *scale)
        })
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::USD
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of money in one currency, at exactly that currency's scale.
///
/// Amounts may be negative (ledger postings are signed); commands that need a
/// positive amount check it with [`Money::ensure_positive`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// Serde shape of [`Money`]; deserialisation goes through the checked constructor.
#[derive(Deserialize)]
struct RawMoney {
    amount: Decimal,
    #[serde(default)]
    currency: Currency,
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawMoney::deserialize(d)?;
        Money::new(raw.amount, raw.currency).map_err(serde::de::Error::custom)
    }
}

impl Money {
    /// The largest absolute amount ReelByte accepts: 10^15 - 1 major units,
    /// far above any `DECIMAL(12,2)` column and far below `Decimal`'s limits,
    /// so that sums of many amounts cannot overflow.
    pub const MAX_MAJOR_UNITS: i64 = 999_999_999_999_999;

    /// `amount` in `currency`; refuses more decimals than the currency has.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, Error> {
        let normalized = amount.normalize();
        if normalized.scale() > currency.scale() {
            return Err(Error::validation(
                "amount",
                format!(
                    "{amount} has more than {} decimal places for {currency}",
                    currency.scale()
                ),
            ));
        }
        if normalized.abs() > Decimal::from(Self::MAX_MAJOR_UNITS) {
            return Err(Error::validation("amount", "amount is out of range"));
        }
        let mut amount = normalized;
        amount.rescale(currency.scale());
        Ok(Self { amount, currency })
    }

    /// Parses a decimal string such as `"10.50"` in `currency`.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Error> {
        let value = Decimal::from_str_exact(amount.trim())
            .map_err(|e| Error::validation("amount", format!("{amount:?} is not a number: {e}")))?;
        Self::new(value, currency)
    }

    /// Parses a decimal string in US dollars.
    pub fn usd(amount: &str) -> Result<Self, Error> {
        Self::parse(amount, Currency::USD)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        let mut amount = Decimal::ZERO;
        amount.rescale(currency.scale());
        Self { amount, currency }
    }

    /// An amount given in minor units (cents for USD).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, Error> {
        Self::new(Decimal::new(minor, currency.scale()), currency)
    }

    /// The amount in minor units (cents for USD).
    pub fn to_minor(&self) -> i128 {
        self.amount.mantissa()
    }

    /// The decimal amount, at the currency's scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Whether the amount is above zero.
    pub fn is_positive(&self) -> bool {
        !self.is_negative() && !self.is_zero()
    }

    /// Refuses amounts that are zero or negative, naming `field`.
    pub fn ensure_positive(self, field: &'static str) -> Result<Self, Error> {
        if self.is_positive() {
            Ok(self)
        } else {
            Err(Error::validation(
                field,
                format!("must be positive, got {self}"),
            ))
        }
    }

    /// Refuses negative amounts, naming `field`.
    pub fn ensure_non_negative(self, field: &'static str) -> Result<Self, Error> {
        if self.is_negative() {
            Err(Error::validation(
                field,
                format!("must not be negative, got {self}"),
            ))
        } else {
            Ok(self)
        }
    }

    fn same_currency(&self, other: &Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::validation(
                "currency",
                format!("cannot combine {} with {}", self.currency, other.currency),
            ))
        }
    }

    /// `self + other`; refuses mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.same_currency(&other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| Error::validation("amount", "overflow"))?;
        Money::new(sum, self.currency)
    }

    /// `self - other`; refuses mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.same_currency(&other)?;
        let diff = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| Error::validation("amount", "overflow"))?;
        Money::new(diff, self.currency)
    }

    /// `-self`.
    pub fn negate(self) -> Money {
        Money {
            amount: -self.amount,
            currency: self.currency,
        }
    }

    /// The sum of `items`, all in `currency` (zero when empty).
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, Error> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Compares two amounts of the same currency.
    pub fn checked_cmp(&self, other: &Money) -> Result<Ordering, Error> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// The smaller of two amounts of the same currency.
    pub fn checked_min(self, other: Money) -> Result<Money, Error> {
        Ok(match self.checked_cmp(&other)? {
            Ordering::Greater => other,
            _ => self,
        })
    }

    /// `self × percent / 100`, rounded once to the currency's scale with
    /// half-away-from-zero ("commercial") rounding.
    pub fn percent(self, percent: Decimal) -> Result<Money, Error> {
        let raw = self
            .amount
            .checked_mul(percent)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(|| Error::validation("amount", "overflow"))?;
        let rounded = raw.round_dp_with_strategy(
            self.currency.scale(),
            RoundingStrategy::MidpointAwayFromZero,
        );
        Money::new(rounded, self.currency)
    }

    /// Splits the amount into `parts` amounts that differ by at most one minor
    /// unit and sum exactly to `self` (earlier parts get the extra units).
    pub fn allocate(self, parts: usize) -> Result<Vec<Money>, Error> {
        if parts == 0 {
            return Err(Error::validation(
                "parts",
                "cannot allocate into zero parts",
            ));
        }
        self.allocate_by_weights(&vec![1u64; parts])
    }

    /// Splits the amount in proportion to `weights` with the largest-remainder
    /// method: each part gets the floor of its exact share in minor units, and
    /// the units left over go one each to the parts with the largest
    /// remainders (ties to the earlier part). The parts always sum exactly to
    /// `self`; a zero weight gets zero.
    pub fn allocate_by_weights(self, weights: &[u64]) -> Result<Vec<Money>, Error> {
        if weights.is_empty() {
            return Err(Error::validation(
                "weights",
                "at least one weight is needed",
            ));
        }
        let total_weight: u128 = weights.iter().map(|w| u128::from(*w)).sum();
        if total_weight == 0 {
            return Err(Error::validation("weights", "weights must not all be zero"));
        }
        let negative = self.is_negative();
        let minor = self.to_minor().unsigned_abs();
        let mut shares: Vec<(u128, u128)> = weights
            .iter()
            .map(|w| {
                let exact = minor * u128::from(*w);
                (exact / total_weight, exact % total_weight)
            })
            .collect();
        let assigned: u128 = shares.iter().map(|(q, _)| *q).sum();
        let mut leftover = minor - assigned;
        let mut order: Vec<usize> = (0..shares.len()).collect();
        order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1).then(a.cmp(b)));
        for index in order {
            if leftover == 0 {
                break;
            }
            if weights[index] > 0 {
                shares[index].0 += 1;
                leftover -= 1;
            }
        }
        shares
            .into_iter()
            .map(|(units, _)| {
                let signed =
                    i128::try_from(units).map_err(|_| Error::validation("amount", "overflow"))?;
                let signed = if negative { -signed } else { signed };
                let mantissa =
                    i64::try_from(signed).map_err(|_| Error::validation("amount", "overflow"))?;
                Money::from_minor(mantissa, self.currency)
            })
            .collect()
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Money {
        Money::usd(s).expect("valid")
    }

    #[test]
    fn scale_follows_the_currency() {
        assert_eq!(usd("10.5").to_string(), "10.50 USD");
        assert_eq!(
            Money::parse("1000", Currency::JPY)
                .expect("valid")
                .to_string(),
            "1000 JPY"
        );
        assert!(Money::parse("1.5", Currency::JPY).is_err());
        assert!(Money::usd("1.005").is_err());
        assert_eq!(usd("1.000").to_minor(), 100);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        for bad in [
            "",
            "abc",
            "1e5",
            "NaN",
            "1.2.3",
            "99999999999999999999999999",
        ] {
            assert!(
                matches!(Money::usd(bad), Err(Error::Validation { .. })),
                "{bad}"
            );
        }
        assert!(Currency::parse("XXX").is_err());
        assert!(Currency::parse("usd").is_ok());
    }

    #[test]
    fn mixing_currencies_is_refused() {
        let eur = Money::parse("1.00", Currency::EUR).expect("valid");
        assert!(usd("1.00").checked_add(eur).is_err());
        assert!(usd("1.00").checked_sub(eur).is_err());
    }

    #[test]
    fn allocation_sums_exactly() {
        let parts = usd("100.00").allocate(3).expect("ok");
        assert_eq!(parts, vec![usd("33.34"), usd("33.33"), usd("33.33")]);
        let parts = usd("0.05").allocate_by_weights(&[1, 1, 0]).expect("ok");
        assert_eq!(parts, vec![usd("0.03"), usd("0.02"), usd("0.00")]);
        let parts = usd("-1.00").allocate(3).expect("ok");
        assert_eq!(Money::sum(Currency::USD, parts).expect("sum"), usd("-1.00"));
    }

    #[test]
    fn percent_rounds_half_away_from_zero() {
        assert_eq!(
            usd("0.05").percent(Decimal::new(10, 0)).expect("ok"),
            usd("0.01")
        );
        assert_eq!(
            usd("0.04").percent(Decimal::new(10, 0)).expect("ok"),
            usd("0.00")
        );
    }

    #[test]
    fn serde_round_trip() {
        let m = usd("10.50");
        let json = serde_json::to_string(&m).expect("ser");
        assert_eq!(json, r#"{"amount":"10.50","currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).expect("de"), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.001","currency":"USD"}"#).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn allocate_by_weights_sums_exactly(
                cents in -10_000_000_000i64..10_000_000_000,
                weights in proptest::collection::vec(0u64..1_000_000, 1..20),
            ) {
                let amount = Money::from_minor(cents, Currency::USD).expect("valid");
                match amount.allocate_by_weights(&weights) {
                    Ok(parts) => {
                        prop_assert_eq!(parts.len(), weights.len());
                        prop_assert_eq!(Money::sum(Currency::USD, parts.iter().copied()).expect("sum"), amount);
                        for (part, w) in parts.iter().zip(&weights) {
                            if *w == 0 { prop_assert!(part.is_zero()); }
                        }
                    }
                    Err(_) => prop_assert!(weights.iter().all(|w| *w == 0)),
                }
            }

            #[test]
            fn allocate_parts_differ_by_at_most_one_unit(cents in 0i64..10_000_000_000, n in 1usize..50) {
                let parts = Money::from_minor(cents, Currency::USD).expect("valid").allocate(n).expect("ok");
                let min = parts.iter().map(|p| p.to_minor()).min().expect("non-empty");
                let max = parts.iter().map(|p| p.to_minor()).max().expect("non-empty");
                prop_assert!(max - min <= 1);
            }

            #[test]
            fn parse_never_panics(s in ".*") {
                let _ = Money::usd(&s);
            }
        }
    }
}

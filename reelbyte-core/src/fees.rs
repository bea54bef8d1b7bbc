//! Fee rules: the plan's `fee_structure` tiers and the quotes they produce.
//!
//! # The rounding rule
//!
//! A quote for a `total` under a tier is computed in this order, each figure
//! rounded **once** to the currency's minor unit, half away from zero:
//!
//! 1. `commission = round(total × platform_fee_percentage / 100)`
//! 2. `processing_fee = round(total × processing_fee_percentage / 100) + fixed_fee`
//! 3. `platform_fee = min(total, commission + processing_fee)`; the processing
//!    fee is capped at the platform fee.
//! 4. `creator_payout = total − platform_fee`.
//!
//! The platform withholds `platform_fee` from the total and pays the payment
//! provider's `processing_fee` out of it, so `platform_fee + creator_payout ==
//! total` holds exactly: the payout is the remainder, never rounded on its own.
//!
//! # Tier selection
//!
//! A tier applies to an amount in its currency with `min_amount <= amount <
//! max_amount` (no maximum: unbounded) at an instant with `effective_from <= at
//! < effective_until` (no end: open). Two tiers of one currency whose amount
//! ranges and effective periods both intersect overlap; a [`FeeSchedule`]
//! refuses them, so that selection is never ambiguous.
//!
//! # Defaults
//!
//! The plan defines the table but no figures. [`FeeSchedule::default_tiers`]
//! uses common creator-marketplace figures: a 10% platform commission below
//! 500.00, 8% from 500.00 to 10,000.00 and 5% above; a card-processing cost of
//! 2.9% + 0.30 per charge (a typical card processor's list price) on every tier.

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::entities::FeeTier;
use crate::error::{Error, Result};
use crate::ids::FeeTierId;
use crate::money::{Currency, Money};
use crate::value::{Percentage, Text};

/// What a fee schedule refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeeError {
    /// No tier covers this amount at this instant.
    #[error("no fee tier applies to {amount} at {at}")]
    NoApplicableTier {
        /// The amount that was quoted.
        amount: Money,
        /// The instant of the quote.
        at: DateTime<Utc>,
    },
    /// Two tiers cover the same amounts at the same time.
    #[error("fee tiers `{first}` and `{second}` overlap")]
    OverlappingTiers {
        /// The name of the first tier.
        first: String,
        /// The name of the second tier.
        second: String,
    },
    /// A tier is malformed (a maximum below its minimum, an empty period, ...).
    #[error("fee tier `{tier}` is invalid: {reason}")]
    InvalidTier {
        /// The tier's name.
        tier: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The fees of one amount under one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuote {
    /// What the client pays.
    pub total: Money,
    /// Everything the platform withholds, processing included.
    pub platform_fee: Money,
    /// The part of `platform_fee` that goes to the payment provider.
    pub processing_fee: Money,
    /// What the creator receives: `total − platform_fee`.
    pub creator_payout: Money,
    /// The tier the quote came from.
    pub tier_id: FeeTierId,
}

impl FeeQuote {
    /// The platform's own revenue: `platform_fee − processing_fee`.
    pub fn commission(&self) -> Money {
        // Both share a currency and processing_fee <= platform_fee by construction.
        self.platform_fee
            .checked_sub(self.processing_fee)
            .unwrap_or(Money::zero(self.total.currency()))
    }

    /// Checks `platform_fee + creator_payout == total` and that nothing is negative.
    pub fn check(&self) -> Result<()> {
        let sum = self.platform_fee.checked_add(self.creator_payout)?;
        let ok = sum == self.total
            && !self.platform_fee.is_negative()
            && !self.creator_payout.is_negative()
            && !self.processing_fee.is_negative()
            && self.processing_fee.checked_cmp(&self.platform_fee)?.is_le();
        if ok {
            Ok(())
        } else {
            Err(Error::rule("fee_quote_unbalanced", format!("{self:?}")))
        }
    }

    /// The platform and processing fees due on the first `cumulative` of the
    /// total: `round(fee × cumulative / total)`, half away from zero.
    ///
    /// This is monotone in `cumulative` and exact at the total, so releasing a
    /// contract in several parts charges, per part, the difference between
    /// two cumulative figures: the parts' fees always sum to the fee on what
    /// was released in all, never more than each part, and to the quote's fee
    /// when everything is released.
    pub fn fees_on_cumulative(&self, cumulative: Money) -> Result<(Money, Money)> {
        cumulative.ensure_non_negative("amount")?;
        if cumulative.checked_cmp(&self.total)?.is_gt() {
            return Err(Error::validation("amount", "more than the quoted total"));
        }
        if self.total.is_zero() {
            return Ok((self.platform_fee, self.processing_fee));
        }
        let share = |fee: Money| -> Result<Money> {
            let raw = fee
                .amount()
                .checked_mul(cumulative.amount())
                .and_then(|v| v.checked_div(self.total.amount()))
                .ok_or_else(|| Error::validation("amount", "overflow"))?;
            let rounded = raw.round_dp_with_strategy(
                fee.currency().scale(),
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            );
            Money::new(rounded, fee.currency())
        };
        let platform = share(self.platform_fee)?;
        let processing = share(self.processing_fee)?.checked_min(platform)?;
        Ok((platform, processing))
    }

    /// The quote's share for a part of the total (a milestone, a settlement):
    /// the fee is split in proportion with the largest-remainder method, so
    /// that the parts' fees sum exactly to this quote's fee.
    pub fn split(&self, parts: &[Money]) -> Result<Vec<FeeQuote>> {
        let weights = parts
            .iter()
            .map(|p| {
                p.ensure_non_negative("amount")?;
                u64::try_from(p.to_minor()).map_err(|_| Error::validation("amount", "out of range"))
            })
            .collect::<Result<Vec<u64>>>()?;
        let sum = Money::sum(self.total.currency(), parts.iter().copied())?;
        if sum != self.total {
            return Err(Error::validation(
                "amount",
                format!("parts sum to {sum}, not to the total {}", self.total),
            ));
        }
        let fees = self.platform_fee.allocate_by_weights(&weights)?;
        let processing = self.processing_fee.allocate_by_weights(&weights)?;
        parts
            .iter()
            .zip(fees.into_iter().zip(processing))
            .map(|(part, (fee, proc_fee))| {
                let processing_fee = proc_fee.checked_min(fee)?;
                let quote = FeeQuote {
                    total: *part,
                    platform_fee: fee,
                    processing_fee,
                    creator_payout: part.checked_sub(fee)?,
                    tier_id: self.tier_id,
                };
                quote.check()?;
                Ok(quote)
            })
            .collect()
    }
}

/// Quotes `total` under `tier`, following the module's rounding rule.
pub fn quote_with_tier(tier: &FeeTier, total: Money) -> Result<FeeQuote> {
    total.ensure_non_negative("total")?;
    let commission = total.percent(tier.platform_fee_percentage.get())?;
    let processing = total
        .percent(tier.processing_fee_percentage.get())?
        .checked_add(tier.fixed_fee)?;
    let platform_fee = commission.checked_add(processing)?.checked_min(total)?;
    let processing_fee = processing.checked_min(platform_fee)?;
    let quote = FeeQuote {
        total,
        platform_fee,
        processing_fee,
        creator_payout: total.checked_sub(platform_fee)?,
        tier_id: tier.id,
    };
    quote.check()?;
    Ok(quote)
}

/// A validated set of fee tiers: no two overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeSchedule {
    tiers: Vec<FeeTier>,
}

impl FeeSchedule {
    /// Validates `tiers`: each well-formed, no two overlapping.
    pub fn new(tiers: Vec<FeeTier>) -> Result<Self> {
        for tier in &tiers {
            validate_tier(tier)?;
        }
        for (i, a) in tiers.iter().enumerate() {
            for b in &tiers[i + 1..] {
                if overlaps(a, b) {
                    return Err(FeeError::OverlappingTiers {
                        first: a.tier_name.to_string(),
                        second: b.tier_name.to_string(),
                    }
                    .into());
                }
            }
        }
        Ok(Self { tiers })
    }

    /// The tiers, in the order given.
    pub fn tiers(&self) -> &[FeeTier] {
        &self.tiers
    }

    /// The tier that applies to `amount` at `at`.
    pub fn tier_for(&self, amount: Money, at: DateTime<Utc>) -> Result<&FeeTier> {
        self.tiers
            .iter()
            .find(|t| covers_amount(t, amount) && covers_instant(t, at))
            .ok_or_else(|| FeeError::NoApplicableTier { amount, at }.into())
    }

    /// The fee quote for `amount` at `at`.
    pub fn quote(&self, amount: Money, at: DateTime<Utc>) -> Result<FeeQuote> {
        quote_with_tier(self.tier_for(amount, at)?, amount)
    }

    /// Whether adding `tier` would keep the schedule valid.
    pub fn with_tier(&self, tier: FeeTier) -> Result<Self> {
        let mut tiers = self.tiers.clone();
        tiers.push(tier);
        Self::new(tiers)
    }

    /// The default tiers (see the module docs) for `currency`, effective from
    /// `effective_from` with no end. Thresholds are in major units of `currency`.
    pub fn default_tiers(
        currency: Currency,
        effective_from: DateTime<Utc>,
    ) -> Result<Vec<FeeTier>> {
        let money = |major: i64| Money::new(Decimal::from(major), currency);
        let pct = |p: Decimal| Percentage::parse(p);
        let fixed = Money::new(Decimal::new(30, 2).round_dp(currency.scale()), currency)?;
        let tier = |name: &str, min: i64, max: Option<i64>, platform: Decimal| -> Result<FeeTier> {
            Ok(FeeTier {
                id: FeeTierId::new(),
                tier_name: Text::parse(name)?,
                min_amount: money(min)?,
                max_amount: max.map(money).transpose()?,
                platform_fee_percentage: pct(platform)?,
                processing_fee_percentage: pct(Decimal::new(29, 1))?,
                fixed_fee: fixed,
                effective_from,
                effective_until: None,
                created_at: effective_from,
                version: 1,
            })
        };
        let code = currency.code().to_ascii_lowercase();
        Ok(vec![
            tier(
                &format!("{code}-standard"),
                0,
                Some(500),
                Decimal::new(10, 0),
            )?,
            tier(
                &format!("{code}-growth"),
                500,
                Some(10_000),
                Decimal::new(8, 0),
            )?,
            tier(
                &format!("{code}-enterprise"),
                10_000,
                None,
                Decimal::new(5, 0),
            )?,
        ])
    }

    /// The default schedule for US dollars, euros and pounds, effective from 2025-01-01.
    pub fn standard() -> Self {
        let from = Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let tiers = [Currency::USD, Currency::EUR, Currency::GBP]
            .into_iter()
            .flat_map(|c| Self::default_tiers(c, from).unwrap_or_default())
            .collect();
        // The default tiers are constants that cannot overlap.
        Self { tiers }
    }
}

fn validate_tier(tier: &FeeTier) -> Result<()> {
    let invalid = |reason: &str| -> Error {
        FeeError::InvalidTier {
            tier: tier.tier_name.to_string(),
            reason: reason.to_string(),
        }
        .into()
    };
    if tier.min_amount.is_negative() {
        return Err(invalid("min_amount is negative"));
    }
    if tier.fixed_fee.is_negative() || tier.fixed_fee.currency() != tier.min_amount.currency() {
        return Err(invalid(
            "fixed_fee must be non-negative and in the tier's currency",
        ));
    }
    if let Some(max) = tier.max_amount {
        if max.currency() != tier.min_amount.currency() {
            return Err(invalid(
                "min_amount and max_amount have different currencies",
            ));
        }
        if max.amount() <= tier.min_amount.amount() {
            return Err(invalid("max_amount must be above min_amount"));
        }
    }
    if let Some(until) = tier.effective_until
        && until <= tier.effective_from
    {
        return Err(invalid("effective_until must be after effective_from"));
    }
    Ok(())
}

fn covers_amount(tier: &FeeTier, amount: Money) -> bool {
    amount.currency() == tier.min_amount.currency()
        && amount.amount() >= tier.min_amount.amount()
        && tier
            .max_amount
            .is_none_or(|max| amount.amount() < max.amount())
}

fn covers_instant(tier: &FeeTier, at: DateTime<Utc>) -> bool {
    at >= tier.effective_from && tier.effective_until.is_none_or(|until| at < until)
}

fn overlaps(a: &FeeTier, b: &FeeTier) -> bool {
    if a.min_amount.currency() != b.min_amount.currency() {
        return false;
    }
    let amounts = a
        .max_amount
        .is_none_or(|max| b.min_amount.amount() < max.amount())
        && b.max_amount
            .is_none_or(|max| a.min_amount.amount() < max.amount());
    let periods = a
        .effective_until
        .is_none_or(|until| b.effective_from < until)
        && b.effective_until
            .is_none_or(|until| a.effective_from < until);
    amounts && periods
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn usd(s: &str) -> Money {
        Money::usd(s).expect("valid")
    }

    #[test]
    fn default_quote_matches_the_documented_rule() {
        let q = FeeSchedule::standard()
            .quote(usd("100.00"), at())
            .expect("quote");
        // 10% commission + 2.9% + 0.30 processing.
        assert_eq!(q.processing_fee, usd("3.20"));
        assert_eq!(q.platform_fee, usd("13.20"));
        assert_eq!(q.creator_payout, usd("86.80"));
        assert_eq!(q.commission(), usd("10.00"));
    }

    #[test]
    fn tiers_select_by_amount() {
        let s = FeeSchedule::standard();
        assert_eq!(
            s.tier_for(usd("499.99"), at())
                .expect("t")
                .tier_name
                .to_string(),
            "usd-standard"
        );
        assert_eq!(
            s.tier_for(usd("500.00"), at())
                .expect("t")
                .tier_name
                .to_string(),
            "usd-growth"
        );
        assert_eq!(
            s.tier_for(usd("10000.00"), at())
                .expect("t")
                .tier_name
                .to_string(),
            "usd-enterprise"
        );
    }

    #[test]
    fn tiny_amounts_cap_the_fee_at_the_total() {
        let q = FeeSchedule::standard()
            .quote(usd("0.01"), at())
            .expect("quote");
        assert_eq!(q.platform_fee, usd("0.01"));
        assert_eq!(q.creator_payout, usd("0.00"));
        q.check().expect("balanced");
    }

    #[test]
    fn no_tier_before_effective_date_or_in_other_currency() {
        let s = FeeSchedule::standard();
        let early = Utc
            .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        assert!(matches!(
            s.quote(usd("10.00"), early),
            Err(Error::Fees(FeeError::NoApplicableTier { .. }))
        ));
        let yen = Money::parse("1000", Currency::JPY).expect("valid");
        assert!(matches!(
            s.quote(yen, at()),
            Err(Error::Fees(FeeError::NoApplicableTier { .. }))
        ));
    }

    #[test]
    fn overlapping_tiers_are_refused() {
        let from = at();
        let mut tiers = FeeSchedule::default_tiers(Currency::USD, from).expect("tiers");
        let mut extra = tiers[0].clone();
        extra.id = FeeTierId::new();
        extra.tier_name = Text::parse("promo").expect("valid");
        extra.effective_from = from + Duration::days(10);
        tiers.push(extra.clone());
        assert!(matches!(
            FeeSchedule::new(tiers.clone()),
            Err(Error::Fees(FeeError::OverlappingTiers { .. }))
        ));
        // A successor that starts when the first ends does not overlap.
        tiers.pop();
        tiers[0].effective_until = Some(from + Duration::days(10));
        tiers.push(extra);
        FeeSchedule::new(tiers).expect("adjacent periods are fine");
    }

    #[test]
    fn malformed_tiers_are_refused() {
        let mut tiers = FeeSchedule::default_tiers(Currency::USD, at()).expect("tiers");
        tiers[0].max_amount = Some(usd("0.00"));
        assert!(matches!(
            FeeSchedule::new(tiers),
            Err(Error::Fees(FeeError::InvalidTier { .. }))
        ));
    }

    #[test]
    fn split_sums_exactly() {
        let q = FeeSchedule::standard()
            .quote(usd("100.00"), at())
            .expect("quote");
        let parts = usd("100.00").allocate(3).expect("parts");
        let split = q.split(&parts).expect("split");
        let fee = Money::sum(Currency::USD, split.iter().map(|s| s.platform_fee)).expect("sum");
        let payout =
            Money::sum(Currency::USD, split.iter().map(|s| s.creator_payout)).expect("sum");
        assert_eq!(fee, q.platform_fee);
        assert_eq!(payout, q.creator_payout);
    }

    proptest! {
        #[test]
        fn quotes_add_up_for_every_amount_and_tier(
            cents in 1i64..=10_000_000_000,
            tier_index in 0usize..3,
            platform_bp in 0i64..=10_000,
            processing_bp in 0i64..=10_000,
            fixed_cents in 0i64..=1_000,
        ) {
            let total = Money::from_minor(cents, Currency::USD).expect("valid");
            // Every default tier, quoted directly, for every amount.
            let tiers = FeeSchedule::default_tiers(Currency::USD, at()).expect("tiers");
            let q = quote_with_tier(&tiers[tier_index], total).expect("quote");
            prop_assert_eq!(q.platform_fee.checked_add(q.creator_payout).expect("add"), total);
            prop_assert!(!q.creator_payout.is_negative());
            // And arbitrary tier figures.
            let mut tier = tiers[tier_index].clone();
            tier.platform_fee_percentage = Percentage::parse(Decimal::new(platform_bp, 2)).expect("pct");
            tier.processing_fee_percentage = Percentage::parse(Decimal::new(processing_bp, 2)).expect("pct");
            tier.fixed_fee = Money::from_minor(fixed_cents, Currency::USD).expect("valid");
            let q = quote_with_tier(&tier, total).expect("quote");
            prop_assert_eq!(q.platform_fee.checked_add(q.creator_payout).expect("add"), total);
            prop_assert!(q.processing_fee.checked_cmp(&q.platform_fee).expect("cmp").is_le());
        }

        #[test]
        fn schedule_quotes_every_amount_up_to_a_hundred_million(cents in 1i64..=10_000_000_000) {
            let total = Money::from_minor(cents, Currency::USD).expect("valid");
            let q = FeeSchedule::standard().quote(total, at()).expect("quote");
            q.check().expect("balanced");
        }
    }
}

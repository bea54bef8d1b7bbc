//! Section 13 of the plan, platform configuration: `platform_settings` and
//! `fee_structure`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::FeeTierId;
use crate::money::Money;
use crate::value::{Percentage, Text};

/// A row of `platform_settings`: one global setting, keyed by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformSetting {
    /// Primary key: the setting's name, e.g. `"max_revisions_default"`.
    pub key: Text<100>,
    /// The setting's value.
    pub value: serde_json::Value,
    /// What the setting does.
    pub description: Option<String>,
    /// When the setting last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `fee_structure`: the fees charged on amounts in
/// `[min_amount, max_amount)` during `[effective_from, effective_until)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeTier {
    /// Primary key.
    pub id: FeeTierId,
    /// Name of the tier, e.g. `"standard"`.
    pub tier_name: Text<50>,
    /// Smallest amount the tier applies to (inclusive); its currency is the
    /// tier's currency.
    pub min_amount: Money,
    /// Amount from which the tier no longer applies (exclusive); `None` for
    /// no upper bound.
    pub max_amount: Option<Money>,
    /// The platform's commission, in percent of the amount.
    pub platform_fee_percentage: Percentage,
    /// The payment processor's fee, in percent of the amount.
    pub processing_fee_percentage: Percentage,
    /// A fixed processing fee added per charge.
    pub fixed_fee: Money,
    /// When the tier starts to apply (inclusive).
    #[serde(with = "crate::timestamp")]
    pub effective_from: DateTime<Utc>,
    /// When the tier stops applying (exclusive); `None` while current.
    #[serde(default, with = "crate::timestamp::option")]
    pub effective_until: Option<DateTime<Utc>>,
    /// When the row was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

//! Section 6 of the plan, payments: `payment_methods`, `payout_methods`,
//! `transactions` and `escrow_accounts`.
//!
//! Card and bank details are never stored: only the payment provider's
//! token for them and what is needed to display them (`last_four`, `brand`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{
    EscrowStatus, PaymentMethodType, PayoutMethodType, TransactionStatus, TransactionType,
};
use crate::ids::{
    ContractId, CreatorProfileId, EscrowAccountId, MilestoneId, PaymentMethodId, PayoutMethodId,
    TransactionId, UserId,
};
use crate::money::{Currency, Money};
use crate::value::Text;

/// A row of `payment_methods`: a tokenised way for a user to pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// Primary key.
    pub id: PaymentMethodId,
    /// The owning user.
    pub user_id: UserId,
    /// The payment provider, e.g. `"stripe"`.
    pub provider: Text<50>,
    /// The provider's token for the method (never a card number).
    pub provider_payment_method_id: Text<255>,
    /// Kind of method (the plan's column `type`).
    pub r#type: Option<PaymentMethodType>,
    /// Last four digits, for display.
    pub last_four: Option<Text<4>>,
    /// Card brand: Visa, Mastercard, ...
    pub brand: Option<Text<50>>,
    /// Card expiry month, 1 to 12.
    pub expiry_month: Option<i32>,
    /// Card expiry year, four digits.
    pub expiry_year: Option<i32>,
    /// Whether this is the user's default method.
    pub is_default: bool,
    /// Whether the provider has verified the method.
    pub is_verified: bool,
    /// When the method was added.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `payout_methods`: a tokenised way for a creator to be paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutMethod {
    /// Primary key.
    pub id: PayoutMethodId,
    /// The creator paid through it.
    pub creator_profile_id: CreatorProfileId,
    /// Kind of method (the plan's column `type`).
    pub r#type: Option<PayoutMethodType>,
    /// The payout provider, e.g. `"stripe"`.
    pub provider: Text<50>,
    /// The provider's identifier of the receiving account.
    pub provider_account_id: Text<255>,
    /// Account holder's name, for display.
    pub account_name: Option<Text<200>>,
    /// Last four digits of the account, for display.
    pub last_four: Option<Text<4>>,
    /// Whether this is the creator's default method.
    pub is_default: bool,
    /// Whether the provider has verified the account.
    pub is_verified: bool,
    /// When the method was added.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `transactions`: one movement of money (payment, refund, payout,
/// escrow hold or release, fee, tip or adjustment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// Primary key.
    pub id: TransactionId,
    /// Who pays, when a user does.
    pub payer_user_id: Option<UserId>,
    /// Who is paid, when a user is.
    pub payee_user_id: Option<UserId>,
    /// The contract the money is for.
    pub contract_id: Option<ContractId>,
    /// The milestone the money is for.
    pub milestone_id: Option<MilestoneId>,
    /// What kind of movement this is.
    pub transaction_type: TransactionType,
    /// The gross amount.
    pub amount: Money,
    /// The currency of the row (the plan's column). Always equal to the
    /// currency of `amount`, `platform_fee`, `processing_fee` and
    /// `net_amount`; adapters store the amounts as plain decimals next to it.
    pub currency: Currency,
    /// The platform's fee out of `amount`.
    pub platform_fee: Money,
    /// The payment processor's fee out of `amount`.
    pub processing_fee: Money,
    /// `amount - platform_fee - processing_fee`.
    pub net_amount: Money,
    /// The payment provider that carried the movement.
    pub payment_provider: Option<Text<50>>,
    /// The provider's identifier of the movement.
    pub provider_transaction_id: Option<Text<255>>,
    /// The payment method charged.
    pub payment_method_id: Option<PaymentMethodId>,
    /// Processing status.
    pub status: TransactionStatus,
    /// Human-readable description.
    pub description: Option<String>,
    /// Free-form provider or application data.
    pub metadata: Option<serde_json::Value>,
    /// When the transaction was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When it completed.
    #[serde(default, with = "crate::timestamp::option")]
    pub completed_at: Option<DateTime<Utc>>,
    /// When it failed.
    #[serde(default, with = "crate::timestamp::option")]
    pub failed_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `escrow_accounts`: money held for a contract until it is
/// released to the creator or refunded to the client (one per contract).
///
/// Invariant: `total_amount == held_amount + released_amount +
/// refunded_amount`, all in the contract's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscrowAccount {
    /// Primary key.
    pub id: EscrowAccountId,
    /// The contract the money is held for.
    pub contract_id: ContractId,
    /// Everything ever paid into escrow.
    pub total_amount: Money,
    /// What is still held.
    pub held_amount: Money,
    /// What has been released to the creator.
    pub released_amount: Money,
    /// What has been refunded to the client (library addition, not in the
    /// plan: without it a partial refund would make the amounts disagree).
    pub refunded_amount: Money,
    /// Escrow status.
    pub status: EscrowStatus,
    /// When the escrow was funded.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

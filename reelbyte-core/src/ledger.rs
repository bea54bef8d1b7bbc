//! Double-entry ledger: every money movement is one ledger transaction whose
//! postings sum to zero per currency.
//!
//! Accounts are signed: a positive posting increases the money an account
//! holds, a negative one decreases it. Money enters the platform from a user's
//! [`LedgerAccount::External`] account (which therefore goes negative by what
//! the user paid in) and leaves to it (payouts, refunds). Everything in
//! between — escrow, released-but-not-yet-paid-out creator balances, refunds
//! owed, platform revenue and processor costs — is an internal account, so
//! conservation is a sum that must be zero.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{ContractId, PostingId, TransactionId, UserId};
use crate::money::{Currency, Money};

/// A ledger account.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerAccount {
    /// Money outside the platform that belongs to a user (their card or bank).
    External(UserId),
    /// Money held in escrow for a contract.
    Escrow(ContractId),
    /// Money released to a creator and not yet paid out.
    CreatorPayable(UserId),
    /// Money refunded to a client and not yet returned to their card.
    ClientRefundable(UserId),
    /// The platform's commission.
    PlatformRevenue,
    /// Processing costs owed to the payment provider.
    ProcessorFees,
}

impl LedgerAccount {
    /// The stable string form, e.g. `escrow:0190...` or `platform_revenue`.
    pub fn key(&self) -> String {
        match self {
            Self::External(u) => format!("external:{u}"),
            Self::Escrow(c) => format!("escrow:{c}"),
            Self::CreatorPayable(u) => format!("creator_payable:{u}"),
            Self::ClientRefundable(u) => format!("client_refundable:{u}"),
            Self::PlatformRevenue => "platform_revenue".to_string(),
            Self::ProcessorFees => "processor_fees".to_string(),
        }
    }
}

impl fmt::Debug for LedgerAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl fmt::Display for LedgerAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for LedgerAccount {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::validation("account", format!("unknown ledger account {s:?}"));
        match s {
            "platform_revenue" => return Ok(Self::PlatformRevenue),
            "processor_fees" => return Ok(Self::ProcessorFees),
            _ => {}
        }
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "external" => Ok(Self::External(UserId::parse(id)?)),
            "escrow" => Ok(Self::Escrow(ContractId::parse(id)?)),
            "creator_payable" => Ok(Self::CreatorPayable(UserId::parse(id)?)),
            "client_refundable" => Ok(Self::ClientRefundable(UserId::parse(id)?)),
            _ => Err(bad()),
        }
    }
}

impl Serialize for LedgerAccount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for LedgerAccount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One line of a ledger transaction (library addition: `ledger_postings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPosting {
    /// Primary key.
    pub id: PostingId,
    /// The `transactions` row this posting belongs to.
    pub transaction_id: TransactionId,
    /// The account moved.
    pub account: LedgerAccount,
    /// Signed amount: positive adds to the account, negative takes from it.
    pub amount: Money,
    /// When it was written.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
}

/// Builds the postings of one ledger transaction and refuses unbalanced ones.
#[derive(Debug, Clone)]
pub struct Entry {
    transaction_id: TransactionId,
    lines: Vec<(LedgerAccount, Money)>,
}

impl Entry {
    /// A new, empty entry for `transaction_id`.
    pub fn new(transaction_id: TransactionId) -> Self {
        Self {
            transaction_id,
            lines: Vec::new(),
        }
    }

    /// Moves `amount` from `from` to `to` (zero amounts are skipped).
    pub fn transfer(mut self, from: LedgerAccount, to: LedgerAccount, amount: Money) -> Self {
        if !amount.is_zero() {
            self.lines.push((from, amount.negate()));
            self.lines.push((to, amount));
        }
        self
    }

    /// The postings, after checking they sum to zero per currency.
    pub fn into_postings(self, at: DateTime<Utc>) -> Result<Vec<LedgerPosting>> {
        let postings: Vec<LedgerPosting> = self
            .lines
            .into_iter()
            .map(|(account, amount)| LedgerPosting {
                id: PostingId::new(),
                transaction_id: self.transaction_id,
                account,
                amount,
                created_at: at,
            })
            .collect();
        check_balanced(&postings)?;
        Ok(postings)
    }
}

/// Checks that `postings` sum to zero per transaction and currency.
pub fn check_balanced(postings: &[LedgerPosting]) -> Result<()> {
    let mut sums: BTreeMap<(TransactionId, Currency), Money> = BTreeMap::new();
    for p in postings {
        let key = (p.transaction_id, p.amount.currency());
        let current = sums
            .remove(&key)
            .unwrap_or(Money::zero(p.amount.currency()));
        sums.insert(key, current.checked_add(p.amount)?);
    }
    match sums.into_iter().find(|(_, sum)| !sum.is_zero()) {
        None => Ok(()),
        Some(((tx, _), sum)) => Err(Error::rule(
            "unbalanced_ledger",
            format!("postings of transaction {tx} sum to {sum}"),
        )),
    }
}

/// The balance of every account in `postings`, per currency.
pub fn balances<'a>(
    postings: impl IntoIterator<Item = &'a LedgerPosting>,
) -> Result<BTreeMap<(LedgerAccount, Currency), Money>> {
    let mut out: BTreeMap<(LedgerAccount, Currency), Money> = BTreeMap::new();
    for p in postings {
        let key = (p.account, p.amount.currency());
        let current = out.remove(&key).unwrap_or(Money::zero(p.amount.currency()));
        out.insert(key, current.checked_add(p.amount)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_balance_and_accounts_round_trip() {
        let tx = TransactionId::new();
        let client = UserId::new();
        let contract = ContractId::new();
        let amount = Money::usd("100.00").expect("valid");
        let postings = Entry::new(tx)
            .transfer(
                LedgerAccount::External(client),
                LedgerAccount::Escrow(contract),
                amount,
            )
            .into_postings(Utc::now())
            .expect("balanced");
        assert_eq!(postings.len(), 2);
        let b = balances(&postings).expect("sums");
        assert_eq!(b[&(LedgerAccount::Escrow(contract), Currency::USD)], amount);
        for p in &postings {
            assert_eq!(
                p.account.key().parse::<LedgerAccount>().expect("parse"),
                p.account
            );
        }
    }

    #[test]
    fn unbalanced_postings_are_refused() {
        let tx = TransactionId::new();
        let p = LedgerPosting {
            id: PostingId::new(),
            transaction_id: tx,
            account: LedgerAccount::PlatformRevenue,
            amount: Money::usd("1.00").expect("valid"),
            created_at: Utc::now(),
        };
        assert!(check_balanced(&[p]).is_err());
        assert!("nonsense".parse::<LedgerAccount>().is_err());
    }
}

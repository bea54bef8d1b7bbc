//! The invariants of `shared/guides/money-and-safety.md`, checked against a
//! whole store.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use crate::entities::{
    ClientProfile, Contract, CreatorProfile, Dispute, EscrowAccount, Favorite, Gig, Review,
    Transaction,
};
use crate::enums::{DisputeStatus, ReviewerType, TransactionStatus};
use crate::error::{Error, Result};
use crate::ledger::{self, LedgerAccount, LedgerPosting};
use crate::money::Money;
use crate::store::{Entity, Record, Store};

fn violated(what: impl std::fmt::Display) -> Error {
    Error::rule("invariant_violated", what)
}

fn rows<E: Entity>(records: &[Record]) -> Vec<&E> {
    records.iter().filter_map(E::from_record_ref).collect()
}

/// Checks every invariant; the first violation is returned as an error.
pub async fn check_all(store: &dyn Store) -> Result<()> {
    let records = store.dump().await?;
    check_records(&records)
}

/// Checks every invariant over a dump of the store.
pub fn check_records(records: &[Record]) -> Result<()> {
    let postings: Vec<LedgerPosting> = rows::<LedgerPosting>(records)
        .into_iter()
        .cloned()
        .collect();
    let transactions = rows::<Transaction>(records);
    let escrows = rows::<EscrowAccount>(records);
    let contracts = rows::<Contract>(records);

    // 1. Conservation: postings sum to zero per transaction and currency,
    //    and every posting belongs to a transaction.
    ledger::check_balanced(&postings)?;
    let tx_ids: BTreeSet<_> = transactions.iter().map(|t| t.id).collect();
    if let Some(orphan) = postings
        .iter()
        .find(|p| !tx_ids.contains(&p.transaction_id))
    {
        return Err(violated(format!(
            "posting {} has no transaction",
            orphan.id
        )));
    }

    // 2. Escrow figures, and the escrow ledger account equals what is held.
    let balances = ledger::balances(&postings)?;
    for escrow in &escrows {
        let parts = Money::sum(
            escrow.total_amount.currency(),
            [
                escrow.held_amount,
                escrow.released_amount,
                escrow.refunded_amount,
            ],
        )?;
        if parts != escrow.total_amount {
            return Err(violated(format!(
                "escrow {}: total != held + released + refunded",
                escrow.id
            )));
        }
        if escrow.held_amount.is_negative()
            || escrow.released_amount.is_negative()
            || escrow.refunded_amount.is_negative()
        {
            return Err(violated(format!(
                "escrow {} has a negative figure",
                escrow.id
            )));
        }
        let in_ledger = balances
            .get(&(
                LedgerAccount::Escrow(escrow.contract_id),
                escrow.total_amount.currency(),
            ))
            .copied()
            .unwrap_or(Money::zero(escrow.total_amount.currency()));
        if in_ledger != escrow.held_amount {
            return Err(violated(format!(
                "escrow {}: ledger holds {in_ledger}, the account says {}",
                escrow.id, escrow.held_amount
            )));
        }
    }
    for ((account, _), balance) in &balances {
        let internal = !matches!(account, LedgerAccount::External(_));
        if internal && balance.is_negative() {
            return Err(violated(format!(
                "account {account} is negative: {balance}"
            )));
        }
    }

    // 3. Fees: every contract's quote adds up.
    for contract in &contracts {
        if contract.platform_fee.checked_add(contract.creator_payout)? != contract.total_amount {
            return Err(violated(format!(
                "contract {}: platform_fee + creator_payout != total",
                contract.id
            )));
        }
    }
    for tx in &transactions {
        if tx.status == TransactionStatus::Completed
            && tx.net_amount.checked_add(tx.platform_fee)? != tx.amount
            && tx.transaction_type == crate::enums::TransactionType::EscrowRelease
        {
            return Err(violated(format!("release {}: net + fee != amount", tx.id)));
        }
    }

    // 4. A milestone is released at most once.
    let mut released: BTreeMap<_, usize> = BTreeMap::new();
    for tx in &transactions {
        if tx.transaction_type == crate::enums::TransactionType::EscrowRelease
            && let Some(m) = tx.milestone_id
        {
            *released.entry(m).or_default() += 1;
        }
    }
    if let Some((m, n)) = released.iter().find(|(_, n)| **n > 1) {
        return Err(violated(format!("milestone {m} released {n} times")));
    }

    // 5. Derived figures equal what the reviews say.
    let reviews = rows::<Review>(records);
    for profile in rows::<CreatorProfile>(records) {
        let mine: Vec<_> = reviews
            .iter()
            .filter(|r| {
                r.reviewee_user_id == profile.user_id
                    && r.reviewer_type == Some(ReviewerType::Client)
            })
            .collect();
        check_rating(
            &format!("creator {}", profile.id),
            &mine,
            (
                profile.total_reviews,
                profile.rating_sum,
                profile.average_rating,
            ),
        )?;
    }
    for profile in rows::<ClientProfile>(records) {
        let mine: Vec<_> = reviews
            .iter()
            .filter(|r| {
                r.reviewee_user_id == profile.user_id
                    && r.reviewer_type == Some(ReviewerType::Creator)
            })
            .collect();
        check_rating(
            &format!("client {}", profile.id),
            &mine,
            (
                profile.total_reviews,
                profile.rating_sum,
                profile.average_rating,
            ),
        )?;
    }

    // 6. Earnings and spending equal what the ledger says: completed
    //    releases (net to the creator, gross from the client) and tips.
    let contract_of: BTreeMap<_, _> = contracts.iter().map(|c| (c.id, *c)).collect();
    let mut earned: BTreeMap<_, Money> = BTreeMap::new();
    let mut spent: BTreeMap<_, Money> = BTreeMap::new();
    for tx in &transactions {
        if tx.status != TransactionStatus::Completed {
            continue;
        }
        let Some(contract) = tx.contract_id.and_then(|id| contract_of.get(&id)) else {
            continue;
        };
        let (to_creator, from_client) = match tx.transaction_type {
            crate::enums::TransactionType::EscrowRelease => (tx.net_amount, tx.amount),
            crate::enums::TransactionType::Tip => (tx.amount, tx.amount),
            _ => continue,
        };
        let e = earned
            .entry(contract.creator_profile_id)
            .or_insert(Money::zero(to_creator.currency()));
        *e = e.checked_add(to_creator)?;
        let s = spent
            .entry(contract.client_profile_id)
            .or_insert(Money::zero(from_client.currency()));
        *s = s.checked_add(from_client)?;
    }
    for profile in rows::<CreatorProfile>(records) {
        let expected = earned
            .get(&profile.id)
            .copied()
            .unwrap_or(Money::zero(profile.total_earnings.currency()));
        if expected.amount() != profile.total_earnings.amount() {
            return Err(violated(format!(
                "creator {}: total_earnings {} but the ledger says {expected}",
                profile.id, profile.total_earnings
            )));
        }
    }
    for profile in rows::<ClientProfile>(records) {
        let expected = spent
            .get(&profile.id)
            .copied()
            .unwrap_or(Money::zero(profile.total_spent.currency()));
        if expected.amount() != profile.total_spent.amount() {
            return Err(violated(format!(
                "client {}: total_spent {} but the ledger says {expected}",
                profile.id, profile.total_spent
            )));
        }
    }

    // 7. A contract has at most one open dispute, and a disputed contract
    //    has exactly one.
    let mut open_disputes: BTreeMap<_, usize> = BTreeMap::new();
    for d in rows::<Dispute>(records) {
        if !matches!(d.status, DisputeStatus::Resolved | DisputeStatus::Closed) {
            *open_disputes.entry(d.contract_id).or_default() += 1;
        }
    }
    for contract in &contracts {
        let open = open_disputes.get(&contract.id).copied().unwrap_or(0);
        let disputed = contract.status == crate::enums::ContractStatus::Disputed;
        if open > 1 || disputed != (open == 1) {
            return Err(violated(format!(
                "contract {} is {} with {open} open disputes",
                contract.id, contract.status
            )));
        }
    }

    // 8. A gig's favorite count is the number of users who favorited it.
    let mut favorites: BTreeMap<uuid::Uuid, i32> = BTreeMap::new();
    for f in rows::<Favorite>(records) {
        if f.favorited_type == crate::enums::FavoritedType::Gig {
            *favorites.entry(f.favorited_id).or_default() += 1;
        }
    }
    for gig in rows::<Gig>(records) {
        let expected = favorites.get(&gig.id.as_uuid()).copied().unwrap_or(0);
        if gig.favorite_count != expected {
            return Err(violated(format!(
                "gig {}: favorite_count {} but {expected} favorites",
                gig.id, gig.favorite_count
            )));
        }
    }
    Ok(())
}

/// A profile's `(total_reviews, rating_sum, average_rating)` against the
/// reviews about it.
fn check_rating(
    who: &str,
    reviews: &[&&Review],
    (total, sum, average): (i32, i64, Decimal),
) -> Result<()> {
    let count = i32::try_from(reviews.len()).map_err(|_| violated("too many reviews"))?;
    if count != total {
        return Err(violated(format!(
            "{who}: total_reviews {total} but {count} reviews"
        )));
    }
    let stars: i64 = reviews
        .iter()
        .map(|r| i64::from(r.overall_rating.get()))
        .sum();
    if stars != sum {
        return Err(violated(format!(
            "{who}: rating_sum {sum} but the reviews' stars add up to {stars}"
        )));
    }
    let expected = crate::service::average_rating(reviews.iter().map(|r| r.overall_rating));
    if expected != average {
        return Err(violated(format!(
            "{who}: average_rating {average} but reviews say {expected}"
        )));
    }
    Ok(())
}

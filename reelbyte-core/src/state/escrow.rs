//! Escrow: the money a client paid in for a contract, held until it is
//! released to the creator or refunded to the client (`escrow_accounts`).
//!
//! Two halves work together. [`EscrowBalance`] does the arithmetic: it is
//! pure, checked, keeps `total == held + released + refunded`, and says which
//! [`EscrowEvent`] a movement of money is. [`EscrowMachine`] says which
//! status that event leads to. A command does both, and stores the new
//! figures and status together:
//!
//! ```
//! use reelbyte_core::Money;
//! use reelbyte_core::enums::EscrowStatus;
//! use reelbyte_core::state::{EscrowBalance, EscrowEvent, EscrowMachine, StateMachine};
//!
//! # fn main() -> reelbyte_core::Result<()> {
//! let balance = EscrowBalance::funded(Money::usd("300.00")?)?;
//! let status = EscrowMachine::INITIAL;
//!
//! // A first milestone is paid: part of the money leaves, the escrow stays active.
//! let (balance, event) = balance.release(Money::usd("100.00")?)?;
//! let status = EscrowMachine::transition(status, event)?;
//! assert_eq!((event, status), (EscrowEvent::Release, EscrowStatus::Active));
//!
//! // The rest is refunded: nothing is held any more, the refund is pending
//! // at the payment provider.
//! let (balance, event) = balance.refund(Money::usd("200.00")?)?;
//! let status = EscrowMachine::transition(status, event)?;
//! assert_eq!(status, EscrowStatus::Refunding);
//! assert!(balance.held.is_zero());
//!
//! // Nothing more can leave.
//! assert_eq!(
//!     balance.release(Money::usd("0.01")?).unwrap_err().code(),
//!     "insufficient_escrow"
//! );
//!
//! // The provider confirms the refund.
//! let status = EscrowMachine::transition(status, EscrowEvent::Settle)?;
//! assert_eq!(status, EscrowStatus::Refunded);
//! # Ok(())
//! # }
//! ```

use std::cmp::Ordering;

use super::StateMachine;
use crate::enums::EscrowStatus;
use crate::{Currency, Error, Money, Result};

use EscrowEvent as E;
use EscrowStatus as S;

crate::string_enum! {
    /// What can happen to an escrow account.
    ///
    /// [`EscrowBalance`] produces every event except [`EscrowEvent::Settle`],
    /// which the payment provider's confirmation produces.
    pub enum EscrowEvent: "event" {
        /// Money left escrow, at least part of it to the creator, and some is
        /// still held.
        Release => "release",
        /// The last held money left escrow, at least part of it to the
        /// creator; the creator's payout is pending at the provider.
        ReleaseFinal => "release_final",
        /// Money was refunded to the client and some is still held.
        Refund => "refund",
        /// The last held money was refunded to the client; the refund is
        /// pending at the provider.
        RefundFinal => "refund_final",
        /// The provider confirmed the pending payout or refund.
        Settle => "settle",
    }
}

/// The escrow machine. Zero-sized: all of it is in the [`StateMachine`] table.
///
/// The escrow stays `active` while anything is held; the movement that
/// empties it decides whether it ends `released` or `refunded`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EscrowMachine;

impl StateMachine for EscrowMachine {
    const NAME: &'static str = "escrow";
    type State = EscrowStatus;
    type Event = EscrowEvent;
    const STATES: &'static [EscrowStatus] = EscrowStatus::ALL;
    const INITIAL: EscrowStatus = S::Active;
    const TRANSITIONS: &'static [(EscrowStatus, EscrowEvent, EscrowStatus)] = &[
        (S::Active, E::Release, S::Active),
        (S::Active, E::ReleaseFinal, S::Releasing),
        (S::Releasing, E::Settle, S::Released),
        (S::Active, E::Refund, S::Active),
        (S::Active, E::RefundFinal, S::Refunding),
        (S::Refunding, E::Settle, S::Refunded),
    ];
    const TERMINAL: &'static [EscrowStatus] = &[S::Released, S::Refunded];
}

/// The figures of one escrow account, all in the same currency.
///
/// Every method is pure: it returns new figures and leaves `self` as it was,
/// so a refused command changes nothing. The invariant, checked by
/// [`EscrowBalance::check`] and kept by every method, is
/// `total == held + released + refunded` with no figure negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EscrowBalance {
    /// What the client paid in. Never changes.
    pub total: Money,
    /// What is still held and may yet be released or refunded.
    pub held: Money,
    /// What has been released to the creator so far.
    pub released: Money,
    /// What has been refunded to the client so far.
    pub refunded: Money,
}

impl EscrowBalance {
    /// A newly funded escrow: all of `total` is held.
    ///
    /// Refuses a total that is zero or negative with [`Error::Validation`].
    pub fn funded(total: Money) -> Result<Self> {
        let total = total.ensure_positive("total")?;
        let nothing = Money::zero(total.currency());
        Ok(Self {
            total,
            held: total,
            released: nothing,
            refunded: nothing,
        })
    }

    /// The escrow's currency (that of `total`).
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// Releases `amount` to the creator.
    ///
    /// Returns the new figures and [`EscrowEvent::Release`], or
    /// [`EscrowEvent::ReleaseFinal`] when nothing is held afterwards.
    /// Refuses an amount that is not positive or not in the escrow's currency
    /// ([`Error::Validation`]) and an amount above what is held
    /// (`Error::Rule` `insufficient_escrow`).
    pub fn release(&self, amount: Money) -> Result<(Self, EscrowEvent)> {
        let amount = self.in_currency(amount.ensure_positive("amount")?)?;
        let next = self.take(amount, self.nothing())?;
        let event = if next.held.is_zero() {
            E::ReleaseFinal
        } else {
            E::Release
        };
        Ok((next, event))
    }

    /// Refunds `amount` to the client.
    ///
    /// Returns the new figures and [`EscrowEvent::Refund`], or
    /// [`EscrowEvent::RefundFinal`] when nothing is held afterwards. Refuses
    /// the same inputs as [`EscrowBalance::release`].
    pub fn refund(&self, amount: Money) -> Result<(Self, EscrowEvent)> {
        let amount = self.in_currency(amount.ensure_positive("amount")?)?;
        let next = self.take(self.nothing(), amount)?;
        let event = if next.held.is_zero() {
            E::RefundFinal
        } else {
            E::Refund
        };
        Ok((next, event))
    }

    /// Releases `release` to the creator and refunds `refund` to the client
    /// in one step, as a dispute settlement does.
    ///
    /// Either amount may be zero, not both. The event is
    /// [`EscrowEvent::ReleaseFinal`] or [`EscrowEvent::RefundFinal`] when
    /// nothing is held afterwards, [`EscrowEvent::Release`] or
    /// [`EscrowEvent::Refund`] otherwise; a settlement that pays the creator
    /// anything counts as a release, because the creator's payout is what the
    /// escrow then waits for.
    pub fn settle(&self, release: Money, refund: Money) -> Result<(Self, EscrowEvent)> {
        let release = self.in_currency(release.ensure_non_negative("release")?)?;
        let refund = self.in_currency(refund.ensure_non_negative("refund")?)?;
        if release.is_zero() && refund.is_zero() {
            return Err(Error::validation(
                "amount",
                "a settlement must release or refund something",
            ));
        }
        let next = self.take(release, refund)?;
        let event = match (next.held.is_zero(), release.is_positive()) {
            (true, true) => E::ReleaseFinal,
            (true, false) => E::RefundFinal,
            (false, true) => E::Release,
            (false, false) => E::Refund,
        };
        Ok((next, event))
    }

    /// Checks the invariant: one currency, no figure negative, and
    /// `total == held + released + refunded`.
    ///
    /// Figures read back from storage should pass this before they are used;
    /// every method of this type checks it before moving money, so figures
    /// that do not add up can never be made worse. A failure is
    /// `Error::Rule` `escrow_out_of_balance`.
    pub fn check(&self) -> Result<()> {
        let currency = self.currency();
        for (name, figure) in self.figures() {
            if figure.currency() != currency {
                return Err(out_of_balance(format!(
                    "{name} is in {}, the escrow in {currency}",
                    figure.currency()
                )));
            }
            if figure.is_negative() {
                return Err(out_of_balance(format!("{name} is negative ({figure})")));
            }
        }
        let accounted = self
            .held
            .checked_add(self.released)
            .and_then(|sum| sum.checked_add(self.refunded))
            .map_err(|_| out_of_balance("held + released + refunded is out of range"))?;
        if accounted != self.total {
            return Err(out_of_balance(format!(
                "total {} is not held {} + released {} + refunded {}",
                self.total, self.held, self.released, self.refunded
            )));
        }
        Ok(())
    }

    /// The four figures with their names, for checks and messages.
    fn figures(&self) -> [(&'static str, Money); 4] {
        [
            ("total", self.total),
            ("held", self.held),
            ("released", self.released),
            ("refunded", self.refunded),
        ]
    }

    fn nothing(&self) -> Money {
        Money::zero(self.currency())
    }

    fn in_currency(&self, amount: Money) -> Result<Money> {
        if amount.currency() == self.currency() {
            Ok(amount)
        } else {
            Err(Error::validation(
                "currency",
                format!(
                    "{amount} cannot move through an escrow in {}",
                    self.currency()
                ),
            ))
        }
    }

    /// Moves `release + refund` out of `held`, refusing more than is held.
    fn take(&self, release: Money, refund: Money) -> Result<Self> {
        self.check()?;
        let out = release.checked_add(refund)?;
        if out.checked_cmp(&self.held)? == Ordering::Greater {
            return Err(Error::rule(
                "insufficient_escrow",
                format!(
                    "cannot take {out} out of escrow: only {} is held",
                    self.held
                ),
            ));
        }
        Ok(Self {
            total: self.total,
            held: self.held.checked_sub(out)?,
            released: self.released.checked_add(release)?,
            refunded: self.refunded.checked_add(refund)?,
        })
    }
}

/// The error of figures that break the invariant.
fn out_of_balance(reason: impl std::fmt::Display) -> Error {
    Error::rule("escrow_out_of_balance", reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("active", "release", "active"),
        ("active", "release_final", "releasing"),
        ("releasing", "settle", "released"),
        ("active", "refund", "active"),
        ("active", "refund_final", "refunding"),
        ("refunding", "settle", "refunded"),
    ];

    fn usd(amount: &str) -> Money {
        Money::usd(amount).expect("a valid test amount")
    }

    fn funded(amount: &str) -> EscrowBalance {
        EscrowBalance::funded(usd(amount)).expect("a positive total")
    }

    fn figures(b: &EscrowBalance) -> [String; 4] {
        [b.total, b.held, b.released, b.refunded].map(|m| m.amount().to_string())
    }

    fn rule_of(result: Result<(EscrowBalance, EscrowEvent)>) -> &'static str {
        match result {
            Err(err) => err.code(),
            Ok((next, event)) => panic!("expected a refusal, got {event} with {next:?}"),
        }
    }

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<EscrowMachine>("escrow", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<EscrowMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<EscrowMachine>();
    }

    #[test]
    fn given_active_when_release_final_then_releasing() {
        assert_eq!(
            EscrowMachine::transition(S::Active, E::ReleaseFinal),
            Ok(S::Releasing)
        );
    }

    #[test]
    fn given_releasing_when_settle_then_released() {
        assert_eq!(
            EscrowMachine::transition(S::Releasing, E::Settle),
            Ok(S::Released)
        );
    }

    #[test]
    fn given_active_when_settle_then_refused() {
        // Nothing is pending at the provider while money is still held.
        assert_eq!(
            EscrowMachine::transition(S::Active, E::Settle),
            Err(TransitionError {
                machine: "escrow",
                state: "active",
                event: "settle"
            })
        );
    }

    #[test]
    fn given_refunding_when_release_then_refused() {
        assert!(!EscrowMachine::can(S::Refunding, E::Release));
    }

    #[test]
    fn given_a_total_when_funded_then_all_of_it_is_held() {
        let balance = funded("250.00");
        assert_eq!(figures(&balance), ["250.00", "250.00", "0.00", "0.00"]);
        assert_eq!(balance.currency(), Currency::USD);
        assert!(balance.check().is_ok());
    }

    #[test]
    fn given_no_money_when_funded_then_refused() {
        for total in ["0.00", "-1.00"] {
            let err = EscrowBalance::funded(usd(total)).expect_err("not positive");
            assert_eq!(err.code(), "validation", "{total}");
        }
    }

    #[test]
    fn given_funded_when_part_is_released_then_release_and_the_rest_stays_held() {
        let (next, event) = funded("300.00")
            .release(usd("100.00"))
            .expect("enough held");
        assert_eq!(event, E::Release);
        assert_eq!(figures(&next), ["300.00", "200.00", "100.00", "0.00"]);
    }

    #[test]
    fn given_funded_when_everything_is_released_then_release_final() {
        let (next, event) = funded("300.00")
            .release(usd("300.00"))
            .expect("enough held");
        assert_eq!(event, E::ReleaseFinal);
        assert_eq!(figures(&next), ["300.00", "0.00", "300.00", "0.00"]);
    }

    #[test]
    fn given_part_released_when_the_rest_is_refunded_then_refund_final() {
        let (partly, _) = funded("300.00")
            .release(usd("100.00"))
            .expect("enough held");
        let (next, event) = partly.refund(usd("200.00")).expect("enough held");
        assert_eq!(event, E::RefundFinal);
        assert_eq!(figures(&next), ["300.00", "0.00", "100.00", "200.00"]);
    }

    #[test]
    fn given_funded_when_more_than_held_is_released_then_insufficient_and_unchanged() {
        let balance = funded("100.00");
        let before = balance;
        assert_eq!(
            rule_of(balance.release(usd("100.01"))),
            "insufficient_escrow"
        );
        assert_eq!(
            rule_of(balance.refund(usd("100.01"))),
            "insufficient_escrow"
        );
        assert_eq!(
            rule_of(balance.settle(usd("50.00"), usd("50.01"))),
            "insufficient_escrow"
        );
        assert_eq!(balance, before);
    }

    #[test]
    fn given_funded_when_a_bad_amount_is_moved_then_validation() {
        let balance = funded("100.00");
        let euros = Money::parse("1.00", Currency::EUR).expect("valid");
        assert_eq!(rule_of(balance.release(usd("0.00"))), "validation");
        assert_eq!(rule_of(balance.release(usd("-1.00"))), "validation");
        assert_eq!(rule_of(balance.refund(usd("0.00"))), "validation");
        assert_eq!(rule_of(balance.release(euros)), "validation");
        assert_eq!(rule_of(balance.refund(euros)), "validation");
        assert_eq!(
            rule_of(balance.settle(usd("0.00"), usd("0.00"))),
            "validation"
        );
        assert_eq!(
            rule_of(balance.settle(usd("-1.00"), usd("2.00"))),
            "validation"
        );
        assert_eq!(rule_of(balance.settle(usd("1.00"), euros)), "validation");
    }

    #[test]
    fn given_funded_when_settled_both_ways_to_the_end_then_release_final() {
        let (next, event) = funded("100.00")
            .settle(usd("60.00"), usd("40.00"))
            .expect("exactly what is held");
        assert_eq!(event, E::ReleaseFinal);
        assert_eq!(figures(&next), ["100.00", "0.00", "60.00", "40.00"]);
    }

    #[test]
    fn given_funded_when_settled_with_refund_only_then_refund_events() {
        let (partly, event) = funded("100.00")
            .settle(usd("0.00"), usd("40.00"))
            .expect("enough held");
        assert_eq!(event, E::Refund);
        let (_, event) = partly
            .settle(usd("0.00"), usd("60.00"))
            .expect("exactly what is held");
        assert_eq!(event, E::RefundFinal);
    }

    #[test]
    fn given_funded_when_settled_partly_with_a_release_then_release() {
        let (next, event) = funded("100.00")
            .settle(usd("10.00"), usd("20.00"))
            .expect("enough held");
        assert_eq!(event, E::Release);
        assert_eq!(figures(&next), ["100.00", "70.00", "10.00", "20.00"]);
    }

    #[test]
    fn given_figures_that_do_not_add_up_when_checked_or_used_then_out_of_balance() {
        let broken = EscrowBalance {
            held: usd("90.00"),
            ..funded("100.00")
        };
        assert_eq!(
            broken.check().expect_err("does not add up").code(),
            "escrow_out_of_balance"
        );
        assert_eq!(
            rule_of(broken.release(usd("1.00"))),
            "escrow_out_of_balance"
        );

        let negative = EscrowBalance {
            held: usd("110.00"),
            refunded: usd("-10.00"),
            ..funded("100.00")
        };
        assert_eq!(
            negative.check().expect_err("negative").code(),
            "escrow_out_of_balance"
        );

        let mixed = EscrowBalance {
            released: Money::zero(Currency::EUR),
            ..funded("100.00")
        };
        assert_eq!(
            mixed.check().expect_err("two currencies").code(),
            "escrow_out_of_balance"
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// An amount, chosen relative to what is held when it is applied so
        /// that exact drains and overdrafts are common, not one in a million.
        #[derive(Debug, Clone, Copy)]
        enum Amount {
            Cents(i64),
            AllHeld,
            MoreThanHeld,
        }

        #[derive(Debug, Clone, Copy)]
        enum Op {
            Release(Amount),
            Refund(Amount),
            Settle(Amount, Amount),
            ReleaseEuros(i64),
        }

        fn amount() -> impl Strategy<Value = Amount> {
            prop_oneof![
                6 => (-1_000i64..20_000).prop_map(Amount::Cents),
                1 => Just(Amount::Cents(0)),
                2 => Just(Amount::AllHeld),
                1 => Just(Amount::MoreThanHeld),
            ]
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                3 => amount().prop_map(Op::Release),
                3 => amount().prop_map(Op::Refund),
                3 => (amount(), amount()).prop_map(|(a, b)| Op::Settle(a, b)),
                1 => (1i64..1_000).prop_map(Op::ReleaseEuros),
            ]
        }

        fn cents(amount: Amount, held: &Money) -> i64 {
            let held = i64::try_from(held.to_minor()).expect("test amounts are small");
            match amount {
                Amount::Cents(c) => c,
                Amount::AllHeld => held,
                Amount::MoreThanHeld => held + 1,
            }
        }

        fn money(cents: i64) -> Money {
            Money::from_minor(cents, Currency::USD).expect("small amounts are valid")
        }

        /// What the model expects: `Ok((released, refunded))` cents, or the
        /// error code.
        fn model(op: Op, held: i64) -> std::result::Result<(i64, i64), &'static str> {
            let (release, refund) = match op {
                Op::ReleaseEuros(_) => return Err("validation"),
                Op::Release(a) | Op::Refund(a) => {
                    let c = cents(a, &money(held));
                    if c <= 0 {
                        return Err("validation");
                    }
                    if matches!(op, Op::Release(_)) {
                        (c, 0)
                    } else {
                        (0, c)
                    }
                }
                Op::Settle(a, b) => {
                    let (r, f) = (cents(a, &money(held)), cents(b, &money(held)));
                    if r < 0 || f < 0 || (r == 0 && f == 0) {
                        return Err("validation");
                    }
                    (r, f)
                }
            };
            if release + refund > held {
                Err("insufficient_escrow")
            } else {
                Ok((release, refund))
            }
        }

        fn apply(balance: &EscrowBalance, op: Op) -> Result<(EscrowBalance, EscrowEvent)> {
            let c = |a| money(cents(a, &balance.held));
            match op {
                Op::Release(a) => balance.release(c(a)),
                Op::Refund(a) => balance.refund(c(a)),
                Op::Settle(a, b) => balance.settle(c(a), c(b)),
                Op::ReleaseEuros(n) => {
                    balance.release(Money::from_minor(n, Currency::EUR).expect("valid"))
                }
            }
        }

        proptest! {
            #[test]
            fn money_is_conserved_and_never_negative(
                total in 1i64..100_000,
                ops in proptest::collection::vec(op(), 0..40),
            ) {
                let mut balance = EscrowBalance::funded(money(total)).expect("positive");
                let mut status = EscrowMachine::INITIAL;
                for op in ops {
                    let before = balance;
                    let held = i64::try_from(before.held.to_minor()).expect("small");
                    let expected = model(op, held);
                    match (apply(&balance, op), expected) {
                        (Ok((next, event)), Ok((release, refund))) => {
                            prop_assert!(next.check().is_ok(), "{next:?}");
                            for (name, figure) in next.figures() {
                                prop_assert!(!figure.is_negative(), "{name} negative in {next:?}");
                            }
                            prop_assert_eq!(next.total, before.total);
                            prop_assert_eq!(next.released, before.released.checked_add(money(release)).expect("sum"));
                            prop_assert_eq!(next.refunded, before.refunded.checked_add(money(refund)).expect("sum"));
                            let final_event = matches!(event, E::ReleaseFinal | E::RefundFinal);
                            prop_assert_eq!(final_event, next.held.is_zero());
                            let releasing = matches!(event, E::Release | E::ReleaseFinal);
                            prop_assert_eq!(releasing, release > 0);
                            status = EscrowMachine::transition(status, event)
                                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                            balance = next;
                        }
                        (Err(err), Err(code)) => {
                            prop_assert_eq!(err.code(), code);
                            prop_assert_eq!(balance, before);
                        }
                        (got, want) => {
                            return Err(TestCaseError::fail(format!(
                                "{op:?} on {before:?}: got {got:?}, model says {want:?}"
                            )));
                        }
                    }
                    prop_assert_eq!(status == S::Active, balance.held.is_positive());
                }
                if !balance.held.is_positive() {
                    let settled = EscrowMachine::transition(status, E::Settle)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert!(EscrowMachine::TERMINAL.contains(&settled));
                }
            }
        }
    }
}

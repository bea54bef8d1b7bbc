//! Crash atomicity on PostgreSQL: the connection running a change set is
//! terminated (`pg_terminate_backend`) at every point inside the
//! money-moving commands, and the store is checked to be exactly before or
//! exactly after each change set, never between.
//!
//! For each command a clean run on a fresh setup counts the points
//! `apply` passes (before each statement, before `COMMIT`, after `COMMIT`,
//! for every change set the command commits) and records the state after
//! the command and after `run_due`. Then, for every point `k`, a fresh
//! identical setup runs the command with a fault hook that, at point `k`,
//! terminates the transaction's backend from another connection and waits
//! until it is gone:
//!
//! - a crash before the first change set commits: the command returns an
//!   error and the store is byte-for-byte the snapshot taken before; running
//!   the command again succeeds and gives the clean run's state;
//! - a crash before a later change set commits (the answer of the payment
//!   provider being recorded): nothing of that change set is visible once
//!   the backend is gone, and `run_due` reconciles to the clean run's state;
//! - a crash right after a `COMMIT` returned: the command's effect is fully
//!   present (the clean run's state).
//!
//! States of two runs are compared with ids masked (see [`normalized`]); the
//! manual clock makes timestamps equal. Every case ends with the money
//! invariants and a command on the same pool.
//!
//! Built only when `REELBYTE_TEST_PG_URL` is set (see `build.rs`), with the
//! same skip/fail behaviour as `tests/pg.rs`.

#[cfg(not(reelbyte_pg_tests))]
#[test]
fn postgres_crash_suite() {
    let required = std::env::var("REELBYTE_TEST_INTEGRATION").as_deref() == Ok("1");
    assert!(
        !required,
        "REELBYTE_TEST_INTEGRATION=1 but REELBYTE_TEST_PG_URL was unset when the tests were built"
    );
    println!("skipping: REELBYTE_TEST_PG_URL unset");
}

#[cfg(reelbyte_pg_tests)]
mod crash {
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::{Duration, Instant};

    use reelbyte_core::enums::DisputeType;
    use reelbyte_core::ids::{ContractId, DisputeId, MilestoneId};
    use reelbyte_core::money::Money;
    use reelbyte_core::service::{RaiseDisputeInput, ResolveDisputeInput};
    use reelbyte_core::store::{Record, Store};
    use reelbyte_core::testing::contracts::ordered_gig;
    use reelbyte_core::testing::contracts::{
        active_gig_contract, active_milestone_contract, video,
    };
    use reelbyte_core::testing::payments::submit;
    use reelbyte_core::testing::{Seeded, TestEnv, factory, invariants};
    use reelbyte_core::value::Text;
    use reelbyte_pg::PgStore;
    use reelbyte_pg::fault::{FaultHook, FaultPoint, FaultSite};
    use reelbyte_tests::pg::{admin_url, fresh_store};
    use sqlx::postgres::PgPoolOptions;
    use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};

    fn usd(s: &str) -> Money {
        Money::usd(s).expect("valid amount")
    }

    /// The money-moving commands under test.
    #[derive(Debug, Clone, Copy)]
    enum Command {
        FundEscrow,
        ReleaseMilestone,
        RefundEscrow,
        Tip,
        ApproveDelivery,
        CancelContract,
        ResolveDispute,
    }

    /// What a command needs, made by its setup.
    enum Prepared {
        Contract(Seeded, ContractId),
        Milestone(Seeded, MilestoneId),
        Dispute(Seeded, DisputeId),
    }

    impl Command {
        async fn setup(self, env: &TestEnv) -> Prepared {
            match self {
                Self::FundEscrow => {
                    let (_, client, _, id) = ordered_gig(env).await;
                    Prepared::Contract(client, id)
                }
                Self::ReleaseMilestone => {
                    let (creator, client, id) = active_milestone_contract(env).await;
                    let first = env
                        .market
                        .get_contract(&client.ctx, id)
                        .await
                        .expect("view")
                        .milestones[0]
                        .id;
                    submit(env, &creator, first).await;
                    Prepared::Milestone(client, first)
                }
                Self::RefundEscrow | Self::CancelContract => {
                    let (creator, _, id) = active_milestone_contract(env).await;
                    Prepared::Contract(creator, id)
                }
                Self::Tip => {
                    let (_, client, id) = active_gig_contract(env).await;
                    Prepared::Contract(client, id)
                }
                Self::ApproveDelivery => {
                    let (creator, client, id) = active_gig_contract(env).await;
                    env.market
                        .submit_deliverable(&creator.ctx, id, video())
                        .await
                        .expect("deliver");
                    Prepared::Contract(client, id)
                }
                Self::ResolveDispute => {
                    let (_, client, id) = active_milestone_contract(env).await;
                    let staff = env.staff().await;
                    let raised = env
                        .market
                        .raise_dispute(
                            &client.ctx,
                            id,
                            RaiseDisputeInput {
                                dispute_type: Some(DisputeType::Quality),
                                title: Text::parse("The cut is unusable").expect("valid"),
                                description: "The edit ignores the brief.".into(),
                                evidence_urls: vec![],
                            },
                        )
                        .await
                        .expect("raise");
                    env.market
                        .review_dispute(&staff.ctx, raised.id)
                        .await
                        .expect("review");
                    Prepared::Dispute(staff, raised.id)
                }
            }
        }

        /// Runs the command; its value is not needed, only whether it failed.
        async fn run(self, env: &TestEnv, prepared: &Prepared) -> reelbyte_core::Result<()> {
            let market = &env.market;
            match (self, prepared) {
                (Self::FundEscrow, Prepared::Contract(who, id)) => {
                    market.fund_escrow(&who.ctx, *id, None).await.map(drop)
                }
                (Self::ReleaseMilestone, Prepared::Milestone(who, id)) => {
                    market.release_milestone(&who.ctx, *id).await.map(drop)
                }
                (Self::RefundEscrow, Prepared::Contract(who, id)) => market
                    .refund_escrow(&who.ctx, *id, usd("50.00"))
                    .await
                    .map(drop),
                (Self::Tip, Prepared::Contract(who, id)) => {
                    market.tip(&who.ctx, *id, usd("5.00")).await.map(drop)
                }
                (Self::ApproveDelivery, Prepared::Contract(who, id)) => market
                    .approve_delivery(&who.ctx, *id, Some("Great cut"))
                    .await
                    .map(drop),
                (Self::CancelContract, Prepared::Contract(who, id)) => {
                    market.cancel_contract(&who.ctx, *id).await.map(drop)
                }
                (Self::ResolveDispute, Prepared::Dispute(who, id)) => market
                    .resolve_dispute(
                        &who.ctx,
                        *id,
                        ResolveDisputeInput {
                            release_to_creator: usd("150.00"),
                            refund_to_client: usd("150.01"),
                            resolution: "Split after reviewing the brief and the cut.".into(),
                        },
                    )
                    .await
                    .map(drop),
                _ => unreachable!("every setup makes what its command needs"),
            }
        }
    }

    /// A point `apply` passed while the probe was armed.
    #[derive(Debug, Clone, Copy)]
    struct Passed {
        /// Which change set (0-based) of the command.
        change_set: usize,
        point: FaultPoint,
    }

    /// The crash the hook caused.
    struct Crashed {
        at: Passed,
        /// The committed state just before the backend was terminated.
        before_kill: Vec<Record>,
        /// The committed state once the backend was gone.
        after_kill: Vec<Record>,
    }

    /// What the hook records and when it crashes.
    #[derive(Default)]
    struct Trace {
        armed: bool,
        crash_at: Option<usize>,
        passed: Vec<Passed>,
        change_sets: usize,
        crashed: Option<Crashed>,
    }

    type Probe = Arc<Mutex<Trace>>;

    fn lock(probe: &Probe) -> std::sync::MutexGuard<'_, Trace> {
        probe.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Terminates `pid` from `admin` and waits until it is gone.
    async fn terminate(admin: &PgPool, pid: i32) {
        let done: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(admin)
            .await
            .expect("terminate the backend");
        assert!(done, "backend {pid} was not signalled");
        let started = Instant::now();
        loop {
            let alive: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)")
                    .bind(pid)
                    .fetch_one(admin)
                    .await
                    .expect("look for the backend");
            if !alive {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "backend {pid} still alive"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The hook: counts points while armed and, at the chosen one, kills
    /// the backend. `plain` reads the store without a hook.
    fn hook(probe: Probe, admin: PgPool, plain: PgStore) -> FaultHook {
        Arc::new(move |site: FaultSite| {
            let probe = probe.clone();
            let admin = admin.clone();
            let plain = plain.clone();
            Box::pin(async move {
                let crash = {
                    let mut trace = lock(&probe);
                    if !trace.armed {
                        return;
                    }
                    if site.point == (FaultPoint::Statement { index: 0 }) {
                        trace.change_sets += 1;
                    }
                    let passed = Passed {
                        change_set: trace.change_sets.saturating_sub(1),
                        point: site.point,
                    };
                    let k = trace.passed.len();
                    trace.passed.push(passed);
                    (trace.crash_at == Some(k)).then_some(passed)
                };
                if let Some(at) = crash {
                    let before_kill = plain.dump().await.expect("dump before the kill");
                    terminate(&admin, site.backend_pid).await;
                    let after_kill = plain.dump().await.expect("dump after the kill");
                    lock(&probe).crashed = Some(Crashed {
                        at,
                        before_kill,
                        after_kill,
                    });
                }
            })
        })
    }

    /// One run of a command on a fresh setup.
    struct Case {
        env: TestEnv,
        probe: Probe,
        prepared: Prepared,
        store: PgStore,
        admin: PgPool,
    }

    impl Case {
        async fn new(command: Command) -> Self {
            let plain = fresh_store().await;
            let admin = PgPoolOptions::new()
                .max_connections(2)
                .connect_with(plain.pool().connect_options().as_ref().clone())
                .await
                .expect("admin pool");
            let probe = Probe::default();
            let store =
                plain
                    .clone()
                    .with_fault_hook(hook(probe.clone(), admin.clone(), plain.clone()));
            let shared = store.clone();
            let env = TestEnv::new(&*factory(move || {
                let store = shared.clone();
                async move { Arc::new(store) as Arc<dyn Store> }
            }))
            .await;
            let prepared = command.setup(&env).await;
            Self {
                env,
                probe,
                prepared,
                store,
                admin,
            }
        }

        /// Runs the command with the probe armed (crashing at `crash_at`).
        async fn run(
            &self,
            command: Command,
            crash_at: Option<usize>,
        ) -> reelbyte_core::Result<()> {
            {
                let mut trace = lock(&self.probe);
                trace.armed = true;
                trace.crash_at = crash_at;
            }
            let result = command.run(&self.env, &self.prepared).await;
            lock(&self.probe).armed = false;
            result
        }

        async fn run_due(&self) {
            self.env
                .market
                .run_due(self.env.now())
                .await
                .expect("run_due after the crash");
        }

        async fn check_invariants(&self, what: &str) {
            if let Err(e) = invariants::check_all(self.env.store.as_ref()).await {
                panic!("{what}: an invariant is broken: {e}");
            }
        }

        /// Closes the pools and drops the database.
        async fn finish(self) {
            let name = self
                .store
                .pool()
                .connect_options()
                .get_database()
                .map(str::to_owned);
            drop(self.env);
            self.admin.close().await;
            self.store.pool().close().await;
            if let Some(name) = name {
                let mut admin = PgConnection::connect(&admin_url())
                    .await
                    .expect("connect to REELBYTE_TEST_PG_URL");
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                let _ = sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await;
                let _ = admin.close().await;
            }
        }
    }

    /// Masks every id-like run (32 or more hex digits and dashes) of a string.
    fn mask(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| {
            if run.chars().filter(char::is_ascii_hexdigit).count() >= 32 {
                out.push_str("<id>");
            } else {
                out.push_str(run);
            }
            run.clear();
        };
        for c in text.chars() {
            if c.is_ascii_hexdigit() || c == '-' {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        out
    }

    fn masked(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(mask(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(masked).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (mask(&k), masked(v)))
                    .collect(),
            ),
            other => other,
        }
    }

    /// The rows of two runs compare equal when they differ only by ids: each
    /// row as JSON with ids masked, sorted.
    fn normalized(records: &[Record]) -> Vec<String> {
        let mut rows: Vec<String> = records
            .iter()
            .map(|r| masked(serde_json::to_value(r).expect("a record serialises")).to_string())
            .collect();
        rows.sort();
        rows
    }

    fn assert_same_modulo_ids(what: &str, got: &[Record], want: &[String]) {
        let got = normalized(got);
        if got != want {
            let extra: Vec<_> = got.iter().filter(|r| !want.contains(r)).collect();
            let missing: Vec<_> = want.iter().filter(|r| !got.contains(r)).collect();
            panic!(
                "{what}: the state differs from the clean run's\n unexpected: {extra:#?}\n missing: {missing:#?}"
            );
        }
    }

    /// The clean run of a command.
    struct Reference {
        passed: Vec<Passed>,
        after_command: Vec<String>,
        after_due: Vec<String>,
    }

    async fn reference(command: Command) -> Reference {
        let case = Case::new(command).await;
        case.run(command, None)
            .await
            .unwrap_or_else(|e| panic!("{command:?}: the clean run failed: {e}"));
        let after_command = normalized(&case.env.snapshot().await);
        case.run_due().await;
        let after_due = normalized(&case.env.snapshot().await);
        case.check_invariants("clean run").await;
        let passed = lock(&case.probe).passed.clone();
        case.finish().await;
        Reference {
            passed,
            after_command,
            after_due,
        }
    }

    /// Crashes `command` at point `k` of the clean run and checks the state.
    async fn crash_at(command: Command, reference: &Reference, k: usize) {
        let at = reference.passed[k];
        let what = format!("{command:?}, crash at point {k} ({at:?})");
        let case = Case::new(command).await;
        let before = case.env.snapshot().await;
        let result = case.run(command, Some(k)).await;
        let crashed = lock(&case.probe)
            .crashed
            .take()
            .unwrap_or_else(|| panic!("{what}: the run never reached the point"));
        assert_eq!(
            (crashed.at.change_set, crashed.at.point),
            (at.change_set, at.point),
            "{what}: the run passed other points than the clean run"
        );
        if at.point != FaultPoint::Committed {
            // The killed transaction left nothing behind.
            assert!(
                crashed.before_kill == crashed.after_kill,
                "{what}: the terminated transaction changed the store"
            );
        }
        match (at.point, at.change_set) {
            (FaultPoint::Committed, _) => {
                // The change set committed before the connection died: the
                // command carries on over the pool and completes.
                if let Err(e) = &result {
                    panic!("{what}: the command failed after its commit: {e}");
                }
                assert_same_modulo_ids(&what, &case.env.snapshot().await, &reference.after_command);
                case.check_invariants(&what).await;
                case.run_due().await;
            }
            (_, 0) => {
                // Nothing committed: an error, and exactly the state before.
                let error = match result {
                    Ok(()) => panic!("{what}: the command succeeded on a dead connection"),
                    Err(e) => e,
                };
                let after = case.env.snapshot().await;
                if after != before {
                    let changed: Vec<_> = after.iter().filter(|r| !before.contains(r)).collect();
                    let removed: Vec<_> = before.iter().filter(|r| !after.contains(r)).collect();
                    panic!(
                        "{what}: the crashed command ({error}) changed the store:\n added/changed: {changed:#?}\n removed/old: {removed:#?}"
                    );
                }
                case.check_invariants(&what).await;
                // The pool recovers: the same command now succeeds.
                case.run(command, None)
                    .await
                    .unwrap_or_else(|e| panic!("{what}: the retry failed: {e}"));
                assert_same_modulo_ids(&what, &case.env.snapshot().await, &reference.after_command);
                case.run_due().await;
            }
            (_, _) => {
                // An earlier change set committed; the provider's answer was
                // being recorded. Whatever the command returned, the pending
                // movement is reconciled by run_due.
                let _ = result;
                case.check_invariants(&what).await;
                case.run_due().await;
            }
        }
        assert_same_modulo_ids(&what, &case.env.snapshot().await, &reference.after_due);
        case.check_invariants(&what).await;
        case.finish().await;
    }

    /// Every point of a command, one fresh setup each.
    async fn every_point(command: Command) {
        let reference = reference(command).await;
        let points = reference.passed.len();
        let change_sets = reference
            .passed
            .iter()
            .map(|p| p.change_set + 1)
            .max()
            .unwrap_or(0);
        assert!(points > 2, "{command:?} passed only {points} points");
        for k in 0..points {
            crash_at(command, &reference, k).await;
        }
        println!("{command:?}: {points} crash points over {change_sets} change sets");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fund_escrow_is_atomic_at_every_point() {
        every_point(Command::FundEscrow).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn release_milestone_is_atomic_at_every_point() {
        every_point(Command::ReleaseMilestone).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refund_escrow_is_atomic_at_every_point() {
        every_point(Command::RefundEscrow).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tip_is_atomic_at_every_point() {
        every_point(Command::Tip).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn approve_delivery_with_release_is_atomic_at_every_point() {
        every_point(Command::ApproveDelivery).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancel_contract_with_refund_is_atomic_at_every_point() {
        every_point(Command::CancelContract).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn resolve_dispute_with_split_is_atomic_at_every_point() {
        every_point(Command::ResolveDispute).await;
    }
}

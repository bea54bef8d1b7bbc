//! The test environment: a marketplace over a clean store with a simulated
//! gateway and a manual clock, plus fixtures and the "nothing changed" check.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::clock::ManualClock;
use crate::entities::{
    ClientProfile, CreatorProfile, EscrowAccount, PaymentMethod, PayoutMethod, Transaction, User,
};
use crate::enums::{AvailabilityStatus, UserStatus, UserType};
use crate::error::Error;
use crate::gateway::SimulatedGateway;
use crate::ids::{
    ClientProfileId, ContractId, CreatorProfileId, PaymentMethodId, PayoutMethodId, UserId,
};
use crate::money::{Currency, Money};
use crate::service::{Ctx, Marketplace};
use crate::store::{ChangeSet, Record, Store};
use crate::testing::StoreFactory;
use crate::value::{Email, Percentage, Text};

/// The instant every test starts at.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// A user created directly in the store by a fixture.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The user.
    pub user_id: UserId,
    /// Their creator profile, when they are a creator.
    pub creator: Option<CreatorProfileId>,
    /// Their client profile, when they are a client.
    pub client: Option<ClientProfileId>,
    /// A context acting as them.
    pub ctx: Ctx,
}

impl Seeded {
    /// The creator profile id; panics in a test that seeded a non-creator.
    pub fn creator_id(&self) -> CreatorProfileId {
        self.creator.expect("the fixture seeded a creator")
    }

    /// The client profile id; panics in a test that seeded a non-client.
    pub fn client_id(&self) -> ClientProfileId {
        self.client.expect("the fixture seeded a client")
    }
}

/// A marketplace over a clean store, with a simulated gateway and a clock
/// that only moves when told.
#[derive(Debug, Clone)]
pub struct TestEnv {
    /// The service under test.
    pub market: Marketplace,
    /// The store under test.
    pub store: Arc<dyn Store>,
    /// The payment provider, which tests can tell to decline, fail or time out.
    pub gateway: Arc<SimulatedGateway>,
    /// The clock.
    pub clock: Arc<ManualClock>,
}

impl TestEnv {
    /// A clean environment over a store from `factory`.
    pub async fn new(factory: &StoreFactory) -> Self {
        Self::over(factory().await)
    }

    /// An environment over `store` as it is: for tests that reach the same
    /// store another way too (a second cache instance over it, a direct
    /// read of its keys).
    pub fn over(store: Arc<dyn Store>) -> Self {
        let gateway = Arc::new(SimulatedGateway::new());
        let clock = Arc::new(ManualClock::new(epoch()));
        let market = Marketplace::new(store.clone(), gateway.clone()).with_clock(clock.clone());
        Self {
            market,
            store,
            gateway,
            clock,
        }
    }

    /// The clock's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.market.now()
    }

    /// Every row of the store.
    pub async fn snapshot(&self) -> Vec<Record> {
        self.store.dump().await.expect("dump the store")
    }

    /// Runs a command that must be refused, checks that the store is exactly
    /// as before, and returns the error.
    pub async fn refused<T: Debug>(
        &self,
        command: impl Future<Output = crate::Result<T>>,
    ) -> Error {
        let before = self.snapshot().await;
        let result = command.await;
        let after = self.snapshot().await;
        let error = match result {
            Ok(value) => panic!("the command should have been refused, but returned {value:?}"),
            Err(e) => e,
        };
        if before != after {
            let changed: Vec<_> = after.iter().filter(|r| !before.contains(r)).collect();
            let removed: Vec<_> = before.iter().filter(|r| !after.contains(r)).collect();
            panic!(
                "the refused command ({error}) changed the store:\n added/changed: {changed:#?}\n removed/old: {removed:#?}"
            );
        }
        error
    }

    /// Checks every invariant of [`super::invariants`].
    pub async fn check_invariants(&self) {
        super::invariants::check_all(self.store.as_ref())
            .await
            .expect("every invariant holds");
    }

    /// Seeds a user of `kind` (with empty profiles) directly in the store.
    pub async fn seed(&self, kind: UserType, staff: bool) -> Seeded {
        let now = self.now();
        let user_id = UserId::new();
        let mut user = active_user(user_id, kind, now);
        user.is_staff = staff;
        let mut changes = ChangeSet::new();
        changes.insert(user);
        let creator = matches!(kind, UserType::Creator | UserType::Both).then(|| {
            let profile = empty_creator_profile(user_id, now);
            let id = profile.id;
            changes.insert(profile);
            id
        });
        let client = matches!(kind, UserType::Client | UserType::Both).then(|| {
            let profile = empty_client_profile(user_id, now);
            let id = profile.id;
            changes.insert(profile);
            id
        });
        self.store.apply(changes).await.expect("seed a user");
        Seeded {
            user_id,
            creator,
            client,
            ctx: Ctx::user(user_id),
        }
    }

    /// Seeds a creator.
    pub async fn creator(&self) -> Seeded {
        self.seed(UserType::Creator, false).await
    }

    /// Seeds a client with a default payment method.
    pub async fn client(&self) -> Seeded {
        let seeded = self.seed(UserType::Client, false).await;
        self.seed_payment_method(seeded.user_id).await;
        seeded
    }

    /// Seeds a staff member.
    pub async fn staff(&self) -> Seeded {
        self.seed(UserType::Client, true).await
    }

    /// Seeds a default card for `user`.
    pub async fn seed_payment_method(&self, user: UserId) -> PaymentMethodId {
        let now = self.now();
        let method = PaymentMethod {
            id: PaymentMethodId::new(),
            user_id: user,
            provider: Text::parse("simulated").expect("valid"),
            provider_payment_method_id: Text::parse(&format!("pm_{}", user.as_uuid().simple()))
                .expect("valid"),
            r#type: Some(crate::enums::PaymentMethodType::Card),
            last_four: Some(Text::parse("4242").expect("valid")),
            brand: Some(Text::parse("Visa").expect("valid")),
            expiry_month: Some(12),
            expiry_year: Some(2030),
            is_default: true,
            is_verified: true,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let id = method.id;
        let mut changes = ChangeSet::new();
        changes.insert(method);
        self.store
            .apply(changes)
            .await
            .expect("seed a payment method");
        id
    }

    /// The escrow account of contract `id`, which must exist.
    pub async fn escrow_of(&self, id: ContractId) -> EscrowAccount {
        self.store
            .contracts()
            .get_escrow_by_contract_id(id)
            .await
            .expect("read")
            .expect("escrow")
    }

    /// The transactions recorded against contract `id`, oldest first.
    pub async fn transactions_of(&self, id: ContractId) -> Vec<Transaction> {
        self.store
            .ledger()
            .list_by_contract_id(id)
            .await
            .expect("read")
    }

    /// Seeds a default payout account for a creator profile.
    pub async fn seed_payout_method(&self, creator: CreatorProfileId) -> PayoutMethodId {
        let now = self.now();
        let method = PayoutMethod {
            id: PayoutMethodId::new(),
            creator_profile_id: creator,
            r#type: Some(crate::enums::PayoutMethodType::Stripe),
            provider: Text::parse("simulated").expect("valid"),
            provider_account_id: Text::parse(&format!("acct_{}", creator.as_uuid().simple()))
                .expect("valid"),
            account_name: None,
            last_four: None,
            is_default: true,
            is_verified: true,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let id = method.id;
        let mut changes = ChangeSet::new();
        changes.insert(method);
        self.store
            .apply(changes)
            .await
            .expect("seed a payout method");
        id
    }
}

/// An active account of `kind` with a verified address
/// (`user-<id>@example.com`) and a password hash no password matches.
pub fn active_user(id: UserId, kind: UserType, now: DateTime<Utc>) -> User {
    let email =
        Email::parse(&format!("user-{}@example.com", id.as_uuid().simple())).expect("valid email");
    User {
        status: UserStatus::Active,
        email_verified: true,
        ..User::new_account(
            id,
            email,
            crate::auth::dummy_hash().to_string(),
            kind,
            None,
            now,
        )
    }
}

/// A creator profile with no details and zeroed statistics.
pub fn empty_creator_profile(user_id: UserId, now: DateTime<Utc>) -> CreatorProfile {
    CreatorProfile {
        id: CreatorProfileId::new(),
        user_id,
        display_name: Text::parse("Creator").expect("valid"),
        tagline: None,
        bio: None,
        profile_image_url: None,
        cover_image_url: None,
        portfolio_video_url: None,
        years_of_experience: None,
        hourly_rate: None,
        availability_status: AvailabilityStatus::Available,
        response_time_hours: None,
        total_jobs_completed: 0,
        total_earnings: Money::zero(Currency::USD),
        success_rate: Percentage::parse(Decimal::ZERO).expect("valid"),
        on_time_delivery_rate: Percentage::parse(Decimal::ZERO).expect("valid"),
        average_rating: Decimal::ZERO,
        total_reviews: 0,
        rating_sum: 0,
        contracts_closed: 0,
        on_time_completions: 0,
        is_verified: false,
        verification_level: None,
        verified_at: None,
        instagram_handle: None,
        tiktok_handle: None,
        youtube_channel: None,
        website_url: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// A client profile with no details and zeroed statistics.
pub fn empty_client_profile(user_id: UserId, now: DateTime<Utc>) -> ClientProfile {
    ClientProfile {
        id: ClientProfileId::new(),
        user_id,
        company_name: Text::parse("Client").expect("valid"),
        company_logo_url: None,
        industry: None,
        company_size: None,
        website_url: None,
        description: None,
        total_jobs_posted: 0,
        total_spent: Money::zero(Currency::USD),
        average_rating: Decimal::ZERO,
        total_reviews: 0,
        rating_sum: 0,
        is_verified: false,
        verified_at: None,
        payment_verified: false,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

impl TestEnv {
    /// Seeds an active gig of `creator` (basic 100.00 USD in 3 days with one
    /// revision; standard 250.00 in 5 days with three).
    pub async fn seed_gig(&self, creator: CreatorProfileId) -> crate::ids::GigId {
        let now = self.now();
        let id = crate::ids::GigId::new();
        let usd = |s: &str| Money::usd(s).expect("valid");
        let gig = crate::entities::Gig {
            id,
            creator_profile_id: creator,
            title: Text::parse("Vertical video edit").expect("valid"),
            slug: crate::value::Slug::parse(&format!(
                "vertical-video-edit-{}",
                id.as_uuid().simple()
            ))
            .expect("valid"),
            description: "I edit your raw footage into a punchy 60-second reel.".into(),
            basic_price: usd("100.00"),
            basic_description: Some("One 30-second reel".into()),
            basic_delivery_days: 3,
            basic_revisions: 1,
            standard_price: Some(usd("250.00")),
            standard_description: Some("Three reels".into()),
            standard_delivery_days: Some(5),
            standard_revisions: Some(3),
            premium_price: None,
            premium_description: None,
            premium_delivery_days: None,
            premium_revisions: None,
            category: Text::parse("editing").expect("valid"),
            subcategory: None,
            video_type: Some(Text::parse("Reel").expect("valid")),
            thumbnail_url: None,
            video_samples: None,
            requirements: None,
            view_count: 0,
            order_count: 0,
            favorite_count: 0,
            status: crate::enums::GigStatus::Active,
            search_tags: Some(vec!["reels".into(), "editing".into()]),
            created_at: now,
            updated_at: now,
            published_at: Some(now),
            version: 1,
        };
        let mut changes = ChangeSet::new();
        changes.insert(gig);
        self.store.apply(changes).await.expect("seed a gig");
        id
    }

    /// Seeds an open job of `client` and a pending proposal of `creator` for
    /// `budget`; returns both ids.
    pub async fn seed_job_with_proposal(
        &self,
        client: ClientProfileId,
        creator: CreatorProfileId,
        budget: Money,
    ) -> (crate::ids::JobId, crate::ids::ProposalId) {
        let now = self.now();
        let job = crate::entities::Job {
            id: crate::ids::JobId::new(),
            client_profile_id: client,
            title: Text::parse("Launch campaign: five TikToks").expect("valid"),
            description: "Five short videos for our product launch.".into(),
            category: Text::parse("ugc").expect("valid"),
            video_type: None,
            video_duration_preference: None,
            platform_preference: None,
            budget_type: Some(crate::enums::BudgetType::Fixed),
            budget_min: Some(budget),
            budget_max: Some(budget),
            deadline_date: None,
            estimated_duration_days: Some(14),
            required_skills: Some(vec!["editing".into()]),
            experience_level: None,
            attachments: None,
            view_count: 0,
            proposal_count: 1,
            status: crate::enums::JobStatus::Open,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
            closed_at: None,
            version: 1,
        };
        let proposal = crate::entities::Proposal {
            id: crate::ids::ProposalId::new(),
            job_id: job.id,
            creator_profile_id: creator,
            cover_letter: "I have shipped forty launch campaigns like this one.".into(),
            proposed_budget: budget,
            proposed_timeline_days: 10,
            attachments: None,
            portfolio_samples: None,
            status: crate::enums::ProposalStatus::Pending,
            created_at: now,
            updated_at: now,
            reviewed_at: None,
            accepted_at: None,
            version: 1,
        };
        let ids = (job.id, proposal.id);
        let mut changes = ChangeSet::new();
        changes.insert(job);
        changes.insert(proposal);
        self.store.apply(changes).await.expect("seed a job");
        ids
    }
}

//! One struct per table of the database plan, field for field.
//!
//! Entities are plain data with public fields: the rules that keep them
//! consistent live in the state machines and the service, which are the only
//! writers. The field types carry what the plan's columns constrain:
//!
//! - primary and foreign keys are the typed ids of [`crate::ids`]; only
//!   columns that may point at any table (`notifications.related_entity_id`,
//!   `favorites.favorited_id`, `audit_logs.entity_id`) are bare [`uuid::Uuid`]s;
//! - every `CHECK (x IN (...))` column is an enum of [`crate::enums`];
//! - `VARCHAR(n)` columns are [`Text<n>`](crate::value::Text) (or a more
//!   specific [value type](crate::value): [`Email`](crate::value::Email),
//!   [`PhoneNumber`](crate::value::PhoneNumber), [`Slug`](crate::value::Slug),
//!   [`BoundedUrl<255>`](crate::value::BoundedUrl)); `*_url TEXT` columns and
//!   JSONB arrays of URLs are [`Url`](crate::value::Url)s;
//! - money columns are [`Money`](crate::Money), which carries its currency;
//!   `DECIMAL(5,2)` percentages are [`Percentage`](crate::value::Percentage)s
//!   and 1-to-5 ratings [`Rating`](crate::value::Rating)s;
//! - nullable columns are `Option`s, while columns with a `DEFAULT` are not:
//!   the library always writes them.
//!
//! Every entity that is ever updated also has a `version: i64`
//! (optimistic-concurrency counter, starting at 1; a library addition, not in
//! the plan). The append-only [`Favorite`], [`GigView`], [`ProfileView`] and
//! [`AuditLog`] have none.

pub mod analytics;
pub mod audit;
pub mod clients;
pub mod config;
pub mod creators;
pub mod discovery;
pub mod disputes;
pub mod gigs;
pub mod jobs;
pub mod messaging;
pub mod notifications;
pub mod payments;
pub mod reviews;
pub mod users;

pub use analytics::*;
pub use audit::*;
pub use clients::*;
pub use config::*;
pub use creators::*;
pub use discovery::*;
pub use disputes::*;
pub use gigs::*;
pub use jobs::*;
pub use messaging::*;
pub use notifications::*;
pub use payments::*;
pub use reviews::*;
pub use users::*;

#[cfg(test)]
pub(crate) mod tests {
    use std::fmt::Debug;
    use std::str::FromStr;

    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use rust_decimal::Decimal;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::enums::*;
    use crate::ids::*;
    use crate::value::{Email, PhoneNumber, Rating, Slug, Text, Url};
    use crate::{Currency, Error, Money};

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_764_000_000 + seconds, 0)
            .single()
            .expect("valid timestamp")
    }

    fn usd(amount: &str) -> Money {
        Money::usd(amount).expect("valid amount")
    }

    fn text<const N: usize>(s: &str) -> Text<N> {
        Text::parse(s).expect("valid text")
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("valid url")
    }

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
        let json = serde_json::to_string(value).expect("serialize");
        let back: T = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(&back, value, "{json}");
    }

    pub(crate) fn user() -> User {
        User {
            id: UserId::new(),
            email: Email::parse("Ada@Example.com").expect("valid email"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            user_type: UserType::Both,
            status: UserStatus::Active,
            email_verified: true,
            phone_number: Some(PhoneNumber::parse("+1 (415) 555-0123").expect("valid phone")),
            phone_verified: true,
            two_factor_enabled: true,
            is_staff: true,
            last_login_at: Some(at(500)),
            login_count: 7,
            created_at: at(0),
            updated_at: at(500),
            deleted_at: Some(at(900)),
            version: 3,
        }
    }

    pub(crate) fn gig() -> Gig {
        Gig {
            id: GigId::new(),
            creator_profile_id: CreatorProfileId::new(),
            title: text("Snappy TikTok product reels"),
            slug: Slug::from_title("Snappy TikTok product reels").expect("valid slug"),
            description: "Three hooks, one product, thirty seconds.".into(),
            basic_price: usd("150.00"),
            basic_description: Some("One 15 s reel".into()),
            basic_delivery_days: 3,
            basic_revisions: 1,
            standard_price: Some(usd("280.00")),
            standard_description: Some("Two reels".into()),
            standard_delivery_days: Some(5),
            standard_revisions: None,
            premium_price: Some(usd("500.00")),
            premium_description: None,
            premium_delivery_days: None,
            premium_revisions: Some(5),
            category: text("short-form"),
            subcategory: Some(text("product")),
            video_type: Some(text("TikTok")),
            thumbnail_url: Some(url("https://cdn.example.com/t.jpg")),
            video_samples: Some(vec![
                url("https://cdn.example.com/a.mp4"),
                url("https://cdn.example.com/b.mp4"),
            ]),
            requirements: Some("Ship the product to us".into()),
            view_count: 120,
            order_count: 4,
            favorite_count: 9,
            status: GigStatus::Active,
            search_tags: Some(vec!["tiktok".into(), "ugc".into()]),
            created_at: at(0),
            updated_at: at(10),
            published_at: Some(at(5)),
            version: 2,
        }
    }

    pub(crate) fn contract() -> Contract {
        Contract {
            id: ContractId::new(),
            job_id: Some(JobId::new()),
            proposal_id: Some(ProposalId::new()),
            gig_id: Some(GigId::new()),
            client_profile_id: ClientProfileId::new(),
            creator_profile_id: CreatorProfileId::new(),
            title: text("Launch campaign"),
            description: "Three reels for the launch".into(),
            scope_of_work: "Script, shoot, edit".into(),
            total_amount: usd("1000.00"),
            platform_fee: usd("100.00"),
            creator_payout: usd("870.70"),
            processing_fee: usd("29.30"),
            fee_tier_id: Some(FeeTierId::new()),
            gig_tier: Some(GigTier::Standard),
            revisions_allowed: Some(2),
            start_date: NaiveDate::from_ymd_opt(2025, 11, 24).expect("valid date"),
            deadline_date: NaiveDate::from_ymd_opt(2025, 12, 24).expect("valid date"),
            estimated_hours: Some(20),
            deliverable_description: Some("3 × 9:16 MP4".into()),
            revision_count: 1,
            status: ContractStatus::RevisionRequested,
            created_at: at(0),
            accepted_at: Some(at(1)),
            started_at: Some(at(2)),
            submitted_at: Some(at(3)),
            completed_at: Some(at(4)),
            cancelled_at: Some(at(5)),
            version: 6,
        }
    }

    pub(crate) fn transaction() -> Transaction {
        Transaction {
            id: TransactionId::new(),
            payer_user_id: Some(UserId::new()),
            payee_user_id: Some(UserId::new()),
            contract_id: Some(ContractId::new()),
            milestone_id: Some(MilestoneId::new()),
            transaction_type: TransactionType::EscrowHold,
            amount: Money::parse("1000", Currency::EUR).expect("valid"),
            currency: Currency::EUR,
            platform_fee: Money::parse("100", Currency::EUR).expect("valid"),
            processing_fee: Money::parse("29.30", Currency::EUR).expect("valid"),
            net_amount: Money::parse("870.70", Currency::EUR).expect("valid"),
            payment_provider: Some(text("stripe")),
            provider_transaction_id: Some(text("pi_3Nabc")),
            payment_method_id: Some(PaymentMethodId::new()),
            status: TransactionStatus::Failed,
            description: Some("Escrow funding".into()),
            metadata: Some(serde_json::json!({ "attempt": 2, "tags": ["launch"] })),
            created_at: at(0),
            completed_at: Some(at(1)),
            failed_at: Some(at(2)),
            error_message: Some("card_declined".into()),
            version: 2,
        }
    }

    pub(crate) fn review() -> Review {
        let stars = |n| Some(Rating::parse(n).expect("valid rating"));
        Review {
            id: ReviewId::new(),
            contract_id: ContractId::new(),
            reviewer_user_id: UserId::new(),
            reviewee_user_id: UserId::new(),
            reviewer_type: Some(ReviewerType::Client),
            overall_rating: Rating::MAX,
            communication_rating: stars(4),
            quality_rating: stars(5),
            professionalism_rating: stars(3),
            value_rating: stars(1),
            title: Some(text("Great hooks")),
            comment: Some("Delivered early.".into()),
            response_text: Some("Thank you!".into()),
            response_at: Some(at(60)),
            is_public: true,
            is_featured: true,
            flagged: false,
            created_at: at(0),
            updated_at: at(60),
            version: 2,
        }
    }

    pub(crate) fn escrow() -> EscrowAccount {
        EscrowAccount {
            id: EscrowAccountId::new(),
            contract_id: ContractId::new(),
            total_amount: usd("1000.00"),
            held_amount: usd("400.00"),
            released_amount: usd("500.00"),
            refunded_amount: usd("100.00"),
            status: EscrowStatus::Releasing,
            created_at: at(0),
            updated_at: at(1),
            version: 4,
        }
    }

    #[test]
    fn fully_populated_entities_round_trip_through_json() {
        round_trip(&user());
        round_trip(&gig());
        round_trip(&contract());
        round_trip(&transaction());
        round_trip(&review());
        round_trip(&escrow());
    }

    #[test]
    fn json_uses_the_plan_column_names() {
        let json = serde_json::to_value(user()).expect("serialize");
        assert_eq!(json["email"], "ada@example.com");
        assert_eq!(json["user_type"], "both");
        assert_eq!(json["phone_number"], "+14155550123");

        let method = PaymentMethod {
            id: PaymentMethodId::new(),
            user_id: UserId::new(),
            provider: text("stripe"),
            provider_payment_method_id: text("pm_123"),
            r#type: Some(PaymentMethodType::BankAccount),
            last_four: Some(text("4242")),
            brand: None,
            expiry_month: None,
            expiry_year: None,
            is_default: true,
            is_verified: false,
            created_at: at(0),
            updated_at: at(0),
            version: 1,
        };
        let json = serde_json::to_value(&method).expect("serialize");
        assert_eq!(json["type"], "bank_account");
        round_trip(&method);
    }

    #[test]
    fn invalid_values_are_refused_on_deserialization() {
        let mut json = serde_json::to_value(review()).expect("serialize");
        json["overall_rating"] = 6.into();
        assert!(serde_json::from_value::<Review>(json).is_err());

        let mut json = serde_json::to_value(gig()).expect("serialize");
        json["slug"] = "Not A Slug".into();
        assert!(serde_json::from_value::<Gig>(json).is_err());

        let mut json = serde_json::to_value(gig()).expect("serialize");
        json["video_samples"] = serde_json::json!(["javascript:alert(1)"]);
        assert!(serde_json::from_value::<Gig>(json).is_err());

        let mut json = serde_json::to_value(contract()).expect("serialize");
        json["status"] = "done".into();
        assert!(serde_json::from_value::<Contract>(json).is_err());

        let mut json = serde_json::to_value(contract()).expect("serialize");
        json["title"] = "x".repeat(201).into();
        assert!(serde_json::from_value::<Contract>(json).is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let user = user();
        let printed = format!("{user:?}");
        assert!(printed.contains("<redacted>"));
        assert!(!printed.contains(&user.password_hash));
        assert!(printed.contains("ada@example.com"));

        let session = UserSession {
            id: SessionId::new(),
            user_id: user.id,
            token_hash: "a3f1c9".repeat(10),
            ip_address: Some("203.0.113.7".parse().expect("valid ip")),
            user_agent: Some("curl/8".into()),
            expires_at: at(86_400),
            created_at: at(0),
            last_activity_at: at(10),
            version: 1,
        };
        let printed = format!("{session:?}");
        assert!(printed.contains("<redacted>") && !printed.contains(&session.token_hash));
        round_trip(&session);

        let token = PasswordResetToken {
            id: PasswordResetTokenId::new(),
            user_id: user.id,
            token_hash: "9e7d".repeat(16),
            expires_at: at(3600),
            used_at: None,
            created_at: at(0),
            version: 1,
        };
        let printed = format!("{token:?}");
        assert!(printed.contains("<redacted>") && !printed.contains(&token.token_hash));
        round_trip(&token);
    }

    #[test]
    fn gig_tiers() {
        let gig = gig();
        let basic = gig.tier(GigTier::Basic).expect("basic is always offered");
        assert_eq!(
            basic,
            GigTierOffer {
                tier: GigTier::Basic,
                price: usd("150.00"),
                description: Some("One 15 s reel".into()),
                delivery_days: 3,
                revisions: 1,
            }
        );
        let standard = gig.tier(GigTier::Standard).expect("standard is offered");
        assert_eq!(standard.price, usd("280.00"));
        assert_eq!(standard.delivery_days, 5);
        assert_eq!(standard.revisions, 0, "NULL revisions means none");
        // Premium has a price but no delivery days: not offered.
        assert_eq!(gig.tier(GigTier::Premium), None);

        let mut no_price = gig.clone();
        no_price.standard_price = None;
        assert_eq!(no_price.tier(GigTier::Standard), None);

        let tiers: Vec<GigTier> = gig.offers().map(|offer| offer.tier).collect();
        assert_eq!(tiers, [GigTier::Basic, GigTier::Standard]);
    }

    #[test]
    fn notification_preferences_defaults_follow_the_plan() {
        let prefs = NotificationPreferences::defaults(
            NotificationPreferencesId::new(),
            UserId::new(),
            at(0),
        );
        assert!(!prefs.email_marketing);
        assert!(prefs.email_new_message && prefs.push_payment && prefs.inapp_enabled);
        assert_eq!(prefs.version, 1);
        round_trip(&prefs);
    }

    #[test]
    fn contract_currency_is_that_of_its_amounts() {
        assert_eq!(contract().currency(), Currency::USD);
        assert_eq!(
            transaction().amount.currency(),
            transaction().currency,
            "fixture is consistent"
        );
        let _: Decimal = escrow().total_amount.amount();
    }

    /// Checks one enum: every value's string parses back, serializes to the
    /// same JSON string and deserializes back; unknown strings are refused.
    fn check_enum<E>(name: &str)
    where
        E: EnumStr + FromStr<Err = Error> + Serialize + DeserializeOwned,
    {
        assert!(!E::VALUES.is_empty(), "{name} has no values");
        for value in E::VALUES {
            let text = value.as_str();
            assert_eq!(value.to_string(), text, "{name}: Display");
            let parsed: E = text
                .parse()
                .unwrap_or_else(|e| panic!("{name}: {text:?}: {e}"));
            assert_eq!(parsed, *value, "{name}: FromStr");
            let json = serde_json::to_string(value).expect("serialize");
            assert_eq!(json, format!("\"{text}\""), "{name}: serde");
            let back: E = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, *value, "{name}: serde round trip");
            let upper = text.to_uppercase();
            if upper != text {
                assert!(
                    matches!(upper.parse::<E>(), Err(Error::Validation { .. })),
                    "{name}: {upper:?} must be refused (strings are exact)"
                );
            }
            assert!(
                matches!(
                    format!(" {text}").parse::<E>(),
                    Err(Error::Validation { .. })
                ),
                "{name}: padded {text:?} must be refused"
            );
        }
        for unknown in ["", "unknown", "definitely_not_a_value"] {
            assert!(
                matches!(unknown.parse::<E>(), Err(Error::Validation { .. })),
                "{name}: {unknown:?} must be refused"
            );
            let json = serde_json::to_string(unknown).expect("serialize");
            assert!(
                serde_json::from_str::<E>(&json).is_err(),
                "{name}: {unknown:?} must not deserialize"
            );
        }
    }

    macro_rules! check_enums {
        ($($ty:ident),* $(,)?) => {{
            $( check_enum::<$ty>(stringify!($ty)); )*
            [$(stringify!($ty)),*].len()
        }};
    }

    #[test]
    fn every_enum_round_trips_and_refuses_unknown_strings() {
        let checked = check_enums!(
            UserType,
            UserStatus,
            AvailabilityStatus,
            VerificationLevel,
            ProficiencyLevel,
            CompanySize,
            GigStatus,
            GigTier,
            BudgetType,
            ExperienceLevel,
            JobStatus,
            ProposalStatus,
            ContractStatus,
            DeliverableStatus,
            MilestoneStatus,
            PaymentMethodType,
            PayoutMethodType,
            TransactionType,
            TransactionStatus,
            EscrowStatus,
            ReviewerType,
            ConversationType,
            MessageType,
            SearchType,
            AlertFrequency,
            FavoritedType,
            DisputeType,
            DisputeStatus,
            TicketPriority,
            TicketStatus,
        );
        // Guard against a new enum being added without being listed above.
        let declared = include_str!("../enums.rs")
            .matches("\nstring_enum! {")
            .count();
        assert_eq!(checked, declared, "list every enum of crate::enums here");
    }
}

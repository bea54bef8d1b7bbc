//! The whole ReelByte story, narrated, against the in-memory store (default)
//! or PostgreSQL (`--database-url URL` or `DATABASE_URL`).
//!
//! A client and two creators sign up; a gig is ordered and delivered with one
//! revision; a job gets two proposals and becomes a contract with three
//! milestones; one milestone is released; the client tips; a dispute over
//! the rest is settled by a split; both sides review. Every balance is printed
//! after every money movement, and the run ends by checking the ledger.
//!
//! ```text
//! cargo run -p reelbyte-examples --bin walkthrough
//! cargo run -p reelbyte-examples --bin walkthrough -- --database-url postgres://postgres@127.0.0.1/reelbyte
//! ```

use std::sync::Arc;

use chrono::Datelike;

use reelbyte_core::entities::User;
use reelbyte_core::enums::{BudgetType, GigTier, PaymentMethodType, PayoutMethodType, UserType};
use reelbyte_core::gateway::SimulatedGateway;
use reelbyte_core::idempotency::IdempotencyKey;
use reelbyte_core::ids::ContractId;
use reelbyte_core::ledger::{self, LedgerAccount};
use reelbyte_core::realtime::Board;
use reelbyte_core::service::{
    AcceptProposalInput, AddPaymentMethodInput, AddPayoutMethodInput, CreateGigInput,
    CreateJobInput, DeliverableInput, LoginInput, MilestoneInput, OrderGigInput, RaiseDisputeInput,
    RegisterInput, ResolveDisputeInput, ReviewInput, SubmitProposalInput, TierInput,
};
use reelbyte_core::store::{ChangeSet, Store};
use reelbyte_core::value::{Email, Rating, Text, Url};
use reelbyte_core::{Ctx, Marketplace, Money};

type Failure = Box<dyn std::error::Error>;

fn usd(amount: &str) -> Result<Money, Failure> {
    Ok(Money::usd(amount)?)
}

fn text<const N: usize>(s: &str) -> Result<Text<N>, Failure> {
    Ok(Text::parse(s)?)
}

fn say(line: &str) {
    println!("{line}");
}

/// Picks the store from `--database-url` / `DATABASE_URL`, or memory.
async fn open_store() -> Result<Arc<dyn Store>, Failure> {
    let mut args = std::env::args().skip(1);
    let mut url = std::env::var("DATABASE_URL").ok();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database-url" => url = args.next(),
            "--help" | "-h" => {
                println!("usage: walkthrough [--database-url URL]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    match url.filter(|u| !u.is_empty()) {
        Some(url) => {
            let store = reelbyte_pg::PgStore::connect(&url, 8).await?;
            store.migrate().await?;
            say(&format!("Storage: PostgreSQL at {}", redact_url(&url)));
            Ok(Arc::new(store))
        }
        None => {
            say("Storage: in memory");
            Ok(Arc::new(reelbyte_memory::MemStore::new()))
        }
    }
}

/// The URL without its password, for printing.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

struct Story {
    market: Marketplace,
    run: String,
}

impl Story {
    /// Registers, verifies and logs in a user; returns their context.
    async fn sign_up(
        &self,
        name: &str,
        kind: UserType,
        company: Option<&str>,
    ) -> Result<(User, Ctx), Failure> {
        let email = Email::parse(&format!("{}+{}@example.com", name.to_lowercase(), self.run))?;
        let password = format!("{name}-correct-horse-battery");
        let registered = self
            .market
            .register(
                &Ctx::anonymous(),
                RegisterInput {
                    email: email.clone(),
                    password: password.clone(),
                    user_type: kind,
                    display_name: text(name)?,
                    company_name: company.map(text).transpose()?,
                    phone_number: None,
                },
            )
            .await?;
        self.market
            .verify_email(&Ctx::anonymous(), registered.verification_token.expose())
            .await?;
        let session = self
            .market
            .login(
                &Ctx::anonymous(),
                LoginInput {
                    email: email.as_str().to_string(),
                    password,
                },
            )
            .await?;
        let user = self.market.authenticate(session.token.expose()).await?;
        say(&format!(
            "  {name} signed up as {kind} ({email}), verified the address and logged in \
             (a {}-character session token; only its SHA-256 is stored).",
            session.token.expose().len()
        ));
        Ok((user.clone(), Ctx::user(user.id)))
    }

    /// Prints the contract's escrow and the parties' figures.
    async fn balances(
        &self,
        contract: ContractId,
        client: &User,
        creator: &User,
    ) -> Result<(), Failure> {
        let store = self.market.store();
        if let Some(e) = store
            .contracts()
            .get_escrow_by_contract_id(contract)
            .await?
        {
            say(&format!(
                "    escrow: total {} = held {} + released {} + refunded {} [{}]",
                e.total_amount, e.held_amount, e.released_amount, e.refunded_amount, e.status
            ));
        }
        if let Some(p) = store.creators().get_by_user_id(creator.id).await? {
            say(&format!(
                "    {}: total earnings {}",
                p.display_name, p.total_earnings
            ));
        }
        if let Some(p) = store.clients().get_by_user_id(client.id).await? {
            say(&format!(
                "    {}: total spent {}",
                p.company_name, p.total_spent
            ));
        }
        let postings = store.ledger().list_all_postings().await?;
        let balances = ledger::balances(&postings)?;
        let mut line = String::from("    ledger:");
        for ((account, _), money) in &balances {
            let name = match account {
                LedgerAccount::External(u) if *u == client.id => "client card".to_string(),
                LedgerAccount::External(u) if *u == creator.id => "creator bank".to_string(),
                LedgerAccount::CreatorPayable(u) if *u == creator.id => {
                    "creator payable".to_string()
                }
                LedgerAccount::ClientRefundable(u) if *u == client.id => {
                    "client refundable".to_string()
                }
                LedgerAccount::Escrow(c) if *c == contract => "this escrow".to_string(),
                LedgerAccount::PlatformRevenue => "platform revenue".to_string(),
                LedgerAccount::ProcessorFees => "processor fees".to_string(),
                _ => continue,
            };
            line.push_str(&format!(" {name} {money};"));
        }
        say(&line);
        Ok(())
    }
}

fn review(stars: i32, comment: &str) -> Result<ReviewInput, Failure> {
    Ok(ReviewInput {
        overall_rating: Rating::parse(stars)?,
        communication_rating: Some(Rating::parse(stars)?),
        quality_rating: None,
        professionalism_rating: None,
        value_rating: None,
        title: None,
        comment: Some(comment.into()),
    })
}

fn cut(n: u32) -> Result<DeliverableInput, Failure> {
    Ok(DeliverableInput {
        title: Some(text(&format!("Cut {n}"))?),
        description: None,
        video_urls: vec![Url::parse(&format!(
            "https://cdn.example.com/reels/cut-{n}.mp4"
        ))?],
        file_urls: vec![],
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let store = open_store().await?;
    // Leaderboards, unread counters, activity feeds and favorites sets in
    // this process, moved by the commands as they commit.
    let market = reelbyte_examples::server::keep_projections(
        Marketplace::new(store.clone(), Arc::new(SimulatedGateway::new())),
        Arc::new(reelbyte_memory::MemRealtime::default()),
    );
    let run = uuid::Uuid::now_v7().simple().to_string()[..8].to_string();
    let story = Story { market, run };
    let m = &story.market;

    say("\n1. Three people sign up.");
    let (alice, alice_ctx) = story
        .sign_up("Alice", UserType::Client, Some("Brightside Cosmetics"))
        .await?;
    let (bo, bo_ctx) = story.sign_up("Bo", UserType::Creator, None).await?;
    let (cam, cam_ctx) = story.sign_up("Cam", UserType::Creator, None).await?;
    m.add_payment_method(
        &alice_ctx,
        AddPaymentMethodInput {
            provider: text("simulated")?,
            provider_payment_method_id: text(&format!("pm_{}", story.run))?,
            r#type: PaymentMethodType::Card,
            last_four: Some(text("4242")?),
            brand: Some(text("Visa")?),
            expiry_month: Some(12),
            expiry_year: Some(2030),
        },
    )
    .await?;
    for (ctx, who) in [(&bo_ctx, "bo"), (&cam_ctx, "cam")] {
        m.add_payout_method(
            ctx,
            AddPayoutMethodInput {
                r#type: PayoutMethodType::BankTransfer,
                provider: text("simulated")?,
                provider_account_id: text(&format!("acct_{who}_{}", story.run))?,
                account_name: None,
                last_four: Some(text("6789")?),
            },
        )
        .await?;
    }
    say("  Alice added a card; Bo and Cam added bank accounts for payouts.");

    say("\n2. Bo offers a gig; Alice orders it.");
    let gig = m
        .create_gig(
            &bo_ctx,
            CreateGigInput {
                title: text("Vertical product reels for TikTok")?,
                description: "Punchy 30-second reels cut from your raw footage, captions included."
                    .into(),
                category: text("editing")?,
                subcategory: None,
                video_type: Some(text("reel")?),
                basic: TierInput {
                    price: usd("150.00")?,
                    description: Some("One reel".into()),
                    delivery_days: 3,
                    revisions: 1,
                },
                standard: Some(TierInput {
                    price: usd("400.00")?,
                    description: Some("Three reels".into()),
                    delivery_days: 5,
                    revisions: 2,
                }),
                premium: None,
                thumbnail_url: None,
                video_samples: vec![],
                search_tags: vec!["reels".into(), "tiktok".into()],
                requirements: None,
            },
        )
        .await?;
    m.publish_gig(&bo_ctx, gig.id).await?;
    let order = m
        .order_gig(
            &alice_ctx,
            gig.id,
            OrderGigInput {
                tier: GigTier::Basic,
                requirements: Some("Use our spring palette; logo at the end.".into()),
            },
        )
        .await?;
    say(&format!(
        "  Alice ordered the basic tier: {} in all, platform fee {} (of which processing {}), \
         creator payout {}.",
        order.total_amount, order.platform_fee, order.processing_fee, order.creator_payout
    ));
    let key = IdempotencyKey::parse(&format!("fund-{}", order.id))?;
    m.fund_escrow(
        &alice_ctx.clone().with_idempotency_key(key.clone()),
        order.id,
        None,
    )
    .await?;
    m.fund_escrow(&alice_ctx.clone().with_idempotency_key(key), order.id, None)
        .await?;
    say(
        "  Alice funded escrow (the retried request with the same Idempotency-Key charged nothing twice):",
    );
    story.balances(order.id, &alice, &bo).await?;
    m.accept_contract(&bo_ctx, order.id).await?;
    m.submit_deliverable(&bo_ctx, order.id, cut(1)?).await?;
    say("  Bo accepted and delivered cut 1.");
    m.request_revision(&alice_ctx, order.id, "Slower first two seconds, please.")
        .await?;
    m.submit_deliverable(&bo_ctx, order.id, cut(2)?).await?;
    say("  Alice asked for one revision; Bo delivered cut 2.");
    m.approve_delivery(&alice_ctx, order.id, Some("Perfect."))
        .await?;
    say("  Alice approved: the escrow is released to Bo, net of the platform fee:");
    story.balances(order.id, &alice, &bo).await?;

    say("\n3. Alice posts a job; Bo and Cam propose.");
    let job = m
        .create_job(
            &alice_ctx,
            CreateJobInput {
                title: text("Spring launch: three UGC videos")?,
                description: "Three 45-second UGC videos showing our new serum in daily routines."
                    .into(),
                category: text("ugc")?,
                video_type: None,
                video_duration_preference: None,
                platform_preference: None,
                budget_type: BudgetType::Fixed,
                budget_min: None,
                budget_max: Some(usd("900.00")?),
                deadline_date: None,
                estimated_duration_days: Some(21),
                required_skills: vec!["ugc".into()],
                experience_level: None,
                attachments: vec![],
                publish: true,
            },
        )
        .await?;
    for (ctx, budget, letter) in [
        (
            &bo_ctx,
            "900.00",
            "I shot forty skincare launches; here is my plan for yours.",
        ),
        (
            &cam_ctx,
            "850.00",
            "Skincare UGC is all I do. Three routines, three moods.",
        ),
    ] {
        m.submit_proposal(
            ctx,
            job.id,
            SubmitProposalInput {
                cover_letter: letter.into(),
                proposed_budget: usd(budget)?,
                proposed_timeline_days: 14,
                attachments: vec![],
                portfolio_samples: vec![],
            },
        )
        .await?;
    }
    let proposals = m.list_job_proposals(&alice_ctx, job.id).await?;
    let cams = proposals
        .iter()
        .find(|p| {
            p.proposed_budget
                == usd("850.00").unwrap_or_else(|_| Money::zero(reelbyte_core::Currency::USD))
        })
        .ok_or("Cam's proposal is missing")?;
    say(&format!(
        "  {} proposals arrived; Alice accepts Cam's.",
        proposals.len()
    ));
    let milestone = |title: &str, amount: &str| -> Result<MilestoneInput, Failure> {
        Ok(MilestoneInput {
            title: text(title)?,
            description: None,
            amount: usd(amount)?,
            due_date: None,
        })
    };
    let contract = m
        .accept_proposal(
            &alice_ctx,
            cams.id,
            AcceptProposalInput {
                milestones: vec![
                    milestone("Morning routine video", "300.00")?,
                    milestone("Evening routine video", "300.00")?,
                    milestone("Gym-bag routine video", "250.00")?,
                ],
                scope_of_work: None,
            },
        )
        .await?;
    let key = IdempotencyKey::parse(&format!("fund-{}", contract.id))?;
    m.fund_escrow(
        &alice_ctx.clone().with_idempotency_key(key),
        contract.id,
        None,
    )
    .await?;
    m.accept_contract(&cam_ctx, contract.id).await?;
    say(
        "  The contract has three milestones (300.00 + 300.00 + 250.00); Alice funded it and Cam accepted:",
    );
    story.balances(contract.id, &alice, &cam).await?;

    say("\n4. The first milestone is delivered and released.");
    let milestones = m.get_contract(&alice_ctx, contract.id).await?.milestones;
    m.submit_milestone(&cam_ctx, milestones[0].id).await?;
    m.release_milestone(&alice_ctx, milestones[0].id).await?;
    story.balances(contract.id, &alice, &cam).await?;

    say("\n5. Alice tips Cam 40.00 for a fast first video.");
    m.tip(&alice_ctx, contract.id, usd("40.00")?).await?;
    story.balances(contract.id, &alice, &cam).await?;

    say("\n6. A dispute over the rest is settled by a split.");
    m.submit_milestone(&cam_ctx, milestones[1].id).await?;
    let dispute = m
        .raise_dispute(
            &alice_ctx,
            contract.id,
            RaiseDisputeInput {
                dispute_type: None,
                title: text("The last video misses the brand guidelines")?,
                description: "Wrong colours and no product close-up in the last video.".into(),
                evidence_urls: vec![],
            },
        )
        .await?;
    say("  Alice raised a dispute; the escrow is frozen (a release now is refused):");
    if let Err(e) = m.release_milestone(&alice_ctx, milestones[1].id).await {
        say(&format!("    refused: {e}"));
    }
    // The operator of this deployment makes a support agent staff: the one
    // step a fresh installation does outside the service.
    let (agent, agent_ctx) = story
        .sign_up("Dana", UserType::Client, Some("ReelByte Support"))
        .await?;
    let mut staff = agent.clone();
    staff.is_staff = true;
    let mut changes = ChangeSet::new();
    changes.update(&staff);
    store.apply(changes).await?;
    m.review_dispute(&agent_ctx, dispute.id).await?;
    m.resolve_dispute(
        &agent_ctx,
        dispute.id,
        ResolveDisputeInput {
            release_to_creator: usd("400.00")?,
            refund_to_client: usd("150.00")?,
            resolution: "Video two is accepted; video three is paid at 100.00 of 250.00.".into(),
        },
    )
    .await?;
    say(
        "  Dana (support) resolved it: 400.00 to Cam, 150.00 back to Alice, in one balanced entry:",
    );
    story.balances(contract.id, &alice, &cam).await?;

    say("\n7. Both sides review.");
    m.leave_review(&alice_ctx, order.id, review(5, "Fast and on brand.")?)
        .await?;
    m.leave_review(
        &bo_ctx,
        order.id,
        review(5, "Clear brief, quick approval.")?,
    )
    .await?;
    m.leave_review(
        &alice_ctx,
        contract.id,
        review(4, "Great first two videos.")?,
    )
    .await?;
    m.leave_review(&cam_ctx, contract.id, review(4, "Fair resolution.")?)
        .await?;
    for (user, who) in [(&bo, "Bo"), (&cam, "Cam")] {
        if let Some(p) = store.creators().get_by_user_id(user.id).await? {
            say(&format!(
                "  {who}: {} review(s), average {}",
                p.total_reviews, p.average_rating
            ));
        }
    }

    let now = m.now();
    let month = Board::EarnersOfMonth {
        year: now.year(),
        month: now.month(),
    };
    for (board, title) in [
        (Board::CreatorsByRating, "by rating"),
        (month, "by earnings this month"),
    ] {
        let ranked: Vec<String> = m
            .top_creators(board, 10)
            .await?
            .iter()
            .map(|r| format!("{} ({})", r.item.display_name, r.score))
            .collect();
        say(&format!("  Leaderboard {title}: {}", ranked.join(", ")));
    }

    say("\n8. The books.");
    let postings = store.ledger().list_all_postings().await?;
    ledger::check_balanced(&postings)?;
    let transactions: std::collections::BTreeSet<_> =
        postings.iter().map(|p| p.transaction_id).collect();
    say(&format!(
        "  {} postings in {} transactions; every transaction sums to zero per currency.",
        postings.len(),
        transactions.len()
    ));
    for id in [order.id, contract.id] {
        if let Some(e) = store.contracts().get_escrow_by_contract_id(id).await? {
            let sum = e
                .held_amount
                .checked_add(e.released_amount)?
                .checked_add(e.refunded_amount)?;
            if sum != e.total_amount {
                return Err(format!("escrow {} does not add up", e.id).into());
            }
        }
    }
    let unread = m.unread_counts(&cam_ctx).await?;
    say(&format!(
        "  Escrows add up; Cam has {} unread notifications and {} unread messages about all of this.",
        unread.notifications, unread.messages
    ));
    let done: Vec<String> = m
        .activity_feed(&cam_ctx, 3)
        .await?
        .iter()
        .map(|a| format!("{} {}", a.action, a.entity_type))
        .collect();
    say(&format!("  Cam's latest activity: {}.", done.join(", ")));
    Ok(())
}

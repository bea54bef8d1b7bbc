//! Fills any store with realistic marketplace data at a chosen scale,
//! reproducibly: the same seed gives the same rows, ids included.
//!
//! Rows are built as entities and written through [`Store::apply`] in
//! batches (one change set per batch, so a batch is atomic and a crash
//! leaves whole batches). It is a loader, not a workflow: it writes states
//! directly (active gigs, open jobs, conversations with history) instead of
//! replaying every command, which would take hours at a million messages.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use reelbyte_core::auth::dummy_hash;
use reelbyte_core::entities::{
    ClientProfile, Conversation, ConversationParticipant, CreatorCategory, CreatorProfile,
    CreatorSkill, Gig, Job, Message, User,
};
use reelbyte_core::enums::{
    AvailabilityStatus, BudgetType, ConversationType, GigStatus, JobStatus, MessageType,
    ProficiencyLevel, UserStatus, UserType,
};
use reelbyte_core::ids::{
    ClientProfileId, ConversationId, CreatorCategoryId, CreatorProfileId, CreatorSkillId, GigId,
    JobId, MessageId, ParticipantId, UserId,
};
use reelbyte_core::store::{ChangeSet, Store};
use reelbyte_core::value::{Email, Percentage, Slug, Text};
use reelbyte_core::{Currency, Money};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Creators (each with a profile, skills and a primary category).
    pub creators: usize,
    /// Clients (each with a company profile).
    pub clients: usize,
    /// Active gigs, spread over the creators.
    pub gigs: usize,
    /// Open jobs, spread over the clients.
    pub jobs: usize,
    /// Messages, in conversations of about 20 between a client and a creator.
    pub messages: usize,
}

impl Scale {
    /// A small world for tests and demos.
    pub const SMALL: Scale = Scale {
        creators: 100,
        clients: 50,
        gigs: 1_000,
        jobs: 200,
        messages: 2_000,
    };
}

/// What was generated, for callers that need ids (benchmarks, tests).
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// Creator users and their profiles.
    pub creators: Vec<(UserId, CreatorProfileId)>,
    /// Client users and their profiles.
    pub clients: Vec<(UserId, ClientProfileId)>,
    /// Gig ids.
    pub gigs: Vec<GigId>,
    /// Job ids.
    pub jobs: Vec<JobId>,
    /// Conversation ids.
    pub conversations: Vec<ConversationId>,
    /// Messages written.
    pub messages: usize,
}

/// SplitMix64: small, fast and reproducible; not for secrets.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A random (version 4 layout) UUID, reproducible from the seed.
    pub fn uuid(&mut self) -> Uuid {
        let hi = u128::from(self.next_u64()) << 64;
        let bits = hi | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena",
    "Milo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Vik", "Wren", "Yara",
    "Zane",
];
const LAST: &[&str] = &[
    "Studio", "Films", "Creates", "Visuals", "Edits", "Motion", "Media", "Reels", "Frames",
];
const SKILLS: &[&str] = &[
    "editing",
    "color grading",
    "motion graphics",
    "ugc",
    "voice over",
    "scripting",
    "drone footage",
    "animation",
    "subtitles",
    "product photography",
    "tiktok",
    "youtube shorts",
];
const CATEGORIES: &[&str] = &[
    "editing",
    "ugc",
    "animation",
    "motion graphics",
    "voice over",
    "scripting",
    "explainers",
];
const WHAT: &[&str] = &[
    "Video editor",
    "UGC creator",
    "Motion designer",
    "Reel editor",
    "Animator",
    "Product video maker",
    "Explainer video artist",
    "Voice over artist",
    "Subtitle specialist",
];
const FOR: &[&str] = &[
    "for TikTok",
    "for Instagram Reels",
    "for YouTube Shorts",
    "for product launches",
    "for skincare brands",
    "for SaaS demos",
    "for restaurants",
    "for fitness coaches",
    "for real estate",
    "for podcasts",
];
const STYLE: &[&str] = &[
    "fast-paced",
    "cinematic",
    "playful",
    "minimal",
    "high-energy",
    "authentic",
    "premium",
];
const COMPANIES: &[&str] = &[
    "Brightside",
    "Nordlicht",
    "Peak & Pine",
    "Lumen",
    "Oakfield",
    "Saltwater",
    "Copperleaf",
    "Bluebird",
    "Tandem",
    "Harbor",
];
const LINES: &[&str] = &[
    "Hi! Could you share a rough timeline?",
    "Sure, I can start on Monday.",
    "Here is the brief and our brand kit.",
    "The first cut is uploaded, let me know what you think.",
    "Love it. Could the logo appear earlier?",
    "Done, please check version two.",
    "Perfect, approving now.",
    "Thanks for the quick turnaround!",
];

fn text<const N: usize>(s: &str) -> Text<N> {
    match Text::parse(s) {
        Ok(t) => t,
        // Every generated string is short and non-blank.
        Err(_) => Text::parse("generated").unwrap_or_else(|_| unreachable!("a literal fits")),
    }
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD).unwrap_or_else(|_| Money::zero(Currency::USD))
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Calls `progress(done, total)` as batches land; the binary draws a bar.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// Writes `scale` worth of data into `store` from `seed`, `batch` rows per
/// change set.
pub async fn generate(
    store: &Arc<dyn Store>,
    scale: Scale,
    seed: u64,
    batch: usize,
    progress: Progress<'_>,
) -> reelbyte_core::Result<Generated> {
    let mut rng = Rng::new(seed);
    let mut out = Generated::default();
    let batch = batch.max(1);
    let base = epoch();
    let mut changes = ChangeSet::new();
    let mut pending = 0usize;

    async fn flush(
        store: &Arc<dyn Store>,
        changes: &mut ChangeSet,
        pending: &mut usize,
    ) -> reelbyte_core::Result<()> {
        if *pending > 0 {
            store.apply(std::mem::take(changes)).await?;
            *pending = 0;
        }
        Ok(())
    }

    // Creators.
    for n in 0..scale.creators {
        let at = base + Duration::minutes(rng.below(60 * 24 * 300) as i64);
        let user_id = UserId::from_uuid(rng.uuid());
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        changes.insert(user(
            user_id,
            &format!("creator-{n}@gen.example.com"),
            UserType::Creator,
            at,
        )?);
        let profile = CreatorProfileId::from_uuid(rng.uuid());
        let rating = Decimal::new(300 + rng.below(201) as i64, 2);
        let reviews = rng.below(120) as i32;
        changes.insert(CreatorProfile {
            id: profile,
            user_id,
            display_name: text(&name),
            tagline: Some(text(&format!(
                "{} {}",
                rng.pick(STYLE),
                rng.pick(WHAT).to_lowercase()
            ))),
            bio: Some(format!(
                "I make {} videos {}.",
                rng.pick(STYLE),
                rng.pick(FOR)
            )),
            profile_image_url: None,
            cover_image_url: None,
            portfolio_video_url: None,
            years_of_experience: Some(1 + rng.below(12) as i32),
            hourly_rate: Some(usd(2_000 + rng.below(13_000) as i64)),
            availability_status: *rng.pick(&[
                AvailabilityStatus::Available,
                AvailabilityStatus::Available,
                AvailabilityStatus::Busy,
                AvailabilityStatus::Unavailable,
            ]),
            response_time_hours: Some(1 + rng.below(48) as i32),
            total_jobs_completed: 0,
            total_earnings: Money::zero(Currency::USD),
            success_rate: Percentage::parse(Decimal::ZERO)?,
            on_time_delivery_rate: Percentage::parse(Decimal::ZERO)?,
            average_rating: if reviews == 0 { Decimal::ZERO } else { rating },
            total_reviews: 0,
            rating_sum: 0,
            contracts_closed: 0,
            on_time_completions: 0,
            is_verified: rng.below(4) == 0,
            verification_level: None,
            verified_at: None,
            instagram_handle: None,
            tiktok_handle: None,
            youtube_channel: None,
            website_url: None,
            created_at: at,
            updated_at: at,
            version: 1,
        });
        let skills = 1 + rng.below(3) as usize;
        let start = rng.below(SKILLS.len() as u64) as usize;
        for k in 0..skills {
            changes.insert(CreatorSkill {
                id: CreatorSkillId::from_uuid(rng.uuid()),
                creator_profile_id: profile,
                skill_name: text(SKILLS[(start + k) % SKILLS.len()]),
                proficiency_level: Some(ProficiencyLevel::Expert),
                years_experience: Some(1 + rng.below(10) as i32),
                created_at: at,
                version: 1,
            });
        }
        changes.insert(CreatorCategory {
            id: CreatorCategoryId::from_uuid(rng.uuid()),
            creator_profile_id: profile,
            category: text(rng.pick::<&str>(CATEGORIES)),
            is_primary: true,
            created_at: at,
            version: 1,
        });
        out.creators.push((user_id, profile));
        pending += 1;
        if pending >= batch / 4 {
            flush(store, &mut changes, &mut pending).await?;
            progress("creators", n + 1, scale.creators);
        }
    }
    flush(store, &mut changes, &mut pending).await?;
    progress("creators", scale.creators, scale.creators);

    // Clients.
    for n in 0..scale.clients {
        let at = base + Duration::minutes(rng.below(60 * 24 * 300) as i64);
        let user_id = UserId::from_uuid(rng.uuid());
        changes.insert(user(
            user_id,
            &format!("client-{n}@gen.example.com"),
            UserType::Client,
            at,
        )?);
        let profile = ClientProfileId::from_uuid(rng.uuid());
        changes.insert(ClientProfile {
            id: profile,
            user_id,
            company_name: text(&format!("{} {}", rng.pick(COMPANIES), n)),
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
            payment_verified: true,
            created_at: at,
            updated_at: at,
            version: 1,
        });
        out.clients.push((user_id, profile));
        pending += 1;
        if pending >= batch / 2 {
            flush(store, &mut changes, &mut pending).await?;
            progress("clients", n + 1, scale.clients);
        }
    }
    flush(store, &mut changes, &mut pending).await?;
    progress("clients", scale.clients, scale.clients);

    // Gigs.
    for n in 0..scale.gigs {
        let Some(&(_, creator)) = out
            .creators
            .get(rng.below(out.creators.len() as u64) as usize)
        else {
            break;
        };
        let at = base + Duration::minutes(rng.below(60 * 24 * 320) as i64);
        let id = GigId::from_uuid(rng.uuid());
        let title = format!("{} {} {}", rng.pick(STYLE), rng.pick(WHAT), rng.pick(FOR));
        let title = capitalise(&title);
        let basic = 2_500 + rng.below(47_500) as i64;
        let category = *rng.pick(CATEGORIES);
        changes.insert(Gig {
            id,
            creator_profile_id: creator,
            title: text(&title),
            slug: Slug::parse(&format!("{}-{n}", Slug::from_title(&title)?.as_str()))?,
            description: format!(
                "{title}. I deliver {} edits with captions, music and a hook in the first second.",
                rng.pick(STYLE)
            ),
            basic_price: usd(basic),
            basic_description: Some("One video".into()),
            basic_delivery_days: 1 + rng.below(7) as i32,
            basic_revisions: rng.below(3) as i32,
            standard_price: Some(usd(basic * 2)),
            standard_description: Some("Three videos".into()),
            standard_delivery_days: Some(5 + rng.below(5) as i32),
            standard_revisions: Some(2),
            premium_price: None,
            premium_description: None,
            premium_delivery_days: None,
            premium_revisions: None,
            category: text(category),
            subcategory: None,
            video_type: None,
            thumbnail_url: None,
            video_samples: None,
            requirements: None,
            view_count: 0,
            order_count: 0,
            favorite_count: 0,
            status: GigStatus::Active,
            search_tags: Some(vec![rng.pick(SKILLS).to_string(), category.to_string()]),
            created_at: at,
            updated_at: at,
            published_at: Some(at),
            version: 1,
        });
        out.gigs.push(id);
        pending += 1;
        if pending >= batch {
            flush(store, &mut changes, &mut pending).await?;
            progress("gigs", n + 1, scale.gigs);
        }
    }
    flush(store, &mut changes, &mut pending).await?;
    progress("gigs", out.gigs.len(), scale.gigs);

    // Jobs.
    for n in 0..scale.jobs {
        let Some(&(_, client)) = out
            .clients
            .get(rng.below(out.clients.len() as u64) as usize)
        else {
            break;
        };
        let at = base + Duration::minutes(rng.below(60 * 24 * 320) as i64);
        let id = JobId::from_uuid(rng.uuid());
        let budget = 10_000 + rng.below(490_000) as i64;
        let title = capitalise(&format!("{} needed {}", rng.pick(WHAT), rng.pick(FOR)));
        changes.insert(Job {
            id,
            client_profile_id: client,
            title: text(&title),
            description: format!("We need {} videos {}.", rng.pick(STYLE), rng.pick(FOR)),
            category: text(rng.pick::<&str>(CATEGORIES)),
            video_type: None,
            video_duration_preference: None,
            platform_preference: None,
            budget_type: Some(BudgetType::Fixed),
            budget_min: None,
            budget_max: Some(usd(budget)),
            deadline_date: None,
            estimated_duration_days: Some(7 + rng.below(30) as i32),
            required_skills: Some(vec![rng.pick(SKILLS).to_string()]),
            experience_level: None,
            attachments: None,
            view_count: 0,
            proposal_count: 0,
            status: JobStatus::Open,
            created_at: at,
            updated_at: at,
            published_at: Some(at),
            closed_at: None,
            version: 1,
        });
        out.jobs.push(id);
        pending += 1;
        if pending >= batch {
            flush(store, &mut changes, &mut pending).await?;
            progress("jobs", n + 1, scale.jobs);
        }
    }
    flush(store, &mut changes, &mut pending).await?;
    progress("jobs", out.jobs.len(), scale.jobs);

    // Conversations of about twenty messages each.
    let mut written = 0usize;
    while written < scale.messages && !out.clients.is_empty() && !out.creators.is_empty() {
        let (client, _) = *rng.pick(&out.clients);
        let (creator, _) = *rng.pick(&out.creators);
        let started = base + Duration::minutes(rng.below(60 * 24 * 300) as i64);
        let id = ConversationId::from_uuid(rng.uuid());
        let length = (10 + rng.below(21) as usize).min(scale.messages - written);
        let last = started + Duration::minutes(length as i64 * 7);
        changes.insert(Conversation {
            id,
            job_id: None,
            contract_id: None,
            conversation_type: ConversationType::Direct,
            last_message_at: Some(last),
            created_at: started,
            version: 1,
        });
        for member in [client, creator] {
            changes.insert(ConversationParticipant {
                id: ParticipantId::from_uuid(rng.uuid()),
                conversation_id: id,
                user_id: member,
                is_muted: false,
                is_archived: false,
                last_read_at: Some(last),
                unread_count: 0,
                joined_at: started,
                version: 1,
            });
        }
        for k in 0..length {
            changes.insert(Message {
                id: MessageId::from_uuid(rng.uuid()),
                conversation_id: id,
                sender_user_id: if k % 2 == 0 { client } else { creator },
                message_type: MessageType::Text,
                content: (*rng.pick(LINES)).to_string(),
                attachments: None,
                is_edited: false,
                is_deleted: false,
                created_at: started + Duration::minutes(k as i64 * 7),
                edited_at: None,
                version: 1,
            });
        }
        out.conversations.push(id);
        written += length;
        pending += length;
        if pending >= batch {
            flush(store, &mut changes, &mut pending).await?;
            progress("messages", written, scale.messages);
        }
    }
    flush(store, &mut changes, &mut pending).await?;
    out.messages = written;
    progress("messages", written, scale.messages);
    Ok(out)
}

fn user(id: UserId, email: &str, kind: UserType, at: DateTime<Utc>) -> reelbyte_core::Result<User> {
    // Generated accounts cannot log in: the hash matches no password.
    let account = User::new_account(
        id,
        Email::parse(email)?,
        dummy_hash().to_string(),
        kind,
        None,
        at,
    );
    Ok(User {
        status: UserStatus::Active,
        email_verified: true,
        ..account
    })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).uuid(), Rng::new(8).uuid());
    }
}

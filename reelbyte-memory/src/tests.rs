//! Unit tests of the store mechanics: atomicity, unique keys, versions,
//! counters, checks, deletes, dumps, indexes and concurrency. The behaviour
//! of every repository method is covered by the shared conformance suite.

use std::sync::Arc;
use std::thread;

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::executor::block_on;
use reelbyte_core::Error;
use reelbyte_core::entities::{Gig, PlatformSetting, User, UserSession};
use reelbyte_core::enums::{GigStatus, UserStatus, UserType};
use reelbyte_core::ids::{CreatorProfileId, GigId, PostingId, SessionId, TransactionId, UserId};
use reelbyte_core::ledger::{LedgerAccount, LedgerPosting};
use reelbyte_core::money::Money;
use reelbyte_core::store::{
    ChangeSet, Counter, GigQuery, Page, Record, RowKey, Store, Table, Write,
};
use reelbyte_core::value::{Email, Slug, Text};

use crate::MemStore;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_764_000_000, 0)
        .single()
        .expect("valid timestamp")
        + Duration::seconds(seconds)
}

fn user(email: &str) -> User {
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_string();
    let account = User::new_account(
        UserId::new(),
        Email::parse(email).expect("valid email"),
        hash,
        UserType::Client,
        None,
        at(0),
    );
    User {
        status: UserStatus::Active,
        ..account
    }
}

fn gig(slug: &str, title: &str, description: &str) -> Gig {
    Gig {
        id: GigId::new(),
        creator_profile_id: CreatorProfileId::new(),
        title: Text::parse(title).expect("valid title"),
        slug: Slug::parse(slug).expect("valid slug"),
        description: description.into(),
        basic_price: Money::usd("150.00").expect("valid amount"),
        basic_description: None,
        basic_delivery_days: 3,
        basic_revisions: 1,
        standard_price: None,
        standard_description: None,
        standard_delivery_days: None,
        standard_revisions: None,
        premium_price: None,
        premium_description: None,
        premium_delivery_days: None,
        premium_revisions: None,
        category: Text::parse("editing").expect("valid category"),
        subcategory: None,
        video_type: None,
        thumbnail_url: None,
        video_samples: None,
        requirements: None,
        view_count: 0,
        order_count: 0,
        favorite_count: 0,
        status: GigStatus::Active,
        search_tags: None,
        created_at: at(0),
        updated_at: at(0),
        published_at: Some(at(0)),
        version: 1,
    }
}

fn session(user: &User, token_hash: &str) -> UserSession {
    UserSession {
        id: SessionId::new(),
        user_id: user.id,
        token_hash: token_hash.into(),
        ip_address: None,
        user_agent: None,
        expires_at: at(3_600),
        created_at: at(0),
        last_activity_at: at(0),
        version: 1,
    }
}

fn setting(key: &str) -> PlatformSetting {
    PlatformSetting {
        key: Text::parse(key).expect("valid key"),
        value: serde_json::json!(true),
        description: None,
        updated_at: at(0),
        version: 1,
    }
}

fn posting(tx: TransactionId, account: LedgerAccount, amount: &str) -> LedgerPosting {
    LedgerPosting {
        id: PostingId::new(),
        transaction_id: tx,
        account,
        amount: Money::usd(amount).expect("valid amount"),
        created_at: at(0),
    }
}

fn apply(store: &MemStore, changes: &ChangeSet) -> Result<(), Error> {
    block_on(store.apply(changes.clone()))
}

fn insert(store: &MemStore, record: impl Into<Record>) {
    apply(store, ChangeSet::new().insert(record)).expect("insert");
}

fn get_gig(store: &MemStore, id: GigId) -> Gig {
    block_on(store.gigs().get_by_id(id))
        .expect("read")
        .expect("gig exists")
}

fn dump(store: &MemStore) -> Vec<Record> {
    block_on(store.dump()).expect("dump")
}

fn assert_already_exists(result: Result<(), Error>, entity: &str, key: &str) {
    match result {
        Err(Error::AlreadyExists { entity: e, key: k }) => {
            assert_eq!((e, k.as_str()), (entity, key));
        }
        other => panic!("expected AlreadyExists {{ {entity}, {key} }}, got {other:?}"),
    }
}

fn assert_conflict(result: Result<(), Error>) {
    assert!(
        matches!(result, Err(Error::Conflict { .. })),
        "expected Conflict, got {result:?}"
    );
}

fn assert_not_found(result: Result<(), Error>) {
    assert!(
        matches!(result, Err(Error::NotFound { .. })),
        "expected NotFound, got {result:?}"
    );
}

#[test]
fn table_positions_match_their_discriminants() {
    for (position, table) in Table::ALL.iter().enumerate() {
        assert_eq!(*table as usize, position, "{table:?}");
    }
}

#[test]
fn a_refused_change_set_changes_nothing() {
    let store = MemStore::new();
    let ada = user("ada@example.com");
    let reel = gig("reel", "Reels", "Short reels");
    insert(&store, ada.clone());
    insert(&store, reel.clone());
    let before = dump(&store);

    let mut renamed = reel.clone();
    renamed.title = Text::parse("Renamed").expect("valid");
    let mut changes = ChangeSet::new();
    changes
        .insert(user("bob@example.com"))
        .update(&renamed)
        .count(Counter::GigViews(reel.id), 3)
        .delete(&ada)
        .insert(setting("maintenance"));
    // The last write read the gig at a version that is no longer current.
    changes.writes.push(Write::Check {
        table: Table::Gigs,
        key: RowKey::Id(reel.id.as_uuid()),
        expected_version: reel.version,
    });
    assert_conflict(apply(&store, &changes));

    assert_eq!(dump(&store), before);
    store.read().assert_consistent();
    // The released email and the bob row never happened.
    assert_already_exists(
        apply(&store, ChangeSet::new().insert(user("ada@example.com"))),
        "users",
        "users_email",
    );
    assert_eq!(
        block_on(store.users().get_by_email("bob@example.com")).expect("read"),
        None
    );
}

#[test]
fn writes_apply_in_order_and_see_each_other() {
    let store = MemStore::new();
    let reel = gig("reel", "Reels", "Short reels");
    let mut later = reel.clone();
    later.version = 2;
    later.title = Text::parse("Second").expect("valid");
    let mut changes = ChangeSet::new();
    changes
        .insert(reel.clone())
        .count(Counter::GigViews(reel.id), 2)
        .update(&reel)
        .check(&later)
        .count(Counter::GigViews(reel.id), 3);
    apply(&store, &changes).expect("insert, count, update, check, count");
    let stored = get_gig(&store, reel.id);
    assert_eq!((stored.version, stored.view_count), (2, 5));
    store.read().assert_consistent();
}

#[test]
fn unique_keys_are_enforced_on_insert() {
    let store = MemStore::new();
    let ada = user("ada@example.com");
    insert(&store, ada.clone());

    assert_already_exists(
        apply(&store, ChangeSet::new().insert(ada.clone())),
        "users",
        "id",
    );
    assert_already_exists(
        apply(&store, ChangeSet::new().insert(user("ada@example.com"))),
        "users",
        "users_email",
    );
    // Against a row inserted earlier in the same change set.
    let mut changes = ChangeSet::new();
    changes
        .insert(user("bob@example.com"))
        .insert(user("bob@example.com"));
    assert_already_exists(apply(&store, &changes), "users", "users_email");
    assert_already_exists(
        apply(
            &store,
            ChangeSet::new().insert(setting("a")).insert(setting("a")),
        ),
        "platform_settings",
        "key",
    );
    assert_eq!(dump(&store).len(), 1);
}

#[test]
fn unique_keys_are_enforced_on_update_and_released_by_it() {
    let store = MemStore::new();
    let ada = user("ada@example.com");
    let bob = user("bob@example.com");
    insert(&store, ada.clone());
    insert(&store, bob.clone());

    let mut stolen = bob.clone();
    stolen.email = ada.email.clone();
    assert_already_exists(
        apply(&store, ChangeSet::new().update(&stolen)),
        "users",
        "users_email",
    );

    // Keeping its own key is no collision.
    let mut verified = ada.clone();
    verified.email_verified = true;
    apply(&store, ChangeSet::new().update(&verified)).expect("same email");

    // Swapping two emails in one change set: each write sees the keys the
    // previous ones released.
    let ada = block_on(store.users().get_by_id(ada.id))
        .expect("read")
        .expect("ada");
    let mut ada_tmp = ada.clone();
    ada_tmp.email = Email::parse("tmp@example.com").expect("valid");
    let mut ada_tmp_read = ada_tmp.clone();
    ada_tmp_read.version += 1;
    let mut ada_final = ada_tmp_read.clone();
    ada_final.email = bob.email.clone();
    let mut bob_final = bob.clone();
    bob_final.email = ada.email.clone();
    let mut changes = ChangeSet::new();
    changes
        .update(&ada_tmp)
        .update(&bob_final)
        .update(&ada_final);
    apply(&store, &changes).expect("swap");

    let by_email = |email: &str| {
        block_on(store.users().get_by_email(email))
            .expect("read")
            .map(|u| u.id)
    };
    assert_eq!(by_email("ada@example.com"), Some(bob.id));
    assert_eq!(by_email("bob@example.com"), Some(ada.id));
    assert_eq!(by_email("tmp@example.com"), None);
    store.read().assert_consistent();
}

#[test]
fn stale_versions_conflict_and_missing_rows_are_not_found() {
    let store = MemStore::new();
    let ada = user("ada@example.com");
    insert(&store, ada.clone());
    let mut first = ada.clone();
    first.login_count = 1;
    apply(&store, ChangeSet::new().update(&first)).expect("first update");

    let mut second = ada.clone();
    second.login_count = 2;
    assert_conflict(apply(&store, ChangeSet::new().update(&second)));

    assert_not_found(apply(
        &store,
        ChangeSet::new().update(&user("new@example.com")),
    ));

    // An update must move the version forward by exactly one.
    let mut current = block_on(store.users().get_by_id(ada.id))
        .expect("read")
        .expect("ada");
    current.version += 5;
    let mut changes = ChangeSet::new();
    changes.writes.push(Write::Update {
        record: Box::new(current.into()),
        expected_version: 2,
        before: None,
    });
    assert!(matches!(
        apply(&store, &changes),
        Err(Error::Validation { .. })
    ));
    let stored = block_on(store.users().get_by_id(ada.id))
        .expect("read")
        .expect("ada");
    assert_eq!((stored.version, stored.login_count), (2, 1));
}

#[test]
fn counters_survive_a_versioned_update_from_an_older_read() {
    let store = MemStore::new();
    let reel = gig("reel", "Reels", "Short reels");
    insert(&store, reel.clone());
    let read = get_gig(&store, reel.id);

    apply(
        &store,
        ChangeSet::new().count(Counter::GigViews(reel.id), 5),
    )
    .expect("count");
    apply(
        &store,
        ChangeSet::new().count(Counter::GigFavorites(reel.id), 1),
    )
    .expect("count");
    // Counters do not bump the version: the update read before them is
    // still current, and must not overwrite them with its stale zeros.
    let mut paused = read.clone();
    paused.status = GigStatus::Paused;
    apply(&store, ChangeSet::new().update(&paused)).expect("update");

    let stored = get_gig(&store, reel.id);
    assert_eq!(stored.status, GigStatus::Paused);
    assert_eq!(
        (stored.view_count, stored.favorite_count, stored.version),
        (5, 1, 2)
    );

    // Counters never go below zero, and a missing row is not found.
    apply(
        &store,
        ChangeSet::new().count(Counter::GigViews(reel.id), -50),
    )
    .expect("count");
    assert_eq!(get_gig(&store, reel.id).view_count, 0);
    assert_not_found(apply(
        &store,
        ChangeSet::new().count(Counter::GigViews(GigId::new()), 1),
    ));
}

#[test]
fn checks_refuse_moved_and_deleted_rows() {
    let store = MemStore::new();
    let ada = user("ada@example.com");
    insert(&store, ada.clone());
    apply(&store, ChangeSet::new().check(&ada)).expect("unchanged");

    let mut moved = ada.clone();
    moved.login_count = 1;
    apply(&store, ChangeSet::new().update(&moved)).expect("update");
    assert_conflict(apply(&store, ChangeSet::new().check(&ada)));

    let current = block_on(store.users().get_by_id(ada.id))
        .expect("read")
        .expect("ada");
    apply(&store, ChangeSet::new().delete(&current)).expect("delete");
    assert_conflict(apply(&store, ChangeSet::new().check(&current)));
}

#[test]
fn deletes_check_versions_and_release_unique_keys() {
    let store = MemStore::new();
    let ada = user("ada@example.com");
    let ada_session = session(&ada, "hash-1");
    insert(&store, ada.clone());
    insert(&store, ada_session.clone());

    let mut stale = ada.clone();
    stale.version = 0;
    assert_conflict(apply(&store, ChangeSet::new().delete(&stale)));
    apply(&store, ChangeSet::new().delete(&ada)).expect("delete");
    assert_not_found(apply(&store, ChangeSet::new().delete(&ada)));
    assert_eq!(
        block_on(store.users().get_by_id(ada.id)).expect("read"),
        None
    );
    insert(&store, user("ada@example.com"));

    // Without an expected version, any version is deleted.
    let mut unversioned = ChangeSet::new();
    unversioned.writes.push(Write::Delete {
        table: Table::UserSessions,
        key: RowKey::Id(ada_session.id.as_uuid()),
        expected_version: None,
    });
    apply(&store, &unversioned).expect("delete session");
    assert_eq!(
        block_on(store.sessions().get_by_token_hash("hash-1")).expect("read"),
        None
    );
    assert!(
        block_on(store.sessions().list_by_user_id(ada.id))
            .expect("read")
            .is_empty()
    );
    store.read().assert_consistent();
}

#[test]
fn dump_orders_rows_by_table_then_key() {
    let store = MemStore::new();
    insert(&store, setting("zeta"));
    insert(&store, gig("b", "B", "b"));
    for n in 0..5 {
        insert(&store, user(&format!("user{n}@example.com")));
    }
    insert(&store, gig("a", "A", "a"));
    insert(&store, setting("alpha"));

    let rows = dump(&store);
    assert_eq!(rows.len(), 9);
    let keys: Vec<(Table, RowKey)> = rows.iter().map(|r| (r.table(), r.row_key())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].0, Table::Users);
    assert_eq!(
        keys[8],
        (Table::PlatformSettings, RowKey::Name("zeta".into()))
    );
}

#[test]
fn unbalanced_postings_are_refused() {
    let store = MemStore::new();
    let tx = TransactionId::new();
    let client = LedgerAccount::External(UserId::new());
    let mut changes = ChangeSet::new();
    changes
        .insert(posting(tx, client, "-10.00"))
        .insert(posting(tx, LedgerAccount::PlatformRevenue, "9.99"));
    assert!(matches!(apply(&store, &changes), Err(Error::Rule { .. })));
    assert!(dump(&store).is_empty());

    let mut changes = ChangeSet::new();
    changes
        .insert(posting(tx, client, "-10.00"))
        .insert(posting(tx, LedgerAccount::PlatformRevenue, "10.00"));
    apply(&store, &changes).expect("balanced");
    let by_account = block_on(
        store
            .ledger()
            .list_postings_by_account(LedgerAccount::PlatformRevenue),
    )
    .expect("read");
    assert_eq!(by_account.len(), 1);
    assert_eq!(
        block_on(store.ledger().list_postings_by_transaction_id(tx))
            .expect("read")
            .len(),
        2
    );
}

#[test]
fn indexes_follow_updates() {
    let store = MemStore::new();
    let editing = gig(
        "color-grading",
        "Color grading for reels",
        "Cinematic looks",
    );
    let mut tagged = gig("ugc-ads", "UGC ads", "Authentic reels for your brand");
    tagged.search_tags = Some(vec!["Grading".into()]);
    tagged.published_at = Some(at(10));
    insert(&store, editing.clone());
    insert(&store, tagged.clone());

    let search = |text: Option<&str>| -> Vec<GigId> {
        let query = GigQuery {
            text: text.map(str::to_string),
            page: Page::first(),
            ..GigQuery::default()
        };
        block_on(store.gigs().search(&query))
            .expect("search")
            .into_iter()
            .map(|g| g.id)
            .collect()
    };
    // Newest published first without text; title hits first with text.
    assert_eq!(search(None), vec![tagged.id, editing.id]);
    assert_eq!(search(Some("REELS grading")), vec![editing.id, tagged.id]);
    assert_eq!(search(Some("grading brand")), vec![tagged.id]);

    let mut paused = editing.clone();
    paused.status = GigStatus::Paused;
    apply(&store, ChangeSet::new().update(&paused)).expect("pause");
    assert_eq!(search(None), vec![tagged.id]);
    let slug = block_on(store.gigs().get_by_slug("color-grading")).expect("read");
    assert_eq!(slug.map(|g| g.status), Some(GigStatus::Paused));
    store.read().assert_consistent();
}

#[test]
fn debug_shows_table_sizes_not_rows() {
    let store = MemStore::new();
    insert(&store, user("secret@example.com"));
    let printed = format!("{store:?}");
    assert_eq!(printed, "MemStore { users: 1 }");
}

#[test]
fn concurrent_counters_and_versioned_updates_are_exact() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 1_000;

    let store = Arc::new(MemStore::new());
    let reel = gig("reel", "Reels", "Short reels");
    insert(&store, reel.clone());

    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = Arc::clone(&store);
            thread::spawn(move || {
                let mut retries = 0_u64;
                for _ in 0..ROUNDS {
                    block_on(
                        store.apply(
                            ChangeSet::new()
                                .count(Counter::GigViews(reel.id), 1)
                                .clone(),
                        ),
                    )
                    .expect("counting never conflicts");
                    // Read, modify, write; start again when another thread won.
                    loop {
                        let mut current = get_gig(&store, reel.id);
                        current.basic_revisions += 1;
                        let mut changes = ChangeSet::new();
                        changes
                            .update(&current)
                            .count(Counter::GigOrders(reel.id), 1);
                        match block_on(store.apply(changes)) {
                            Ok(()) => break,
                            Err(e) if e.is_retryable() => retries += 1,
                            Err(e) => panic!("unexpected error: {e}"),
                        }
                    }
                }
                retries
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker finished");
    }

    let total = (THREADS * ROUNDS) as i32;
    let stored = get_gig(&store, reel.id);
    assert_eq!(stored.view_count, total);
    assert_eq!(stored.order_count, total);
    assert_eq!(stored.basic_revisions, 1 + total, "no update was lost");
    assert_eq!(stored.version, 1 + i64::from(total));
    store.read().assert_consistent();
}

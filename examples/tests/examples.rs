//! The example programs run to the end, and the generator is reproducible.

use std::process::Command;
use std::sync::Arc;

use reelbyte_core::store::{GigQuery, Store};
use reelbyte_examples::generator::{Scale, generate};
use reelbyte_memory::MemStore;

#[test]
fn the_walkthrough_tells_the_whole_story_and_balances() {
    let output = Command::new(env!("CARGO_BIN_EXE_walkthrough"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the walkthrough");
    let transcript = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{transcript}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "1. Three people sign up.",
        "Alice asked for one revision",
        "escrow: total 850.00 USD = held 550.00 USD + released 300.00 USD",
        "Alice tips Cam 40.00",
        "refused: escrow_frozen",
        "400.00 to Cam, 150.00 back to Alice",
        "every transaction sums to zero per currency",
    ] {
        assert!(
            transcript.contains(step),
            "missing {step:?} in:\n{transcript}"
        );
    }
}

async fn generated(seed: u64) -> (Arc<dyn Store>, reelbyte_examples::generator::Generated) {
    let store: Arc<dyn Store> = Arc::new(MemStore::new());
    let generated = generate(&store, Scale::SMALL, seed, 250, &|_, _, _| {})
        .await
        .expect("generate");
    (store, generated)
}

#[tokio::test]
async fn the_generator_fills_every_section_and_is_reproducible() {
    let (store, g) = generated(7).await;
    assert_eq!(g.creators.len(), Scale::SMALL.creators);
    assert_eq!(g.clients.len(), Scale::SMALL.clients);
    assert_eq!(g.gigs.len(), Scale::SMALL.gigs);
    assert_eq!(g.jobs.len(), Scale::SMALL.jobs);
    assert_eq!(g.messages, Scale::SMALL.messages);
    let found = store
        .gigs()
        .search(&GigQuery {
            text: Some("video".into()),
            ..GigQuery::default()
        })
        .await
        .expect("search");
    assert!(!found.is_empty(), "generated gigs are searchable");

    let (again, _) = generated(7).await;
    let a = serde_json::to_string(&store.dump().await.expect("dump")).expect("json");
    let b = serde_json::to_string(&again.dump().await.expect("dump")).expect("json");
    assert_eq!(a, b, "the same seed gives the same rows");
    let (other, _) = generated(8).await;
    let c = serde_json::to_string(&other.dump().await.expect("dump")).expect("json");
    assert_ne!(a, c);
}

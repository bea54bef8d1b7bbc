//! Keeps `docs/state-machines.md` in step with the transition tables: the
//! document is generated, and this test fails when it was not regenerated
//! after a table changed.

use std::path::Path;

use reelbyte_core::state::{REGENERATE_DIAGRAMS_COMMAND, state_machines_markdown};

#[test]
fn docs_state_machines_md_matches_the_tables() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/state-machines.md");
    let committed = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => panic!(
            "cannot read {}: {err}; generate it with `{REGENERATE_DIAGRAMS_COMMAND}`",
            path.display()
        ),
    };
    // A checkout with CRLF line endings holds the same document.
    let committed = committed.replace("\r\n", "\n");
    assert!(
        committed == state_machines_markdown(),
        "docs/state-machines.md is out of date; regenerate with `{REGENERATE_DIAGRAMS_COMMAND}`"
    );
}

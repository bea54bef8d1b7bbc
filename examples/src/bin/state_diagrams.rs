//! Prints every ReelByte state machine as a Markdown document of Mermaid
//! diagrams, drawn from the same transition tables the service enforces.
//!
//! ```text
//! cargo run -p reelbyte-examples --bin state-diagrams > docs/state-machines.md
//! ```

fn main() {
    print!("{}", reelbyte_core::state::state_machines_markdown());
}

//! Compiles the PostgreSQL suite only when a server is configured.
//!
//! `tests/pg.rs` stamps the conformance suite against PostgreSQL when
//! `REELBYTE_TEST_PG_URL` is set for the build (and reads the URL again at
//! run time); without it, the file holds one test that prints a skip line,
//! and fails when `REELBYTE_TEST_INTEGRATION=1` demands the server.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(reelbyte_pg_tests)");
    println!("cargo::rerun-if-env-changed=REELBYTE_TEST_PG_URL");
    if std::env::var_os("REELBYTE_TEST_PG_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=reelbyte_pg_tests");
    }
}

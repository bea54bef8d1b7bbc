//! PostgreSQL backend for ReelByte.
//!
//! This crate is reserved in the workspace layout for the PostgreSQL
//! implementation of `reelbyte_core::store::Store` (sqlx, the plan's schema
//! as migrations, row-level security, search). It exposes nothing yet; the
//! in-memory backend, `reelbyte-memory`, implements every storage trait today.
#![deny(missing_docs)]

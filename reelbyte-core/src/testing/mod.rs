//! The backend conformance suite, for adapter authors.
//!
//! Every behaviour is a plain `pub async fn(&StoreFactory)` that builds a
//! clean store, drives the [`Marketplace`](crate::Marketplace) through it and asserts what
//! happened. [`conformance_suite!`](crate::conformance_suite) stamps each
//! into its own `#[tokio::test]`, so a failure names the behaviour and the
//! backend:
//!
//! ```ignore
//! reelbyte_core::conformance_suite!(|| async { my_backend::MyStore::fresh().await });
//! ```
//!
//! After every refused command the suite checks that the store is exactly as
//! it was ([`TestEnv::refused`]), and [`invariants::check_all`] verifies the
//! money and derived-figure invariants after every scenario.

pub mod accounts;
pub mod community;
pub mod concurrency;
pub mod contracts;
pub mod gigs;
mod harness;
pub mod invariants;
pub mod jobs;
pub mod model;
pub mod operations;
pub mod payments;
pub mod profiles;
pub mod reviews;

pub use harness::*;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::store::Store;

/// A boxed future, as returned by a [`StoreFactory`].
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Builds a clean, empty store for one test.
pub type StoreFactory = dyn Fn() -> BoxFuture<Arc<dyn Store>> + Send + Sync;

/// Wraps an async closure returning a store into a [`StoreFactory`].
pub fn factory<F, Fut>(make: F) -> Box<StoreFactory>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Arc<dyn Store>> + Send + 'static,
{
    Box::new(move || Box::pin(make()))
}

/// Stamps one area's behaviours into `#[tokio::test]`s inside `mod $module`.
#[doc(hidden)]
#[macro_export]
macro_rules! stamp_conformance_tests {
    ($factory:expr, $module:ident; $($test:ident),* $(,)?) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let factory = $crate::testing::factory($factory);
                    $crate::testing::$module::$test(&*factory).await;
                }
            )*
        }
    };
}

/// Stamps the whole conformance suite for a backend: one `#[tokio::test]`
/// per behaviour, grouped in a module per area. `$factory` is a closure
/// returning a future of a clean `Arc<dyn Store>`; the calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! conformance_suite {
    ($factory:expr) => {
        $crate::conformance_area_accounts!($factory);
        $crate::conformance_area_profiles!($factory);
        $crate::conformance_area_gigs!($factory);
        $crate::conformance_area_jobs!($factory);
        $crate::conformance_area_contracts!($factory);
        $crate::conformance_area_payments!($factory);
        $crate::conformance_area_reviews!($factory);
        $crate::conformance_area_community!($factory);
        $crate::conformance_area_operations!($factory);
        $crate::conformance_area_concurrency!($factory);
    };
}

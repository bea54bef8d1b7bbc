//! Conformance behaviours: accounts.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_accounts {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, accounts;);
    };
}

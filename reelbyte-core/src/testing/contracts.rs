//! Conformance behaviours: contracts.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_contracts {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, contracts;);
    };
}

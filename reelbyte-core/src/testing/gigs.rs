//! Conformance behaviours: gigs.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_gigs {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, gigs;);
    };
}

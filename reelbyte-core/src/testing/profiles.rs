//! Conformance behaviours: profiles.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_profiles {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, profiles;);
    };
}

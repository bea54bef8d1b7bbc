//! Conformance behaviours: reviews.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_reviews {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, reviews;);
    };
}

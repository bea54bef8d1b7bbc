//! Conformance behaviours: jobs.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_jobs {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, jobs;);
    };
}

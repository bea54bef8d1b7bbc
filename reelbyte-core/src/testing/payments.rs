//! Conformance behaviours: payments.

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_payments {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, payments;);
    };
}

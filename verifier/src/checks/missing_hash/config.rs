//! `[pinning.missing-hash]`: the common block only (default severity `high`).

crate::checks::common::check_options! {
    /// `missing-hash` has no keys of its own.
    pub struct Options {}
}

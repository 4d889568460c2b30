//! `[sources.tarball-mismatch]`: the common block only (default severity `high`).

crate::checks::common::check_options! {
    /// `tarball-mismatch` has no keys of its own.
    pub struct Options {}
}

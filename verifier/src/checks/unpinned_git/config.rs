//! `[pinning.unpinned-git]`: the common block only (default severity `high`).

crate::checks::common::check_options! {
    /// `unpinned-git` has no keys of its own.
    pub struct Options {}
}

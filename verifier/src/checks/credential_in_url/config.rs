//! `[sources.credential-in-url]`: the common block only (default severity `critical`).

crate::checks::common::check_options! {
    /// `credential-in-url` has no keys of its own.
    pub struct Options {}
}

//! `[lockfile.inconsistent]`: the common block only (default severity `high`, which blocks under
//! the default `fail-on`). Its `ignore` names the package that declares the dependency, not the
//! dependency.

crate::checks::common::check_options! {
    /// `inconsistent` has no keys of its own.
    pub struct Options {}
}

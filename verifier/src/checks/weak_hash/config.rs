//! `[pinning.weak-hash]` (default severity `medium`).

crate::checks::common::check_options! {
    /// Options of the `weak-hash` check.
    pub struct Options {
        /// Accept sha1-only integrity (default `false`). md5 and malformed strings are never
        /// accepted.
        pub accept_sha1: bool = false,
    }
}

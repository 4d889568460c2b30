//! `[sources.path-outside-repo]` (default severity `medium`).

crate::checks::common::check_options! {
    /// Options of the `path-outside-repo` check.
    pub struct Options {
        /// Directories outside the repository that are allowed anyway (absolute, or relative to
        /// the repository root).
        pub allow: Vec<String> = Vec::new(),
    }
}

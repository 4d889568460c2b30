//! `[sources.insecure-url]` (default severity `high`).

crate::checks::common::check_options! {
    /// Options of the `insecure-url` check.
    pub struct Options {
        /// Hosts where plain-text transport is accepted (e.g. `localhost`, an air-gapped mirror).
        pub allow_hosts: Vec<String> = Vec::new(),
    }
}

//! `[drift]` (default severity `high`; it needs the manifests, see `Manifests::load`).

crate::checks::common::check_options! {
    /// Options of the `lock-drift` check.
    pub struct Options {
        /// Deep mode: also ask `cargo metadata --locked --offline` when cargo is on PATH (default
        /// `false`: the built-in manifest comparison is authoritative; cargo costs a process start
        /// and a resolution, several times the rest of `check`).
        pub use_cargo: bool = false,
    }
}

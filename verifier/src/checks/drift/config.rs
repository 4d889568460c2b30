//! `[drift]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `lock-drift` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`; it needs the manifests, see `Manifests::load`).
    pub enabled: bool,
    /// Severity of its findings (default: `high`).
    pub severity: Option<Severity>,
    /// Deep mode: also ask `cargo metadata --locked --offline` when cargo is on PATH (default
    /// `false`: the built-in manifest comparison is authoritative; cargo costs a process start
    /// and a resolution, several times the rest of `check`).
    pub use_cargo: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            use_cargo: false,
        }
    }
}

//! `[sources.credential-in-url]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `credential-in-url` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: `critical`).
    pub severity: Option<Severity>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
        }
    }
}

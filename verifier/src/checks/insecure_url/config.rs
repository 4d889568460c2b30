//! `[sources.insecure-url]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `insecure-url` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: `high`).
    pub severity: Option<Severity>,
    /// Hosts where plain-text transport is accepted (e.g. `localhost`, an air-gapped mirror).
    pub allow_hosts: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            allow_hosts: Vec::new(),
        }
    }
}

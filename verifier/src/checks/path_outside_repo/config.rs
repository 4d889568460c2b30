//! `[sources.path-outside-repo]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `path-outside-repo` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: `medium`).
    pub severity: Option<Severity>,
    /// Directories outside the repository that are allowed anyway (absolute, or relative to the
    /// repository root).
    pub allow: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            allow: Vec::new(),
        }
    }
}

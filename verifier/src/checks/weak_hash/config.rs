//! `[pinning.weak-hash]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `weak-hash` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: `medium`).
    pub severity: Option<Severity>,
    /// Accept sha1-only integrity (default `false`). md5 and malformed strings are never accepted.
    pub accept_sha1: bool,
    /// Packages exempted (`name`, `name@version`, `*` globs).
    pub ignore: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            accept_sha1: false,
            ignore: Vec::new(),
        }
    }
}

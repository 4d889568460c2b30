//! `[lockfile.inconsistent]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `inconsistent` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: `high`, which blocks under the default `fail-on`).
    pub severity: Option<Severity>,
    /// Packages exempted (`name`, `name@version`, `*` globs): the package that declares the
    /// dependency, not the dependency.
    pub ignore: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            ignore: Vec::new(),
        }
    }
}

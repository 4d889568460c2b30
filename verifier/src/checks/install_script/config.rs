//! `[pinning.install-script]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `install-script` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of findings for packages on no list (default: `low`).
    pub severity: Option<Severity>,
    /// Packages whose install scripts are expected (`name`, `name@version`, `*` globs): not reported.
    pub allow: Vec<String>,
    /// Packages whose install scripts are forbidden: reported with `deny-severity`. `deny` wins
    /// over `allow`.
    pub deny: Vec<String>,
    /// Severity of findings for denied packages (default: `high`).
    pub deny_severity: Severity,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            allow: Vec::new(),
            deny: Vec::new(),
            deny_severity: Severity::High,
        }
    }
}

//! `[sources.unknown-source]`. The allowed registries themselves live in `[registries]`.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Configuration of the `unknown-source` check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: `high`).
    pub severity: Option<Severity>,
    /// Also check git sources against `allow-git` (default `false`: git sources are governed by
    /// `unpinned-git` only).
    pub check_git: bool,
    /// Allowed git repositories: globs over `host/path` (`github.com/my-org/*`).
    pub allow_git: Vec<String>,
    /// Allowed non-registry URLs (npm tarballs, Cargo `directory+`/`local-registry+` sources):
    /// globs over `host/path` or the raw source.
    pub allow_urls: Vec<String>,
    /// Internal packages (`@corp/*`, `corp-*`): must resolve from `internal-registries` (or
    /// their scope's registry in `[registries.scopes]`). Resolving one from anywhere else, the
    /// public registry included, is dependency confusion.
    pub internal: Vec<String>,
    /// Registries that host the internal packages (allowed for every package when
    /// `internal-mirrors-public` is true, else for internal packages only).
    pub internal_registries: Vec<String>,
    /// The internal registries also proxy the public registry (default `false`: a public package
    /// resolved from an internal registry is reported, the reverse confusion).
    pub internal_mirrors_public: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            severity: None,
            check_git: false,
            allow_git: Vec::new(),
            allow_urls: Vec::new(),
            internal: Vec::new(),
            internal_registries: Vec::new(),
            internal_mirrors_public: false,
        }
    }
}

//! Checks: pure functions from the graph (plus loaded data and check config) to findings.
//!
//! Every check lives in its own folder (`<name>/{mod,config}.rs`) and has the shape
//! `fn run(cx: &CheckCx, out: &mut Vec<Finding>)`: no clock, no network, no stdout. The data a
//! check needs beyond the graph (manifests for drift) is loaded *before* checks run and handed in
//! through [`CheckCx`].
//!
//! Config sections in `tollgate.toml` (the lead's `policy::Config` embeds [`ChecksConfig`]):
//! `[pinning.*]` (missing-hash, weak-hash, unpinned-git, install-script), `[sources.*]`
//! (insecure-url, unknown-source, credential-in-url, path-outside-repo), `[registries]` and
//! `[drift]`, `[lockfile.*]` (inconsistent).

pub mod credential_in_url;
pub mod drift;
pub mod inconsistent;
pub mod insecure_url;
pub mod install_script;
pub mod missing_hash;
pub mod path_outside_repo;
pub mod registry;
pub mod unknown_source;
pub mod unpinned_git;
pub mod weak_hash;

mod support;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::graph::Graph;

pub use support::{glob_match, package_matches};
pub(crate) use support::{normalize_registry, npm_registry_base};

/// `[pinning]`: how packages must be pinned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PinningConfig {
    /// `[pinning.missing-hash]`.
    pub missing_hash: missing_hash::Config,
    /// `[pinning.weak-hash]`.
    pub weak_hash: weak_hash::Config,
    /// `[pinning.unpinned-git]`.
    pub unpinned_git: unpinned_git::Config,
    /// `[pinning.install-script]`.
    pub install_script: install_script::Config,
}

/// `[lockfile]`: whether the lockfile is whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct LockfileConfig {
    /// `[lockfile.inconsistent]`.
    pub inconsistent: inconsistent::Config,
}

/// `[sources]`: where packages may come from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct SourcesConfig {
    /// `[sources.insecure-url]`.
    pub insecure_url: insecure_url::Config,
    /// `[sources.unknown-source]`.
    pub unknown_source: unknown_source::Config,
    /// `[sources.credential-in-url]`.
    pub credential_in_url: credential_in_url::Config,
    /// `[sources.path-outside-repo]`.
    pub path_outside_repo: path_outside_repo::Config,
}

/// `[registries]`: the registries packages may come from (and that `--verify-registry` asks).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RegistriesConfig {
    /// Allow each ecosystem's public registry (crates.io's git and sparse index,
    /// `registry.npmjs.org`). Default `true`.
    pub public: bool,
    /// Further allowed npm registries (base URLs, e.g. `https://npm.corp.example/`).
    pub npm: Vec<String>,
    /// Further allowed Cargo registries (index URLs as the lockfile writes them, with or without
    /// the `registry+` / `sparse+` prefix).
    pub cargo: Vec<String>,
    /// npm scoped registries (`"@corp" = "https://npm.corp.example/"`), as in `.npmrc`
    /// (`@corp:registry=…`). A package of such a scope must resolve from its registry
    /// (dependency confusion); the registry is allowed for that scope.
    pub scopes: std::collections::BTreeMap<String, String>,
    // --- where `--verify-registry` / `--verify-artifacts` fetch from (see crate::registry) ---
    /// The npm registry asked for unscoped packages (and scopes without a registry of their
    /// own). Beats `.npmrc`'s `registry=` and the lockfile's `resolved` URLs; the
    /// `--registry-url-npm` flag beats it.
    pub npm_url: Option<String>,
    /// The sparse index asked for crates.io packages (default `https://index.crates.io/`); the
    /// `--registry-url-cargo` flag beats it.
    pub cargo_url: Option<String>,
    /// Mirrors: a registry as the lockfile names it → where to fetch it instead
    /// (`"https://registry.npmjs.org/" = "https://npm.mirror.example/"`,
    /// `"registry+https://git.corp/index" = "sparse+https://cargo.corp/index/"`).
    pub mirrors: std::collections::BTreeMap<String, String>,
    /// HTTP cache directory (default: the user cache directory, `tollgate/registry`).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Local artifact caches read before downloading: plain directories of `.crate` / `.tgz`
    /// files, Cargo's `~/.cargo/registry/cache`, npm's `~/.npm/_cacache`.
    pub artifact_caches: Vec<std::path::PathBuf>,
    /// `[registries.http]`: concurrency, timeouts, retries, size caps, redirects.
    pub http: crate::registry::HttpConfig,
}

impl Default for RegistriesConfig {
    fn default() -> Self {
        RegistriesConfig {
            public: true,
            npm: Vec::new(),
            cargo: Vec::new(),
            scopes: Default::default(),
            npm_url: None,
            cargo_url: None,
            mirrors: Default::default(),
            cache_dir: None,
            artifact_caches: Vec::new(),
            http: Default::default(),
        }
    }
}

/// The public registries allowed by default.
pub mod public {
    /// crates.io's git index, as `Cargo.lock` names it (without `registry+`).
    pub const CRATES_IO_GIT: &str = "https://github.com/rust-lang/crates.io-index";
    /// crates.io's sparse index, as `Cargo.lock` names it (without `sparse+`).
    pub const CRATES_IO_SPARSE: &str = "https://index.crates.io/";
    /// The public npm registry.
    pub const NPM: &str = "https://registry.npmjs.org/";
}

/// Configuration of every offline check, as embedded in `tollgate.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ChecksConfig {
    /// `[pinning]`.
    pub pinning: PinningConfig,
    /// `[sources]`.
    pub sources: SourcesConfig,
    /// `[registries]`.
    pub registries: RegistriesConfig,
    /// `[drift]`.
    pub drift: drift::Config,
    /// `[lockfile]`.
    pub lockfile: LockfileConfig,
}

/// Everything a check may look at.
#[derive(Debug, Clone, Copy)]
pub struct CheckCx<'a> {
    /// The dependency graph.
    pub graph: &'a Graph,
    /// The repository root: `path-outside-repo` measures against it.
    pub repo_root: &'a Path,
    /// Check configuration.
    pub config: &'a ChecksConfig,
    /// Manifests loaded for drift (`None`: the drift check is skipped; see
    /// [`drift::Manifests::load`]).
    pub manifests: Option<&'a drift::Manifests>,
}

impl<'a> CheckCx<'a> {
    /// A context without manifests (drift is skipped).
    pub fn new(graph: &'a Graph, repo_root: &'a Path, config: &'a ChecksConfig) -> Self {
        CheckCx {
            graph,
            repo_root,
            config,
            manifests: None,
        }
    }
}

/// Runs every offline check and returns the findings in a deterministic order. Secrets are
/// redacted from every string field of every finding.
pub fn run_checks(cx: &CheckCx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    missing_hash::run(cx, &mut out);
    weak_hash::run(cx, &mut out);
    unpinned_git::run(cx, &mut out);
    install_script::run(cx, &mut out);
    insecure_url::run(cx, &mut out);
    unknown_source::run(cx, &mut out);
    credential_in_url::run(cx, &mut out);
    path_outside_repo::run(cx, &mut out);
    drift::run(cx, &mut out);
    inconsistent::run(cx, &mut out);
    for f in &mut out {
        support::scrub(f);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

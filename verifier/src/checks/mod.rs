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

pub use crate::registry::config::{RegistriesConfig, public};

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

impl From<&ChecksConfig> for crate::manifests::Wanted {
    fn from(c: &ChecksConfig) -> Self {
        crate::manifests::Wanted {
            drift: c.drift.enabled,
            use_cargo: c.drift.use_cargo,
            path_outside_repo: c.sources.path_outside_repo.enabled,
        }
    }
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

/// Runs every offline check and returns the findings in a deterministic order. (The gate redacts
/// secrets from every finding of every stage afterwards: `redact::scrub_finding`.)
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
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

//! Checks: pure functions from the graph (plus loaded data and check config) to findings.
//!
//! Every check lives in its own folder (`<name>/{mod,config}.rs`) and has the shape
//! `fn run(cx: &CheckCx, cfg: &Config, out: &mut Vec<Finding>)`: it receives its own validated
//! section; no clock, no network, no stdout. The data a check needs beyond the graph (manifests
//! for drift) is loaded *before* checks run and handed in through [`CheckCx`].
//!
//! One table, [`CHECKS`], lists every check (the registry and advisory stages included): its
//! kinds, its config section, its stage and, for offline checks, how to run it and which of its
//! lists are allow lists or mappings. [`run_checks`] iterates it and applies the common block
//! ([`common::CheckSettings`]: `enabled`, `severity`, `ignore`) the same way for every check;
//! [`stale_entries`] reports the config entries that match nothing. A check's config is
//! `CheckConfig<Options>`, its options declared once with `common::check_options!`.
//!
//! Config sections in `tollgate.toml` (the lead's `policy::Config` embeds [`ChecksConfig`]):
//! `[pinning.*]` (missing-hash, weak-hash, unpinned-git, install-script), `[sources.*]`
//! (insecure-url, unknown-source, credential-in-url, path-outside-repo, tarball-mismatch), `[registries]` and
//! `[drift]`, `[lockfile.*]` (inconsistent).

pub mod credential_in_url;
pub mod drift;
pub mod inconsistent;
pub mod insecure_url;
pub mod install_script;
pub mod missing_hash;
pub mod path_outside_repo;
pub mod provenance;
pub mod registry;
pub mod tarball_mismatch;
pub mod unknown_source;
pub mod unpinned_git;
pub mod weak_hash;

pub mod common;
mod support;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{Code, Finding};
use crate::graph::Graph;
pub use crate::report::StaleConfigEntry;

pub use common::{CheckConfig, CheckSettings};
pub use support::{glob_match, name_matches, package_matches};

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
    /// `[sources.tarball-mismatch]`.
    pub tarball_mismatch: tarball_mismatch::Config,
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
            drift: c.drift.settings.enabled,
            use_cargo: c.drift.use_cargo,
            path_outside_repo: c.sources.path_outside_repo.settings.enabled,
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

/// Which stage of the gate runs a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Offline, from the graph and the manifests: [`run_checks`].
    Offline,
    /// Against the registry (`--verify-registry` / `--verify-artifacts`): [`registry::run`].
    Registry,
    /// Against the advisory database: `advisory::match_graph`.
    Advisory,
    /// On what the provenance stage verified (`--verify-provenance`): [`provenance::run`].
    Provenance,
}

/// A list in a check's section whose entries each allow or map something (`allow-hosts`,
/// `[registries.scopes]`, …): an entry whose removal would change no finding of the check is
/// reported as stale (see [`stale_entries`]).
#[derive(Debug, Clone, Copy)]
pub struct ConfigList {
    /// The section holding the list when it is not the check's own (`registries`).
    pub section: Option<&'static str>,
    /// The key (`allow-hosts`).
    pub key: &'static str,
    /// The entries as written (a map's keys).
    pub entries: fn(&ChecksConfig) -> Vec<String>,
    /// Removes the entry of that index.
    pub remove: fn(&mut ChecksConfig, usize),
}

/// One row of [`CHECKS`]: everything the gate, the config and the docs need to know of a check.
#[derive(Debug, Clone, Copy)]
pub struct CheckEntry {
    /// The kinds it reports.
    pub codes: &'static [Code],
    /// Its section in `tollgate.toml`, dotted (`pinning.missing-hash`); `None` when it has none.
    pub section: Option<&'static str>,
    /// The stage that runs it.
    pub stage: Stage,
    /// Its section's common block (`None`: the check has none, its stage is configured elsewhere).
    pub settings: Option<fn(&ChecksConfig) -> &CheckSettings>,
    /// Mutable access to the common block (stale `ignore` detection).
    pub settings_mut: Option<fn(&mut ChecksConfig) -> &mut CheckSettings>,
    /// Runs it with its own config (offline checks; the other stages have their own entry point).
    pub run: Option<fn(&CheckCx<'_>, &mut Vec<Finding>)>,
    /// Its allow lists and mappings, checked for stale entries.
    pub lists: &'static [ConfigList],
}

/// A `Vec<String>` as a [`ConfigList`]: `vec_list!(section, "key", |c| c.path.to.vec)`.
macro_rules! vec_list {
    ($section:expr, $key:literal, |$c:ident| $place:expr) => {
        ConfigList {
            section: $section,
            key: $key,
            entries: |$c: &ChecksConfig| $place.clone(),
            remove: |$c: &mut ChecksConfig, i: usize| {
                $place.remove(i);
            },
        }
    };
}

/// A map's keys as a [`ConfigList`].
macro_rules! map_list {
    ($section:expr, $key:literal, |$c:ident| $place:expr) => {
        ConfigList {
            section: $section,
            key: $key,
            entries: |$c: &ChecksConfig| $place.keys().cloned().collect(),
            remove: |$c: &mut ChecksConfig, i: usize| {
                if let Some(k) = $place.keys().nth(i).cloned() {
                    $place.remove(&k);
                }
            },
        }
    };
}

/// An offline check's row: `offline!(Code, "section", |c| c.path.to.config, module, [lists])`.
macro_rules! offline {
    ($code:ident, $section:literal, |$c:ident| $place:expr, $module:ident, [$($list:expr),* $(,)?]) => {
        CheckEntry {
            codes: &[Code::$code],
            section: Some($section),
            stage: Stage::Offline,
            settings: Some(|$c: &ChecksConfig| &$place.settings),
            settings_mut: Some(|$c: &mut ChecksConfig| &mut $place.settings),
            run: Some(|cx: &CheckCx<'_>, out: &mut Vec<Finding>| {
                let $c = cx.config;
                $module::run(cx, &$place, out)
            }),
            lists: &[$($list),*],
        }
    };
}

/// Every check, in the order their findings are produced. Adding a check is a folder
/// (`<name>/{mod,config}.rs`), a row here (and its section in [`ChecksConfig`]) and a fixture
/// pair under `testdata/checks/<kind>/` (`tests/check_fixtures.rs` holds every offline row to it).
pub static CHECKS: &[CheckEntry] = &[
    offline!(
        MissingHash,
        "pinning.missing-hash",
        |c| c.pinning.missing_hash,
        missing_hash,
        []
    ),
    offline!(
        WeakHash,
        "pinning.weak-hash",
        |c| c.pinning.weak_hash,
        weak_hash,
        []
    ),
    offline!(
        UnpinnedGit,
        "pinning.unpinned-git",
        |c| c.pinning.unpinned_git,
        unpinned_git,
        []
    ),
    offline!(
        InstallScript,
        "pinning.install-script",
        |c| c.pinning.install_script,
        install_script,
        [vec_list!(None, "allow", |c| c.pinning.install_script.allow)]
    ),
    offline!(
        InsecureUrl,
        "sources.insecure-url",
        |c| c.sources.insecure_url,
        insecure_url,
        [vec_list!(None, "allow-hosts", |c| c
            .sources
            .insecure_url
            .allow_hosts)]
    ),
    offline!(
        UnknownSource,
        "sources.unknown-source",
        |c| c.sources.unknown_source,
        unknown_source,
        [
            vec_list!(None, "allow-git", |c| c.sources.unknown_source.allow_git),
            vec_list!(None, "allow-urls", |c| c.sources.unknown_source.allow_urls),
            vec_list!(None, "internal", |c| c.sources.unknown_source.internal),
            vec_list!(None, "internal-registries", |c| c
                .sources
                .unknown_source
                .internal_registries),
            vec_list!(Some("registries"), "npm", |c| c.registries.npm),
            vec_list!(Some("registries"), "cargo", |c| c.registries.cargo),
            map_list!(Some("registries"), "scopes", |c| c.registries.scopes),
        ]
    ),
    offline!(
        CredentialInUrl,
        "sources.credential-in-url",
        |c| c.sources.credential_in_url,
        credential_in_url,
        []
    ),
    offline!(
        PathOutsideRepo,
        "sources.path-outside-repo",
        |c| c.sources.path_outside_repo,
        path_outside_repo,
        [vec_list!(None, "allow", |c| c
            .sources
            .path_outside_repo
            .allow)]
    ),
    offline!(
        TarballMismatch,
        "sources.tarball-mismatch",
        |c| c.sources.tarball_mismatch,
        tarball_mismatch,
        []
    ),
    offline!(LockDrift, "drift", |c| c.drift, drift, []),
    offline!(
        Inconsistent,
        "lockfile.inconsistent",
        |c| c.lockfile.inconsistent,
        inconsistent,
        []
    ),
    CheckEntry {
        codes: &[
            Code::HashMismatch,
            Code::Yanked,
            Code::Deprecated,
            Code::NotFound,
        ],
        section: Some("registries"),
        stage: Stage::Registry,
        settings: None,
        settings_mut: None,
        run: None,
        lists: &[],
    },
    CheckEntry {
        codes: &[
            Code::Vulnerability,
            Code::Unmaintained,
            Code::Unsound,
            Code::Notice,
        ],
        section: Some("advisories"),
        stage: Stage::Advisory,
        settings: None,
        settings_mut: None,
        run: None,
        lists: &[],
    },
    CheckEntry {
        codes: &[
            Code::ProvenanceMissing,
            Code::ProvenanceInvalid,
            Code::ProvenancePolicy,
            Code::SignatureMissing,
            Code::SignatureInvalid,
        ],
        section: Some("provenance"),
        stage: Stage::Provenance,
        settings: None,
        settings_mut: None,
        run: None,
        lists: &[],
    },
];

/// Runs one offline row with its common block applied: nothing when disabled, and no finding
/// about a package its `ignore` matches.
fn run_entry(e: &CheckEntry, cx: &CheckCx<'_>, out: &mut Vec<Finding>) {
    let Some(run) = e.run else {
        return;
    };
    let settings = e.settings.map(|s| s(cx.config));
    if settings.is_some_and(|s| !s.enabled) {
        return;
    }
    let start = out.len();
    run(cx, out);
    if let Some(s) = settings.filter(|s| !s.ignore.is_empty()) {
        let mut i = start;
        while i < out.len() {
            let ignored = out[i]
                .package
                .as_ref()
                .is_some_and(|p| name_matches(&s.ignore, &p.name, &p.version));
            if ignored {
                out.remove(i);
            } else {
                i += 1;
            }
        }
    }
}

/// Runs every offline check of [`CHECKS`] and returns the findings in a deterministic order.
/// (The gate redacts secrets from every finding of every stage afterwards:
/// `redact::scrub_finding`.)
pub fn run_checks(cx: &CheckCx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in CHECKS {
        run_entry(e, cx, &mut out);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

/// What one row reports, as comparable keys.
fn outcome(e: &CheckEntry, cx: &CheckCx<'_>) -> Vec<(String, crate::finding::Severity)> {
    let mut out = Vec::new();
    run_entry(e, cx, &mut out);
    let mut keys: Vec<_> = out.into_iter().map(|f| (f.id, f.severity)).collect();
    keys.sort();
    keys
}

/// Config entries that match nothing, like waivers that match no finding: an `ignore` pattern
/// or an entry of an allow list or registry mapping ([`CheckEntry::lists`]) of an enabled
/// offline check whose removal would change none of the check's findings. Typed; the gate puts
/// them in the report (`Report::stale_config`) and a note each.
pub fn stale_entries(cx: &CheckCx<'_>) -> Vec<StaleConfigEntry> {
    let mut stale = Vec::new();
    for e in CHECKS {
        let (Some(settings), Some(settings_mut), Some(section)) =
            (e.settings, e.settings_mut, e.section)
        else {
            continue;
        };
        let s = settings(cx.config);
        if !s.enabled
            || (s.ignore.is_empty() && e.lists.iter().all(|l| (l.entries)(cx.config).is_empty()))
        {
            continue;
        }
        let base = outcome(e, cx);
        let unchanged = |edit: &dyn Fn(&mut ChecksConfig)| {
            let mut c = cx.config.clone();
            edit(&mut c);
            let mut cx2 = *cx;
            cx2.config = &c;
            outcome(e, &cx2) == base
        };
        for (i, pattern) in s.ignore.iter().enumerate() {
            if unchanged(&|c| {
                settings_mut(c).ignore.remove(i);
            }) {
                stale.push(StaleConfigEntry {
                    section: section.to_owned(),
                    key: "ignore".to_owned(),
                    entry: pattern.clone(),
                });
            }
        }
        for l in e.lists {
            for (i, entry) in (l.entries)(cx.config).into_iter().enumerate() {
                if unchanged(&|c| (l.remove)(c, i)) {
                    stale.push(StaleConfigEntry {
                        section: l.section.unwrap_or(section).to_owned(),
                        key: l.key.to_owned(),
                        entry,
                    });
                }
            }
        }
    }
    stale
}

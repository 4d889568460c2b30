//! `lock-drift`: the lockfile does not satisfy its manifest.
//!
//! A lockfile pins what the manifests asked for *when it was written*. When a manifest changes
//! and the lock is not regenerated, `cargo build --locked` and `npm ci` refuse to install; a gate
//! that checked the lock alone would pass a release whose lock no longer describes it.
//!
//! IO happens in [`Manifests::load`], before checks run: for every lockfile of the graph it reads
//! the manifests beside it (Cargo: the workspace's `Cargo.toml` files; npm: `package.json` of the
//! root and its workspaces, plus the lock's own record of them) and, for Cargo, asks
//! `cargo metadata --locked --offline` when cargo is on PATH. [`run`] compares, purely:
//! - Cargo ([`cargo`]): every declared requirement is satisfied by a locked package of that name
//!   and source kind among the member's locked dependencies; member versions equal the lock's;
//!   locked dependencies and path packages the manifests no longer name.
//! - npm ([`npm`]): every declared spec is satisfied, as `npm ci` decides it, by the package the
//!   lock installs where Node would resolve it; the lock's record of each manifest equals it.
//!
//! `docs/concepts/drift.md` describes the semantics and how they differ from the tools'.

mod cargo;
mod cargo_run;
mod config;
mod npm;
pub mod npm_spec;

pub use config::Config;

use std::path::{Path, PathBuf};

use crate::error::ManifestError;
use crate::finding::{Code, Finding, FindingLocation, FixHint, PackageRef};
use crate::graph::{Graph, PackageId};
use crate::lockfile::cargo_manifest::{self, DeclaredSource, Workspace};
use crate::lockfile::npm_manifest::{LockFacts, PackageJson};
use crate::lockfile::{Format, LockfileInfo};
use crate::package::Ecosystem;

use super::path_outside_repo::{absolute, normalize, outside};
use super::{CheckCx, ChecksConfig};

/// What `cargo metadata --locked --offline` said about one Cargo workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CargoVerdict {
    /// Not asked (`[drift] use-cargo = false`, or drift disabled).
    NotRun,
    /// Asked, but there is no `cargo` on PATH.
    NotOnPath,
    /// Cargo resolved the workspace from the lock without changing it.
    InSync,
    /// `--locked` refused: the lock would have to change. Cargo's message.
    NeedsUpdate(String),
    /// Cargo could not decide (offline without the crates, toolchain missing, …): why.
    Failed(String),
}

/// One Cargo workspace beside a `Cargo.lock`.
#[derive(Debug, Clone)]
pub(crate) struct CargoProject {
    lockfile: u32,
    lock_dir: PathBuf,
    workspace: Workspace,
    verdict: CargoVerdict,
}

/// One npm project beside a `package-lock.json` / `npm-shrinkwrap.json`.
#[derive(Debug, Clone)]
pub(crate) struct NpmProject {
    lockfile: u32,
    lock_dir: PathBuf,
    facts: LockFacts,
    root: PackageJson,
    /// Workspaces found on disk: (folder relative to the lock, manifest).
    workspaces: Vec<(String, PackageJson)>,
    /// `.npmrc` sets `legacy-peer-deps=true`: npm does not install peers.
    legacy_peer_deps: bool,
}

/// Manifests read beside the lockfiles (IO happens in [`Manifests::load`], before checks run).
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    cargo: Vec<CargoProject>,
    npm: Vec<NpmProject>,
    /// Notes for the report: lockfiles whose manifests are absent, cargo fallbacks, packages
    /// outside the repository whose dependencies were not read.
    pub notes: Vec<String>,
}

impl Manifests {
    /// Reads the manifests beside every lockfile of `graph` (and runs `cargo metadata` where
    /// `[drift]` asks for it). Manifests are read when the drift check or `path-outside-repo`
    /// is enabled. Absent manifests are notes; malformed ones are errors naming file and line.
    pub fn load(
        graph: &Graph,
        repo_root: &Path,
        config: &ChecksConfig,
    ) -> Result<Manifests, ManifestError> {
        let drift = config.drift.enabled;
        let mut out = Manifests::default();
        if !drift && !config.sources.path_outside_repo.enabled {
            return Ok(out);
        }
        let root = absolute(repo_root);
        for (i, lock) in graph.lockfiles.iter().enumerate() {
            let i = i as u32;
            let lock_dir = absolute(lock.path.parent().unwrap_or(Path::new(".")));
            let file_name = lock
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match lock.format {
                Format::CargoLock => {
                    if file_name != "Cargo.lock" {
                        if drift {
                            out.notes.push(format!(
                                "drift: {} is not named Cargo.lock, so cargo never reads it; lock-drift not checked",
                                lock.display
                            ));
                        }
                        continue;
                    }
                    if !crate::lockfile::manifest_exists(&lock_dir.join("Cargo.toml"))? {
                        if drift {
                            out.notes.push(format!(
                                "drift: no Cargo.toml beside {}; lock-drift not checked",
                                lock.display
                            ));
                        }
                        continue;
                    }
                    let workspace = cargo_manifest::load_workspace(&lock_dir, &root)?;
                    let verdict = if drift && config.drift.use_cargo {
                        cargo_run::cargo_metadata(&lock_dir)
                    } else {
                        CargoVerdict::NotRun
                    };
                    if drift {
                        match &verdict {
                            CargoVerdict::Failed(why) => out.notes.push(format!(
                                "drift: `cargo metadata --locked --offline` could not decide for {} ({why}); compared the manifests with the lock instead",
                                lock.display
                            )),
                            CargoVerdict::NotOnPath => out.notes.push(format!(
                                "drift: cargo is not on PATH; compared the manifests with {} instead",
                                lock.display
                            )),
                            _ => {}
                        }
                        for m in workspace
                            .missing
                            .iter()
                            .filter(|m| m.reason.starts_with("outside"))
                        {
                            out.notes.push(format!(
                                "drift: {} lies outside the repository; its dependencies are not compared with {}",
                                display_path(lock, &lock_dir, &m.dir),
                                lock.display
                            ));
                        }
                    }
                    out.cargo.push(CargoProject {
                        lockfile: i,
                        lock_dir,
                        workspace,
                        verdict,
                    });
                }
                Format::PackageLock | Format::NpmShrinkwrap => {
                    if !drift {
                        continue;
                    }
                    if file_name == ".package-lock.json" {
                        out.notes.push(format!(
                            "drift: {} is npm's hidden lockfile (written by the last install, not committed); lock-drift not checked",
                            lock.display
                        ));
                        continue;
                    }
                    let pj = lock_dir.join("package.json");
                    if !crate::lockfile::manifest_exists(&pj)? {
                        out.notes.push(format!(
                            "drift: no package.json beside {}; lock-drift not checked",
                            lock.display
                        ));
                        continue;
                    }
                    out.npm.push(npm::load(i, &lock.path, &lock_dir, &root)?);
                }
            }
        }
        Ok(out)
    }

    /// `true` when no manifest was read.
    pub fn is_empty(&self) -> bool {
        self.cargo.is_empty() && self.npm.is_empty()
    }
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, out: &mut Vec<Finding>) {
    if !cx.config.drift.enabled {
        return;
    }
    let Some(m) = cx.manifests else {
        return;
    };
    let start = out.len();
    for p in &m.cargo {
        cargo::check(cx, p, out);
    }
    for p in &m.npm {
        npm::check(cx, p, out);
    }
    // One finding per id: the same declaration reached twice (a crate both member and path
    // dependency) is reported once.
    let mut seen = std::collections::HashSet::new();
    let mut i = start;
    while i < out.len() {
        if seen.insert(out[i].id.clone()) {
            i += 1;
        } else {
            out.remove(i);
        }
    }
}

/// Cargo `path =` dependencies outside the repository (called by `path-outside-repo`).
pub(crate) fn cargo_paths_outside(
    cx: &CheckCx<'_>,
    m: &Manifests,
    root: &Path,
    allow: &[PathBuf],
    out: &mut Vec<Finding>,
) {
    let cfg = &cx.config.sources.path_outside_repo;
    for p in &m.cargo {
        let Some(lock) = cx.graph.lockfiles.get(p.lockfile as usize) else {
            continue;
        };
        let mut reported: Vec<PathBuf> = Vec::new();
        let manifests = std::iter::once(&p.workspace.root)
            .chain(p.workspace.packages.iter().map(|w| &w.manifest));
        for man in manifests {
            for d in man.deps.iter().chain(&man.patches) {
                let DeclaredSource::Path { dir, raw } = &d.source else {
                    continue;
                };
                if reported.contains(dir)
                    || !outside(root, man.dir(), &dir.to_string_lossy(), allow)
                {
                    continue;
                }
                reported.push(dir.clone());
                let file = display_path(lock, &p.lock_dir, &man.path);
                let subject = locked_path_package(cx.graph, p.lockfile, &d.name);
                let mut f = subject_finding(
                    cx,
                    Ecosystem::Cargo,
                    subject,
                    &d.name,
                    Code::PathOutsideRepo,
                    format!("{} points outside the repository", d.name),
                );
                f.severity = cfg
                    .severity
                    .unwrap_or(Code::PathOutsideRepo.default_severity());
                f.id = format!(
                    "{}:{file}:{}.{}",
                    Code::PathOutsideRepo.id(),
                    d.section,
                    d.key
                );
                f.location = Some(FindingLocation {
                    file: file.clone(),
                    line: d.line,
                });
                f.message = format!(
                    "{file}:{} takes `{}` from the path `{raw}`, which lies outside the repository root: a build depends on whatever sits beside the checkout.",
                    d.line, d.key
                );
                f.fix = Some(FixHint::Advice(
                    "vendor the crate into the repository or publish it to a registry".into(),
                ));
                out.push(f);
            }
        }
    }
}

/// The lock's path package of a name, if there is exactly one candidate (else the first).
fn locked_path_package(graph: &Graph, lockfile: u32, name: &str) -> Option<PackageId> {
    graph
        .packages()
        .find(|(_, p)| {
            p.location.lockfile == lockfile
                && p.name == name
                && matches!(p.source, crate::package::Source::Path)
        })
        .map(|(id, _)| id)
}

/// A manifest's path as shown in findings: beside the lockfile's displayed path.
pub(crate) fn display_path(lock: &LockfileInfo, lock_dir: &Path, path: &Path) -> String {
    let rel = npm_spec::relative(&normalize(path), lock_dir);
    let base = Path::new(&lock.display).parent().unwrap_or(Path::new(""));
    let s = normalize(&base.join(rel))
        .to_string_lossy()
        .replace('\\', "/");
    if s.is_empty() { ".".to_owned() } else { s }
}

/// A finding about a locked package (`Some`) or, when the lock has none, about a declared name.
fn subject_finding(
    cx: &CheckCx<'_>,
    ecosystem: Ecosystem,
    subject: Option<PackageId>,
    name: &str,
    code: Code,
    title: String,
) -> Finding {
    let mut f = match subject {
        Some(id) => Finding::for_package(cx.graph, id, code, title),
        None => Finding {
            id: String::new(),
            code,
            ids: Vec::new(),
            severity: code.default_severity(),
            package: Some(PackageRef {
                ecosystem,
                name: name.to_owned(),
                version: String::new(),
                id: name.to_owned(),
                purl: crate::purl::purl_of(ecosystem, name, ""),
            }),
            path: vec![name.to_owned()],
            location: None,
            title,
            message: String::new(),
            fix: None,
            advisory: None,
            scopes: Vec::new(),
            dev_optional: false,
        },
    };
    // Drift concerns the lockfile as a whole: `npm ci` and `cargo --locked` refuse a drifted
    // dev dependency as much as a runtime one, so scope filters do not apply.
    f.scopes.clear();
    f.dev_optional = false;
    f
}

/// What a drift finding says; turned into a [`Finding`] by [`Report::push`].
struct Issue<'s> {
    /// The locked package concerned, if any.
    subject: Option<PackageId>,
    /// The name when there is no locked package (or the member it concerns).
    name: &'s str,
    /// The root → package path when the subject is not locked: the member that declares it.
    via: Option<PackageId>,
    /// File and line (the manifest declaration, or the lock entry).
    file: String,
    line: u32,
    /// Distinguishes findings of one file (`dependencies.serde`, `package.version`).
    key: String,
    title: String,
    message: String,
    fix: String,
}

/// Collects drift findings of one lockfile.
struct Report<'c, 'o> {
    cx: &'c CheckCx<'c>,
    ecosystem: Ecosystem,
    out: &'o mut Vec<Finding>,
}

impl Report<'_, '_> {
    fn push(&mut self, i: Issue<'_>) {
        let mut f = subject_finding(
            self.cx,
            self.ecosystem,
            i.subject,
            i.name,
            Code::LockDrift,
            i.title,
        );
        if i.subject.is_none()
            && let Some(via) = i.via
        {
            let mut path: Vec<String> = self
                .cx
                .graph
                .path_from_root(via)
                .map(|ids| {
                    ids.into_iter()
                        .map(|id| self.cx.graph.package(id).display_name())
                        .collect()
                })
                .unwrap_or_else(|| vec![self.cx.graph.package(via).display_name()]);
            path.push(i.name.to_owned());
            f.path = path;
        }
        if let Some(s) = self.cx.config.drift.severity {
            f.severity = s;
        }
        f.id = format!("{}:{}:{}", Code::LockDrift.id(), i.file, i.key);
        f.location = Some(FindingLocation {
            file: i.file,
            line: i.line,
        });
        f.message = i.message;
        f.fix = Some(FixHint::Advice(i.fix));
        self.out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_are_shown_beside_the_lockfile() {
        let lock = LockfileInfo {
            path: PathBuf::from("/r/web/package-lock.json"),
            display: "web/package-lock.json".into(),
            format: Format::PackageLock,
            version: 3,
            packages: 0,
        };
        let dir = Path::new("/r/web");
        assert_eq!(
            display_path(&lock, dir, Path::new("/r/web/packages/a/package.json")),
            "web/packages/a/package.json"
        );
        assert_eq!(
            display_path(&lock, dir, Path::new("/r/shared/Cargo.toml")),
            "shared/Cargo.toml"
        );
    }
}

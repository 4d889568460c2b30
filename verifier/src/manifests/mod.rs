//! Loaded data: the manifests beside each lockfile, read before checks run.
//!
//! For every lockfile of the graph this stage reads the manifests beside it (Cargo: the
//! workspace's `Cargo.toml` files; npm: `package.json` of the root and its workspaces, the lock's
//! own record of them, `.npmrc`'s `legacy-peer-deps`) and, for Cargo when `[drift] use-cargo`
//! asks for it, runs `cargo metadata --locked --offline`. The drift and `path-outside-repo`
//! checks then compare purely ([`crate::checks`] does no IO).

mod cargo_run;
mod npm;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::ManifestError;
use crate::graph::Graph;
use crate::lockfile::cargo_manifest::{self, Workspace};
use crate::lockfile::npm_manifest::{LockFacts, PackageJson};
use crate::lockfile::{Format, LockfileInfo};
use crate::paths::{absolute, display_path};
use crate::report::{Note, NoteCode};

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
    pub(crate) lockfile: u32,
    pub(crate) lock_dir: PathBuf,
    pub(crate) workspace: Workspace,
    pub(crate) verdict: CargoVerdict,
}

/// One npm project beside a `package-lock.json` / `npm-shrinkwrap.json`.
#[derive(Debug, Clone)]
pub(crate) struct NpmProject {
    pub(crate) lockfile: u32,
    pub(crate) lock_dir: PathBuf,
    pub(crate) facts: LockFacts,
    pub(crate) root: PackageJson,
    /// Workspaces found on disk: (folder relative to the lock, manifest).
    pub(crate) workspaces: Vec<(String, PackageJson)>,
    /// `.npmrc` sets `legacy-peer-deps=true`: npm does not install peers.
    pub(crate) legacy_peer_deps: bool,
    /// Folder entries of the lock (keys of `facts.folders`) with a `package.json` on disk.
    pub(crate) folders_with_manifest: HashSet<String>,
}

/// What the checks need read (the checks' configuration says; see
/// `impl From<&ChecksConfig> for Wanted` in [`crate::checks`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// The drift check runs: read every manifest.
    pub drift: bool,
    /// Ask `cargo metadata --locked --offline` too (`[drift] use-cargo`).
    pub use_cargo: bool,
    /// `path-outside-repo` runs: read Cargo manifests for their `path =` dependencies.
    pub path_outside_repo: bool,
}

/// Manifests read beside the lockfiles (IO happens in [`Manifests::load`], before checks run).
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub(crate) cargo: Vec<CargoProject>,
    pub(crate) npm: Vec<NpmProject>,
    /// Notes for the report: lockfiles whose manifests are absent, cargo fallbacks, packages
    /// outside the repository whose dependencies were not read.
    pub notes: Vec<Note>,
}

impl Manifests {
    /// Reads the manifests beside every lockfile of `graph` (and runs `cargo metadata` where
    /// `[drift]` asks for it). Manifests are read when the drift check or `path-outside-repo`
    /// is enabled. Absent manifests are notes; malformed ones are errors naming file and line.
    pub fn load(
        graph: &Graph,
        repo_root: &Path,
        wanted: impl Into<Wanted>,
    ) -> Result<Manifests, ManifestError> {
        let mut m = Self::load_lockfiles(&graph.lockfiles, repo_root, wanted)?;
        m.attach_lock_facts(graph);
        Ok(m)
    }

    /// Gives the npm projects their lockfiles' facts from `graph` (the lockfile parser collected
    /// them): [`Manifests::load_lockfiles`] runs before the graph exists, and nothing reads a
    /// lockfile twice. [`Manifests::load`] does it itself.
    pub fn attach_lock_facts(&mut self, graph: &Graph) {
        for p in &mut self.npm {
            let facts = graph
                .npm_lock_facts(p.lockfile)
                .cloned()
                .unwrap_or_default();
            npm::attach_lock_facts(p, facts);
        }
    }

    /// [`Manifests::load`] for these lockfiles, indexed as a graph built from them in this
    /// order would index them: only their paths, displayed names and formats are read, so the
    /// gate can load manifests while the lockfiles are still being parsed.
    pub fn load_lockfiles(
        lockfiles: &[LockfileInfo],
        repo_root: &Path,
        wanted: impl Into<Wanted>,
    ) -> Result<Manifests, ManifestError> {
        let wanted: Wanted = wanted.into();
        let drift = wanted.drift;
        let mut out = Manifests::default();
        if !drift && !wanted.path_outside_repo {
            return Ok(out);
        }
        let root = absolute(repo_root);
        for (i, lock) in lockfiles.iter().enumerate() {
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
                            out.notes.push(Note::new(NoteCode::DriftNotChecked, format!(
                                "drift: {} is not named Cargo.lock, so cargo never reads it; lock-drift not checked",
                                lock.display
                            )));
                        }
                        continue;
                    }
                    if !crate::lockfile::manifest_exists(&lock_dir.join("Cargo.toml"))? {
                        if drift {
                            out.notes.push(Note::new(
                                NoteCode::DriftNotChecked,
                                format!(
                                    "drift: no Cargo.toml beside {}; lock-drift not checked",
                                    lock.display
                                ),
                            ));
                        }
                        continue;
                    }
                    let workspace = cargo_manifest::load_workspace(&lock_dir, &root)?;
                    let verdict = if drift && wanted.use_cargo {
                        cargo_run::cargo_metadata(&lock_dir)
                    } else {
                        CargoVerdict::NotRun
                    };
                    if drift {
                        match &verdict {
                            CargoVerdict::Failed(why) => out.notes.push(Note::new(NoteCode::DriftFallback, format!(
                                "drift: `cargo metadata --locked --offline` could not decide for {} ({why}); compared the manifests with the lock instead",
                                lock.display
                            ))),
                            CargoVerdict::NotOnPath => out.notes.push(Note::new(NoteCode::DriftFallback, format!(
                                "drift: cargo is not on PATH; compared the manifests with {} instead",
                                lock.display
                            ))),
                            _ => {}
                        }
                        for m in workspace
                            .missing
                            .iter()
                            .filter(|m| m.reason.starts_with("outside"))
                        {
                            out.notes.push(Note::new(NoteCode::DriftOutsideRepository, format!(
                                "drift: {} lies outside the repository; its dependencies are not compared with {}",
                                display_path(lock, &lock_dir, &m.dir),
                                lock.display
                            )));
                        }
                    }
                    out.cargo.push(CargoProject {
                        lockfile: i,
                        lock_dir,
                        workspace,
                        verdict,
                    });
                }
                Format::CycloneDx => {
                    if drift {
                        out.notes.push(Note::new(
                            NoteCode::DriftNotChecked,
                            format!(
                                "drift: {} is an SBOM, which comes without its manifests; lock-drift not checked",
                                lock.display
                            ),
                        ));
                    }
                }
                Format::PackageLock | Format::NpmShrinkwrap => {
                    if !drift {
                        continue;
                    }
                    if file_name == ".package-lock.json" {
                        out.notes.push(Note::new(NoteCode::DriftNotChecked, format!(
                            "drift: {} is npm's hidden lockfile (written by the last install, not committed); lock-drift not checked",
                            lock.display
                        )));
                        continue;
                    }
                    let pj = lock_dir.join("package.json");
                    if !crate::lockfile::manifest_exists(&pj)? {
                        out.notes.push(Note::new(
                            NoteCode::DriftNotChecked,
                            format!(
                                "drift: no package.json beside {}; lock-drift not checked",
                                lock.display
                            ),
                        ));
                        continue;
                    }
                    out.npm.push(npm::load(i, &lock_dir, &root)?);
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

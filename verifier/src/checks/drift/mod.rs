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
mod config;
mod npm;
pub mod npm_spec;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FindingLocation, FixHint};
use crate::graph::PackageId;
use crate::package::Ecosystem;

use super::CheckCx;
use super::support::subject_finding;
use crate::manifests::CargoProject;
pub use crate::manifests::{CargoVerdict, Manifests};

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, _cfg: &Config, out: &mut Vec<Finding>) {
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
    fix: FixHint,
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
                        .map(|id| self.cx.graph.display_name(id).to_owned())
                        .collect()
                })
                .unwrap_or_else(|| vec![self.cx.graph.display_name(via).to_owned()]);
            path.push(i.name.to_owned());
            f.path = path;
        }
        if let Some(s) = self.cx.config.drift.settings.severity {
            f.severity = s;
        }
        f.id = format!("{}:{}:{}", Code::LockDrift.id(), i.file, i.key);
        f.location = Some(FindingLocation {
            file: i.file,
            line: i.line,
        });
        f.message = i.message;
        f.fix = Some(i.fix);
        self.out.push(f);
    }
}

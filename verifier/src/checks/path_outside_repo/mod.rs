//! `path-outside-repo`: a `file:`/path dependency that points outside the repository root, so
//! the build depends on whatever lies beside the checkout.
//!
//! npm: folder entries (`packages` keys outside `node_modules`, e.g. `../lib`, link targets)
//! and `file:` specs in `resolved`/`version`, resolved against the lockfile's directory. Cargo:
//! `Cargo.lock` does not record paths; `path =` dependencies are read from the manifests when
//! the loading stage ran (see [`crate::manifests::Manifests`]).
//! Paths are compared lexically (no symlink resolution, no file-system access).

mod config;

pub use config::{Config, Options};

use std::path::{Path, PathBuf};

use crate::finding::{Code, Finding, FixHint, VendoredThing};
use crate::package::{Ecosystem, Source};

use super::CheckCx;
use super::support::{finding, locked_path_package, subject_finding};
use crate::finding::FindingLocation;
use crate::lockfile::cargo_manifest::DeclaredSource;
use crate::paths::display_path;

pub use crate::paths::{absolute, normalize, outside};

/// The local path a package points at, relative to its lockfile's directory, if any.
fn local_target(p: &crate::package::Package) -> Option<String> {
    if let Some(raw) = p.source_raw.as_deref() {
        if let Some(rest) = raw.strip_prefix("file:") {
            return Some(rest.trim_start_matches("//").to_owned());
        }
        if matches!(p.source, Source::Path) && !raw.contains(':') {
            return Some(raw.to_owned());
        }
    }
    let n = p.npm.as_ref()?;
    (!n.path.is_empty() && !n.path.starts_with("node_modules/")).then(|| n.path.clone())
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    let root = absolute(cx.repo_root);
    let allow: Vec<PathBuf> = cfg.allow.iter().map(|a| normalize(&root.join(a))).collect();
    // Folders already reported: their nested `node_modules` entries are not reported again.
    let mut reported: Vec<(u32, String)> = Vec::new();
    for (id, p) in cx.graph.packages() {
        if p.ecosystem != Ecosystem::Npm {
            continue;
        }
        let Some(target) = local_target(p) else {
            continue;
        };
        if reported.iter().any(|(l, r)| {
            *l == p.location.lockfile
                && target.starts_with(r.as_str())
                && target[r.len()..].starts_with("/node_modules/")
        }) {
            continue;
        }
        let Some(lock) = cx.graph.lockfiles.get(p.location.lockfile as usize) else {
            continue;
        };
        let base = absolute(lock.path.parent().unwrap_or(Path::new(".")));
        if outside(&root, &base, &target, &allow) {
            reported.push((p.location.lockfile, target.clone()));
            out.push(finding(
                cx,
                id,
                Code::PathOutsideRepo,
                cfg.settings.severity,
                format!("{} points outside the repository", p.display_name()),
                format!(
                    "{} is taken from the local path `{target}` (relative to {}), which lies outside the repository root: a build depends on whatever sits beside the checkout.",
                    p.display_name(),
                    lock.display
                ),
                Some(FixHint::VendorOrPublish {
                    what: VendoredThing::Package,
                }),
            ));
        }
    }
    if let Some(m) = cx.manifests {
        cargo_paths_outside(cx, cfg, m, &root, &allow, out);
    }
}

/// Cargo `path =` dependencies outside the repository (called by `path-outside-repo`).
fn cargo_paths_outside(
    cx: &CheckCx<'_>,
    cfg: &Config,
    m: &crate::manifests::Manifests,
    root: &Path,
    allow: &[PathBuf],
    out: &mut Vec<Finding>,
) {
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
                    .settings
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
                f.fix = Some(FixHint::VendorOrPublish {
                    what: VendoredThing::Crate,
                });
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_detection() {
        let root = Path::new("/repo");
        assert!(outside(root, Path::new("/repo"), "../lib", &[]));
        assert!(!outside(root, Path::new("/repo/web"), "../lib", &[]));
        assert!(outside(root, Path::new("/repo/web"), "../../x", &[]));
        assert!(!outside(
            root,
            Path::new("/repo"),
            "../lib",
            &[PathBuf::from("/lib")]
        ));
        assert!(outside(root, Path::new("/repo"), "/etc", &[]));
    }
}

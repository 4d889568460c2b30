//! `path-outside-repo`: a `file:`/path dependency that points outside the repository root, so
//! the build depends on whatever lies beside the checkout.
//!
//! npm: folder entries (`packages` keys outside `node_modules`, e.g. `../lib`, link targets)
//! and `file:` specs in `resolved`/`version`, resolved against the lockfile's directory. Cargo:
//! `Cargo.lock` does not record paths; `path =` dependencies are read from the manifests when
//! the drift loader ran (see [`super::drift::Manifests`]).
//! Paths are compared lexically (no symlink resolution, no file-system access).

mod config;

pub use config::Config;

use std::path::{Path, PathBuf};

use crate::finding::{Code, Finding, FixHint};
use crate::package::{Ecosystem, Source};

use super::CheckCx;
use super::support::finding;

pub use crate::lockfile::normalize;

/// Absolute, normalised form of a path (relative paths are taken from the current directory).
pub fn absolute(p: &Path) -> PathBuf {
    normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// `true` when `target` (relative to `base`) lies outside `root`, and under none of `allow`.
pub fn outside(root: &Path, base: &Path, target: &str, allow: &[PathBuf]) -> bool {
    let t = Path::new(target);
    let full = if t.is_absolute() {
        normalize(t)
    } else {
        normalize(&base.join(t))
    };
    !full.starts_with(root) && !allow.iter().any(|a| full.starts_with(a))
}

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
pub fn run(cx: &CheckCx<'_>, out: &mut Vec<Finding>) {
    let cfg = &cx.config.sources.path_outside_repo;
    if !cfg.enabled {
        return;
    }
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
                cfg.severity,
                format!("{} points outside the repository", p.display_name()),
                format!(
                    "{} is taken from the local path `{target}` (relative to {}), which lies outside the repository root: a build depends on whatever sits beside the checkout.",
                    p.display_name(),
                    lock.display
                ),
                Some(FixHint::Advice(
                    "vendor the package into the repository or publish it to a registry".into(),
                )),
            ));
        }
    }
    if let Some(m) = cx.manifests {
        super::drift::cargo_paths_outside(cx, m, &root, &allow, out);
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

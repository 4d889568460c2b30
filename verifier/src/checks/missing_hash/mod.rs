//! `missing-hash`: a package fetched from a registry or URL has no checksum or integrity.
//!
//! Legitimately hash-less, never reported:
//! - root projects, workspace members, npm folder (`file:` directory) and link targets, Cargo
//!   path packages (`Source::Path` with a recorded spec or a non-`node_modules` key);
//! - npm bundled packages (`inBundle` / `bundled`): they ship inside their parent's tarball,
//!   which carries the integrity;
//! - git dependencies (Cargo writes no checksum for them by design; npm none either): the commit
//!   pins them, and `unpinned-git` reports those that are not pinned;
//! - `Source::Other` (Cargo `directory+` vendored sources, `local-registry+`): local copies.
//!
//! An npm entry under `node_modules/` with no `resolved`, no `version` and no integrity (a broken
//! entry such as arborist's `dep-missing-resolved`) *is* reported: nothing says where it comes
//! from nor what it should hash to.

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::package::{Package, Source};

use super::CheckCx;
use super::support::finding;

/// Why a package needs no hash, or `None` when it needs one.
pub fn exemption(p: &Package) -> Option<&'static str> {
    if p.is_root {
        return Some("root or workspace member");
    }
    if let Some(n) = &p.npm {
        if n.in_bundle {
            return Some("bundled inside its parent's tarball");
        }
        if n.workspace {
            return Some("workspace member or local folder");
        }
        if n.path.starts_with("../") || n.path.starts_with('/') {
            return Some(
                "installed in a linked folder outside the project (see path-outside-repo)",
            );
        }
    }
    match &p.source {
        Source::Git(_) => Some("git dependency: pinned by commit"),
        Source::Other(_) => Some("local copy (directory or local registry)"),
        Source::Path => {
            let broken_npm_entry = p.npm.as_ref().is_some_and(|n| {
                n.path.contains("node_modules/") && p.source_raw.is_none() && p.version.is_empty()
            });
            if broken_npm_entry {
                None
            } else {
                Some("local path")
            }
        }
        Source::Registry { .. } | Source::Tarball { .. } => None,
    }
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    for (id, p) in cx.graph.packages() {
        if exemption(p).is_some() {
            continue;
        }
        // A checksum field that is present but unparseable is `weak-hash`'s business.
        if p.has_checksum_text() {
            continue;
        }
        let what = match (&p.source, p.version.is_empty()) {
            (Source::Path, true) => "an entry with no version, no resolved URL and no integrity",
            (Source::Tarball { .. }, _) => "a remote tarball with no integrity",
            _ => "a registry package with no checksum or integrity",
        };
        let title = format!("{} is {what}", p.display_name());
        let message = format!(
            "{} ({}) is not pinned by hash: whatever the registry serves would be installed. Regenerate the lockfile so that it records the {}.",
            p.display_name(),
            p.source.kind(),
            match p.ecosystem {
                crate::package::Ecosystem::Cargo => "checksum",
                crate::package::Ecosystem::Npm => "integrity",
            }
        );
        out.push(finding(
            cx,
            id,
            Code::MissingHash,
            cfg.settings.severity,
            title,
            message,
            Some(FixHint::AddIntegrity),
        ));
    }
}

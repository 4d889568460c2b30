//! Loading an npm project beside its lockfile: `package.json` of the root and its workspaces,
//! the lock's record of them, `.npmrc`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::ManifestError;
use crate::lockfile::npm_manifest::{LockFacts, is_installed, read_package_json};
use crate::paths::relative;

use super::NpmProject;

/// Reads the manifests of the npm project whose lockfile is `lock_path`.
pub(super) fn load(
    lockfile: u32,
    lock_dir: &Path,
    repo_root: &Path,
) -> Result<NpmProject, ManifestError> {
    let root = read_package_json(&lock_dir.join("package.json"))?;
    let mut workspaces = Vec::new();
    if let Some(patterns) = &root.workspaces {
        for dir in expand_workspaces(lock_dir, patterns) {
            // npm skips matched folders without a package.json; so do we (the lock's entry for
            // such a folder is then stale, and reported).
            let pj = dir.join("package.json");
            if !dir.starts_with(repo_root) || !crate::lockfile::manifest_exists(&pj)? {
                continue;
            }
            let rel = relative(&dir, lock_dir)
                .to_string_lossy()
                .replace('\\', "/");
            workspaces.push((rel, read_package_json(&pj)?));
        }
    }
    Ok(NpmProject {
        lockfile,
        lock_dir: lock_dir.to_path_buf(),
        // Attached from the graph once it is built ([`attach_lock_facts`]): the lockfile
        // parser collected them, so the lock is not read again.
        facts: LockFacts::default(),
        root,
        workspaces,
        legacy_peer_deps: legacy_peer_deps(lock_dir),
        folders_with_manifest: HashSet::new(),
    })
}

/// Gives `p` its lockfile's facts (from the graph's parse) and finds which folder entries of the
/// lock have a manifest on disk (the stale-workspace message says which way the lock is wrong).
pub(super) fn attach_lock_facts(p: &mut NpmProject, facts: LockFacts) {
    let mut folders_with_manifest = HashSet::new();
    for k in facts.folders.keys() {
        if !k.is_empty()
            && !is_installed(k)
            && crate::fsio::probe(&p.lock_dir.join(k).join("package.json"))
                .is_ok_and(|pr| pr == crate::fsio::Probe::Regular)
        {
            folders_with_manifest.insert(k.clone());
        }
    }
    p.facts = facts;
    p.folders_with_manifest = folders_with_manifest;
}

/// `legacy-peer-deps=true` in the project's `.npmrc`.
fn legacy_peer_deps(dir: &Path) -> bool {
    let Ok(text) = crate::lockfile::read_text(&dir.join(".npmrc"), 1024 * 1024) else {
        return false;
    };
    text.lines().any(|l| {
        let l = l.trim();
        !l.starts_with(['#', ';'])
            && l.split_once('=').is_some_and(|(k, v)| {
                k.trim() == "legacy-peer-deps" && v.trim().eq_ignore_ascii_case("true")
            })
    })
}

/// Workspace folders as npm's `map-workspaces` finds them: glob matches of each pattern (outside
/// `node_modules/`), minus `!negated` patterns.
fn expand_workspaces(root: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let base = glob::Pattern::escape(&root.to_string_lossy());
    let opts = glob::MatchOptions {
        require_literal_separator: true,
        ..glob::MatchOptions::new()
    };
    let negated: Vec<glob::Pattern> = patterns
        .iter()
        .filter_map(|p| p.strip_prefix('!'))
        .filter_map(|p| glob::Pattern::new(p.trim_end_matches('/')).ok())
        .collect();
    let mut out: Vec<PathBuf> = Vec::new();
    for p in patterns.iter().filter(|p| !p.starts_with('!')) {
        let pat = format!("{base}/{}", p.trim_end_matches('/'));
        let Ok(paths) = glob::glob_with(&pat, opts) else {
            continue;
        };
        for d in paths.flatten() {
            let d = crate::paths::normalize(&d);
            let rel = relative(&d, root);
            if !d.is_dir()
                || rel.components().any(|c| c.as_os_str() == "node_modules")
                || negated.iter().any(|n| n.matches_path_with(&rel, opts))
            {
                continue;
            }
            out.push(d);
        }
    }
    out.sort();
    out.dedup();
    out
}

//! SARIF locations in a monorepo: relative to the repository root (`%SRCROOT%`), whatever
//! directory `check` was given or run in, and percent-encoded.

use std::path::{Path, PathBuf};

use crate::tollgate;

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// A repository (`.git/`) with a Cargo.lock at `rel`; returns the temp dir and its canonical path.
fn monorepo(rel: &str, git: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    if git {
        std::fs::create_dir(dir.path().join(".git")).unwrap();
    }
    let lock = dir.path().join(rel);
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::copy(repo_file("testdata/check/cargo/Cargo.lock"), &lock).unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

fn sarif_in(cwd: &Path, target: &str) -> serde_json::Value {
    let out = tollgate()
        .current_dir(cwd)
        .args(["check", target, "--format", "sarif", "--now", "2026-11-23"])
        .arg("--db")
        .arg(repo_file("testdata/check/advisories"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every result's `artifactLocation`, and the run's `%SRCROOT%` URI.
fn locations(v: &serde_json::Value) -> (Vec<serde_json::Value>, serde_json::Value) {
    let run = &v["runs"][0];
    let locs = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"].clone())
        .collect();
    (locs, run["originalUriBaseIds"]["%SRCROOT%"]["uri"].clone())
}

fn file_uri(root: &Path) -> String {
    format!("file://{}/", root.to_string_lossy())
}

#[test]
fn locations_are_relative_to_the_repository_root() {
    let (_dir, root) = monorepo("services/api/Cargo.lock", true);
    for (cwd, target) in [
        (root.clone(), "services/api"),
        (root.join("services/api"), "."),
        (root.join("services"), "api/Cargo.lock"),
    ] {
        let (locs, base) = locations(&sarif_in(&cwd, target));
        assert_eq!(base, file_uri(&root).as_str(), "{target}");
        assert!(!locs.is_empty());
        for l in locs {
            assert_eq!(
                l,
                serde_json::json!({"uri": "services/api/Cargo.lock", "uriBaseId": "%SRCROOT%"}),
                "check {target} in {}",
                cwd.display()
            );
        }
    }
}

#[test]
fn locations_are_percent_encoded() {
    let (_dir, root) = monorepo("services/my api#1/Cargo.lock", true);
    let (locs, _) = locations(&sarif_in(&root, "services/my api#1"));
    for l in locs {
        assert_eq!(l["uri"], "services/my%20api%231/Cargo.lock");
        assert_eq!(l["uriBaseId"], "%SRCROOT%");
    }
}

#[test]
fn without_git_the_current_directory_is_the_root() {
    let (_dir, root) = monorepo("sub/Cargo.lock", false);
    if root.ancestors().any(|a| a.join(".git").exists()) {
        eprintln!("skipped: the temporary directory lies inside a git repository");
        return;
    }
    let (locs, base) = locations(&sarif_in(&root, "sub"));
    assert_eq!(base, file_uri(&root).as_str());
    for l in locs {
        assert_eq!(l["uri"], "sub/Cargo.lock");
    }
}

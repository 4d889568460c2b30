//! Walks the shared corpus: every lockfile `manifest.json` marks `tollgate_input` must parse with
//! exactly the package counts the manifest gives, and every file meant to be invalid must fail
//! with an error naming the file and a line.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use serde_json::Value;
use tollgate_verifier::lockfile::{self, Format};
use tollgate_verifier::package::Source;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.json"))
        .expect("../shared/corpus/manifest.json is readable (the repo needs ../shared beside it)");
    let v: Value = serde_json::from_str(&text).expect("manifest is JSON");
    v["files"].as_array().expect("files array").clone()
}

fn stat(f: &Value, k: &str) -> usize {
    f["stats"][k].as_u64().unwrap_or(0) as usize
}

#[test]
fn corpus_counts_match_manifest() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in manifest() {
        if f["tollgate_input"] != Value::Bool(true) || f["ok"] != Value::Bool(true) {
            continue;
        }
        let fmt = f["format"].as_str().unwrap_or("");
        if fmt != "cargo" && fmt != "npm" {
            continue;
        }
        let rel = f["path"].as_str().unwrap();
        let path = corpus_dir().join(rel);
        let text = lockfile::read_text(&path, lockfile::DEFAULT_MAX_FILE_SIZE).unwrap();
        let format = if fmt == "cargo" {
            Format::CargoLock
        } else {
            Format::PackageLock
        };
        let parsed = match lockfile::parse(&path, rel, &text, format, 0) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{rel}: {e}"));
                continue;
            }
        };
        checked += 1;
        let n = parsed.packages.len();
        let mut check = |what: &str, got: usize, want: usize| {
            if got != want {
                failures.push(format!("{rel}: {what}: got {got}, manifest {want}"));
            }
        };
        if fmt == "cargo" {
            check("packages", n, stat(&f, "packages_incl_root"));
            let resolvable =
                stat(&f, "dep_edges") - stat(&f, "dep_unresolved") - stat(&f, "dep_ambiguous");
            check("edges", parsed.edges.len(), resolvable);
            if rel.starts_with("lockfiles/") {
                check(
                    "edges (real lockfile)",
                    parsed.edges.len(),
                    stat(&f, "dep_edges"),
                );
            }
            check(
                "with_checksum",
                parsed
                    .packages
                    .iter()
                    .filter(|p| p.checksum.is_some())
                    .count(),
                stat(&f, "with_checksum"),
            );
            check(
                "git",
                parsed
                    .packages
                    .iter()
                    .filter(|p| matches!(p.source, Source::Git(_)))
                    .count(),
                stat(&f, "git"),
            );
            check(
                "registry",
                parsed
                    .packages
                    .iter()
                    .filter(|p| p.source.is_registry())
                    .count(),
                stat(&f, "registry"),
            );
            check(
                "unresolved + ambiguous",
                parsed.unresolved.len(),
                stat(&f, "dep_unresolved") + stat(&f, "dep_ambiguous"),
            );
            check("warnings", parsed.warnings.len(), 0);
        } else {
            let basis = f["stats"]["basis"].as_str().unwrap_or("");
            let non_root: Vec<_> = parsed
                .packages
                .iter()
                .filter(|p| p.npm.as_ref().is_some_and(|m| !m.path.is_empty()))
                .collect();
            if basis == "packages" {
                check(
                    "packages",
                    non_root.len(),
                    stat(&f, "entries") - stat(&f, "link"),
                );
                check(
                    "nodes",
                    n,
                    stat(&f, "entries") - stat(&f, "link") + stat(&f, "has_root_entry"),
                );
                check(
                    "devOptional",
                    non_root.iter().filter(|p| p.scopes.dev_optional).count(),
                    stat(&f, "devOptional"),
                );
                check(
                    "peer",
                    non_root.iter().filter(|p| p.scopes.peer).count(),
                    stat(&f, "peer"),
                );
            } else {
                check("packages", non_root.len(), stat(&f, "entries"));
                check("nodes", n, stat(&f, "entries") + 1);
            }
            check(
                "with_integrity",
                non_root
                    .iter()
                    .filter(|p| p.checksum_str().is_some_and(|c| !c.is_empty()))
                    .count(),
                stat(&f, "with_integrity"),
            );
            check(
                "dev",
                non_root.iter().filter(|p| p.scopes.dev).count(),
                stat(&f, "dev"),
            );
            check(
                "optional",
                non_root.iter().filter(|p| p.scopes.optional).count(),
                stat(&f, "optional"),
            );
            check(
                "bundled",
                non_root
                    .iter()
                    .filter(|p| p.npm.as_ref().is_some_and(|m| m.in_bundle))
                    .count(),
                stat(&f, "bundled"),
            );
            let mut nv: Vec<String> = non_root
                .iter()
                .filter(|p| !p.version.is_empty())
                .map(|p| {
                    let m = p.npm.as_ref().unwrap();
                    // The manifest names v1 nodes by key and counts aliases by their raw spec.
                    if basis == "packages" {
                        format!("{}@{}", p.name, p.version)
                    } else {
                        let key = m.alias.clone().unwrap_or_else(|| p.name.clone());
                        match &m.alias {
                            Some(_) => format!("{key}@npm:{}@{}", p.name, p.version),
                            None => format!("{key}@{}", p.version),
                        }
                    }
                })
                .collect();
            nv.sort();
            nv.dedup();
            check(
                "distinct_name_version",
                nv.len(),
                stat(&f, "distinct_name_version"),
            );
        }
    }
    assert!(checked > 100, "only {checked} corpus files checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_invalid_files_fail_naming_file_and_line() {
    let mut checked = 0;
    for f in manifest() {
        if f["tollgate_input"] != Value::Bool(true) || f["ok"] != Value::Bool(false) {
            continue;
        }
        let fmt = f["format"].as_str().unwrap_or("");
        if fmt != "cargo" && fmt != "npm" {
            continue;
        }
        let rel = f["path"].as_str().unwrap();
        let path = corpus_dir().join(rel);
        let text = lockfile::read_text(&path, lockfile::DEFAULT_MAX_FILE_SIZE).unwrap();
        let format = Format::detect(&path, &text).unwrap_or(if fmt == "cargo" {
            Format::CargoLock
        } else {
            Format::PackageLock
        });
        let err = lockfile::parse(&path, rel, &text, format, 0)
            .expect_err(&format!("{rel} must be rejected"));
        let msg = err.to_string();
        assert!(
            msg.contains(rel.rsplit('/').next().unwrap()),
            "{rel}: message names the file: {msg}"
        );
        let place = err.place.as_ref().expect("a place");
        assert!(place.line >= 1, "{rel}: a line: {msg}");
        checked += 1;
    }
    assert_eq!(checked, 6, "the six unparseable corpus files");
}

#[test]
fn ancient_invalid_lockfile_is_flagged() {
    let rel = "fixtures/npm-cli-arborist/ancient-lockfile-invalid/package-lock.json";
    let path = corpus_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let p = lockfile::parse(&path, rel, &text, Format::PackageLock, 0).unwrap();
    // Documented handling: it parses, and the malformed sha1 and the URL-as-version are warnings.
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("malformed integrity")),
        "{:?}",
        p.warnings
    );
    let pkg = &p.packages[1];
    assert!(
        pkg.integrity
            .as_ref()
            .is_some_and(|i| i.digests.is_empty() && !i.malformed.is_empty())
    );
}

/// The facts drift needs of an npm lockfile (folder entries with their declarations and lines,
/// links) are collected by the lockfile parser in its one pass; they equal what the standalone
/// reader `npm_manifest::lock_facts` finds on every corpus npm lockfile, and on the repository's
/// drift fixtures.
#[test]
fn npm_facts_from_the_one_parse_equal_the_standalone_reader() {
    let mut files: Vec<(PathBuf, String)> = manifest()
        .into_iter()
        .filter(|f| f["tollgate_input"] == Value::Bool(true) && f["ok"] == Value::Bool(true))
        .filter(|f| f["format"].as_str() == Some("npm"))
        .map(|f| {
            let rel = f["path"].as_str().unwrap().to_owned();
            (corpus_dir().join(&rel), rel)
        })
        .collect();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let mut stack = vec![fixtures];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "package-lock.json") {
                files.push((p.clone(), p.display().to_string()));
            }
        }
    }
    let mut compared = 0;
    let mut with_folders = 0;
    for (path, rel) in &files {
        let Ok(text) = lockfile::read_text(path, lockfile::DEFAULT_MAX_FILE_SIZE) else {
            continue;
        };
        let Ok(parsed) = lockfile::parse(path, rel, &text, Format::PackageLock, 0) else {
            continue; // invalid fixtures: the parse error is the finding
        };
        let one_pass = parsed.npm_facts.expect("npm lockfiles carry their facts");
        let standalone = lockfile::npm_manifest::lock_facts(path, &text).unwrap();
        assert_eq!(one_pass, standalone, "{rel}");
        compared += 1;
        with_folders += usize::from(!one_pass.folders.is_empty());
    }
    assert!(compared > 40, "{compared} npm lockfiles compared");
    assert!(with_folders > 20, "{with_folders} with folder entries");
}

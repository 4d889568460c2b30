//! The `graph --format json` contract other tools rely on, checked through the binary on every
//! corpus lockfile; and every invalid corpus file exits 2 naming file and line.

use std::collections::HashSet;

use serde_json::Value;

use crate::{corpus, tollgate};

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(corpus().join("manifest.json"))
        .expect("../shared/corpus/manifest.json is readable (the repo needs ../shared beside it)");
    let v: Value = serde_json::from_str(&text).unwrap();
    v["files"].as_array().unwrap().clone()
}

fn stat(f: &Value, k: &str) -> usize {
    f["stats"][k].as_u64().unwrap_or(0) as usize
}

fn inputs(ok: bool) -> Vec<Value> {
    manifest()
        .into_iter()
        .filter(|f| {
            f["tollgate_input"] == Value::Bool(true)
                && f["ok"] == Value::Bool(ok)
                && matches!(f["format"].as_str(), Some("cargo" | "npm"))
        })
        .collect()
}

/// Checks one `graph --format json` document against the contract; returns the problems.
fn check_contract(v: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let Some(pkgs) = v["packages"].as_array() else {
        return vec!["no packages array".into()];
    };
    let mut ids = HashSet::new();
    for p in pkgs {
        let Some(id) = p["id"].as_str() else {
            bad.push(format!("package without string id: {p}"));
            continue;
        };
        if !ids.insert(id.to_owned()) {
            bad.push(format!("duplicate id {id}"));
        }
        if !matches!(p["ecosystem"].as_str(), Some("cargo" | "npm")) {
            bad.push(format!("{id}: ecosystem {}", p["ecosystem"]));
        }
        for k in ["name", "version", "purl"] {
            if !p[k].is_string() {
                bad.push(format!("{id}: {k} is not a string"));
            }
        }
        if !p["purl"].as_str().is_some_and(|s| s.starts_with("pkg:")) {
            bad.push(format!("{id}: purl {}", p["purl"]));
        }
        for k in ["source", "checksum"] {
            if !(p[k].is_null() || p[k].is_string()) {
                bad.push(format!("{id}: {k} is neither null nor a string"));
            }
        }
        // Path, workspace and link packages have a null source.
        // (A Cargo root may be a registry package: a trimmed lockfile without path packages.)
        let local = p["source_kind"] == "path" || p["npm"]["workspace"] == Value::Bool(true);
        if local && !p["source"].is_null() {
            bad.push(format!("{id}: local package with source {}", p["source"]));
        }
        match p["scopes"].as_array() {
            Some(s) => {
                for x in s {
                    if !matches!(x.as_str(), Some("dev" | "optional" | "peer" | "build")) {
                        bad.push(format!("{id}: scope {x}"));
                    }
                }
            }
            None => bad.push(format!("{id}: scopes is not an array")),
        }
    }
    match v["edges"].as_array() {
        Some(edges) => {
            for e in edges {
                for k in ["from", "to"] {
                    if !e[k].as_str().is_some_and(|s| ids.contains(s)) {
                        bad.push(format!("edge {k} names no package: {e}"));
                    }
                }
                if !e["kind"].is_string() {
                    bad.push(format!("edge without kind: {e}"));
                }
            }
        }
        None => bad.push("no edges array".into()),
    }
    match v["roots"].as_array() {
        Some(roots) => {
            for r in roots {
                if !r.as_str().is_some_and(|s| ids.contains(s)) {
                    bad.push(format!("root names no package: {r}"));
                }
            }
        }
        None => bad.push("no roots array".into()),
    }
    bad
}

/// Package and edge counts the manifest gives for one file (see `verifier/tests/corpus.rs`).
fn expected_counts(f: &Value) -> (usize, Option<usize>) {
    let rel = f["path"].as_str().unwrap();
    if f["format"] == "cargo" {
        let edges = if rel.starts_with("lockfiles/") {
            stat(f, "dep_edges")
        } else {
            stat(f, "dep_edges") - stat(f, "dep_unresolved") - stat(f, "dep_ambiguous")
        };
        (stat(f, "packages_incl_root"), Some(edges))
    } else if f["stats"]["basis"] == "packages" {
        (
            stat(f, "entries") - stat(f, "link") + stat(f, "has_root_entry"),
            None,
        )
    } else {
        // npm v1: one node per `dependencies` tree node, plus the root project.
        (stat(f, "entries") + 1, None)
    }
}

#[test]
fn graph_json_contract_holds_on_every_corpus_lockfile() {
    let files = inputs(true);
    assert!(files.len() > 100, "{} corpus files", files.len());
    let mut failures = Vec::new();
    // Two fixtures without a single package entry (only `version = 3`; `{"dependencies": {}}`
    // with no root `name`): no tool writes such a file, and tollgate refuses it (exit 2) rather
    // than pass a gate over nothing. The parser still reads them (verifier/tests/corpus.rs).
    const NO_PACKAGES: [&str; 2] = [
        "fixtures/osv-scanner/cargo/empty.lock",
        "fixtures/osv-scanner/npm/empty.v1.json",
    ];
    for f in &files {
        let rel = f["path"].as_str().unwrap();
        let out = tollgate()
            .current_dir(corpus())
            .args(["graph", "--format", "json", "-q", "--lockfile", rel])
            .output()
            .unwrap();
        if NO_PACKAGES.contains(&rel) {
            let err = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(2) || !err.contains("no packages in the lockfile") {
                failures.push(format!("{rel}: must be refused as empty: {err}"));
            }
            continue;
        }
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{rel}: exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let v: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{rel}: stdout is not one JSON object: {e}"));
                continue;
            }
        };
        failures.extend(
            check_contract(&v)
                .into_iter()
                .map(|b| format!("{rel}: {b}")),
        );
        let (packages, edges) = expected_counts(f);
        let got = v["packages"].as_array().map_or(0, Vec::len);
        if got != packages {
            failures.push(format!("{rel}: {got} packages, manifest {packages}"));
        }
        if let Some(edges) = edges {
            let got = v["edges"].as_array().map_or(0, Vec::len);
            if got != edges {
                failures.push(format!("{rel}: {got} edges, manifest {edges}"));
            }
        }
        if v["roots"].as_array().is_none_or(Vec::is_empty) && got > 0 {
            failures.push(format!("{rel}: packages but no root"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rejects_duplicate_ids_and_dangling_edges() {
    // The negative twin of the contract check: a document that breaks it is caught.
    let v: Value = serde_json::json!({
        "packages": [
            {"id": "a", "ecosystem": "npm", "name": "a", "version": "1", "source": null,
             "checksum": null, "scopes": ["dev"], "purl": "pkg:npm/a@1", "source_kind": "path"},
            {"id": "a", "ecosystem": "pypi", "name": "b", "version": "1", "source": "x",
             "checksum": null, "scopes": ["runtime"], "purl": "pkg:npm/b@1", "source_kind": "path"}
        ],
        "edges": [{"from": "a", "to": "zzz", "kind": "normal"}],
        "roots": ["nope"]
    });
    let bad = check_contract(&v);
    for want in [
        "duplicate id",
        "ecosystem",
        "source",
        "scope",
        "edge to",
        "root names",
    ] {
        assert!(bad.iter().any(|b| b.contains(want)), "{want}: {bad:?}");
    }
}

#[test]
fn every_invalid_corpus_file_exits_2_naming_file_and_line() {
    let files = inputs(false);
    assert_eq!(files.len(), 6, "the six unparseable corpus files");
    for f in &files {
        let rel = f["path"].as_str().unwrap();
        let out = tollgate()
            .current_dir(corpus())
            .args(["graph", "--lockfile", rel])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{rel}: {err}");
        assert!(out.stdout.is_empty(), "{rel}");
        let prefix = format!("error: {rel}:");
        assert!(err.starts_with(&prefix), "{rel}: {err}");
        let line: String = err[prefix.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(line.parse::<u32>().is_ok_and(|l| l >= 1), "{rel}: {err}");
    }
}

/// The first `line` after `prefix` in an error message, if any.
fn line_after(err: &str, prefix: &str) -> Option<u32> {
    let rest = err.strip_prefix(prefix)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&l| l >= 1)
}

#[test]
fn every_file_the_manifest_marks_invalid_is_rejected_or_flagged() {
    // All of them, tollgate inputs or not (pnpm files included): each ends in exit 2 naming the
    // file and a line, except the one documented handling below.
    let invalid: Vec<Value> = manifest()
        .into_iter()
        .filter(|f| f["expected_invalid"] == Value::Bool(true))
        .collect();
    assert_eq!(invalid.len(), 9, "MANIFEST.md lists nine invalid files");
    for f in &invalid {
        let rel = f["path"].as_str().unwrap();
        let ancient = rel == "fixtures/npm-cli-arborist/ancient-lockfile-invalid/package-lock.json";
        let verbosity = if ancient { "-v" } else { "--color=never" };
        let out = tollgate()
            .current_dir(corpus())
            .args(["graph", verbosity, "--lockfile", rel])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if ancient {
            // Documented handling (docs/concepts/graph.md): it is valid JSON of a valid shape, so
            // it loads, and both defects are warnings naming file and line; the pinning checks
            // then report the package as unpinned.
            assert_eq!(out.status.code(), Some(0), "{rel}: {err}");
            let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
            let prefix = format!("warning: {rel}:");
            assert!(
                warnings
                    .iter()
                    .any(|w| w.contains("malformed integrity") && line_after(w, &prefix).is_some()),
                "{rel}: {err}"
            );
            assert!(
                warnings.iter().any(|w| w.contains("no \"resolved\"")),
                "{rel}: {err}"
            );
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{rel}: {err}");
        assert!(out.stdout.is_empty(), "{rel}");
        assert!(
            line_after(&err, &format!("error: {rel}:")).is_some(),
            "{rel}: names file and line: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{rel}: one error line: {err}");
    }
}

#[test]
fn directories_holding_an_invalid_lockfile_exit_2() {
    // Discovery does not skip a broken lockfile: the directory walk fails on it.
    for dir in [
        "fixtures/npm-cli-arborist/conflict-package-lock",
        "fixtures/npm-cli-arborist/testing-peer-deps-bad-sw",
        "fixtures/npm-cli-arborist/workspace3",
    ] {
        let out = tollgate()
            .current_dir(corpus())
            .args(["graph", dir])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{dir}: {err}");
        assert!(err.starts_with("error: "), "{dir}: {err}");
    }
}

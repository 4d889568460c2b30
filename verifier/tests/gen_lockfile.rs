//! Property test over synthetic lockfiles: `../shared/tools/gen-lockfile` output, over sizes,
//! seeds, lockfile versions (Cargo v1–v4, npm v1–v3) and shape options, must load into a graph
//! with exactly the counts its `--stats` line prints, and with no warning (every dependency the
//! generator writes resolves).
//!
//! The generator is a Python script: the test shells out to `python3` and is skipped, with a
//! message, only when `python3` is missing. The case matrix is bounded so the test stays fast;
//! `TOLLGATE_GEN_CASES=N` adds N more cases with sizes and seeds drawn from a fixed-seed PRNG
//! (print-reproducible: each failure names its generator command line).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tollgate_verifier::graph::Graph;
use tollgate_verifier::package::{HashAlgorithm, Source};
use tollgate_verifier::{Ecosystem, LoadOptions, load_graph};

/// The Cargo registry source passed to the generator, so that every other registry source is
/// the "alternative registry".
const CARGO_MAIN: &str = "registry+https://github.com/rust-lang/crates.io-index";

fn generator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/gen-lockfile")
}

/// One generator invocation.
#[derive(Debug, Clone)]
struct Case {
    ecosystem: &'static str,
    n: u32,
    seed: u32,
    version: u32,
    /// Extra flags (`--git-fraction 0.1`, `--members 0`, …).
    extra: Vec<String>,
}

impl Case {
    fn new(ecosystem: &'static str, n: u32, seed: u32, version: u32, extra: &[&str]) -> Self {
        Case {
            ecosystem,
            n,
            seed,
            version,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn args(&self, out: &Path) -> Vec<String> {
        let mut a = vec![
            generator().to_string_lossy().into_owned(),
            self.ecosystem.to_owned(),
            "-n".into(),
            self.n.to_string(),
            "--seed".into(),
            self.seed.to_string(),
            "--lockfile-version".into(),
            self.version.to_string(),
            "--stats".into(),
            "-o".into(),
            out.to_string_lossy().into_owned(),
        ];
        if self.ecosystem == "cargo" {
            a.extend(["--cargo-source".into(), CARGO_MAIN.into()]);
        }
        a.extend(self.extra.iter().cloned());
        a
    }
}

/// The fixed matrix: every lockfile version, each shape option on and off, sizes from 1 to a
/// few thousand.
fn matrix() -> Vec<Case> {
    let mut v = Vec::new();
    for version in 1..=4 {
        v.push(Case::new("cargo", 400, version, version, &[]));
        v.push(Case::new(
            "cargo",
            600,
            10 + version,
            version,
            &["--git-fraction", "0.08", "--alt-registry-fraction", "0.05"],
        ));
    }
    v.push(Case::new("cargo", 1, 1, 4, &[]));
    v.push(Case::new("cargo", 3, 2, 1, &["--git-fraction", "0.5"]));
    v.push(Case::new(
        "cargo",
        1500,
        7,
        3,
        &[
            "--members",
            "40",
            "--multi-version-fraction",
            "0.3",
            "--git-fraction",
            "0.02",
        ],
    ));
    for version in 2..=3 {
        v.push(Case::new("npm", 500, version, version, &[]));
        v.push(Case::new(
            "npm",
            800,
            20 + version,
            version,
            &[
                "--missing-integrity-fraction",
                "0.3",
                "--sha1-fraction",
                "0.1",
                "--scoped-fraction",
                "0.6",
                "--members",
                "12",
            ],
        ));
    }
    v.push(Case::new("npm", 2, 3, 3, &[]));
    v.push(Case::new("npm", 1200, 9, 3, &["--members", "0"]));
    // npm v1 has no `packages` map: the legacy tree holds neither the workspace folders nor what
    // is installed under them, so `entries` is comparable only without workspaces.
    v.push(Case::new("npm", 400, 4, 1, &["--members", "0"]));
    v.push(Case::new(
        "npm",
        600,
        31,
        1,
        &[
            "--members",
            "0",
            "--missing-integrity-fraction",
            "0.2",
            "--sha1-fraction",
            "0.3",
        ],
    ));
    v
}

/// `TOLLGATE_GEN_CASES` extra cases from a fixed-seed xorshift, so a failure reproduces.
fn extra_cases(count: usize) -> Vec<Case> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    (0..count)
        .map(|_| {
            let n = 1 + next(5000) as u32;
            let seed = next(1_000_000) as u32;
            if next(2) == 0 {
                let version = 1 + next(4) as u32;
                let git = format!("{:.2}", next(20) as f64 / 100.0);
                let alt = format!("{:.2}", next(20) as f64 / 100.0);
                Case::new(
                    "cargo",
                    n,
                    seed,
                    version,
                    &["--git-fraction", &git, "--alt-registry-fraction", &alt],
                )
            } else {
                let version = 1 + next(3) as u32;
                let members = if version == 1 { 0 } else { next(20) as u32 };
                let missing = format!("{:.2}", next(50) as f64 / 100.0);
                let sha1 = format!("{:.2}", next(50) as f64 / 100.0);
                Case::new(
                    "npm",
                    n,
                    seed,
                    version,
                    &[
                        "--members",
                        &members.to_string(),
                        "--missing-integrity-fraction",
                        &missing,
                        "--sha1-fraction",
                        &sha1,
                    ],
                )
            }
        })
        .collect()
}

fn stat(s: &Value, k: &str) -> usize {
    s[k].as_u64()
        .unwrap_or_else(|| panic!("--stats has no `{k}`: {s}")) as usize
}

/// Generates one lockfile, loads it, and returns the mismatches between graph and `--stats`.
fn run_case(python: &str, case: &Case, dir: &Path, idx: usize) -> Vec<String> {
    // The loader detects the format by file name: give each case the real name in its own
    // directory.
    let case_dir = dir.join(idx.to_string());
    std::fs::create_dir_all(&case_dir).unwrap();
    let file = case_dir.join(if case.ecosystem == "cargo" {
        "Cargo.lock"
    } else {
        "package-lock.json"
    });
    let args = case.args(&file);
    let cmdline = format!("gen-lockfile {}", args[1..].join(" "));
    let out = Command::new(python).args(&args).output().unwrap();
    if !out.status.success() {
        return vec![format!(
            "{cmdline}: generator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )];
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let Some(stats) = stderr
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
    else {
        return vec![format!("{cmdline}: no --stats line in {stderr:?}")];
    };
    let graph = match load_graph(std::slice::from_ref(&file), &LoadOptions::default()) {
        Ok(g) => g,
        Err(e) => return vec![format!("{cmdline}: does not load: {e}")],
    };
    let mut bad = Vec::new();
    if !graph.warnings.is_empty() {
        bad.push(format!(
            "{cmdline}: {} warning(s), first: {:?}",
            graph.warnings.len(),
            graph.warnings[0]
        ));
    }
    if let Some((_, u)) = graph.unresolved.first() {
        bad.push(format!(
            "{cmdline}: {} unresolved dependencies, first: {u:?}",
            graph.unresolved.len()
        ));
    }
    let mut check = |what: &str, got: usize, want: usize| {
        if got != want {
            bad.push(format!("{cmdline}: {what}: graph {got}, --stats {want}"));
        }
    };
    check(
        "lockfile version",
        graph.lockfiles[0].version as usize,
        case.version as usize,
    );
    if case.ecosystem == "cargo" {
        check_cargo(&graph, &stats, &mut check);
    } else {
        check_npm(&graph, &stats, case.version, &mut check);
    }
    bad
}

fn check_cargo(graph: &Graph, s: &Value, check: &mut dyn FnMut(&str, usize, usize)) {
    let pkgs: Vec<_> = graph.packages().map(|(_, p)| p).collect();
    check("packages", pkgs.len(), stat(s, "packages"));
    check("edges", graph.edge_count(), stat(s, "edges"));
    check(
        "members (path packages)",
        pkgs.iter()
            .filter(|p| matches!(p.source, Source::Path))
            .count(),
        stat(s, "members"),
    );
    check(
        "git",
        pkgs.iter()
            .filter(|p| matches!(p.source, Source::Git(_)))
            .count(),
        stat(s, "git"),
    );
    check(
        "alt_registry",
        pkgs.iter()
            .filter(|p| p.source.is_registry() && p.source_raw.as_deref() != Some(CARGO_MAIN))
            .count(),
        stat(s, "alt_registry"),
    );
    let mut by_name = std::collections::HashMap::<&str, usize>::new();
    for p in &pkgs {
        *by_name.entry(p.name.as_str()).or_default() += 1;
    }
    check(
        "names_multi_version",
        by_name.values().filter(|&&c| c > 1).count(),
        stat(s, "names_multi_version"),
    );
    // Every registry package carries a SHA-256 checksum (v1: from `[metadata]`); git and path
    // packages carry none.
    check(
        "registry packages with a sha256 checksum",
        pkgs.iter()
            .filter(|p| {
                p.integrity.as_ref().is_some_and(|i| {
                    i.malformed.is_empty()
                        && i.digests.len() == 1
                        && i.digests[0].algorithm == HashAlgorithm::Sha256
                })
            })
            .count(),
        pkgs.iter().filter(|p| p.source.is_registry()).count(),
    );
    check(
        "packages with a checksum",
        pkgs.iter().filter(|p| p.checksum.is_some()).count(),
        pkgs.iter().filter(|p| p.source.is_registry()).count(),
    );
    check("unreachable", graph.unreachable().len(), 0);
    check(
        "roots that are not members",
        graph
            .roots()
            .iter()
            .filter(|&&r| !matches!(graph.package(r).source, Source::Path))
            .count(),
        0,
    );
}

fn check_npm(graph: &Graph, s: &Value, version: u32, check: &mut dyn FnMut(&str, usize, usize)) {
    let non_root: Vec<_> = graph
        .packages()
        .map(|(_, p)| p)
        .filter(|p| p.npm.as_ref().is_some_and(|m| !m.path.is_empty()))
        .collect();
    assert!(non_root.iter().all(|p| p.ecosystem == Ecosystem::Npm));
    let depth = |p: &&tollgate_verifier::Package| {
        p.npm
            .as_ref()
            .map_or(0, |m| m.path.matches("node_modules/").count())
    };
    let workspaces = stat(s, "workspaces");
    let (dev, optional, dev_optional) =
        (stat(s, "dev"), stat(s, "optional"), stat(s, "devOptional"));
    if version == 1 {
        // One node per tree node plus the root project; the tree writes `devOptional` as both
        // `dev` and `optional`.
        check("packages", non_root.len(), stat(s, "entries"));
        check(
            "dev",
            non_root.iter().filter(|p| p.scopes.dev).count(),
            dev + dev_optional,
        );
        check(
            "optional",
            non_root.iter().filter(|p| p.scopes.optional).count(),
            optional + dev_optional,
        );
    } else {
        // `entries` counts every `packages` key but the root; links are not nodes.
        check("packages", non_root.len(), stat(s, "entries") - workspaces);
        check("dev", non_root.iter().filter(|p| p.scopes.dev).count(), dev);
        check(
            "optional",
            non_root.iter().filter(|p| p.scopes.optional).count(),
            optional,
        );
        check(
            "devOptional",
            non_root.iter().filter(|p| p.scopes.dev_optional).count(),
            dev_optional,
        );
        check(
            "workspaces",
            non_root
                .iter()
                .filter(|p| p.npm.as_ref().is_some_and(|m| m.workspace))
                .count(),
            workspaces,
        );
        check("roots", graph.roots().len(), workspaces + 1);
    }
    check("nodes incl. root", graph.len(), non_root.len() + 1);
    check(
        "nested",
        non_root.iter().filter(|p| depth(p) > 1).count(),
        stat(s, "nested"),
    );
    check(
        "max_depth",
        non_root.iter().map(depth).max().unwrap_or(0),
        stat(s, "max_depth"),
    );
}

#[test]
fn generated_lockfiles_match_their_stats() {
    if !support::tools::require("python3", &["--version"], "apt-get install python3") {
        return;
    }
    let python = "python3";
    let mut cases = matrix();
    let extra: usize = std::env::var("TOLLGATE_GEN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    cases.extend(extra_cases(extra));
    let dir = tempfile::tempdir().unwrap();
    // Two workers: the generator is the slow part, and the machine has two cores.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let bad = run_case(python, case, dir.path(), i);
                    failures.lock().unwrap().extend(bad);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} mismatch(es) over {} generated lockfiles:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn rejects_a_stats_mismatch() {
    // The negative twin: the same checks flag a graph that lost a package and an edge.
    if !support::tools::require("python3", &["--version"], "apt-get install python3") {
        return;
    }
    let python = "python3";
    let dir = tempfile::tempdir().unwrap();
    let case = Case::new("cargo", 50, 1, 4, &[]);
    assert!(run_case(python, &case, dir.path(), 0).is_empty());
    // Drop the last package (and its dependency strings no longer resolve) from the file.
    let file = dir.path().join("0/Cargo.lock");
    let text = std::fs::read_to_string(&file).unwrap();
    let last = text.rfind("[[package]]").unwrap();
    std::fs::write(&file, &text[..last]).unwrap();
    let graph = load_graph(&[file], &LoadOptions::default()).unwrap();
    let mut bad = Vec::new();
    let stats: Value = serde_json::json!({
        "packages": 50, "members": 1, "edges": 0, "git": 0, "alt_registry": 0,
        "names_multi_version": 0
    });
    check_cargo(&graph, &stats, &mut |what, got, want| {
        if got != want {
            bad.push(what.to_owned());
        }
    });
    assert!(bad.iter().any(|b| b == "packages"), "{bad:?}");
    assert!(
        !graph.unresolved.is_empty(),
        "a dependency string now names no package"
    );
}

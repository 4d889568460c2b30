//! `lock-drift`: manifests against lockfiles. Every drifted fixture in `testdata/drift/` has an
//! in-sync twin (the base it was derived from by `testdata/drift/make.py`). The manifest reader
//! is the default (`use-cargo = false`); the tests that ask cargo itself set `use-cargo = true`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};

use tollgate_verifier::checks::drift::Manifests;
use tollgate_verifier::checks::{CheckCx, ChecksConfig, run_checks};
use tollgate_verifier::{Finding, LoadOptions, load_graph};

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/drift")
        .join(case)
}

/// Runs every check over the lockfiles of `dir` with its manifests loaded; `dir` is the
/// repository root.
fn run_dir(dir: &Path, cfg: &ChecksConfig) -> (Vec<Finding>, Vec<String>) {
    let graph = load_graph(&[dir.to_path_buf()], &LoadOptions::default()).unwrap();
    let m = Manifests::load(&graph, dir, cfg).unwrap();
    let mut cx = CheckCx::new(&graph, dir, cfg);
    cx.manifests = Some(&m);
    (
        run_checks(&cx),
        m.notes.iter().map(|n| n.text.clone()).collect(),
    )
}

fn reader() -> ChecksConfig {
    let mut cfg = ChecksConfig::default();
    cfg.drift.use_cargo = false;
    cfg
}

/// The deep mode: `cargo metadata --locked --offline` first.
fn with_cargo() -> ChecksConfig {
    let mut cfg = ChecksConfig::default();
    cfg.drift.use_cargo = true;
    cfg
}

/// The `lock-drift` findings of a fixture, read without cargo.
fn drift(case: &str) -> Vec<Finding> {
    let (fs, _) = run_dir(&case_dir(case), &reader());
    fs.into_iter()
        .filter(|f| f.code.kind() == "lock-drift")
        .collect()
}

fn summary(fs: &[Finding]) -> Vec<String> {
    fs.iter()
        .map(|f| {
            let p = f.package.as_ref().unwrap();
            let loc = f.location.as_ref().unwrap();
            format!("{}@{} {}:{}", p.name, p.version, loc.file, loc.line)
        })
        .collect()
}

/// Exactly one drift finding, about `name`.
fn one(case: &str, name: &str) -> Finding {
    let fs = drift(case);
    assert_eq!(fs.len(), 1, "{case}: {:#?}", summary(&fs));
    let f = fs.into_iter().next().unwrap();
    assert_eq!(f.package.as_ref().unwrap().name, name, "{case}: {f:#?}");
    assert_eq!(f.severity.as_str(), "high");
    assert!(matches!(
        f.fix,
        Some(
            tollgate_verifier::finding::FixHint::UpdateLockfile { .. }
                | tollgate_verifier::finding::FixHint::FixManifest
                | tollgate_verifier::finding::FixHint::RestoreMember { .. }
        )
    ));
    f
}

// ------------------------------------------------------------------ Cargo, manifest reader

#[test]
fn accepts_cargo_workspace_in_sync() {
    let fs = drift("cargo-ws");
    assert!(fs.is_empty(), "{:#?}", summary(&fs));
}

#[test]
fn rejects_cargo_changed_requirement() {
    let f = one("cargo-ws-req", "memchr");
    assert_eq!(f.package.as_ref().unwrap().version, "2.8.3");
    assert_eq!(f.title, "memchr 2.9 not satisfied by locked memchr@2.8.3");
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("crates/app/Cargo.toml", 9));
    assert!(
        f.message
            .contains("`mc` (crates.io 2.9) in [dependencies] of app"),
        "{}",
        f.message
    );
    assert_eq!(f.path, ["app@0.1.0", "memchr@2.8.3"]);
    assert!(f.scopes.is_empty());
}

#[test]
fn rejects_cargo_added_dependency() {
    let f = one("cargo-ws-added", "hex");
    assert_eq!(f.package.as_ref().unwrap().version, "");
    assert_eq!(f.title, "hex 0.4 is declared but not locked");
    assert_eq!(f.path, ["app@0.1.0", "hex"]);
    assert_eq!(
        f.id,
        "drift/lock-drift:crates/app/Cargo.toml:build-dependencies.hex"
    );
}

#[test]
fn rejects_cargo_removed_dependency() {
    let f = one("cargo-ws-removed", "libc");
    assert_eq!(
        f.title,
        "libc@0.2.191 is locked for app but no longer declared"
    );
    assert_eq!(f.location.as_ref().unwrap().file, "Cargo.lock");
}

#[test]
fn rejects_cargo_member_version_bump() {
    let f = one("cargo-ws-version", "util");
    assert_eq!(
        f.title,
        "util is 0.4.0 in its manifest, 0.3.0 in Cargo.lock"
    );
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("crates/util/Cargo.toml", 3));
}

#[test]
fn rejects_cargo_workspace_inherited_requirement() {
    let f = one("cargo-ws-inherit", "itoa");
    assert_eq!(f.title, "itoa 1.1 not satisfied by locked itoa@1.0.19");
    assert!(
        f.message.contains("`itoa` (crates.io 1.1)"),
        "{}",
        f.message
    );
}

#[test]
fn rejects_cargo_changed_source_kind() {
    let f = one("cargo-ws-source", "memchr");
    assert_eq!(f.title, "memchr is declared from git, locked from registry");
}

#[test]
fn rejects_cargo_stale_path_package() {
    let f = one("cargo-ws-stale", "old-tool");
    assert_eq!(
        f.title,
        "old-tool@0.1.0 is in Cargo.lock but no longer in the workspace"
    );
}

#[test]
fn rejects_cargo_member_without_manifest() {
    let f = one("cargo-ws-member-missing", "util");
    // A path dependency under the workspace root is a member, as Cargo makes it one.
    assert_eq!(f.title, "workspace member crates/util has no Cargo.toml");
    assert_eq!(f.location.as_ref().unwrap().file, "crates/app/Cargo.toml");
}

#[test]
fn accepts_cargo_path_workspace_and_rejects_member_version() {
    assert!(drift("cargo-paths").is_empty());
    let f = one("cargo-paths-version", "lib-b");
    assert_eq!(
        f.title,
        "lib-b is 0.2.0 in its manifest, 0.1.0 in Cargo.lock"
    );
}

#[test]
fn drift_severity_and_enabled_come_from_config() {
    let mut cfg = reader();
    cfg.drift.settings.severity = Some(tollgate_verifier::Severity::Low);
    let (fs, _) = run_dir(&case_dir("cargo-ws-req"), &cfg);
    let f = fs.iter().find(|f| f.code.kind() == "lock-drift").unwrap();
    assert_eq!(f.severity.as_str(), "low");
    cfg.drift.settings.enabled = false;
    let (fs, notes) = run_dir(&case_dir("cargo-ws-req"), &cfg);
    assert!(!fs.iter().any(|f| f.code.kind() == "lock-drift"));
    assert!(notes.is_empty());
}

// ------------------------------------------------------------------ Cargo, asking cargo

#[test]
fn cargo_metadata_accepts_the_in_sync_twin_and_refuses_the_drifted_one() {
    if !support::tools::require("cargo", &["--version"], "install Rust with rustup") {
        return;
    }
    let cfg = with_cargo();
    let (fs, notes) = run_dir(&case_dir("cargo-paths"), &cfg);
    assert!(
        !fs.iter().any(|f| f.code.kind() == "lock-drift"),
        "{:#?}",
        summary(&fs)
    );
    assert!(notes.is_empty(), "{notes:?}");

    let (fs, notes) = run_dir(&case_dir("cargo-paths-version"), &cfg);
    assert!(notes.is_empty(), "cargo decided: {notes:?}");
    let drift: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.code.kind() == "lock-drift")
        .collect();
    let cargo = drift
        .iter()
        .find(|f| f.id.ends_with(":cargo-metadata"))
        .expect("cargo's refusal is a finding");
    assert!(cargo.message.contains("--locked"), "{}", cargo.message);
    assert_eq!(cargo.package.as_ref().unwrap().name, "app");
    // The manifest comparison names the declaration too.
    assert!(
        drift
            .iter()
            .any(|f| f.package.as_ref().unwrap().name == "lib-b")
    );
}

/// Every Cargo twin with cargo asked first: cargo either decides (then an in-sync twin has no
/// finding and a drifted one has cargo's refusal) or cannot (registry crates not in the local
/// cache; then a note says so). Either way the reader's findings stand, except when cargo
/// accepts the lock.
#[test]
fn cargo_twins_agree_with_and_without_cargo() {
    if !support::tools::require("cargo", &["--version"], "install Rust with rustup") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/drift");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cargo-"))
        .collect();
    cases.sort();
    for case in cases {
        let read = drift(&case);
        let (fs, notes) = run_dir(&case_dir(&case), &with_cargo());
        let asked: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.code.kind() == "lock-drift")
            .collect();
        let refused = asked.iter().any(|f| f.id.ends_with(":cargo-metadata"));
        let fell_back = notes.iter().any(|n| n.contains("could not decide"));
        if read.is_empty() {
            assert!(!refused, "{case}: cargo refused an in-sync twin");
            assert!(asked.is_empty(), "{case}: {:#?}", summary(&fs));
        } else if refused || fell_back {
            for f in &read {
                assert!(
                    asked.iter().any(|a| a.id == f.id),
                    "{case}: {} missing with cargo",
                    f.id
                );
            }
        } else {
            // Cargo accepted a lock the reader calls drifted: only for a stale path package,
            // which `--locked` tolerates (cargo drops it the next time it writes the lock).
            assert!(
                read.iter().all(|f| f.id.contains(":stale:")),
                "{case}: cargo accepted, the reader found {:#?}",
                summary(&read)
            );
            assert!(asked.is_empty(), "{case}: cargo's word is final");
        }
    }
}

#[test]
fn cargo_that_cannot_decide_falls_back_to_the_manifests_with_a_note() {
    if !support::tools::require("cargo", &["--version"], "install Rust with rustup") {
        return;
    }
    // Registry dependencies offline, with an empty CARGO_HOME: cargo cannot resolve them. The
    // tests do not set CARGO_HOME for the process, so emulate with a manifest cargo rejects.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case_dir("cargo-paths-version"), dir.path());
    std::fs::write(
        dir.path().join("Cargo.toml"),
        std::fs::read_to_string(dir.path().join("Cargo.toml"))
            .unwrap()
            .replace("edition = \"2021\"", "edition = \"1999\""),
    )
    .unwrap();
    let (fs, notes) = run_dir(dir.path(), &with_cargo());
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("could not decide"), "{notes:?}");
    let names: Vec<String> = fs
        .iter()
        .filter(|f| f.code.kind() == "lock-drift")
        .map(|f| f.package.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(names, ["lib-b"]);
}

/// The default configuration never starts cargo: the manifest comparison is authoritative and
/// finds every drifted Cargo twin on its own (the same findings as the reader, no cargo note).
#[test]
fn default_config_compares_the_manifests_without_cargo() {
    assert!(!ChecksConfig::default().drift.use_cargo);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/drift");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cargo-"))
        .collect();
    cases.sort();
    let mut clean = Vec::new();
    for case in &cases {
        let (fs, notes) = run_dir(&case_dir(case), &ChecksConfig::default());
        let ids = |fs: &[Finding]| -> Vec<String> {
            fs.iter()
                .filter(|f| f.code.kind() == "lock-drift")
                .map(|f| f.id.clone())
                .collect()
        };
        let got = ids(&fs);
        assert!(
            !got.iter().any(|id| id.ends_with(":cargo-metadata")),
            "{case}: cargo ran by default"
        );
        assert!(
            !notes
                .iter()
                .any(|n| n.contains("`cargo metadata") || n.contains("cargo is not on PATH")),
            "{case}: {notes:?}"
        );
        assert_eq!(got, ids(&drift(case)), "{case}");
        if got.is_empty() {
            clean.push(case.as_str());
        }
    }
    // Every drifted twin is still detected: only the in-sync bases (and cargo-outside-drift,
    // whose finding is `path-outside-repo`) have no lock-drift finding.
    assert_eq!(
        clean,
        [
            "cargo-outside",
            "cargo-outside-drift",
            "cargo-paths",
            "cargo-ws"
        ]
    );
}

/// A manifest cargo itself rejects: by default cargo is not asked (no "could not decide" note)
/// and the comparison reports the drift; in the deep mode cargo's failure is a note (twin of
/// `cargo_that_cannot_decide_falls_back_to_the_manifests_with_a_note`).
#[test]
fn default_config_does_not_start_cargo() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case_dir("cargo-paths-version"), dir.path());
    std::fs::write(
        dir.path().join("Cargo.toml"),
        std::fs::read_to_string(dir.path().join("Cargo.toml"))
            .unwrap()
            .replace("edition = \"2021\"", "edition = \"1999\""),
    )
    .unwrap();
    let (fs, notes) = run_dir(dir.path(), &ChecksConfig::default());
    assert!(notes.is_empty(), "{notes:?}");
    let names: Vec<String> = fs
        .iter()
        .filter(|f| f.code.kind() == "lock-drift")
        .map(|f| f.package.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(names, ["lib-b"]);
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

// ------------------------------------------------------------------ Cargo path-outside-repo

#[test]
fn accepts_cargo_path_dependency_inside_the_repository() {
    let (fs, _) = run_dir(&case_dir("cargo-outside"), &reader());
    assert!(fs.is_empty(), "{:#?}", summary(&fs));
}

#[test]
fn rejects_cargo_path_dependency_outside_the_repository() {
    let (fs, notes) = run_dir(&case_dir("cargo-outside-drift"), &reader());
    let out: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.code.kind() == "path-outside-repo")
        .collect();
    assert_eq!(out.len(), 1, "{:#?}", summary(&fs));
    let f = out[0];
    assert_eq!(f.package.as_ref().unwrap().name, "shared");
    assert_eq!(f.severity.as_str(), "medium");
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("crates/app/Cargo.toml", 7));
    // Its manifest is not read, and the lock entry is still accounted for.
    assert!(!fs.iter().any(|f| f.code.kind() == "lock-drift"));
    assert!(
        notes.iter().any(|n| n.contains("outside the repository")),
        "{notes:?}"
    );
}

// ------------------------------------------------------------------ npm

#[test]
fn accepts_npm_workspaces_in_sync() {
    let fs = drift("npm-ws");
    assert!(fs.is_empty(), "{:#?}", summary(&fs));
}

#[test]
fn rejects_npm_unsatisfied_range() {
    let f = one("npm-ws-range", "is-odd");
    assert_eq!(
        f.title,
        "is-odd ^4.0.0 not satisfied by locked is-odd@3.0.1"
    );
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("package.json", 9));
    assert!(
        f.message.contains("`npm ci` refuses this lock"),
        "{}",
        f.message
    );
    assert!(f.message.contains("records `^3.0.0`"), "{}", f.message);
}

#[test]
fn rejects_npm_added_dependency() {
    let f = one("npm-ws-added", "is-even");
    assert_eq!(f.title, "is-even ^1.0.0 is declared but not locked");
    assert_eq!(f.path, ["web@1.0.0", "is-even"]);
}

#[test]
fn rejects_npm_removed_dependency() {
    let f = one("npm-ws-removed", "is-odd");
    assert_eq!(
        f.title,
        "is-odd is recorded in the lock but no longer declared"
    );
    assert_eq!(f.location.as_ref().unwrap().file, "package-lock.json");
}

#[test]
fn rejects_npm_range_the_lock_does_not_record() {
    // ^1.2.0 is still satisfied by 1.3.0: `npm ci` would install, but the lock is stale.
    let f = one("npm-ws-recorded", "left-pad");
    assert_eq!(
        f.title,
        "left-pad: package.json declares `^1.2.0`, the lock records `^1.3.0`"
    );
    assert!(
        f.message.contains("`npm install` would rewrite"),
        "{}",
        f.message
    );
}

#[test]
fn rejects_npm_alias_to_another_package() {
    let f = one("npm-ws-alias", "ms");
    assert!(f.message.contains("asks for `mx`"), "{}", f.message);
}

#[test]
fn rejects_npm_file_dependency_to_another_folder() {
    let f = one("npm-ws-file", "c");
    assert!(
        f.message
            .contains("the lock links to vendor/c, the manifest asks for vendor/d"),
        "{}",
        f.message
    );
}

#[test]
fn rejects_npm_workspace_version_bump() {
    let f = one("npm-ws-member", "b");
    assert_eq!(
        f.title,
        "workspace b is 0.3.0 in its manifest, 0.2.0 in package-lock.json"
    );
    assert_eq!(f.location.as_ref().unwrap().file, "packages/b/package.json");
}

#[test]
fn rejects_npm_workspace_that_is_gone() {
    let fs = drift("npm-ws-gone");
    let titles: Vec<&str> = fs.iter().map(|f| f.title.as_str()).collect();
    assert!(
        titles
            .contains(&"workspace packages/b is in package-lock.json but no longer in the project"),
        "{titles:#?}"
    );
    // packages/a no longer declares b: the lock's record of it is stale too.
    assert!(
        titles.contains(&"b is recorded in the lock but no longer declared"),
        "{titles:#?}"
    );
    assert_eq!(fs.len(), 2, "{titles:#?}");
}

#[test]
fn rejects_npm_unsatisfied_peer() {
    let f = one("npm-ws-peer", "kind-of");
    assert!(f.title.contains(">=7"), "{}", f.title);
}

#[test]
fn accepts_npm_v1_in_sync_and_rejects_its_twins() {
    assert!(
        drift("npm-v1").is_empty(),
        "{:#?}",
        summary(&drift("npm-v1"))
    );
    let f = one("npm-v1-range", "is-odd");
    assert_eq!(
        f.title,
        "is-odd ^4.0.0 not satisfied by locked is-odd@3.0.1"
    );
    let f = one("npm-v1-removed", "left-pad");
    assert_eq!(
        f.title,
        "left-pad is recorded in the lock but no longer declared"
    );
}

// ------------------------------------------------------------------ inputs

#[test]
fn lockfile_without_manifest_is_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        case_dir("cargo-ws").join("Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    let (fs, notes) = run_dir(dir.path(), &reader());
    assert!(!fs.iter().any(|f| f.code.kind() == "lock-drift"));
    assert_eq!(
        notes,
        ["drift: no Cargo.toml beside Cargo.lock; lock-drift not checked"]
    );
}

#[test]
fn rejects_malformed_manifests_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case_dir("npm-ws"), dir.path());
    std::fs::write(
        dir.path().join("packages/a/package.json"),
        "{\n  \"name\": \"a\",\n  \"dependencies\": {\"b\": \"*\",}\n}\n",
    )
    .unwrap();
    let graph = load_graph(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    let e = Manifests::load(&graph, dir.path(), &reader()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("packages/a/package.json:3:"), "{msg}");

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case_dir("cargo-ws"), dir.path());
    std::fs::write(
        dir.path().join("crates/util/Cargo.toml"),
        "[package]\nname = \"util\"\nversion = [\n",
    )
    .unwrap();
    let graph = load_graph(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    let e = Manifests::load(&graph, dir.path(), &reader()).unwrap_err();
    assert!(e.to_string().contains("crates/util/Cargo.toml:"), "{e}");
}

// ------------------------------------------------------------------ corpus

/// The corpus keeps the root manifest beside each real lockfile, but not the manifests of
/// workspace members. The locks satisfy their root manifests; what remains is the members whose
/// manifests are absent (Cargo: cargo could not load the workspace; npm: npm skips a workspace
/// folder without package.json, so its lock entries are stale).
#[test]
fn corpus_locks_satisfy_their_root_manifests() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/lockfiles");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 20, "{} corpus directories", dirs.len());
    let mut report = Vec::new();
    for dir in &dirs {
        let (fs, _) = run_dir(dir, &reader());
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (absent, other): (Vec<&Finding>, Vec<&Finding>) = fs
            .iter()
            .filter(|f| f.code.kind() == "lock-drift")
            .partition(|f| {
                f.title.ends_with("has no Cargo.toml")
                    || (f.title.starts_with("workspace ")
                        && f.title.ends_with("but no longer in the project")
                        && f.message.contains("it has no package.json"))
            });
        report.push(format!(
            "{case}: {} absent member manifest(s)",
            absent.len()
        ));
        for f in other {
            report.push(format!("{case}: {}", f.title));
        }
    }
    insta::assert_snapshot!("corpus_drift", report.join("\n"));
}

/// The negative twin of the corpus test: one edited requirement in a real root manifest.
#[test]
fn rejects_edited_corpus_root_manifests() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/lockfiles");
    for (case, file, old, new, name) in [
        (
            "ripgrep-v4",
            "Cargo.toml",
            "bstr = \"1.7.0\"",
            "bstr = \"2\"",
            "bstr",
        ),
        (
            "lerna-v3",
            "package.json",
            "\"@nx/js\": \"23.1.0\"",
            "\"@nx/js\": \"23.2.0\"",
            "@nx/js",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&corpus.join(case), dir.path());
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(text.contains(old), "{case}");
        std::fs::write(dir.path().join(file), text.replacen(old, new, 1)).unwrap();
        let (fs, _) = run_dir(dir.path(), &reader());
        let hits: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.code.kind() == "lock-drift" && f.package.as_ref().unwrap().name == name)
            .collect();
        assert_eq!(hits.len(), 1, "{case}: {:#?}", summary(&fs));
        assert!(hits[0].title.contains("not satisfied"), "{}", hits[0].title);
    }
}

// ------------------------------------------------------------------ parsers never panic

mod never_panics {
    use std::path::Path;

    use proptest::prelude::*;
    use tollgate_verifier::checks::drift::npm_spec::{Target, classify, dep_valid};
    use tollgate_verifier::lockfile::cargo_manifest::parse_manifest;
    use tollgate_verifier::lockfile::npm_manifest::{lock_facts, parse_package_json};

    proptest! {
        #[test]
        fn spec_classification_and_validity(spec in "\\PC{0,40}", version in "[0-9a-z.+-]{0,12}") {
            let t = Target {
                name: "a",
                version: &version,
                resolved: Some(&spec),
                link: None,
                lock_dir: Path::new("/r"),
            };
            let _ = dep_valid(&classify(&spec), &t, Path::new("/r"));
        }

        #[test]
        fn manifests(text in "\\PC{0,200}") {
            let _ = parse_package_json(Path::new("package.json"), &text);
            let _ = lock_facts(Path::new("package-lock.json"), &text);
            let _ = parse_manifest(Path::new("Cargo.toml"), &text, None);
        }

        #[test]
        fn structured_manifests(
            key in "[a-z@/_-]{1,12}",
            value in prop_oneof![Just("\"^1\"".to_owned()), "\"\\PC{0,12}\"", Just("{ workspace = true }".to_owned()), Just("{ path = \"../x\" }".to_owned()), Just("5".to_owned())],
        ) {
            let _ = parse_manifest(Path::new("Cargo.toml"), &format!("[package]\nname = \"a\"\n[dependencies]\n\"{key}\" = {value}\n"), None);
            let _ = parse_package_json(Path::new("package.json"), &format!("{{\"dependencies\": {{\"{key}\": {}}}}}", value.replace(" = ", ": ")));
        }
    }
}

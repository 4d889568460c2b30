//! Offline pinning and source checks: one positive and one negative test per finding kind, the
//! legitimate exceptions, and expectations over the shared corpus.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use tollgate_verifier::checks::{CheckCx, ChecksConfig, run_checks};
use tollgate_verifier::{Finding, LoadOptions, load_graph};

const SHA512: &str = "sha512-dYEyruIho8J+fbL60i3+R+9WbvX0YIN2uomWgCr06hT0AHu9O6BhIl5z5FRiJUgykJ1dzb092eR/FjBtnKEb8w==";
const SHA1: &str = "sha1-hX/Kv8M5fSYluCKCYuhqp6ARsF0=";

fn npm_lock(entries: &str) -> String {
    format!(
        r#"{{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{{"":{{"name":"app","version":"1.0.0"}}{entries}}}}}"#
    )
}

fn npm_entry(key: &str, body: &str) -> String {
    format!(r#","{key}":{{{body}}}"#)
}

fn reg(name: &str, version: &str, extra: &str) -> String {
    npm_entry(
        &format!("node_modules/{name}"),
        &format!(
            r#""version":"{version}","resolved":"https://registry.npmjs.org/{name}/-/{}-{version}.tgz"{extra}"#,
            name.rsplit('/').next().unwrap()
        ),
    )
}

/// Writes `file` into a temporary repository, runs every check with `cfg`, returns findings.
fn check_with(file: &str, text: &str, cfg: &ChecksConfig) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let graph = load_graph(&[path], &LoadOptions::default()).unwrap();
    run_checks(&CheckCx::new(&graph, dir.path(), cfg))
}

fn check(file: &str, text: &str) -> Vec<Finding> {
    check_with(file, text, &ChecksConfig::default())
}

fn kinds(fs: &[Finding]) -> Vec<(String, String)> {
    fs.iter()
        .map(|f| {
            (
                f.code.kind().to_owned(),
                f.package
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn has(fs: &[Finding], kind: &str, name: &str) -> bool {
    kinds(fs).iter().any(|(k, n)| k == kind && n == name)
}

fn count(fs: &[Finding], kind: &str) -> usize {
    fs.iter().filter(|f| f.code.kind() == kind).count()
}

// ---------------------------------------------------------------- missing-hash

#[test]
fn rejects_registry_package_without_integrity() {
    let fs = check("package-lock.json", &npm_lock(&reg("a", "1.0.0", "")));
    assert!(has(&fs, "missing-hash", "a"), "{:?}", kinds(&fs));
    let f = fs.iter().find(|f| f.code.kind() == "missing-hash").unwrap();
    assert_eq!(f.severity.as_str(), "high");
    assert_eq!(f.id, "pinning/missing-hash:a@1.0.0");
}

#[test]
fn accepts_registry_package_with_integrity() {
    let fs = check(
        "package-lock.json",
        &npm_lock(&reg("a", "1.0.0", &format!(r#","integrity":"{SHA512}""#))),
    );
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
}

#[test]
fn accepts_hashless_links_workspaces_bundles_folders_and_git() {
    let entries = [
        npm_entry("packages/ws", r#""name":"ws","version":"1.0.0""#),
        npm_entry("node_modules/ws", r#""resolved":"packages/ws","link":true"#),
        reg("parent", "1.0.0", &format!(r#","integrity":"{SHA512}""#)),
        npm_entry(
            "node_modules/parent/node_modules/bundled",
            r#""version":"2.0.0","inBundle":true"#,
        ),
        npm_entry(
            "node_modules/folder",
            r#""version":"1.0.0","resolved":"file:vendor/folder""#,
        ),
        npm_entry(
            "node_modules/gitdep",
            r#""version":"1.0.0","resolved":"git+ssh://git@github.com/a/gitdep.git#3754568bfd43a841d2d72d7fb54598635aea8fa4""#,
        ),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert_eq!(count(&fs, "missing-hash"), 0, "{:?}", kinds(&fs));
    // The near miss: the same bundled entry without `inBundle` is a registry package.
    let entries = [
        reg("parent", "1.0.0", &format!(r#","integrity":"{SHA512}""#)),
        npm_entry(
            "node_modules/parent/node_modules/bundled",
            r#""version":"2.0.0""#,
        ),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "missing-hash", "bundled"), "{:?}", kinds(&fs));
}

const CARGO_LOCK: &str = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["dep", "gitdep", "local"]

[[package]]
name = "dep"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "1111111111111111111111111111111111111111111111111111111111111111"

[[package]]
name = "gitdep"
version = "0.1.0"
source = "git+https://github.com/o/gitdep?branch=main#3754568bfd43a841d2d72d7fb54598635aea8fa4"

[[package]]
name = "local"
version = "0.1.0"
"#;

#[test]
fn accepts_cargo_git_and_path_without_checksum() {
    let fs = check("Cargo.lock", CARGO_LOCK);
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
}

#[test]
fn rejects_cargo_registry_package_without_checksum() {
    let text = CARGO_LOCK.replace(
        "checksum = \"1111111111111111111111111111111111111111111111111111111111111111\"\n",
        "",
    );
    let fs = check("Cargo.lock", &text);
    assert!(has(&fs, "missing-hash", "dep"), "{:?}", kinds(&fs));
}

#[test]
fn ignore_list_silences_missing_hash() {
    let mut cfg = ChecksConfig::default();
    cfg.pinning.missing_hash.settings.ignore = vec!["a@1.0.0".into()];
    let fs = check_with("package-lock.json", &npm_lock(&reg("a", "1.0.0", "")), &cfg);
    assert!(fs.is_empty());
    cfg.pinning.missing_hash.settings.ignore = vec!["a@2.0.0".into()];
    let fs = check_with("package-lock.json", &npm_lock(&reg("a", "1.0.0", "")), &cfg);
    assert_eq!(count(&fs, "missing-hash"), 1);
}

// ---------------------------------------------------------------- weak-hash

#[test]
fn rejects_sha1_only_integrity() {
    let fs = check(
        "package-lock.json",
        &npm_lock(&reg("a", "1.0.0", &format!(r#","integrity":"{SHA1}""#))),
    );
    assert!(has(&fs, "weak-hash", "a"), "{:?}", kinds(&fs));
}

#[test]
fn accepts_sha512_beside_sha1() {
    let fs = check(
        "package-lock.json",
        &npm_lock(&reg(
            "a",
            "1.0.0",
            &format!(r#","integrity":"{SHA1} {SHA512}""#),
        )),
    );
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
}

#[test]
fn accept_sha1_knob_and_md5_never_accepted() {
    let mut cfg = ChecksConfig::default();
    cfg.pinning.weak_hash.accept_sha1 = true;
    let fs = check_with(
        "package-lock.json",
        &npm_lock(&reg("a", "1.0.0", &format!(r#","integrity":"{SHA1}""#))),
        &cfg,
    );
    assert!(fs.is_empty());
    let fs = check_with(
        "package-lock.json",
        &npm_lock(&reg(
            "a",
            "1.0.0",
            r#","integrity":"md5-1B2M2Y8AsgTpgAmY7PhCfg==""#,
        )),
        &cfg,
    );
    assert!(has(&fs, "weak-hash", "a"), "{:?}", kinds(&fs));
}

#[test]
fn rejects_malformed_integrity() {
    let fs = check(
        "package-lock.json",
        &npm_lock(&reg("a", "1.0.0", r#","integrity":"sha512-notbase64!!""#)),
    );
    assert!(has(&fs, "weak-hash", "a"), "{:?}", kinds(&fs));
    assert_eq!(count(&fs, "missing-hash"), 0);
}

#[test]
fn accepts_cargo_v1_metadata_checksums() {
    let text = r#"[[package]]
name = "app"
version = "0.1.0"
dependencies = ["dep 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "dep"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum dep 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "1111111111111111111111111111111111111111111111111111111111111111"
"#;
    let fs = check("Cargo.lock", text);
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
    // Near miss: a metadata checksum that is not 64 hex digits.
    let fs = check(
        "Cargo.lock",
        &text.replace("\"1111111111111111", "\"zz11111111111111"),
    );
    assert!(has(&fs, "weak-hash", "dep"), "{:?}", kinds(&fs));
}

// ---------------------------------------------------------------- unpinned-git

#[test]
fn rejects_git_without_full_commit() {
    let text = CARGO_LOCK.replace("#3754568bfd43a841d2d72d7fb54598635aea8fa4", "");
    let fs = check("Cargo.lock", &text);
    assert!(has(&fs, "unpinned-git", "gitdep"), "{:?}", kinds(&fs));
    let entries = npm_entry(
        "node_modules/g",
        r#""version":"1.0.0","resolved":"git+ssh://git@github.com/a/g.git#3754568""#,
    );
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "unpinned-git", "g"), "{:?}", kinds(&fs));
}

#[test]
fn accepts_git_with_full_commit() {
    let entries = npm_entry(
        "node_modules/g",
        r#""version":"1.0.0","resolved":"git+ssh://git@github.com/a/g.git#3754568bfd43a841d2d72d7fb54598635aea8fa4""#,
    );
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
}

// ---------------------------------------------------------------- insecure-url

#[test]
fn rejects_http_and_git_protocol() {
    let entries = [
        npm_entry(
            "node_modules/a",
            &format!(r#""version":"1.0.0","resolved":"http://registry.npmjs.org/a/-/a-1.0.0.tgz","integrity":"{SHA512}""#),
        ),
        npm_entry(
            "node_modules/g",
            r#""version":"1.0.0","resolved":"git://github.com/a/g.git#3754568bfd43a841d2d72d7fb54598635aea8fa4""#,
        ),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "insecure-url", "a"), "{:?}", kinds(&fs));
    assert!(has(&fs, "insecure-url", "g"), "{:?}", kinds(&fs));
    // Same host over https: only the git one stays.
    let fs = check(
        "package-lock.json",
        &npm_lock(&entries.replace("http://registry", "https://registry")),
    );
    assert!(!has(&fs, "insecure-url", "a"));
    let mut cfg = ChecksConfig::default();
    cfg.sources.insecure_url.allow_hosts = vec!["registry.npmjs.org".into()];
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(!has(&fs, "insecure-url", "a"), "{:?}", kinds(&fs));
}

// ---------------------------------------------------------------- unknown-source

#[test]
fn rejects_unknown_registry_and_tarball_url() {
    let entries = [
        npm_entry(
            "node_modules/a",
            &format!(r#""version":"1.0.0","resolved":"https://registry.evil.example/a/-/a-1.0.0.tgz","integrity":"{SHA512}""#),
        ),
        npm_entry(
            "node_modules/t",
            &format!(r#""version":"1.0.0","resolved":"https://cdn.example/t.tgz","integrity":"{SHA512}""#),
        ),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "unknown-source", "a"), "{:?}", kinds(&fs));
    assert!(has(&fs, "unknown-source", "t"), "{:?}", kinds(&fs));
    let mut cfg = ChecksConfig::default();
    cfg.registries.npm = vec!["https://registry.evil.example".into()];
    cfg.sources.unknown_source.allow_urls = vec!["cdn.example/*".into()];
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
}

#[test]
fn public_registry_can_be_disallowed() {
    let entries = reg("a", "1.0.0", &format!(r#","integrity":"{SHA512}""#));
    let mut cfg = ChecksConfig::default();
    cfg.registries.public = false;
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(has(&fs, "unknown-source", "a"), "{:?}", kinds(&fs));
}

#[test]
fn rejects_dependency_confusion_both_ways() {
    let entries = [
        reg("@corp/lib", "1.0.0", &format!(r#","integrity":"{SHA512}""#)),
        npm_entry(
            "node_modules/lodash",
            &format!(r#""version":"4.0.0","resolved":"https://npm.corp.example/lodash/-/lodash-4.0.0.tgz","integrity":"{SHA512}""#),
        ),
        npm_entry(
            "node_modules/@corp/ok",
            &format!(r#""version":"1.0.0","resolved":"https://npm.corp.example/@corp/ok/-/ok-1.0.0.tgz","integrity":"{SHA512}""#),
        ),
    ]
    .concat();
    let mut cfg = ChecksConfig::default();
    cfg.sources.unknown_source.internal = vec!["@corp/*".into()];
    cfg.sources.unknown_source.internal_registries = vec!["https://npm.corp.example/".into()];
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(has(&fs, "unknown-source", "@corp/lib"), "{:?}", kinds(&fs));
    assert!(has(&fs, "unknown-source", "lodash"), "{:?}", kinds(&fs));
    assert!(!has(&fs, "unknown-source", "@corp/ok"), "{:?}", kinds(&fs));
    // A mirroring internal registry may serve public names; scoped registries work too.
    cfg.sources.unknown_source.internal_mirrors_public = true;
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(!has(&fs, "unknown-source", "lodash"), "{:?}", kinds(&fs));
    let mut cfg = ChecksConfig::default();
    cfg.registries
        .scopes
        .insert("@corp".into(), "https://npm.corp.example/".into());
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(has(&fs, "unknown-source", "@corp/lib"), "{:?}", kinds(&fs));
    assert!(!has(&fs, "unknown-source", "@corp/ok"), "{:?}", kinds(&fs));
}

#[test]
fn cargo_registries_by_source_id() {
    let fs = check(
        "Cargo.lock",
        &CARGO_LOCK.replace(
            "registry+https://github.com/rust-lang/crates.io-index",
            "sparse+https://index.crates.io/",
        ),
    );
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
    let text = CARGO_LOCK.replace(
        "registry+https://github.com/rust-lang/crates.io-index",
        "sparse+https://cargo.evil.example/index/",
    );
    let fs = check("Cargo.lock", &text);
    assert!(has(&fs, "unknown-source", "dep"), "{:?}", kinds(&fs));
    let mut cfg = ChecksConfig::default();
    cfg.registries.cargo = vec!["sparse+https://cargo.evil.example/index/".into()];
    assert!(check_with("Cargo.lock", &text, &cfg).is_empty());
}

// ---------------------------------------------------------------- credential-in-url

#[test]
fn rejects_and_redacts_credentials() {
    let entries = [
        npm_entry(
            "node_modules/a",
            &format!(r#""version":"1.0.0","resolved":"https://bob:hunter2secret@npm.corp.example/a/-/a-1.0.0.tgz","integrity":"{SHA512}""#),
        ),
        npm_entry(
            "node_modules/b",
            &format!(r#""version":"1.0.0","resolved":"https://registry.npmjs.org/b/-/b-1.0.0.tgz?_authToken=npm_TOPSECRET","integrity":"{SHA512}""#),
        ),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "credential-in-url", "a"), "{:?}", kinds(&fs));
    assert!(has(&fs, "credential-in-url", "b"), "{:?}", kinds(&fs));
    // Every field of every finding (Debug shows them all), not only the JSON report's.
    let json = format!("{fs:?}");
    assert!(!json.contains("hunter2secret"), "{json}");
    assert!(!json.contains("TOPSECRET"), "{json}");
    assert!(json.contains("***"), "{json}");
    let f = fs
        .iter()
        .find(|f| f.code.kind() == "credential-in-url")
        .unwrap();
    assert_eq!(f.severity.as_str(), "critical");
}

#[test]
fn rejects_credentials_in_v1_version_urls_without_leaking_them() {
    let text = r#"{"name":"app","version":"1.0.0","lockfileVersion":1,"dependencies":{
        "t":{"version":"https://user:s3cr3tpw@cdn.example/t.tgz","integrity":"sha512-dYEyruIho8J+fbL60i3+R+9WbvX0YIN2uomWgCr06hT0AHu9O6BhIl5z5FRiJUgykJ1dzb092eR/FjBtnKEb8w=="}}}"#;
    let mut fs = check("package-lock.json", text);
    assert!(has(&fs, "credential-in-url", "t"), "{:?}", kinds(&fs));
    // The gate scrubs every finding of every stage with `scrub_finding` (cli/tests/it/hostile.rs
    // runs it end to end): every field (Debug shows them all), not only the JSON report's.
    for f in &mut fs {
        tollgate_verifier::gate::scrub_finding(f);
    }
    let json = format!("{fs:?}");
    assert!(!json.contains("s3cr3tpw"), "{json}");
}

#[test]
fn accepts_ssh_user_and_plain_urls() {
    let entries = npm_entry(
        "node_modules/g",
        r#""version":"1.0.0","resolved":"git+ssh://git@github.com/a/g.git#3754568bfd43a841d2d72d7fb54598635aea8fa4""#,
    );
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert_eq!(count(&fs, "credential-in-url"), 0);
}

// ---------------------------------------------------------------- install-script

#[test]
fn install_scripts_with_allow_and_deny_lists() {
    let entries = [
        reg(
            "esbuild",
            "0.20.0",
            &format!(r#","integrity":"{SHA512}","hasInstallScript":true"#),
        ),
        reg(
            "evil",
            "1.0.0",
            &format!(r#","integrity":"{SHA512}","hasInstallScript":true"#),
        ),
        reg("plain", "1.0.0", &format!(r#","integrity":"{SHA512}""#)),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "install-script", "esbuild"));
    assert!(has(&fs, "install-script", "evil"));
    assert!(!has(&fs, "install-script", "plain"));
    let mut cfg = ChecksConfig::default();
    cfg.pinning.install_script.allow = vec!["esbuild".into(), "evil".into()];
    cfg.pinning.install_script.deny = vec!["evil".into()];
    let fs = check_with("package-lock.json", &npm_lock(&entries), &cfg);
    assert!(!has(&fs, "install-script", "esbuild"), "{:?}", kinds(&fs));
    let evil = fs
        .iter()
        .find(|f| f.code.kind() == "install-script")
        .unwrap();
    assert_eq!(evil.package.as_ref().unwrap().name, "evil");
    assert_eq!(evil.severity.as_str(), "high");
}

// ---------------------------------------------------------------- path-outside-repo

#[test]
fn rejects_folder_outside_repo_accepts_inside() {
    let entries = [
        npm_entry("../shared-lib", r#""name":"shared-lib","version":"1.0.0""#),
        npm_entry(
            "node_modules/shared-lib",
            r#""resolved":"../shared-lib","link":true"#,
        ),
        npm_entry("packages/inner", r#""name":"inner","version":"1.0.0""#),
        npm_entry(
            "node_modules/inner",
            r#""resolved":"packages/inner","link":true"#,
        ),
    ]
    .concat();
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(
        has(&fs, "path-outside-repo", "shared-lib"),
        "{:?}",
        kinds(&fs)
    );
    assert!(!has(&fs, "path-outside-repo", "inner"), "{:?}", kinds(&fs));
    // The same lockfile one directory down (web/) with the repository root above: inside.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web/package-lock.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, npm_lock(&entries)).unwrap();
    let graph = load_graph(&[path], &LoadOptions::default()).unwrap();
    let cfg = ChecksConfig::default();
    let fs = run_checks(&CheckCx::new(&graph, dir.path(), &cfg));
    assert_eq!(count(&fs, "path-outside-repo"), 0, "{:?}", kinds(&fs));
}

#[test]
fn rejects_file_spec_outside_repo() {
    let entries = npm_entry(
        "node_modules/x",
        r#""version":"1.0.0","resolved":"file:../../elsewhere/x-1.0.0.tgz""#,
    );
    let fs = check("package-lock.json", &npm_lock(&entries));
    assert!(has(&fs, "path-outside-repo", "x"), "{:?}", kinds(&fs));
    let fs = check(
        "package-lock.json",
        &npm_lock(&entries.replace("../../elsewhere", "vendor")),
    );
    assert_eq!(count(&fs, "path-outside-repo"), 0, "{:?}", kinds(&fs));
}

// ---------------------------------------------------------------- config

#[test]
fn config_parses_from_toml_and_rejects_unknown_keys() {
    let cfg: ChecksConfig = toml::from_str(
        r#"
[pinning.weak-hash]
accept-sha1 = true
[pinning.install-script]
allow = ["esbuild"]
deny-severity = "critical"
[sources.unknown-source]
internal = ["@corp/*"]
internal-registries = ["https://npm.corp.example/"]
[registries]
npm = ["https://registry.npmjs.test/"]
[registries.scopes]
"@corp" = "https://npm.corp.example/"
"#,
    )
    .unwrap();
    assert!(cfg.pinning.weak_hash.accept_sha1);
    assert!(cfg.registries.public);
    assert!(toml::from_str::<ChecksConfig>("[pinning.weak-hash]\naccept-md5 = true\n").is_err());
}

// ---------------------------------------------------------------- corpus

fn corpus() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")).to_path_buf()
}

fn corpus_cfg() -> ChecksConfig {
    let mut cfg = ChecksConfig::default();
    cfg.registries.npm = vec!["https://registry.npmjs.test/".into()];
    cfg
}

fn corpus_check(rel: &str) -> Vec<Finding> {
    let path = corpus().join(rel);
    let graph = load_graph(std::slice::from_ref(&path), &LoadOptions::default()).unwrap();
    let cfg = corpus_cfg();
    run_checks(&CheckCx::new(&graph, path.parent().unwrap(), &cfg))
}

#[test]
fn corpus_every_lockfile_runs() {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("manifest.json")).unwrap())
            .unwrap();
    let mut n = 0;
    let mut walk = vec![corpus().join("lockfiles"), corpus().join("fixtures")];
    while let Some(d) = walk.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk.push(p);
                continue;
            }
            let Ok(graph) = load_graph(std::slice::from_ref(&p), &LoadOptions::default()) else {
                continue; // invalid fixtures and yarn/pnpm files
            };
            let cfg = corpus_cfg();
            let fs = run_checks(&CheckCx::new(&graph, p.parent().unwrap(), &cfg));
            // Every finding names a package and carries no raw credential.
            for f in &fs {
                assert!(f.package.is_some(), "{}: {f:?}", p.display());
            }
            n += 1;
        }
    }
    assert!(n >= 90, "only {n} corpus lockfiles loaded");
    assert!(manifest.is_object() || manifest.is_array());
}

#[test]
fn corpus_dep_missing_resolved() {
    let fs = corpus_check("fixtures/npm-cli-arborist/dep-missing-resolved/package-lock.json");
    let missing: Vec<_> = fs
        .iter()
        .filter(|f| f.code.kind() == "missing-hash")
        .map(|f| f.package.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(
        missing,
        vec![
            "package-lock.json#node_modules/tap/node_modules/completely-broken-witaf".to_owned(),
            "package-lock.json#node_modules/tap/node_modules/minimist".to_owned(),
        ]
    );
}

#[test]
fn corpus_sha1_only_counts() {
    // The manifest's sha1-only counts for these files.
    for (file, sha1_only) in [
        ("lockfiles/insomnia-2022-v1/package-lock.json", 243),
        ("lockfiles/insomnia-2023-v2/package-lock.json", 147),
        (
            "lockfiles/netlify-cli-2023-shrinkwrap-v2/npm-shrinkwrap.json",
            187,
        ),
        ("lockfiles/insomnia-2024-v3/package-lock.json", 0),
    ] {
        let fs = corpus_check(file);
        assert_eq!(count(&fs, "weak-hash"), sha1_only, "{file}");
    }
}

#[test]
fn corpus_git_dependencies_are_pinned() {
    for file in [
        "lockfiles/lapce-2023-v3/Cargo.lock",
        "lockfiles/moonbeam-v4/Cargo.lock",
        "fixtures/npm-cli-arborist/minimist-git-dep/package-lock.json",
    ] {
        let fs = corpus_check(file);
        assert_eq!(count(&fs, "unpinned-git"), 0, "{file}: {:?}", kinds(&fs));
        assert_eq!(count(&fs, "missing-hash"), 0, "{file}: {:?}", kinds(&fs));
    }
}

#[test]
fn corpus_links_are_not_missing_hashes_but_external_ones_are_outside() {
    let fs = corpus_check("fixtures/npm-cli-arborist/external-link/root/package-lock.json");
    // Links and the linked folders' own node_modules need no hash; `x` (a registry entry
    // with a version and neither resolved nor integrity) does.
    let missing: Vec<_> = kinds(&fs)
        .into_iter()
        .filter(|(k, _)| k == "missing-hash")
        .collect();
    assert_eq!(missing, vec![("missing-hash".to_owned(), "x".to_owned())]);
    assert!(count(&fs, "path-outside-repo") >= 3, "{:?}", kinds(&fs));
    let fs = corpus_check("fixtures/npm-cli-arborist/workspaces-simple-virtual/package-lock.json");
    assert!(fs.is_empty(), "{:?}", kinds(&fs));
}

#[test]
fn corpus_http_and_other_registries() {
    let fs = corpus_check("lockfiles/netlify-cli-2019-shrinkwrap-v1/npm-shrinkwrap.json");
    assert!(count(&fs, "insecure-url") >= 1, "{:?}", kinds(&fs));
    assert_eq!(count(&fs, "unknown-source"), 0, "{:?}", kinds(&fs));
}

#[test]
fn corpus_public_registry_host_must_be_configured() {
    // Without the corpus host configured, every resolved URL is from an unknown registry.
    let path = corpus().join("fixtures/osv-scanner/npm/two-packages.v2.json");
    let graph = load_graph(std::slice::from_ref(&path), &LoadOptions::default()).unwrap();
    let cfg = ChecksConfig::default();
    let fs = run_checks(&CheckCx::new(&graph, path.parent().unwrap(), &cfg));
    assert_eq!(count(&fs, "unknown-source"), 2, "{:?}", kinds(&fs));
    assert_eq!(
        count(
            &corpus_check("fixtures/osv-scanner/npm/two-packages.v2.json"),
            "unknown-source"
        ),
        0
    );
}

#[test]
fn corpus_cargo_other_registry() {
    let dir = corpus().join("fixtures/cargo-lock-crate/source_disambiguation");
    let mut found = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("Cargo.lock")
        {
            let rel = p
                .strip_prefix(corpus())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            found += count(&corpus_check(&rel), "unknown-source");
        }
    }
    assert!(found >= 1, "the rustsec registry source is not crates.io");
}

//! `tollgate check --verify-registry / --verify-artifacts` against registries the test serves on
//! 127.0.0.1: flags, exit codes (0 verified, 1 finding, 2 could not verify), every format.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::fixtures::*;
use crate::support::server::{Reply, Server};
use crate::{render, tollgate};

/// A project in a temporary directory: lockfiles, `tollgate.toml` and `.npmrc` as given.
struct Project {
    dir: tempfile::TempDir,
}

const CONFIG: &str = "[registries]\nnpm = [\"https://registry.npmjs.test/\"]\n[registries.http]\nretries = 0\nrequest-timeout = \"5s\"\n";

impl Project {
    fn new() -> Project {
        let p = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        p.write("tollgate.toml", CONFIG);
        p
    }

    /// A project with a `package-lock.json` locking these npm packages.
    fn with_npm(list: &[(&str, &str)]) -> Project {
        let p = Project::new();
        p.write("package-lock.json", &npm_lock(&npm_entries(list)));
        p
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.dir.path().join(rel), text).unwrap();
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `tollgate check . --db <fixture advisories> --now … ARGS` in the project.
    fn check(&self, args: &[&str]) -> Output {
        let db: PathBuf = crate::testdata().join("../check/advisories");
        tollgate()
            .current_dir(self.path())
            .env_remove("TOLLGATE_REGISTRY_URL_NPM")
            .env_remove("TOLLGATE_REGISTRY_URL_CARGO")
            .env_remove("TOLLGATE_CACHE_DIR")
            .env("NPM_TOKEN", "s3cr3t-token")
            .args(["check", ".", "--db"])
            .arg(db)
            .args(["--now", "2026-11-23"])
            .args(args)
            .output()
            .unwrap()
    }
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", render(out)))
}

fn npm_entries(list: &[(&str, &str)]) -> Vec<NpmEntry> {
    list.iter()
        .map(|(n, v)| NpmEntry::new("https://registry.npmjs.test/", n, v))
        .collect()
}

/// Output with the server's address replaced.
fn shown(out: &Output, servers: &[&Server]) -> String {
    let mut s = render(out);
    for sv in servers {
        s = s.replace(&sv.base, "[SERVER]");
    }
    s
}

#[test]
fn verify_registry_passes_matching_lockfiles() {
    let s = Server::start();
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    serve_cargo(&s, &[("serde", &["1.0.0"])]);
    let p = Project::with_npm(&[("left-pad", "1.3.0")]);
    p.write("Cargo.lock", &cargo_lock(&[("serde", "1.0.0")], CRATES_IO));
    let url = s.url();
    let out = p.check(&[
        "--verify-registry",
        "--registry-url-npm",
        &url,
        "--registry-url-cargo",
        &url,
        "--no-cache",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let v = json(&out);
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["coverage"][0]["check"], "registry");
    assert_eq!(v["coverage"][0]["verified"], 2);
    assert_eq!(s.hits("/left-pad"), 1);
    assert_eq!(s.hits("/se/rd/serde"), 1);
}

#[test]
fn verify_registry_fails_on_a_mismatch_yank_and_unknown_version_in_every_format() {
    let s = Server::start();
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    serve_cargo(&s, &[("serde", &["1.0.0"]), ("old", &["0.1.0"])]);
    let ck = sha256_hex(&artifact("old", "0.1.0"));
    s.set(
        &index_path("old"),
        Reply::ok(index_line("old", "0.1.0", &ck, true)),
    );
    let p = Project::new();
    p.write(
        "package-lock.json",
        &npm_lock(&[
            NpmEntry::new("https://registry.npmjs.test/", "left-pad", "1.3.0")
                .integrity(&sri512(b"evil")),
            NpmEntry::new("https://registry.npmjs.test/", "left-pad", "9.9.9"),
        ]),
    );
    p.write(
        "Cargo.lock",
        &cargo_lock(&[("serde", "1.0.0"), ("old", "0.1.0")], CRATES_IO),
    );
    let url = s.url();
    let base = [
        "--verify-registry",
        "--registry-url-npm",
        url.as_str(),
        "--registry-url-cargo",
        url.as_str(),
        "--no-cache",
    ];
    let out = p.check(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    crate::support::schema::assert_valid_report(&String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    let mut kinds: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}@{} {}",
                f["kind"].as_str().unwrap(),
                f["package"]["name"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "hash-mismatch left-pad@1.3.0 critical",
            "not-found left-pad@9.9.9 high",
            "yanked old@0.1.0 medium"
        ]
    );
    let human = p.check(&base);
    assert_eq!(human.status.code(), Some(1));
    insta::assert_snapshot!(shown(&human, &[&s]), @r"
    exit_code: 1
    ----- stdout -----
    CRITICAL (1)
      left-pad@1.3.0 hash-mismatch
        left-pad@1.3.0: sha512 mismatch between the lockfile and the registry
        path: app@1.0.0 → left-pad@1.3.0
        at:   package-lock.json:12
        fix:  find out which side changed; regenerate the lockfile only from a trusted registry and review the diff
        BLOCKING — severity critical ≥ fail-on low

    HIGH (1)
      left-pad@9.9.9 not-found
        left-pad@9.9.9 is not in its registry
        at:   package-lock.json:17
        fix:  check the registry URL (--registry-url-npm / --registry-url-cargo, .npmrc), or move to a published version
        BLOCKING — severity high ≥ fail-on low

    MEDIUM (1)
      old@0.1.0 yanked
        old@0.1.0 is yanked from its registry
        path: app@0.1.0 → old@0.1.0
        at:   Cargo.lock:18
        fix:  upgrade to a version that is not yanked
        BLOCKING — policy denies `yanked` findings

    note: drift: no Cargo.toml beside Cargo.lock; lock-drift not checked
    note: drift: no package.json beside package-lock.json; lock-drift not checked
    note: the advisory database is 1923 days old (snapshot 2021-08-18T00:00:00Z; limit 7 days): refresh it with `tollgate db update`, or offline with `tollgate db import DIR` / `tollgate db update --source DIR|URL`
    coverage: registry: 2 verified, 2 failed, 0 unverifiable, 0 skipped
      failed (hash-mismatch): left-pad@1.3.0
      failed (not-found): left-pad@9.9.9
    FAIL 4 packages, 3 finding(s): 3 blocking, 0 warning(s), 0 waived, 0 overdue (fail-on low)
      3 blocking finding(s) at or above low

    ----- stderr -----
    ");
    for fmt in ["sarif", "markdown"] {
        let out = p.check(&[&base[..], &["--format", fmt]].concat());
        assert_eq!(out.status.code(), Some(1), "{fmt}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("hash-mismatch"), "{fmt}: {text}");
        assert!(
            text.contains("2 verified") || text.contains("\"verified\": 2"),
            "{fmt}: {text}"
        );
    }
}

#[test]
fn verify_registry_exits_2_when_the_registry_fails() {
    let s = Server::start();
    s.set("/left-pad", Reply::status(503));
    let p = Project::with_npm(&[("left-pad", "1.3.0")]);
    let url = s.url();
    let out = p.check(&[
        "--verify-registry",
        "--registry-url-npm",
        &url,
        "--no-cache",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!(shown(&out, &[&s]), @r"
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: registry verification failed: left-pad@1.3.0: [SERVER]/left-pad: HTTP 503 after every retry
    ");
}

#[test]
fn verify_registry_exits_2_offline_without_a_cache_and_reads_a_filled_one() {
    let s = Server::start();
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    let p = Project::with_npm(&[("left-pad", "1.3.0")]);
    let cache = p.path().join("cache");
    let cache = cache.to_str().unwrap();
    let url = s.url();
    let args = [
        "--verify-registry",
        "--registry-url-npm",
        &url,
        "--cache-dir",
        cache,
    ];
    let out = p.check(&[&args[..], &["--offline"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the cache and --offline is set"));
    assert_eq!(s.requests(), 0);
    let out = p.check(&args);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let out = p.check(&[&args[..], &["--offline"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(s.requests(), 1);
}

#[test]
fn tokens_from_npmrc_are_sent_to_their_host_and_never_printed() {
    let s = Server::start();
    s.set(&packument_path("@corp/x"), Reply::status(403));
    let p = Project::new();
    p.write(
        ".npmrc",
        &format!(
            "@corp:registry={}\n{}/:_authToken=${{NPM_TOKEN}}\n",
            s.url(),
            s.base.trim_start_matches("http:")
        ),
    );
    p.write(
        "package-lock.json",
        &npm_lock(&npm_entries(&[("@corp/x", "1.0.0")])),
    );
    for fmt in ["human", "json"] {
        let out = p.check(&["--verify-registry", "--no-cache", "-vv", "--format", fmt]);
        assert_eq!(out.status.code(), Some(2), "{}", render(&out));
        let all = render(&out);
        assert!(all.contains("HTTP 403"), "{all}");
        assert!(!all.contains("s3cr3t"), "{all}");
    }
    assert_eq!(
        s.log()[0].header("authorization"),
        Some("Bearer s3cr3t-token")
    );
}

#[test]
fn verify_artifacts_reads_a_cache_directory_and_fails_on_a_tampered_file() {
    let s = Server::start();
    let p = Project::new();
    p.write("Cargo.lock", &cargo_lock(&[("serde", "1.0.0")], CRATES_IO));
    let cache = p.path().join("crates");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("serde-1.0.0.crate"), artifact("serde", "1.0.0")).unwrap();
    let cache = cache.to_str().unwrap().to_owned();
    let url = s.url();
    let args = [
        "--verify-artifacts",
        "--offline",
        "--artifact-cache",
        cache.as_str(),
        "--registry-url-cargo",
        url.as_str(),
        "--format",
        "json",
    ];
    let out = p.check(&args);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(json(&out)["coverage"][0]["check"], "artifacts");
    assert_eq!(json(&out)["coverage"][0]["verified"], 1);
    std::fs::write(Path::new(&cache).join("serde-1.0.0.crate"), b"tampered").unwrap();
    let out = p.check(&args);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(json(&out)["findings"][0]["kind"], "hash-mismatch");
    assert_eq!(s.requests(), 0);
}

#[test]
fn verify_artifacts_downloads_from_the_registry() {
    let s = Server::start();
    serve_cargo(&s, &[("serde", &["1.0.0"])]);
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    let p = Project::new();
    p.write("Cargo.lock", &cargo_lock(&[("serde", "1.0.0")], CRATES_IO));
    p.write(
        "package-lock.json",
        &npm_lock(&npm_entries(&[("left-pad", "1.3.0")])),
    );
    let url = s.url();
    let out = p.check(
        &[
            "--verify-artifacts",
            "--verify-registry",
            "--no-cache",
            "--format",
            "json",
        ]
        .iter()
        .copied()
        .chain(["--registry-url-npm", &url, "--registry-url-cargo", &url])
        .collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let v = json(&out);
    assert_eq!(v["coverage"][1]["check"], "artifacts");
    assert_eq!(v["coverage"][1]["verified"], 2);
    assert_eq!(s.hits(&crate_path("serde", "1.0.0")), 1);
}

#[test]
fn registry_urls_come_from_the_environment_too() {
    let s = Server::start();
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    let p = Project::with_npm(&[("left-pad", "1.3.0")]);
    let db: PathBuf = crate::testdata().join("../check/advisories");
    let out = tollgate()
        .current_dir(p.path())
        .env("TOLLGATE_REGISTRY_URL_NPM", s.url())
        .args([
            "check",
            ".",
            "--verify-registry",
            "--no-cache",
            "--now",
            "2026-11-23",
            "--db",
        ])
        .arg(db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(s.hits("/left-pad"), 1);
}

#[test]
fn bad_registry_flags_exit_2() {
    let p = Project::with_npm(&[("left-pad", "1.3.0")]);
    let out = p.check(&[
        "--verify-registry",
        "--registry-url-npm",
        "registry.example",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--registry-url-npm: \"registry.example\" is not an http(s) registry URL")
    );
    let out = p.check(&["--verify-registry", "--offline", "--no-cache"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    p.write("tollgate.toml", "[registries.http]\nconcurency = 4\n");
    let out = p.check(&["--verify-registry"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `concurency`"));
}

#[test]
fn registry_flags_without_a_verification_warn() {
    let p = Project::with_npm(&[("left-pad", "1.3.0")]);
    let out = p.check(&["--registry-url-npm", "http://127.0.0.1:9/"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("have no effect without --verify-registry")
    );
}

//! `--verify-registry` and `--verify-artifacts` against registries served on 127.0.0.1 by the
//! test itself: the happy path and every fault. Each fault ends in a finding or an error;
//! nothing passes silently.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod support;

use std::path::{Path, PathBuf};

use support::fixtures::*;
use support::server::{Reply, Server};
use tollgate_verifier::checks::{self, ChecksConfig, RegistriesConfig};
use tollgate_verifier::coverage::{CheckCoverage, CoverageCode, CoverageStatus};
use tollgate_verifier::finding::{Finding, Severity};
use tollgate_verifier::registry::http::HttpStats;
use tollgate_verifier::registry::{
    self, FetchErrorKind, NoProgress, RegistryError, Request, UrlOverrides,
};
use tollgate_verifier::time::Duration;
use tollgate_verifier::{LoadOptions, load_graph};

struct Run {
    findings: Vec<Finding>,
    coverage: Vec<CheckCoverage>,
    stats: HttpStats,
    warnings: Vec<String>,
}

impl Run {
    fn kinds(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.code.kind()).collect()
    }

    fn coverage(&self, check: &str) -> &CheckCoverage {
        self.coverage
            .iter()
            .find(|c| c.check == check)
            .unwrap_or_else(|| panic!("no {check} coverage"))
    }

    fn status(&self, check: &str, name: &str) -> &CoverageStatus {
        &self
            .coverage(check)
            .packages
            .iter()
            .find(|p| p.package.name == name)
            .unwrap_or_else(|| panic!("{name} not in coverage"))
            .status
    }
}

/// A project directory with lockfiles.
struct Project {
    dir: tempfile::TempDir,
    files: Vec<PathBuf>,
}

impl Project {
    fn new() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
            files: Vec::new(),
        }
    }

    fn file(mut self, rel: &str, text: &str) -> Project {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        if rel.ends_with("Cargo.lock") || rel.ends_with("package-lock.json") {
            self.files.push(p);
        }
        self
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Settings fast enough for tests: 2 retries, 2 s request deadline.
fn fast() -> RegistriesConfig {
    let mut c = RegistriesConfig::default();
    c.http.retries = 2;
    c.http.request_timeout = Duration(2);
    c.http.read_timeout = Duration(2);
    c.http.max_retry_after = Duration(0);
    c
}

fn registry_only(urls: UrlOverrides) -> Request {
    Request {
        verify_registry: true,
        urls,
        no_cache: true,
        ..Request::default()
    }
}

fn npm_at(s: &Server) -> UrlOverrides {
    UrlOverrides {
        npm: Some(s.url()),
        cargo: None,
    }
}

fn cargo_at(s: &Server) -> UrlOverrides {
    UrlOverrides {
        npm: None,
        cargo: Some(s.url()),
    }
}

fn env(k: &str) -> Option<String> {
    (k == "NPM_TOKEN").then(|| "s3cr3t-token".to_owned())
}

fn run(p: &Project, cfg: RegistriesConfig, req: Request) -> Result<Run, RegistryError> {
    let graph = load_graph(&p.files, &LoadOptions::default()).unwrap();
    let data = registry::load(&graph, &cfg, &req, &env, &NoProgress)?;
    let checks_cfg = ChecksConfig {
        registries: cfg,
        ..ChecksConfig::default()
    };
    let cx = checks::CheckCx::new(&graph, p.path(), &checks_cfg);
    let mut findings = Vec::new();
    let coverage = checks::registry::run(&cx, &data, &mut findings);
    Ok(Run {
        findings,
        coverage,
        stats: data.stats,
        warnings: data.warnings,
    })
}

fn fetch_error(r: Result<Run, RegistryError>) -> tollgate_verifier::registry::FetchError {
    match r {
        Err(RegistryError::Fetch { errors }) => errors.into_iter().next().unwrap(),
        Err(e) => panic!("not a fetch error: {e}"),
        Ok(run) => panic!("passed: {:?} {:?}", run.kinds(), run.coverage),
    }
}

fn npm_project(entries: &[NpmEntry]) -> Project {
    Project::new().file("package-lock.json", &npm_lock(entries))
}

/// A project locking one npm package, `name@1.0.0`.
fn one_npm(name: &str) -> Project {
    npm_project(&entries(&[(name, "1.0.0")]))
}

/// `--verify-registry` of `name@1.0.0` against `s`.
fn verify_one_npm(s: &Server, name: &str, cfg: RegistriesConfig) -> Result<Run, RegistryError> {
    run(&one_npm(name), cfg, registry_only(npm_at(s)))
}

const PUBLIC_TEST: &str = "https://registry.npmjs.test/";

fn entries(list: &[(&str, &str)]) -> Vec<NpmEntry> {
    list.iter()
        .map(|(n, v)| NpmEntry::new(PUBLIC_TEST, n, v))
        .collect()
}

// ---------------------------------------------------------------- happy paths

#[test]
fn accepts_matching_crates_and_npm_packages() {
    let npm = Server::start();
    serve_npm(
        &npm,
        &[
            ("left-pad", &["1.3.0", "1.2.0"]),
            ("@babel/core", &["7.0.0"]),
        ],
    );
    let cargo = Server::start();
    serve_cargo(
        &cargo,
        &[
            ("serde", &["1.0.0"]),
            ("syn", &["2.0.1"]),
            ("a", &["0.1.0"]),
        ],
    );
    let p = Project::new()
        .file(
            "web/package-lock.json",
            &npm_lock(&entries(&[
                ("left-pad", "1.3.0"),
                ("left-pad", "1.2.0"),
                ("@babel/core", "7.0.0"),
            ])),
        )
        .file(
            "Cargo.lock",
            &cargo_lock(
                &[("serde", "1.0.0"), ("syn", "2.0.1"), ("a", "0.1.0")],
                CRATES_IO,
            ),
        );
    let urls = UrlOverrides {
        npm: Some(npm.url()),
        cargo: Some(cargo.url()),
    };
    let r = run(&p, fast(), registry_only(urls)).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.kinds());
    let c = r.coverage("registry");
    assert_eq!(
        (c.verified, c.failed, c.unverifiable, c.skipped),
        (6, 0, 0, 0)
    );
    assert!(
        matches!(r.status("registry", "serde"), CoverageStatus::Verified { how, .. } if how.starts_with("sha256 matches http://127.0.0.1:")),
        "{:?}",
        r.status("registry", "serde")
    );
    // One packument per name (two versions of left-pad), one index file per crate; the
    // scoped name is encoded.
    assert_eq!(npm.hits("/left-pad"), 1);
    assert_eq!(npm.hits("/@babel%2fcore"), 1);
    assert_eq!(cargo.hits("/se/rd/serde"), 1);
    assert_eq!(cargo.hits("/3/s/syn"), 1);
    assert_eq!(cargo.hits("/1/a"), 1);
    // The abbreviated document is asked for.
    let log = npm.log();
    assert!(
        log[0]
            .header("accept")
            .unwrap()
            .starts_with("application/vnd.npm.install-v1+json")
    );
}

#[test]
fn rejects_a_crate_whose_index_checksum_differs() {
    let s = Server::start();
    serve_cargo(&s, &[("serde", &["1.0.0"])]);
    let p = Project::new().file(
        "Cargo.lock",
        &cargo_lock_with(&[("serde", "1.0.0", sha256_hex(b"tampered"))], CRATES_IO),
    );
    let r = run(&p, fast(), registry_only(cargo_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    assert_eq!(r.findings[0].severity, Severity::Critical);
    assert!(r.findings[0].message.contains(&sha256_hex(b"tampered")));
    assert_eq!(
        r.status("registry", "serde"),
        &CoverageStatus::Failed {
            kinds: vec!["hash-mismatch"]
        }
    );
}

#[test]
fn rejects_an_npm_package_whose_integrity_differs() {
    let s = Server::start();
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    let e = NpmEntry::new(PUBLIC_TEST, "left-pad", "1.3.0").integrity(&sri512(b"evil"));
    let p = npm_project(&[e]);
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    assert!(
        r.findings[0].title.contains("sha512"),
        "{}",
        r.findings[0].title
    );
}

#[test]
fn accepts_a_sha1_only_lockfile_through_the_registry_shasum() {
    let s = Server::start();
    serve_npm(&s, &[("old", &["0.1.0"])]);
    let e = NpmEntry::new(PUBLIC_TEST, "old", "0.1.0").integrity(&sri1(&artifact("old", "0.1.0")));
    let r = run(&npm_project(&[e]), fast(), registry_only(npm_at(&s))).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(
        matches!(r.status("registry", "old"), CoverageStatus::Verified { how, .. } if how.starts_with("sha1 "))
    );
    // Twin: a wrong sha1.
    let e = NpmEntry::new(PUBLIC_TEST, "old", "0.1.0").integrity(&sri1(b"other"));
    let r = run(&npm_project(&[e]), fast(), registry_only(npm_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
}

#[test]
fn rejects_a_multi_hash_lockfile_whose_strongest_hash_differs() {
    let s = Server::start();
    serve_npm(&s, &[("m", &["1.0.0"])]);
    let a = artifact("m", "1.0.0");
    // sha1 right, sha512 wrong: the strongest common algorithm decides.
    let e = NpmEntry::new(PUBLIC_TEST, "m", "1.0.0").integrity(&format!(
        "{} {}",
        sri512(b"forged"),
        sri1(&a)
    ));
    let r = run(&npm_project(&[e]), fast(), registry_only(npm_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    // Twin: both right.
    let e =
        NpmEntry::new(PUBLIC_TEST, "m", "1.0.0").integrity(&format!("{} {}", sri512(&a), sri1(&a)));
    let r = run(&npm_project(&[e]), fast(), registry_only(npm_at(&s))).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.kinds());
}

// ------------------------------------------------- no common algorithm: bridge through the artifact

/// Serves `legacy@1.0.0` as an old packument does (only `shasum`, the sha1 of `shasum_of`) with
/// `tarball` as its artifact. The lockfile pins sha512 of [`artifact`]: no common algorithm.
fn legacy(s: &Server, shasum_of: &[u8], tarball: Vec<u8>) {
    let v = NpmVersion {
        version: "1.0.0".into(),
        shasum: Some(sha1_hex(shasum_of)),
        ..NpmVersion::default()
    };
    s.set(
        &packument_path("legacy"),
        Reply::ok(packument("legacy", &[v])),
    );
    s.set(&tarball_path("legacy", "1.0.0"), Reply::ok(tarball));
}

#[test]
fn accepts_no_common_algorithm_when_the_artifact_bridges_it() {
    let s = Server::start();
    legacy(
        &s,
        &artifact("legacy", "1.0.0"),
        artifact("legacy", "1.0.0"),
    );
    let p = one_npm("legacy");
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(
        matches!(r.status("registry", "legacy"), CoverageStatus::Verified { how, .. } if how.contains("sha512 of the tarball") && how.contains("whose sha1 matches")),
        "{:?}",
        r.status("registry", "legacy")
    );
    assert_eq!(s.hits(&tarball_path("legacy", "1.0.0")), 1);
}

#[test]
fn rejects_no_common_algorithm_when_the_artifact_differs_from_the_lockfile() {
    let s = Server::start();
    // The registry's shasum describes the served tarball, but the lockfile pins other bytes.
    legacy(&s, b"served", b"served".to_vec());
    let p = one_npm("legacy");
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    assert_eq!(r.findings[0].severity, Severity::Critical);
}

#[test]
fn rejects_no_common_algorithm_offline_without_the_artifact() {
    let s = Server::start();
    legacy(
        &s,
        &artifact("legacy", "1.0.0"),
        artifact("legacy", "1.0.0"),
    );
    let p = one_npm("legacy");
    let cache = tempfile::tempdir().unwrap();
    let mut req = registry_only(npm_at(&s));
    req.no_cache = false;
    req.cache_dir = Some(cache.path().to_path_buf());
    run(&p, fast(), req.clone()).unwrap(); // fills the cache
    req.offline = true;
    let before = s.requests();
    let r = run(&p, fast(), req).unwrap();
    assert_eq!(s.requests(), before, "offline must not ask the server");
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    assert_eq!(r.findings[0].severity, Severity::High);
    assert!(
        r.findings[0].title.contains("share no hash algorithm"),
        "{}",
        r.findings[0].title
    );
    assert!(matches!(
        r.status("registry", "legacy"),
        CoverageStatus::Failed { .. }
    ));
}

// ---------------------------------------------------------------- yanked, deprecated, not found

#[test]
fn rejects_a_yanked_crate() {
    let s = Server::start();
    serve_cargo(&s, &[("old", &["1.0.0"])]);
    let ck = sha256_hex(&artifact("old", "1.0.0"));
    s.set(
        &index_path("old"),
        Reply::ok(index_line("old", "1.0.0", &ck, true)),
    );
    let p = Project::new().file("Cargo.lock", &cargo_lock(&[("old", "1.0.0")], CRATES_IO));
    let r = run(&p, fast(), registry_only(cargo_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["yanked"]);
    // The hash still verifies: coverage says verified, the finding says yanked.
    assert!(matches!(
        r.status("registry", "old"),
        CoverageStatus::Verified { .. }
    ));
    // Twin: not yanked.
    s.set(
        &index_path("old"),
        Reply::ok(index_line("old", "1.0.0", &ck, false)),
    );
    let r = run(&p, fast(), registry_only(cargo_at(&s))).unwrap();
    assert!(r.findings.is_empty());
}

#[test]
fn rejects_a_deprecated_npm_version() {
    let s = Server::start();
    let mut v = NpmVersion::published("request", "2.88.2");
    v.deprecated = Some(
        "request has been deprecated, see https://github.com/request/request/issues/3142".into(),
    );
    s.set(
        &packument_path("request"),
        Reply::ok(packument("request", &[v])),
    );
    let p = npm_project(&entries(&[("request", "2.88.2")]));
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["deprecated"]);
    assert!(
        r.findings[0]
            .message
            .contains("request has been deprecated")
    );
    // Twin: `deprecated: ""` means un-deprecated.
    let mut v = NpmVersion::published("request", "2.88.2");
    v.deprecated = Some(String::new());
    s.set(
        &packument_path("request"),
        Reply::ok(packument("request", &[v])),
    );
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.kinds());
}

#[test]
fn rejects_packages_and_versions_the_registry_does_not_have() {
    let s = Server::start();
    serve_npm(&s, &[("here", &["1.0.0"])]);
    s.set(&packument_path("missing"), Reply::status(404));
    s.set(
        &packument_path("gone"),
        Reply::ok(r#"{"name":"gone","time":{"unpublished":{"time":"2024-01-01T00:00:00Z","versions":["1.0.0"]}}}"#),
    );
    let p = npm_project(&entries(&[
        ("here", "1.0.0"),
        ("here", "2.0.0"),
        ("missing", "1.0.0"),
        ("gone", "1.0.0"),
    ]));
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    let mut nf: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code.kind(), f.package.as_ref().unwrap().name))
        .collect();
    nf.sort();
    assert_eq!(
        nf,
        ["not-found gone", "not-found here", "not-found missing"]
    );
    assert!(r.findings.iter().any(|f| f.message.contains("unpublished")));
    // A version missing from the abbreviated document is confirmed with the full document.
    let full = s
        .log()
        .iter()
        .filter(|l| l.path == "/here" && l.header("accept") == Some("application/json"))
        .count();
    assert_eq!(full, 1);
    // Twin: the existing version verifies.
    let c = r.coverage("registry");
    assert_eq!((c.verified, c.failed), (1, 3));
}

#[test]
fn rejects_a_crate_missing_from_the_index() {
    let s = Server::start();
    serve_cargo(&s, &[("serde", &["1.0.0"])]);
    let p = Project::new().file(
        "Cargo.lock",
        &cargo_lock(
            &[("serde", "1.0.0"), ("serde", "9.9.9"), ("nope", "1.0.0")],
            CRATES_IO,
        ),
    );
    let r = run(&p, fast(), registry_only(cargo_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["not-found", "not-found"]);
}

// ---------------------------------------------------------------- network faults

#[test]
fn accepts_a_500_then_success() {
    let s = Server::start();
    serve_npm(&s, &[("flaky", &["1.0.0"])]);
    let ok = packument("flaky", &[NpmVersion::published("flaky", "1.0.0")]);
    s.route(
        &packument_path("flaky"),
        vec![Reply::status(500), Reply::ok(ok)],
    );
    let r = verify_one_npm(&s, "flaky", fast()).unwrap();
    assert!(r.findings.is_empty());
    assert_eq!(s.hits("/flaky"), 2);
    assert_eq!(r.stats.retries, 1);
}

#[test]
fn rejects_a_500_after_every_retry_naming_package_and_url() {
    let s = Server::start();
    s.set(&packument_path("down"), Reply::status(500));
    let e = fetch_error(verify_one_npm(&s, "down", fast()));
    assert_eq!(e.kind, FetchErrorKind::Status(500));
    assert_eq!(e.package, "down@1.0.0");
    assert_eq!(e.url, format!("{}/down", s.base));
    assert_eq!(s.hits("/down"), 3, "one attempt and two retries");
    assert!(e.to_string().contains("HTTP 500 after every retry"), "{e}");
}

#[test]
fn accepts_a_429_with_retry_after_and_honours_the_cap() {
    let s = Server::start();
    serve_npm(&s, &[("busy", &["1.0.0"])]);
    let ok = packument("busy", &[NpmVersion::published("busy", "1.0.0")]);
    s.route(
        &packument_path("busy"),
        vec![
            Reply::status(429).header("Retry-After", "3600"),
            Reply::ok(ok),
        ],
    );
    let mut cfg = fast();
    cfg.http.max_retry_after = Duration(1);
    let r = verify_one_npm(&s, "busy", cfg).unwrap();
    assert!(r.findings.is_empty());
    // Retry-After: 3600 was honoured up to the 1 s cap, not ignored and not obeyed in full.
    assert_eq!(r.stats.retry_delays, [std::time::Duration::from_secs(1)]);
    // Twin: 429 for ever is an error.
    s.set(
        &packument_path("busy"),
        Reply::status(429).header("Retry-After", "0"),
    );
    let e = fetch_error(verify_one_npm(&s, "busy", fast()));
    assert_eq!(e.kind, FetchErrorKind::Status(429));
}

#[test]
fn rejects_a_server_that_never_answers() {
    let s = Server::start();
    s.set(&index_path("slow"), Reply::Hang);
    let p = Project::new().file("Cargo.lock", &cargo_lock(&[("slow", "1.0.0")], CRATES_IO));
    let mut cfg = fast();
    cfg.http.request_timeout = Duration(1);
    let e = fetch_error(run(&p, cfg, registry_only(cargo_at(&s))));
    assert!(matches!(e.kind, FetchErrorKind::Timeout(_)), "{e}");
    assert_eq!(s.hits(&index_path("slow")), 1, "a timeout is not retried");
}

#[test]
fn rejects_a_slow_drip() {
    let s = Server::start();
    let body = packument("drip", &[NpmVersion::published("drip", "1.0.0")]);
    s.set(
        &packument_path("drip"),
        Reply::Drip {
            body: body.into_bytes(),
            every: std::time::Duration::from_millis(50),
        },
    );
    let mut cfg = fast();
    cfg.http.request_timeout = Duration(1);
    cfg.http.read_timeout = Duration(30);
    let e = fetch_error(verify_one_npm(&s, "drip", cfg));
    assert!(
        matches!(&e.kind, FetchErrorKind::Timeout(m) if m.contains("no complete response")),
        "{e}"
    );
}

#[test]
fn rejects_a_truncated_body() {
    let s = Server::start();
    let body = packument("cut", &[NpmVersion::published("cut", "1.0.0")]);
    let half = body.as_bytes()[..body.len() / 2].to_vec();
    s.set(
        &packument_path("cut"),
        Reply::Truncated {
            declared: body.len(),
            body: half,
        },
    );
    let e = fetch_error(verify_one_npm(&s, "cut", fast()));
    assert!(matches!(e.kind, FetchErrorKind::Truncated(_)), "{e}");
}

#[test]
fn rejects_an_oversized_body_declared_or_streamed() {
    let s = Server::start();
    let mut cfg = fast();
    cfg.http.max_metadata_size = 100;
    let big = packument("big", &[NpmVersion::published("big", "1.0.0")]);
    assert!(big.len() > 100);
    s.set(&packument_path("big"), Reply::ok(big.clone()));
    let p = one_npm("big");
    let e = fetch_error(run(&p, cfg.clone(), registry_only(npm_at(&s))));
    assert_eq!(e.kind, FetchErrorKind::TooLarge { limit: 100 });
    s.set(&packument_path("big"), Reply::Unframed(big.into_bytes()));
    let e = fetch_error(run(&p, cfg, registry_only(npm_at(&s))));
    assert_eq!(e.kind, FetchErrorKind::TooLarge { limit: 100 });
}

#[test]
fn rejects_a_redirect_to_another_host_and_follows_one_on_the_same_host() {
    let s = Server::start();
    let other = Server::start();
    serve_npm(&other, &[("moved", &["1.0.0"])]);
    serve_npm(&s, &[("moved", &["1.0.0"])]);
    let ok = packument("moved", &[NpmVersion::published("moved", "1.0.0")]);
    s.set("/elsewhere/moved", Reply::ok(ok));
    let p = one_npm("moved");
    s.set(
        &packument_path("moved"),
        Reply::status(302).header("Location", "/elsewhere/moved"),
    );
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert!(r.findings.is_empty());
    s.set(
        &packument_path("moved"),
        Reply::status(301).header("Location", &format!("{}/moved", other.base)),
    );
    let e = fetch_error(run(&p, fast(), registry_only(npm_at(&s))));
    assert!(
        matches!(&e.kind, FetchErrorKind::Redirect { to } if to.starts_with(&other.base)),
        "{e}"
    );
    assert_eq!(other.hits("/moved"), 0);
    // Allowed explicitly.
    let mut cfg = fast();
    cfg.http.redirect_hosts = vec!["127.0.0.1".into()];
    assert!(run(&p, cfg, registry_only(npm_at(&s))).is_ok());
}

#[test]
fn rejects_invalid_json_and_invalid_index_lines() {
    let s = Server::start();
    s.set(
        &packument_path("bad"),
        Reply::ok("{\"name\":\"bad\",\"versions\":"),
    );
    let e = fetch_error(verify_one_npm(&s, "bad", fast()));
    assert!(matches!(e.kind, FetchErrorKind::InvalidJson(_)), "{e}");
    s.set(&index_path("bad"), Reply::ok("{\"name\":\"bad\"\n"));
    let p = Project::new().file("Cargo.lock", &cargo_lock(&[("bad", "1.0.0")], CRATES_IO));
    let e = fetch_error(run(&p, fast(), registry_only(cargo_at(&s))));
    assert!(
        matches!(&e.kind, FetchErrorKind::InvalidJson(m) if m.starts_with("line 1")),
        "{e}"
    );
}

#[test]
fn rejects_a_connection_closed_without_an_answer_after_retries() {
    let s = Server::start();
    s.set(&packument_path("closed"), Reply::Close);
    let e = fetch_error(verify_one_npm(&s, "closed", fast()));
    assert!(matches!(e.kind, FetchErrorKind::Connect(_)), "{e}");
    assert_eq!(s.hits("/closed"), 3);
}

#[test]
fn rejects_an_unreachable_registry() {
    // A port nothing listens on.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    drop(l);
    let p = Project::new().file("package-lock.json", &npm_lock(&entries(&[("x", "1.0.0")])));
    let urls = UrlOverrides {
        npm: Some(url),
        cargo: None,
    };
    let e = fetch_error(run(&p, fast(), registry_only(urls)));
    assert!(matches!(e.kind, FetchErrorKind::Connect(_)), "{e}");
}

// ---------------------------------------------------------------- cache, offline

#[test]
fn accepts_cached_documents_revalidated_with_etags() {
    let s = Server::start();
    serve_npm(&s, &[("c", &["1.0.0"])]);
    serve_cargo(&s, &[("k", &["1.0.0"])]);
    let p = Project::new()
        .file("package-lock.json", &npm_lock(&entries(&[("c", "1.0.0")])))
        .file("Cargo.lock", &cargo_lock(&[("k", "1.0.0")], CRATES_IO));
    let cache = tempfile::tempdir().unwrap();
    let req = Request {
        verify_registry: true,
        urls: UrlOverrides {
            npm: Some(s.url()),
            cargo: Some(s.url()),
        },
        cache_dir: Some(cache.path().to_path_buf()),
        ..Request::default()
    };
    let first = run(&p, fast(), req.clone()).unwrap();
    assert_eq!(first.stats.not_modified, 0);
    let second = run(&p, fast(), req.clone()).unwrap();
    assert_eq!(second.stats.not_modified, 2);
    assert!(second.findings.is_empty());
    let revalidation = s.log().into_iter().rfind(|l| l.path == "/c").unwrap();
    assert_eq!(revalidation.header("if-none-match"), Some("\"c-1\""));
    // Offline: from the cache, without a request.
    let before = s.requests();
    let mut off = req.clone();
    off.offline = true;
    let third = run(&p, fast(), off).unwrap();
    assert_eq!(third.stats.offline_hits, 2);
    assert_eq!(s.requests(), before);
    assert_eq!(third.coverage("registry").verified, 2);
}

#[test]
fn rejects_offline_without_a_cached_record() {
    let s = Server::start();
    serve_npm(&s, &[("c", &["1.0.0"])]);
    let cache = tempfile::tempdir().unwrap();
    let req = Request {
        verify_registry: true,
        urls: npm_at(&s),
        cache_dir: Some(cache.path().to_path_buf()),
        offline: true,
        ..Request::default()
    };
    let e = fetch_error(run(&one_npm("c"), fast(), req));
    assert_eq!(e.kind, FetchErrorKind::Offline);
    assert_eq!(s.requests(), 0);
}

#[test]
fn accepts_a_changed_document_after_revalidation() {
    // The registry changed the record: 200 with a new ETag replaces the cached copy.
    let s = Server::start();
    serve_npm(&s, &[("c", &["1.0.0"])]);
    let cache = tempfile::tempdir().unwrap();
    let req = Request {
        verify_registry: true,
        urls: npm_at(&s),
        cache_dir: Some(cache.path().to_path_buf()),
        ..Request::default()
    };
    let p = one_npm("c");
    assert!(run(&p, fast(), req.clone()).unwrap().findings.is_empty());
    let mut v = NpmVersion::published("c", "1.0.0");
    v.integrity = Some(sri512(b"republished"));
    v.shasum = None;
    s.set(
        &packument_path("c"),
        Reply::ok(packument("c", &[v])).header("ETag", "\"c-2\""),
    );
    let r = run(&p, fast(), req).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
}

// ---------------------------------------------------------------- .npmrc and credentials

#[test]
fn accepts_npmrc_registries_and_sends_tokens_only_to_their_host() {
    let a = Server::start();
    let b = Server::start();
    serve_npm(&a, &[("pub", &["1.0.0"])]);
    serve_npm(&b, &[("@corp/x", &["1.0.0"])]);
    let npmrc = format!(
        "registry={}\n@corp:registry={}\n{}/:_authToken=${{NPM_TOKEN}}\n",
        a.url(),
        b.url(),
        b.base.trim_start_matches("http:")
    );
    let p = Project::new().file(".npmrc", &npmrc).file(
        "package-lock.json",
        &npm_lock(&entries(&[("pub", "1.0.0"), ("@corp/x", "1.0.0")])),
    );
    let r = run(&p, fast(), registry_only(UrlOverrides::default())).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.kinds());
    assert_eq!(r.coverage("registry").verified, 2);
    let auth_b: Vec<_> = b
        .log()
        .iter()
        .map(|l| l.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(auth_b, [Some("Bearer s3cr3t-token".to_owned())]);
    assert!(a.log().iter().all(|l| l.header("authorization").is_none()));
}

#[test]
fn rejects_a_401_without_printing_the_token() {
    let b = Server::start();
    b.set(&packument_path("@corp/x"), Reply::status(401));
    let npmrc = format!(
        "@corp:registry={}\n{}/:_authToken=${{NPM_TOKEN}}\n",
        b.url(),
        b.base.trim_start_matches("http:")
    );
    let p = Project::new().file(".npmrc", &npmrc).file(
        "package-lock.json",
        &npm_lock(&entries(&[("@corp/x", "1.0.0")])),
    );
    let r = run(&p, fast(), registry_only(UrlOverrides::default()));
    let text = match &r {
        Err(e) => format!("{e} {e:?}"),
        Ok(_) => panic!("passed"),
    };
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
    assert_eq!(b.hits(&packument_path("@corp/x")), 1, "401 is not retried");
}

// ---------------------------------------------------------------- scope and coverage

#[test]
fn skips_path_and_git_packages_with_reasons_and_flags_unmapped_git_indexes() {
    let s = Server::start();
    serve_cargo(&s, &[("serde", &["1.0.0"])]);
    let lock = format!(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\", \"local\", \"g\", \"corp\"]\n\n[[package]]\nname = \"local\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"g\"\nversion = \"0.1.0\"\nsource = \"git+https://github.com/o/g?rev=abc#{}\"\n\n[[package]]\nname = \"corp\"\nversion = \"1.0.0\"\nsource = \"registry+https://git.corp.example/index\"\nchecksum = \"{}\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\n",
        "a".repeat(40),
        "00".repeat(32),
        sha256_hex(&artifact("serde", "1.0.0"))
    );
    let p = Project::new().file("Cargo.lock", &lock);
    let r = run(&p, fast(), registry_only(cargo_at(&s))).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.kinds());
    let c = r.coverage("registry");
    assert_eq!((c.verified, c.unverifiable, c.skipped), (1, 1, 2));
    assert!(
        matches!(r.status("registry", "local"), CoverageStatus::Skipped { reason, code } if reason == "local path" && *code == CoverageCode::LocalPath)
    );
    assert!(
        matches!(r.status("registry", "g"), CoverageStatus::Skipped { reason, code } if reason.starts_with("git dependency") && *code == CoverageCode::Git)
    );
    assert!(
        matches!(r.status("registry", "corp"), CoverageStatus::Unverifiable { reason, .. } if reason.contains("[registries.mirrors]"))
    );
    // Every non-root package is in the coverage, none dropped.
    assert_eq!(c.packages.len(), 4);
}

#[test]
fn accepts_a_git_index_through_a_mirror() {
    let s = Server::start();
    serve_cargo(&s, &[("corp", &["1.0.0"])]);
    let p = Project::new().file(
        "Cargo.lock",
        &cargo_lock(
            &[("corp", "1.0.0")],
            "registry+https://git.corp.example/index",
        ),
    );
    let mut cfg = fast();
    cfg.mirrors.insert(
        "registry+https://git.corp.example/index".into(),
        format!("sparse+{}", s.url()),
    );
    let r = run(&p, cfg, registry_only(UrlOverrides::default())).unwrap();
    assert_eq!(r.coverage("registry").verified, 1);
}

// ---------------------------------------------------------------- artifacts

fn artifacts_only(urls: UrlOverrides) -> Request {
    Request {
        verify_artifacts: true,
        urls,
        no_cache: true,
        ..Request::default()
    }
}

#[test]
fn accepts_downloaded_artifacts_that_match_the_lockfile() {
    let s = Server::start();
    serve_cargo(&s, &[("Inflector", &["0.11.4"]), ("serde", &["1.0.0"])]);
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    let p = Project::new()
        .file(
            "Cargo.lock",
            &cargo_lock(&[("Inflector", "0.11.4"), ("serde", "1.0.0")], CRATES_IO),
        )
        .file(
            "web/package-lock.json",
            &npm_lock(&entries(&[("left-pad", "1.3.0")])),
        );
    let urls = UrlOverrides {
        npm: Some(s.url()),
        cargo: Some(s.url()),
    };
    let r = run(&p, fast(), artifacts_only(urls)).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.coverage("artifacts").verified, 3);
    assert!(r.coverage.iter().all(|c| c.check != "registry"));
    // The dl template's markers were filled in ({lowerprefix} of Inflector is in/fl).
    assert_eq!(s.hits("/dl/in/fl/Inflector/Inflector-0.11.4.crate"), 1);
    assert_eq!(s.hits(&tarball_path("left-pad", "1.3.0")), 1);
    assert_eq!(s.hits("/config.json"), 1);
}

#[test]
fn rejects_a_tampered_artifact() {
    let s = Server::start();
    serve_cargo(&s, &[("serde", &["1.0.0"])]);
    s.set(
        &crate_path("serde", "1.0.0"),
        Reply::ok(b"tampered crate".to_vec()),
    );
    serve_npm(&s, &[("left-pad", &["1.3.0"])]);
    s.set(
        &tarball_path("left-pad", "1.3.0"),
        Reply::ok(b"tampered tgz".to_vec()),
    );
    let p = Project::new()
        .file("Cargo.lock", &cargo_lock(&[("serde", "1.0.0")], CRATES_IO))
        .file(
            "web/package-lock.json",
            &npm_lock(&entries(&[("left-pad", "1.3.0")])),
        );
    let urls = UrlOverrides {
        npm: Some(s.url()),
        cargo: Some(s.url()),
    };
    let r = run(&p, fast(), artifacts_only(urls)).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch", "hash-mismatch"]);
    assert!(r.findings.iter().all(|f| f.id.ends_with(":artifact")));
    assert_eq!(r.coverage("artifacts").failed, 2);
}

#[test]
fn rejects_a_truncated_or_oversized_artifact_download_as_an_error() {
    let s = Server::start();
    serve_npm(&s, &[("t", &["1.0.0"])]);
    let a = artifact("t", "1.0.0");
    s.set(
        &tarball_path("t", "1.0.0"),
        Reply::Truncated {
            declared: a.len(),
            body: a[..a.len() - 10].to_vec(),
        },
    );
    let p = one_npm("t");
    let e = fetch_error(run(&p, fast(), artifacts_only(npm_at(&s))));
    assert!(matches!(e.kind, FetchErrorKind::Truncated(_)), "{e}");
    s.set(&tarball_path("t", "1.0.0"), Reply::Unframed(a.clone()));
    let mut cfg = fast();
    cfg.http.max_artifact_size = (a.len() - 1) as u64;
    let e = fetch_error(run(&p, cfg, artifacts_only(npm_at(&s))));
    assert!(matches!(e.kind, FetchErrorKind::TooLarge { .. }), "{e}");
}

#[test]
fn rejects_an_artifact_the_registry_does_not_serve() {
    let s = Server::start();
    serve_npm(&s, &[("t", &["1.0.0"])]);
    s.set(&tarball_path("t", "1.0.0"), Reply::status(404));
    let r = run(&one_npm("t"), fast(), artifacts_only(npm_at(&s))).unwrap();
    assert_eq!(r.kinds(), ["not-found"]);
}

#[test]
fn accepts_artifacts_from_local_caches_without_downloading() {
    let s = Server::start();
    let flat = tempfile::tempdir().unwrap();
    let cargo_home = tempfile::tempdir().unwrap();
    let npm_cache = tempfile::tempdir().unwrap();
    // Cargo layout: <host>-<hash>/NAME-VERSION.crate.
    let reg = cargo_home.path().join("index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&reg).unwrap();
    std::fs::write(reg.join("serde-1.0.0.crate"), artifact("serde", "1.0.0")).unwrap();
    // A plain directory.
    std::fs::write(
        flat.path().join("syn-2.0.0.crate"),
        artifact("syn", "2.0.0"),
    )
    .unwrap();
    // npm's cacache, addressed by the lockfile's integrity.
    let a = artifact("left-pad", "1.3.0");
    let sri = tollgate_verifier::package::Integrity::from_sri(&sri512(&a));
    let hex = tollgate_verifier::package::encode_hex(&sri.digests[0].bytes);
    let dir = npm_cache
        .path()
        .join("_cacache/content-v2/sha512")
        .join(&hex[..2])
        .join(&hex[2..4]);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&hex[4..]), &a).unwrap();
    let p = Project::new()
        .file(
            "Cargo.lock",
            &cargo_lock(&[("serde", "1.0.0"), ("syn", "2.0.0")], CRATES_IO),
        )
        .file(
            "web/package-lock.json",
            &npm_lock(&entries(&[("left-pad", "1.3.0")])),
        );
    let mut req = artifacts_only(UrlOverrides {
        npm: Some(s.url()),
        cargo: Some(s.url()),
    });
    req.offline = true;
    req.artifact_caches = vec![
        flat.path().to_path_buf(),
        cargo_home.path().to_path_buf(),
        npm_cache.path().to_path_buf(),
    ];
    let r = run(&p, fast(), req.clone()).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.coverage("artifacts").verified, 3);
    assert_eq!(s.requests(), 0);
    // Twin: a corrupted cache file is a mismatch naming the file.
    std::fs::write(reg.join("serde-1.0.0.crate"), b"corrupt").unwrap();
    let r = run(&p, fast(), req).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    assert!(r.findings[0].message.contains("serde-1.0.0.crate"));
}

#[test]
fn rejects_artifacts_offline_when_no_cache_holds_them() {
    let s = Server::start();
    let p = Project::new().file("Cargo.lock", &cargo_lock(&[("serde", "1.0.0")], CRATES_IO));
    let mut req = artifacts_only(cargo_at(&s));
    req.offline = true;
    let e = fetch_error(run(&p, fast(), req));
    assert_eq!(e.kind, FetchErrorKind::Offline);
    assert_eq!(s.requests(), 0);
}

#[test]
fn marks_artifacts_of_hashless_entries_unverifiable() {
    let s = Server::start();
    serve_npm(&s, &[("nohash", &["1.0.0"])]);
    let mut e = NpmEntry::new(PUBLIC_TEST, "nohash", "1.0.0");
    e.integrity = None;
    let req = Request {
        verify_registry: true,
        verify_artifacts: true,
        urls: npm_at(&s),
        no_cache: true,
        ..Request::default()
    };
    let r = run(&npm_project(&[e]), fast(), req).unwrap();
    assert!(r.findings.is_empty());
    assert!(
        matches!(r.status("registry", "nohash"), CoverageStatus::Unverifiable { reason, code } if reason.contains("missing-hash") && *code == CoverageCode::NoUsableHash)
    );
    assert!(
        matches!(r.status("artifacts", "nohash"), CoverageStatus::Unverifiable { reason, .. } if reason.contains("missing-hash"))
    );
    assert!(r.warnings.is_empty());
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn accepts_gzip_bodies_and_caps_them_after_decompression() {
    let s = Server::start();
    serve_npm(&s, &[("z", &["1.0.0"])]);
    let doc = packument("z", &[NpmVersion::published("z", "1.0.0")]);
    s.set(
        &packument_path("z"),
        Reply::ok(gzip(doc.as_bytes())).header("Content-Encoding", "gzip"),
    );
    let p = one_npm("z");
    let r = run(&p, fast(), registry_only(npm_at(&s))).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.kinds());
    assert!(
        s.log()[0]
            .header("accept-encoding")
            .is_some_and(|v| v.contains("gzip"))
    );
    // A small compressed body that inflates beyond the cap (a gzip bomb) is refused.
    let mut padded = doc.into_bytes();
    padded.extend(std::iter::repeat_n(b' ', 1 << 20));
    let bomb = gzip(&padded);
    assert!(bomb.len() < 10_000);
    s.set(
        &packument_path("z"),
        Reply::ok(bomb).header("Content-Encoding", "gzip"),
    );
    let mut cfg = fast();
    cfg.http.max_metadata_size = 100_000;
    let e = fetch_error(run(&p, cfg, registry_only(npm_at(&s))));
    assert_eq!(e.kind, FetchErrorKind::TooLarge { limit: 100_000 });
}

#[test]
fn rejects_a_registry_record_that_disagrees_with_its_own_artifact() {
    // The lockfile matches the served tarball, but the registry's shasum describes other bytes.
    let s = Server::start();
    legacy(&s, b"something else", artifact("legacy", "1.0.0"));
    let r = verify_one_npm(&s, "legacy", fast()).unwrap();
    assert_eq!(r.kinds(), ["hash-mismatch"]);
    assert_eq!(
        r.findings[0].title,
        "legacy@1.0.0: sha1 mismatch between the registry and the tarball"
    );
    assert!(
        r.findings[0]
            .message
            .contains("the registry's record (http://127.0.0.1:")
    );
}

//! `db update` against a server on 127.0.0.1 started by the test (no network), a local git
//! repository, and broken inputs: the old index must stay usable.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[allow(dead_code)]
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use tollgate_verifier::advisory::update::{self, Source, UpdateOptions};
use tollgate_verifier::advisory::{self, AdvisoryDb, SourceDir};
use tollgate_verifier::time::Timestamp;

const OSV: &str = r#"{"id":"GHSA-test-0001","modified":"2026-01-02T00:00:00Z","published":"2026-01-01T00:00:00Z","aliases":["CVE-2026-0001"],"affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}],"database_specific":{"severity":"HIGH"}}"#;

fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(enc);
    for (name, body) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, body.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file(*name, o).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Serves fixed bodies by path until the test ends; returns the base URL.
fn serve(routes: Vec<(&'static str, Vec<u8>)>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
            match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => {
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(body);
                }
                None => {
                    let _ = s.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    format!("http://{addr}")
}

fn opts() -> UpdateOptions {
    UpdateOptions {
        timeout: Duration::from_secs(20),
        max_archive_size: 1 << 20,
        now: Timestamp(1_787_616_000),
        allow_shrink: false,
        extract_limits: Default::default(),
        redirect_hosts: Vec::new(),
    }
}

fn seed(db: &Path) -> Vec<u8> {
    let src = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/advisories/osv-npm"
    ));
    advisory::import_dirs(&[SourceDir::new(src)], db, Timestamp(0)).unwrap();
    std::fs::read(db).unwrap()
}

#[test]
fn accepts_tar_gz_and_zip_archives_over_http() {
    let mut corrupt_tar = tar_gz(&[("db/GHSA-test-0001.json", OSV)]);
    let n = corrupt_tar.len();
    corrupt_tar.truncate(n / 2);
    let base = serve(vec![
        (
            "/db.tar.gz",
            tar_gz(&[("advisory-db-main/npm/GHSA-test-0001.json", OSV)]),
        ),
        ("/npm/all.zip", zip_of(&[("GHSA-test-0001.json", OSV)])),
        ("/corrupt.tar.gz", corrupt_tar),
        ("/garbage.zip", b"PK\x03\x04 this is not a zip".to_vec()),
        ("/big.tar.gz", vec![0x1f; 2 << 20]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.idx");

    for url in [format!("{base}/db.tar.gz"), format!("{base}/npm/all.zip")] {
        let meta = update::update(&[Source::parse(&url)], &db, &opts()).unwrap();
        assert_eq!(meta.advisories, 1, "{url}");
        assert_eq!(meta.sources[0].location, url);
        assert_eq!(
            meta.sources[0].date.as_deref(),
            Some("2026-01-02T00:00:00Z")
        );
        let opened = AdvisoryDb::open(&db).unwrap();
        assert_eq!(opened.records("npm", "left-pad").unwrap().len(), 1);
    }
    assert_eq!(
        AdvisoryDb::open(&db).unwrap().meta().sources[0].name,
        "osv-npm"
    );
}

#[test]
fn rejects_corrupt_missing_and_oversized_archives_keeping_the_old_index() {
    let mut corrupt_tar = tar_gz(&[("db/GHSA-test-0001.json", OSV)]);
    let n = corrupt_tar.len();
    corrupt_tar.truncate(n / 2);
    let base = serve(vec![
        ("/corrupt.tar.gz", corrupt_tar),
        ("/garbage.zip", b"PK\x03\x04 this is not a zip".to_vec()),
        ("/notanarchive", b"<html>hello</html>".to_vec()),
        ("/big.tar.gz", vec![0x1f; 2 << 20]),
        ("/good.tar.gz", tar_gz(&[("x/GHSA-test-0001.json", OSV)])),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.idx");
    let before = seed(&db);

    for (path, needle) in [
        ("/corrupt.tar.gz", "corrupt"),
        ("/garbage.zip", "corrupt zip"),
        ("/notanarchive", "magic"),
        ("/big.tar.gz", "limit"),
        ("/missing.tar.gz", "404"),
    ] {
        let url = format!("{base}{path}");
        // A good source next to the bad one: nothing is replaced unless everything succeeds.
        let srcs = [
            Source::parse(&format!("{base}/good.tar.gz")),
            Source::parse(&url),
        ];
        let err = update::update(&srcs, &db, &opts()).unwrap_err();
        assert!(err.to_string().contains(needle), "{path}: {err}");
        assert_eq!(std::fs::read(&db).unwrap(), before, "{path}: index changed");
        let old = AdvisoryDb::open(&db).unwrap();
        assert!(!old.records("npm", "mixin-deep").unwrap().is_empty());
    }
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn accepts_a_git_source_and_records_its_commit() {
    if !support::tools::require("git", &["--version"], "apt-get install git") {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("crates/demo")).unwrap();
    std::fs::write(
        repo.path().join("crates/demo/RUSTSEC-2099-0001.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"demo\"\ndate = \"2099-01-01\"\n\n[versions]\npatched = [\">= 1.0.0\"]\n```\n\n# Demo\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let st = std::process::Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .env("GIT_AUTHOR_DATE", "2026-08-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-08-01T00:00:00Z")
            .status()
            .unwrap();
        assert!(st.success());
    };
    run(&["init", "-q", "-b", "main"]);
    run(&["add", "-A"]);
    run(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@localhost",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-qm",
        "snapshot",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.idx");
    let url = format!("git+file://{}", repo.path().display());
    let meta = update::update(&[Source::parse(&url)], &db, &opts()).unwrap();
    assert_eq!(meta.advisories, 1);
    assert_eq!(meta.sources[0].commit.as_ref().map(String::len), Some(40));
    assert_eq!(
        meta.sources[0].date.as_deref(),
        Some("2026-08-01T00:00:00Z")
    );
    // twin: a git URL that does not exist fails and leaves the index alone
    let before = std::fs::read(&db).unwrap();
    let bad = format!("git+file://{}/nope", repo.path().display());
    assert!(update::update(&[Source::parse(&bad)], &db, &opts()).is_err());
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// `db update` follows the same redirect rule as the registry client (`verifier::net`): a
/// redirect on the same host is followed; one to another host is refused (naming it) and the
/// old index stays, unless that host is listed (`--redirect-host`); a redirect loop ends.
#[test]
fn redirects_follow_the_one_http_policy() {
    use support::server::{Reply, Server};
    let server = Server::start();
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    server.route(
        "/db.tar.gz",
        vec![Reply::ok(tar_gz(&[("x/GHSA-test-0001.json", OSV)]))],
    );
    server.route(
        "/same",
        vec![Reply::status(302).header("Location", "/db.tar.gz")],
    );
    let elsewhere = format!("http://localhost:{port}/db.tar.gz");
    server.route(
        "/other",
        vec![Reply::status(302).header("Location", &elsewhere)],
    );
    server.route(
        "/loop",
        vec![Reply::status(302).header("Location", "/loop")],
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisories.idx");
    let before = seed(&db);

    for path in ["/other", "/loop"] {
        let src = [Source::parse(&format!("{}{path}", server.base))];
        let err = update::update(&src, &db, &opts()).unwrap_err().to_string();
        let needle = if path == "/other" {
            "refused a redirect to http://localhost"
        } else {
            "more than 5 redirects"
        };
        assert!(err.contains(needle), "{path}: {err}");
        assert_eq!(std::fs::read(&db).unwrap(), before, "{path}: index changed");
    }
    // Twins: the same host, and the other host once it is listed.
    let meta = update::update(
        &[Source::parse(&format!("{}/same", server.base))],
        &db,
        &UpdateOptions {
            allow_shrink: true,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(meta.advisories, 1);
    let listed = UpdateOptions {
        allow_shrink: true,
        redirect_hosts: vec!["localhost".into()],
        ..opts()
    };
    let meta = update::update(
        &[Source::parse(&format!("{}/other", server.base))],
        &db,
        &listed,
    )
    .unwrap();
    assert_eq!(meta.advisories, 1);
}

//! The shared advisory snapshots against the corpus lockfiles.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use tollgate_verifier::advisory::{self, AdvisoryDb, SourceDir};
use tollgate_verifier::finding::{Code, Finding, FixHint};
use tollgate_verifier::time::Timestamp;

fn shared(p: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(p)
}

fn db_of(dirs: &[&str]) -> AdvisoryDb {
    let srcs: Vec<SourceDir> = dirs
        .iter()
        .map(|d| SourceDir::new(shared(&format!("advisories/{d}"))))
        .collect();
    let (bytes, _) = advisory::build_index(&srcs, Timestamp(0)).unwrap();
    AdvisoryDb::from_bytes(bytes.into(), advisory::DbOrigin::Embedded).unwrap()
}

fn findings(db: &AdvisoryDb, lock: &Path) -> Vec<Finding> {
    let g = tollgate_verifier::load_graph(&[lock.to_path_buf()], &Default::default()).unwrap();
    advisory::match_graph(db, &g).unwrap()
}

fn key(f: &Finding) -> String {
    let p = f.package.as_ref().unwrap();
    format!("{} {} {}@{}", f.code.kind(), f.ids[0], p.name, p.version)
}

fn cargo_locks() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(shared("corpus/lockfiles")).unwrap() {
        let p = e.unwrap().path().join("Cargo.lock");
        if p.is_file() {
            v.push(p);
        }
    }
    for e in std::fs::read_dir(shared("corpus/fixtures/cargo-lock-crate")).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            v.push(p);
        }
    }
    v.sort();
    v
}

/// RustSec Markdown and its OSV export must give the same findings on every corpus lockfile:
/// two parsers and two range semantics cross-checking each other.
#[test]
fn rustsec_and_its_osv_export_agree_on_the_corpus() {
    let rs = db_of(&["rustsec"]);
    let osv = db_of(&["osv-crates"]);
    let mut total = 0;
    for lock in cargo_locks() {
        let a: Vec<String> = findings(&rs, &lock).iter().map(key).collect();
        let b: Vec<String> = findings(&osv, &lock).iter().map(key).collect();
        assert_eq!(a, b, "{}", lock.display());
        total += a.len();
    }
    assert!(total > 400, "{total}");
}

#[test]
fn moonbeam_v4_known_findings_merged_across_sources() {
    let db = db_of(&["rustsec", "osv-crates", "osv-npm"]);
    let f = findings(&db, &shared("corpus/lockfiles/moonbeam-v4/Cargo.lock"));
    // Checked by SNAPSHOT.md against cargo-deny: crossbeam-epoch 0.9.18 → RUSTSEC-2026-0204.
    let ce = f
        .iter()
        .find(|f| f.ids[0] == "RUSTSEC-2026-0204")
        .expect("crossbeam-epoch finding");
    assert_eq!(ce.package.as_ref().unwrap().name, "crossbeam-epoch");
    assert_eq!(
        ce.id,
        "advisory/vulnerability:RUSTSEC-2026-0204:crossbeam-epoch@0.9.18"
    );
    assert!(matches!(ce.fix, Some(FixHint::Upgrade { .. })));
    // One finding per (advisory, package) although both RustSec and its OSV export match.
    let mut ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    let srcs = &ce.advisory.as_ref().unwrap().sources;
    assert_eq!(srcs, &vec!["osv-crates".to_string(), "rustsec".to_string()]);
    assert!(f.iter().any(|f| f.code == Code::Unmaintained));
    assert!(f.iter().any(|f| f.code == Code::Unsound));
    // negative twin: the same lockfile against the npm database only finds nothing
    let npm = db_of(&["osv-npm"]);
    assert!(findings(&npm, &shared("corpus/lockfiles/moonbeam-v4/Cargo.lock")).is_empty());
}

#[test]
fn npm_lockfile_against_osv_npm() {
    let db = db_of(&["osv-npm"]);
    let f = findings(
        &db,
        &shared("corpus/lockfiles/netlify-cli-2019-shrinkwrap-v1/npm-shrinkwrap.json"),
    );
    let keys: Vec<String> = f.iter().map(key).collect();
    assert!(
        keys.contains(&"vulnerability NSWG-ECO-519 handlebars@4.1.2".to_string()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"vulnerability GHSA-fhjf-83wg-r2j9 mixin-deep@1.3.1".to_string()),
        "{keys:?}"
    );
    let md = f
        .iter()
        .find(|f| f.ids[0] == "GHSA-fhjf-83wg-r2j9")
        .unwrap();
    assert_eq!(md.ids, vec!["GHSA-fhjf-83wg-r2j9", "CVE-2019-10746"]);
    assert_eq!(md.fix, Some(FixHint::Upgrade { to: "1.3.2".into() }));
}

#[test]
fn embedded_snapshot_opens_and_matches() {
    let db = advisory::embedded::embedded().unwrap();
    assert_eq!(db.meta().sources.len(), 3);
    assert_eq!(
        db.meta().sources[0].commit.as_deref(),
        Some("bf5c0d245a92671908518d7e765914d437954ed6")
    );
    let f = findings(&db, &shared("corpus/lockfiles/moonbeam-v4/Cargo.lock"));
    assert!(f.iter().any(|f| f.ids[0] == "RUSTSEC-2026-0204"));
    // The embedded snapshot is as fresh as the data: its build time is the newest source date.
    assert_eq!(db.meta().created, "2026-08-21T06:28:56Z");
}

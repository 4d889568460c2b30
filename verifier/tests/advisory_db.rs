//! Import the shared advisory snapshots, open the index, tamper with it.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use tollgate_verifier::advisory::{self, AdvisoryDb, AdvisoryKind, SourceDir};
use tollgate_verifier::time::Timestamp;

fn shared(p: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/advisories"
    ))
    .join(p)
}

fn now() -> Timestamp {
    // 2026-08-25T00:00:00Z
    Timestamp(1_787_616_000)
}

#[test]
fn imports_the_three_snapshots_with_counts_and_commits() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("advisories.idx");
    let meta = advisory::import_dirs(
        &[
            SourceDir::new(shared("rustsec")),
            SourceDir::new(shared("osv-crates")),
            SourceDir::new(shared("osv-npm")),
        ],
        &db_path,
        now(),
    )
    .unwrap();
    let s = &meta.sources;
    assert_eq!(s[0].name, "rustsec");
    assert_eq!(s[0].advisories, 1205 - 13);
    assert_eq!(s[0].withdrawn, 13);
    assert_eq!(
        s[0].commit.as_deref(),
        Some("bf5c0d245a92671908518d7e765914d437954ed6")
    );
    assert_eq!(s[0].date.as_deref(), Some("2026-08-21T06:28:40Z"));
    assert_eq!(s[1].advisories, 1206 - 13);
    assert_eq!(s[1].withdrawn, 13);
    assert_eq!(s[2].advisories, 472);
    assert_eq!(s[2].withdrawn, 0);
    assert_eq!(meta.created, "2026-08-25T00:00:00Z");
    assert_eq!(meta.by_ecosystem["npm"], 472);

    let db = AdvisoryDb::open(&db_path).unwrap();
    let time = db.records("crates.io", "time").unwrap();
    let ids: Vec<&str> = time.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"RUSTSEC-2020-0071"), "{ids:?}");
    assert!(
        db.records("crates.io", "no-such-crate-xyz")
            .unwrap()
            .is_empty()
    );
    assert!(db.records("npm", "time").unwrap().is_empty());
    let md = db.records("npm", "mixin-deep").unwrap();
    assert!(md.iter().any(|r| r.id == "GHSA-fhjf-83wg-r2j9"));
    // informational kinds survive
    let all = db.all_records().unwrap();
    let unmaintained = all
        .iter()
        .filter(|r| r.kind == AdvisoryKind::Unmaintained && r.source == "rustsec")
        .count();
    assert_eq!(unmaintained, 267 - withdrawn_unmaintained());

    // The oldest source (osv-npm, commit of 2026-04-08) sets the age.
    assert_eq!(s[2].date.as_deref(), Some("2026-04-08T00:00:00Z"));
    let st = advisory::status(&db, now(), 7);
    assert_eq!(st.snapshot_date.as_deref(), Some("2026-04-08T00:00:00Z"));
    assert_eq!(st.age_days, Some(139));
    assert!(st.stale);
    let st = advisory::status(&db, now(), 200);
    assert!(!st.stale);
    assert!(st.warning().is_none());
    let st = advisory::status(&db, Timestamp(1_787_616_000 + 70 * 86_400), 200);
    assert!(st.stale);
    assert!(st.warning().unwrap().contains("days old"));
}

fn withdrawn_unmaintained() -> usize {
    let mut n = 0;
    for e in walk(&shared("rustsec/crates")) {
        let t = std::fs::read_to_string(&e).unwrap();
        if t.contains("informational = \"unmaintained\"") && t.contains("\nwithdrawn") {
            n += 1;
        }
    }
    n
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn rejects_a_tampered_or_truncated_index_and_keeps_the_old_one_on_failed_import() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("advisories.idx");
    advisory::import_dirs(&[SourceDir::new(shared("osv-npm"))], &db_path, now()).unwrap();
    let good = std::fs::read(&db_path).unwrap();
    assert!(AdvisoryDb::open(&db_path).is_ok());

    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    std::fs::write(dir.path().join("flipped.idx"), &bad).unwrap();
    let e = AdvisoryDb::open(&dir.path().join("flipped.idx")).unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");
    std::fs::write(dir.path().join("short.idx"), &good[..good.len() - 10]).unwrap();
    assert!(AdvisoryDb::open(&dir.path().join("short.idx")).is_err());

    // A source with a broken advisory fails the import; the old index is untouched.
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("GHSA-x.json"), r#"{"id":"GHSA-x","modified":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"p"},"ranges":[{"type":"SEMVER","events":[{"bogus":"1"}]}]}]}"#).unwrap();
    let err = advisory::import_dirs(&[SourceDir::new(src.path())], &db_path, now()).unwrap_err();
    assert!(err.to_string().contains("GHSA-x.json"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), good);
    assert!(AdvisoryDb::open(&db_path).is_ok());
}

#[test]
fn a_withdrawn_osv_record_is_not_indexed_its_twin_is() {
    let src = tempfile::tempdir().unwrap();
    let rec = |w: &str| {
        format!(
            r#"{{"id":"GHSA-w","modified":"2020-01-01T00:00:00Z",{w}"affected":[{{"package":{{"ecosystem":"npm","name":"p"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}}]}}]}}]}}"#
        )
    };
    std::fs::write(
        src.path().join("a.json"),
        rec(r#""withdrawn":"2021-01-01T00:00:00Z","#),
    )
    .unwrap();
    // A source must yield at least one advisory: keep an unrelated live one beside it.
    std::fs::write(
        src.path().join("b.json"),
        rec("")
            .replace("GHSA-w", "GHSA-other")
            .replace("\"p\"", "\"q\""),
    )
    .unwrap();
    let (b, m) = advisory::build_index(&[SourceDir::new(src.path())], now()).unwrap();
    assert_eq!(m.advisories, 1);
    assert_eq!(m.sources[0].withdrawn, 1);
    drop(b);
    std::fs::write(src.path().join("a.json"), rec("")).unwrap();
    let (_, m) = advisory::build_index(&[SourceDir::new(src.path())], now()).unwrap();
    assert_eq!(m.advisories, 2);
}

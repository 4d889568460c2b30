//! `tollgate db import | status | update`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared(p: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/advisories"
    ))
    .join(p)
}

fn tollgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .env_remove("TOLLGATE_DB")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `db status --format json` at `now`: the document, stdout and stderr.
fn status_json(db: &str, now: &str) -> (serde_json::Value, String, String) {
    let (code, out, err) =
        tollgate(&["db", "status", "--db", db, "--now", now, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = crate::json_doc(
        "db.schema.json",
        out.as_bytes(),
        &[
            "location",
            "embedded",
            "meta",
            "snapshot_date",
            "age_days",
            "max_age_days",
            "stale",
        ],
    );
    (v, out, err)
}

#[test]
fn import_then_status_reports_sources_counts_and_age() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db_s = db.to_str().unwrap();
    let rs = shared("rustsec");
    let npm = shared("osv-npm");
    let (code, out, err) = tollgate(&[
        "db",
        "import",
        rs.to_str().unwrap(),
        npm.to_str().unwrap(),
        "--db",
        db_s,
        "--now",
        "2026-08-25T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1664 advisories"), "{out}");
    assert!(db.join("advisories.idx").is_file());

    let (v, _, err) = status_json(db_s, "2026-08-25T00:00:00Z");
    assert_eq!(v["age_days"], 139);
    assert_eq!(v["stale"], true);
    assert_eq!(
        v["meta"]["sources"][0]["commit"],
        "bf5c0d245a92671908518d7e765914d437954ed6"
    );
    assert!(err.contains("139 days old"), "{err}");

    // twin: a generous threshold gives no warning
    let (code, out, err) = tollgate(&[
        "db",
        "status",
        "--db",
        db_s,
        "--now",
        "2026-08-25T00:00:00Z",
        "--max-age-days",
        "365",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("snapshot: 2026-04-08T00:00:00Z  (139 days old)"),
        "{out}"
    );
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn import_of_a_missing_directory_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = tollgate(&[
        "db",
        "import",
        "/nonexistent/advisories",
        "--db",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/advisories"), "{err}");
}

#[test]
fn status_without_a_database_uses_the_embedded_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["db", "status", "--now", "2026-08-25T00:00:00Z"])
        .env_remove("TOLLGATE_DB")
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("database: embedded"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("embedded advisory snapshot"));
}

#[test]
fn update_from_a_directory_source_replaces_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let db_s = dir.path().to_str().unwrap();
    let npm = shared("osv-npm");
    let (code, out, err) = tollgate(&[
        "db",
        "update",
        "--source",
        npm.to_str().unwrap(),
        "--db",
        db_s,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = crate::json_doc("db.schema.json", out.as_bytes(), &["db", "meta"]);
    assert_eq!(v["meta"]["advisories"], 472);
    // twin: a source that does not exist fails with exit 2 and keeps the index
    let before = std::fs::read(dir.path().join("advisories.idx")).unwrap();
    let (code, _, _) = tollgate(&["db", "update", "--source", "/nonexistent", "--db", db_s]);
    assert_eq!(code, 2);
    assert_eq!(
        std::fs::read(dir.path().join("advisories.idx")).unwrap(),
        before
    );
}

fn check_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/check")).to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Issue 11 #1: `--db DIR` on a directory without an index or advisories is not "no
/// advisories": exit 2 naming the directory, in every way of naming the database.
#[test]
fn an_empty_database_directory_is_an_error_not_a_pass() {
    let empty = tempfile::tempdir().unwrap();
    let lock = check_dir().join("cargo");
    let lock = lock.to_str().unwrap();
    let e = empty.path().to_str().unwrap();
    let (code, _, err) = tollgate(&["check", lock, "--db", e]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(e) && err.contains("no advisory database here"),
        "{err}"
    );
    // TOLLGATE_DB and `[advisories] db` name it the same way.
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["check", lock])
        .env("TOLLGATE_DB", e)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let cfg = empty.path().join("tollgate.toml");
    std::fs::write(&cfg, format!("[advisories]\ndb = {e:?}\n")).unwrap();
    let (code, _, err) = tollgate(&["check", lock, "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    // A wrong path too.
    let missing = empty.path().join("nope");
    let (code, _, _) = tollgate(&["check", lock, "--db", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    // Twin: the same lockfile against a real database fails on its findings (exit 1).
    let db = check_dir().join("advisories");
    let (code, _, err) = tollgate(&["check", lock, "--db", db.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
}

/// Issue 11 #1: a database without records for an ecosystem of the graph is exit 2 unless
/// allowed (`--allow-empty-db`, `[advisories] allow-empty`).
#[test]
fn a_database_missing_an_ecosystem_of_the_graph_is_an_error_unless_allowed() {
    let crates_only = check_dir().join("advisories/crates");
    let db = crates_only.to_str().unwrap();
    let npm = check_dir().join("npm");
    let npm = npm.to_str().unwrap();
    let (code, _, err) = tollgate(&["check", npm, "--db", db]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no npm advisories"), "{err}");
    let (code, _, err) = tollgate(&["check", npm, "--db", db, "--allow-empty-db"]);
    assert_ne!(code, 2, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    std::fs::write(&cfg, "[advisories]\nallow-empty = [\"npm\"]\n").unwrap();
    let (code, _, err) = tollgate(&["check", npm, "--db", db, "--config", cfg.to_str().unwrap()]);
    assert_ne!(code, 2, "{err}");
    // Twin: the Cargo lockfile has what it needs in the same database.
    let cargo = check_dir().join("cargo");
    let (code, _, err) = tollgate(&["check", cargo.to_str().unwrap(), "--db", db]);
    assert_eq!(code, 1, "{err}");
}

/// Issue 11 #2: importing an empty directory fails and keeps the old index.
#[test]
fn an_empty_import_fails_and_keeps_the_old_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db_s = db.to_str().unwrap();
    let good = check_dir().join("advisories");
    let (code, _, err) = tollgate(&["db", "import", good.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(db.join("advisories.idx")).unwrap();
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("README.md"), "# not advisories\n").unwrap();
    let (code, _, err) = tollgate(&["db", "import", empty.path().to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no advisories found"), "{err}");
    assert_eq!(std::fs::read(db.join("advisories.idx")).unwrap(), before);
    // An empty archive through `db update --source` too.
    let tgz = empty.path().join("empty.tar.gz");
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let bytes = tar::Builder::new(enc)
        .into_inner()
        .unwrap()
        .finish()
        .unwrap();
    std::fs::write(&tgz, bytes).unwrap();
    let (code, _, err) = tollgate(&[
        "db",
        "update",
        "--source",
        tgz.to_str().unwrap(),
        "--db",
        db_s,
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(db.join("advisories.idx")).unwrap(), before);
    // And the next check still finds what the old index holds.
    let cargo = check_dir().join("cargo");
    let (code, _, _) = tollgate(&["check", cargo.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 1);
}

/// Issue 11 #2: an import that would leave far fewer advisories than the index it replaces is
/// refused unless `--allow-shrink`.
#[test]
fn a_much_smaller_import_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db_s = db.to_str().unwrap();
    let npm = shared("osv-npm");
    let (code, _, err) = tollgate(&["db", "import", npm.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(db.join("advisories.idx")).unwrap();
    let small = check_dir().join("advisories");
    let (code, _, err) = tollgate(&["db", "import", small.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing to replace the index") && err.contains("npm"),
        "{err}"
    );
    assert_eq!(std::fs::read(db.join("advisories.idx")).unwrap(), before);
    let (code, _, err) = tollgate(&[
        "db",
        "import",
        small.to_str().unwrap(),
        "--db",
        db_s,
        "--allow-shrink",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(db.join("advisories.idx")).unwrap(), before);
}

/// Issue 11 #2: the snapshot date is the sources' date, never the import time.
#[test]
fn the_snapshot_date_is_the_sources_date_not_the_import_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db_s = db.to_str().unwrap();
    let src = check_dir().join("advisories");
    let (code, _, err) = tollgate(&[
        "db",
        "import",
        src.to_str().unwrap(),
        "--db",
        db_s,
        "--now",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{err}");
    let (v, out, err) = status_json(db_s, "2026-12-01T00:00:00Z");
    assert_eq!(v["stale"], true, "{out}");
    let snap = v["snapshot_date"].as_str().unwrap_or("");
    assert!(
        !snap.starts_with("2026-12-01"),
        "dated by the import: {out}"
    );
    assert!(err.contains("days old"), "{err}");
}

/// Issue 11 #3: a truncated OSV file or a RustSec advisory without its front matter fails the
/// import, naming the file and the place; a README beside them is skipped.
#[test]
fn corrupt_advisory_files_fail_the_import_naming_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db_s = db.to_str().unwrap();
    let src = dir.path().join("src");
    copy_dir(&check_dir().join("advisories"), &src);
    std::fs::write(src.join("README.md"), "# Advisories\n\nnot one itself\n").unwrap();
    let (code, _, err) = tollgate(&["db", "import", src.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 0, "twin: the intact tree imports: {err}");

    let osv = src.join("npm/NSWG-ECO-516.json");
    let text = std::fs::read_to_string(&osv).unwrap();
    std::fs::write(&osv, &text[..text.len() / 2]).unwrap();
    let (code, _, err) = tollgate(&["db", "import", src.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("NSWG-ECO-516.json") && err.contains("not valid JSON"),
        "{err}"
    );
    std::fs::write(&osv, &text).unwrap();

    let md = std::fs::read_dir(src.join("crates/time"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .unwrap();
    let text = std::fs::read_to_string(&md).unwrap();
    let without_fence = text.replacen("```toml\n", "", 1);
    std::fs::write(&md, without_fence).unwrap();
    let (code, _, err) = tollgate(&["db", "import", src.to_str().unwrap(), "--db", db_s]);
    assert_eq!(code, 2, "{err}");
    let name = md.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name) && err.contains("1:1"), "{err}");
    // `--db DIR` indexing the same tree in memory fails the same way.
    let cargo = check_dir().join("cargo");
    let (code, _, err) = tollgate(&[
        "check",
        cargo.to_str().unwrap(),
        "--db",
        src.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
}

/// Issue 11 #9: an archive that unpacks to far more than its size is refused.
#[test]
fn a_decompression_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let tgz = dir.path().join("bomb.tar.gz");
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut b = tar::Builder::new(enc);
    let zeros = vec![0u8; 8 << 20];
    let mut h = tar::Header::new_gnu();
    h.set_size(zeros.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "db/zeros.json", &zeros[..]).unwrap();
    std::fs::write(&tgz, b.into_inner().unwrap().finish().unwrap()).unwrap();
    let (code, _, err) = tollgate(&[
        "db",
        "update",
        "--source",
        tgz.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("decompression bomb"), "{err}");
    assert!(!db.join("advisories.idx").exists());
}

/// Issue 11 #15: `--fail-on-stale-db` (or `[advisories] fail-on-stale`) makes a stale
/// database fail the gate; without it the age is a note.
#[test]
fn a_stale_database_fails_the_gate_when_asked() {
    let db = check_dir().join("advisories");
    let db = db.to_str().unwrap();
    // A clean lockfile: only the database's age can fail it.
    let lock = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/graph/cargo-v1-root/Cargo.lock"
    ));
    let lock = lock.to_str().unwrap();
    let (code, out, err) = tollgate(&[
        "check",
        "--lockfile",
        lock,
        "--db",
        db,
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("db import DIR"), "offline fix named: {out}");
    let (code, out, err) = tollgate(&[
        "check",
        "--lockfile",
        lock,
        "--db",
        db,
        "--fail-on",
        "critical",
        "--fail-on-stale-db",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("fail-on-stale"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    std::fs::write(
        &cfg,
        "fail-on = \"critical\"\n[advisories]\nfail-on-stale = true\nmax-age-days = 100000\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let (code, out, err) = tollgate(&["check", "--lockfile", lock, "--db", db, "--config", cfg]);
    assert_eq!(code, 0, "young enough for the limit: {out}{err}");
}

/// Issue 11 #14: an unsupported format is named as typed (`sarif`, not `Sarif`).
#[test]
fn db_names_an_unsupported_format_as_typed() {
    let (code, _, err) = tollgate(&["db", "status", "--format", "sarif"]);
    assert_eq!(code, 2);
    assert!(err.contains("--format sarif;"), "{err}");
}

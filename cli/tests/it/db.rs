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

    let (code, out, err) = tollgate(&[
        "db",
        "status",
        "--db",
        db_s,
        "--now",
        "2026-08-25T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
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
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
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

//! `tollgate rescan`: stored SBOMs against the current database, what is new since the last
//! scan (new advisories, raised severities, newly overdue), the state file (atomic under a real
//! kill, corrupt = exit 2 and untouched), `--shard K/N` and `rescan merge`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{testdata, tollgate};

/// A fleet of SBOMs (the `testdata/sbom` shapes) in a temporary directory, and databases: `one`
/// holds only the ansi_term advisory, `all` every advisory of `testdata/check/advisories`.
struct Fleet {
    dir: tempfile::TempDir,
}

impl Fleet {
    fn new() -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let sbom = testdata().join("../sbom");
        std::fs::create_dir_all(dir.path().join("fleet/b")).unwrap();
        for (from, to) in [
            ("cargo-cyclonedx.cdx.json", "fleet/app.cdx.json"),
            ("cyclonedx-npm.cdx.json", "fleet/web.cdx.json"),
            ("syft.cdx.json", "fleet/b/image.cdx.json"),
        ] {
            std::fs::copy(sbom.join(from), dir.path().join(to)).unwrap();
        }
        let db = testdata().join("../check/advisories");
        let one = dir.path().join("db-one");
        std::fs::create_dir_all(one.join("crates/ansi_term")).unwrap();
        std::fs::copy(
            db.join("crates/ansi_term/RUSTSEC-2021-0139.md"),
            one.join("crates/ansi_term/RUSTSEC-2021-0139.md"),
        )
        .unwrap();
        std::fs::create_dir_all(one.join("npm")).unwrap();
        std::fs::copy(
            db.join("npm/NSWG-ECO-516.json"),
            one.join("npm/NSWG-ECO-516.json"),
        )
        .unwrap();
        Fleet { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn db(&self, which: &str) -> PathBuf {
        match which {
            "one" => self.path("db-one"),
            _ => testdata().join("../check/advisories"),
        }
    }

    /// `rescan fleet --state state.json --db DB --now NOW --format json ARGS`.
    fn rescan(&self, db: &str, now: &str, args: &[&str]) -> (Option<i32>, Value, String) {
        let mut cmd = tollgate();
        cmd.arg("rescan")
            .arg(self.path("fleet"))
            .arg("--state")
            .arg(self.path("state.json"))
            .arg("--db")
            .arg(self.db(db))
            .args(["--now", now, "--format", "json"])
            .args(args);
        let out = cmd.output().unwrap();
        let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.code(),
            v,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// `(sbom, change, finding)` of every change.
fn changes(v: &Value) -> Vec<(String, String, String)> {
    v["changes"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|c| {
            (
                c["sbom"].as_str().unwrap().to_owned(),
                c["change"].as_str().unwrap().to_owned(),
                c["finding"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const TIME: &str = "advisory/vulnerability:RUSTSEC-2020-0071:time@0.1.45";

#[test]
fn reports_new_advisories_then_newly_overdue_then_raised_and_nothing_twice() {
    let f = Fleet::new();
    // First scan, a database without the time advisory: everything it finds is new; lodash
    // (published 2020) blocks.
    let (code, v, err) = f.rescan("one", "2020-12-01", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["first_scan"], true);
    assert_eq!(v["scanned"], 3);
    assert!(changes(&v).iter().all(|(_, c, _)| c == "new"));
    assert!(!changes(&v).iter().any(|(_, _, id)| id == TIME));
    // The same scan again: nothing is new, the run passes.
    let (code, v, _) = f.rescan("one", "2020-12-01", &[]);
    assert_eq!((code, changes(&v).len()), (Some(0), 0), "{v}");
    // A database with the time advisory: new in the two SBOMs that hold time, within its SLA.
    let (code, v, _) = f.rescan("all", "2020-12-01", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        changes(&v),
        [
            ("app.cdx.json".to_owned(), "new".to_owned(), TIME.to_owned()),
            (
                "b/image.cdx.json".to_owned(),
                "new".to_owned(),
                TIME.to_owned()
            ),
        ]
    );
    assert_eq!(v["changes"][0]["overdue"], false);
    // Years later: past the SLA.
    let (code, v, _) = f.rescan("all", "2026-12-01", &[]);
    assert_eq!(code, Some(1));
    assert!(
        changes(&v).iter().all(|(_, c, _)| c == "newly-overdue"),
        "{v}"
    );
    assert!(changes(&v).iter().any(|(_, _, id)| id == TIME));
    // Negative twin: the same scan once more reports nothing.
    let (code, v, _) = f.rescan("all", "2026-12-01", &[]);
    assert_eq!((code, changes(&v).len()), (Some(0), 0), "{v}");
    // A policy that rates vulnerabilities critical: raised severities.
    let cfg = f.path("tollgate.toml");
    std::fs::write(&cfg, "[severity]\nvulnerability = \"critical\"\n").unwrap();
    let (code, v, err) = f.rescan("all", "2026-12-01", &["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(changes(&v).iter().all(|(_, c, _)| c == "raised"), "{v}");
    assert_eq!(v["changes"][0]["previous_severity"], "medium");
    assert_eq!(v["changes"][0]["severity"], "critical");
    // Below the threshold a new finding is reported but does not fail the run.
    std::fs::remove_file(f.path("state.json")).unwrap();
    let (code, v, _) = f.rescan("all", "2026-12-01", &["--fail-on", "critical"]);
    assert_eq!(code, Some(0), "{v}");
    assert!(!changes(&v).is_empty());
    assert_eq!(v["blocking"], 0);
}

#[test]
fn keeps_the_previous_state_when_killed_mid_write() {
    let f = Fleet::new();
    let (code, _, err) = f.rescan("one", "2020-12-01", &[]);
    assert_eq!(code, Some(1), "{err}");
    let state = f.path("state.json");
    let before = std::fs::read(&state).unwrap();
    // A scan that changes the state, paused between writing the new state and renaming it.
    let mut child = tollgate()
        .arg("rescan")
        .arg(f.path("fleet"))
        .arg("--state")
        .arg(&state)
        .arg("--db")
        .arg(f.db("all"))
        .args(["--now", "2026-12-01", "-q"])
        .env("TOLLGATE_TEST_STATE_PAUSE_MS", "600000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let tmp = f.path(&format!(".state.json.tmp-{}", child.id()));
    // Wait for the new state to be written in full (the process then sleeps before the rename).
    let mut waited = 0;
    while std::fs::read(&tmp).map_or(true, |b| !b.ends_with(b"}\n")) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "rescan ended before writing its state"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        waited += 1;
        assert!(waited < 15_000, "no temporary state after 5 minutes");
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The previous state is intact and still reads.
    assert_eq!(std::fs::read(&state).unwrap(), before);
    let (code, v, err) = f.rescan("all", "2026-12-01", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["first_scan"], false);
    assert!(
        changes(&v)
            .iter()
            .any(|(_, c, id)| c == "new" && id == TIME)
    );
    // Negative twin: not killed, the state moves on.
    assert_ne!(std::fs::read(&state).unwrap(), before);
}

#[test]
fn refuses_a_corrupt_state_and_leaves_it_as_it_is() {
    let f = Fleet::new();
    let state = f.path("state.json");
    for bad in [
        &b"{\"schema_version\": 1, \"kind\": \"tollgate-rescan-state\", \"sboms\": {"[..],
        b"{\"schema_version\": 99, \"kind\": \"tollgate-rescan-state\"}",
        b"",
    ] {
        std::fs::write(&state, bad).unwrap();
        let (code, _, err) = f.rescan("all", "2026-12-01", &[]);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains("state.json") && err.contains("left unchanged"),
            "{err}"
        );
        assert_eq!(std::fs::read(&state).unwrap(), bad);
    }
    // Twin: a missing state is the first scan.
    std::fs::remove_file(&state).unwrap();
    let (code, v, _) = f.rescan("all", "2026-12-01", &[]);
    assert_eq!((code, v["first_scan"].as_bool()), (Some(1), Some(true)));
}

fn sboms_of(state: &Path) -> Value {
    let v: Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    v["sboms"].clone()
}

#[test]
fn shards_split_the_fleet_and_merge_back_to_the_whole() {
    let f = Fleet::new();
    let (_, whole, _) = f.rescan("all", "2026-12-01", &[]);
    let full = sboms_of(&f.path("state.json"));
    let mut parts = Vec::new();
    let mut scanned = 0;
    for k in 1..=3 {
        std::fs::remove_file(f.path("state.json")).ok();
        let shard = format!("{k}/3");
        let (code, v, err) = f.rescan("all", "2026-12-01", &["--shard", &shard]);
        assert_ne!(code, Some(2), "{err}");
        assert_eq!(v["found"], 3);
        scanned += v["scanned"].as_u64().unwrap();
        // Stable: the same shard scans the same SBOMs again.
        let (_, again, _) = f.rescan("all", "2026-12-01", &["--shard", &shard]);
        assert_eq!(again["scanned"], v["scanned"]);
        let part = f.path(&format!("state-{k}.json"));
        std::fs::rename(f.path("state.json"), &part).unwrap();
        parts.push(part);
    }
    assert_eq!(scanned, 3, "every SBOM in exactly one shard");
    assert_eq!(whole["scanned"], 3);
    let merged = f.path("merged.json");
    let mut cmd = tollgate();
    cmd.args(["rescan", "merge"])
        .args(&parts)
        .arg("-o")
        .arg(&merged);
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sboms_of(&merged), full);
    // A corrupt part is exit 2, and nothing is written.
    std::fs::write(&parts[0], b"{").unwrap();
    std::fs::remove_file(&merged).unwrap();
    let mut cmd = tollgate();
    cmd.args(["rescan", "merge"])
        .args(&parts)
        .arg("-o")
        .arg(&merged);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!merged.exists());
}

#[test]
fn rejects_bad_arguments_and_unreadable_sboms_with_exit_2() {
    let f = Fleet::new();
    for (args, needle) in [
        (vec!["--shard", "0/3"], "--shard"),
        (vec!["--shard", "4/3"], "--shard"),
    ] {
        let (code, _, err) = f.rescan("all", "2026-12-01", &args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(err.contains(needle), "{err}");
    }
    std::fs::write(
        f.path("fleet/broken.cdx.json"),
        b"{\"bomFormat\": \"CycloneDX\"",
    )
    .unwrap();
    let (code, _, err) = f.rescan("all", "2026-12-01", &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("broken.cdx.json") && err.contains("truncated JSON"),
        "{err}"
    );
    assert!(!f.path("state.json").exists());
}

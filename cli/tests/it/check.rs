//! `tollgate check` and `tollgate init`: policy loading, exit codes, formats.

use crate::{render, run, tollgate};

#[test]
fn init_writes_a_template_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    let out = tollgate().arg("init").arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("fail-on = \"low\""));
    // A second init refuses to overwrite.
    let out = tollgate().arg("init").arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = tollgate()
        .args(["check", "cargo-v4-git/Cargo.lock", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", render(&out));
}

#[test]
fn config_errors_name_key_and_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    for (text, want) in [
        (
            "fail-on = \"high\"\nfial-on = 1\n",
            ":2:1: unknown field `fial-on`",
        ),
        (
            "\n\nfail-on = \"severe\"\n",
            ":3:11: unknown variant `severe`",
        ),
        (
            "[[waiver]]\nid = \"RUSTSEC-2020-0071\"\n",
            "missing field `reason`",
        ),
        ("[sla]\nhigh = \"a week\"\n", ":2:8: invalid duration"),
    ] {
        std::fs::write(&cfg, text).unwrap();
        let out = tollgate()
            .args(["check", "cargo-v4-git/Cargo.lock", "--config"])
            .arg(&cfg)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}: {}", render(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("tollgate.toml") && err.contains(want),
            "{text}: {err}"
        );
    }
}

#[test]
fn check_passes_a_clean_lockfile_in_every_format() {
    for fmt in ["human", "json", "sarif", "markdown"] {
        let out = run(&[
            "check",
            "cargo-v1-root/Cargo.lock",
            "--format",
            fmt,
            "--now",
            "2026-11-23",
        ]);
        assert_eq!(out.status.code(), Some(0), "{fmt}: {}", render(&out));
        if fmt == "json" || fmt == "sarif" {
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("one JSON document");
            if fmt == "json" {
                assert_eq!(v["verdict"], "pass");
                assert!(v["findings"].is_array());
            } else {
                assert_eq!(v["version"], "2.1.0");
            }
        }
    }
}

#[test]
fn check_rejects_bad_now_and_bad_fail_on() {
    let out = run(&["check", "cargo-v1-root/Cargo.lock", "--now", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["check", "cargo-v1-root/Cargo.lock", "--fail-on", "severe"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_on_invalid_lockfile_exits_2_naming_file_and_line() {
    let out = run(&["check", "--lockfile", "invalid/not-json.invalid.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not-json.invalid.json:1:"), "{err}");
}

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
    // The corpus writes the public npm registry as registry.npmjs.test: allow it.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    std::fs::write(
        &cfg,
        "[registries]\nnpm = [\"https://registry.npmjs.test/\"]\n",
    )
    .unwrap();
    let cfg = cfg.to_string_lossy().into_owned();
    for fmt in ["human", "json", "sarif", "markdown"] {
        let out = run(&[
            "check",
            "--config",
            &cfg,
            "--fail-on",
            "high",
            "npm-v3-workspaces/package-lock.json",
            "--db",
            "../check/advisories",
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
                crate::support::schema::assert_valid_report(&String::from_utf8_lossy(&out.stdout));
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

/// `check` on the fixtures in `testdata/check` with their own small advisory set (a directory of
/// advisories is indexed in memory), at a fixed `now`.
fn check_fixture(extra: &[&str]) -> std::process::Output {
    check_at("2026-11-23T12:00:00Z", extra)
}

fn check_at(now: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "check",
        "--lockfile",
        "../check/cargo/Cargo.lock",
        "--lockfile",
        "../check/npm/package-lock.json",
        "--db",
        "../check/advisories",
        "--now",
        now,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn with_config(text: &str, extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    std::fs::write(&cfg, text).unwrap();
    let cfg = cfg.to_string_lossy().into_owned();
    let mut args = vec!["--config", cfg.as_str()];
    args.extend_from_slice(extra);
    check_fixture(&args)
}

#[test]
fn vulnerable_lockfiles_fail_in_every_format() {
    for fmt in ["human", "json", "sarif", "markdown"] {
        let out = check_fixture(&["--format", fmt]);
        assert_eq!(out.status.code(), Some(1), "{fmt}: {}", render(&out));
        // SARIF names the repository root (`originalUriBaseIds`): the checkout's path varies.
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        insta::assert_snapshot!(
            format!("check_fixture_{fmt}"),
            crate::render_with(&out, &[(&repo, "[REPO]")])
        );
    }
}

#[test]
fn json_contract_fields() {
    let out = check_fixture(&["--format", "json"]);
    crate::support::schema::assert_valid_report(&String::from_utf8_lossy(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
    let f = v["findings"].as_array().unwrap();
    let time = f
        .iter()
        .find(|f| f["package"]["name"] == "time")
        .expect("time finding");
    assert_eq!(time["kind"], "vulnerability");
    assert_eq!(time["severity"], "medium");
    assert_eq!(time["package"]["ecosystem"], "cargo");
    assert_eq!(time["package"]["version"], "0.1.45");
    assert_eq!(time["waived"], false);
    assert_eq!(time["overdue"], true);
    let ids: Vec<&str> = time["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(
        ids[0], "RUSTSEC-2020-0071",
        "the RustSec id is the primary id"
    );
    let mut rest = ids[1..].to_vec();
    rest.sort_unstable();
    assert_eq!(rest, ["CVE-2020-26235", "GHSA-wcg3-cvx6-7396"]);
    let lodash = f
        .iter()
        .find(|f| f["package"]["name"] == "lodash")
        .expect("lodash finding");
    assert_eq!(lodash["ids"][0], "NSWG-ECO-516");
    assert_eq!(lodash["fix"]["upgrade"]["to"], "4.17.19");
    let unmaintained = f
        .iter()
        .find(|f| f["kind"] == "unmaintained")
        .expect("ansi_term");
    assert_eq!(unmaintained["blocking"], false);
}

#[test]
fn threshold_above_every_finding_passes() {
    let out = check_fixture(&["--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

#[test]
fn active_waivers_pass_and_expired_waivers_fail() {
    let waivers = |expires: &str| {
        format!(
            "[[waiver]]\nid = \"CVE-2020-26235\"\npackage = \"time\"\nversion = \"<0.2\"\nreason = \"we never call time::now on unix\"\nowner = \"sec@example.com\"\nexpires = \"{expires}\"\n\
             [[waiver]]\nid = \"NSWG-ECO-516\"\nreason = \"template input is trusted\"\nexpires = \"{expires}\"\n"
        )
    };
    let out = with_config(&waivers("2026-11-23"), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["waived"], 2);

    let out = with_config(&waivers("2026-11-22"), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["expired_waivers"].as_array().unwrap().len(), 2);
    assert_eq!(v["summary"]["waived"], 0);
}

#[test]
fn stale_waiver_is_reported() {
    let out = with_config(
        "fail-on = \"critical\"\n[[waiver]]\nid = \"RUSTSEC-1999-0001\"\nreason = \"gone\"\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("stale: waiver `RUSTSEC-1999-0001` matches no finding"),
        "{text}"
    );
}

#[test]
fn fail_on_overdue_blocks_only_past_the_sla() {
    // RUSTSEC-2020-0071 (medium: 30 days) was published 2020-11-18, so it is due 2020-12-18.
    let cargo_at = |now: &str| {
        run(&[
            "check",
            "../check/cargo/Cargo.lock",
            "--db",
            "../check/advisories",
            "--fail-on-overdue",
            "--now",
            now,
        ])
    };
    let out = cargo_at("2020-12-01");
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("due 2020-12-18 (SLA 30d)"));
    let out = cargo_at("2020-12-19");
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OVERDUE"));
    // NSWG-ECO-516 carries the placeholder publication date 1970-01-01: its SLA counts from its
    // modification date (2020-07-13), not from 1970.
    let out = check_fixture(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lodash = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "lodash")
        .cloned()
        .unwrap();
    assert_eq!(lodash["sla"]["started"], "2020-07-13T00:00:00Z");
}

#[test]
fn closed_pipe_keeps_the_failing_verdict() {
    // Issue 11 #4: `tollgate check … | head -1` exited 0 on a failing gate.
    for fmt in ["human", "json", "sarif", "markdown"] {
        let (code, err) = crate::run_with_closed_stdout(&[
            "check",
            "../check/cargo",
            "--db",
            "../check/advisories",
            "--format",
            fmt,
        ]);
        assert_eq!(code, Some(1), "{fmt}: {err}");
        assert!(!err.contains("error"), "{fmt}: {err}");
    }
}

#[test]
fn closed_pipe_keeps_the_passing_verdict() {
    let (code, err) = crate::run_with_closed_stdout(&[
        "check",
        "../check/cargo",
        "--db",
        "../check/advisories",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, Some(0), "{err}");
}

/// Issue 11 #9 and #14: `tollgate.toml` is read with a size cap and only as a regular file;
/// errors without a place print no `:0:0`; an impossible date says why.
#[test]
fn config_file_limits_places_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let run_cfg = |cfg: &std::path::Path| {
        tollgate()
            .args(["check", "cargo-v4-git/Cargo.lock", "--config"])
            .arg(cfg)
            .output()
            .unwrap()
    };
    let big = dir.path().join("big.toml");
    let mut text = String::from("fail-on = \"high\"\n");
    while text.len() < (2 << 20) {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&big, &text).unwrap();
    let out = run_cfg(&big);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("big.toml: file is") && err.contains("larger than the"),
        "{err}"
    );
    assert!(!err.contains(":0:0"), "{err}");

    let missing = dir.path().join("missing.toml");
    let out = run_cfg(&missing);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.toml: no such file") && !err.contains(":0"),
        "{err}"
    );

    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = run_cfg(&fifo);
        assert_eq!(out.status.code(), Some(2), "{}", render(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    }

    let bad_date = dir.path().join("date.toml");
    std::fs::write(
        &bad_date,
        "[[waiver]]\nid = \"RUSTSEC-2020-0071\"\nreason = \"r\"\nexpires = \"2026-02-30\"\n",
    )
    .unwrap();
    let out = run_cfg(&bad_date);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":4:11:") && err.contains("2026-02 has 28 days"),
        "{err}"
    );

    // Twin: a small, valid config is accepted.
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "fail-on = \"high\"\n").unwrap();
    assert_ne!(run_cfg(&good).status.code(), Some(2));
}

/// Issue 11 #15: with `--output FILE`, stdout carries the verdict, not a second copy of the
/// document.
#[test]
fn output_file_leaves_the_verdict_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let out = tollgate()
        .args([
            "check",
            "../check/cargo",
            "--db",
            "../check/advisories",
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("FAIL 4 packages"), "{stdout}");
    assert!(
        stdout.contains("report.sarif") && !stdout.contains("\"runs\""),
        "{stdout}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // `-q` silences the summary too.
    let out = tollgate()
        .args([
            "-q",
            "check",
            "../check/cargo",
            "--db",
            "../check/advisories",
            "--format",
            "json",
            "--output",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

/// Issue 12, item 4: a `[provenance]` policy `check` does not enforce yet fails the verdict
/// (typed reason and note) instead of passing as if it held; without one, the same run passes.
#[test]
fn an_unenforced_provenance_policy_fails_closed() {
    let policy = "[provenance.packages.\"left-pad\"]\nsource-uri = \"github.com/left-pad/left-pad\"\nbuilder-id = \"https://github.com/actions/runner/github-hosted\"\n";
    let out = with_config(policy, &["--fail-on", "critical", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
    let reasons = v["reasons_typed"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r["code"] == "unenforced-provenance"),
        "{reasons:?}"
    );
    assert!(
        v["notes_typed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["code"] == "unenforced-provenance")
    );
    // Negative twin: the same run without the section passes.
    let out = with_config("", &["--fail-on", "critical", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

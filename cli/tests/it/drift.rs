//! `tollgate check` on manifests that drifted from their lockfiles (`testdata/drift/`).

use crate::{render, run};

fn check_json(dir: &str) -> (Option<i32>, serde_json::Value, std::process::Output) {
    let out = run(&[
        "check",
        dir,
        "--db",
        "../check/advisories",
        "--now",
        "2026-11-23",
        "--format",
        "json",
    ]);
    if !out.stdout.is_empty() {
        crate::support::schema::assert_valid_report(&String::from_utf8_lossy(&out.stdout));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (out.status.code(), v, out)
}

fn drift_findings(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == "lock-drift")
        .cloned()
        .collect()
}

#[test]
fn accepts_npm_lock_in_sync_with_its_manifests() {
    let (code, v, out) = check_json("../drift/npm-ws");
    assert_eq!(code, Some(0), "{}", render(&out));
    assert!(drift_findings(&v).is_empty());
}

#[test]
fn rejects_npm_drift_as_a_json_finding_with_exit_1() {
    let (code, v, out) = check_json("../drift/npm-ws-range");
    assert_eq!(code, Some(1), "{}", render(&out));
    let fs = drift_findings(&v);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    let mut f = fs[0].clone();
    f.as_object_mut().unwrap().remove("disposition");
    insta::assert_json_snapshot!(f, @r#"
    {
      "advisory": null,
      "blocking": true,
      "code": "drift/lock-drift",
      "effective_severity": "high",
      "fix": {
        "advice": "run `npm install` and commit package-lock.json"
      },
      "fix_hint": {
        "any_unlocked_cargo_command": false,
        "command": "npm install",
        "kind": "update-lockfile",
        "lockfile": "package-lock.json",
        "text": "run `npm install` and commit package-lock.json"
      },
      "id": "drift/lock-drift:package.json:dependencies.is-odd",
      "ids": [],
      "kind": "lock-drift",
      "location": {
        "file": "package.json",
        "line": 9
      },
      "message": "package.json:9 declares `\"is-odd\": \"^4.0.0\"` in dependencies of the root project: locked version 3.0.1 does not satisfy `^4.0.0`; package-lock.json records `^3.0.0` for it. `npm ci` refuses this lock.",
      "overdue": false,
      "package": {
        "ecosystem": "npm",
        "id": "package-lock.json#node_modules/is-odd",
        "name": "is-odd",
        "purl": "pkg:npm/is-odd@3.0.1",
        "version": "3.0.1"
      },
      "path": [
        "web@1.0.0",
        "is-odd@3.0.1"
      ],
      "scopes": [],
      "severity": "high",
      "sla": null,
      "title": "is-odd ^4.0.0 not satisfied by locked is-odd@3.0.1",
      "waived": false
    }
    "#);
}

fn check_json_with(
    dir: &str,
    config: &str,
) -> (Option<i32>, serde_json::Value, std::process::Output) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("tollgate.toml");
    std::fs::write(&cfg, config).unwrap();
    let out = run(&[
        "check",
        dir,
        "--config",
        &cfg.to_string_lossy(),
        "--db",
        "../check/advisories",
        "--now",
        "2026-11-23",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (out.status.code(), v, out)
}

#[test]
fn rejects_cargo_drift_that_cargo_itself_refuses() {
    // The deep mode: `cargo metadata --locked --offline` runs (path dependencies only, so it
    // needs no registry; the tests run under cargo, so it is on PATH); the manifest comparison
    // names the member too.
    let deep = "[drift]\nuse-cargo = true\n";
    let (code, v, out) = check_json_with("../drift/cargo-paths-version", deep);
    assert_eq!(code, Some(1), "{}", render(&out));
    let fs = drift_findings(&v);
    assert!(
        fs.iter()
            .any(|f| f["id"].as_str().unwrap_or("").ends_with(":cargo-metadata")),
        "cargo's refusal is a finding: {fs:#?}"
    );
    let lib_b = fs
        .iter()
        .find(|f| f["package"]["name"] == "lib-b")
        .expect("lib-b drift");
    assert_eq!(lib_b["location"]["file"], "crates/lib-b/Cargo.toml");
    assert_eq!(lib_b["location"]["line"], 3);
    let (code, v, out) = check_json_with("../drift/cargo-paths", deep);
    assert_eq!(code, Some(0), "{}", render(&out));
    assert!(drift_findings(&v).is_empty());
}

#[test]
fn rejects_cargo_drift_by_default_without_asking_cargo() {
    // Default config: the manifest comparison is authoritative; cargo is not started.
    let (code, v, out) = check_json("../drift/cargo-paths-version");
    assert_eq!(code, Some(1), "{}", render(&out));
    let fs = drift_findings(&v);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0]["package"]["name"], "lib-b");
    assert_eq!(
        fs[0]["id"],
        "drift/lock-drift:crates/lib-b/Cargo.toml:package.version"
    );
    let (code, v, out) = check_json("../drift/cargo-paths");
    assert_eq!(code, Some(0), "{}", render(&out));
    assert!(drift_findings(&v).is_empty());
}

#[test]
fn drift_can_be_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    std::fs::write(&cfg, "[drift]\nenabled = false\n").unwrap();
    let out = run(&[
        "check",
        "../drift/npm-ws-range",
        "--config",
        &cfg.to_string_lossy(),
        "--db",
        "../check/advisories",
        "--now",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

#[test]
fn malformed_manifest_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        "{\n  \"name\": \"x\",\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("package-lock.json"),
        "{\"name\": \"x\", \"lockfileVersion\": 3, \"packages\": {\"\": {\"name\": \"x\"}}}\n",
    )
    .unwrap();
    let out = run(&[
        "check",
        &dir.path().to_string_lossy(),
        "--db",
        "../check/advisories",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("package.json:3:1: invalid package.json"),
        "{err}"
    );
}

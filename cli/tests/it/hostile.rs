//! Hostile lockfile content through the real binary: control characters (ESC, OSC, BEL, CSI,
//! bidi overrides) in package names and versions never reach the terminal from `check`, `graph`
//! or `why` (stdout or stderr), and `--format json` keeps the exact strings.

use std::path::Path;

use crate::tollgate;

/// A package name that retitles the terminal window (OSC 0 … BEL).
const EVIL: &str = "evil\u{1b}]0;pwned\u{7}";
/// A version that clears the screen.
const EVIL_VERSION: &str = "1.0.0\u{1b}[2J";

/// An npm lockfile whose names carry control characters (JSON `\u001b` escapes).
fn hostile_lock(dir: &Path) {
    let text = r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"evil\u001b]0;pwned\u0007": "1.0.0"}},
    "node_modules/evil\u001b]0;pwned\u0007": {
      "version": "1.0.0\u001b[2J",
      "resolved": "https://registry.npmjs.org/evil/-/evil-1.0.0.tgz",
      "dependencies": {"dep": "1.0.0", "ghost\u001b[31m\u202e": "1.0.0"}
    },
    "node_modules/dep": {
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/dep/-/dep-1.0.0.tgz",
      "integrity": "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
    }
  }
}
"#;
    std::fs::write(dir.join("package-lock.json"), text).unwrap();
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    tollgate()
        .args(args)
        .arg(dir)
        .args(["--color", "never"])
        .output()
        .unwrap()
}

/// No control character but newline, in either stream.
fn assert_no_controls(what: &str, out: &std::process::Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| tollgate_verifier::render::escape::is_hidden_control(c) && c != '\n')
            .collect();
        assert!(bad.is_empty(), "{what}: {stream} carries {bad:?}:\n{text}");
    }
}

#[test]
fn control_characters_in_names_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    hostile_lock(dir.path());
    let db = ["--db", "../check/advisories"];
    for (what, args) in [
        ("check", vec!["check", db[0], db[1]]),
        ("check -v", vec!["check", "-v", db[0], db[1]]),
        (
            "check markdown",
            vec!["check", db[0], db[1], "--format", "markdown"],
        ),
        ("graph", vec!["graph"]),
        ("graph -v", vec!["graph", "-v"]),
        ("why dep", vec!["why", "dep"]),
        ("why evil", vec!["why", EVIL]),
        ("why unknown", vec!["why", "nope\u{1b}]0;x\u{7}"]),
    ] {
        let out = run_in(dir.path(), &args);
        assert!(out.status.code().is_some(), "{what}");
        assert_no_controls(what, &out);
    }
    // The escapes are visible where the names are shown.
    let out = run_in(dir.path(), &["why", "dep"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("app@1.0.0 → evil\\u{1b}]0;pwned\\u{7}@1.0.0\\u{1b}[2J → dep@1.0.0"),
        "{text}"
    );
    let out = run_in(dir.path(), &["graph", "-v"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ghost\\u{1b}[31m\\u{202e}"), "{err}");
    let out = run_in(dir.path(), &["check", db[0], db[1]]);
    assert_eq!(out.status.code(), Some(1), "the missing integrity blocks");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("evil\\u{1b}]0;pwned\\u{7}@1.0.0\\u{1b}[2J missing-hash"),
        "{text}"
    );
}

#[test]
fn json_keeps_the_exact_names() {
    let dir = tempfile::tempdir().unwrap();
    hostile_lock(dir.path());
    let out = run_in(
        dir.path(),
        &["check", "--db", "../check/advisories", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0]["package"];
    assert_eq!(f["name"], EVIL);
    assert_eq!(f["version"], EVIL_VERSION);
    let out = run_in(dir.path(), &["graph", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(names.contains(&EVIL), "{names:?}");
    let out = run_in(dir.path(), &["why", "dep", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["matches"][0]["paths"][0][1],
        format!("{EVIL}@{EVIL_VERSION}")
    );
}

#[test]
fn clean_names_are_printed_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    hostile_lock(dir.path());
    let out = run_in(dir.path(), &["why", "dep"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("dep@1.0.0  package-lock.json:13\n"),
        "{text}"
    );
}

#[test]
fn unsupported_formats_are_named_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    hostile_lock(dir.path());
    for cmd in [vec!["graph"], vec!["why", "dep"]] {
        for fmt in ["sarif", "markdown"] {
            let mut args = cmd.clone();
            args.extend(["--format", fmt]);
            let out = run_in(dir.path(), &args);
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(&format!(
                    "does not support --format {fmt}; use human or json"
                )),
                "{err}"
            );
        }
    }
}

/// A credential in a lockfile key reaches no finding, whichever stage made it: the advisory
/// stage's finding about the vendored copy of lodash is redacted like the checks' findings (the
/// gate scrubs every finding once). Twin: the same finding without the credential keeps its id.
#[test]
fn a_credential_in_a_lockfile_key_reaches_no_advisory_finding() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/check/npm/package-lock.json");
    let mut lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base).unwrap()).unwrap();
    let packages = lock["packages"].as_object_mut().unwrap();
    let lodash = packages["node_modules/lodash"].clone();
    packages.insert(
        "vendor/x?token=s3cr3t-abc/node_modules/lodash".into(),
        lodash.clone(),
    );
    packages.insert("vendor/plain/node_modules/lodash".into(), lodash);
    std::fs::write(
        dir.path().join("package-lock.json"),
        serde_json::to_string_pretty(&lock).unwrap(),
    )
    .unwrap();
    for format in ["json", "human", "sarif", "markdown"] {
        let out = run_in(dir.path(), &["check", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: lodash 4.17.15 blocks"
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("s3cr3t"),
            "{format} shows the credential:\n{text}"
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cr3t"));
    }
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "vulnerability")
        .filter_map(|f| f["package"]["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"package-lock.json#vendor/x?token=***/node_modules/lodash"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"package-lock.json#vendor/plain/node_modules/lodash"),
        "{ids:?}"
    );
}

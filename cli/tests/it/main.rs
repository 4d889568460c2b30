//! Binary tests: run the real `tollgate` on `testdata/` and snapshot exit code, stdout and stderr.
//! One module per command. Snapshots live in `snapshots/`; review changes with
//! `INSTA_UPDATE=always cargo test -p tollgate --test it` and `git diff`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod action;
mod attest;
mod attest_policy;
mod audit;
mod audit_verify_receipts;
mod check;
mod check_sbom;
mod compare;
mod contract;
mod db;
mod docs;
mod drift;
mod graph;
mod hostile;
mod init;
mod inputs;
mod intoto;
mod key;
mod output;
mod provenance;
mod provenance_check;
mod registry;
mod rescan;
mod sarif;
mod sbom;
mod shell;
mod sigstore;
#[path = "../../../verifier/tests/support/mod.rs"]
mod support;
mod waiver;
mod why;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `<repo>/testdata/graph`.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/graph")
}

/// `<repo>/../shared/corpus`.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// A `tollgate` command with a clean environment, run in `testdata/graph`.
pub fn tollgate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    cmd.current_dir(testdata())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .env("TERM", "dumb")
        .env("COLUMNS", "100");
    cmd
}

/// A `--format json` document of `attest`, `intoto`, `key` or `db` (see `cli/src/json.rs`):
/// parses it, checks `schema_version` 1 and each of `fields`, and validates it against
/// `docs/reference/<schema>` (under CI a missing validator fails the test).
pub fn json_doc(schema: &str, stdout: &[u8], fields: &[&str]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stdout);
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"));
    assert_eq!(v["schema_version"], 1, "{text}");
    for f in fields {
        assert!(v.get(f).is_some(), "no `{f}` in\n{text}");
    }
    support::schema::assert_valid(&format!("docs/reference/{schema}"), &text);
    v
}

/// Runs `tollgate ARGS` in `testdata/graph`.
pub fn run(args: &[&str]) -> Output {
    tollgate().args(args).output().expect("tollgate runs")
}

/// Exit code, stdout and stderr as one text for a snapshot; absolute paths are filtered.
pub fn render(out: &Output) -> String {
    render_with(out, &[])
}

/// [`render`], replacing each `(path, placeholder)` (as given and canonical) before the generic
/// filters: a specific path must win over `[TEMP]`, which would otherwise eat part of a checkout
/// that lives under the temporary directory (as CI clones often do).
pub fn render_with(out: &Output, paths: &[(&Path, &str)]) -> String {
    let code = out
        .status
        .code()
        .map_or_else(|| "signal".to_owned(), |c| c.to_string());
    let text = format!(
        "exit_code: {code}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    filter_with(&text, paths)
}

/// [`filter`] after replacing each `(path, placeholder)`, as given and canonical.
pub fn filter_with(text: &str, paths: &[(&Path, &str)]) -> String {
    let mut s = text.to_owned();
    for (p, placeholder) in paths {
        let canonical = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        for form in [canonical.as_path(), p] {
            s = s.replace(form.to_string_lossy().trim_end_matches('/'), placeholder);
        }
    }
    filter(&s)
}

/// Replaces machine-specific paths with placeholders and escapes ANSI codes.
pub fn filter(text: &str) -> String {
    let mut s = text.to_owned();
    let td = testdata();
    for p in [td.canonicalize().unwrap_or(td.clone()), td] {
        s = s.replace(&*p.to_string_lossy(), "[TESTDATA]");
    }
    let tmp = std::env::temp_dir();
    s = s.replace(tmp.to_string_lossy().trim_end_matches('/'), "[TEMP]");
    s.replace('\u{1b}', "␛")
}

/// Runs `tollgate ARGS` with stdout closed before it writes (`tollgate check | head -0`).
pub fn run_with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = tollgate()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), err)
}

/// Snapshots `tollgate ARGS` under `name`.
#[macro_export]
macro_rules! snap {
    ($name:expr, $args:expr) => {
        insta::assert_snapshot!($name, $crate::render(&$crate::run($args)))
    };
}

#[test]
fn version() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!("tollgate {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let out = run(&["--help"]);
    let text = render(&out);
    assert!(text.contains("Examples:\n  tollgate graph"), "{text}");
    assert!(text.contains("tollgate why serde@1.0.130"), "{text}");
    assert!(text.contains("Exit codes: 0 ok, 1 policy violation, 2 usage or input error."));
    insta::assert_snapshot!("help", text);
}

#[test]
fn subcommand_help_shows_examples() {
    for cmd in ["graph", "why"] {
        let out = run(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("--lockfile <FILE>"), "{cmd}: {text}");
        assert!(text.contains("--color <COLOR>"), "{cmd}: {text}");
    }
}

#[test]
fn rejects_unknown_flag_with_exit_2() {
    snap!("unknown_flag", &["graph", "--frobnicate"]);
}

#[test]
fn rejects_missing_command_with_exit_2() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

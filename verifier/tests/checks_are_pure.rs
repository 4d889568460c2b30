//! Checks are pure functions of the graph and the loaded data: no file system, no processes, no
//! clock, no network. The loading stages (`manifests/`, `advisory/`, `registry/`) do the IO.
//! This test reads the source of `verifier/src/checks/**` and fails on any use of them, so a
//! check that starts reading files is caught in review, not in production.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

/// What a check may not name (outside comments).
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "fs::",
    "std::process",
    "Command::new",
    "Instant",
    "SystemTime",
    "std::net",
    "reqwest",
    "tokio",
    "std::env",
    "crate::fsio",
    "read_to_string",
    "read_text(",
    ".is_file()",
    ".is_dir()",
    ".exists()",
    "canonicalize",
    "metadata(",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The uses of forbidden names in `text` (comments skipped), as `line: name`.
fn violations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for f in FORBIDDEN {
            if code.contains(f) {
                out.push(format!("{}: `{f}`", n + 1));
            }
        }
    }
    out
}

#[test]
fn checks_do_no_io() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    assert!(files.len() > 10, "found the checks: {files:?}");
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for v in violations(&text) {
            bad.push(format!(
                "{}:{v}",
                f.strip_prefix(&dir).unwrap_or(f).display()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "checks must not do IO; move it to a loading stage (manifests/, advisory/, registry/):\n{}",
        bad.join("\n")
    );
}

/// The negative twin: the scan finds what it looks for, and skips comments.
#[test]
fn the_scan_finds_io_and_ignores_comments() {
    let v = violations("let t = std::fs::read_to_string(p)?;\n// std::fs in a comment\n");
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(v.iter().all(|s| s.starts_with("1:")), "{v:?}");
    assert!(violations("let x = p.join(\"a\");").is_empty());
    assert!(!violations("if cargo_metadata(dir).is_dir() {}").is_empty());
}

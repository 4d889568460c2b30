//! JSON Schema validation with Python's `jsonschema` (the CI venv has it): a document the tests
//! produce is checked against the published schema, not only against a snapshot.

// Shared by several test crates, each using part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// The schema of `check --format json`, relative to the repository root.
pub const REPORT_SCHEMA: &str = "docs/reference/report.schema.json";

/// The repository root (both `verifier/` and `cli/` sit one level below it).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `true` when `python3` with `jsonschema` runs; fails the test under `CI` when it does not,
/// else prints why the validation is skipped.
pub fn validator_available() -> bool {
    super::tools::require(
        "python3",
        &["-c", "import jsonschema"],
        "pip install jsonschema, or put the CI venv first on PATH",
    )
}

/// The validation errors of `doc` against `schema` (a path relative to the repository root),
/// one `[path] message` line each; `None` when the validator is not available (see
/// [`validator_available`]).
pub fn errors(schema: &str, doc: &str) -> Option<Vec<String>> {
    if !validator_available() {
        return None;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let doc_path = dir.path().join("doc.json");
    std::fs::write(&doc_path, doc).expect("the document is written");
    let script = "import json,sys,jsonschema\n\
s=json.load(open(sys.argv[1]));d=json.load(open(sys.argv[2]))\n\
cls=jsonschema.validators.validator_for(s)\n\
cls.check_schema(s)\n\
errs=sorted(cls(s).iter_errors(d), key=lambda e: list(e.path))\n\
[print(list(e.path), e.message) for e in errs]\n\
sys.exit(1 if errs else 0)\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(repo().join(schema))
        .arg(&doc_path)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && stdout.trim().is_empty() {
        panic!(
            "the validator failed without a verdict:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(stdout.lines().map(str::to_owned).collect())
}

/// Asserts that `doc` is valid against `schema` (skipped, with a message, when the validator is
/// not available outside CI).
pub fn assert_valid(schema: &str, doc: &str) {
    if let Some(errs) = errors(schema, doc) {
        assert!(
            errs.is_empty(),
            "{schema} rejects the document:\n{}",
            errs.join("\n")
        );
    }
}

/// Asserts that `doc` is a valid `check --format json` report.
pub fn assert_valid_report(doc: &str) {
    assert_valid(REPORT_SCHEMA, doc);
}

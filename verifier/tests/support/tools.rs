//! External tools a test needs (python3, git, tar, openssl, cargo, in-toto-verify): a test that
//! cannot find its tool must not be reported as passed in CI.
//!
//! [`require`] returns `true` when the tool runs. When it does not: under `CI` (any non-empty
//! value but `false`/`0`) the test fails, naming the tool and how to install it; elsewhere it
//! prints `SKIP: …` and the caller returns early.

// Shared by several test crates, each using part of it.
#![allow(dead_code)]

use std::process::{Command, Stdio};

/// `true` when `CI` says this is a CI run.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `true` when `program args…` starts and exits 0.
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `program` (probed with `probe_args`) is usable; fails the test under `CI` when it is
/// not, else prints why the test is skipped. `install` says how to get it.
pub fn require(program: &str, probe_args: &[&str], install: &str) -> bool {
    if runs(program, probe_args) {
        return true;
    }
    if in_ci() {
        panic!("`{program}` is required under CI but does not run ({install})");
    }
    eprintln!("SKIP: `{program}` is not installed ({install}); this test did not run");
    false
}

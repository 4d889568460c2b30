//! `tollgate why`.

use crate::{run, snap};

#[test]
fn finds_every_version_of_a_name() {
    snap!("why_abbrev", &["why", "abbrev", "npm-v3-workspaces"]);
}

#[test]
fn with_version() {
    snap!(
        "why_abbrev_version",
        &["why", "abbrev@1.0.4", "npm-v3-workspaces"]
    );
}

#[test]
fn scoped_npm_name() {
    snap!(
        "why_scoped",
        &["why", "@babel/code-frame", "npm-v3-workspaces"]
    );
    snap!(
        "why_scoped_version",
        &["why", "@babel/code-frame@7.0.0", "npm-v3-workspaces"]
    );
}

#[test]
fn alias_is_found_by_real_name() {
    let out = run(&["why", "string-width", "npm-v3-workspaces"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("string-width@4.2.0"), "{text}");
}

#[test]
fn cargo_same_version_from_two_git_sources() {
    snap!(
        "why_cargo_git",
        &["why", "tracy-client-sys", "cargo-v4-git"]
    );
}

#[test]
fn cargo_v1_json() {
    let out = run(&["why", "memchr", "cargo-v1-root", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["query"], "memchr");
    let m = &v["matches"][0];
    assert!(
        m["paths"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p[0] == "ripgrep@0.1.1")
    );
    insta::assert_snapshot!("why_cargo_v1_json", crate::render(&out));
}

#[test]
fn limit_truncates_paths() {
    snap!(
        "why_limit",
        &["why", "memchr", "cargo-v1-root", "--limit", "1"]
    );
}

#[test]
fn across_a_polyglot_directory() {
    snap!("why_polyglot", &["why", "bitflags", "polyglot"]);
}

#[test]
fn not_found_exits_2() {
    snap!("why_not_found", &["why", "left-pad", "polyglot"]);
    // A known name with an unknown version is not found either.
    let out = run(&["why", "abbrev@9.9.9", "npm-v3-workspaces"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn needs_a_package_argument() {
    let out = run(&["why"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<PACKAGE>"));
}

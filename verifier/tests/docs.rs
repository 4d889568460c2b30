//! Keeps the generated reference docs in sync. `TOLLGATE_BLESS=1` rewrites them.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::Path;

fn check(rel: &str, want: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{rel} is out of date: run `TOLLGATE_BLESS=1 cargo test -p tollgate-verifier --test docs`"
    );
}

#[test]
fn codes_reference_is_current() {
    check(
        "docs/reference/codes.md",
        tollgate_verifier::docs::codes_markdown(),
    );
}

#[test]
fn config_reference_is_current() {
    check(
        "docs/reference/config.md",
        tollgate_verifier::docs::config_markdown(),
    );
}

#[test]
fn report_schema_lists_every_finding_kind() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reference/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let listed: Vec<&str> = schema["$defs"]["finding"]["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let kinds: Vec<&str> = tollgate_verifier::Code::ALL
        .iter()
        .map(|c| c.kind())
        .collect();
    assert_eq!(
        listed, kinds,
        "docs/reference/report.schema.json finding kinds"
    );
}

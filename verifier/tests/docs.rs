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

/// Every key `tollgate.toml` accepts (walked from `Config::default()` as serialised, so a new
/// field is caught without editing this test) appears in the template that `tollgate init`
/// writes and `docs/reference/config.md` shows, as `key =` (set or commented) or as a
/// `[section]`. Keys of free-form maps (`[kinds]`, `[severity]`, `scopes`, `mirrors`, provenance
/// policies by package) are user data and not walked into.
#[test]
fn every_config_key_is_documented() {
    use tollgate_verifier::policy::config::DEFAULT_CONFIG_TEMPLATE as T;
    let doc = serde_json::to_value(tollgate_verifier::policy::Config::default()).unwrap();
    let free_form = [
        "kinds",
        "severity",
        "scopes",
        "mirrors",
        "packages",
        "artifacts",
    ];
    let mut missing = Vec::new();
    fn walk(v: &serde_json::Value, path: &str, free: &[&str], missing: &mut Vec<String>) {
        let Some(obj) = v.as_object() else { return };
        for (k, child) in obj {
            let key = if k == "waiver" {
                "[[waiver]]".to_owned()
            } else {
                k.clone()
            };
            let documented = T.contains(&format!("\n{key} =")) // top-level, set
                || T.contains(&format!("# {key} ="))
                || T.lines().any(|l| {
                    let l = l.trim_start_matches('#').trim_start();
                    l.starts_with(&format!("{key} ="))
                        || l.starts_with(&format!("[{path}{k}]"))
                        || l.starts_with(&format!("[{path}{k}."))
                        || l.starts_with(&format!("[[{k}]]"))
                        || l.starts_with(&format!("[[{path}{k}]]"))
                });
            if !documented {
                missing.push(format!("{path}{k}"));
            }
            if !free.contains(&k.as_str()) {
                walk(child, &format!("{path}{k}."), free, missing);
            }
        }
    }
    walk(&doc, "", &free_form, &mut missing);
    assert!(
        missing.is_empty(),
        "keys missing from DEFAULT_CONFIG_TEMPLATE (verifier/src/policy/config.rs), hence from docs/reference/config.md: {missing:?}"
    );
}

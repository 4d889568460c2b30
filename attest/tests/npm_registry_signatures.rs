//! Every vector of `../shared/attest-vectors/npm-registry-signatures/signatures.json` reaches its
//! expected verdict with the keys of `npm-keys.tuf-target.json` (and with the embedded copy of
//! them): registry signatures over `<name>@<version>:<integrity>`, key expiry judged at the
//! publish time.

use std::path::Path;

use serde_json::Value;
use tollgate_attest::registry_signature::{
    RegistrySignature, SignedVersion, verify_registry_signatures,
};
use tollgate_attest::sigstore::npm::{NPM_KEYS, parse_npm_keys};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/attest-vectors/npm-registry-signatures")
}

/// `2024-12-02` → Unix seconds; the vectors' `2026-05` (a month) → its first day.
fn published(s: &str) -> Option<i64> {
    let full = match s.len() {
        7 => format!("{s}-01T00:00:00Z"),
        10 => format!("{s}T00:00:00Z"),
        _ => s.to_owned(),
    };
    tollgate_attest::time::parse_rfc3339(&full)
}

#[test]
fn every_registry_signature_vector_reaches_its_verdict() {
    let cases: Value =
        serde_json::from_slice(&std::fs::read(dir().join("signatures.json")).unwrap()).unwrap();
    let pinned =
        parse_npm_keys(&std::fs::read(dir().join("npm-keys.tuf-target.json")).unwrap()).unwrap();
    let embedded = parse_npm_keys(NPM_KEYS.as_bytes()).unwrap();
    assert_eq!(pinned, embedded, "the embedded keys are the vectors' keys");
    let cases = cases["cases"].as_array().unwrap();
    let (mut pass, mut fail) = (0, 0);
    for c in cases {
        let s = |k: &str| c[k].as_str().unwrap();
        let v = SignedVersion {
            name: s("name"),
            version: s("version"),
            integrity: s("integrity"),
            published: published(s("published")),
        };
        let sigs = [RegistrySignature {
            keyid: s("keyid").into(),
            sig: s("sig").into(),
        }];
        let got = verify_registry_signatures(&pinned, &v, &sigs);
        let want_pass = s("expect") == "pass";
        assert_eq!(
            got.is_ok(),
            want_pass,
            "{}@{} ({}): {:?}",
            s("name"),
            s("version"),
            s("note"),
            got.err()
        );
        if want_pass { pass += 1 } else { fail += 1 }
    }
    println!("npm registry signatures: {pass} pass, {fail} fail, as expected");
    assert!(pass >= 3 && fail >= 5, "{pass} / {fail}");
}

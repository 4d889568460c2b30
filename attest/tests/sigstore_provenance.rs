//! slsa-verifier's hand-tampered bundles (`unit/bundle/`): the valid ones verify, each tampered
//! twin does not, offline against the production root; `ProvenanceVerifier` on top refuses their
//! statements, which are signature test data rather than SLSA provenance.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use tollgate_attest::sigstore::{
    Artifact, BundlePolicy, KeylessPolicy, ProvenanceVerifier, TrustRoot, Verifier,
};
use tollgate_attest::slsa::StatementVerifier;

fn unit(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/attest-vectors/slsa-verifier/unit/bundle")
        .join(name)
}

/// The first subject's sha256 of the bundle's (unverified) statement: the artefact it is about.
fn subject_sha256(bytes: &[u8]) -> [u8; 32] {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let payload = Base64::decode_vec(v["dsseEnvelope"]["payload"].as_str().unwrap()).unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let hex = st["subject"][0]["digest"]["sha256"].as_str().unwrap();
    let mut d = [0u8; 32];
    for (i, b) in d.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    d
}

fn verifier() -> Verifier {
    Verifier::new(&TrustRoot::production().unwrap()).unwrap()
}

fn verify(name: &str) -> Result<(), String> {
    let bytes = std::fs::read(unit(name)).unwrap();
    let policy = BundlePolicy::Keyless(
        KeylessPolicy::regexp(
            "^https://github\\.com/",
            "https://token.actions.githubusercontent.com",
        )
        .unwrap(),
    );
    verifier()
        .verify(&bytes, Artifact::Sha256(subject_sha256(&bytes)), &policy)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", e.check()))
}

#[test]
fn valid_unit_bundles_verify_and_their_tampered_twins_do_not() {
    for ok in ["valid.intoto.sigstore", "valid-v0.3.intoto.sigstore"] {
        verify(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    // Which check trips first may differ from slsa-verifier's (a borrowed log entry's time is
    // outside the certificate's validity before its body is compared); each must fail.
    for bad in [
        "mismatch-tlog.intoto.sigstore",
        "invalid-set.intoto.sigstore",
        "invalid-dsse-sig.intoto.sigstore",
    ] {
        let e = verify(bad).expect_err(bad);
        println!("{bad}: {e}");
    }
}

#[test]
fn provenance_verifier_wants_an_in_toto_statement_with_a_predicate() {
    let bytes = std::fs::read(unit("valid.intoto.sigstore")).unwrap();
    let e = ProvenanceVerifier::new(verifier(), subject_sha256(&bytes))
        .verify(&bytes)
        .unwrap_err();
    assert_eq!(e.check(), "bundle");
    assert!(e.to_string().contains("not an in-toto statement"), "{e}");
}

//! The Sigstore conformance suite's bundle-verify cases through the library
//! (`tollgate_attest::sigstore`), every case in every mode it lists: the verdict must be the
//! expected one, with zero false accepts. The binary runs the same cases in
//! `cli/tests/it/sigstore.rs`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use tollgate_attest::sigstore::{
    Artifact, BundlePolicy, KeylessPolicy, SigstoreError, TrustRoot, Verifier,
};
use tollgate_attest::{Digest, DigestAlgorithm, PublicKey};

/// `../shared/attest-vectors/sigstore-conformance`.
fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors/sigstore-conformance")
}

#[test]
fn every_conformance_case_reaches_its_verdict() {
    let dir = suite();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let cases = index["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 70);
    let (mut agree, mut false_accepts, mut false_rejects) = (0, vec![], vec![]);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let expect_pass = c["expect"] == "pass";
        let root = TrustRoot::from_json(
            &std::fs::read(dir.join(c["trusted_root"].as_str().unwrap())).unwrap(),
        );
        let bundle = std::fs::read(dir.join(c["bundle"].as_str().unwrap())).unwrap();
        let artifact = std::fs::read(dir.join(c["artifact"].as_str().unwrap())).unwrap();
        // A key that does not load (`managed-key-wrong-key_fail`) is an input error: not verified.
        let policy = match c["key"].as_str() {
            Some(k) => {
                let pem = std::fs::read_to_string(dir.join(k)).unwrap();
                PublicKey::from_pem(&pem)
                    .map(|k| BundlePolicy::Key(k.spki_der().to_vec()))
                    .map_err(|e| SigstoreError::PublicKey(e.to_string()))
            }
            None => Ok(BundlePolicy::Keyless(
                KeylessPolicy::exact(
                    c["identity"].as_str().unwrap(),
                    c["issuer"].as_str().unwrap(),
                )
                .unwrap(),
            )),
        };
        for mode in c["verify_modes"].as_array().unwrap() {
            let sha: Digest = format!("sha256:{}", c["artifact_sha256"].as_str().unwrap())
                .parse()
                .unwrap();
            assert_eq!(sha.algorithm, DigestAlgorithm::Sha256);
            let mut d = [0u8; 32];
            d.copy_from_slice(&sha.bytes);
            let input = match mode.as_str().unwrap() {
                "path" => Artifact::Bytes(&artifact),
                "digest" => Artifact::Sha256(d),
                m => panic!("unknown mode {m}"),
            };
            let got = match (&root, &policy) {
                (Ok(r), Ok(p)) => Verifier::new(r).and_then(|v| v.verify(&bundle, input, p)),
                (Err(e), _) => Err(SigstoreError::TrustedRoot(e.to_string())),
                (_, Err(e)) => Err(SigstoreError::PublicKey(e.to_string())),
            };
            let label = format!("{name} [{}]", mode.as_str().unwrap());
            match (&got, expect_pass) {
                (Ok(_), true) | (Err(_), false) => agree += 1,
                (Ok(_), false) => false_accepts.push(label.clone()),
                (Err(e), true) => false_rejects.push(format!("{label}: {e}")),
            }
            if let Err(e) = &got {
                println!("{label}: {} — {e}", e.check());
            }
        }
    }
    println!(
        "conformance (library): {agree} agree, {} false accepts, {} false rejects",
        false_accepts.len(),
        false_rejects.len()
    );
    assert!(
        false_accepts.is_empty(),
        "FALSE ACCEPTS: {false_accepts:#?}"
    );
    assert!(
        false_rejects.is_empty(),
        "false rejects: {false_rejects:#?}"
    );
}

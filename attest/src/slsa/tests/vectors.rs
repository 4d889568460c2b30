//! slsa-verifier's regression cases (`policy_cases.json`, 219 cases): every case reaches its
//! expected verdict, and every failure has slsa-verifier's error name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use p256::ecdsa::VerifyingKey;
use p256::pkcs8::DecodePublicKey;
use serde::Deserialize;

use super::harness::{self, HarnessError, KeyWithId, LeafKeyOnly};
use crate::slsa::policy::{Evidence, PolicyError, ProvenancePolicy, evaluate};
use crate::slsa::verify::{
    ProvenanceError, StatementVerifier, VerifiedProvenance, evaluate_verified, verify_provenance,
};
use crate::slsa::vsa::VsaPolicy;
use crate::verified::Verified;

/// One case of `policy_cases.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub provenance: Option<String>,
    #[serde(default)]
    pub attestations: Option<String>,
    #[serde(default)]
    pub attestation: Option<String>,
    #[serde(default)]
    pub artifact: Option<String>,
    #[serde(default)]
    pub source_uri: Option<String>,
    #[serde(default)]
    pub builder_id: Option<String>,
    #[serde(default)]
    pub source_branch: Option<String>,
    #[serde(default)]
    pub source_tag: Option<String>,
    #[serde(default)]
    pub source_versioned_tag: Option<String>,
    #[serde(default)]
    pub package_name: Option<String>,
    #[serde(default)]
    pub package_version: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
    #[serde(default)]
    pub public_key_id: Option<String>,
    #[serde(default)]
    pub resource_uri: Option<String>,
    pub expect: String,
    #[serde(default)]
    pub expect_error: Option<String>,
}

#[derive(Deserialize)]
struct Cases {
    count: usize,
    pass: usize,
    fail: usize,
    cases: Vec<Case>,
}

/// All cases, checked against the file's own counts.
pub fn cases() -> Vec<Case> {
    let text = std::fs::read(harness::vectors().join("policy_cases.json")).unwrap();
    let c: Cases = serde_json::from_slice(&text).unwrap();
    assert_eq!(c.cases.len(), c.count);
    assert_eq!(
        c.cases.iter().filter(|x| x.expect == "pass").count(),
        c.pass
    );
    assert_eq!(
        c.cases.iter().filter(|x| x.expect == "fail").count(),
        c.fail
    );
    c.cases
}

impl Case {
    /// The attestation file.
    pub fn file(&self) -> PathBuf {
        let rel = self
            .provenance
            .as_ref()
            .or(self.attestations.as_ref())
            .or(self.attestation.as_ref())
            .expect("case names an attestation");
        harness::vectors().join(rel)
    }

    fn is_vsa(&self) -> bool {
        self.mode.as_deref() == Some("verify-vsa")
    }

    /// The policy the case's slsa-verifier flags mean.
    pub fn policy(&self) -> ProvenancePolicy {
        if self.is_vsa() {
            return ProvenancePolicy {
                vsa: Some(VsaPolicy {
                    resource_uri: self.resource_uri.clone().unwrap_or_default(),
                    ..VsaPolicy::default()
                }),
                ..ProvenancePolicy::default()
            };
        }
        ProvenancePolicy {
            source_uri: self.source_uri.clone(),
            builder_id: self.builder_id.clone(),
            source_branch: self.source_branch.clone(),
            source_tag: self.source_tag.clone(),
            source_versioned_tag: self.source_versioned_tag.clone(),
            package_name: self.package_name.clone(),
            package_version: self.package_version.clone(),
            digest: digests_of(
                self.artifact
                    .as_ref()
                    .expect("provenance cases name an artefact"),
            ),
            ..ProvenancePolicy::default()
        }
    }
}

/// A verdict: `Ok(())`, or the slsa-verifier error name (or our description when none).
pub type Verdict = Result<(), String>;

fn policy_verdict(e: PolicyError) -> Verdict {
    match e {
        PolicyError::Violated(v) => Err(v
            .slsa_verifier_error()
            .map_or_else(|| format!("(none) {v}"), str::to_owned)),
        PolicyError::Invalid(i) => Err(format!("(invalid policy) {i}")),
    }
}

/// The signature layer's result for a case's file (verified once per file and key id).
fn verified(case: &Case) -> Result<Verified<VerifiedProvenance>, HarnessError> {
    type Cache = Mutex<
        BTreeMap<(PathBuf, Option<String>), Result<Verified<VerifiedProvenance>, HarnessError>>,
    >;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (case.file(), case.public_key_id.clone());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return v.clone();
    }
    let bytes = std::fs::read(case.file()).unwrap();
    let v = if case.is_vsa() {
        let pem =
            std::fs::read_to_string(harness::vectors().join(case.public_key.as_ref().unwrap()))
                .unwrap();
        KeyWithId {
            key: VerifyingKey::from_public_key_pem(&pem).unwrap(),
            key_id: case.public_key_id.clone().unwrap_or_default(),
        }
        .verify(&bytes)
    } else {
        LeafKeyOnly {
            npm_keys: harness::npm_keys(),
        }
        .verify(&bytes)
    };
    cache.lock().unwrap().insert(key, v.clone());
    v
}

/// Signature (test harness) and policy, as a user of tollgate would get them.
pub fn run(case: &Case, policy: &ProvenancePolicy) -> Verdict {
    match verified(case) {
        Err(HarnessError { name, .. }) => Err(name.to_owned()),
        Ok(v) => evaluate_verified(&v, policy)
            .map(|_| ())
            .or_else(policy_verdict),
    }
}

/// The policy alone on the statements, no signature check; with or without the (unverified)
/// certificate identity.
pub fn run_statement_only(case: &Case, with_identity: bool) -> Verdict {
    let bytes = std::fs::read(case.file()).unwrap();
    let (st, publish, id) = harness::unverified(&bytes).map_err(|e| e.name.to_owned())?;
    let ev = Evidence {
        statement: &st,
        npm_publish: publish.as_ref(),
        signer: if with_identity { id.as_ref() } else { None },
    };
    evaluate(&ev, &case.policy())
        .map(|_| ())
        .or_else(policy_verdict)
}

fn expected(case: &Case) -> Verdict {
    if case.expect == "pass" {
        Ok(())
    } else {
        Err(case.expect_error.clone().unwrap_or_default())
    }
}

#[test]
fn all_policy_cases_reach_their_verdict_and_error() {
    let cases = cases();
    assert_eq!(cases.len(), 219);
    let mut wrong = Vec::new();
    let (mut passed, mut failed) = (0, 0);
    for c in &cases {
        let got = run(c, &c.policy());
        match &got {
            Ok(()) => passed += 1,
            Err(_) => failed += 1,
        }
        if got != expected(c) {
            wrong.push(format!(
                "{}: expected {:?}, got {:?}",
                c.name,
                expected(c),
                got
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of 219 differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!((passed, failed), (89, 130));
}

/// Which verdicts rest on the signature layer, and which on the signer identity rather than the
/// statement (documented in docs/concepts/slsa-policy.md).
#[test]
fn documents_cases_that_rely_on_signatures_or_signer_identity() {
    let mut need_signature = BTreeSet::new();
    let mut need_identity = BTreeSet::new();
    for c in &cases() {
        let want = expected(c);
        if run_statement_only(c, true).is_ok() != want.is_ok() {
            need_signature.insert(c.name.clone());
        } else if run_statement_only(c, false).is_ok() != want.is_ok() {
            need_identity.insert(c.name.clone());
        }
    }
    let sig: BTreeSet<String> = [
        "npm gundam-visor-cli-v1-tag: invalid provenance signature [v1 provenance (npm CLI)]",
        "npm gundam-visor-cli-v1-tag: invalid publish-attestation signature [v1 provenance (npm CLI)]",
        "npm provenance-npm-test-cli-v02-prega: invalid provenance signature [v0.2 provenance (npm CLI, pre-GA)]",
        "npm provenance-npm-test-cli-v1-prega: invalid provenance signature [v1 provenance (npm CLI, pre-GA)]",
        "npm provenance-npm-test-cli-v1-prega: invalid publish-attestation signature [v1 provenance (npm CLI, pre-GA)]",
        "npm provenance-npm-test-ossf: invalid provenance signature",
        "npm supreme-googles-cli-v02-tag: invalid provenance signature [v0.2 provenance (npm CLI)]",
        "vsa empty key id",
        "vsa wrong key id",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(need_signature, sig);
    let id: BTreeSet<String> = ["bcr module.bazel wrong signer"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(need_identity, id);
}

/// The composed path (`verify_provenance`: signature, then policy) agrees with the cached one.
#[test]
fn accepts_through_verify_provenance_and_rejects_its_tampered_twin() {
    let c = cases();
    let pass = c
        .iter()
        .find(|c| c.name == "npm gundam-visor-cli-v1-tag: valid [v1 provenance (npm CLI)]")
        .unwrap();
    let v = LeafKeyOnly {
        npm_keys: harness::npm_keys(),
    };
    let report =
        verify_provenance(&v, &std::fs::read(pass.file()).unwrap(), &pass.policy()).unwrap();
    assert_eq!(report.package.as_ref().unwrap().name, "gundam-visor");
    assert!(report.signer.is_some());
    let twin = c.iter().find(|c| c.name == "npm gundam-visor-cli-v1-tag: invalid provenance signature [v1 provenance (npm CLI)]").unwrap();
    let e =
        verify_provenance(&v, &std::fs::read(twin.file()).unwrap(), &twin.policy()).unwrap_err();
    assert!(
        matches!(
            e,
            ProvenanceError::Signature(HarnessError {
                name: "ErrorInvalidSignature",
                ..
            })
        ),
        "{e}"
    );
}

/// Artefact digests, computed once per file.
pub fn digests_of(rel: &str) -> Vec<crate::Digest> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Vec<crate::Digest>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(d) = cache.lock().unwrap().get(rel) {
        return d.clone();
    }
    let d = harness::artifact_digests(&harness::vectors().join(rel));
    cache.lock().unwrap().insert(rel.to_owned(), d.clone());
    d
}

//! Key-signed attestations: a DSSE envelope whose payload is an in-toto Statement, checked
//! against trusted keys and, optionally, an artefact digest. Also the signing side.

use serde_json::{Value, json};

use crate::digest::{Digest, DigestAlgorithm, DigestSet, digest_reader};
use crate::dsse::{self, DsseError, Envelope};
use crate::keys::{PrivateKey, PublicKey};
use crate::statement::{PAYLOAD_TYPE, STATEMENT_V1, Statement, StatementError, Subject};
use crate::verified::Verified;

/// Why an attestation did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttestationError {
    /// The envelope failed (signature, threshold, payload type, malformed).
    #[error(transparent)]
    Dsse(#[from] DsseError),
    /// The verified payload is not an in-toto statement.
    #[error("statement: the verified payload is not an in-toto statement: {0}")]
    Statement(#[from] StatementError),
    /// No subject matches the artefact.
    #[error("subject: no subject of the statement matches {wanted} (subjects: {subjects})")]
    Subject {
        /// The digest(s) looked for.
        wanted: String,
        /// The statement's subjects.
        subjects: String,
    },
}

impl AttestationError {
    /// A short name of the failed check.
    pub fn check(&self) -> &'static str {
        match self {
            AttestationError::Dsse(DsseError::PayloadType { .. }) => "payload-type",
            AttestationError::Dsse(DsseError::Threshold { .. }) => "signature",
            AttestationError::Dsse(_) => "envelope",
            AttestationError::Statement(_) => "statement",
            AttestationError::Subject { .. } => "subject",
        }
    }

    /// `true` for input errors (a malformed envelope, bad arguments), as opposed to a
    /// verification that ran and failed.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            AttestationError::Dsse(
                DsseError::Malformed { .. }
                    | DsseError::Limit(_)
                    | DsseError::NoKeys
                    | DsseError::ThresholdTooHigh { .. }
                    | DsseError::Key(_)
            )
        )
    }
}

/// A verified attestation.
#[derive(Debug, Clone)]
pub struct Attestation {
    /// The statement.
    pub statement: Statement,
    /// Indices of the trusted keys that signed.
    pub signers: Vec<usize>,
    /// Subjects that matched the artefact (empty when none was asked for).
    pub matched: Vec<Subject>,
    /// The statement exactly as signed (the envelope's payload).
    pub payload: Vec<u8>,
}

/// Verifies a DSSE envelope carrying an in-toto statement: payload type, `threshold` distinct
/// trusted keys, then (when `artifact` is given) a subject whose digest set matches it.
pub fn verify_attestation(
    env: &Envelope,
    keys: &[PublicKey],
    threshold: usize,
    artifact: Option<&DigestSet>,
) -> Result<Verified<Attestation>, AttestationError> {
    let v = dsse::verify_detailed(env, Some(PAYLOAD_TYPE), keys, threshold)?;
    let signers = v.signers;
    let payload = v.payload.value().clone();
    let st = v.payload.try_map(|p| Statement::parse(&p))?;
    let matched: Vec<Subject> = match artifact {
        Some(set) => {
            let m: Vec<Subject> = st.subjects_matching(set).cloned().collect();
            if m.is_empty() {
                return Err(AttestationError::Subject {
                    wanted: set
                        .supported()
                        .iter()
                        .map(Digest::to_string)
                        .collect::<Vec<_>>()
                        .join(" / "),
                    subjects: st
                        .subjects
                        .iter()
                        .map(|s| {
                            let d: Vec<String> = s
                                .digest
                                .entries()
                                .iter()
                                .map(|(a, h)| format!("{a}:{h}"))
                                .collect();
                            format!("`{}` {}", s.name, d.join(","))
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                });
            }
            m
        }
        None => Vec::new(),
    };
    Ok(st.map(|statement| Attestation {
        statement,
        signers,
        matched,
        payload,
    }))
}

/// Hashes a file for subject matching (SHA-256 and SHA-512, streaming).
pub fn artifact_digests(path: &std::path::Path) -> std::io::Result<DigestSet> {
    let f = std::fs::File::open(path)?;
    let d = digest_reader(f, &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha512])?;
    Ok(DigestSet::from_digests(&d))
}

/// Builds an in-toto Statement v1 for `subjects` (name, SHA-256) and signs it as a DSSE
/// envelope with every key.
pub fn sign_statement(
    subjects: &[(String, Digest)],
    predicate_type: &str,
    predicate: Value,
    keys: &[&PrivateKey],
) -> Result<Envelope, DsseError> {
    let subject: Vec<Value> = subjects
        .iter()
        .map(|(name, d)| json!({"name": name, "digest": {d.algorithm.name(): d.hex()}}))
        .collect();
    let st = json!({
        "_type": STATEMENT_V1,
        "subject": subject,
        "predicateType": predicate_type,
        "predicate": predicate,
    });
    let payload = serde_json::to_vec(&st).map_err(|e| DsseError::Malformed {
        reason: e.to_string(),
        place: None,
    })?;
    Envelope::sign(PAYLOAD_TYPE, payload, keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::GenerateAlgorithm;

    #[test]
    fn accepts_matching_subject_rejects_other_digest() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let d =
            DigestSet::from_digests(&digest_reader(&b"abc"[..], &DigestAlgorithm::ALL).unwrap());
        let sha = d
            .supported()
            .into_iter()
            .find(|x| x.algorithm == DigestAlgorithm::Sha256)
            .unwrap();
        let env = sign_statement(
            &[("abc.txt".into(), sha)],
            "https://example.com/p",
            json!({"x": 1}),
            &[&k],
        )
        .unwrap();
        let keys = [k.public_key().clone()];
        let v = verify_attestation(&env, &keys, 1, Some(&d)).unwrap();
        assert_eq!(v.matched[0].name, "abc.txt");
        assert_eq!(v.statement.predicate_type, "https://example.com/p");
        let other =
            DigestSet::from_digests(&digest_reader(&b"abd"[..], &DigestAlgorithm::ALL).unwrap());
        let e = verify_attestation(&env, &keys, 1, Some(&other)).unwrap_err();
        assert_eq!(e.check(), "subject", "{e}");
    }

    #[test]
    fn rejects_signed_payload_that_is_not_a_statement() {
        let k = PrivateKey::generate(GenerateAlgorithm::EcdsaP256).unwrap();
        let env = Envelope::sign(PAYLOAD_TYPE, b"{\"_type\":\"link\"}".to_vec(), &[&k]).unwrap();
        let e = verify_attestation(&env, &[k.public_key().clone()], 1, None).unwrap_err();
        assert_eq!(e.check(), "statement", "{e}");
    }
}

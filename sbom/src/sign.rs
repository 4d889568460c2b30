//! Signing an SBOM, and verifying what was signed, in the two forms auditors check with
//! off-the-shelf tools:
//!
//! - a **detached signature** over the file's exact bytes (`bom.cdx.json.sig`): ECDSA as DER,
//!   RSA PKCS#1 v1.5, Ed25519 raw — what `openssl dgst -sha256 -verify` (`-sha384` for P-384)
//!   or `openssl pkeyutl -verify -rawin` (Ed25519) check;
//! - a **DSSE envelope** (`bom.cdx.json.intoto.jsonl`, one JSON line) carrying an in-toto
//!   Statement v1 whose predicate type is `https://cyclonedx.org/bom`, whose predicate is the
//!   SBOM and whose subjects are the SBOM's SHA-256 and the release artefacts' digests — what
//!   `cosign verify-blob-attestation --key K.pub --type https://cyclonedx.org/bom` and in-toto
//!   tooling read.

use serde_json::Value;
use tollgate_attest::attestation::{AttestationError, sign_statement, verify_attestation};
use tollgate_attest::digest::{Digest, DigestAlgorithm, DigestSet};
use tollgate_attest::dsse::{DsseError, Envelope};
use tollgate_attest::keys::{KeyError, PrivateKey, PublicKey, Scheme};

/// The in-toto predicate type of a CycloneDX SBOM.
pub const PREDICATE_TYPE: &str = "https://cyclonedx.org/bom";

/// What signing produced.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The detached signature (binary), for `FILE.sig`.
    pub signature: Vec<u8>,
    /// The DSSE envelope as one JSON line with its newline, for `FILE.intoto.jsonl`.
    pub envelope: Vec<u8>,
    /// The detached signature's scheme.
    pub scheme: Scheme,
    /// The signing key's id.
    pub keyid: String,
}

/// Why an SBOM could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The file is not a CycloneDX JSON document.
    #[error("{0}")]
    NotCycloneDx(String),
    /// The key could not sign.
    #[error("signing failed: {0}")]
    Key(#[from] KeyError),
    /// The envelope could not be made.
    #[error("signing the envelope failed: {0}")]
    Dsse(#[from] DsseError),
    /// Serialising the envelope failed.
    #[error("cannot serialise the envelope: {0}")]
    Json(#[from] serde_json::Error),
}

/// A check of [`verify_signature`] or [`verify_envelope`] that failed: the SBOM or its evidence
/// is not what was signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The detached signature does not verify over the file's bytes with the key.
    #[error(
        "signature: the detached signature does not verify over the SBOM's bytes with this key ({0})"
    )]
    Signature(String),
    /// The envelope is not a valid DSSE envelope.
    #[error("envelope: {0}")]
    Envelope(String),
    /// The envelope's signature, payload type or statement failed.
    #[error("{0}")]
    Attestation(String),
    /// No subject carries the SBOM's SHA-256 (the text starts with `subject:`).
    #[error("{0}")]
    Subject(String),
    /// The statement's predicate type is not CycloneDX.
    #[error("predicate type: `{0}`, expected {PREDICATE_TYPE}")]
    PredicateType(String),
    /// The statement's predicate is not the SBOM.
    #[error("predicate: the envelope's SBOM differs from the file")]
    Predicate,
    /// The file is not a CycloneDX document.
    #[error("sbom: {0}")]
    NotCycloneDx(String),
    /// The Sigstore bundle is malformed, of another kind (keyless, DSSE), or does not fit the key.
    #[error("bundle: {0}")]
    Bundle(String),
    /// The bundle's message digest is not the SBOM's (the text starts with `digest:`).
    #[error("{0}")]
    Digest(String),
}

impl VerifyError {
    /// The short name of the failed check (`signature`, `envelope`, `subject`, …).
    pub fn check(&self) -> &'static str {
        match self {
            VerifyError::Signature(_) => "signature",
            VerifyError::Envelope(_) => "envelope",
            VerifyError::Attestation(_) => "attestation",
            VerifyError::Subject(_) => "subject",
            VerifyError::PredicateType(_) => "predicate-type",
            VerifyError::Predicate => "predicate",
            VerifyError::NotCycloneDx(_) => "sbom",
            VerifyError::Bundle(_) => "bundle",
            VerifyError::Digest(_) => "digest",
        }
    }
}

/// The SBOM's JSON, when it is a CycloneDX document (`bomFormat`, a `specVersion` tollgate
/// knows). The full schema check is `validate-cyclonedx`; this is what signing and verifying
/// need to refuse something that is not an SBOM at all.
pub fn cyclonedx(bytes: &[u8]) -> Result<Value, String> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not JSON at line {}, column {}: {e}", e.line(), e.column()))?;
    if v.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err("not a CycloneDX document (no \"bomFormat\": \"CycloneDX\")".into());
    }
    match v.get("specVersion").and_then(Value::as_str) {
        Some("1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") => Ok(v),
        Some(other) => Err(format!("unsupported CycloneDX specVersion `{other}`")),
        None => Err("no specVersion".into()),
    }
}

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Digest {
    Digest {
        algorithm: DigestAlgorithm::Sha256,
        bytes: DigestAlgorithm::Sha256.hash(bytes),
    }
}

/// Signs the SBOM `bytes` (named `name` in the statement) with `key`; `artefacts` (name and
/// digest) join the statement's subjects.
pub fn sign(
    bytes: &[u8],
    name: &str,
    key: &PrivateKey,
    artefacts: &[(String, Digest)],
) -> Result<Signed, SignError> {
    let bom = cyclonedx(bytes).map_err(SignError::NotCycloneDx)?;
    let signature = key.sign_detached(bytes)?;
    let mut subjects = vec![(name.to_owned(), sha256(bytes))];
    subjects.extend(artefacts.iter().cloned());
    let env = sign_statement(&subjects, PREDICATE_TYPE, bom, &[key])?;
    let mut envelope = serde_json::to_vec(&env.to_json())?;
    envelope.push(b'\n');
    Ok(Signed {
        signature,
        envelope,
        scheme: key.detached_scheme(),
        keyid: key.public_key().keyid(),
    })
}

/// Verifies a detached signature over the SBOM's exact bytes, then that it is CycloneDX.
pub fn verify_signature(bytes: &[u8], sig: &[u8], key: &PublicKey) -> Result<(), VerifyError> {
    key.verify_scheme(key.detached_scheme(), bytes, sig)
        .map_err(|e| VerifyError::Signature(e.0))?;
    cyclonedx(bytes).map_err(VerifyError::NotCycloneDx)?;
    Ok(())
}

/// Verifies a DSSE envelope (the first line of a `.intoto.jsonl`; the others are ignored only
/// if the first verifies) against the SBOM: the key's signature, the in-toto payload type, a
/// subject with the SBOM's SHA-256, the CycloneDX predicate type, and a predicate equal to the
/// SBOM. Returns the statement's subjects (name, `ALG:HEX` digests).
pub fn verify_envelope(
    bytes: &[u8],
    envelope: &[u8],
    key: &PublicKey,
) -> Result<Vec<(String, Vec<String>)>, VerifyError> {
    let line = envelope
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .ok_or_else(|| VerifyError::Envelope("the file holds no envelope".into()))?;
    let env = Envelope::parse(line).map_err(|e| VerifyError::Envelope(e.to_string()))?;
    let want = DigestSet::from_digests(&[sha256(bytes)]);
    let verified = verify_attestation(&env, std::slice::from_ref(key), 1, Some(&want)).map_err(
        |e| match e {
            AttestationError::Subject { .. } => VerifyError::Subject(e.to_string()),
            AttestationError::Dsse(DsseError::Malformed { .. }) => {
                VerifyError::Envelope(e.to_string())
            }
            other => VerifyError::Attestation(other.to_string()),
        },
    )?;
    let st = &verified.statement;
    if st.predicate_type != PREDICATE_TYPE {
        return Err(VerifyError::PredicateType(st.predicate_type.clone()));
    }
    let bom = cyclonedx(bytes).map_err(VerifyError::NotCycloneDx)?;
    if st.predicate != bom {
        return Err(VerifyError::Predicate);
    }
    Ok(st
        .subjects
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.digest
                    .entries()
                    .iter()
                    .map(|(a, h)| format!("{a}:{h}"))
                    .collect(),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_attest::keys::GenerateAlgorithm;

    const BOM: &[u8] = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}"#;

    fn key(alg: GenerateAlgorithm) -> PrivateKey {
        PrivateKey::generate(alg).unwrap()
    }

    #[test]
    fn accepts_what_it_signed_with_every_key_type() {
        for alg in [
            GenerateAlgorithm::Ed25519,
            GenerateAlgorithm::EcdsaP256,
            GenerateAlgorithm::EcdsaP384,
            GenerateAlgorithm::Rsa3072,
        ] {
            let k = key(alg);
            let s = sign(BOM, "bom.cdx.json", &k, &[]).unwrap();
            verify_signature(BOM, &s.signature, k.public_key()).unwrap();
            let subjects = verify_envelope(BOM, &s.envelope, k.public_key()).unwrap();
            assert_eq!(subjects[0].0, "bom.cdx.json");
        }
    }

    #[test]
    fn rejects_a_changed_byte_another_key_and_another_predicate() {
        let k = key(GenerateAlgorithm::EcdsaP256);
        let s = sign(BOM, "bom.cdx.json", &k, &[]).unwrap();
        let changed = BOM
            .to_vec()
            .iter()
            .map(|&b| if b == b'1' { b'2' } else { b })
            .collect::<Vec<u8>>();
        assert_eq!(
            verify_signature(&changed, &s.signature, k.public_key())
                .unwrap_err()
                .check(),
            "signature"
        );
        assert_eq!(
            verify_envelope(&changed, &s.envelope, k.public_key())
                .unwrap_err()
                .check(),
            "subject"
        );
        let other = key(GenerateAlgorithm::EcdsaP256);
        assert!(verify_signature(BOM, &s.signature, other.public_key()).is_err());
        assert_eq!(
            verify_envelope(BOM, &s.envelope, other.public_key())
                .unwrap_err()
                .check(),
            "attestation"
        );
        let mut env = s.envelope.clone();
        env[10] ^= 1;
        assert!(verify_envelope(BOM, &env, k.public_key()).is_err());
    }

    #[test]
    fn refuses_to_sign_what_is_not_an_sbom() {
        let k = key(GenerateAlgorithm::Ed25519);
        assert!(matches!(
            sign(b"{}", "x", &k, &[]),
            Err(SignError::NotCycloneDx(_))
        ));
        assert!(matches!(
            sign(b"not json", "x", &k, &[]),
            Err(SignError::NotCycloneDx(_))
        ));
    }
}

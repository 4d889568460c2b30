//! TEST HARNESS ONLY: reads the slsa-verifier vectors (Sigstore bundles v0.1–v0.3, `.intoto.jsonl`,
//! bare DSSE envelopes, npm attestations documents) and checks DSSE signatures against the key
//! *inside* each bundle (the leaf certificate) or a pinned key (npm registry, VSA).
//!
//! This is not a Sigstore verifier: the certificate chain, its validity period and the
//! transparency log are NOT verified, so the signer identity read from the certificate is
//! unverified test input. It exists so the policy layer can be exercised on the real vectors
//! through the [`StatementVerifier`] trait until the Sigstore verifier plugs in; it is compiled
//! only for tests and hands out `Verified` only inside this crate's test build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use der::{Decode, Encode};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use x509_cert::Certificate;

use crate::digest::{DigestAlgorithm, digest_file};
use crate::slsa::identity::SignerIdentity;
use crate::slsa::npm::PUBLISH_PREDICATE_PREFIX;
use crate::slsa::verify::{StatementVerifier, VerifiedProvenance};
use crate::statement::{PAYLOAD_TYPE, Statement};
use crate::verified::Verified;
use crate::{Digest, DigestSet};

/// `../shared/attest-vectors/slsa-verifier`.
pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors/slsa-verifier")
}

/// A DSSE envelope as received.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    /// (keyid, signature bytes).
    pub signatures: Vec<(String, Vec<u8>)>,
}

/// One signed attestation: an envelope and the verification material next to it.
#[derive(Debug, Clone)]
pub struct Signed {
    pub envelope: Envelope,
    /// DER of the leaf certificate (keyless).
    pub cert: Option<Vec<u8>>,
    /// `verificationMaterial.publicKey.hint` (npm registry key).
    pub key_hint: Option<String>,
    /// npm attestations: the declared `predicateType`.
    pub declared_predicate: Option<String>,
}

/// A harness failure: which slsa-verifier error it corresponds to, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {why}")]
pub struct HarnessError {
    pub name: &'static str,
    pub why: String,
}

fn herr(name: &'static str, why: impl Into<String>) -> HarnessError {
    HarnessError {
        name,
        why: why.into(),
    }
}

fn b64(s: &Value) -> Result<Vec<u8>, HarnessError> {
    let s = s
        .as_str()
        .ok_or_else(|| herr("ErrorInvalidFormat", "not a string"))?;
    Base64::decode_vec(s).map_err(|e| herr("ErrorInvalidEncoding", e.to_string()))
}

fn envelope(v: &Value) -> Result<Envelope, HarnessError> {
    let sigs = v["signatures"]
        .as_array()
        .ok_or_else(|| herr("ErrorInvalidDssePayload", "no signatures"))?;
    Ok(Envelope {
        payload_type: v["payloadType"].as_str().unwrap_or_default().to_owned(),
        payload: b64(&v["payload"])?,
        signatures: sigs
            .iter()
            .map(|s| {
                Ok((
                    s["keyid"].as_str().unwrap_or_default().to_owned(),
                    b64(&s["sig"])?,
                ))
            })
            .collect::<Result<_, HarnessError>>()?,
    })
}

fn signed(v: &Value, declared_predicate: Option<String>) -> Result<Signed, HarnessError> {
    if let Some(env) = v.get("dsseEnvelope") {
        let vm = &v["verificationMaterial"];
        let cert = if let Some(c) = vm.get("certificate") {
            Some(b64(&c["rawBytes"])?)
        } else if let Some(chain) = vm.get("x509CertificateChain") {
            Some(b64(&chain["certificates"][0]["rawBytes"])?)
        } else {
            None
        };
        return Ok(Signed {
            envelope: envelope(env)?,
            cert,
            key_hint: vm["publicKey"]["hint"].as_str().map(str::to_owned),
            declared_predicate,
        });
    }
    Ok(Signed {
        envelope: envelope(v)?,
        cert: None,
        key_hint: None,
        declared_predicate,
    })
}

/// Every signed attestation in a file (one JSON document, an npm attestations document, or
/// JSON lines).
pub fn read_signed(bytes: &[u8]) -> Result<Vec<Signed>, HarnessError> {
    let docs: Vec<Value> = match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => vec![v],
        Err(_) => bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .map(|l| {
                serde_json::from_slice(l).map_err(|e| herr("ErrorInvalidFormat", e.to_string()))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut out = Vec::new();
    for d in docs {
        if let Some(atts) = d.get("attestations").and_then(Value::as_array) {
            for a in atts {
                let pt = a["predicateType"].as_str().map(str::to_owned);
                out.push(signed(&a["bundle"], pt)?);
            }
        } else {
            out.push(signed(&d, None)?);
        }
    }
    Ok(out)
}

/// DSSE pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    v.extend_from_slice(payload);
    v
}

fn ecdsa_ok(key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    let sig = Signature::from_der(sig).or_else(|_| Signature::from_slice(sig));
    sig.is_ok_and(|s| key.verify(msg, &s).is_ok())
}

/// Verifies an envelope with `key`. `key_id` follows go-securesystemslib: a signature whose
/// keyid is set and differs from the verifier's (or, for an empty verifier keyid, from the
/// SHA-256 of the key's SPKI) is skipped.
pub fn verify_envelope(env: &Envelope, key: &VerifyingKey, key_id: Option<&str>) -> bool {
    let spki = key
        .to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .unwrap_or_default();
    let own_id = match key_id {
        Some(k) if !k.is_empty() => k.to_owned(),
        _ => crate::digest::to_hex(&Sha256::digest(&spki)),
    };
    let msg = pae(&env.payload_type, &env.payload);
    env.signatures.iter().any(|(kid, sig)| {
        (key_id.is_none() || kid.is_empty() || *kid == own_id) && ecdsa_ok(key, &msg, sig)
    })
}

fn cert_key(der: &[u8]) -> Result<VerifyingKey, HarnessError> {
    let cert =
        Certificate::from_der(der).map_err(|e| herr("ErrorInvalidCertificate", e.to_string()))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| herr("ErrorInvalidCertificate", e.to_string()))?;
    VerifyingKey::from_public_key_der(&spki)
        .map_err(|e| herr("ErrorInvalidPublicKey", e.to_string()))
}

fn statement(env: &Envelope) -> Result<Statement, HarnessError> {
    if env.payload_type != PAYLOAD_TYPE {
        return Err(herr(
            "ErrorInvalidDssePayload",
            format!("payload type {}", env.payload_type),
        ));
    }
    Statement::parse(&env.payload).map_err(|e| herr("ErrorInvalidDssePayload", e.to_string()))
}

/// The npm registry's attestation keys (pinned TUF target), by key id.
pub fn npm_keys() -> BTreeMap<String, VerifyingKey> {
    let path = vectors().join("../npm-registry-signatures/npm-keys.tuf-target.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["keyUsage"] == "npm:attestations")
        .map(|k| {
            let der = b64(&k["publicKey"]["rawBytes"]).unwrap();
            (
                k["keyId"].as_str().unwrap().to_owned(),
                VerifyingKey::from_public_key_der(&der).unwrap(),
            )
        })
        .collect()
}

/// UNVERIFIED-CHAIN keyless verifier (tests only): the DSSE signature against the bundle's own
/// leaf certificate key; the identity read from that certificate; npm publish attestations
/// against the pinned npm registry key named by the bundle's hint.
pub struct LeafKeyOnly {
    pub npm_keys: BTreeMap<String, VerifyingKey>,
}

impl StatementVerifier for LeafKeyOnly {
    type Error = HarnessError;

    fn verify(&self, attestation: &[u8]) -> Result<Verified<VerifiedProvenance>, HarnessError> {
        let all = read_signed(attestation)?;
        let is_publish = |s: &Signed| {
            s.declared_predicate
                .as_deref()
                .is_some_and(|p| p.starts_with(PUBLISH_PREDICATE_PREFIX))
        };
        let prov = all
            .iter()
            .find(|s| !is_publish(s))
            .ok_or_else(|| herr("ErrorInvalidDssePayload", "no provenance"))?;
        let cert = prov.cert.as_deref().ok_or_else(|| {
            herr(
                "ErrorNoValidSignature",
                "no certificate (legacy envelope needs Rekor)",
            )
        })?;
        if !verify_envelope(&prov.envelope, &cert_key(cert)?, None) {
            return Err(herr("ErrorInvalidSignature", "provenance DSSE signature"));
        }
        let signer = SignerIdentity::from_certificate_der(cert)
            .map_err(|e| herr("ErrorInvalidCertificate", e.to_string()))?;
        let npm_publish = match all.iter().find(|s| is_publish(s)) {
            None => None,
            Some(p) => {
                let hint = p.key_hint.as_deref().unwrap_or_default();
                let key = self.npm_keys.get(hint).ok_or_else(|| {
                    herr("ErrorInvalidPublicKey", format!("unknown npm key {hint}"))
                })?;
                if !verify_envelope(&p.envelope, key, Some(hint)) {
                    return Err(herr(
                        "ErrorInvalidSignature",
                        "publish attestation DSSE signature",
                    ));
                }
                Some(statement(&p.envelope)?)
            }
        };
        Ok(Verified::new(VerifiedProvenance {
            statement: statement(&prov.envelope)?,
            npm_publish,
            signer: Some(signer),
        }))
    }
}

/// Key verifier with a key id (tests only; the VSA vectors).
pub struct KeyWithId {
    pub key: VerifyingKey,
    pub key_id: String,
}

impl StatementVerifier for KeyWithId {
    type Error = HarnessError;

    fn verify(&self, attestation: &[u8]) -> Result<Verified<VerifiedProvenance>, HarnessError> {
        let all = read_signed(attestation)?;
        let s = all
            .first()
            .ok_or_else(|| herr("ErrorInvalidDssePayload", "empty"))?;
        if !verify_envelope(&s.envelope, &self.key, Some(&self.key_id)) {
            return Err(herr(
                "ErrorNoValidSignature",
                "no signature verifies with this key and key id",
            ));
        }
        Ok(Verified::new(VerifiedProvenance {
            statement: statement(&s.envelope)?,
            npm_publish: None,
            signer: None,
        }))
    }
}

/// The statements of a file WITHOUT any verification, with the certificate identity read as
/// unverified input: for the statement-only runs that show which verdicts depend on what.
pub fn unverified(
    attestation: &[u8],
) -> Result<(Statement, Option<Statement>, Option<SignerIdentity>), HarnessError> {
    let all = read_signed(attestation)?;
    let publish_idx = all.iter().position(|s| {
        s.declared_predicate
            .as_deref()
            .is_some_and(|p| p.starts_with(PUBLISH_PREDICATE_PREFIX))
    });
    let prov = all
        .iter()
        .enumerate()
        .find(|(i, _)| Some(*i) != publish_idx)
        .map(|(_, s)| s)
        .ok_or_else(|| herr("ErrorInvalidDssePayload", "no provenance"))?;
    let identity = prov
        .cert
        .as_deref()
        .and_then(|c| SignerIdentity::from_certificate_der(c).ok());
    let publish = publish_idx
        .map(|i| statement(&all[i].envelope))
        .transpose()?;
    Ok((statement(&prov.envelope)?, publish, identity))
}

/// All supported digests of a file.
pub fn artifact_digests(path: &Path) -> Vec<Digest> {
    let set: DigestSet = digest_file(path).unwrap();
    let d = set.supported();
    assert_eq!(d.len(), DigestAlgorithm::ALL.len());
    d
}

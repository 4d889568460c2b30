//! npm package attestations (`{"attestations": [...]}` as the registry serves them for a
//! version): the SLSA provenance bundle (keyless, Fulcio) and the registry's publish attestation
//! bundle (key-based: the npm registry key its `publicKey.hint` names, from a pinned keys file,
//! valid at the verified signing time). Both are verified offline and bound to the tarball
//! (its sha512 is a subject of each); the policy then judges them together.

use base64ct::{Base64, Encoding};
use serde_json::Value;

use crate::slsa::identity::GITHUB_ACTIONS_ISSUER;
use crate::slsa::npm::PUBLISH_PREDICATE_PREFIX;
use crate::slsa::verify::{StatementVerifier, VerifiedProvenance};
use crate::statement::{PAYLOAD_TYPE, Statement};
use crate::verified::Verified;

use super::error::{Check, SigstoreError};
use super::policy::{BundlePolicy, KeylessPolicy};
use super::verify::{Artifact, BundleContent, MAX_BUNDLE_SIZE, VerifiedBundle, Verifier};

/// The npm registry keys embedded as the default (`attest/trust/npm-keys.json`, origin in its
/// README).
pub const NPM_KEYS: &str = include_str!("../../trust/npm-keys.json");

/// The key usage of publish attestations.
pub const ATTESTATIONS_USAGE: &str = "npm:attestations";

/// One registry key: id, usage, SPKI DER and validity window (Unix seconds; no end = open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmKey {
    /// `SHA256:…`, as publish bundles hint it.
    pub key_id: String,
    /// `npm:attestations` or `npm:signatures`.
    pub usage: String,
    /// SubjectPublicKeyInfo DER.
    pub spki: Vec<u8>,
    /// Valid from.
    pub start: i64,
    /// Valid until (inclusive), if it ends.
    pub end: Option<i64>,
}

/// Parses a keys file (`{"keys": [{"keyId", "keyUsage", "publicKey": {"rawBytes", "validFor"}}]}`,
/// the TUF target the npm CLI uses).
pub fn parse_npm_keys(bytes: &[u8]) -> Result<Vec<NpmKey>, SigstoreError> {
    let bad = |w: &str| SigstoreError::PublicKey(format!("npm keys file: {w}"));
    let v: Value = serde_json::from_slice(bytes).map_err(|e| bad(&e.to_string()))?;
    let keys = v["keys"].as_array().ok_or_else(|| bad("no `keys` array"))?;
    keys.iter()
        .map(|k| {
            let s = |p: &str| k.pointer(p).and_then(Value::as_str);
            let key_id = s("/keyId").ok_or_else(|| bad("a key without `keyId`"))?;
            let raw = s("/publicKey/rawBytes").ok_or_else(|| bad("a key without `rawBytes`"))?;
            let spki = Base64::decode_vec(raw).map_err(|e| bad(&e.to_string()))?;
            let time = |p: &str| -> Result<Option<i64>, SigstoreError> {
                s(p).map(|t| {
                    crate::time::parse_rfc3339(t).ok_or_else(|| bad(&format!("time `{t}`")))
                })
                .transpose()
            };
            Ok(NpmKey {
                key_id: key_id.to_owned(),
                usage: s("/keyUsage").unwrap_or_default().to_owned(),
                spki,
                start: time("/publicKey/validFor/start")?
                    .ok_or_else(|| bad("a key without a validity start"))?,
                end: time("/publicKey/validFor/end")?,
            })
        })
        .collect()
}

/// Verifies an npm attestations document about one tarball.
#[derive(Debug)]
pub struct NpmAttestationsVerifier<'a> {
    verifier: &'a Verifier,
    tarball: Artifact<'a>,
    keys: &'a [NpmKey],
}

impl<'a> NpmAttestationsVerifier<'a> {
    /// A verifier for attestations about `tarball`, with the registry's `keys`.
    pub fn new(verifier: &'a Verifier, tarball: &'a [u8], keys: &'a [NpmKey]) -> Self {
        NpmAttestationsVerifier {
            verifier,
            tarball: Artifact::Bytes(tarball),
            keys,
        }
    }

    /// A verifier for attestations about the tarball whose sha512 is `sha512` (a lockfile's
    /// `integrity`): each attestation's statement must name it as a subject.
    pub fn for_sha512(verifier: &'a Verifier, sha512: [u8; 64], keys: &'a [NpmKey]) -> Self {
        NpmAttestationsVerifier {
            verifier,
            tarball: Artifact::Sha512(sha512),
            keys,
        }
    }

    fn statement(v: &VerifiedBundle, declared: &str) -> Result<Statement, SigstoreError> {
        let BundleContent::DsseEnvelope {
            payload_type,
            payload,
        } = &v.content
        else {
            return Err(SigstoreError::rejected(
                Check::Bundle,
                "an npm attestation is a DSSE bundle",
            ));
        };
        if payload_type != PAYLOAD_TYPE {
            return Err(SigstoreError::rejected(
                Check::Bundle,
                format!("payload type `{payload_type}`, not an in-toto statement"),
            ));
        }
        let st = Statement::parse(payload).map_err(|e| {
            SigstoreError::rejected(Check::Bundle, format!("not an in-toto statement: {e}"))
        })?;
        if st.predicate_type != declared {
            return Err(SigstoreError::rejected(
                Check::Bundle,
                format!(
                    "the document declares predicate type `{declared}`, the signed statement has `{}`",
                    st.predicate_type
                ),
            ));
        }
        Ok(st)
    }

    /// The publish attestation, with the registry key its hint names, valid when it was signed.
    fn publish(&self, bundle: &[u8], declared: &str) -> Result<Statement, SigstoreError> {
        let v: Value = serde_json::from_slice(bundle)
            .map_err(|e| SigstoreError::MalformedBundle(e.to_string()))?;
        let hint = v
            .pointer("/verificationMaterial/publicKey/hint")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                SigstoreError::rejected(
                    Check::Bundle,
                    "the publish attestation names no registry key (publicKey.hint)",
                )
            })?;
        let candidates: Vec<&NpmKey> = self
            .keys
            .iter()
            .filter(|k| k.key_id == hint && k.usage == ATTESTATIONS_USAGE)
            .collect();
        if candidates.is_empty() {
            return Err(SigstoreError::rejected(
                Check::Signature,
                format!("no pinned npm registry key `{hint}` for {ATTESTATIONS_USAGE}"),
            ));
        }
        let mut last = None;
        for k in candidates {
            let policy = BundlePolicy::Key(k.spki.clone());
            match self.verifier.verify(bundle, self.tarball, &policy) {
                Ok(verified) => {
                    if verified.signing_times.is_empty() {
                        return Err(SigstoreError::rejected(
                            Check::Timestamp,
                            "the publish attestation has no verified signing time to judge the registry key's validity at",
                        ));
                    }
                    if let Some(t) = verified
                        .signing_times
                        .iter()
                        .find(|t| **t < k.start || k.end.is_some_and(|e| **t > e))
                    {
                        last = Some(SigstoreError::rejected(
                            Check::Signature,
                            format!(
                                "npm registry key `{hint}` was not valid at the signing time {}",
                                crate::time::format_rfc3339(*t)
                            ),
                        ));
                        continue;
                    }
                    return Self::statement(&verified, declared);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            SigstoreError::rejected(Check::Signature, "no registry key verified")
        }))
    }
}

impl StatementVerifier for NpmAttestationsVerifier<'_> {
    type Error = SigstoreError;

    fn verify(&self, attestation: &[u8]) -> Result<Verified<VerifiedProvenance>, SigstoreError> {
        if attestation.len() > MAX_BUNDLE_SIZE {
            return Err(SigstoreError::BundleTooLarge {
                max: MAX_BUNDLE_SIZE,
            });
        }
        let doc = crate::json::parse_strict(attestation).map_err(|e| {
            SigstoreError::MalformedBundle(format!(
                "not valid JSON ({}): {}",
                e.place(),
                e.message()
            ))
        })?;
        let list = doc["attestations"].as_array().ok_or_else(|| {
            SigstoreError::MalformedBundle(
                "no `attestations` array: not an npm attestations document".into(),
            )
        })?;
        let (mut provenance, mut publish) = (None, None);
        for a in list {
            let declared = a["predicateType"].as_str().unwrap_or_default();
            let bundle = serde_json::to_vec(&a["bundle"])
                .map_err(|e| SigstoreError::MalformedBundle(e.to_string()))?;
            let slot = if declared.starts_with(PUBLISH_PREDICATE_PREFIX) {
                &mut publish
            } else {
                &mut provenance
            };
            if slot.is_some() {
                return Err(SigstoreError::Unsupported(format!(
                    "more than one attestation of kind `{declared}`"
                )));
            }
            *slot = Some((declared.to_owned(), bundle));
        }
        let Some((declared, bundle)) = provenance else {
            return Err(SigstoreError::rejected(
                Check::Bundle,
                "no provenance attestation in the document",
            ));
        };
        let policy = BundlePolicy::Keyless(KeylessPolicy::regexp(
            r"^https://github\.com/",
            GITHUB_ACTIONS_ISSUER,
        )?);
        let v = self.verifier.verify(&bundle, self.tarball, &policy)?;
        let statement = Self::statement(&v, &declared)?;
        let signer =
            super::provenance::keyless_signer(&v, "npm provenance must be signed keyless")?;
        let npm_publish = match publish {
            Some((declared, bundle)) => Some(self.publish(&bundle, &declared)?),
            None => None,
        };
        Ok(Verified::new(VerifiedProvenance {
            statement,
            npm_publish,
            signer: Some(signer),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_keys_parse_with_their_windows() {
        let keys = parse_npm_keys(NPM_KEYS.as_bytes()).unwrap();
        assert_eq!(keys.len(), 4);
        let old = keys
            .iter()
            .find(|k| k.usage == ATTESTATIONS_USAGE && k.end.is_some())
            .unwrap();
        assert_eq!(
            old.key_id,
            "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA"
        );
        assert!(parse_npm_keys(b"{}").unwrap_err().is_input_error());
    }
}

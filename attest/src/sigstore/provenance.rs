//! SLSA provenance and GitHub artifact attestations carried in Sigstore bundles: the keyless
//! signature layer behind [`StatementVerifier`], for `slsa::verify_provenance`.
//!
//! The bundle is verified like any other (chain, SCT, log, timestamps, signature, the artefact
//! as a subject), with the GitHub Actions issuer and any `https://github.com/` identity: *which*
//! workflow may sign is the provenance policy's decision (trusted builders, the certificate
//! against the provenance), made on the [`SignerIdentity`] read from the verified certificate.

use crate::slsa::identity::{GITHUB_ACTIONS_ISSUER, SignerIdentity};
use crate::slsa::verify::{StatementVerifier, VerifiedProvenance};
use crate::statement::{PAYLOAD_TYPE, Statement};
use crate::verified::Verified;

use super::error::{Check, SigstoreError};
use super::policy::{BundlePolicy, KeylessPolicy};
use super::verify::{Artifact, BundleContent, MAX_BUNDLE_SIZE, Signer, VerifiedBundle, Verifier};

/// Verifies provenance bundles about one artefact (by its SHA-256).
#[derive(Debug)]
pub struct ProvenanceVerifier {
    verifier: Verifier,
    artifact_sha256: [u8; 32],
}

impl ProvenanceVerifier {
    /// A verifier of provenance about the artefact whose SHA-256 is `artifact_sha256`.
    pub fn new(verifier: Verifier, artifact_sha256: [u8; 32]) -> ProvenanceVerifier {
        ProvenanceVerifier {
            verifier,
            artifact_sha256,
        }
    }
}

/// The one bundle of a file: a JSON document, or a JSON Lines file of exactly one line (as
/// slsa-github-generator's `*.intoto.jsonl`).
fn single_document(bytes: &[u8]) -> Result<&[u8], SigstoreError> {
    if bytes.len() > MAX_BUNDLE_SIZE {
        return Err(SigstoreError::BundleTooLarge {
            max: MAX_BUNDLE_SIZE,
        });
    }
    let trimmed = bytes.trim_ascii();
    let lines = trimmed
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    if lines > 1 && serde_json::from_slice::<serde_json::Value>(trimmed).is_err() {
        return Err(SigstoreError::Unsupported(format!(
            "a JSON Lines file of {lines} attestations: give one bundle per file"
        )));
    }
    Ok(trimmed)
}

/// A legacy slsa-github-generator attestation: a bare DSSE envelope (the certificate inside,
/// no bundle, no log entry).
fn is_bare_dsse(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| {
        v.get("mediaType").is_none()
            && v.get("payloadType").is_some()
            && v.get("signatures").is_some()
    })
}

impl StatementVerifier for ProvenanceVerifier {
    type Error = SigstoreError;

    fn verify(&self, attestation: &[u8]) -> Result<Verified<VerifiedProvenance>, SigstoreError> {
        let doc = single_document(attestation)?;
        if is_bare_dsse(doc) {
            return Err(SigstoreError::Unsupported(
                "a bare DSSE envelope without a transparency-log entry needs a transparency-log lookup (slsa-verifier searches Rekor online); tollgate verifies offline only: use the Sigstore bundle of a newer generator"
                    .into(),
            ));
        }
        let policy = BundlePolicy::Keyless(KeylessPolicy::regexp(
            r"^https://github\.com/",
            GITHUB_ACTIONS_ISSUER,
        )?);
        let v = self
            .verifier
            .verify(doc, Artifact::Sha256(self.artifact_sha256), &policy)?;
        let payload = match &v.content {
            BundleContent::DsseEnvelope {
                payload_type,
                payload,
            } if payload_type == PAYLOAD_TYPE => payload,
            BundleContent::DsseEnvelope { payload_type, .. } => {
                return Err(SigstoreError::rejected(
                    Check::Bundle,
                    format!("payload type `{payload_type}`: provenance is an in-toto statement"),
                ));
            }
            BundleContent::MessageSignature => {
                return Err(SigstoreError::rejected(
                    Check::Bundle,
                    "a message signature carries no provenance (a DSSE bundle of an in-toto statement does)",
                ));
            }
        };
        let statement = Statement::parse(payload).map_err(|e| {
            SigstoreError::rejected(Check::Bundle, format!("not an in-toto statement: {e}"))
        })?;
        let signer = keyless_signer(&v, "provenance must be signed keyless")?;
        Ok(Verified::new(VerifiedProvenance {
            statement,
            npm_publish: None,
            signer: Some(signer),
        }))
    }
}

/// The signer of a keyless bundle, read from its verified Fulcio certificate; a key-signed
/// bundle is rejected with `keyed` (provenance policies judge the certificate's identity).
pub(super) fn keyless_signer(
    v: &VerifiedBundle,
    keyed: &'static str,
) -> Result<SignerIdentity, SigstoreError> {
    let Signer::Certificate(cert) = &v.signer else {
        return Err(SigstoreError::rejected(Check::Certificate, keyed));
    };
    SignerIdentity::from_certificate_der(&cert.certificate_der)
        .map_err(|e| SigstoreError::rejected(Check::Certificate, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_document_per_file_and_bare_envelopes_are_recognised() {
        assert_eq!(single_document(b" {\"a\":1}\n").unwrap(), b"{\"a\":1}");
        let e = single_document(b"{\"a\":1}\n{\"b\":2}\n").unwrap_err();
        assert_eq!(e.check(), "unsupported");
        // A pretty-printed document spans lines but is one document.
        assert!(single_document(b"{\n\"a\": 1\n}\n").is_ok());
        assert!(is_bare_dsse(
            br#"{"payloadType":"x","payload":"","signatures":[]}"#
        ));
        assert!(!is_bare_dsse(
            br#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1","payloadType":"x","signatures":[]}"#
        ));
    }
}

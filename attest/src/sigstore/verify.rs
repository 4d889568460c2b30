//! Verifying one bundle: size cap and strict JSON first, then `sigstore-verify` (certificate
//! chain at the signing time, SCT, transparency log, timestamps, signature, artefact binding),
//! then what it lacks (regexp identities, GitHub claims, an injected clock).

use serde::Serialize;
use sigstore_verify::types::{ArtifactDigest, Bundle, HashAlgorithm, Sha256Hash, SignatureContent};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, VerificationResult};

use super::error::{Check, SigstoreError};
use super::policy::{BundlePolicy, IdentityMatch, KeylessPolicy};
use super::provider;
use super::root::{RootOrigin, TrustRoot};
use crate::verified::Verified;

/// The largest bundle accepted, in bytes (real bundles are a few kilobytes; DSSE bundles carry
/// their statement, SLSA provenance rarely above a megabyte).
pub const MAX_BUNDLE_SIZE: usize = 32 * 1024 * 1024;

/// The bundle media types this verifier supports.
pub const SUPPORTED_MEDIA_TYPES: [&str; 4] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
];

/// The artefact a bundle must be about.
#[derive(Debug, Clone, Copy)]
pub enum Artifact<'a> {
    /// Its bytes.
    Bytes(&'a [u8]),
    /// Its SHA-256 digest only (Ed25519 message signatures need the bytes).
    Sha256([u8; 32]),
    /// Its SHA-512 digest only: binds a DSSE statement whose subject is named by sha512 (npm
    /// packages, whose lockfile `integrity` is the tarball's sha512); message signatures, signed
    /// over a SHA-256, need one of the other two.
    Sha512([u8; 64]),
}

/// What a bundle held, once verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BundleContent {
    /// A signature over the artefact's digest.
    MessageSignature,
    /// A DSSE envelope; its payload is verified and bound to the artefact.
    DsseEnvelope {
        /// The envelope's payload type.
        payload_type: String,
        /// The payload, as signed.
        #[serde(skip)]
        payload: Vec<u8>,
    },
}

/// Who signed a verified bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signer {
    /// A Fulcio certificate (keyless).
    Certificate(Box<CertificateSigner>),
    /// The key of the policy.
    Key,
}

/// The identity a verified Fulcio certificate states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSigner {
    /// The SAN (email or URI).
    pub identity: String,
    /// The OIDC issuer.
    pub issuer: String,
    /// The CI workload claims present in the certificate.
    pub claims: WorkloadClaims,
    /// The leaf certificate, DER.
    #[serde(skip)]
    pub certificate_der: Vec<u8>,
}

/// The certificate's CI claims that reports show (absent ones are skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkloadClaims {
    /// `.1.12` source repository URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository: Option<String>,
    /// `.1.14` source ref.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// `.1.13` source commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_digest: Option<String>,
    /// `.1.20` triggering event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_trigger: Option<String>,
    /// `.1.9` the signing build configuration, with its ref.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_uri: Option<String>,
    /// `.1.4` (deprecated) the workflow's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_name: Option<String>,
    /// `.1.11` runner environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// `.1.21` the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_invocation_uri: Option<String>,
}

/// A verified bundle: what was checked and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedBundle {
    /// The bundle's media type.
    pub media_type: String,
    /// Message signature or DSSE envelope.
    pub content: BundleContent,
    /// The signer.
    pub signer: Signer,
    /// Whether the certificate chain, validity and code-signing usage were checked (keyless).
    pub certificate_verified: bool,
    /// Whether the certificate's SCT was checked (keyless).
    pub sct_verified: bool,
    /// Whether transparency-log inclusion (SET, inclusion proof, checkpoint) was checked.
    pub tlog_verified: bool,
    /// The authenticated Rekor v1 integrated time (Unix seconds), if any.
    pub integrated_time: Option<i64>,
    /// Every authenticated signing time used (Unix seconds): integrated times, RFC 3161.
    pub signing_times: Vec<i64>,
    /// Whether the root was the embedded production one.
    pub production_root: bool,
}

/// Verifies bundles against one trusted root.
pub struct Verifier {
    inner: sigstore_verify::Verifier,
    production_root: bool,
    now: Option<i64>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("production_root", &self.production_root)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Prepares the root's keys and anchors (an unusable root is an input error).
    pub fn new(root: &TrustRoot) -> Result<Verifier, SigstoreError> {
        provider::install();
        let inner = sigstore_verify::Verifier::new(&root.root)
            .map_err(|e| SigstoreError::TrustedRoot(e.to_string()))?;
        Ok(Verifier {
            inner,
            production_root: root.origin() == &RootOrigin::EmbeddedProduction,
            now: None,
        })
    }

    /// Judges signing times against `now_unix` (seconds) as well as the system clock:
    /// `sigstore-verify` 0.15 reads the system clock itself (integrated time not in the future,
    /// key activation) and offers no way to inject one, so this clock can only reject more: a
    /// bundle whose authenticated signing time is after it fails.
    pub fn with_clock(mut self, now_unix: i64) -> Verifier {
        self.now = Some(now_unix);
        self
    }

    /// Verifies `bundle` (JSON bytes) about `artifact` under `policy`.
    pub fn verify(
        &self,
        bundle: &[u8],
        artifact: Artifact<'_>,
        policy: &BundlePolicy,
    ) -> Result<Verified<VerifiedBundle>, SigstoreError> {
        let bundle = parse_bundle(bundle)?;
        let digest;
        let input: sigstore_verify::types::Artifact<'_> = match artifact {
            Artifact::Bytes(b) => b.into(),
            Artifact::Sha256(d) => {
                digest = Sha256Hash::new(d);
                (&digest).into()
            }
            Artifact::Sha512(d) => {
                let d = ArtifactDigest::new(HashAlgorithm::Sha2512, d.to_vec())
                    .map_err(|e| SigstoreError::rejected(Check::Bundle, e.to_string()))?;
                sigstore_verify::types::Artifact::from_digest(d)
            }
        };
        let result = match policy {
            BundlePolicy::Key(spki) => {
                if bundle.signing_certificate().is_some() {
                    return Err(SigstoreError::rejected(
                        Check::Bundle,
                        "the bundle is signed with a certificate (keyless), not a key: verify it with an identity and an issuer",
                    ));
                }
                let key = sigstore_verify::types::DerPublicKey::new(spki.clone());
                let p = PublicKeyVerificationPolicy::new(key);
                self.inner.verify(input, &bundle, &p)
            }
            BundlePolicy::Keyless(k) => {
                if bundle.signing_certificate().is_none() {
                    return Err(SigstoreError::rejected(
                        Check::Bundle,
                        "the bundle has no signing certificate (a key-based bundle needs --key)",
                    ));
                }
                self.inner.verify(input, &bundle, &upstream_policy(k))
            }
        }
        .map_err(SigstoreError::from_verify)?;
        let signer = match policy {
            BundlePolicy::Key(_) => Signer::Key,
            BundlePolicy::Keyless(k) => {
                Signer::Certificate(Box::new(check_keyless(k, &result, &bundle)?))
            }
        };
        let signing_times: Vec<i64> = result
            .verified_timestamps()
            .iter()
            .map(|t| t.as_second())
            .collect();
        if let Some(now) = self.now
            && let Some(t) = signing_times.iter().find(|t| **t > now)
        {
            return Err(SigstoreError::rejected(
                Check::Timestamp,
                format!(
                    "the signing time {} is after the clock ({})",
                    crate::time::format_rfc3339(*t),
                    crate::time::format_rfc3339(now)
                ),
            ));
        }
        // Fail closed on a result weaker than asked for (relaxed policies are never built here).
        let keyless = matches!(policy, BundlePolicy::Keyless(_));
        if !result.tlog_verified()
            || (keyless && !(result.certificate_verified() && result.sct_verified()))
            || (keyless && signing_times.is_empty())
        {
            return Err(SigstoreError::rejected(
                Check::Bundle,
                "verification did not cover every required check",
            ));
        }
        let content = match &bundle.content {
            SignatureContent::MessageSignature(_) => BundleContent::MessageSignature,
            SignatureContent::DsseEnvelope(e) => BundleContent::DsseEnvelope {
                payload_type: e.payload_type.clone(),
                payload: e.payload.as_bytes().to_vec(),
            },
            _ => {
                return Err(SigstoreError::Unsupported(
                    "bundle content that is neither a message signature nor a DSSE envelope".into(),
                ));
            }
        };
        Ok(Verified::new(VerifiedBundle {
            media_type: bundle.media_type.as_str().to_owned(),
            content,
            signer,
            certificate_verified: result.certificate_verified(),
            sct_verified: result.sct_verified(),
            tlog_verified: result.tlog_verified(),
            integrated_time: result.integrated_time().map(|t| t.as_second()),
            signing_times,
            production_root: self.production_root,
        }))
    }
}

/// The upstream policy: exact identities go to `sigstore-verify`; a regexp is checked after.
fn upstream_policy(k: &KeylessPolicy) -> VerificationPolicy {
    match &k.identity {
        IdentityMatch::Exact(s) => VerificationPolicy::new(s.as_str(), k.issuer.as_str()),
        IdentityMatch::Regexp(_) => {
            VerificationPolicy::any_identity().require_issuer(k.issuer.as_str())
        }
    }
}

/// Identity (again, whatever matched upstream), issuer and GitHub claims of a verified result.
fn check_keyless(
    k: &KeylessPolicy,
    result: &VerificationResult,
    bundle: &Bundle,
) -> Result<CertificateSigner, SigstoreError> {
    let identity = result
        .identity()
        .map(|i| i.as_str().to_owned())
        .ok_or_else(|| {
            SigstoreError::rejected(Check::Identity, "the certificate has no SAN identity")
        })?;
    if !k.identity.matches(&identity) {
        return Err(SigstoreError::rejected(
            Check::Identity,
            format!("identity mismatch: expected {}, got {identity}", k.identity),
        ));
    }
    let issuer = result.issuer().unwrap_or_default().to_owned();
    if issuer != k.issuer {
        return Err(SigstoreError::rejected(
            Check::Issuer,
            format!("issuer mismatch: expected {}, got {issuer}", k.issuer),
        ));
    }
    let info = result.certificate().ok_or_else(|| {
        SigstoreError::rejected(Check::Certificate, "no verified signing certificate")
    })?;
    let c = &info.ci_claims;
    k.github.check(c)?;
    let certificate_der = bundle
        .signing_certificate()
        .map(|c| c.as_bytes().to_vec())
        .unwrap_or_default();
    Ok(CertificateSigner {
        identity,
        issuer,
        claims: WorkloadClaims {
            source_repository: c.source_repository_uri.clone(),
            source_ref: c.source_repository_ref.clone(),
            source_digest: c.source_repository_digest.clone(),
            build_trigger: c.build_trigger.clone(),
            build_signer_uri: c.build_signer_uri.clone(),
            workflow_name: c.deprecated_github.workflow_name.clone(),
            runner_environment: c.runner_environment.clone(),
            run_invocation_uri: c.run_invocation_uri.clone(),
        },
        certificate_der,
    })
}

/// Size cap, UTF-8, strict JSON (no duplicate keys), a supported media type, then the bundle.
fn parse_bundle(bytes: &[u8]) -> Result<Bundle, SigstoreError> {
    if bytes.len() > MAX_BUNDLE_SIZE {
        return Err(SigstoreError::BundleTooLarge {
            max: MAX_BUNDLE_SIZE,
        });
    }
    let value = crate::json::parse_strict(bytes).map_err(|e| {
        SigstoreError::MalformedBundle(format!("not valid JSON ({}): {}", e.place(), e.message()))
    })?;
    let Some(media_type) = value.get("mediaType").and_then(|m| m.as_str()) else {
        return Err(SigstoreError::MalformedBundle(
            "no `mediaType` string: not a Sigstore bundle".into(),
        ));
    };
    if !SUPPORTED_MEDIA_TYPES.contains(&media_type) {
        return Err(SigstoreError::Unsupported(format!(
            "bundle media type `{media_type}` (supported: Sigstore bundle v0.1, v0.2, v0.3)"
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| SigstoreError::MalformedBundle(format!("not UTF-8: {e}")))?;
    Bundle::from_json(text).map_err(|e| SigstoreError::rejected(Check::Bundle, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_caps_size_and_names_unsupported_versions() {
        let big = vec![b' '; MAX_BUNDLE_SIZE + 1];
        assert!(matches!(
            parse_bundle(&big),
            Err(SigstoreError::BundleTooLarge { .. })
        ));
        assert!(parse_bundle(b"{").unwrap_err().is_input_error());
        assert!(parse_bundle(b"{\"a\":1}").unwrap_err().is_input_error());
        let e = parse_bundle(
            br#"{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=99.9"}"#,
        )
        .unwrap_err();
        assert_eq!(e.check(), "unsupported");
        assert!(!e.is_input_error());
        // Duplicate keys are ambiguous: refused before any verification.
        let e = parse_bundle(br#"{"mediaType": "x", "mediaType": "y"}"#).unwrap_err();
        assert!(e.is_input_error(), "{e}");
    }
}

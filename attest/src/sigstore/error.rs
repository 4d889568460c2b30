//! Why a Sigstore bundle was not accepted: an input that cannot be used (exit 2 in the CLI) or a
//! verification that did not succeed, named by the check that failed (exit 1).

use sigstore_verify::Error as Upstream;

/// A bundle that was not verified, and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigstoreError {
    /// The bundle file is larger than the cap.
    #[error("the bundle is larger than the {max}-byte limit")]
    BundleTooLarge {
        /// The cap, in bytes.
        max: usize,
    },
    /// The bundle is not JSON, or not a Sigstore bundle.
    #[error("not a Sigstore bundle: {0}")]
    MalformedBundle(String),
    /// The trusted root cannot be read or used.
    #[error("trusted root: {0}")]
    TrustedRoot(String),
    /// The public key given for a key-based bundle cannot be used.
    #[error("public key: {0}")]
    PublicKey(String),
    /// The policy is unusable (an invalid regular expression, a missing issuer).
    #[error("policy: {0}")]
    Policy(String),
    /// The bundle needs something this verifier does not support: it fails closed.
    #[error("unsupported (fails closed): {0}")]
    Unsupported(String),
    /// A verification step did not succeed.
    #[error("{check}: {detail}")]
    Rejected {
        /// The check that failed.
        check: Check,
        /// Why, in English.
        detail: String,
    },
}

/// The verification step a bundle failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// The bundle's structure or content is invalid.
    Bundle,
    /// The signature over the artefact or the DSSE payload.
    Signature,
    /// The artefact is not the one the bundle is about.
    Artifact,
    /// The Fulcio certificate chain, validity at signing time or code-signing usage.
    Certificate,
    /// The certificate's Signed Certificate Timestamp.
    Sct,
    /// The transparency-log entry: SET, inclusion proof, checkpoint, consistency.
    Tlog,
    /// An RFC 3161 timestamp, or no trusted signing time at all.
    Timestamp,
    /// The certificate's SAN identity.
    Identity,
    /// The certificate's OIDC issuer.
    Issuer,
    /// A GitHub workflow claim of the certificate.
    Claim,
}

impl Check {
    /// The check's code in reports (`check` of the JSON failure document).
    pub fn code(self) -> &'static str {
        match self {
            Check::Bundle => "bundle",
            Check::Signature => "signature",
            Check::Artifact => "subject",
            Check::Certificate => "certificate",
            Check::Sct => "sct",
            Check::Tlog => "tlog",
            Check::Timestamp => "timestamp",
            Check::Identity => "identity",
            Check::Issuer => "issuer",
            Check::Claim => "certificate-claim",
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl SigstoreError {
    /// Whether the input was unusable (as opposed to a verification that failed).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            SigstoreError::BundleTooLarge { .. }
                | SigstoreError::MalformedBundle(_)
                | SigstoreError::TrustedRoot(_)
                | SigstoreError::PublicKey(_)
                | SigstoreError::Policy(_)
        )
    }

    /// The failed check's code for reports.
    pub fn check(&self) -> &'static str {
        match self {
            SigstoreError::BundleTooLarge { .. } | SigstoreError::MalformedBundle(_) => "bundle",
            SigstoreError::TrustedRoot(_) => "trusted-root",
            SigstoreError::PublicKey(_) => "key",
            SigstoreError::Policy(_) => "policy",
            SigstoreError::Unsupported(_) => "unsupported",
            SigstoreError::Rejected { check, .. } => check.code(),
        }
    }

    pub(crate) fn rejected(check: Check, detail: impl Into<String>) -> SigstoreError {
        SigstoreError::Rejected {
            check,
            detail: detail.into(),
        }
    }

    /// Classifies an error of `sigstore-verify` raised while verifying.
    pub(crate) fn from_verify(e: Upstream) -> SigstoreError {
        use sigstore_verify::CertificateError;
        let text = e.to_string();
        let check = match &e {
            Upstream::IdentityMismatch { .. } => Check::Identity,
            Upstream::IssuerMismatch { .. } => Check::Issuer,
            Upstream::SignatureInvalid(_) => Check::Signature,
            Upstream::ArtifactMismatch(_) => Check::Artifact,
            Upstream::Certificate(CertificateError::Sct(_)) => Check::Sct,
            Upstream::Certificate(_) => Check::Certificate,
            Upstream::TransparencyLog(_) => Check::Tlog,
            Upstream::Timestamp(_) => Check::Timestamp,
            Upstream::UnsupportedBundle(d) | Upstream::UnsupportedArtifact(d) => {
                return SigstoreError::Unsupported(d.clone());
            }
            Upstream::Crypto(sigstore_verify::crypto::Error::UnsupportedAlgorithm(d)) => {
                return SigstoreError::Unsupported(d.clone());
            }
            Upstream::Crypto(_) => Check::Signature,
            Upstream::InvalidTrustRoot(_)
            | Upstream::TrustRoot(_)
            | Upstream::TrustedCertificate(_) => {
                return SigstoreError::TrustedRoot(text);
            }
            // Malformed or inconsistent bundles, and anything added upstream later: rejected.
            _ => Check::Bundle,
        };
        SigstoreError::rejected(check, text)
    }
}

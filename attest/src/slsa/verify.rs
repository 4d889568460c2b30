//! The signature layer behind a trait, and the composition: verify the signature, then the
//! policy. A Sigstore bundle verifier (keyless) and a DSSE key verifier both plug in here.

use crate::slsa::identity::SignerIdentity;
use crate::slsa::policy::{Evidence, PolicyError, PolicyReport, ProvenancePolicy, evaluate};
use crate::statement::Statement;
use crate::verified::Verified;

/// What a signature verifier vouches for: the statement it verified and, when the signature
/// is keyless, who signed (from the verified certificate).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedProvenance {
    /// The statement whose signature verified (SLSA provenance, or a VSA).
    pub statement: Statement,
    /// The npm registry's publish attestation, verified too, for npm packages.
    pub npm_publish: Option<Statement>,
    /// The keyless signer; `None` for a key signature (the key is the trust anchor).
    pub signer: Option<SignerIdentity>,
}

/// Verifies the signature of an attestation and hands out the statement it covers.
///
/// Implementations construct [`Verified`] only after the signature (and, for Sigstore, the
/// certificate chain and transparency log) verified; they live in this crate, which is the only
/// place a `Verified` can be made.
pub trait StatementVerifier {
    /// The verifier's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Verifies `attestation` (a bundle, an envelope or an npm attestations document).
    fn verify(&self, attestation: &[u8]) -> Result<Verified<VerifiedProvenance>, Self::Error>;
}

/// Why a provenance was not accepted: its signature, or the policy.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvenanceError<E: std::error::Error + 'static> {
    /// The signature layer rejected the attestation.
    #[error("signature: {0}")]
    Signature(#[source] E),
    /// The policy rejected the statement (or could not be evaluated).
    #[error(transparent)]
    Policy(PolicyError),
}

/// Evaluates the policy on a verified statement; the report stays verified because it was
/// computed from verified data only.
pub fn evaluate_verified(
    v: &Verified<VerifiedProvenance>,
    policy: &ProvenancePolicy,
) -> Result<Verified<PolicyReport>, PolicyError> {
    let ev = Evidence {
        statement: &v.statement,
        npm_publish: v.npm_publish.as_ref(),
        signer: v.signer.as_ref(),
    };
    let report = evaluate(&ev, policy)?;
    Ok(Verified::new(report))
}

/// Verifies the signature with `verifier`, then the policy.
pub fn verify_provenance<V: StatementVerifier>(
    verifier: &V,
    attestation: &[u8],
    policy: &ProvenancePolicy,
) -> Result<Verified<PolicyReport>, ProvenanceError<V::Error>> {
    let v = verifier
        .verify(attestation)
        .map_err(ProvenanceError::Signature)?;
    evaluate_verified(&v, policy).map_err(ProvenanceError::Policy)
}

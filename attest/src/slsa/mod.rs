//! SLSA provenance (v0.2 and v1) and its policy: the union of what `slsa-verifier` and
//! `gh attestation verify` check.
//!
//! - [`predicate`]: typed views of the predicates and the facts a policy needs, per build type
//!   (slsa-github-generator builders, BYOB, container-based, npm CLI, GitHub artifact
//!   attestations).
//! - [`policy`]: [`ProvenancePolicy`] (serde data: a file, `tollgate.toml`, flags) and
//!   [`evaluate`], a pure function of (statement, optional signer identity, policy) whose
//!   [`Violation`] names the check, the expected and the actual value.
//! - [`verify`]: the signature layer behind [`StatementVerifier`]; [`verify_provenance`] composes
//!   a verifier and the policy into a [`Verified`](crate::Verified) report.
//! - [`identity`]: the keyless signer as a Fulcio certificate states it.
//!
//! Semantics, the mapping to both tools' flags and the deliberate differences:
//! `docs/concepts/slsa-policy.md`.

pub mod builder;
mod certificate;
pub mod git;
pub mod identity;
pub mod npm;
pub mod policy;
pub mod predicate;
pub mod verify;
pub mod versioned_tag;
pub mod violation;
pub mod vsa;

#[cfg(test)]
mod tests;

pub use identity::SignerIdentity;
pub use policy::{Evidence, InvalidPolicy, PolicyError, PolicyReport, ProvenancePolicy, evaluate};
pub use predicate::{PROVENANCE_V1, PROVENANCE_V02, Provenance};
pub use verify::{
    ProvenanceError, StatementVerifier, VerifiedProvenance, evaluate_verified, verify_provenance,
};
pub use violation::{Check, Reason, Violation};
pub use vsa::{VsaIssue, VsaPolicy};

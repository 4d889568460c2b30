//! Sigstore bundles (v0.1, v0.2, v0.3; message signatures and DSSE envelopes), verified offline
//! against a trusted root, on `sigstore-verify` (sigstore-rust), pinned at `=0.15.1`.
//!
//! `sigstore-verify` checks the Fulcio chain and the certificate's validity at every
//! authenticated signing time, the code-signing usage, the SCT, Rekor v1 entries (SET,
//! inclusion proof, checkpoint; hashedrekord, intoto, dsse), Rekor v2 entries (checkpoint,
//! TSA time), RFC 3161 timestamps and their authorities' validity windows, the signature and the
//! binding of the bundle to the artefact. This module adds what it lacks and fails closed
//! around it:
//!
//! - [`provider`]: the RustCrypto backend it runs on (no C toolchain, no `aws-lc-rs`);
//! - [`root`]: the embedded production root and user-supplied roots, size-capped;
//! - [`policy`]: exact or regexp SAN identities, the OIDC issuer, GitHub workflow claims;
//! - [`verify`]: size cap and strict JSON before parsing, unsupported media types named, an
//!   injectable clock that can only reject more, and [`Verified`](crate::Verified) results;
//! - [`provenance`]: [`ProvenanceVerifier`], the keyless signature layer of SLSA provenance and
//!   GitHub artifact attestations (`slsa::StatementVerifier`);
//! - [`npm`]: npm attestations (provenance keyless, publish attestation with the registry key
//!   its hint names, valid at the signing time);
//! - [`error`]: [`SigstoreError`], input errors apart from failed checks.
//!
//! Nothing here opens a network connection: `sigstore-verify`'s `tuf` feature is off, and a test
//! (`attest/tests/no_http_client.rs`) fails if an HTTP client enters this crate's tree.

pub mod error;
pub mod npm;
pub mod policy;
pub mod provenance;
pub mod provider;
pub mod root;
pub mod verify;

pub use error::{Check, SigstoreError};
pub use npm::NpmAttestationsVerifier;
pub use policy::{BundlePolicy, GithubClaims, IdentityMatch, KeylessPolicy};
pub use provenance::ProvenanceVerifier;
pub use root::{PRODUCTION_TRUSTED_ROOT, RootOrigin, TrustRoot};
pub use verify::{
    Artifact, BundleContent, CertificateSigner, MAX_BUNDLE_SIZE, Signer, VerifiedBundle, Verifier,
    WorkloadClaims,
};

//! # tollgate-attest
//!
//! Verifies signed statements about artefacts: public and private keys, DSSE envelopes,
//! in-toto statements and layouts, SLSA provenance policies and Sigstore bundles.
//!
//! This crate knows nothing of lockfiles, packages or findings. Its inputs are bytes, digests and
//! policies; its outputs are [`Verified`] values (which only this crate can construct) or typed
//! errors. It depends on no other tollgate crate.
//!
//! - [`keys`]: PEM/PKCS#8/securesystemslib keys, key ids, signing, verification;
//! - [`dsse`]: envelopes, PAE, threshold verification returning `Verified<Vec<u8>>`;
//! - [`statement`] and [`attestation`]: in-toto statements, key-signed attestations about a
//!   digest;
//! - [`intoto`]: supply-chain layouts and links (Metablock and DSSE), rules, inspections;
//! - [`sigstore`]: Sigstore bundles verified offline against a trusted root (keyless and key);
//! - [`slsa`]: SLSA provenance predicates and the provenance policy (slsa-verifier, gh attestation);
//! - [`approval`]: signed waiver approvals (what an approver signs, nonces);
//! - [`audit`]: the hash-chained, signed audit log (receipts), its verification and signed
//!   checkpoints (C2SP signed notes);
//! - [`canonical`] (OLPC), [`jcs`] (RFC 8785), [`json`], [`digest`], [`time`]: the encodings and parsers they share;
//! - [`capped`]: the workspace's one bounded read (input larger than a limit is refused, not
//!   read);
//! - [`process`]: the workspace's one subprocess runner (deadline over the whole process group,
//!   bounded output), for inspections, `cargo metadata` and `git`.

#![forbid(unsafe_code)]

pub mod approval;
pub mod attestation;
pub mod audit;
pub mod canonical;
pub mod capped;
pub mod compare;
pub mod digest;
pub mod dsse;
pub mod explain;
pub mod intoto;
pub mod jcs;
pub mod json;
pub mod keys;
pub mod process;
pub mod registry_signature;
pub mod sigstore;
pub mod slsa;
pub mod statement;
pub mod time;
pub mod verified;

pub use digest::{Digest, DigestAlgorithm, DigestSet};
pub use dsse::Envelope;
pub use keys::{PrivateKey, PublicKey};
pub use statement::{Statement, Subject};
pub use verified::Verified;

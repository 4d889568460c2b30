//! # tollgate-sbom
//!
//! Turns a [`tollgate_verifier::graph::Graph`] (and, later, a check report as VEX) into a
//! byte-reproducible CycloneDX 1.6 document and signs it as a DSSE envelope through
//! `tollgate-attest`. This crate is a placeholder until the SBOM issue lands: it only fixes the
//! crate boundary (`sbom -> {verifier, attest}`).

#![forbid(unsafe_code)]

/// The CycloneDX specification version this crate will emit.
pub const CYCLONEDX_SPEC_VERSION: &str = "1.6";

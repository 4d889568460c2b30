//! # tollgate-attest
//!
//! Verifies signed statements about artefacts: public and private keys, DSSE envelopes,
//! in-toto statements and layouts, SLSA provenance policies and (later) Sigstore bundles.
//!
//! This crate knows nothing of lockfiles, packages or findings. Its inputs are bytes, digests and
//! policies; its outputs are `Verified<T>` values (which only this crate can construct) or typed
//! errors. It depends on no other tollgate crate.

//! Public and private keys: PEM (SPKI, PKCS#1, PKCS#8, SEC1), securesystemslib JSON keys, key
//! ids, signing and verification.
//!
//! Crypto stack: RustCrypto (`p256`, `p384`, `p521`, `ed25519-dalek`, `rsa`, `sha2`, `spki`,
//! `pkcs8`). It is pure Rust, so the workspace builds with cargo alone on a 2-core CI runner
//! (aws-lc-rs and ring need a C toolchain, aws-lc-rs also cmake, and are slower to build), and it
//! covers every algorithm in-toto, DSSE and cosign keys use.
//!
//! Supported: Ed25519; ECDSA P-256 (SHA-256), P-384 (SHA-384), P-521 (SHA-512), with DER or
//! fixed-size (r‖s) signatures; RSA 2048–4096 bits with PSS or PKCS#1 v1.5 over SHA-256/384/512.
//! secp256k1, P-224 and other curves load far enough to be named in an "unsupported" error.

mod keyid;
mod private;
mod public;
mod sslib;

pub use keyid::{KeyIdForms, sigstore_hint};
pub use private::{GenerateAlgorithm, PrivateKey};
pub use public::{KeyAlgorithm, PublicKey, Scheme};
pub use sslib::{SslibKey, parse_sslib_key};

/// A key that cannot be loaded or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not PEM, or a PEM block we do not read.
    #[error("not a PEM key: {0}")]
    Pem(String),
    /// DER inside the PEM is malformed.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// Decoder message.
        reason: String,
    },
    /// A key type or curve we recognise but do not support.
    #[error("unsupported key: {0}")]
    Unsupported(String),
    /// An encrypted private key.
    #[error(
        "the private key is encrypted; decrypt it first (openssl pkcs8 -in KEY -out PLAIN.key)"
    )]
    Encrypted,
    /// RSA key size outside 2048–4096 bits (or 1024 for legacy verification).
    #[error("RSA key of {0} bits is outside the supported 2048–4096 bits")]
    RsaSize(usize),
    /// A signature scheme that does not fit the key.
    #[error("scheme `{scheme}` does not fit a {algorithm} key")]
    SchemeMismatch {
        /// Scheme name.
        scheme: String,
        /// Key algorithm.
        algorithm: KeyAlgorithm,
    },
    /// A securesystemslib JSON key is malformed.
    #[error("securesystemslib key: {0}")]
    Sslib(String),
    /// Signing failed (should not happen with a valid key).
    #[error("signing failed: {0}")]
    Sign(String),
}

/// A signature that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid signature ({0})")]
pub struct BadSignature(pub String);

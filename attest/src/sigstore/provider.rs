//! The cryptographic backend `sigstore-verify` runs on: the RustCrypto stack the rest of this
//! crate already uses (`sha2`, `p256`, `p384`, `ed25519-dalek`, `rsa`), installed as the
//! process-wide [`CryptoProvider`] of `sigstore-crypto`.
//!
//! `sigstore-crypto`'s own backend is `aws-lc-rs`, a C library that needs a C toolchain and adds
//! minutes to a clean build on CI's 2 cores; with its default features off, the crate expects
//! the application to install a provider, which [`install`] does before every verification.
//!
//! Semantics follow the `aws-lc-rs` provider it replaces: ECDSA signatures are ASN.1 DER,
//! Ed25519 is verified strictly, RSA keys are 2048 to 8192 bits. ML-DSA is not implemented by
//! this backend: a bundle that needs it fails closed ("unsupported algorithm").

use sha2::{Digest as _, Sha256, Sha384, Sha512};
use sigstore_verify::crypto::{CryptoProvider, HashContext, SigningScheme};
use sigstore_verify::crypto::{Error, Result};
use sigstore_verify::types::HashAlgorithm;

/// The RustCrypto provider (stateless).
#[derive(Debug)]
pub struct RustCryptoProvider;

static PROVIDER: RustCryptoProvider = RustCryptoProvider;

/// Installs [`RustCryptoProvider`] as `sigstore-crypto`'s process-wide provider, once; later
/// calls are no-ops. A provider installed earlier by someone else stays (the install is
/// first-wins); verification then runs on that one.
pub fn install() {
    // `Err` only means a provider is already installed: by an earlier call, or by the host.
    let _ = sigstore_verify::crypto::install_default_provider(&PROVIDER);
}

enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl HashContext for Hasher {
    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        match *self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

fn invalid(scheme: SigningScheme) -> Error {
    Error::Verification(format!("{} signature invalid", scheme.name()))
}

fn unsupported(scheme: SigningScheme) -> Error {
    Error::UnsupportedAlgorithm(format!(
        "{} is not supported by tollgate's cryptographic backend",
        scheme.name()
    ))
}

/// The digest of `data` with the scheme's hash (for the schemes that have one).
fn digest_for(scheme: SigningScheme, data: &[u8]) -> Result<Vec<u8>> {
    match scheme.hash_algorithm() {
        Some(HashAlgorithm::Sha2256) => Ok(Sha256::digest(data).to_vec()),
        Some(HashAlgorithm::Sha2384) => Ok(Sha384::digest(data).to_vec()),
        Some(HashAlgorithm::Sha2512) => Ok(Sha512::digest(data).to_vec()),
        _ => Err(unsupported(scheme)),
    }
}

fn expected_digest_len(scheme: SigningScheme) -> Option<usize> {
    match scheme.hash_algorithm() {
        Some(HashAlgorithm::Sha2256) => Some(32),
        Some(HashAlgorithm::Sha2384) => Some(48),
        Some(HashAlgorithm::Sha2512) => Some(64),
        _ => None,
    }
}

/// ECDSA over a digest: `key` is the SEC1 point, `sig` ASN.1 DER.
fn ecdsa_prehashed(scheme: SigningScheme, key: &[u8], digest: &[u8], sig: &[u8]) -> Result<()> {
    use signature::hazmat::PrehashVerifier;
    match scheme {
        SigningScheme::EcdsaP256Sha256 | SigningScheme::EcdsaP256Sha384 => {
            let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|e| Error::InvalidKey(format!("P-256 public key: {e}")))?;
            let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| invalid(scheme))?;
            k.verify_prehash(digest, &s).map_err(|_| invalid(scheme))
        }
        SigningScheme::EcdsaP384Sha256 | SigningScheme::EcdsaP384Sha384 => {
            let k = p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|e| Error::InvalidKey(format!("P-384 public key: {e}")))?;
            let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| invalid(scheme))?;
            k.verify_prehash(digest, &s).map_err(|_| invalid(scheme))
        }
        _ => Err(unsupported(scheme)),
    }
}

/// RSA over a digest: `key` is a PKCS#1 `RSAPublicKey`.
fn rsa_prehashed(scheme: SigningScheme, key: &[u8], digest: &[u8], sig: &[u8]) -> Result<()> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    use rsa::{Pkcs1v15Sign, Pss};
    let k = rsa::RsaPublicKey::from_pkcs1_der(key)
        .map_err(|e| Error::InvalidKey(format!("RSA public key: {e}")))?;
    let bits = k.n().bits();
    if !(2048..=8192).contains(&bits) {
        return Err(Error::InvalidKey(format!(
            "RSA keys must be 2048 to 8192 bits, not {bits}"
        )));
    }
    let ok = match scheme {
        SigningScheme::RsaPkcs1Sha256 => k.verify(Pkcs1v15Sign::new::<Sha256>(), digest, sig),
        SigningScheme::RsaPkcs1Sha384 => k.verify(Pkcs1v15Sign::new::<Sha384>(), digest, sig),
        SigningScheme::RsaPkcs1Sha512 => k.verify(Pkcs1v15Sign::new::<Sha512>(), digest, sig),
        // Salt length = digest length, as Go, cosign and aws-lc-rs sign and verify.
        SigningScheme::RsaPssSha256 => k.verify(Pss::new_with_salt::<Sha256>(32), digest, sig),
        SigningScheme::RsaPssSha384 => k.verify(Pss::new_with_salt::<Sha384>(48), digest, sig),
        SigningScheme::RsaPssSha512 => k.verify(Pss::new_with_salt::<Sha512>(64), digest, sig),
        _ => return Err(unsupported(scheme)),
    };
    ok.map_err(|_| invalid(scheme))
}

impl CryptoProvider for RustCryptoProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        match algorithm {
            HashAlgorithm::Sha2256 => Ok(Box::new(Hasher::Sha256(Sha256::new()))),
            HashAlgorithm::Sha2384 => Ok(Box::new(Hasher::Sha384(Sha384::new()))),
            HashAlgorithm::Sha2512 => Ok(Box::new(Hasher::Sha512(Sha512::new()))),
            _ => Err(Error::UnsupportedAlgorithm(format!(
                "cannot compute {algorithm} digests"
            ))),
        }
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        Sha384::digest(data).into()
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        Sha512::digest(data).into()
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        if scheme == SigningScheme::Ed25519 {
            let key: [u8; 32] = spki_pubkey_bytes
                .try_into()
                .map_err(|_| Error::InvalidKey("Ed25519 keys are 32 bytes".into()))?;
            let k = ed25519_dalek::VerifyingKey::from_bytes(&key)
                .map_err(|e| Error::InvalidKey(format!("Ed25519 public key: {e}")))?;
            let s = ed25519_dalek::Signature::from_slice(signature).map_err(|_| invalid(scheme))?;
            return k.verify_strict(data, &s).map_err(|_| invalid(scheme));
        }
        let digest = digest_for(scheme, data)?;
        self.verify_prehashed(scheme, spki_pubkey_bytes, &digest, signature)
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let Some(len) = expected_digest_len(scheme) else {
            return Err(unsupported(scheme));
        };
        if digest.len() != len {
            return Err(Error::Verification(format!(
                "{}: a {}-byte digest where {len} bytes are expected",
                scheme.name(),
                digest.len()
            )));
        }
        match scheme {
            SigningScheme::EcdsaP256Sha256
            | SigningScheme::EcdsaP256Sha384
            | SigningScheme::EcdsaP384Sha256
            | SigningScheme::EcdsaP384Sha384 => {
                ecdsa_prehashed(scheme, spki_pubkey_bytes, digest, signature)
            }
            SigningScheme::RsaPkcs1Sha256
            | SigningScheme::RsaPkcs1Sha384
            | SigningScheme::RsaPkcs1Sha512
            | SigningScheme::RsaPssSha256
            | SigningScheme::RsaPssSha384
            | SigningScheme::RsaPssSha512 => {
                rsa_prehashed(scheme, spki_pubkey_bytes, digest, signature)
            }
            _ => Err(unsupported(scheme)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signature::Signer;

    #[test]
    fn verifies_p256_and_rejects_a_changed_message_or_a_raw_signature() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pk = sk.verifying_key().to_encoded_point(false);
        let sig: p256::ecdsa::Signature = sk.sign(b"message");
        let der = sig.to_der();
        let p = RustCryptoProvider;
        let s = SigningScheme::EcdsaP256Sha256;
        p.verify_raw(s, pk.as_bytes(), b"message", der.as_bytes())
            .unwrap();
        assert!(
            p.verify_raw(s, pk.as_bytes(), b"messagE", der.as_bytes())
                .is_err()
        );
        // aws-lc-rs's ASN.1 algorithms take DER only; so does this backend.
        assert!(
            p.verify_raw(s, pk.as_bytes(), b"message", &sig.to_bytes())
                .is_err()
        );
        // Prehashed with the wrong digest length is refused, not truncated.
        assert!(
            p.verify_prehashed(s, pk.as_bytes(), &[0u8; 31], der.as_bytes())
                .is_err()
        );
    }

    #[test]
    fn verifies_ed25519_strictly_and_refuses_ml_dsa() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let pk = sk.verifying_key().to_bytes();
        let sig = sk.sign(b"m").to_bytes();
        let p = RustCryptoProvider;
        p.verify_raw(SigningScheme::Ed25519, &pk, b"m", &sig)
            .unwrap();
        assert!(
            p.verify_raw(SigningScheme::Ed25519, &pk, b"n", &sig)
                .is_err()
        );
        let e = p
            .verify_raw(SigningScheme::MlDsa44, &pk, b"m", &sig)
            .unwrap_err();
        assert!(e.to_string().contains("not supported"), "{e}");
    }

    #[test]
    fn hashes_match_sha2() {
        let p = RustCryptoProvider;
        let mut h = p.hash(HashAlgorithm::Sha2384).unwrap();
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(h.finalize(), Sha384::digest(b"abc").to_vec());
        assert_eq!(p.sha256(b"abc").to_vec(), Sha256::digest(b"abc").to_vec());
    }
}

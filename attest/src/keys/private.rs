//! Private keys: PKCS#8 (and the legacy `RSA PRIVATE KEY` / `EC PRIVATE KEY` forms), signing,
//! generation.

use std::fmt;

use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::OsRng;
use sha2::{Digest as _, Sha256};
use signature::Signer;

use super::KeyError;
use super::public::{PublicKey, RSA_MAX_BITS, RSA_MIN_BITS, Scheme, decode_pem, pem_encode};

/// A private key. Signatures use securesystemslib's default schemes: Ed25519, ECDSA with the
/// curve's hash (DER-encoded), RSASSA-PSS with SHA-256 and a digest-length salt.
pub struct PrivateKey {
    inner: Inner,
    public: PublicKey,
}

enum Inner {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// Algorithms `tollgate key generate` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenerateAlgorithm {
    /// Ed25519.
    Ed25519,
    /// ECDSA P-256.
    EcdsaP256,
    /// ECDSA P-384.
    EcdsaP384,
    /// RSA 3072 bits (PSS signatures).
    Rsa3072,
}

fn malformed(what: &'static str, e: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        what,
        reason: e.to_string(),
    }
}

impl PrivateKey {
    /// Generates a key from the operating system's random source.
    pub fn generate(alg: GenerateAlgorithm) -> Result<PrivateKey, KeyError> {
        let inner = match alg {
            GenerateAlgorithm::Ed25519 => {
                Inner::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng))
            }
            GenerateAlgorithm::EcdsaP256 => {
                Inner::P256(p256::ecdsa::SigningKey::random(&mut OsRng))
            }
            GenerateAlgorithm::EcdsaP384 => {
                Inner::P384(p384::ecdsa::SigningKey::random(&mut OsRng))
            }
            GenerateAlgorithm::Rsa3072 => Inner::Rsa(Box::new(
                rsa::RsaPrivateKey::new(&mut OsRng, 3072)
                    .map_err(|e| KeyError::Sign(e.to_string()))?,
            )),
        };
        PrivateKey::from_inner(inner)
    }

    fn from_inner(inner: Inner) -> Result<PrivateKey, KeyError> {
        let public = match &inner {
            Inner::Ed25519(k) => PublicKey::from_ed25519(k.verifying_key()),
            Inner::P256(k) => {
                use p256::pkcs8::EncodePublicKey;
                let der = k
                    .verifying_key()
                    .to_public_key_der()
                    .map_err(|e| malformed("P-256 key", e))?;
                PublicKey::from_spki_der(der.as_bytes())?
            }
            Inner::P384(k) => {
                use p384::pkcs8::EncodePublicKey;
                let der = k
                    .verifying_key()
                    .to_public_key_der()
                    .map_err(|e| malformed("P-384 key", e))?;
                PublicKey::from_spki_der(der.as_bytes())?
            }
            Inner::Rsa(k) => {
                PublicKey::from_rsa(k.to_public_key())?.with_scheme(Scheme::RsaPssSha256)?
            }
        };
        Ok(PrivateKey { inner, public })
    }

    /// Reads a PEM private key: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1, P-256/P-384). Encrypted keys are refused with a hint.
    pub fn from_pem(pem: &str) -> Result<PrivateKey, KeyError> {
        let (label, der) = decode_pem(pem)?;
        let inner = match label.as_str() {
            "PRIVATE KEY" => from_pkcs8_der(&der)?,
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
            "RSA PRIVATE KEY" => {
                let k =
                    <rsa::RsaPrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_der(&der)
                        .map_err(|e| malformed("PKCS#1 RSA private key", e))?;
                Inner::Rsa(Box::new(k))
            }
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                    Inner::P256(k.into())
                } else if let Ok(k) = p384::SecretKey::from_sec1_der(&der) {
                    Inner::P384(k.into())
                } else {
                    return Err(KeyError::Unsupported(
                        "EC private key on a curve other than P-256/P-384".into(),
                    ));
                }
            }
            l if l.contains("PUBLIC KEY") => {
                return Err(KeyError::Pem(format!(
                    "found a `{l}` where a private key was expected"
                )));
            }
            l => return Err(KeyError::Pem(format!("unexpected PEM block `{l}`"))),
        };
        if let Inner::Rsa(k) = &inner {
            use rsa::traits::PublicKeyParts;
            let bits = k.n().bits();
            if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
                return Err(KeyError::RsaSize(bits));
            }
        }
        PrivateKey::from_inner(inner)
    }

    /// The public half (restricted to the scheme this key signs with).
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The scheme signatures are made with.
    pub fn scheme(&self) -> Scheme {
        match self.inner {
            Inner::Ed25519(_) => Scheme::Ed25519,
            Inner::P256(_) => Scheme::EcdsaSha256,
            Inner::P384(_) => Scheme::EcdsaSha384,
            Inner::Rsa(_) => Scheme::RsaPssSha256,
        }
    }

    /// Signs `msg`.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(match &self.inner {
            Inner::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
            Inner::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            Inner::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            Inner::Rsa(k) => {
                let hashed = Sha256::digest(msg);
                k.sign_with_rng(&mut OsRng, rsa::Pss::new_with_salt::<Sha256>(32), &hashed)
                    .map_err(|e| KeyError::Sign(e.to_string()))?
            }
        })
    }

    /// The scheme of [`sign_detached`](Self::sign_detached): the one `openssl dgst -sign` /
    /// `-verify` use without options (RSA: PKCS#1 v1.5, OpenSSL's default padding).
    pub fn detached_scheme(&self) -> Scheme {
        match self.inner {
            Inner::Rsa(_) => Scheme::RsaPkcs1Sha256,
            _ => self.scheme(),
        }
    }

    /// Signs `msg` for a detached signature file that off-the-shelf tools verify as they are:
    /// `openssl dgst -sha256 -verify K.pub -signature F.sig F` (ECDSA P-256, RSA with PKCS#1
    /// v1.5 and SHA-256), `-sha384` for P-384, `openssl pkeyutl -verify -rawin` for Ed25519.
    /// [`sign`](Self::sign) uses RSA-PSS, which `openssl dgst` only checks with `-sigopt` flags.
    pub fn sign_detached(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::Rsa(k) => {
                let hashed = Sha256::digest(msg);
                k.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed)
                    .map_err(|e| KeyError::Sign(e.to_string()))
            }
            _ => self.sign(msg),
        }
    }

    /// PKCS#8 PEM (unencrypted), in the form OpenSSL, python `cryptography` and in-toto read:
    /// for Ed25519 PKCS#8 v1 as in RFC 8410 (version 0, no public key field), since OpenSSL 3.0
    /// and `cryptography` reject the v2 `OneAsymmetricKey` that carries the public key. Both
    /// versions are read.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        let der = match &self.inner {
            Inner::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: k.to_bytes(),
                public_key: None,
            }
            .to_pkcs8_der(),
            Inner::P256(k) => k.to_pkcs8_der(),
            Inner::P384(k) => k.to_pkcs8_der(),
            Inner::Rsa(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| malformed("private key", e))?;
        Ok(pem_encode("PRIVATE KEY", der.as_bytes()))
    }
}

fn from_pkcs8_der(der: &[u8]) -> Result<Inner, KeyError> {
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
        return Ok(Inner::Ed25519(k));
    }
    if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(Inner::P256(k));
    }
    if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(Inner::P384(k));
    }
    match rsa::RsaPrivateKey::from_pkcs8_der(der) {
        Ok(k) => Ok(Inner::Rsa(Box::new(k))),
        Err(e) => {
            let info = pkcs8::PrivateKeyInfo::try_from(der)
                .map_err(|e| malformed("PKCS#8 private key", e))?;
            Err(KeyError::Unsupported(format!(
                "private key algorithm {} ({e}); signing supports Ed25519, ECDSA P-256/P-384, RSA",
                info.algorithm.oid
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_own_signatures_rejects_flipped_bytes() {
        for alg in [
            GenerateAlgorithm::Ed25519,
            GenerateAlgorithm::EcdsaP256,
            GenerateAlgorithm::EcdsaP384,
        ] {
            let k = PrivateKey::generate(alg).unwrap();
            let sig = k.sign(b"hello").unwrap();
            k.public_key().verify(b"hello", &sig).unwrap();
            assert!(k.public_key().verify(b"hellp", &sig).is_err(), "{alg:?}");
            let mut bad = sig.clone();
            let n = bad.len() - 1;
            bad[n] ^= 1;
            assert!(k.public_key().verify(b"hello", &bad).is_err(), "{alg:?}");
            // PEM round trip.
            let pem = k.to_pkcs8_pem().unwrap();
            let k2 = PrivateKey::from_pem(&pem).unwrap();
            assert_eq!(k2.public_key(), k.public_key());
            let pub_pem = k.public_key().to_pem();
            assert_eq!(&PublicKey::from_pem(&pub_pem).unwrap(), k.public_key());
        }
    }

    #[test]
    fn writes_ed25519_as_pkcs8_v1_and_reads_v1_and_v2() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let pem = k.to_pkcs8_pem().unwrap();
        let (_, der) = decode_pem(&pem).unwrap();
        // RFC 8410 section 10.3: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 },
        // OCTET STRING { OCTET STRING (32 bytes) } }, 48 bytes, no public key.
        let prefix = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        assert_eq!(der.len(), 48, "{pem}");
        assert_eq!(der[..16], prefix);
        let info = pkcs8::PrivateKeyInfo::try_from(der.as_slice()).unwrap();
        assert_eq!(info.version(), pkcs8::Version::V1);
        assert_eq!(
            PrivateKey::from_pem(&pem).unwrap().public_key(),
            k.public_key()
        );
        // v2 (OneAsymmetricKey with the public key), as ed25519-dalek writes it, still reads.
        let Inner::Ed25519(sk) = &k.inner else {
            unreachable!()
        };
        let v2 = sk.to_pkcs8_der().unwrap();
        let info = pkcs8::PrivateKeyInfo::try_from(v2.as_bytes()).unwrap();
        assert_eq!(info.version(), pkcs8::Version::V2);
        let v2_pem = pem_encode("PRIVATE KEY", v2.as_bytes());
        assert_eq!(
            PrivateKey::from_pem(&v2_pem).unwrap().public_key(),
            k.public_key()
        );
    }

    #[test]
    fn rejects_public_key_as_private_and_encrypted_keys() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        assert!(PrivateKey::from_pem(&k.public_key().to_pem()).is_err());
        assert_eq!(
            PrivateKey::from_pem(&pem_encode("ENCRYPTED PRIVATE KEY", b"x")).unwrap_err(),
            KeyError::Encrypted
        );
        assert!(PublicKey::from_pem(&k.to_pkcs8_pem().unwrap()).is_err());
    }
}

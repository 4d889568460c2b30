//! Public keys: loading (PEM SPKI, PKCS#1, X.509 certificate) and signature verification.

use std::fmt;

use der::{Decode, Encode};
use p256::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use signature::Verifier;
use spki::SubjectPublicKeyInfoRef;
use spki::der::asn1::ObjectIdentifier as Oid;

use super::{BadSignature, KeyError};

/// ECDSA signatures come DER-encoded (securesystemslib, cosign, Go) or as fixed-size r‖s
/// (IEEE P1363, WebCrypto); the two are told apart by length and the DER SEQUENCE tag.
macro_rules! ecdsa_sig {
    ($curve:ty, $field:expr, $sig:expr) => {{
        let sig: &[u8] = $sig;
        if sig.len() == 2 * $field && sig.first() != Some(&0x30) {
            ecdsa::Signature::<$curve>::from_slice(sig)
        } else {
            ecdsa::Signature::<$curve>::from_der(sig).or_else(|e| {
                if sig.len() == 2 * $field {
                    ecdsa::Signature::<$curve>::from_slice(sig)
                } else {
                    Err(e)
                }
            })
        }
    }};
}

const OID_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const OID_ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const OID_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: Oid = Oid::new_unwrap("1.3.132.0.34");
const OID_P521: Oid = Oid::new_unwrap("1.3.132.0.35");

/// Smallest RSA modulus accepted for verification.
pub(crate) const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted (bounds verification cost on hostile input).
pub(crate) const RSA_MAX_BITS: usize = 4096;

/// The algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// Ed25519.
    Ed25519,
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on NIST P-384.
    EcdsaP384,
    /// ECDSA on NIST P-521.
    EcdsaP521,
    /// RSA.
    Rsa,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::EcdsaP384 => "ecdsa-p384",
            KeyAlgorithm::EcdsaP521 => "ecdsa-p521",
            KeyAlgorithm::Rsa => "rsa",
        })
    }
}

/// A signature scheme: algorithm plus hash and padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Ed25519 (pure).
    Ed25519,
    /// ECDSA with SHA-256 (P-256).
    EcdsaSha256,
    /// ECDSA with SHA-384 (P-384).
    EcdsaSha384,
    /// ECDSA with SHA-512 (P-521).
    EcdsaSha512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512.
    RsaPssSha512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
}

impl Scheme {
    /// The securesystemslib name of the scheme.
    pub fn sslib_name(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::EcdsaSha256 => "ecdsa-sha2-nistp256",
            Scheme::EcdsaSha384 => "ecdsa-sha2-nistp384",
            Scheme::EcdsaSha512 => "ecdsa-sha2-nistp521",
            Scheme::RsaPssSha256 => "rsassa-pss-sha256",
            Scheme::RsaPssSha384 => "rsassa-pss-sha384",
            Scheme::RsaPssSha512 => "rsassa-pss-sha512",
            Scheme::RsaPkcs1Sha256 => "rsa-pkcs1v15-sha256",
            Scheme::RsaPkcs1Sha384 => "rsa-pkcs1v15-sha384",
            Scheme::RsaPkcs1Sha512 => "rsa-pkcs1v15-sha512",
        }
    }

    /// Looks a securesystemslib scheme name up.
    pub fn from_sslib_name(s: &str) -> Option<Scheme> {
        [
            Scheme::Ed25519,
            Scheme::EcdsaSha256,
            Scheme::EcdsaSha384,
            Scheme::EcdsaSha512,
            Scheme::RsaPssSha256,
            Scheme::RsaPssSha384,
            Scheme::RsaPssSha512,
            Scheme::RsaPkcs1Sha256,
            Scheme::RsaPkcs1Sha384,
            Scheme::RsaPkcs1Sha512,
        ]
        .into_iter()
        .find(|x| x.sslib_name() == s)
    }

    /// `true` when the scheme can be used with a key of `alg`.
    pub fn fits(self, alg: KeyAlgorithm) -> bool {
        matches!(
            (self, alg),
            (Scheme::Ed25519, KeyAlgorithm::Ed25519)
                | (Scheme::EcdsaSha256, KeyAlgorithm::EcdsaP256)
                | (Scheme::EcdsaSha384, KeyAlgorithm::EcdsaP384)
                | (Scheme::EcdsaSha512, KeyAlgorithm::EcdsaP521)
                | (
                    Scheme::RsaPssSha256
                        | Scheme::RsaPssSha384
                        | Scheme::RsaPssSha512
                        | Scheme::RsaPkcs1Sha256
                        | Scheme::RsaPkcs1Sha384
                        | Scheme::RsaPkcs1Sha512,
                    KeyAlgorithm::Rsa
                )
        )
    }
}

#[derive(Clone)]
pub(crate) enum Inner {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(Box<p521::ecdsa::VerifyingKey>),
    Rsa(Box<rsa::RsaPublicKey>),
}

/// A public key with the signature schemes it is trusted for.
///
/// A key read from PEM is trusted for its algorithm's usual schemes: Ed25519; ECDSA with the
/// curve's hash; for RSA, PSS or PKCS#1 v1.5 with SHA-256 (both are in use for DSSE: PSS by
/// securesystemslib/in-toto, PKCS#1 v1.5 by cosign). A securesystemslib JSON key names exactly
/// one scheme, and only that one is accepted.
#[derive(Clone)]
pub struct PublicKey {
    pub(crate) inner: Inner,
    schemes: Vec<Scheme>,
    spki_der: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("schemes", &self.schemes)
            .field("keyid", &self.keyid())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

fn malformed(what: &'static str, e: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        what,
        reason: e.to_string(),
    }
}

fn curve_name(oid: &Oid) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.10" => "secp256k1".into(),
        "1.3.132.0.33" => "P-224 (secp224r1)".into(),
        "1.2.840.10045.3.1.1" => "P-192 (secp192r1)".into(),
        o => format!("curve {o}"),
    }
}

impl PublicKey {
    /// Reads a PEM public key: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or `CERTIFICATE`
    /// (its subject public key). The first PEM block is used.
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            "PUBLIC KEY" => PublicKey::from_spki_der(&der),
            "RSA PUBLIC KEY" => {
                let k = <rsa::RsaPublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(&der)
                    .map_err(|e| malformed("PKCS#1 RSA public key", e))?;
                PublicKey::from_rsa(k)
            }
            "CERTIFICATE" => {
                let cert = x509_cert::Certificate::from_der(&der)
                    .map_err(|e| malformed("X.509 certificate", e))?;
                let spki = cert
                    .tbs_certificate
                    .subject_public_key_info
                    .to_der()
                    .map_err(|e| malformed("X.509 certificate", e))?;
                PublicKey::from_spki_der(&spki)
            }
            l if l.contains("PRIVATE KEY") => Err(KeyError::Pem(format!(
                "found a `{l}` where a public key was expected; pass the .pub file"
            ))),
            l => Err(KeyError::Pem(format!("unexpected PEM block `{l}`"))),
        }
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let spki = SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
        let oid = spki.algorithm.oid;
        if oid == OID_ED25519 {
            let k = ed25519_dalek::VerifyingKey::from_public_key_der(der)
                .map_err(|e| malformed("Ed25519 public key", e))?;
            Ok(PublicKey::from_ed25519(k))
        } else if oid == OID_RSA {
            let k =
                rsa::RsaPublicKey::try_from(spki).map_err(|e| malformed("RSA public key", e))?;
            PublicKey::from_rsa(k)
        } else if oid == OID_EC {
            let curve = spki
                .algorithm
                .parameters_oid()
                .map_err(|e| malformed("EC public key parameters", e))?;
            let point = spki.subject_public_key.raw_bytes();
            if curve == OID_P256 {
                let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|e| malformed("P-256 public key", e))?;
                Ok(PublicKey::with(
                    Inner::P256(k),
                    vec![Scheme::EcdsaSha256],
                    der,
                ))
            } else if curve == OID_P384 {
                let k = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|e| malformed("P-384 public key", e))?;
                Ok(PublicKey::with(
                    Inner::P384(k),
                    vec![Scheme::EcdsaSha384],
                    der,
                ))
            } else if curve == OID_P521 {
                let k = p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|e| malformed("P-521 public key", e))?;
                Ok(PublicKey::with(
                    Inner::P521(Box::new(k)),
                    vec![Scheme::EcdsaSha512],
                    der,
                ))
            } else {
                Err(KeyError::Unsupported(format!(
                    "ECDSA on {} (supported: P-256, P-384, P-521)",
                    curve_name(&curve)
                )))
            }
        } else {
            Err(KeyError::Unsupported(format!(
                "key algorithm {oid} (supported: Ed25519, ECDSA P-256/P-384/P-521, RSA)"
            )))
        }
    }

    fn with(inner: Inner, schemes: Vec<Scheme>, der: &[u8]) -> PublicKey {
        PublicKey {
            inner,
            schemes,
            spki_der: der.to_vec(),
        }
    }

    pub(crate) fn from_ed25519(k: ed25519_dalek::VerifyingKey) -> PublicKey {
        use ed25519_dalek::pkcs8::EncodePublicKey;
        // Encoding a valid key cannot fail; fall back to the raw bytes if it ever does.
        let der = k
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_else(|_| k.as_bytes().to_vec());
        PublicKey {
            inner: Inner::Ed25519(k),
            schemes: vec![Scheme::Ed25519],
            spki_der: der,
        }
    }

    pub(crate) fn from_rsa(k: rsa::RsaPublicKey) -> Result<PublicKey, KeyError> {
        use rsa::pkcs8::EncodePublicKey;
        let bits = k.n().bits();
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
            return Err(KeyError::RsaSize(bits));
        }
        let der = k
            .to_public_key_der()
            .map_err(|e| malformed("RSA public key", e))?;
        Ok(PublicKey {
            inner: Inner::Rsa(Box::new(k)),
            schemes: vec![Scheme::RsaPssSha256, Scheme::RsaPkcs1Sha256],
            spki_der: der.as_bytes().to_vec(),
        })
    }

    /// Restricts the key to one scheme (as a securesystemslib key does).
    pub fn with_scheme(mut self, scheme: Scheme) -> Result<PublicKey, KeyError> {
        if !scheme.fits(self.algorithm()) {
            return Err(KeyError::SchemeMismatch {
                scheme: scheme.sslib_name().into(),
                algorithm: self.algorithm(),
            });
        }
        self.schemes = vec![scheme];
        Ok(self)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.inner {
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
            Inner::P256(_) => KeyAlgorithm::EcdsaP256,
            Inner::P384(_) => KeyAlgorithm::EcdsaP384,
            Inner::P521(_) => KeyAlgorithm::EcdsaP521,
            Inner::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// The schemes the key is trusted for.
    pub fn schemes(&self) -> &[Scheme] {
        &self.schemes
    }

    /// DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// PEM SubjectPublicKeyInfo, 64-column lines, with a final newline.
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki_der)
    }

    /// Raw Ed25519 public key bytes (for the securesystemslib hex form).
    pub(crate) fn ed25519_bytes(&self) -> Option<[u8; 32]> {
        match &self.inner {
            Inner::Ed25519(k) => Some(k.to_bytes()),
            _ => None,
        }
    }

    /// RSA modulus size in bits.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &self.inner {
            Inner::Rsa(k) => Some(k.n().bits()),
            _ => None,
        }
    }

    /// The scheme of detached signature files made with this key's private half
    /// ([`PrivateKey::sign_detached`](crate::keys::PrivateKey::sign_detached)): what
    /// `openssl dgst -verify` checks without options.
    pub fn detached_scheme(&self) -> Scheme {
        match self.algorithm() {
            KeyAlgorithm::Ed25519 => Scheme::Ed25519,
            KeyAlgorithm::EcdsaP256 => Scheme::EcdsaSha256,
            KeyAlgorithm::EcdsaP384 => Scheme::EcdsaSha384,
            KeyAlgorithm::EcdsaP521 => Scheme::EcdsaSha512,
            KeyAlgorithm::Rsa => Scheme::RsaPkcs1Sha256,
        }
    }

    /// The Ed25519 key, for batch verification (`audit::verify`), when this is one and not a
    /// weak (small-order) key, which `verify_strict` rejects and a batch must not accept.
    pub(crate) fn ed25519_batchable(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match &self.inner {
            Inner::Ed25519(k) if !k.is_weak() => Some(k),
            _ => None,
        }
    }

    /// Verifies `sig` over `msg` under any of the key's schemes.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), BadSignature> {
        let mut last = BadSignature("no scheme".into());
        for s in &self.schemes {
            match self.verify_scheme(*s, msg, sig) {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Verifies `sig` over `msg` under one scheme.
    pub fn verify_scheme(
        &self,
        scheme: Scheme,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let bad = |e: &dyn fmt::Display| BadSignature(format!("{}: {e}", scheme.sslib_name()));
        if !scheme.fits(self.algorithm()) {
            return Err(bad(&"scheme does not fit the key"));
        }
        match &self.inner {
            Inner::Ed25519(k) => {
                let s = ed25519_dalek::Signature::from_slice(sig).map_err(|e| bad(&e))?;
                k.verify_strict(msg, &s).map_err(|e| bad(&e))
            }
            Inner::P256(k) => {
                let s = ecdsa_sig!(p256::NistP256, 32, sig).map_err(|e| bad(&e))?;
                k.verify(msg, &s).map_err(|e| bad(&e))
            }
            Inner::P384(k) => {
                let s = ecdsa_sig!(p384::NistP384, 48, sig).map_err(|e| bad(&e))?;
                k.verify(msg, &s).map_err(|e| bad(&e))
            }
            Inner::P521(k) => {
                let s = ecdsa_sig!(p521::NistP521, 66, sig).map_err(|e| bad(&e))?;
                k.verify(msg, &s).map_err(|e| bad(&e))
            }
            Inner::Rsa(k) => verify_rsa(k, scheme, msg, sig).map_err(|e| bad(&e)),
        }
    }
}

fn verify_rsa(
    k: &rsa::RsaPublicKey,
    scheme: Scheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), rsa::Error> {
    use rsa::{Pkcs1v15Sign, Pss};
    let em_len = k.size();
    // PSS: securesystemslib and Go sign with salt length = digest length; some signers use the
    // maximum salt length. Both are tried (the salt length is not a security parameter).
    macro_rules! pss {
        ($h:ty) => {{
            let hashed = <$h>::digest(msg);
            let hlen = hashed.len();
            k.verify(Pss::new_with_salt::<$h>(hlen), &hashed, sig)
                .or_else(|e| match em_len.checked_sub(hlen + 2) {
                    Some(max) if max != hlen => {
                        k.verify(Pss::new_with_salt::<$h>(max), &hashed, sig)
                    }
                    _ => Err(e),
                })
        }};
    }
    match scheme {
        Scheme::RsaPssSha256 => pss!(Sha256),
        Scheme::RsaPssSha384 => pss!(Sha384),
        Scheme::RsaPssSha512 => pss!(Sha512),
        Scheme::RsaPkcs1Sha256 => {
            k.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig)
        }
        Scheme::RsaPkcs1Sha384 => {
            k.verify(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(msg), sig)
        }
        Scheme::RsaPkcs1Sha512 => {
            k.verify(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(msg), sig)
        }
        _ => Err(rsa::Error::Verification),
    }
}

/// Decodes the first PEM block of `text` (text before it is ignored, as OpenSSL does).
pub(crate) fn decode_pem(text: &str) -> Result<(String, Vec<u8>), KeyError> {
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| KeyError::Pem("no `-----BEGIN` line".into()))?;
    let rest = &text[start..];
    let label_end = rest[11..]
        .find("-----")
        .ok_or_else(|| KeyError::Pem("unterminated BEGIN line".into()))?;
    let label = rest[11..11 + label_end].to_owned();
    let end_marker = format!("-----END {label}-----");
    let end = rest
        .find(&end_marker)
        .ok_or_else(|| KeyError::Pem(format!("no `{end_marker}` line")))?;
    let block = &rest[..end + end_marker.len()];
    let begin_line = text[..start].matches('\n').count() + 1;
    let (l, der) = pem_rfc7468_decode(block).map_err(|e| match e {
        KeyError::Pem(reason) => KeyError::Pem(format!(
            "line {}: {reason}",
            begin_line + bad_base64_line(block).unwrap_or(0)
        )),
        e => e,
    })?;
    if l != label {
        return Err(KeyError::Pem(format!("label mismatch `{l}` / `{label}`")));
    }
    Ok((label, der))
}

/// Which line of a PEM block (0 = the BEGIN line) first holds something that is not base64.
fn bad_base64_line(block: &str) -> Option<usize> {
    let body = block.lines().enumerate().skip(1);
    body.take_while(|(_, l)| !l.starts_with("-----END "))
        .find(|(_, l)| {
            let l = l.trim_end_matches('\r');
            !l.is_empty()
                && !l.contains(':')
                && !l
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        })
        .map(|(i, _)| i)
}

fn pem_rfc7468_decode(block: &str) -> Result<(String, Vec<u8>), KeyError> {
    // Normalise line endings so CRLF files decode.
    let norm = block.replace("\r\n", "\n");
    if norm.contains("Proc-Type:") {
        return Err(KeyError::Encrypted);
    }
    der::pem::decode_vec(norm.as_bytes())
        .map(|(l, d)| (l.to_owned(), d))
        .map_err(|e| KeyError::Pem(e.to_string()))
}

/// PEM-encodes DER with 64-column lines and LF endings.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let b64 = Base64::encode_string(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_base64_naming_its_line() {
        let text = "# comment\n-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\nnot base64!\n-----END PUBLIC KEY-----\n";
        let e = PublicKey::from_pem(text).unwrap_err();
        assert!(e.to_string().contains("line 4: "), "{e}");
    }

    #[test]
    fn accepts_generated_pem_after_leading_text() {
        let k = crate::keys::PrivateKey::generate(crate::keys::GenerateAlgorithm::Ed25519).unwrap();
        let text = format!("note\n{}", k.public_key().to_pem());
        assert_eq!(&PublicKey::from_pem(&text).unwrap(), k.public_key());
    }
}

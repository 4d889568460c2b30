//! Key ids: securesystemslib (with and without `keyid_hash_algorithms`) and Sigstore key hints.
//!
//! securesystemslib's keyid is the SHA-256 of the canonical JSON of
//! `{"keytype", "scheme", "keyval": {"public"}}`, plus `"keyid_hash_algorithms": ["sha256",
//! "sha512"]` in securesystemslib < 0.26 and in in-toto-golang (python in-toto 3.x omits it).
//! The public value is the PEM text (with a trailing newline from python's `cryptography`,
//! trimmed by Go and older securesystemslib) or, for Ed25519, the raw key in hex. Several tools
//! thus derive different ids for one key; [`KeyIdForms`] lists every form so that a key loaded
//! from PEM is recognised under any of them.
//!
//! Sigstore (cosign, npm, sigstore bundles' `publicKey.hint`) names a key by the SHA-256 of its
//! DER SubjectPublicKeyInfo: base64 in bundles, `SHA256:` + unpadded base64 in npm, hex elsewhere.

use base64ct::{Base64, Base64Unpadded, Encoding};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::public::{KeyAlgorithm, PublicKey, Scheme};
use crate::canonical::to_canonical;
use crate::digest::to_hex;

/// The hash algorithms older securesystemslib and in-toto-golang put into every key.
pub(crate) const DEFAULT_KEYID_HASH_ALGORITHMS: [&str; 2] = ["sha256", "sha512"];

/// The securesystemslib keyid of a key dict (as received; `keyid` and `keyval.private` are
/// ignored).
pub(crate) fn sslib_keyid(
    keytype: &str,
    scheme: &str,
    public: &str,
    hash_algorithms: Option<&Value>,
) -> String {
    let mut m = json!({"keytype": keytype, "scheme": scheme, "keyval": {"public": public}});
    if let (Some(h), Some(o)) = (hash_algorithms, m.as_object_mut()) {
        o.insert("keyid_hash_algorithms".into(), h.clone());
    }
    // Only strings and arrays of strings: canonical encoding cannot fail here.
    let bytes = to_canonical(&m).unwrap_or_default();
    to_hex(&Sha256::digest(bytes))
}

/// Every id under which a key may be named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyIdForms {
    /// securesystemslib ids (hex), primary first: python in-toto 3.x form.
    pub sslib: Vec<String>,
    /// SHA-256 of the DER SPKI, hex.
    pub spki_sha256_hex: String,
    /// SHA-256 of the DER SPKI, standard base64 (Sigstore bundle hint).
    pub spki_sha256_b64: String,
}

impl KeyIdForms {
    /// `true` when `id` names this key in any form (hex compared case-insensitively; also
    /// `SHA256:<unpadded base64>` as npm writes it).
    pub fn names(&self, id: &str) -> bool {
        let id = id.trim();
        if id.is_empty() {
            return false;
        }
        let lower = id.to_ascii_lowercase();
        if self.sslib.contains(&lower) || self.spki_sha256_hex == lower {
            return true;
        }
        let b64 = id.strip_prefix("SHA256:").unwrap_or(id);
        b64 == self.spki_sha256_b64 || b64 == self.spki_sha256_b64.trim_end_matches('=')
    }
}

/// The Sigstore key hint: standard base64 of SHA-256(DER SPKI).
pub fn sigstore_hint(k: &PublicKey) -> String {
    Base64::encode_string(&Sha256::digest(k.spki_der()))
}

fn keytype_names(alg: KeyAlgorithm) -> &'static [&'static str] {
    match alg {
        KeyAlgorithm::Ed25519 => &["ed25519"],
        KeyAlgorithm::Rsa => &["rsa"],
        KeyAlgorithm::EcdsaP256 => &["ecdsa", "ecdsa-sha2-nistp256"],
        KeyAlgorithm::EcdsaP384 => &["ecdsa", "ecdsa-sha2-nistp384"],
        KeyAlgorithm::EcdsaP521 => &["ecdsa", "ecdsa-sha2-nistp521"],
    }
}

impl PublicKey {
    /// The primary keyid: securesystemslib as python in-toto 3.x computes it (no
    /// `keyid_hash_algorithms`; PEM with a final newline, or hex for Ed25519) under the key's
    /// first scheme.
    pub fn keyid(&self) -> String {
        let scheme = self.schemes().first().copied().unwrap_or(Scheme::Ed25519);
        let keytype = keytype_names(self.algorithm())[0];
        sslib_keyid(keytype, scheme.sslib_name(), &self.sslib_public(), None)
    }

    /// The `keyval.public` value securesystemslib stores for this key.
    pub(crate) fn sslib_public(&self) -> String {
        match self.ed25519_bytes() {
            Some(b) => to_hex(&b),
            None => self.to_pem(),
        }
    }

    /// Every id form of this key (securesystemslib variants over key type names, schemes, PEM
    /// with/without the final newline, with/without `keyid_hash_algorithms`; Sigstore hints).
    pub fn keyid_forms(&self) -> KeyIdForms {
        let mut publics = vec![self.sslib_public()];
        if self.ed25519_bytes().is_none() {
            publics.push(self.to_pem().trim_end().to_owned());
        }
        let kha = json!(DEFAULT_KEYID_HASH_ALGORITHMS);
        let mut sslib = Vec::new();
        for scheme in self.schemes() {
            for keytype in keytype_names(self.algorithm()) {
                for public in &publics {
                    for h in [None, Some(&kha)] {
                        let id = sslib_keyid(keytype, scheme.sslib_name(), public, h);
                        if !sslib.contains(&id) {
                            sslib.push(id);
                        }
                    }
                }
            }
        }
        let digest = Sha256::digest(self.spki_der());
        KeyIdForms {
            sslib,
            spki_sha256_hex: to_hex(&digest),
            spki_sha256_b64: Base64::encode_string(&digest),
        }
    }

    /// npm's form of the Sigstore hint: `SHA256:` + unpadded base64.
    pub fn npm_keyid(&self) -> String {
        format!(
            "SHA256:{}",
            Base64Unpadded::encode_string(&Sha256::digest(self.spki_der()))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vec_key(p: &str) -> PublicKey {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/attest-vectors/in-toto")
            .join(p);
        PublicKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn accepts_keyids_of_python_and_go_forms() {
        // python in-toto 3.x: PEM with newline, no keyid_hash_algorithms.
        let alice = vec_key("python-demo-legacy/alice.pub");
        assert!(alice.keyid().starts_with("c8ef46bd"), "{}", alice.keyid());
        // in-toto-golang: trimmed PEM with keyid_hash_algorithms.
        let galice = vec_key("golang-demo/alice.pub");
        let forms = galice.keyid_forms();
        assert!(
            forms
                .sslib
                .iter()
                .any(|k| k.starts_with("70ca5750c2eda80b")),
            "{forms:?}"
        );
        assert!(!forms.names("c8ef46bd3ccb95e2617a80e447d0c8c6338f85334c2f6c6cb640e140fc183763"));
        // Ed25519: hex public value.
        let owner = vec_key("generated/dsse-pass/owner.pub");
        assert!(owner.keyid().starts_with("3263762a259e27b8"));
    }

    #[test]
    fn accepts_sigstore_hint_forms_rejects_others() {
        let k = vec_key("golang-demo/carol.pub");
        let f = k.keyid_forms();
        assert!(f.names(&sigstore_hint(&k)));
        assert!(f.names(&k.npm_keyid()));
        assert!(f.names(&f.spki_sha256_hex.to_uppercase()));
        assert!(!f.names(""));
        assert!(!f.names("SHA256:AAAA"));
    }
}

//! Signing in-toto metadata (layouts and links) in either wrapping, for tools and tests that
//! produce supply-chain evidence.

use serde_json::{Value, json};

use super::metadata::Format;
use crate::canonical::{CanonicalError, to_canonical};
use crate::digest::to_hex;
use crate::dsse::{DsseError, Envelope};
use crate::keys::{KeyError, PrivateKey, PublicKey};
use crate::statement::PAYLOAD_TYPE;

/// Signing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The value has no canonical form.
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    /// A key failed to sign.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// DSSE signing failed.
    #[error(transparent)]
    Dsse(#[from] DsseError),
}

/// Signs `signed` (a layout or link object) with every key: a Metablock with hex signatures
/// over the canonical JSON, or a DSSE envelope of the JSON. Key ids are securesystemslib's
/// (python in-toto 3.x form).
pub fn sign_metadata(
    signed: &Value,
    format: Format,
    keys: &[&PrivateKey],
) -> Result<Value, SignError> {
    match format {
        Format::Metablock => {
            let msg = to_canonical(signed)?;
            let mut sigs = Vec::with_capacity(keys.len());
            for k in keys {
                sigs.push(json!({"keyid": k.public_key().keyid(), "sig": to_hex(&k.sign(&msg)?)}));
            }
            Ok(json!({"signed": signed, "signatures": sigs}))
        }
        Format::Dsse => {
            // Plain JSON (canonical JSON writes control characters raw, which JSON forbids).
            let payload = serde_json::to_vec(signed).map_err(|e| DsseError::Malformed {
                reason: e.to_string(),
                place: None,
            })?;
            Ok(Envelope::sign(PAYLOAD_TYPE, payload, keys)?.to_json())
        }
    }
}

impl PublicKey {
    /// The securesystemslib JSON form of the key as python in-toto 3.x writes it into layouts:
    /// `{"keyid", "keytype", "scheme", "keyval": {"public"}}`.
    pub fn to_sslib_json(&self) -> Value {
        let keytype = match self.algorithm() {
            crate::keys::KeyAlgorithm::Ed25519 => "ed25519",
            crate::keys::KeyAlgorithm::Rsa => "rsa",
            _ => "ecdsa",
        };
        let scheme = self.schemes().first().map_or("", |s| s.sslib_name());
        json!({
            "keyid": self.keyid(),
            "keytype": keytype,
            "scheme": scheme,
            "keyval": {"public": self.sslib_public()},
        })
    }
}

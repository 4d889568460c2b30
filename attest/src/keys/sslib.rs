//! securesystemslib JSON keys, as in-toto layouts carry them:
//! `{"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {"public": "-----BEGIN…"}}`.

use serde_json::Value;

use super::keyid::{DEFAULT_KEYID_HASH_ALGORITHMS, sslib_keyid};
use super::public::{KeyAlgorithm, PublicKey, Scheme};
use super::{KeyError, public::decode_pem};
use crate::digest::from_hex;

/// A securesystemslib key with its declared and computed ids.
#[derive(Debug, Clone)]
pub struct SslibKey {
    /// The key, restricted to the declared scheme.
    pub key: PublicKey,
    /// The `keyid` field, when present.
    pub declared_keyid: Option<String>,
    /// Ids computed from the dict as received: with its `keyid_hash_algorithms` (if any),
    /// without, and with the default `["sha256", "sha512"]`.
    pub computed_keyids: Vec<String>,
}

impl SslibKey {
    /// `true` when `id` is one of the computed ids.
    pub fn matches_id(&self, id: &str) -> bool {
        self.computed_keyids.iter().any(|k| k == id)
    }
}

fn err(s: impl Into<String>) -> KeyError {
    KeyError::Sslib(s.into())
}

/// Reads a securesystemslib key dict.
pub fn parse_sslib_key(v: &Value) -> Result<SslibKey, KeyError> {
    let o = v.as_object().ok_or_else(|| err("expected an object"))?;
    let s = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("`{k}` is missing or not a string")))
    };
    let keytype = s("keytype")?;
    let scheme_name = s("scheme")?;
    let public = o
        .get("keyval")
        .and_then(|kv| kv.get("public"))
        .and_then(Value::as_str)
        .ok_or_else(|| err("`keyval.public` is missing or not a string"))?;
    let scheme = Scheme::from_sslib_name(scheme_name)
        .ok_or_else(|| err(format!("unsupported scheme `{scheme_name}`")))?;
    let key = if public.trim_start().starts_with("-----BEGIN") {
        let (label, _) = decode_pem(public)?;
        if label != "PUBLIC KEY" {
            return Err(err(format!(
                "`keyval.public` holds a `{label}` PEM block, expected PUBLIC KEY"
            )));
        }
        PublicKey::from_pem(public)?
    } else if keytype == "ed25519" {
        let raw = from_hex(public)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| err("ed25519 `keyval.public` is not 64 hex digits"))?;
        let mut a = [0u8; 32];
        a.copy_from_slice(&raw);
        let k = ed25519_dalek::VerifyingKey::from_bytes(&a)
            .map_err(|e| err(format!("ed25519 public key: {e}")))?;
        PublicKey::from_ed25519(k)
    } else {
        return Err(err(format!(
            "`keyval.public` of a `{keytype}` key must be PEM"
        )));
    };
    let alg = key.algorithm();
    let type_ok = match keytype {
        "rsa" => alg == KeyAlgorithm::Rsa,
        "ed25519" => alg == KeyAlgorithm::Ed25519,
        "ecdsa" => matches!(
            alg,
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::EcdsaP521
        ),
        "ecdsa-sha2-nistp256" => alg == KeyAlgorithm::EcdsaP256,
        "ecdsa-sha2-nistp384" => alg == KeyAlgorithm::EcdsaP384,
        "ecdsa-sha2-nistp521" => alg == KeyAlgorithm::EcdsaP521,
        other => return Err(err(format!("unsupported keytype `{other}`"))),
    };
    if !type_ok {
        return Err(err(format!(
            "keytype `{keytype}` does not match the {alg} key in `keyval.public`"
        )));
    }
    let key = key.with_scheme(scheme)?;
    let kha = o.get("keyid_hash_algorithms");
    let default_kha = serde_json::json!(DEFAULT_KEYID_HASH_ALGORITHMS);
    let mut computed = Vec::new();
    for h in [kha, None, Some(&default_kha)] {
        let id = sslib_keyid(keytype, scheme_name, public, h);
        if !computed.contains(&id) {
            computed.push(id);
        }
    }
    Ok(SslibKey {
        key,
        declared_keyid: o.get("keyid").and_then(Value::as_str).map(str::to_owned),
        computed_keyids: computed,
    })
}

//! Signed in-toto metadata in either wrapping: a legacy Metablock (`{"signed", "signatures"}`,
//! hex signatures over the canonical JSON of the received `signed` value) or a DSSE envelope
//! (payload type `application/vnd.in-toto+json`). The format is detected from the document.

use std::sync::Arc;

use serde_json::Value;

use crate::canonical::to_canonical;
use crate::digest::from_hex;
use crate::dsse::{self, Envelope};
use crate::json::{Place, locate, parse_strict};
use crate::keys::PublicKey;
use crate::statement::PAYLOAD_TYPE;
use crate::verified::Verified;

/// Largest metadata file read.
pub const MAX_METADATA_SIZE: usize = 32 * 1024 * 1024;
/// Most signatures a Metablock may carry.
pub const MAX_METABLOCK_SIGNATURES: usize = 64;

/// Which wrapping a metadata file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"signed": …, "signatures": […]}`.
    Metablock,
    /// DSSE envelope.
    Dsse,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Metablock => "metablock",
            Format::Dsse => "dsse",
        })
    }
}

/// One Metablock signature.
#[derive(Debug, Clone)]
pub struct MetablockSignature {
    /// `keyid`.
    pub keyid: String,
    /// Signature bytes (hex-decoded).
    pub sig: Vec<u8>,
    /// `cert` (in-toto-golang: PEM of the signing certificate), if non-empty.
    pub cert: Option<String>,
}

/// A parsed, not yet verified, metadata document. Its signed content is private: only
/// [`Metadata::verify`] hands it out, as [`Verified`].
#[derive(Debug, Clone)]
pub struct Metadata {
    inner: Inner,
    /// The file's text, to point at the fields of a Metablock's `signed` value.
    text: Arc<[u8]>,
}

#[derive(Debug, Clone)]
enum Inner {
    Metablock {
        signed: Value,
        signatures: Vec<MetablockSignature>,
    },
    Dsse(Envelope),
}

/// A metadata file that is not JSON, or neither a Metablock nor a DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct MetadataError {
    /// What is wrong.
    pub reason: String,
    /// Where in the file, when known.
    pub place: Option<Place>,
}

impl Metadata {
    /// Parses a metadata file (strict JSON) and detects its format.
    pub fn parse(bytes: &[u8]) -> Result<Metadata, MetadataError> {
        let at = |field: &str, reason: String| MetadataError {
            reason,
            place: locate(bytes, field),
        };
        if bytes.len() > MAX_METADATA_SIZE {
            return Err(MetadataError {
                reason: format!(
                    "{} bytes is over the {MAX_METADATA_SIZE}-byte limit",
                    bytes.len()
                ),
                place: None,
            });
        }
        let v = parse_strict(bytes).map_err(|e| MetadataError {
            reason: e.message().to_owned(),
            place: Some(e.place()),
        })?;
        let text: Arc<[u8]> = Arc::from(bytes);
        let o = v
            .as_object()
            .ok_or_else(|| at("", "expected a JSON object".into()))?;
        if o.contains_key("payloadType") {
            let env = Envelope::parse(bytes).map_err(|e| MetadataError {
                place: e.place(),
                reason: e.to_string(),
            })?;
            return Ok(Metadata {
                inner: Inner::Dsse(env),
                text,
            });
        }
        let signed = o
            .get("signed")
            .ok_or_else(|| {
                at(
                    "",
                    "neither a DSSE envelope (`payloadType`) nor a Metablock (`signed`)".into(),
                )
            })?
            .clone();
        let sigs = o
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                at(
                    "/signatures",
                    "`signatures` is missing or not an array".into(),
                )
            })?;
        if sigs.len() > MAX_METABLOCK_SIGNATURES {
            return Err(at(
                "/signatures",
                format!(
                    "{} signatures (at most {MAX_METABLOCK_SIGNATURES})",
                    sigs.len()
                ),
            ));
        }
        let mut signatures = Vec::new();
        for (i, s) in sigs.iter().enumerate() {
            let keyid = s.get("keyid").and_then(Value::as_str).ok_or_else(|| {
                at(
                    &format!("/signatures/{i}/keyid"),
                    format!("signatures[{i}].keyid is missing or not a string"),
                )
            })?;
            let sig = s
                .get("sig")
                .and_then(Value::as_str)
                .and_then(from_hex)
                .ok_or_else(|| {
                    at(
                        &format!("/signatures/{i}/sig"),
                        format!("signatures[{i}].sig is missing or not hex"),
                    )
                })?;
            let cert = s
                .get("cert")
                .and_then(Value::as_str)
                .filter(|c| !c.trim().is_empty())
                .map(str::to_owned);
            signatures.push(MetablockSignature {
                keyid: keyid.to_owned(),
                sig,
                cert,
            });
        }
        Ok(Metadata {
            inner: Inner::Metablock { signed, signatures },
            text,
        })
    }

    /// Where in the file the signed value's field at `path` (dotted, as in
    /// [`super::model::ModelError::field`]) is: for a Metablock, inside `signed`; `None` for a
    /// DSSE envelope, whose signed value is the base64 payload.
    pub fn place_of_signed(&self, path: &str) -> Option<Place> {
        match &self.inner {
            Inner::Metablock { .. } => locate(&self.text, &format!("signed.{path}")),
            Inner::Dsse(_) => None,
        }
    }

    /// The wrapping.
    pub fn format(&self) -> Format {
        match &self.inner {
            Inner::Metablock { .. } => Format::Metablock,
            Inner::Dsse(_) => Format::Dsse,
        }
    }

    /// The signatures' key ids.
    pub fn keyids(&self) -> Vec<String> {
        match &self.inner {
            Inner::Metablock { signatures, .. } => {
                signatures.iter().map(|s| s.keyid.clone()).collect()
            }
            Inner::Dsse(e) => e.signatures().iter().map(|s| s.keyid.clone()).collect(),
        }
    }

    /// Certificates attached to signatures whose keyid starts with `prefix` (Metablock only).
    pub fn certs_for(&self, prefix: &str) -> Vec<(String, String)> {
        match &self.inner {
            Inner::Metablock { signatures, .. } => signatures
                .iter()
                .filter(|s| s.keyid.starts_with(prefix))
                .filter_map(|s| s.cert.clone().map(|c| (s.keyid.clone(), c)))
                .collect(),
            Inner::Dsse(_) => Vec::new(),
        }
    }

    /// Verifies that `key` made one of the signatures and returns the signed JSON value.
    ///
    /// Signatures whose keyid names the key are tried first, then the others (a keyid is a
    /// hint; what counts is which trusted key verifies). For DSSE the payload type must be
    /// `application/vnd.in-toto+json`.
    pub fn verify(&self, key: &PublicKey) -> Result<Verified<Value>, String> {
        match &self.inner {
            Inner::Metablock { signed, signatures } => {
                if signatures.is_empty() {
                    return Err("no signatures".into());
                }
                let msg = to_canonical(signed).map_err(|e| e.to_string())?;
                let forms = key.keyid_forms();
                let mut order: Vec<&MetablockSignature> = signatures
                    .iter()
                    .filter(|s| forms.names(&s.keyid))
                    .collect();
                order.extend(signatures.iter().filter(|s| !forms.names(&s.keyid)));
                let mut last = String::new();
                for s in order {
                    match key.verify(&msg, &s.sig) {
                        Ok(()) => return Ok(Verified::new(signed.clone())),
                        Err(e) => last = e.to_string(),
                    }
                }
                Err(format!("no valid signature by key {}: {last}", key.keyid()))
            }
            Inner::Dsse(env) => {
                let payload = dsse::verify(env, Some(PAYLOAD_TYPE), std::slice::from_ref(key), 1)
                    .map_err(|e| e.to_string())?;
                payload.try_map(|p| {
                    parse_strict(&p).map_err(|e| format!("DSSE payload is not JSON: {e}"))
                })
            }
        }
    }
}

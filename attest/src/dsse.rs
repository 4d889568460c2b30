//! DSSE envelopes: pre-authentication encoding, signing, threshold verification.
//!
//! <https://github.com/secure-systems-lab/dsse/blob/master/protocol.md>
//!
//! - Signatures are over `PAE(payloadType, payload)` =
//!   `"DSSEv1" SP len(type) SP type SP len(body) SP body` (lengths in ASCII decimal), so the
//!   payload type is bound by every signature; the verifier also checks it equals the type the
//!   caller expects.
//! - `payload` and `sig` are base64. The spec writes standard base64 and asks verifiers to
//!   accept URL-safe base64 too; padding is optional on input. We emit standard, padded base64.
//! - A threshold counts *distinct trusted keys* with at least one valid signature: several
//!   signatures by one key count once, signatures by keys outside the trusted set count for
//!   nothing. `keyid` is only a hint: a hint naming another key does not stop a signature from
//!   being checked against every trusted key.
//! - The payload is private to [`Envelope`]; only [`verify`] hands it out, as [`Verified`].

use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value, json};

use crate::json::{Place, locate, parse_strict};
use crate::keys::{KeyError, PrivateKey, PublicKey};
use crate::verified::Verified;

/// Largest envelope read (bytes of JSON).
pub const MAX_ENVELOPE_SIZE: usize = 32 * 1024 * 1024;
/// Most signatures an envelope may carry.
pub const MAX_SIGNATURES: usize = 64;
/// Most trusted keys one verification considers.
pub const MAX_KEYS: usize = 64;

/// A DSSE envelope (payload kept private until verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// Key id hint (may be empty).
    pub keyid: String,
    /// Raw signature bytes.
    pub sig: Vec<u8>,
}

/// Why an envelope is malformed or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DsseError {
    /// The envelope is not a well-formed DSSE envelope (input error).
    #[error("malformed DSSE envelope: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
        /// Where, in the envelope's text (from [`Envelope::parse`]).
        place: Option<Place>,
    },
    /// Too large or too many signatures (input error).
    #[error("DSSE envelope over the limit: {0}")]
    Limit(String),
    /// `payloadType` differs from the expected type.
    #[error("payloadType is `{found}`, expected `{expected}`")]
    PayloadType {
        /// Expected type.
        expected: String,
        /// Type in the envelope.
        found: String,
    },
    /// No trusted key was given, or a threshold of 0.
    #[error("verification needs at least one trusted key and a threshold of at least 1")]
    NoKeys,
    /// The threshold is higher than the number of distinct trusted keys.
    #[error("threshold {threshold} exceeds the {keys} distinct trusted key(s)")]
    ThresholdTooHigh {
        /// Threshold.
        threshold: usize,
        /// Distinct keys.
        keys: usize,
    },
    /// Too few distinct trusted keys produced a valid signature.
    #[error(
        "signature threshold not met: {valid} of {threshold} required trusted key(s) signed \
         ({signatures} signature(s) in the envelope{detail})"
    )]
    Threshold {
        /// Distinct trusted keys with a valid signature.
        valid: usize,
        /// Required.
        threshold: usize,
        /// Signatures in the envelope.
        signatures: usize,
        /// Extra detail (e.g. the last verification error).
        detail: String,
    },
    /// Signing failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decodes base64 in any of the forms DSSE producers emit: standard or URL-safe alphabet,
/// padded or not.
pub(crate) fn decode_b64(s: &str) -> Option<Vec<u8>> {
    Base64::decode_vec(s)
        .or_else(|_| Base64Unpadded::decode_vec(s))
        .or_else(|_| Base64Url::decode_vec(s))
        .or_else(|_| Base64UrlUnpadded::decode_vec(s))
        .ok()
}

fn malformed(s: impl Into<String>) -> DsseError {
    DsseError::Malformed {
        reason: s.into(),
        place: None,
    }
}

impl DsseError {
    /// Where in the envelope's text the error is, when known.
    pub fn place(&self) -> Option<Place> {
        match self {
            DsseError::Malformed { place, .. } => *place,
            _ => None,
        }
    }
}

/// The signature count cap (checked before the shape, so a huge list is refused as such).
fn check_limits(v: &Value) -> Result<(), DsseError> {
    match v.get("signatures").and_then(Value::as_array) {
        Some(sigs) if sigs.len() > MAX_SIGNATURES => Err(DsseError::Limit(format!(
            "{} signatures (at most {MAX_SIGNATURES})",
            sigs.len()
        ))),
        _ => Ok(()),
    }
}

/// A shape error: the JSON pointer of the field, and what is wrong with it.
type ShapeError = (String, String);

fn shape(field: impl Into<String>, reason: impl Into<String>) -> ShapeError {
    (field.into(), reason.into())
}

impl Envelope {
    /// Parses envelope JSON (strict: duplicate keys rejected; size and signature count capped).
    pub fn parse(bytes: &[u8]) -> Result<Envelope, DsseError> {
        if bytes.len() > MAX_ENVELOPE_SIZE {
            return Err(DsseError::Limit(format!(
                "{} bytes (at most {MAX_ENVELOPE_SIZE})",
                bytes.len()
            )));
        }
        let v = parse_strict(bytes).map_err(|e| DsseError::Malformed {
            reason: e.message().to_owned(),
            place: Some(e.place()),
        })?;
        check_limits(&v)?;
        Envelope::from_shape(&v).map_err(|(field, reason)| DsseError::Malformed {
            place: locate(bytes, &field),
            reason,
        })
    }

    /// Reads an envelope from a JSON value.
    pub fn from_value(v: &Value) -> Result<Envelope, DsseError> {
        check_limits(v)?;
        Envelope::from_shape(v).map_err(|(_, reason)| malformed(reason))
    }

    fn from_shape(v: &Value) -> Result<Envelope, ShapeError> {
        let o = v
            .as_object()
            .ok_or_else(|| shape("", "expected a JSON object"))?;
        let payload_type = o
            .get("payloadType")
            .and_then(Value::as_str)
            .ok_or_else(|| shape("/payloadType", "`payloadType` is missing or not a string"))?
            .to_owned();
        let payload_b64 = o
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| shape("/payload", "`payload` is missing or not a string"))?;
        let payload = decode_b64(payload_b64)
            .ok_or_else(|| shape("/payload", "`payload` is not valid base64"))?;
        let sigs = o
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| shape("/signatures", "`signatures` is missing or not an array"))?;
        if sigs.is_empty() {
            return Err(shape("/signatures", "`signatures` is empty"));
        }
        let mut signatures = Vec::with_capacity(sigs.len());
        for (i, s) in sigs.iter().enumerate() {
            let at = format!("/signatures/{i}");
            let so = s
                .as_object()
                .ok_or_else(|| shape(&at, format!("signatures[{i}] is not an object")))?;
            let keyid = match so.get("keyid") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(k)) => k.clone(),
                Some(_) => {
                    return Err(shape(
                        format!("{at}/keyid"),
                        format!("signatures[{i}].keyid is not a string"),
                    ));
                }
            };
            let sig = so
                .get("sig")
                .and_then(Value::as_str)
                .and_then(decode_b64)
                .ok_or_else(|| {
                    shape(
                        format!("{at}/sig"),
                        format!("signatures[{i}].sig is missing or not base64"),
                    )
                })?;
            signatures.push(EnvelopeSignature { keyid, sig });
        }
        Ok(Envelope {
            payload_type,
            payload,
            signatures,
        })
    }

    /// `payloadType`.
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The signatures.
    pub fn signatures(&self) -> &[EnvelopeSignature] {
        &self.signatures
    }

    /// Signs `payload` with every key in `keys` (the `keyid` hint is the securesystemslib id).
    pub fn sign(
        payload_type: &str,
        payload: Vec<u8>,
        keys: &[&PrivateKey],
    ) -> Result<Envelope, DsseError> {
        if keys.is_empty() {
            return Err(DsseError::NoKeys);
        }
        let msg = pae(payload_type, &payload);
        let mut signatures = Vec::with_capacity(keys.len());
        for k in keys {
            signatures.push(EnvelopeSignature {
                keyid: k.public_key().keyid(),
                sig: k.sign(&msg)?,
            });
        }
        Ok(Envelope {
            payload_type: payload_type.to_owned(),
            payload,
            signatures,
        })
    }

    /// The envelope as JSON (standard base64).
    pub fn to_json(&self) -> Value {
        let sigs: Vec<Value> = self
            .signatures
            .iter()
            .map(|s| json!({"keyid": s.keyid, "sig": Base64::encode_string(&s.sig)}))
            .collect();
        let mut m = Map::new();
        m.insert(
            "payload".into(),
            Base64::encode_string(&self.payload).into(),
        );
        m.insert("payloadType".into(), self.payload_type.clone().into());
        m.insert("signatures".into(), sigs.into());
        Value::Object(m)
    }

    #[cfg(test)]
    pub(crate) fn payload_mut(&mut self) -> &mut Vec<u8> {
        &mut self.payload
    }

    #[cfg(test)]
    pub(crate) fn signatures_mut(&mut self) -> &mut Vec<EnvelopeSignature> {
        &mut self.signatures
    }

    #[cfg(test)]
    pub(crate) fn set_payload_type(&mut self, t: &str) {
        self.payload_type = t.to_owned();
    }
}

/// The outcome of a successful verification: the payload, and which trusted keys signed.
#[derive(Debug, Clone)]
pub struct DsseVerified {
    /// The verified payload bytes.
    pub payload: Verified<Vec<u8>>,
    /// Indices (into the `keys` argument) of the trusted keys with a valid signature.
    pub signers: Vec<usize>,
}

/// Verifies `env` against `keys`: the payload type must equal `expected_type` (when given) and
/// at least `threshold` distinct keys of `keys` must have signed. Returns the payload.
pub fn verify(
    env: &Envelope,
    expected_type: Option<&str>,
    keys: &[PublicKey],
    threshold: usize,
) -> Result<Verified<Vec<u8>>, DsseError> {
    verify_detailed(env, expected_type, keys, threshold).map(|v| v.payload)
}

/// Like [`verify`], also reporting which keys signed.
pub fn verify_detailed(
    env: &Envelope,
    expected_type: Option<&str>,
    keys: &[PublicKey],
    threshold: usize,
) -> Result<DsseVerified, DsseError> {
    if keys.is_empty() || threshold == 0 {
        return Err(DsseError::NoKeys);
    }
    if keys.len() > MAX_KEYS {
        return Err(DsseError::Limit(format!(
            "{} trusted keys (at most {MAX_KEYS})",
            keys.len()
        )));
    }
    // Distinct keys: the same key passed twice counts once.
    let mut distinct: Vec<usize> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if !distinct.iter().any(|&j| keys[j] == *k) {
            distinct.push(i);
        }
    }
    if threshold > distinct.len() {
        return Err(DsseError::ThresholdTooHigh {
            threshold,
            keys: distinct.len(),
        });
    }
    if let Some(t) = expected_type
        && env.payload_type != t
    {
        return Err(DsseError::PayloadType {
            expected: t.to_owned(),
            found: env.payload_type.clone(),
        });
    }
    let msg = pae(&env.payload_type, &env.payload);
    let mut signers = Vec::new();
    let mut last_err = String::new();
    for &i in &distinct {
        let key = &keys[i];
        // Signatures whose hint names this key first, then all others: a wrong hint must not
        // hide a valid signature. (With one signature there is nothing to order.)
        let order: Vec<&EnvelopeSignature> = if env.signatures.len() > 1 {
            let forms = key.keyid_forms();
            let mut o: Vec<&EnvelopeSignature> = env
                .signatures
                .iter()
                .filter(|s| forms.names(&s.keyid))
                .collect();
            o.extend(env.signatures.iter().filter(|s| !forms.names(&s.keyid)));
            o
        } else {
            env.signatures.iter().collect()
        };
        let mut ok = false;
        for s in order {
            match key.verify(&msg, &s.sig) {
                Ok(()) => {
                    ok = true;
                    break;
                }
                Err(e) => last_err = e.to_string(),
            }
        }
        if ok {
            signers.push(i);
        }
    }
    if signers.len() < threshold {
        return Err(DsseError::Threshold {
            valid: signers.len(),
            threshold,
            signatures: env.signatures.len(),
            detail: if last_err.is_empty() {
                String::new()
            } else {
                format!("; {last_err}")
            },
        });
    }
    Ok(DsseVerified {
        payload: Verified::new(env.payload.clone()),
        signers,
    })
}

/// Verifies that a signature of `env` whose `keyid` is exactly `keyid` (not empty) verifies with
/// `key`: for attestations whose issuer names its key by id and whose verifier pins both, as
/// slsa-verifier's `verify-vsa --public-key-id` does. Signatures under other key ids are ignored.
pub fn verify_with_keyid(
    env: &Envelope,
    key: &PublicKey,
    keyid: &str,
) -> Result<Verified<Vec<u8>>, DsseError> {
    let no = |detail: String| DsseError::Threshold {
        valid: 0,
        threshold: 1,
        signatures: env.signatures.len(),
        detail,
    };
    if keyid.is_empty() {
        return Err(no("; the key id must not be empty".into()));
    }
    let msg = pae(&env.payload_type, &env.payload);
    let mut last_err = format!("; no signature has key id `{keyid}`");
    for s in env.signatures.iter().filter(|s| s.keyid == keyid) {
        match key.verify(&msg, &s.sig) {
            Ok(()) => return Ok(Verified::new(env.payload.clone())),
            Err(e) => last_err = format!("; key id `{keyid}`: {e}"),
        }
    }
    Err(no(last_err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::GenerateAlgorithm;

    const T: &str = "application/vnd.in-toto+json";

    #[test]
    fn pae_matches_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    fn keys() -> Vec<PrivateKey> {
        [
            GenerateAlgorithm::Ed25519,
            GenerateAlgorithm::EcdsaP256,
            GenerateAlgorithm::EcdsaP384,
        ]
        .into_iter()
        .map(|a| PrivateKey::generate(a).unwrap())
        .collect()
    }

    #[test]
    fn accepts_signed_envelope_and_round_trips_json() {
        let ks = keys();
        let env = Envelope::sign(T, b"{}".to_vec(), &[&ks[0], &ks[1]]).unwrap();
        let bytes = serde_json::to_vec(&env.to_json()).unwrap();
        let env2 = Envelope::parse(&bytes).unwrap();
        assert_eq!(env, env2);
        let pubs: Vec<PublicKey> = ks.iter().map(|k| k.public_key().clone()).collect();
        let v = verify_detailed(&env2, Some(T), &pubs, 2).unwrap();
        assert_eq!(&**v.payload.value(), b"{}");
        assert_eq!(v.signers, vec![0, 1]);
    }

    #[test]
    fn rejects_flipped_payload_signature_wrong_key_and_type() {
        let ks = keys();
        let env = Envelope::sign(T, b"{\"a\":1}".to_vec(), &[&ks[0]]).unwrap();
        let good = [ks[0].public_key().clone()];
        verify(&env, Some(T), &good, 1).unwrap();

        let mut e = env.clone();
        e.payload_mut()[3] ^= 1;
        assert!(matches!(
            verify(&e, Some(T), &good, 1),
            Err(DsseError::Threshold { .. })
        ));

        let mut e = env.clone();
        e.signatures_mut()[0].sig[10] ^= 1;
        assert!(matches!(
            verify(&e, Some(T), &good, 1),
            Err(DsseError::Threshold { .. })
        ));

        let wrong = [ks[1].public_key().clone()];
        assert!(matches!(
            verify(&env, Some(T), &wrong, 1),
            Err(DsseError::Threshold { .. })
        ));

        assert!(matches!(
            verify(&env, Some("text/plain"), &good, 1),
            Err(DsseError::PayloadType { .. })
        ));
        // The type is bound by the signature: changing it breaks the signature too.
        let mut e = env.clone();
        e.set_payload_type("text/plain");
        assert!(matches!(
            verify(&e, None, &good, 1),
            Err(DsseError::Threshold { .. })
        ));
    }

    #[test]
    fn rejects_duplicate_signatures_counted_twice() {
        let ks = keys();
        let mut env = Envelope::sign(T, b"x".to_vec(), &[&ks[0]]).unwrap();
        let s = env.signatures()[0].clone();
        env.signatures_mut().push(s.clone());
        env.signatures_mut().push(EnvelopeSignature {
            keyid: "other".into(),
            sig: s.sig.clone(),
        });
        let pubs = [ks[0].public_key().clone(), ks[1].public_key().clone()];
        let e = verify(&env, Some(T), &pubs, 2).unwrap_err();
        assert!(matches!(e, DsseError::Threshold { valid: 1, .. }), "{e}");
        // The same key passed twice is one key.
        let same = [ks[0].public_key().clone(), ks[0].public_key().clone()];
        assert!(matches!(
            verify(&env, Some(T), &same, 2),
            Err(DsseError::ThresholdTooHigh { .. })
        ));
        // Signatures by an untrusted key do not count.
        let env = Envelope::sign(T, b"x".to_vec(), &[&ks[0], &ks[2]]).unwrap();
        let e = verify(&env, Some(T), &pubs, 2).unwrap_err();
        assert!(matches!(e, DsseError::Threshold { valid: 1, .. }), "{e}");
    }

    #[test]
    fn accepts_misleading_hint_and_urlsafe_unpadded_base64() {
        let ks = keys();
        let mut env = Envelope::sign(T, b"\xff\xfe?>".to_vec(), &[&ks[1]]).unwrap();
        env.signatures_mut()[0].keyid = ks[0].public_key().keyid();
        let mut j = env.to_json();
        let url = |b: &[u8]| Base64UrlUnpadded::encode_string(b);
        j["payload"] = url(b"\xff\xfe?>").into();
        j["signatures"][0]["sig"] = url(&env.signatures()[0].sig).into();
        let e2 = Envelope::parse(&serde_json::to_vec(&j).unwrap()).unwrap();
        verify(&e2, Some(T), &[ks[1].public_key().clone()], 1).unwrap();
    }

    #[test]
    fn rejects_malformed_and_oversized_envelopes() {
        for bad in [
            &br#"{"payloadType":"x","payload":"!!","signatures":[{"sig":"AA=="}]}"#[..],
            br#"{"payloadType":"x","payload":"AA==","signatures":[]}"#,
            br#"{"payloadType":"x","payload":"AA==","payload":"AA==","signatures":[{"sig":"AA=="}]}"#,
            br#"{"payload":"AA==","signatures":[{"sig":"AA=="}]}"#,
            b"[]",
        ] {
            assert!(Envelope::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let many: Vec<Value> = (0..=MAX_SIGNATURES)
            .map(|_| json!({"sig": "AA=="}))
            .collect();
        let j = json!({"payloadType": "x", "payload": "AA==", "signatures": many});
        assert!(matches!(
            Envelope::parse(&serde_json::to_vec(&j).unwrap()),
            Err(DsseError::Limit(_))
        ));
    }
}

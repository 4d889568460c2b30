//! One record: building and signing it ([`seal`]), and reading it back ([`read`]) with its hash
//! recomputed.

use base64ct::{Base64, Encoding};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::GENESIS_HASH;
use crate::digest::to_hex;
use crate::jcs::{self, JcsError};
use crate::keys::{KeyError, PrivateKey};

/// Fields the log sets; a caller's body must not hold them.
pub const RESERVED: [&str; 6] = [
    "seq",
    "prevHash",
    "thisHash",
    "signedAt",
    "kid",
    "signature",
];

/// The head of a chain: the last record's `seq` (0 for an empty log) and `thisHash`
/// ([`GENESIS_HASH`] for an empty log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `seq` of the last record; 0 when there is none.
    pub seq: u64,
    /// `thisHash` of the last record (lowercase hex).
    pub hash: String,
}

impl Head {
    /// The head of an empty log.
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// A record that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The body sets a field the log sets.
    #[error("the record body sets `{0}`, which the audit log sets itself")]
    Reserved(String),
    /// A value jq could not reproduce byte for byte.
    #[error("the record's `{field}` is not plain data: {reason}")]
    NotPlain {
        /// Where (a JSON pointer).
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// No canonical form.
    #[error(transparent)]
    Jcs(#[from] JcsError),
    /// The key could not sign.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Checks that `v` holds only what `jq -cS` writes back unchanged: printable-ASCII strings,
/// integers within ±(2^53 − 1), booleans, arrays and objects (no `null`, no floats, no control
/// or non-ASCII characters, which jq escapes differently from RFC 8785).
pub fn check_plain(v: &Value, at: &str) -> Result<(), RecordError> {
    let bad = |reason: &str| RecordError::NotPlain {
        field: if at.is_empty() {
            "/".into()
        } else {
            at.to_owned()
        },
        reason: reason.to_owned(),
    };
    let plain_str = |s: &str| s.bytes().all(|b| (0x20..=0x7e).contains(&b));
    match v {
        Value::Null => Err(bad("null")),
        Value::Bool(_) => Ok(()),
        Value::Number(n) => match n.as_i64() {
            Some(i) if i.abs() <= jcs::MAX_SAFE_INTEGER => Ok(()),
            _ => Err(bad("a number that is not an integer within ±(2^53 − 1)")),
        },
        Value::String(s) if plain_str(s) => Ok(()),
        Value::String(_) => Err(bad("a string with a character outside printable ASCII")),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_plain(x, &format!("{at}/{i}"))),
        Value::Object(m) => check_plain_object(m, at),
    }
}

fn check_plain_object(m: &Map<String, Value>, at: &str) -> Result<(), RecordError> {
    m.iter().try_for_each(|(k, x)| {
        if !k.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(RecordError::NotPlain {
                field: format!("{at}/{k}"),
                reason: "a key with a character outside printable ASCII".into(),
            });
        }
        check_plain(x, &format!("{at}/{k}"))
    })
}

/// A signed record.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// Its `seq`.
    pub seq: u64,
    /// Its `thisHash`.
    pub this_hash: String,
    /// The line to write: the record's JCS form and a newline.
    pub line: Vec<u8>,
}

/// Builds the record after `prev` from the caller's `body`: sets `seq`, `prevHash`, `signedAt`
/// and `kid`, hashes and signs the canonical bytes.
pub fn seal(
    body: Map<String, Value>,
    prev: &Head,
    key: &PrivateKey,
    signed_at: &str,
) -> Result<Sealed, RecordError> {
    if let Some(k) = RESERVED.iter().find(|k| body.contains_key(**k)) {
        return Err(RecordError::Reserved((*k).to_owned()));
    }
    let mut m = body;
    let seq = prev.seq + 1;
    m.insert("seq".into(), seq.into());
    m.insert("prevHash".into(), prev.hash.clone().into());
    m.insert("signedAt".into(), signed_at.into());
    m.insert("kid".into(), key.public_key().keyid().into());
    check_plain_object(&m, "")?;
    let canon = jcs::object_to_jcs_without(&m, &[])?;
    let this_hash = to_hex(&Sha256::digest(&canon));
    let sig = key.sign_detached(&canon)?;
    m.insert("thisHash".into(), this_hash.clone().into());
    m.insert("signature".into(), Base64::encode_string(&sig).into());
    let mut line = jcs::to_jcs(&Value::Object(m))?;
    line.push(b'\n');
    Ok(Sealed {
        seq,
        this_hash,
        line,
    })
}

/// A record read back: the fields the chain needs, the signed bytes, and whether its
/// `thisHash` matches them.
#[derive(Debug, Clone)]
pub struct Read {
    /// `seq`.
    pub seq: u64,
    /// `prevHash`.
    pub prev_hash: String,
    /// `thisHash` as written.
    pub this_hash: String,
    /// SHA-256 of the signed bytes, as computed.
    pub computed_hash: String,
    /// `kid`.
    pub kid: String,
    /// `signature`, decoded.
    pub signature: Vec<u8>,
    /// The signed bytes (JCS without `thisHash` and `signature`).
    pub signed: Vec<u8>,
    /// `verdict`, when the record has one.
    pub verdict: Option<String>,
}

/// Reads one line (without its newline). The error says what is malformed.
pub fn read(line: &[u8]) -> Result<Read, String> {
    let v = crate::json::parse_strict(line).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(m) = v else {
        return Err("not a JSON object".into());
    };
    let text = |k: &str| -> Result<String, String> {
        match m.get(k) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(format!("`{k}` is not a string")),
            None => Err(format!("no `{k}`")),
        }
    };
    let seq = match m.get("seq") {
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|&s| s >= 1 && s <= jcs::MAX_SAFE_INTEGER as u64)
            .ok_or_else(|| format!("`seq` {n} is not a positive integer"))?,
        Some(_) => return Err("`seq` is not a number".into()),
        None => return Err("no `seq`".into()),
    };
    let prev_hash = text("prevHash")?;
    let this_hash = text("thisHash")?;
    let kid = text("kid")?;
    text("signedAt")?;
    let signature = Base64::decode_vec(&text("signature")?)
        .map_err(|_| "`signature` is not base64".to_owned())?;
    let verdict = m.get("verdict").and_then(Value::as_str).map(str::to_owned);
    let signed =
        jcs::object_to_jcs_without(&m, &["thisHash", "signature"]).map_err(|e| e.to_string())?;
    let computed_hash = to_hex(&Sha256::digest(&signed));
    Ok(Read {
        seq,
        prev_hash,
        this_hash,
        computed_hash,
        kid,
        signature,
        signed,
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::GenerateAlgorithm;
    use proptest::prelude::*;
    use serde_json::json;

    fn body() -> Map<String, Value> {
        json!({"verdict": "PASSED", "subjects": [{"name": "Cargo.lock", "digest": {"sha256": "ab"}}]})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn sealed_records_read_back_with_their_hash() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let s = seal(body(), &Head::genesis(), &k, "2026-03-01T00:00:00Z").unwrap();
        assert_eq!(s.seq, 1);
        assert!(s.line.ends_with(b"\n"));
        let r = read(&s.line[..s.line.len() - 1]).unwrap();
        assert_eq!(r.this_hash, s.this_hash);
        assert_eq!(r.computed_hash, s.this_hash);
        assert_eq!(r.prev_hash, GENESIS_HASH);
        assert_eq!(r.kid, k.public_key().keyid());
        k.public_key()
            .verify_scheme(k.public_key().detached_scheme(), &r.signed, &r.signature)
            .unwrap();
        // Negative twin: one edited byte of the body changes the computed hash.
        let text = String::from_utf8(s.line.clone())
            .unwrap()
            .replace("PASSED", "FAILED");
        let r = read(text.trim_end().as_bytes()).unwrap();
        assert_ne!(r.computed_hash, r.this_hash);
    }

    #[test]
    fn refuses_reserved_fields_and_data_jq_would_rewrite() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let mut b = body();
        b.insert("seq".into(), 7.into());
        assert_eq!(
            seal(b, &Head::genesis(), &k, "t").unwrap_err(),
            RecordError::Reserved("seq".into())
        );
        for (v, at) in [
            (json!({"x": null}), "/x"),
            (json!({"x": [1.5]}), "/x/0"),
            (json!({"x": "é"}), "/x"),
            (json!({"x": "a\nb"}), "/x"),
            (json!({"x": 9007199254740992_u64}), "/x"),
        ] {
            let e = seal(v.as_object().unwrap().clone(), &Head::genesis(), &k, "t").unwrap_err();
            assert!(
                matches!(&e, RecordError::NotPlain { field, .. } if field == at),
                "{e}"
            );
        }
    }

    #[test]
    fn malformed_lines_say_what_is_wrong() {
        for (line, want) in [
            (&b"{"[..], "not JSON"),
            (b"[1]", "not a JSON object"),
            (b"{\"seq\": 0}", "not a positive integer"),
            (b"{\"seq\": 1}", "no `prevHash`"),
            (b"{\"seq\":1,\"seq\":2}", "duplicate"),
        ] {
            let e = read(line).unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }

    proptest! {
        /// Reading never panics, whatever the line.
        #[test]
        fn read_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = read(&bytes);
        }
    }
}

//! RFC 8785 JSON Canonicalization Scheme (JCS), for the values tollgate signs as JCS: the audit
//! log's records.
//!
//! Why by hand: the crates that implement JCS (`serde_jcs`) format every number, floats included,
//! as ECMAScript does and accept integers beyond 2^53; tollgate's records are I-JSON integers
//! only, so that `jq -cS` (which reads numbers as doubles) reproduces the canonical bytes. This
//! encoder refuses floats and integers outside ±(2^53 − 1) instead of formatting them. Strings
//! are escaped as RFC 8785 §3.2.2.2 says (`\b \t \n \f \r`, other controls as `\u00xx`, `"` and
//! `\`; everything else as UTF-8), and object keys are sorted by their UTF-16 code units.

use serde_json::Value;

/// The largest integer JCS (and a double) represents exactly: 2^53 − 1.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A value that has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JCS: {0}")]
pub struct JcsError(String);

/// Encodes `v` in its RFC 8785 canonical form.
pub fn to_jcs(v: &Value) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(512);
    write(v, &mut out)?;
    Ok(out)
}

/// Encodes the object `m` without the members named in `skip` (the bytes a record's hash and
/// signature cover: the record without `thisHash` and `signature`).
pub fn object_to_jcs_without(
    m: &serde_json::Map<String, Value>,
    skip: &[&str],
) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(512);
    write_object(
        m.iter().filter(|(k, _)| !skip.contains(&k.as_str())),
        &mut out,
    )?;
    Ok(out)
}

fn write(v: &Value, out: &mut Vec<u8>) -> Result<(), JcsError> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => match n.as_i64() {
            Some(i) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) => {
                out.extend_from_slice(i.to_string().as_bytes());
            }
            _ => {
                return Err(JcsError(format!(
                    "the number {n} is not an integer within ±(2^53 − 1)"
                )));
            }
        },
        Value::String(s) => write_str(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(x, out)?;
            }
            out.push(b']');
        }
        Value::Object(m) => write_object(m.iter(), out)?,
    }
    Ok(())
}

fn write_object<'a>(
    members: impl Iterator<Item = (&'a String, &'a Value)>,
    out: &mut Vec<u8>,
) -> Result<(), JcsError> {
    let mut members: Vec<(&String, &Value)> = members.collect();
    // RFC 8785 §3.2.3: by UTF-16 code units (which differs from UTF-8 byte order only for
    // characters above U+FFFF against U+E000–U+FFFF).
    members.sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    out.push(b'{');
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(k, out);
        out.push(b':');
        write(v, out)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn rfc8785_examples() {
        // RFC 8785 §3.2.2.2 (strings) and §3.2.3 (sorting, with its UTF-16 example).
        let v = json!({"\u{20ac}": "Euro Sign", "\r": "Carriage Return", "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One", "\u{1f600}": "Emoji: Grinning Face", "\u{80}": "Control", "\u{f6}": "Latin Small Letter O With Diaeresis"});
        let got = String::from_utf8(to_jcs(&v).unwrap()).unwrap();
        let want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(got, want);
        let s = to_jcs(&json!("\u{0}\u{8}\t\n\u{c}\r\u{1f}\"\\/\u{7f}é")).unwrap();
        assert_eq!(
            s,
            "\"\\u0000\\b\\t\\n\\f\\r\\u001f\\\"\\\\/\u{7f}é\"".as_bytes()
        );
    }

    #[test]
    fn integers_only_within_the_safe_range() {
        assert_eq!(
            to_jcs(&json!([-3, 0, 9007199254740991_i64])).unwrap(),
            b"[-3,0,9007199254740991]"
        );
        assert!(to_jcs(&json!(9007199254740992_u64)).is_err());
        assert!(to_jcs(&json!(1.5)).is_err());
        assert!(to_jcs(&json!(u64::MAX)).is_err());
    }

    #[test]
    fn without_drops_only_the_named_members() {
        let v = json!({"b": 1, "thisHash": "x", "a": [true, null], "signature": "s"});
        let m = v.as_object().unwrap();
        assert_eq!(
            object_to_jcs_without(m, &["thisHash", "signature"]).unwrap(),
            br#"{"a":[true,null],"b":1}"#
        );
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|i| json!(i)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The canonical form parses back to the same value, and canonicalising that is a fixed
        /// point (a property of every canonical encoding).
        #[test]
        fn round_trips_and_is_idempotent(v in arb_value()) {
            let c = to_jcs(&v).unwrap();
            let back: Value = serde_json::from_slice(&c).unwrap();
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(to_jcs(&back).unwrap(), c);
        }
    }
}

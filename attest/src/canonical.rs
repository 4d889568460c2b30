//! Canonical JSON as securesystemslib and in-toto sign it (the OLPC dialect).
//!
//! Why by hand: no crate implements exactly this dialect. Object keys are sorted by their UTF-8
//! bytes, there is no whitespace, strings escape only `"` and `\` (every other byte, control
//! characters and newlines included, is written as is), and numbers must be integers. Legacy
//! in-toto signatures are over these bytes of the *received* `signed` value, so the encoder works
//! on a [`serde_json::Value`] and never on a typed model (which would drop unknown fields).

use serde_json::Value;

/// A value that has no canonical form (a non-integer number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("canonical JSON: {0}")]
pub struct CanonicalError(String);

/// Encodes `v` as canonical JSON.
pub fn to_canonical(v: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write(v, &mut out)?;
    Ok(out)
}

fn write(v: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(CanonicalError(format!(
                    "the number {n} is not an integer (canonical JSON has integers only)"
                )));
            }
        }
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
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write(&m[k], out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_strict;

    #[test]
    fn accepts_golang_canonical_test_vector() {
        // in-toto-golang test/data/canonical-test.link: control characters, U+FFFF, quotes.
        let v = parse_strict(
            br#"{"signed": {"_type": "link", "name": "test", "command": [], "byproducts": {},
            "products": {}, "materials": {}, "environment": {"a": "WTF", "b": true, "c": false,
            "d": null, "e": 1, "f": "\u001b\uFFFFF\\n\""}}}"#,
        )
        .unwrap();
        let c = to_canonical(&v["signed"]).unwrap();
        let want = "{\"_type\":\"link\",\"byproducts\":{},\"command\":[],\"environment\":{\"a\":\"WTF\",\"b\":true,\"c\":false,\"d\":null,\"e\":1,\"f\":\"\u{1b}\u{ffff}F\\\\n\\\"\"},\"materials\":{},\"name\":\"test\",\"products\":{}}";
        assert_eq!(String::from_utf8(c).unwrap(), want);
    }

    #[test]
    fn rejects_floats() {
        let v = parse_strict(br#"{"a": 1.5}"#).unwrap();
        assert!(to_canonical(&v).is_err());
        let v = parse_strict(br#"{"a": -3, "b": 18446744073709551615}"#).unwrap();
        assert_eq!(
            to_canonical(&v).unwrap(),
            br#"{"a":-3,"b":18446744073709551615}"#
        );
    }

    #[test]
    fn sorts_keys_by_bytes_and_keeps_newlines_raw() {
        let v = parse_strict(b"{\"b\": \"x\\ny\", \"B\": 1, \"a\": [2, 1]}").unwrap();
        assert_eq!(
            to_canonical(&v).unwrap(),
            b"{\"B\":1,\"a\":[2,1],\"b\":\"x\ny\"}"
        );
    }
}

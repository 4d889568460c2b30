//! Strict JSON: signed documents are parsed with duplicate object keys rejected.
//!
//! Why by hand: `serde_json` keeps the last of two equal keys silently. In a signed document two
//! parsers that pick different duplicates see different statements under one valid signature
//! (a known confusion attack), so every document this crate verifies goes through
//! [`parse_strict`], which fails on any duplicate key at any depth.

mod locate;

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

pub use locate::locate;

/// A place in a JSON text: 1-based line and column (column 0: before the first character of
/// the line, where serde_json reports an unexpected end of file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A JSON document that is malformed or holds a duplicate key.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message} at line {} column {}", place.line, place.column)]
pub struct StrictJsonError {
    message: String,
    place: Place,
}

impl StrictJsonError {
    fn new(e: &serde_json::Error) -> StrictJsonError {
        let text = e.to_string();
        // serde_json appends " at line L column C"; the place is kept apart.
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_owned(),
            None => text,
        };
        StrictJsonError {
            message,
            place: Place {
                line: e.line(),
                column: e.column(),
            },
        }
    }

    /// What is wrong, without the place.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where it is wrong.
    pub fn place(&self) -> Place {
        self.place
    }
}

/// Parses `bytes` as one JSON value, rejecting duplicate object keys (at any depth) and trailing
/// data. The error names the line and column.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, StrictJsonError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = StrictValue
        .deserialize(&mut de)
        .map_err(|e| StrictJsonError::new(&e))?;
    de.end().map_err(|e| StrictJsonError::new(&e))?;
    Ok(v)
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element_seed(StrictValue)? {
            v.push(x);
        }
        Ok(Value::Array(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if m.contains_key(&k) {
                return Err(de::Error::custom(format_args!("duplicate key `{k}`")));
            }
            let v = map.next_value_seed(StrictValue)?;
            m.insert(k, v);
        }
        Ok(Value::Object(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_json() {
        let v = parse_strict(br#"{"a": [1, {"b": null}], "c": "d"}"#).unwrap();
        assert_eq!(v["a"][1]["b"], Value::Null);
    }

    #[test]
    fn rejects_duplicate_keys_at_any_depth() {
        let e = parse_strict(br#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate key `a`"), "{e}");
        let e = parse_strict(br#"{"x": [{"b": 1, "b": 1}]}"#).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        assert_eq!(e.message(), "duplicate key `b`");
        assert_eq!(e.place().line, 1);
    }

    #[test]
    fn rejects_trailing_data() {
        assert!(parse_strict(br#"{"a": 1} {"a": 2}"#).is_err());
        assert!(parse_strict(br#"{"a": 1"#).is_err());
    }
}

//! in-toto Statements (v0.1 and v1): subjects with digest sets, a predicate type and a predicate.
//!
//! <https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>

use std::collections::BTreeMap;

use serde_json::Value;

use crate::digest::{Digest, DigestSet};
use crate::json::{Place, locate, parse_strict};

/// The DSSE payload type of in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// `_type` of a v0.1 statement.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// `_type` of a v1 statement.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// Statement format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementVersion {
    /// `https://in-toto.io/Statement/v0.1`.
    V01,
    /// `https://in-toto.io/Statement/v1`.
    V1,
}

/// One subject: an artefact name and its digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Name (may be empty in v1 when the digest alone identifies it).
    pub name: String,
    /// Digest set.
    pub digest: DigestSet,
}

/// A parsed in-toto statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Format version.
    pub version: StatementVersion,
    /// Subjects (at least one).
    pub subjects: Vec<Subject>,
    /// `predicateType` (a URI).
    pub predicate_type: String,
    /// `predicate` (an object, or `null` when absent).
    pub predicate: Value,
}

/// A statement that is not a valid in-toto statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// Not JSON, or a duplicate key.
    #[error("statement is not valid JSON: {reason}")]
    Json {
        /// What is wrong.
        reason: String,
        /// Where, in the statement's text.
        place: Place,
    },
    /// A field is missing or has the wrong type.
    #[error("statement field `{field}`: {reason}")]
    Field {
        /// JSON pointer of the field.
        field: String,
        /// What was expected.
        reason: String,
    },
    /// `_type` names no statement version we know.
    #[error("unsupported statement _type `{0}` (expected {STATEMENT_V01} or {STATEMENT_V1})")]
    UnsupportedType(String),
}

impl StatementError {
    /// Where in `text`, the statement's JSON that [`Statement::parse`] rejected, the error is:
    /// the syntax error's place, or the value of the field that is wrong (for a missing field,
    /// the object it belongs in).
    pub fn place_in(&self, text: &[u8]) -> Option<Place> {
        match self {
            StatementError::Json { place, .. } => Some(*place),
            StatementError::Field { field, .. } => locate(text, field),
            StatementError::UnsupportedType(_) => locate(text, "/_type"),
        }
    }
}

fn field(field: impl Into<String>, reason: impl Into<String>) -> StatementError {
    StatementError::Field {
        field: field.into(),
        reason: reason.into(),
    }
}

impl Statement {
    /// Parses statement bytes (strict JSON: duplicate keys are rejected).
    pub fn parse(bytes: &[u8]) -> Result<Statement, StatementError> {
        let v = parse_strict(bytes).map_err(|e| StatementError::Json {
            reason: e.message().to_owned(),
            place: e.place(),
        })?;
        Statement::from_value(&v)
    }

    /// Reads a statement from a JSON value.
    pub fn from_value(v: &Value) -> Result<Statement, StatementError> {
        let obj = v
            .as_object()
            .ok_or_else(|| field("", "expected a JSON object"))?;
        let ty = obj
            .get("_type")
            .and_then(Value::as_str)
            .ok_or_else(|| field("/_type", "missing or not a string"))?;
        let version = match ty {
            STATEMENT_V01 => StatementVersion::V01,
            STATEMENT_V1 => StatementVersion::V1,
            other => return Err(StatementError::UnsupportedType(other.to_owned())),
        };
        let subjects_v = obj
            .get("subject")
            .and_then(Value::as_array)
            .ok_or_else(|| field("/subject", "missing or not an array"))?;
        if subjects_v.is_empty() {
            return Err(field("/subject", "has no subjects"));
        }
        let mut subjects = Vec::with_capacity(subjects_v.len());
        for (i, s) in subjects_v.iter().enumerate() {
            let at = format!("/subject/{i}");
            let so = s
                .as_object()
                .ok_or_else(|| field(&at, "expected an object"))?;
            let name = match so.get("name") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(n)) => n.clone(),
                Some(_) => return Err(field(format!("{at}/name"), "not a string")),
            };
            let digest = so
                .get("digest")
                .and_then(Value::as_object)
                .ok_or_else(|| field(format!("{at}/digest"), "missing or not an object"))?;
            if digest.is_empty() {
                return Err(field(format!("{at}/digest"), "is empty"));
            }
            let mut entries = BTreeMap::new();
            for (alg, hex) in digest {
                let hex = hex
                    .as_str()
                    .ok_or_else(|| field(format!("{at}/digest/{alg}"), "not a string"))?;
                entries.insert(alg.clone(), hex.to_owned());
            }
            subjects.push(Subject {
                name,
                digest: DigestSet::from_entries(entries),
            });
        }
        let predicate_type = obj
            .get("predicateType")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| field("/predicateType", "missing, empty or not a string"))?
            .to_owned();
        let predicate = match obj.get("predicate") {
            None | Some(Value::Null) => Value::Null,
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => return Err(field("/predicate", "not an object")),
        };
        Ok(Statement {
            version,
            subjects,
            predicate_type,
            predicate,
        })
    }

    /// The subjects whose digest set holds `d` (supported algorithms only).
    pub fn subjects_with_digest<'a>(&'a self, d: &'a Digest) -> impl Iterator<Item = &'a Subject> {
        self.subjects.iter().filter(move |s| s.digest.contains(d))
    }

    /// The subjects whose digest set matches `set` (see [`DigestSet::matches`]).
    pub fn subjects_matching<'a>(
        &'a self,
        set: &'a DigestSet,
    ) -> impl Iterator<Item = &'a Subject> {
        self.subjects.iter().filter(move |s| s.digest.matches(set))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn stmt(ty: &str, alg: &str) -> String {
        format!(
            r#"{{"_type":"{ty}","subject":[{{"name":"a.txt","digest":{{"{alg}":"{ABC256}"}}}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{}}}}"#
        )
    }

    #[test]
    fn accepts_v01_and_v1() {
        for ty in [STATEMENT_V01, STATEMENT_V1] {
            let s = Statement::parse(stmt(ty, "sha256").as_bytes()).unwrap();
            let d: Digest = format!("sha256:{ABC256}").parse().unwrap();
            assert_eq!(s.subjects_with_digest(&d).count(), 1);
        }
    }

    #[test]
    fn rejects_unknown_digest_algorithm_as_a_match() {
        let s = Statement::parse(stmt(STATEMENT_V1, "sha3000").as_bytes()).unwrap();
        let d: Digest = format!("sha256:{ABC256}").parse().unwrap();
        assert_eq!(s.subjects_with_digest(&d).count(), 0);
    }

    #[test]
    fn rejects_malformed_statements() {
        let bad = [
            stmt("https://in-toto.io/Statement/v2", "sha256"),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"}"#.into(),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{}}],"predicateType":"x"}"#.into(),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}]}"#.into(),
            r#"{"_type":"https://in-toto.io/Statement/v1","_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"x"}"#.into(),
            "[]".into(),
        ];
        for b in bad {
            assert!(Statement::parse(b.as_bytes()).is_err(), "{b}");
        }
    }
}

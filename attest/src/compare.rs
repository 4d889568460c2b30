//! Reproducible builds: two independent builds' artefacts compared by digest, per subject.
//!
//! A side is a directory (every regular file under it, by relative path), a single file (by its
//! file name), or the subjects of an in-toto statement (provenance, a statement about the
//! artefacts; a DSSE envelope only once verified). Subjects match when their digest sets agree
//! ([`DigestSet::matches`]: a shared supported algorithm, no disagreement); a subject on one side
//! only is a mismatch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::digest::{DigestSet, digest_file};
use crate::statement::Statement;

/// `predicateType` of the signed result.
pub const PREDICATE_TYPE: &str = "https://tollgate.dev/reproducible-build/v1";

/// Largest directory tree read, in files.
pub const MAX_FILES: usize = 1_000_000;

/// One build's subjects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Side {
    /// Name → digests.
    pub subjects: BTreeMap<String, DigestSet>,
}

/// A side that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Something that is neither a regular file nor a directory.
    #[error("{}: not a regular file or directory (symbolic links are not followed)", .0.display())]
    NotRegular(PathBuf),
    /// A name that is not UTF-8.
    #[error("{}: the name is not UTF-8", .0.display())]
    Name(PathBuf),
    /// Too many files.
    #[error("{}: more than {MAX_FILES} files", .0.display())]
    TooMany(PathBuf),
    /// Two subjects of a statement share a name.
    #[error("subject `{0}` appears twice")]
    Duplicate(String),
}

/// How a subject compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The digests agree.
    Match,
    /// The digests differ (or share no supported algorithm).
    Mismatch,
    /// Only the first build has it.
    OnlyInA,
    /// Only the second build has it.
    OnlyInB,
}

impl Outcome {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Match => "match",
            Outcome::Mismatch => "mismatch",
            Outcome::OnlyInA => "only-in-a",
            Outcome::OnlyInB => "only-in-b",
        }
    }
}

/// One subject's comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its name.
    pub name: String,
    /// Digests in the first build.
    pub a: Option<DigestSet>,
    /// Digests in the second build.
    pub b: Option<DigestSet>,
    /// The outcome.
    pub outcome: Outcome,
}

impl Side {
    /// The subjects of a statement.
    pub fn from_statement(st: &Statement) -> Result<Side, CompareError> {
        let mut subjects = BTreeMap::new();
        for s in &st.subjects {
            if subjects.insert(s.name.clone(), s.digest.clone()).is_some() {
                return Err(CompareError::Duplicate(s.name.clone()));
            }
        }
        Ok(Side { subjects })
    }

    /// A file (named by its file name) or a directory (every regular file, by relative path
    /// with `/`).
    pub fn from_path(path: &Path) -> Result<Side, CompareError> {
        let io = |source| CompareError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::symlink_metadata(path).map_err(io)?;
        let mut subjects = BTreeMap::new();
        if meta.is_file() {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| CompareError::Name(path.to_path_buf()))?;
            subjects.insert(name.to_owned(), digest_file(path).map_err(io)?);
        } else if meta.is_dir() {
            walk(path, "", &mut subjects)?;
        } else {
            return Err(CompareError::NotRegular(path.to_path_buf()));
        }
        Ok(Side { subjects })
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    out: &mut BTreeMap<String, DigestSet>,
) -> Result<(), CompareError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| CompareError::Io { path: p, source }
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e
            .file_name()
            .to_str()
            .ok_or_else(|| CompareError::Name(p.clone()))?
            .to_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let ft = e.file_type().map_err(io(&p))?;
        if ft.is_dir() {
            walk(&p, &rel, out)?;
        } else if ft.is_file() {
            if out.len() >= MAX_FILES {
                return Err(CompareError::TooMany(dir.to_path_buf()));
            }
            out.insert(rel, digest_file(&p).map_err(io(&p))?);
        } else {
            return Err(CompareError::NotRegular(p));
        }
    }
    Ok(())
}

/// Compares two builds, subject by subject (sorted by name).
pub fn compare(a: &Side, b: &Side) -> Vec<Entry> {
    let mut names: Vec<&String> = a.subjects.keys().chain(b.subjects.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|n| {
            let (x, y) = (a.subjects.get(n), b.subjects.get(n));
            let outcome = match (x, y) {
                (Some(x), Some(y)) if x.matches(y) => Outcome::Match,
                (Some(_), Some(_)) => Outcome::Mismatch,
                (Some(_), None) => Outcome::OnlyInA,
                _ => Outcome::OnlyInB,
            };
            Entry {
                name: n.clone(),
                a: x.cloned(),
                b: y.cloned(),
                outcome,
            }
        })
        .collect()
}

/// The in-toto Statement v1 of a comparison: subjects are the artefacts that matched (with the
/// first build's digests); the predicate lists every subject with both digests.
pub fn statement(entries: &[Entry], a: &str, b: &str, time: &str) -> Value {
    let digests = |d: &Option<DigestSet>| d.as_ref().map(|d| json!(d.entries()));
    let subjects: Vec<Value> = entries
        .iter()
        .filter(|e| e.outcome == Outcome::Match)
        .filter_map(|e| Some(json!({"name": e.name, "digest": e.a.as_ref()?.entries()})))
        .collect();
    let all: Vec<Value> = entries
        .iter()
        .map(|e| json!({"name": e.name, "result": e.outcome.as_str(), "a": digests(&e.a), "b": digests(&e.b)}))
        .collect();
    let reproducible = entries.iter().all(|e| e.outcome == Outcome::Match) && !entries.is_empty();
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "a": a,
            "b": b,
            "timeCompared": time,
            "result": if reproducible { "REPRODUCIBLE" } else { "NOT_REPRODUCIBLE" },
            "subjects": all,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(entries: &[(&str, &str)]) -> Side {
        Side {
            subjects: entries
                .iter()
                .map(|(n, d)| {
                    (
                        n.to_string(),
                        DigestSet::from_entries([("sha256".to_owned(), d.repeat(32))].into()),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn compares_per_subject_and_names_the_side_missing_one() {
        let a = side(&[("app", "aa"), ("lib.so", "bb"), ("old", "cc")]);
        let b = side(&[("app", "aa"), ("lib.so", "b0"), ("new", "dd")]);
        let r: Vec<(String, Outcome)> = compare(&a, &b)
            .into_iter()
            .map(|e| (e.name, e.outcome))
            .collect();
        assert_eq!(
            r,
            vec![
                ("app".into(), Outcome::Match),
                ("lib.so".into(), Outcome::Mismatch),
                ("new".into(), Outcome::OnlyInB),
                ("old".into(), Outcome::OnlyInA),
            ]
        );
        let st = statement(&compare(&a, &b), "A", "B", "t");
        assert_eq!(st["predicate"]["result"], "NOT_REPRODUCIBLE");
        assert_eq!(st["subject"].as_array().unwrap().len(), 1);
        let st = statement(&compare(&a, &a), "A", "A", "t");
        assert_eq!(st["predicate"]["result"], "REPRODUCIBLE");
    }

    #[test]
    fn directories_are_compared_by_relative_path() {
        let d = tempfile::tempdir().unwrap();
        for (root, content) in [("a", "x"), ("b", "x")] {
            std::fs::create_dir_all(d.path().join(root).join("bin")).unwrap();
            std::fs::write(d.path().join(root).join("bin/app"), content).unwrap();
        }
        let a = Side::from_path(&d.path().join("a")).unwrap();
        assert_eq!(a.subjects.keys().collect::<Vec<_>>(), ["bin/app"]);
        let b = Side::from_path(&d.path().join("b")).unwrap();
        assert!(compare(&a, &b).iter().all(|e| e.outcome == Outcome::Match));
        std::fs::write(d.path().join("b/bin/app"), "y").unwrap();
        let b = Side::from_path(&d.path().join("b")).unwrap();
        assert_eq!(compare(&a, &b)[0].outcome, Outcome::Mismatch);
    }
}

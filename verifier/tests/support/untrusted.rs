//! The oracles for parsers of what arrives from the network or a database update: RustSec
//! advisory Markdown, OSV JSON, npm packuments, crates.io sparse-index files and `config.json`,
//! `.npmrc` and `package.json`. Each function takes raw bytes, runs the parser the way tollgate
//! does, and asserts (by panicking) that it did not panic and that the result is well formed or
//! the error says what and where.
//!
//! One definition for both users: `verifier/tests/untrusted_proptest.rs` (proptest, in CI) and
//! the cargo-fuzz targets in `fuzz/` (through `#[path]` in `fuzz/src/lib.rs`).

#![allow(dead_code)]

use std::path::Path;

use tollgate_verifier::advisory::import::{self, FileClass};
use tollgate_verifier::advisory::matcher::record_matches;
use tollgate_verifier::advisory::model::{AdvisoryRecord, Format};
use tollgate_verifier::advisory::parse::{self, Parsed};
use tollgate_verifier::advisory::severity::score_cvss;
use tollgate_verifier::lockfile::npm_manifest;
use tollgate_verifier::redact::redact_url;
use tollgate_verifier::registry::npm::{VersionLookup, parse_packument};
use tollgate_verifier::registry::npmrc::Npmrc;
use tollgate_verifier::registry::{crates, error::RegistryError};

/// Versions every parsed advisory is evaluated against (prereleases, build metadata, zero).
const PROBE_VERSIONS: &[&str] = &[
    "0.0.0",
    "0.1.0",
    "1.0.0",
    "1.0.0-alpha.1",
    "2.3.4+build",
    "99.0.0",
];

/// The value the environment gives `NPM_TOKEN` while parsing an `.npmrc`: it must never appear in
/// a result's `Debug`, a warning or an error.
pub const ENV_SECRET: &str = "s3cr3t-FROM-ENV-0451";

/// Records of an advisory: not empty, of the format and ecosystem asked for, and every one
/// evaluates (or is undecidable) on every probe version without a panic.
fn assert_records(records: &[AdvisoryRecord], format: Format) {
    assert!(!records.is_empty(), "an advisory parsed into no record");
    for r in records {
        assert_eq!(r.format, format, "{}: wrong format", r.id);
        if format == Format::RustSec {
            assert_eq!(
                r.ecosystem, "crates.io",
                "{}: RustSec is crates.io only",
                r.id
            );
        }
        for v in PROBE_VERSIONS {
            let v = semver::Version::parse(v).expect("probe versions are semver");
            let _ = record_matches(r, &v);
        }
        if let Some(s) = r.cvss.as_deref().and_then(score_cvss) {
            assert!(
                (0.0..=10.0).contains(&s.score),
                "{}: CVSS score {} out of range",
                r.id,
                s.score
            );
        }
        let _ = r.all_ids().count();
    }
}

/// A RustSec advisory file (`crates/<name>/RUSTSEC-….md`) as `db update` reads it.
pub fn rustsec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rel = Path::new("crates/fuzz/RUSTSEC-2099-0001.md");
    match import::classify(rel, text) {
        Ok(FileClass::RustSec) => match parse::parse_rustsec(text, "fuzz") {
            Ok(Parsed::Records(records)) => {
                assert_eq!(records.len(), 1, "a RustSec file is one advisory");
                assert_records(&records, Format::RustSec);
            }
            Ok(Parsed::Withdrawn(w)) => assert!(!w.is_empty()),
            Err(msg) => assert!(!msg.trim().is_empty(), "empty error message"),
        },
        Ok(FileClass::Osv(_)) => panic!("a .md file classified as OSV"),
        Ok(FileClass::Skip(_)) => {}
        Err(e) => assert_classify_error(&e),
    }
}

/// An OSV record (`<ecosystem>/<id>.json`) as `db update` reads it.
pub fn osv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rel = Path::new("npm/GHSA-fuzz-fuzz-fuzz.json");
    match import::classify(rel, text) {
        Ok(FileClass::Osv(value)) => match parse::parse_osv(value, "fuzz") {
            // An OSV record may affect no package of a known ecosystem: no records is fine.
            Ok(Parsed::Records(records)) if records.is_empty() => {}
            Ok(Parsed::Records(records)) => assert_records(&records, Format::Osv),
            Ok(Parsed::Withdrawn(w)) => assert!(!w.is_empty()),
            Err(msg) => assert!(!msg.trim().is_empty(), "empty error message"),
        },
        Ok(FileClass::RustSec) => panic!("a .json file classified as RustSec"),
        Ok(FileClass::Skip(_)) => {}
        Err(e) => assert_classify_error(&e),
    }
}

fn assert_classify_error(e: &import::ClassifyError) {
    assert!(!e.message.trim().is_empty(), "empty classify error");
    // Column 0 means "unknown" (serde_json's column right after a line break) and is not shown.
    if let Some((line, _)) = e.place {
        assert!(line >= 1, "place on line 0: {}", e.message);
    }
}

/// An npm packument for `left-pad`: every version it names (and a few it does not) is looked
/// up; a found version's digests have their algorithm's length.
pub fn packument(data: &[u8]) {
    match parse_packument(data, "left-pad") {
        Ok(p) => {
            let mut versions: Vec<String> = ["1.3.0", "0.0.0", ""].map(str::to_owned).to_vec();
            if let Ok(serde_json::Value::Object(doc)) = serde_json::from_slice(data)
                && let Some(serde_json::Value::Object(vs)) = doc.get("versions")
            {
                versions.extend(vs.keys().cloned());
            }
            for v in &versions {
                match p.version(v) {
                    Ok(VersionLookup::Found(found)) => {
                        for d in &found.digests {
                            assert_eq!(
                                d.bytes.len(),
                                d.algorithm.digest_len(),
                                "{v}: a {:?} digest of {} bytes",
                                d.algorithm,
                                d.bytes.len()
                            );
                        }
                    }
                    Ok(VersionLookup::Missing | VersionLookup::Unpublished) => {}
                    Err(msg) => assert!(msg.starts_with(v.as_str()), "{msg}"),
                }
                let _ = p.needs_full_document(v);
            }
        }
        Err(msg) => assert!(!msg.trim().is_empty(), "empty error message"),
    }
}

/// A crates.io sparse-index file for `serde` (one JSON object per line) and a registry
/// `config.json`.
pub fn sparse_index(data: &[u8]) {
    match crates::parse_entry(data, "serde") {
        Ok(versions) => {
            for v in &versions {
                assert!(v.name.eq_ignore_ascii_case("serde"), "entry for {}", v.name);
                assert_eq!(v.cksum.bytes.len(), 32, "cksum of {}", v.vers);
            }
        }
        Err(msg) => assert!(
            msg.starts_with("line ") || msg.starts_with("not UTF-8"),
            "error names no line: {msg}"
        ),
    }
    match crates::parse_config(data) {
        Ok(c) => {
            let _ = crates::download_url(&c.dl, "serde", "1.0.0", Some("00"));
        }
        Err(msg) => assert!(!msg.trim().is_empty(), "empty error message"),
    }
}

/// A project `.npmrc`, with `NPM_TOKEN` set to [`ENV_SECRET`]: registries are http(s) URLs,
/// credential prefixes are nerf darts, and the secret from the environment shows nowhere.
pub fn npmrc(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/.npmrc");
    let env = |k: &str| (k == "NPM_TOKEN").then(|| ENV_SECRET.to_owned());
    match Npmrc::parse(path, text, &env) {
        Ok(rc) => {
            for url in rc.registry.iter().chain(rc.scopes.values()) {
                assert!(
                    url.starts_with("https://") || url.starts_with("http://"),
                    "registry {url:?} is not http(s)"
                );
            }
            for scope in rc.scopes.keys() {
                assert!(scope.starts_with('@'), "scope {scope:?}");
            }
            for a in &rc.auth {
                assert!(
                    a.prefix.starts_with("//") && a.prefix.ends_with('/'),
                    "prefix {:?}",
                    a.prefix
                );
            }
            // A registry URL is shown only through `redact_url` (a variable may hold a token
            // and land in a URL as `…/:_authToken=${NPM_TOKEN}`); credentials never show.
            for url in rc.registry.iter().chain(rc.scopes.values()) {
                let shown = redact_url(url);
                assert!(!shown.contains(ENV_SECRET), "the secret shows in {shown}");
            }
            let shown = format!("{:?} {:?}", rc.auth, rc.warnings);
            assert!(!shown.contains(ENV_SECRET), "the secret shows in {shown}");
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                !msg.contains(ENV_SECRET),
                "the secret shows in the error: {msg}"
            );
            match &e {
                RegistryError::Config { origin, .. } => {
                    assert!(origin.starts_with("fuzz/.npmrc:"), "origin {origin}: {msg}");
                }
                other => panic!("unexpected error kind: {other}"),
            }
        }
    }
}

/// A `package.json` as the drift stage reads it: errors name the file and a 1-based line.
pub fn package_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/package.json");
    let lines = text.lines().count() as u32 + 1;
    match npm_manifest::parse_package_json(path, text) {
        Ok(m) => {
            assert!(m.version_line <= lines, "version line {}", m.version_line);
            for d in &m.deps {
                assert!(d.line <= lines, "{}: line {} of {lines}", d.name, d.line);
            }
            for (line, problem) in &m.problems {
                assert!(*line <= lines && !problem.is_empty(), "{line}: {problem}");
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz/package.json:"), "{msg}");
            assert!(
                e.place.as_ref().is_some_and(|p| p.line >= 1),
                "error names no line: {msg}"
            );
        }
    }
}

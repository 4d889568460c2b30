//! npm registries: packument URLs and the parts of a packument verification needs
//! (`versions[v].dist.integrity` / `dist.shasum`, `deprecated`, `time.unpublished`).
//!
//! The abbreviated document (`Accept: application/vnd.npm.install-v1+json`) carries `dist` and
//! `deprecated` and is much smaller; it lacks `time`, so when a version is missing from it (or
//! carries no hash) the full document is fetched to tell "unpublished" from "never published"
//! and to rule out a stale abbreviated copy.

use std::collections::HashMap;

use serde::Deserialize;

use tollgate_attest::registry_signature::RegistrySignature;

use crate::package::{Digest, HashAlgorithm, Integrity, decode_hex};

/// `Accept` for the abbreviated ("corgi") document, as npm sends it.
pub const ACCEPT_ABBREVIATED: &str =
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
/// `Accept` for the full document.
pub const ACCEPT_FULL: &str = "application/json";

/// The packument URL: `{registry}{name}`, a scoped name written `@scope%2fname`.
pub fn packument_url(registry: &str, name: &str) -> String {
    let base = registry.trim_end_matches('/');
    format!("{base}/{}", name.replacen('/', "%2f", 1))
}

/// The conventional tarball URL: `{registry}{name}/-/{basename}-{version}.tgz`.
pub fn tarball_url(registry: &str, name: &str, version: &str) -> String {
    let base = registry.trim_end_matches('/');
    let basename = name.rsplit('/').next().unwrap_or(name);
    format!("{base}/{name}/-/{basename}-{version}.tgz")
}

#[derive(Deserialize)]
struct RawDist {
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    shasum: Option<String>,
    #[serde(default)]
    tarball: Option<String>,
    #[serde(default)]
    signatures: Option<Vec<RawSignature>>,
    #[serde(default)]
    attestations: Option<RawAttestations>,
}

#[derive(Deserialize)]
struct RawSignature {
    #[serde(default)]
    keyid: Option<String>,
    #[serde(default)]
    sig: Option<String>,
}

#[derive(Deserialize)]
struct RawAttestations {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawVersion {
    #[serde(default)]
    dist: Option<RawDist>,
    #[serde(default)]
    deprecated: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackument {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    versions: Option<HashMap<String, RawVersion>>,
    /// `time`: `created`, `modified`, one RFC 3339 string per version, and `unpublished`.
    #[serde(default)]
    time: Option<HashMap<String, serde_json::Value>>,
}

/// One version's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmVersion {
    /// Digests from `dist.integrity` and `dist.shasum`.
    pub digests: Vec<Digest>,
    /// The deprecation message (`Some("")` for `deprecated: true`).
    pub deprecated: Option<String>,
    /// `dist.tarball`.
    pub tarball: Option<String>,
    /// What `--verify-provenance` reads: signatures, attestations, publish time.
    pub provenance: NpmProvenanceFacts,
}

/// The parts of a version's record that provenance verification reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NpmProvenanceFacts {
    /// `dist.integrity`, exactly as served (the registry signs this string).
    pub integrity: Option<String>,
    /// `dist.signatures`.
    pub signatures: Vec<RegistrySignature>,
    /// `dist.attestations.url`.
    pub attestations_url: Option<String>,
    /// `time[version]`, Unix seconds (only the full document has it).
    pub published: Option<i64>,
}

/// What a packument says about one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionLookup {
    /// The version is published.
    Found(NpmVersion),
    /// The document has no such version.
    Missing,
    /// The whole package was unpublished (`time.unpublished`).
    Unpublished,
}

/// The parts of a packument verification needs.
pub struct Packument {
    versions: HashMap<String, RawVersion>,
    unpublished: bool,
    times: HashMap<String, serde_json::Value>,
}

/// Parses a packument for `name`. A document for another name is an error.
pub fn parse_packument(bytes: &[u8], name: &str) -> Result<Packument, String> {
    let raw: RawPackument = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if let Some(n) = &raw.name
        && n != name
    {
        return Err(format!("document is for package {n:?}, expected {name:?}"));
    }
    let times = raw.time.unwrap_or_default();
    Ok(Packument {
        unpublished: times.get("unpublished").is_some_and(|u| !u.is_null()),
        versions: raw.versions.unwrap_or_default(),
        times,
    })
}

impl Packument {
    /// The record of one version; an error when the registry's own hashes are malformed or
    /// disagree with each other.
    pub fn version(&self, version: &str) -> Result<VersionLookup, String> {
        let Some(v) = self.versions.get(version) else {
            return Ok(if self.unpublished && self.versions.is_empty() {
                VersionLookup::Unpublished
            } else {
                VersionLookup::Missing
            });
        };
        let mut digests = Vec::new();
        let mut tarball = None;
        let mut provenance = NpmProvenanceFacts {
            published: self
                .times
                .get(version)
                .and_then(serde_json::Value::as_str)
                .and_then(tollgate_attest::time::parse_rfc3339),
            ..NpmProvenanceFacts::default()
        };
        if let Some(d) = &v.dist {
            provenance.integrity = d.integrity.clone();
            for s in d.signatures.iter().flatten() {
                match (&s.keyid, &s.sig) {
                    (Some(keyid), Some(sig)) => provenance.signatures.push(RegistrySignature {
                        keyid: keyid.clone(),
                        sig: sig.clone(),
                    }),
                    _ => {
                        return Err(format!(
                            "{version}: a dist.signatures entry without `keyid` and `sig`"
                        ));
                    }
                }
            }
            provenance.attestations_url = d.attestations.as_ref().and_then(|a| a.url.clone());
            if let Some(i) = d.integrity.as_deref().filter(|s| !s.trim().is_empty()) {
                let parsed = Integrity::from_sri(i);
                if !parsed.malformed.is_empty() {
                    return Err(format!(
                        "{version}: dist.integrity is malformed ({:?})",
                        parsed.malformed
                    ));
                }
                digests.extend(parsed.digests);
            }
            if let Some(s) = d.shasum.as_deref().filter(|s| !s.trim().is_empty()) {
                let bytes = decode_hex(s.trim())
                    .filter(|b| b.len() == 20)
                    .ok_or_else(|| format!("{version}: dist.shasum is not 40 hex digits"))?;
                let sha1 = Digest {
                    algorithm: HashAlgorithm::Sha1,
                    bytes: bytes.into(),
                };
                if digests
                    .iter()
                    .any(|d| d.algorithm == HashAlgorithm::Sha1 && d.bytes != sha1.bytes)
                {
                    return Err(format!(
                        "{version}: dist.integrity and dist.shasum disagree about the sha1"
                    ));
                }
                if !digests.contains(&sha1) {
                    digests.push(sha1);
                }
            }
            tarball = d.tarball.clone();
        }
        let deprecated = match &v.deprecated {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(serde_json::Value::Bool(true)) => Some(String::new()),
            _ => None,
        };
        Ok(VersionLookup::Found(NpmVersion {
            digests,
            deprecated,
            tarball,
            provenance,
        }))
    }

    /// `true` when the abbreviated document cannot answer for `version`: it is missing or has
    /// no hash, and only the full document can say why.
    pub fn needs_full_document(&self, version: &str) -> bool {
        match self.version(version) {
            Ok(VersionLookup::Found(v)) => v.digests.is_empty(),
            Ok(_) => true,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_scopes() {
        assert_eq!(
            packument_url("https://r.example/npm/", "@babel/core"),
            "https://r.example/npm/@babel%2fcore"
        );
        assert_eq!(
            packument_url("https://r.example", "a"),
            "https://r.example/a"
        );
        assert_eq!(
            tarball_url("https://r.example/", "@babel/core", "7.0.0"),
            "https://r.example/@babel/core/-/core-7.0.0.tgz"
        );
    }

    const DOC: &str = r#"{"name":"a","versions":{
        "1.0.0":{"dist":{"integrity":"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==","shasum":"a9993e364706816aba3e25717850c26c9cd0d89d","tarball":"https://r/a/-/a-1.0.0.tgz"}},
        "1.0.1":{"dist":{"shasum":"a9993e364706816aba3e25717850c26c9cd0d89d"},"deprecated":"use 2"},
        "1.0.2":{"dist":{}, "deprecated":""},
        "1.0.3":{"dist":{"integrity":"sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=","shasum":"a9993e364706816aba3e25717850c26c9cd0d89d"}},
        "1.0.4":{"dist":{"integrity":"sha512-nope"}}
    }}"#;

    #[test]
    fn accepts_integrity_shasum_and_deprecation() {
        let p = parse_packument(DOC.as_bytes(), "a").unwrap();
        let VersionLookup::Found(v) = p.version("1.0.0").unwrap() else {
            panic!()
        };
        assert_eq!(v.digests.len(), 2);
        assert_eq!(v.deprecated, None);
        let VersionLookup::Found(v) = p.version("1.0.1").unwrap() else {
            panic!()
        };
        assert_eq!(v.deprecated.as_deref(), Some("use 2"));
        assert!(!p.needs_full_document("1.0.1"));
        assert!(p.needs_full_document("1.0.2"));
        assert!(p.needs_full_document("9.9.9"));
        assert_eq!(p.version("9.9.9").unwrap(), VersionLookup::Missing);
    }

    #[test]
    fn rejects_inconsistent_or_malformed_registry_hashes() {
        let p = parse_packument(DOC.as_bytes(), "a").unwrap();
        assert!(p.version("1.0.3").unwrap_err().contains("disagree"));
        assert!(p.version("1.0.4").unwrap_err().contains("malformed"));
    }

    #[test]
    fn rejects_a_document_for_another_package() {
        assert!(parse_packument(DOC.as_bytes(), "b").is_err());
        assert!(parse_packument(b"[1,2]", "a").is_err());
    }

    #[test]
    fn sees_unpublished_packages() {
        let p = parse_packument(
            br#"{"name":"gone","time":{"created":"2020-01-01T00:00:00Z","unpublished":{"time":"2021-01-01T00:00:00Z","versions":["1.0.0"]}}}"#,
            "gone",
        )
        .unwrap();
        assert_eq!(p.version("1.0.0").unwrap(), VersionLookup::Unpublished);
    }
}

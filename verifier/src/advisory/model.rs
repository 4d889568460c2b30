//! The normalized advisory record stored in the index: one record per (advisory, package).

use serde::{Deserialize, Serialize};

use super::version::OsvRange;
use crate::finding::Code;

/// The kind of an advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdvisoryKind {
    /// A vulnerability.
    Vulnerability,
    /// RustSec `informational = "unmaintained"`.
    Unmaintained,
    /// RustSec `informational = "unsound"`.
    Unsound,
    /// RustSec `informational = "notice"` (and any other informational value).
    Notice,
}

impl AdvisoryKind {
    /// The finding code of this kind.
    pub fn code(self) -> Code {
        match self {
            AdvisoryKind::Vulnerability => Code::Vulnerability,
            AdvisoryKind::Unmaintained => Code::Unmaintained,
            AdvisoryKind::Unsound => Code::Unsound,
            AdvisoryKind::Notice => Code::Notice,
        }
    }

    /// From a RustSec `informational` value (`None` = a vulnerability).
    pub fn from_informational(s: Option<&str>) -> AdvisoryKind {
        match s.map(str::to_ascii_lowercase).as_deref() {
            None | Some("") => AdvisoryKind::Vulnerability,
            Some("unmaintained") => AdvisoryKind::Unmaintained,
            Some("unsound") => AdvisoryKind::Unsound,
            Some(_) => AdvisoryKind::Notice,
        }
    }
}

/// Which affected-version description a record carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Affected {
    /// RustSec `[versions]`: requirement strings, evaluated as cargo-audit does.
    RustSec {
        /// `patched` requirements.
        patched: Vec<String>,
        /// `unaffected` requirements.
        unaffected: Vec<String>,
    },
    /// OSV `ranges` (SEMVER / ECOSYSTEM only) and `versions`.
    Osv {
        /// Ranges (or-ed).
        ranges: Vec<OsvRange>,
        /// Explicitly listed affected versions.
        versions: Vec<String>,
    },
}

/// The format an advisory was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// RustSec advisory-db Markdown.
    RustSec,
    /// OSV JSON.
    Osv,
}

/// One advisory about one package, as stored in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryRecord {
    /// Advisory id (`RUSTSEC-2020-0071`, `GHSA-…`, `NSWG-ECO-49`).
    pub id: String,
    /// Aliases (`CVE-…`, `GHSA-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Format it was read from.
    pub format: Format,
    /// Name of the source (import directory name or configured source), for display.
    pub source: String,
    /// OSV ecosystem name (`crates.io`, `npm`, …).
    pub ecosystem: String,
    /// Package name.
    pub package: String,
    /// Kind.
    pub kind: AdvisoryKind,
    /// One-line title (RustSec `# Title`, OSV `summary`).
    pub title: String,
    /// Publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Last modification date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Link to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// CVSS vector (the newest version given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<String>,
    /// OSV `database_specific.severity` (LOW / MODERATE / HIGH / CRITICAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_severity: Option<String>,
    /// Affected versions.
    pub affected: Affected,
    /// RustSec `[affected] functions` (paths), for display.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// Affected operating systems, for display.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<String>,
    /// Affected architectures, for display.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arch: Vec<String>,
    /// RustSec `source` (a registry other than crates.io); such advisories never match
    /// crates.io packages (cargo-audit compares sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

impl AdvisoryRecord {
    /// Every id of the record: its id, then its aliases.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

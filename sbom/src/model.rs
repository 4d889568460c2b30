//! The CycloneDX JSON document, as typed serde structs: the subset tollgate writes.
//!
//! Written by hand rather than with `cyclonedx-bom`: that crate (0.8) models specification
//! versions up to 1.5 and builds documents through validated wrapper types whose serialisation
//! order tollgate does not control, while a reproducible SBOM needs exact field order and
//! sorting, 1.6 (and 1.5) output, and nothing more than the fields below. Field order here is
//! the order in the output; `None` and empty vectors are left out.

use std::sync::Arc;

use serde::Serialize;

/// A `bom-ref` (or purl) shared by every place that names the component: its own `bom-ref` and
/// `purl`, its `dependencies` entry and each `dependsOn` that points at it. One allocation per
/// component instead of one per mention (a 100,000-package SBOM names each several times).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(Arc<str>);

impl Ref {
    /// A reference to `s`.
    pub fn new(s: &str) -> Ref {
        Ref(Arc::from(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Ref {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Ref {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The serial number written while the content-derived one is computed: same length, so the
/// real one replaces it in place.
pub const SERIAL_PLACEHOLDER: &str = "urn:uuid:00000000-0000-0000-0000-000000000000";

/// A CycloneDX BOM (`bomFormat: CycloneDX`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    /// Always `CycloneDX`.
    pub bom_format: &'static str,
    /// `1.6` or `1.5`.
    pub spec_version: &'static str,
    /// `urn:uuid:…`: given, or derived from the content by [`crate::to_json`] (until then
    /// [`SERIAL_PLACEHOLDER`]).
    pub serial_number: String,
    /// `true` while [`serial_number`](Self::serial_number) is still to be derived.
    #[serde(skip)]
    pub derive_serial: bool,
    /// Always 1.
    pub version: u32,
    /// What the BOM describes and who wrote it.
    pub metadata: Metadata,
    /// Every package of the graph but the described component, sorted by `bom-ref`.
    pub components: Vec<Component>,
    /// One entry per component (and the described one), sorted by `ref`.
    pub dependencies: Vec<Dependency>,
}

/// `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metadata {
    /// RFC 3339, from `SOURCE_DATE_EPOCH` when set.
    pub timestamp: String,
    /// The tool that wrote the BOM.
    pub tools: Tools,
    /// The component the BOM describes (the project).
    pub component: Component,
    /// BOM-level facts (the lockfiles read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// `metadata.tools` in the 1.5+ object form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tools {
    /// The tools as components.
    pub components: Vec<ToolComponent>,
}

/// A tool (`metadata.tools.components[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolComponent {
    /// `application`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `tollgate`.
    pub name: &'static str,
    /// Its version.
    pub version: String,
    /// Where it lives.
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
}

/// A component: a package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// `library` (dependencies) or `application` (the described project).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Unique within the BOM: the purl (with a suffix when two packages share one).
    #[serde(rename = "bom-ref")]
    pub bom_ref: Ref,
    /// npm scope (`@corp`) for scoped npm packages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The name (for scoped npm packages, without the scope).
    pub name: String,
    /// The version, when the lockfile names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `required`, `optional` or `excluded` (development only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    /// Digests from the lockfile.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Licenses where the lockfile names them (npm's `license`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<License>,
    /// Package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<Ref>,
    /// Distribution and VCS URLs.
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    /// What CycloneDX has no field for (`tollgate:*`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// A digest (`hashes[]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Hash {
    /// `SHA-256`, `SHA-384`, `SHA-512`, `SHA-1`.
    pub alg: &'static str,
    /// Lower-case hex.
    pub content: String,
}

/// `licenses[]`: an SPDX expression (`MIT`, `(MIT OR Apache-2.0)`), or a name for text that is
/// not one (`SEE LICENSE IN LICENSE.md`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum License {
    /// `{"expression": "…"}`.
    Expression {
        /// The expression.
        expression: String,
    },
    /// `{"license": {"name": "…"}}`.
    Named {
        /// The license.
        license: LicenseName,
    },
}

/// `{"name": "…"}` of [`License::Named`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LicenseName {
    /// The text as written.
    pub name: String,
}

/// An external reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExternalReference {
    /// `distribution`, `vcs`, `website`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The URL (credentials redacted).
    pub url: String,
}

/// A name/value property.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Property {
    /// `tollgate:…`.
    pub name: &'static str,
    /// The value.
    pub value: String,
}

/// `dependencies[]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The component's `bom-ref`.
    #[serde(rename = "ref")]
    pub reference: Ref,
    /// The `bom-ref`s it depends on, sorted, without duplicates (present even when empty: the
    /// graph is complete, and an empty list says "no dependencies", not "unknown").
    pub depends_on: Vec<Ref>,
}

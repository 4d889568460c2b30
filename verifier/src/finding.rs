//! Findings: typed facts produced by checks. No decisions here: policy turns findings into a verdict.

use std::fmt;

use serde::Serialize;

use crate::graph::{Graph, PackageId};
use crate::package::Ecosystem;

/// Severity of a finding, ordered from least to most severe (`Unknown` sorts between `None` and
/// `Low`; policy maps it to a configured severity before comparing with a threshold).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational only.
    None,
    /// No severity is known.
    Unknown,
    /// Low.
    #[default]
    Low,
    /// Medium (GitHub's "moderate").
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, from the least to the most severe.
    pub const ALL: [Severity; 6] = [
        Severity::None,
        Severity::Unknown,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a severity name (also GitHub's `moderate`).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "none" | "info" | "informational" => Severity::None,
            "unknown" => Severity::Unknown,
            "low" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    /// The CVSS v3/v4 qualitative rating of a base score.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $var:ident => ($id:literal, $kind:literal, $sev:ident, $desc:literal), )*) => {
        /// Every finding kind, with a stable id such as `pinning/missing-hash`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $var, )*
        }

        impl Code {
            /// All codes, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$var),*];

            /// Stable id (`area/kind`).
            pub fn id(self) -> &'static str {
                match self { $(Code::$var => $id,)* }
            }

            /// The `kind` value of the JSON contract.
            pub fn kind(self) -> &'static str {
                match self { $(Code::$var => $kind,)* }
            }

            /// Default severity when the check has none of its own (advisories carry theirs).
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$var => Severity::$sev,)* }
            }

            /// One-line description.
            pub fn description(self) -> &'static str {
                match self { $(Code::$var => $desc,)* }
            }

            /// Looks a code up by its kind or id.
            pub fn from_kind(s: &str) -> Option<Code> {
                match s {
                    $($kind | $id => Some(Code::$var),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// A known vulnerability affects the locked version.
    Vulnerability => ("advisory/vulnerability", "vulnerability", Unknown, "a published advisory says the locked version is vulnerable"),
    /// The crate or package is unmaintained.
    Unmaintained => ("advisory/unmaintained", "unmaintained", None, "an advisory says the package is no longer maintained"),
    /// The crate has unsound APIs.
    Unsound => ("advisory/unsound", "unsound", None, "an advisory says the package exposes unsound (memory-unsafe) APIs"),
    /// An informational notice.
    Notice => ("advisory/notice", "notice", None, "an informational advisory concerns the package"),
    /// The locked version was yanked from its registry.
    Yanked => ("registry/yanked", "yanked", Medium, "the locked version was yanked from its registry"),
    /// A registry package without checksum or integrity.
    MissingHash => ("pinning/missing-hash", "missing-hash", High, "a registry package has no checksum or integrity in the lockfile"),
    /// Only a weak (sha1/md5) hash pins the package.
    WeakHash => ("pinning/weak-hash", "weak-hash", Medium, "the package is pinned only by a broken hash (sha1 or md5)"),
    /// A git dependency not locked to a full commit.
    UnpinnedGit => ("pinning/unpinned-git", "unpinned-git", High, "a git dependency is not locked to a full commit hash"),
    /// Plain-text transport.
    InsecureUrl => ("sources/insecure-url", "insecure-url", High, "a package is fetched over an unauthenticated transport (http://, git://)"),
    /// A source not in the allowed registries.
    UnknownSource => ("sources/unknown-source", "unknown-source", High, "a package resolves from a source the policy does not allow"),
    /// A secret in a URL.
    CredentialInUrl => ("sources/credential-in-url", "credential-in-url", Critical, "a URL in the lockfile carries a credential"),
    /// An npm install script.
    InstallScript => ("pinning/install-script", "install-script", Low, "an npm package runs an install script"),
    /// A path dependency outside the repository.
    PathOutsideRepo => ("sources/path-outside-repo", "path-outside-repo", Medium, "a path dependency points outside the repository"),
    /// The lockfile disagrees with its manifest.
    LockDrift => ("drift/lock-drift", "lock-drift", High, "the lockfile does not satisfy its manifest"),
    /// The registry serves a different hash than the lock pins.
    HashMismatch => ("registry/hash-mismatch", "hash-mismatch", Critical, "the registry's hash differs from the lockfile's: possible tampering"),
    /// The registry marks the version deprecated.
    Deprecated => ("registry/deprecated", "deprecated", Low, "the registry marks the locked version deprecated"),
    /// The registry does not know the package or version.
    NotFound => ("registry/not-found", "not-found", High, "the registry has no record of the locked package version"),
    /// A dependency names a package the lockfile does not contain.
    Inconsistent => ("lockfile/inconsistent", "inconsistent", High, "a lockfile entry depends on a package the lockfile does not contain"),
    /// An npm registry URL names another package or version than its entry.
    TarballMismatch => ("sources/tarball-mismatch", "tarball-mismatch", High, "an npm entry resolves from a registry URL of another package or version"),
    /// A package the policy requires provenance of has none.
    ProvenanceMissing => ("provenance/missing", "provenance-missing", High, "the policy requires provenance for the package and the registry serves none that could be verified"),
    /// The package's attestations do not verify or are not about the locked tarball.
    ProvenanceInvalid => ("provenance/invalid", "provenance-invalid", Critical, "the package's provenance or publish attestation does not verify, or is about another tarball"),
    /// The provenance verifies and violates the package's policy (builder, source repository).
    ProvenancePolicy => ("provenance/policy", "provenance-policy", High, "the package's verified provenance violates its policy (builder, source repository, ref)"),
    /// The registry signs its packages and this version carries no signature.
    SignatureMissing => ("signature/missing", "signature-missing", High, "the registry signs its packages and the locked version carries no registry signature"),
    /// A registry signature does not verify over the locked version.
    SignatureInvalid => ("signature/invalid", "signature-invalid", Critical, "a registry signature does not verify over the locked name, version and integrity"),
}

/// The package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageRef {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Graph id of the package node.
    pub id: String,
    /// Package URL.
    pub purl: String,
}

impl PackageRef {
    /// The reference to a package of the graph (its purl computed once per package).
    pub fn of(graph: &Graph, id: crate::graph::PackageId) -> PackageRef {
        let p = graph.package(id);
        PackageRef {
            ecosystem: p.ecosystem,
            name: p.name.clone(),
            version: p.version.clone(),
            id: p.id.clone(),
            purl: graph.purl(id).to_owned(),
        }
    }
}

/// Where a finding points in a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingLocation {
    /// The lockfile (as displayed).
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
}

impl fmt::Display for FindingLocation {
    /// `file:line`, or just `file` when the line is unknown (never `file:0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}", self.file, self.line)
        } else {
            f.write_str(&self.file)
        }
    }
}

/// How to make a finding go away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixHint {
    /// Upgrade to this version (the smallest that clears the finding).
    Upgrade {
        /// Target version.
        to: String,
    },
    /// No fixed version exists yet.
    NoFix,
    /// Regenerate the lockfile so that every entry carries an integrity.
    AddIntegrity,
    /// Pin the git dependency to a commit.
    PinGitRev,
    /// Fetch over https:// instead of a plain-text transport (insecure-url).
    UseHttps,
    /// Review the npm install script, then allow the package or install with
    /// `--ignore-scripts` (install-script).
    ReviewInstallScript,
    /// Revoke the credential and keep it out of the lockfile (credential-in-url).
    RevokeCredential,
    /// Resolve from an allowed registry, or allow the source (unknown-source).
    UseAllowedSource,
    /// Vendor the path dependency or publish it to a registry (path-outside-repo).
    VendorOrPublish {
        /// `package` (npm) or `crate` (Cargo manifests).
        what: VendoredThing,
    },
    /// Upgrade to a version that is not yanked (yanked).
    UpgradeFromYanked,
    /// Upgrade or replace the package as the deprecation says (deprecated).
    ReplaceDeprecated,
    /// Run again online or with `--artifact-cache` so the artifact can be hashed.
    HashArtifact,
    /// Find out which side changed before regenerating the lockfile (hash-mismatch).
    InvestigateHashMismatch,
    /// Check the registry URL, or move to a published version (not-found).
    CheckRegistryUrl,
    /// Regenerate the lockfile with this command (inconsistent).
    RegenerateLockfile {
        /// The command, as shown (`` `npm install --package-lock-only` ``).
        command: String,
    },
    /// Run the resolver and commit the lockfile (lock-drift).
    UpdateLockfile {
        /// The command (`npm install`, `cargo update -p serde`).
        command: String,
        /// The lockfile to commit.
        lockfile: String,
        /// Any cargo command without `--locked` would do as well.
        any_unlocked_cargo_command: bool,
    },
    /// Fix the manifest: it cannot be loaded (lock-drift).
    FixManifest,
    /// Ask for provenance (`npm publish --provenance`), pin a version that has it, or waive
    /// (provenance-missing).
    RequestProvenance,
    /// Treat as tampering until shown otherwise: do not install the version; compare with the
    /// registry (provenance-invalid, signature-invalid).
    InvestigateTampering,
    /// Check how the version was built against the policy; change one of them (provenance-policy).
    ReviewProvenancePolicy,
    /// Re-resolve from the registry that signs, or find out why this copy is unsigned
    /// (signature-missing).
    ResolveFromSigningRegistry,
    /// Restore a workspace member's manifest, or remove the member (lock-drift).
    RestoreMember {
        /// The member's directory.
        dir: String,
    },
}

/// What [`FixHint::VendorOrPublish`] speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendoredThing {
    /// An npm package.
    Package,
    /// A Cargo crate.
    Crate,
}

impl FixHint {
    /// Stable machine name of the hint (`fix_hint.kind` of the JSON report).
    pub fn kind(&self) -> &'static str {
        match self {
            FixHint::Upgrade { .. } => "upgrade",
            FixHint::NoFix => "no-fix",
            FixHint::AddIntegrity => "add-integrity",
            FixHint::PinGitRev => "pin-git-rev",
            FixHint::UseHttps => "use-https",
            FixHint::ReviewInstallScript => "review-install-script",
            FixHint::RevokeCredential => "revoke-credential",
            FixHint::UseAllowedSource => "use-allowed-source",
            FixHint::VendorOrPublish { .. } => "vendor-or-publish",
            FixHint::UpgradeFromYanked => "upgrade-from-yanked",
            FixHint::ReplaceDeprecated => "replace-deprecated",
            FixHint::HashArtifact => "hash-artifact",
            FixHint::InvestigateHashMismatch => "investigate-hash-mismatch",
            FixHint::CheckRegistryUrl => "check-registry-url",
            FixHint::RegenerateLockfile { .. } => "regenerate-lockfile",
            FixHint::UpdateLockfile { .. } => "update-lockfile",
            FixHint::FixManifest => "fix-manifest",
            FixHint::RequestProvenance => "request-provenance",
            FixHint::InvestigateTampering => "investigate-tampering",
            FixHint::ReviewProvenancePolicy => "review-provenance-policy",
            FixHint::ResolveFromSigningRegistry => "resolve-from-signing-registry",
            FixHint::RestoreMember { .. } => "restore-member",
        }
    }

    /// `true` for the hints the JSON report has always written as `{"advice": …}` (prose).
    pub fn is_advice(&self) -> bool {
        !matches!(
            self,
            FixHint::Upgrade { .. } | FixHint::NoFix | FixHint::AddIntegrity | FixHint::PinGitRev
        )
    }

    /// The input strings the hint carries, for redaction.
    pub fn strings_mut(&mut self) -> Vec<&mut String> {
        match self {
            FixHint::Upgrade { to } => vec![to],
            FixHint::RegenerateLockfile { command } => vec![command],
            FixHint::UpdateLockfile {
                command, lockfile, ..
            } => vec![command, lockfile],
            FixHint::RestoreMember { dir } => vec![dir],
            _ => Vec::new(),
        }
    }
}

/// Advisory details carried by advisory findings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdvisoryDetails {
    /// Publication date (RFC 3339 or `YYYY-MM-DD`).
    pub published: Option<String>,
    /// Last modification date.
    pub modified: Option<String>,
    /// When a fixed version became available, when known.
    pub fixed_available: Option<String>,
    /// A link to read more.
    pub url: Option<String>,
    /// The CVSS vector, if any.
    pub cvss: Option<String>,
    /// The CVSS base score, if computed.
    pub score: Option<f64>,
    /// Versions (or requirements) that fix it.
    pub patched: Vec<String>,
    /// Affected functions (RustSec `[affected] functions`), for display.
    pub functions: Vec<String>,
    /// Affected operating systems.
    pub os: Vec<String>,
    /// Affected architectures.
    pub arch: Vec<String>,
    /// The databases the ids came from.
    pub sources: Vec<String>,
}

/// One finding: a typed fact about a package (or about the inputs as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Stable, unique id of this finding (`code:first-id:package`).
    pub id: String,
    /// What kind of finding.
    pub code: Code,
    /// Advisory ids and aliases (first is the primary id); empty for non-advisory findings.
    pub ids: Vec<String>,
    /// Severity.
    pub severity: Severity,
    /// The package concerned.
    pub package: Option<PackageRef>,
    /// Display path from a root to the package.
    pub path: Vec<String>,
    /// Location in a lockfile.
    pub location: Option<FindingLocation>,
    /// One-line title.
    pub title: String,
    /// Longer explanation; secrets are already redacted.
    pub message: String,
    /// How to fix.
    pub fix: Option<FixHint>,
    /// Advisory details, for advisory findings.
    pub advisory: Option<AdvisoryDetails>,
    /// Package scopes (`dev`, `optional`, …) at the time of the finding, for scope filtering.
    pub scopes: Vec<&'static str>,
    /// npm `devOptional`.
    pub dev_optional: bool,
}

impl Finding {
    /// A finding about a package of the graph, with path and location filled in.
    pub fn for_package(
        graph: &Graph,
        pkg: PackageId,
        code: Code,
        title: impl Into<String>,
    ) -> Self {
        let p = graph.package(pkg);
        let path = graph
            .path_from_root(pkg)
            .map(|ids| {
                ids.into_iter()
                    .map(|i| graph.display_name(i).to_owned())
                    .collect()
            })
            .unwrap_or_else(|| vec![graph.display_name(pkg).to_owned()]);
        let file = graph
            .lockfiles
            .get(p.location.lockfile as usize)
            .map(|l| l.display.clone())
            .unwrap_or_default();
        Finding {
            id: format!("{}:{}", code.id(), graph.display_name(pkg)),
            code,
            ids: Vec::new(),
            severity: code.default_severity(),
            package: Some(PackageRef::of(graph, pkg)),
            path,
            location: Some(FindingLocation {
                file,
                line: p.location.line,
            }),
            title: title.into(),
            message: String::new(),
            fix: None,
            advisory: None,
            scopes: p.scopes.names(),
            dev_optional: p.scopes.dev_optional,
        }
    }

    /// Sort key giving a deterministic order: severity (highest first), code, package, ids.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            self.code,
            self.package.as_ref().map(|p| {
                (
                    p.ecosystem,
                    p.name.as_str(),
                    p.version.as_str(),
                    p.id.as_str(),
                )
            }),
            self.ids.first().map(String::as_str),
            self.id.as_str(),
        )
    }
}

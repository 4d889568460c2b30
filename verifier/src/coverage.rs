//! Coverage: what a verification looked at, per package. Every package of the graph (roots
//! aside) gets one status per verification run: it is never dropped, so a report shows what was
//! *not* verified and why, not only what failed.

use std::collections::BTreeMap;

use crate::finding::PackageRef;

/// Why a package has its coverage status, as data (JSON `code`): consumers read this, not the
/// prose `how` / `reason` beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoverageCode {
    /// Verified: a lockfile hash matches the registry's record.
    RegistryHash,
    /// Verified: the registry shares no algorithm with the lockfile, and the artifact, hashed
    /// with both, matches each.
    ArtifactBridge,
    /// Verified: the downloaded artifact matches the lockfile's hash.
    ArtifactHash,
    /// Unverifiable: not looked up.
    NotLookedUp,
    /// Unverifiable: the registry or artifact could not be reached or read (the reason says how).
    Unavailable,
    /// Unverifiable: the registry has no such package or version.
    NotFound,
    /// Unverifiable: the hashes differ (a finding is raised).
    HashMismatch,
    /// Unverifiable: the lockfile pins no usable hash.
    NoUsableHash,
    /// Unverifiable: the lockfile's hashes share no algorithm with the registry's record (and
    /// no artifact bridged them: a finding is raised) or cannot be computed for the artifact.
    NoCommonAlgorithm,
    /// Skipped: bundled inside its parent's tarball.
    Bundled,
    /// Skipped: a workspace member or local folder.
    LocalFolder,
    /// Skipped: a local path.
    LocalPath,
    /// Skipped: a git dependency (pinned by its commit).
    Git,
    /// Skipped: a local copy (directory or local registry).
    LocalCopy,
    /// Skipped: a local tarball.
    LocalTarball,
    /// Skipped: a remote tarball outside every registry.
    RemoteTarball,
    /// Verified: the provenance and publish attestations verify and are about the locked
    /// tarball (provenance).
    Attestations,
    /// Verified: the registry's signature verifies over the locked version (signatures).
    RegistrySignature,
    /// Unsigned: the registry serves no attestations for the version (provenance).
    NoAttestations,
    /// Unsigned: the version carries no registry signature (signatures).
    NoSignature,
    /// Unverifiable: no signing keys are pinned for the package's registry (signatures).
    NoPinnedKeys,
    /// Unverifiable: the ecosystem's registry publishes no attestations or signatures (crates).
    NoRegistryAttestations,
    /// Unverifiable: the lockfile pins no sha512, which attestations and signatures are about.
    NoSha512,
}

impl CoverageCode {
    /// Every code, in documentation order.
    pub const ALL: [CoverageCode; 23] = [
        CoverageCode::RegistryHash,
        CoverageCode::ArtifactBridge,
        CoverageCode::ArtifactHash,
        CoverageCode::NotLookedUp,
        CoverageCode::Unavailable,
        CoverageCode::NotFound,
        CoverageCode::HashMismatch,
        CoverageCode::NoUsableHash,
        CoverageCode::NoCommonAlgorithm,
        CoverageCode::Bundled,
        CoverageCode::LocalFolder,
        CoverageCode::LocalPath,
        CoverageCode::Git,
        CoverageCode::LocalCopy,
        CoverageCode::LocalTarball,
        CoverageCode::RemoteTarball,
        CoverageCode::Attestations,
        CoverageCode::RegistrySignature,
        CoverageCode::NoAttestations,
        CoverageCode::NoSignature,
        CoverageCode::NoPinnedKeys,
        CoverageCode::NoRegistryAttestations,
        CoverageCode::NoSha512,
    ];

    /// The reason of a skip code as the report words it (`None` for the other codes, whose
    /// reason text carries data).
    pub fn skip_text(self) -> Option<&'static str> {
        Some(match self {
            CoverageCode::Bundled => "bundled inside its parent's tarball",
            CoverageCode::LocalFolder => "workspace member or local folder",
            CoverageCode::LocalPath => "local path",
            CoverageCode::Git => "git dependency: pinned by its commit",
            CoverageCode::LocalCopy => "local copy (directory or local registry)",
            CoverageCode::LocalTarball => "local tarball",
            CoverageCode::RemoteTarball => {
                "remote tarball outside every registry: no registry record (--verify-artifacts hashes it)"
            }
            _ => return None,
        })
    }

    /// A skipped status with its code's text.
    pub fn skipped(self) -> CoverageStatus {
        CoverageStatus::Skipped {
            code: self,
            reason: self.skip_text().unwrap_or_default().to_owned(),
        }
    }

    /// The JSON name (`registry-hash`, `not-found`, `git`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageCode::RegistryHash => "registry-hash",
            CoverageCode::ArtifactBridge => "artifact-bridge",
            CoverageCode::ArtifactHash => "artifact-hash",
            CoverageCode::NotLookedUp => "not-looked-up",
            CoverageCode::Unavailable => "unavailable",
            CoverageCode::NotFound => "not-found",
            CoverageCode::HashMismatch => "hash-mismatch",
            CoverageCode::NoUsableHash => "no-usable-hash",
            CoverageCode::NoCommonAlgorithm => "no-common-algorithm",
            CoverageCode::Bundled => "bundled",
            CoverageCode::LocalFolder => "local-folder",
            CoverageCode::LocalPath => "local-path",
            CoverageCode::Git => "git",
            CoverageCode::LocalCopy => "local-copy",
            CoverageCode::LocalTarball => "local-tarball",
            CoverageCode::RemoteTarball => "remote-tarball",
            CoverageCode::Attestations => "attestations",
            CoverageCode::RegistrySignature => "registry-signature",
            CoverageCode::NoAttestations => "no-attestations",
            CoverageCode::NoSignature => "no-signature",
            CoverageCode::NoPinnedKeys => "no-pinned-keys",
            CoverageCode::NoRegistryAttestations => "no-registry-attestations",
            CoverageCode::NoSha512 => "no-sha512",
        }
    }
}

/// The status of one package under one verification.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CoverageStatus {
    /// Looked, and it holds: `how` says against what.
    Verified {
        /// Against what, as a code.
        code: CoverageCode,
        /// E.g. `sha512 matches https://registry.npmjs.org/left-pad`.
        how: String,
    },
    /// Looked, and findings were raised (their kinds).
    Failed {
        /// Finding kinds (`hash-mismatch`, `not-found`).
        kinds: Vec<&'static str>,
    },
    /// In scope, and nothing to verify: the registry publishes no attestation or signature for
    /// the version (provenance and signatures). The policy decides whether that fails.
    Unsigned {
        /// Why, as a code.
        code: CoverageCode,
        /// Why.
        reason: String,
    },
    /// In scope, but could not be verified.
    Unverifiable {
        /// Why, as a code.
        code: CoverageCode,
        /// Why.
        reason: String,
    },
    /// Out of scope (path, git, workspace, bundled packages).
    Skipped {
        /// Why, as a code.
        code: CoverageCode,
        /// Why.
        reason: String,
    },
}

impl CoverageStatus {
    /// The reason code (`None` for failed: its finding kinds say why).
    pub fn code(&self) -> Option<CoverageCode> {
        match self {
            CoverageStatus::Verified { code, .. }
            | CoverageStatus::Unsigned { code, .. }
            | CoverageStatus::Unverifiable { code, .. }
            | CoverageStatus::Skipped { code, .. } => Some(*code),
            CoverageStatus::Failed { .. } => None,
        }
    }

    /// `verified`, `failed`, `unverifiable` or `skipped`.
    pub fn name(&self) -> &'static str {
        match self {
            CoverageStatus::Verified { .. } => "verified",
            CoverageStatus::Failed { .. } => "failed",
            CoverageStatus::Unsigned { .. } => "unsigned",
            CoverageStatus::Unverifiable { .. } => "unverifiable",
            CoverageStatus::Skipped { .. } => "skipped",
        }
    }

    /// The reason (skipped, unverifiable), the finding kinds (failed) or how (verified).
    pub fn detail(&self) -> String {
        match self {
            CoverageStatus::Verified { how, .. } => how.clone(),
            CoverageStatus::Failed { kinds } => kinds.join(", "),
            CoverageStatus::Unsigned { reason, .. }
            | CoverageStatus::Unverifiable { reason, .. }
            | CoverageStatus::Skipped { reason, .. } => reason.clone(),
        }
    }
}

/// One package's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCoverage {
    /// The package.
    pub package: PackageRef,
    /// Its status.
    pub status: CoverageStatus,
}

/// The coverage of one verification (`registry`, `artifacts`, `provenance`, `signatures`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCoverage {
    /// Which verification: `registry`, `artifacts`, `provenance` or `signatures`.
    pub check: &'static str,
    /// Packages verified.
    pub verified: usize,
    /// Packages with findings.
    pub failed: usize,
    /// Packages with nothing to verify (provenance, signatures).
    pub unsigned: usize,
    /// Packages that could not be verified.
    pub unverifiable: usize,
    /// Packages out of scope.
    pub skipped: usize,
    /// Every package, in graph order.
    pub packages: Vec<PackageCoverage>,
}

impl CheckCoverage {
    /// An empty coverage of `check`.
    pub fn new(check: &'static str) -> Self {
        CheckCoverage {
            check,
            verified: 0,
            failed: 0,
            unsigned: 0,
            unverifiable: 0,
            skipped: 0,
            packages: Vec::new(),
        }
    }

    /// Records a package.
    pub fn push(&mut self, package: PackageRef, status: CoverageStatus) {
        match status {
            CoverageStatus::Verified { .. } => self.verified += 1,
            CoverageStatus::Failed { .. } => self.failed += 1,
            CoverageStatus::Unsigned { .. } => self.unsigned += 1,
            CoverageStatus::Unverifiable { .. } => self.unverifiable += 1,
            CoverageStatus::Skipped { .. } => self.skipped += 1,
        }
        self.packages.push(PackageCoverage { package, status });
    }

    /// Packages that are not verified, grouped by (status, reason), for the text renderers.
    pub fn not_verified_groups(&self) -> BTreeMap<(&'static str, String), Vec<&PackageRef>> {
        let mut out: BTreeMap<(&'static str, String), Vec<&PackageRef>> = BTreeMap::new();
        for p in &self.packages {
            if matches!(p.status, CoverageStatus::Verified { .. }) {
                continue;
            }
            out.entry((p.status.name(), p.status.detail()))
                .or_default()
                .push(&p.package);
        }
        out
    }

    /// One line of counts: `1998 verified, 1 failed, 0 unverifiable, 12 skipped` (and
    /// `N unsigned` after `failed` when there are any).
    pub fn counts_line(&self) -> String {
        let unsigned = if self.unsigned > 0 {
            format!(", {} unsigned", self.unsigned)
        } else {
            String::new()
        };
        format!(
            "{} verified, {} failed{unsigned}, {} unverifiable, {} skipped",
            self.verified, self.failed, self.unverifiable, self.skipped
        )
    }
}

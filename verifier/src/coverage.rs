//! Coverage: what a verification looked at, per package. Every package of the graph (roots
//! aside) gets one status per verification run: it is never dropped, so a report shows what was
//! *not* verified and why, not only what failed.

use std::collections::BTreeMap;

use crate::finding::PackageRef;

/// The status of one package under one verification.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CoverageStatus {
    /// Looked, and it holds: `how` says against what.
    Verified {
        /// E.g. `sha512 matches https://registry.npmjs.org/left-pad`.
        how: String,
    },
    /// Looked, and findings were raised (their kinds).
    Failed {
        /// Finding kinds (`hash-mismatch`, `not-found`).
        kinds: Vec<&'static str>,
    },
    /// In scope, but could not be verified.
    Unverifiable {
        /// Why.
        reason: String,
    },
    /// Out of scope (path, git, workspace, bundled packages).
    Skipped {
        /// Why.
        reason: String,
    },
}

impl CoverageStatus {
    /// `verified`, `failed`, `unverifiable` or `skipped`.
    pub fn name(&self) -> &'static str {
        match self {
            CoverageStatus::Verified { .. } => "verified",
            CoverageStatus::Failed { .. } => "failed",
            CoverageStatus::Unverifiable { .. } => "unverifiable",
            CoverageStatus::Skipped { .. } => "skipped",
        }
    }

    /// The reason (skipped, unverifiable), the finding kinds (failed) or how (verified).
    pub fn detail(&self) -> String {
        match self {
            CoverageStatus::Verified { how } => how.clone(),
            CoverageStatus::Failed { kinds } => kinds.join(", "),
            CoverageStatus::Unverifiable { reason } | CoverageStatus::Skipped { reason } => {
                reason.clone()
            }
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

/// The coverage of one verification (`registry`, `artifacts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCoverage {
    /// Which verification: `registry` or `artifacts`.
    pub check: &'static str,
    /// Packages verified.
    pub verified: usize,
    /// Packages with findings.
    pub failed: usize,
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

    /// One line of counts: `1998 verified, 1 failed, 0 unverifiable, 12 skipped`.
    pub fn counts_line(&self) -> String {
        format!(
            "{} verified, {} failed, {} unverifiable, {} skipped",
            self.verified, self.failed, self.unverifiable, self.skipped
        )
    }
}

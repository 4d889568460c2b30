//! The report: findings with their dispositions, waiver notes, and the verdict. Renderers read it.

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};
use crate::time::Duration;
use crate::time::Timestamp;

/// Pass or fail, with reasons.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Verdict {
    /// The policy holds.
    #[default]
    Pass,
    /// The policy is violated, for these reasons.
    Fail(Vec<String>),
}

impl Verdict {
    /// `"pass"` or `"fail"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail(_) => "fail",
        }
    }

    /// `true` for a pass.
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass)
    }
}

/// A finding with what the policy made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFinding {
    /// The finding.
    pub finding: Finding,
    /// The severity used for the threshold (unknown mapped by policy).
    pub effective_severity: Severity,
    /// Blocking, warning or waived.
    pub disposition: Disposition,
    /// SLA state, for vulnerabilities with a publication date.
    pub sla: Option<SlaState>,
}

impl ReportFinding {
    /// `true` when a waiver applies.
    pub fn waived(&self) -> bool {
        matches!(self.disposition, Disposition::Waived { .. })
    }

    /// `true` when past its SLA.
    pub fn overdue(&self) -> bool {
        self.sla.as_ref().is_some_and(|s| s.overdue)
    }

    /// `true` when it blocks the release.
    pub fn blocking(&self) -> bool {
        matches!(self.disposition, Disposition::Blocking { .. })
    }
}

/// Counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Blocking findings.
    pub blocking: usize,
    /// Reported, non-blocking findings.
    pub warnings: usize,
    /// Waived findings.
    pub waived: usize,
    /// Overdue findings (any disposition).
    pub overdue: usize,
    /// Findings dropped because their kind is ignored.
    pub ignored: usize,
    /// Findings on dev/optional-only packages excluded by policy.
    pub out_of_scope: usize,
    /// Reported findings per severity.
    pub by_severity: BTreeMap<Severity, usize>,
}

/// Why a finding does or does not block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Blocks the release.
    Blocking {
        /// Why.
        reason: String,
    },
    /// Reported, does not block.
    Warning {
        /// Why.
        reason: String,
    },
    /// Formally accepted by a waiver.
    Waived {
        /// The waiver's id.
        waiver: String,
        /// The waiver's reason.
        reason: String,
        /// The waiver's owner.
        owner: Option<String>,
        /// The waiver's expiry.
        expires: Option<String>,
    },
}

/// SLA state of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaState {
    /// The SLA for its severity.
    pub sla: Duration,
    /// When the clock started (publication, or fix availability when later).
    pub started: Timestamp,
    /// When it is due.
    pub due: Timestamp,
    /// Age at `now`.
    pub age: Duration,
    /// Past due.
    pub overdue: bool,
}

/// A waiver mentioned by the report (expired or stale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverNote {
    /// Id.
    pub id: String,
    /// Package.
    pub package: Option<String>,
    /// Reason.
    pub reason: String,
    /// Owner.
    pub owner: Option<String>,
    /// Expiry.
    pub expires: Option<String>,
    /// Byte offset of the waiver in the config file.
    pub offset: usize,
}

/// A config entry that matches nothing (`tollgate.toml` `[section] key = [.., entry, ..]`): an
/// `ignore` pattern, allow-list entry or registry mapping whose removal would change no finding.
/// Like a stale waiver: reported, never blocking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleConfigEntry {
    /// The section, dotted (`pinning.missing-hash`, `registries`).
    pub section: String,
    /// The key (`ignore`, `allow-hosts`, `scopes`).
    pub key: String,
    /// The entry (a pattern, host, URL, or a map's key).
    pub entry: String,
}

impl std::fmt::Display for StaleConfigEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stale config: [{}] {} entry {:?} matches nothing; remove it",
            self.section, self.key, self.entry
        )
    }
}

/// Facts about the advisory database used.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatabaseInfo {
    /// Where it came from (`embedded`, a path).
    pub origin: String,
    /// Snapshot date.
    pub updated: Option<String>,
    /// Number of advisories.
    pub advisories: usize,
    /// Age in days at `now`.
    pub age_days: Option<i64>,
    /// Sources and commits.
    pub sources: Vec<String>,
}

/// A lockfile that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLockfile {
    /// Displayed path.
    pub path: String,
    /// Format.
    pub format: crate::lockfile::Format,
    /// Version.
    pub version: u32,
    /// Packages.
    pub packages: usize,
}

/// Where one file named by the report lies, for SARIF locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcePath {
    /// Inside the repository root: this path relative to it, `/`-separated.
    InRoot(String),
    /// Outside the repository root: this absolute path, `/`-separated.
    Outside(String),
}

/// The repository root and where each file the report names lies relative to it. Filled in by
/// [`crate::sources::locate`] (which does the IO) before rendering; SARIF writes locations
/// relative to the root (`uriBaseId` `%SRCROOT%`), so code-scanning alerts land on the right
/// file wherever in a monorepo `check` ran.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceFiles {
    /// Absolute path of the repository root (the nearest ancestor of the checked path holding
    /// `.git`, else the current directory), `/`-separated, ending in `/`.
    pub root: String,
    /// Displayed path of each lockfile and each finding location → where it lies.
    pub files: BTreeMap<String, SourcePath>,
}

/// Everything renderers need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The injected `now`.
    pub generated_at: Timestamp,
    /// The verdict.
    pub verdict: Verdict,
    /// Findings, in deterministic order.
    pub findings: Vec<ReportFinding>,
    /// Counts.
    pub summary: Summary,
    /// Waivers that matched but have expired.
    pub expired_waivers: Vec<WaiverNote>,
    /// Waivers that matched nothing.
    pub stale_waivers: Vec<WaiverNote>,
    /// Config entries that match nothing (each also a note, so every renderer shows it).
    pub stale_config: Vec<StaleConfigEntry>,
    /// The threshold.
    pub fail_on: Severity,
    /// `fail-on-overdue`.
    pub fail_on_overdue: bool,
    /// Lockfiles checked.
    pub lockfiles: Vec<CheckedLockfile>,
    /// Packages checked.
    pub packages: usize,
    /// The advisory database, when advisories were checked.
    pub database: Option<DatabaseInfo>,
    /// Warnings about the inputs (lockfile warnings, old database, …).
    pub notes: Vec<String>,
    /// What `--verify-registry` / `--verify-artifacts` looked at (empty when neither ran).
    pub coverage: Vec<crate::coverage::CheckCoverage>,
    /// Where the files named by the report lie in the repository (`None`: unknown; SARIF then
    /// writes the displayed paths).
    pub sources: Option<SourceFiles>,
}

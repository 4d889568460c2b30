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
    Fail(Vec<FailReason>),
}

/// Why a verdict fails, as data (the renderers write the English: its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailReason {
    /// Findings block the release.
    BlockingFindings {
        /// How many.
        count: usize,
        /// The threshold they reach.
        fail_on: Severity,
        /// `fail-on-overdue`: only findings past their SLA block.
        overdue_only: bool,
    },
    /// `[provenance]` sets policies that `check` does not enforce.
    UnenforcedProvenance {
        /// How many policies.
        policies: usize,
    },
    /// The advisory database is stale and fail-on-stale is set.
    StaleDatabase {
        /// Its age in days, when known.
        age_days: Option<i64>,
        /// The limit.
        max_age_days: u32,
    },
}

impl FailReason {
    /// Every code, in documentation order.
    pub const CODES: [&'static str; 3] = [
        "blocking-findings",
        "unenforced-provenance",
        "stale-database",
    ];

    /// Stable name (`reasons_typed[].code` of the JSON report).
    pub fn code(&self) -> &'static str {
        match self {
            FailReason::BlockingFindings { .. } => "blocking-findings",
            FailReason::UnenforcedProvenance { .. } => "unenforced-provenance",
            FailReason::StaleDatabase { .. } => "stale-database",
        }
    }
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
        reason: DispositionReason,
    },
    /// Reported, does not block.
    Warning {
        /// Why.
        reason: DispositionReason,
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
        /// When a VEX statement waived it (not a `tollgate.toml` waiver): the statement.
        vex: Option<Box<crate::vex::VexAnalysis>>,
    },
}

/// Why the policy blocks a finding or only warns about it, as data (the renderers write the
/// English: its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispositionReason {
    /// `[kinds]` denies this kind (blocks).
    Denied {
        /// The kind.
        code: crate::finding::Code,
    },
    /// `[kinds]` only warns on this kind.
    WarnOnly {
        /// The kind.
        code: crate::finding::Code,
    },
    /// The severity is below `fail-on` (warns).
    BelowThreshold {
        /// The effective severity.
        severity: Severity,
        /// The threshold.
        fail_on: Severity,
    },
    /// `fail-on-overdue`, and the finding is within its SLA (warns).
    WithinSla {
        /// The SLA.
        sla: Duration,
        /// When it is due.
        due: Timestamp,
    },
    /// `fail-on-overdue`, and no SLA applies (warns).
    NoSla,
    /// At or above `fail-on` and past its SLA (blocks).
    OverThresholdAndOverdue {
        /// The effective severity.
        severity: Severity,
        /// The threshold.
        fail_on: Severity,
    },
    /// At or above `fail-on` (blocks).
    OverThreshold {
        /// The effective severity.
        severity: Severity,
        /// The threshold.
        fail_on: Severity,
    },
}

impl DispositionReason {
    /// Every code.
    pub const CODES: [&'static str; 7] = [
        "denied",
        "warn-only",
        "below-threshold",
        "within-sla",
        "no-sla",
        "over-threshold-overdue",
        "over-threshold",
    ];

    /// Stable name (`disposition.why.code` of the JSON report).
    pub fn code(&self) -> &'static str {
        match self {
            DispositionReason::Denied { .. } => "denied",
            DispositionReason::WarnOnly { .. } => "warn-only",
            DispositionReason::BelowThreshold { .. } => "below-threshold",
            DispositionReason::WithinSla { .. } => "within-sla",
            DispositionReason::NoSla => "no-sla",
            DispositionReason::OverThresholdAndOverdue { .. } => "over-threshold-overdue",
            DispositionReason::OverThreshold { .. } => "over-threshold",
        }
    }
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

/// A note about the inputs: a stable [`NoteCode`] to match on, and the English the renderers
/// show (JSON and SARIF consumers read the code, not the prose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What kind of note.
    pub code: NoteCode,
    /// The note in English; secrets are redacted.
    pub text: String,
}

impl Note {
    /// A note of `code` saying `text`.
    pub fn new(code: NoteCode, text: impl Into<String>) -> Self {
        Note {
            code,
            text: text.into(),
        }
    }
}

/// The kinds of [`Note`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteCode {
    /// Building the graph produced lockfile warnings (`tollgate graph -v` lists them).
    LockfileWarnings,
    /// Lockfiles of package managers tollgate does not read were found and not checked.
    UnsupportedLockfiles,
    /// `[provenance]` is set but `check` does not enforce it (the verdict fails).
    UnenforcedProvenance,
    /// The advisory database is older than its limit, or of unknown age.
    StaleDatabase,
    /// Lock drift was not checked for a lockfile (no manifest beside it, a hidden lockfile, …).
    DriftNotChecked,
    /// cargo could not decide drift, so the manifests were compared with the lock instead.
    DriftFallback,
    /// A workspace member lies outside the repository; its dependencies were not compared.
    DriftOutsideRepository,
    /// Some packages could not be verified against the registry (the coverage says why).
    Unverifiable,
    /// A problem of the registry stage (an unreadable .npmrc entry, a failed fetch, …).
    Registry,
    /// A config entry (`ignore`, `allow-*`, a registry mapping) matches nothing.
    StaleConfig,
    /// A waiver was not applied because its approvals do not count (`require-approved-waivers`).
    UnapprovedWaiver,
    /// A VEX statement that matches no finding, or matches but does not waive
    /// (`not_affected` without a justification, `exploitable`, `in_triage`).
    Vex,
}

impl NoteCode {
    /// Every code.
    pub const ALL: [NoteCode; 12] = [
        NoteCode::LockfileWarnings,
        NoteCode::UnsupportedLockfiles,
        NoteCode::UnenforcedProvenance,
        NoteCode::StaleDatabase,
        NoteCode::DriftNotChecked,
        NoteCode::DriftFallback,
        NoteCode::DriftOutsideRepository,
        NoteCode::Unverifiable,
        NoteCode::Registry,
        NoteCode::StaleConfig,
        NoteCode::UnapprovedWaiver,
        NoteCode::Vex,
    ];

    /// The stable name (`notes_typed[].code` of the JSON report).
    pub fn as_str(self) -> &'static str {
        match self {
            NoteCode::LockfileWarnings => "lockfile-warnings",
            NoteCode::UnsupportedLockfiles => "unsupported-lockfiles",
            NoteCode::UnenforcedProvenance => "unenforced-provenance",
            NoteCode::StaleDatabase => "stale-database",
            NoteCode::DriftNotChecked => "drift-not-checked",
            NoteCode::DriftFallback => "drift-fallback",
            NoteCode::DriftOutsideRepository => "drift-outside-repository",
            NoteCode::Unverifiable => "unverifiable",
            NoteCode::Registry => "registry",
            NoteCode::StaleConfig => "stale-config",
            NoteCode::UnapprovedWaiver => "unapproved-waiver",
            NoteCode::Vex => "vex",
        }
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

/// An off-the-shelf command that re-checks what one verification established, so an auditor
/// need not take tollgate's word (`--explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recheck {
    /// The verification (`provenance`, `signatures`).
    pub check: &'static str,
    /// The package it is about (`None`: the whole project).
    pub package: Option<crate::finding::PackageRef>,
    /// The command.
    pub command: tollgate_attest::explain::Recheck,
}

/// An approval used by this run (its nonce is to be recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedApproval {
    /// The nonce.
    pub nonce: String,
    /// The waiver's digest (`tollgate_attest::approval::waiver_digest`).
    pub waiver: String,
    /// The approver's key id.
    pub kid: String,
    /// `true` when this run is its first use.
    pub first_use: bool,
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
    pub notes: Vec<Note>,
    /// What `--verify-registry` / `--verify-artifacts` / `--verify-provenance` looked at (empty
    /// when none ran).
    pub coverage: Vec<crate::coverage::CheckCoverage>,
    /// For what was verified, the off-the-shelf commands that re-check it (`--explain`).
    pub rechecks: Vec<Recheck>,
    /// Where the files named by the report lie in the repository (`None`: unknown; SARIF then
    /// writes the displayed paths).
    pub sources: Option<SourceFiles>,
    /// Waiver approvals this run relied on (`[policy] require-approved-waivers`): the receipt
    /// records their nonces.
    pub approvals_used: Vec<UsedApproval>,
}

//! The wire types of `check --format json` (schema: `docs/reference/report.schema.json`).
//!
//! These structs *are* the JSON contract: field names, order and value spellings are written
//! here, and nowhere else. Core types ([`crate::report::Report`], [`crate::finding::Finding`],
//! …) carry no `Serialize` derive that could change the contract by accident; they are mapped
//! into these structs field by field. Changing a name or an order here is a breaking change of
//! the report (`schema_version`); adding a field is not.

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::text::hint_text;
use crate::coverage::{CheckCoverage, CoverageStatus, PackageCoverage};
use crate::finding::{
    AdvisoryDetails, FindingLocation, FixHint, PackageRef, Severity, VendoredThing,
};
use crate::policy::{Disposition, SlaState};
use crate::report::{
    CheckedLockfile, DatabaseInfo, DispositionReason, FailReason, Report, ReportFinding, Summary,
    WaiverNote,
};

/// Version of the JSON report document.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The whole report document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The producing tool.
    pub tool: Tool,
    /// The injected `now`, RFC 3339.
    pub generated_at: String,
    /// `pass` or `fail`.
    pub verdict: &'static str,
    /// Why it failed (empty on a pass), in English.
    pub reasons: Vec<String>,
    /// The same reasons as data: `code` (schema enum), the reason's data, and `text`.
    pub reasons_typed: Vec<JsonReason>,
    /// The thresholds applied.
    pub policy: PolicyEcho,
    /// Counts.
    pub summary: JsonSummary<'a>,
    /// Findings, in the report's order.
    pub findings: Vec<JsonFinding<'a>>,
    /// Waivers that matched but have expired.
    pub expired_waivers: Vec<JsonWaiver<'a>>,
    /// Waivers that matched nothing.
    pub stale_waivers: Vec<JsonWaiver<'a>>,
    /// Lockfiles checked.
    pub lockfiles: Vec<JsonLockfile<'a>>,
    /// Packages checked.
    pub packages: usize,
    /// The advisory database, when advisories were checked.
    pub database: Option<JsonDatabase<'a>>,
    /// Warnings about the inputs, in English.
    pub notes: Vec<&'a str>,
    /// The same notes as data: `code` (schema enum) and `text`.
    pub notes_typed: Vec<JsonNote<'a>>,
    /// `--verify-registry` / `--verify-artifacts` coverage; absent when neither ran.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub coverage: Vec<JsonCoverage<'a>>,
    /// For what was verified, the off-the-shelf commands that re-check it; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rechecks: Vec<JsonRecheck<'a>>,
}

/// `rechecks[]`: an off-the-shelf command that re-checks a verification.
#[derive(Debug, Serialize)]
pub struct JsonRecheck<'a> {
    /// The verification (`provenance`, `signatures`).
    pub check: &'static str,
    /// The package, when the command is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<JsonPackage<'a>>,
    /// The program.
    pub program: &'static str,
    /// Its arguments, unquoted.
    pub args: &'a [String],
    /// The command as one POSIX shell line.
    pub command: String,
    /// What to know before running it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
}

/// `reasons_typed[]`: `code`, the fields of that code, and `text`.
#[derive(Debug, Serialize)]
pub struct JsonReason {
    /// What kind of reason (schema enum `reasons_typed[].code`).
    pub code: &'static str,
    /// `blocking-findings`: how many findings block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// `blocking-findings`: the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<&'static str>,
    /// `blocking-findings`: only overdue findings block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_only: Option<bool>,
    /// `unenforced-provenance`: how many policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<usize>,
    /// `stale-database`: its age in days (`null`: unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<Option<i64>>,
    /// `stale-database`: the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// The reason in English (as in `reasons`).
    pub text: String,
}

impl JsonReason {
    fn new(r: &FailReason) -> Self {
        let mut j = JsonReason {
            code: r.code(),
            count: None,
            fail_on: None,
            overdue_only: None,
            policies: None,
            age_days: None,
            max_age_days: None,
            text: r.to_string(),
        };
        match r {
            FailReason::BlockingFindings {
                count,
                fail_on,
                overdue_only,
            } => {
                j.count = Some(*count);
                j.fail_on = Some(fail_on.as_str());
                j.overdue_only = Some(*overdue_only);
            }
            FailReason::UnenforcedProvenance { policies } => j.policies = Some(*policies),
            FailReason::StaleDatabase {
                age_days,
                max_age_days,
            } => {
                j.age_days = Some(*age_days);
                j.max_age_days = Some(*max_age_days);
            }
        }
        j
    }
}

/// `notes_typed[]`.
#[derive(Debug, Serialize)]
pub struct JsonNote<'a> {
    /// What kind of note (schema enum `notes_typed[].code`).
    pub code: &'static str,
    /// The note in English (as in `notes`).
    pub text: &'a str,
}

/// `tool`.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// Always `tollgate`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// `policy`.
#[derive(Debug, Serialize)]
pub struct PolicyEcho {
    /// `fail-on`, as a severity name.
    pub fail_on: &'static str,
    /// `fail-on-overdue`.
    pub fail_on_overdue: bool,
}

/// `summary`.
#[derive(Debug, Serialize)]
pub struct JsonSummary<'a> {
    /// Blocking findings.
    pub blocking: usize,
    /// Reported, non-blocking findings.
    pub warnings: usize,
    /// Waived findings.
    pub waived: usize,
    /// Overdue findings.
    pub overdue: usize,
    /// Findings dropped because their kind is ignored.
    pub ignored: usize,
    /// Findings excluded by scope.
    pub out_of_scope: usize,
    /// Reported findings per severity name, from the least to the most severe.
    pub by_severity: BySeverity<'a>,
}

/// `summary.by_severity`: an object keyed by severity name, in severity order.
#[derive(Debug)]
pub struct BySeverity<'a>(pub &'a BTreeMap<Severity, usize>);

impl Serialize for BySeverity<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

/// A package, as findings and coverage name it.
#[derive(Debug, Serialize)]
pub struct JsonPackage<'a> {
    /// `cargo` or `npm`.
    pub ecosystem: &'static str,
    /// Name.
    pub name: &'a str,
    /// Version.
    pub version: &'a str,
    /// Graph id of the package node.
    pub id: &'a str,
    /// Package URL.
    pub purl: &'a str,
}

/// One finding with what the policy made of it.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    /// Stable id of the finding.
    pub id: &'a str,
    /// `area/kind`.
    pub code: &'static str,
    /// The kind (schema enum `kind`).
    pub kind: &'static str,
    /// Advisory ids and aliases.
    pub ids: &'a [String],
    /// Severity name.
    pub severity: &'static str,
    /// Severity used for the threshold.
    pub effective_severity: &'static str,
    /// The package concerned.
    pub package: Option<JsonPackage<'a>>,
    /// Display path from a root.
    pub path: &'a [String],
    /// Location in a lockfile.
    pub location: Option<JsonLocation<'a>>,
    /// One-line title.
    pub title: &'a str,
    /// Longer explanation.
    pub message: &'a str,
    /// How to fix (the historical shape: a name, `upgrade`, or prose `advice`).
    pub fix: Option<JsonFix<'a>>,
    /// How to fix, as typed data: `kind` and the hint's data, with its English `text`.
    pub fix_hint: Option<JsonFixHint<'a>>,
    /// Advisory details.
    pub advisory: Option<JsonAdvisory<'a>>,
    /// Package scopes.
    pub scopes: &'a [&'static str],
    /// A waiver applies.
    pub waived: bool,
    /// Past its SLA.
    pub overdue: bool,
    /// Blocks the release.
    pub blocking: bool,
    /// Why it does or does not block.
    pub disposition: JsonDisposition<'a>,
    /// SLA state.
    pub sla: Option<JsonSla>,
}

/// `finding.location`.
#[derive(Debug, Serialize)]
pub struct JsonLocation<'a> {
    /// The lockfile, as displayed.
    pub file: &'a str,
    /// 1-based line, 0 when unknown.
    pub line: u32,
}

/// `finding.fix`: a bare string for hints without data, else a one-key object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JsonFix<'a> {
    /// `{"upgrade": {"to": …}}`.
    Upgrade {
        /// Target version.
        to: &'a str,
    },
    /// `"no-fix"`.
    NoFix,
    /// `"add-integrity"`.
    AddIntegrity,
    /// `"pin-git-rev"`.
    PinGitRev,
    /// `{"advice": …}`: the English of a typed hint (see `fix_hint` for its data).
    Advice(String),
}

/// `finding.fix_hint`: the hint as data. `kind` names it; the other fields are its data,
/// present when the kind has them; `text` is the English the other renderers show.
#[derive(Debug, Serialize)]
pub struct JsonFixHint<'a> {
    /// The hint's kind (schema enum `fix_hint.kind`).
    pub kind: &'static str,
    /// The hint in English.
    pub text: String,
    /// `upgrade`: the target version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<&'a str>,
    /// `regenerate-lockfile`, `update-lockfile`: the command to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'a str>,
    /// `update-lockfile`: the lockfile to commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile: Option<&'a str>,
    /// `update-lockfile`: any cargo command without `--locked` would do as well.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_unlocked_cargo_command: Option<bool>,
    /// `restore-member`: the member's directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<&'a str>,
    /// `vendor-or-publish`: `package` or `crate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<&'static str>,
}

/// `finding.advisory`.
#[derive(Debug, Serialize)]
pub struct JsonAdvisory<'a> {
    /// Publication date.
    pub published: Option<&'a str>,
    /// Last modification date.
    pub modified: Option<&'a str>,
    /// When a fixed version became available.
    pub fixed_available: Option<&'a str>,
    /// A link to read more.
    pub url: Option<&'a str>,
    /// CVSS vector.
    pub cvss: Option<&'a str>,
    /// CVSS base score.
    pub score: Option<f64>,
    /// Fixed versions.
    pub patched: &'a [String],
    /// Affected functions.
    pub functions: &'a [String],
    /// Affected operating systems.
    pub os: &'a [String],
    /// Affected architectures.
    pub arch: &'a [String],
    /// Source databases.
    pub sources: &'a [String],
}

/// `finding.disposition`, tagged by `state`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum JsonDisposition<'a> {
    /// Blocks the release.
    Blocking {
        /// Why, in English.
        reason: String,
        /// Why, as data.
        why: JsonWhy,
    },
    /// Reported, does not block.
    Warning {
        /// Why, in English.
        reason: String,
        /// Why, as data.
        why: JsonWhy,
    },
    /// Accepted by a waiver.
    Waived {
        /// Waiver id.
        waiver: &'a str,
        /// Waiver reason.
        reason: &'a str,
        /// Waiver owner.
        owner: Option<&'a str>,
        /// Waiver expiry.
        expires: Option<&'a str>,
        /// The VEX statement, when one waived it (`waiver` is then its source).
        #[serde(skip_serializing_if = "Option::is_none")]
        vex: Option<JsonVex<'a>>,
    },
}

/// `finding.disposition.vex`: the VEX statement that waived a finding.
#[derive(Debug, Serialize)]
pub struct JsonVex<'a> {
    /// The vulnerability id as the statement writes it.
    pub vulnerability: &'a str,
    /// `not_affected`, `resolved`, `false_positive` (schema enum).
    pub state: &'static str,
    /// CycloneDX justification (schema enum), for `not_affected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<&'static str>,
    /// `analysis.response`, as written.
    pub response: &'a [String],
    /// `analysis.detail`.
    pub detail: Option<&'a str>,
    /// The document and the statement's JSON pointer.
    pub source: &'a str,
}

/// `finding.disposition.why`: `code` and the data of that code.
#[derive(Debug, Serialize)]
pub struct JsonWhy {
    /// What kind of reason (schema enum `disposition.why.code`).
    pub code: &'static str,
    /// `denied`, `warn-only`: the finding kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The effective severity, for the threshold reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    /// `fail-on`, for the threshold reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<&'static str>,
    /// `within-sla`: the SLA (`7d`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<String>,
    /// `within-sla`: when it is due, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

impl JsonWhy {
    fn new(r: &DispositionReason) -> Self {
        let mut j = JsonWhy {
            code: r.code(),
            kind: None,
            severity: None,
            fail_on: None,
            sla: None,
            due: None,
        };
        match r {
            DispositionReason::Denied { code } | DispositionReason::WarnOnly { code } => {
                j.kind = Some(code.kind());
            }
            DispositionReason::BelowThreshold { severity, fail_on }
            | DispositionReason::OverThresholdAndOverdue { severity, fail_on }
            | DispositionReason::OverThreshold { severity, fail_on } => {
                j.severity = Some(severity.as_str());
                j.fail_on = Some(fail_on.as_str());
            }
            DispositionReason::WithinSla { sla, due } => {
                j.sla = Some(sla.to_string());
                j.due = Some(due.rfc3339());
            }
            DispositionReason::NoSla => {}
        }
        j
    }
}

/// `finding.sla`.
#[derive(Debug, Serialize)]
pub struct JsonSla {
    /// The SLA (`7d`).
    pub sla: String,
    /// When the clock started, RFC 3339.
    pub started: String,
    /// When it is due, RFC 3339.
    pub due: String,
    /// Age at `now` (`12d3h`).
    pub age: String,
    /// Past due.
    pub overdue: bool,
}

/// An expired or stale waiver.
#[derive(Debug, Serialize)]
pub struct JsonWaiver<'a> {
    /// Id.
    pub id: &'a str,
    /// Package.
    pub package: Option<&'a str>,
    /// Reason.
    pub reason: &'a str,
    /// Owner.
    pub owner: Option<&'a str>,
    /// Expiry.
    pub expires: Option<&'a str>,
}

/// A checked lockfile.
#[derive(Debug, Serialize)]
pub struct JsonLockfile<'a> {
    /// Displayed path.
    pub path: &'a str,
    /// Format (schema enum `format`).
    pub format: &'static str,
    /// Lockfile version.
    pub version: u32,
    /// Packages.
    pub packages: usize,
}

/// `database`.
#[derive(Debug, Serialize)]
pub struct JsonDatabase<'a> {
    /// Where it came from.
    pub origin: &'a str,
    /// Snapshot date.
    pub updated: Option<&'a str>,
    /// Number of advisories.
    pub advisories: usize,
    /// Age in days.
    pub age_days: Option<i64>,
    /// Sources and commits.
    pub sources: &'a [String],
}

/// The coverage of one verification (also SARIF's `run.properties.coverage`).
#[derive(Debug, Serialize)]
pub struct JsonCoverage<'a> {
    /// `registry` or `artifacts`.
    pub check: &'static str,
    /// Packages verified.
    pub verified: usize,
    /// Packages with findings.
    pub failed: usize,
    /// Packages with nothing to verify (provenance, signatures; 0 for the others).
    pub unsigned: usize,
    /// Packages that could not be verified.
    pub unverifiable: usize,
    /// Packages out of scope.
    pub skipped: usize,
    /// Every package.
    pub packages: Vec<JsonPackageCoverage<'a>>,
}

/// One package's coverage status.
#[derive(Debug, Serialize)]
pub struct JsonPackageCoverage<'a> {
    /// The package.
    pub package: JsonPackage<'a>,
    /// Its status (`status` and its detail field).
    #[serde(flatten)]
    pub status: JsonCoverageStatus<'a>,
}

/// A coverage status, tagged by `status`.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum JsonCoverageStatus<'a> {
    /// Verified, against what.
    Verified {
        /// Against what, as a code.
        code: &'static str,
        /// Against what.
        how: &'a str,
    },
    /// Findings were raised.
    Failed {
        /// Finding kinds.
        kinds: &'a [&'static str],
    },
    /// Nothing to verify (no attestation, no registry signature).
    Unsigned {
        /// Why, as a code.
        code: &'static str,
        /// Why.
        reason: &'a str,
    },
    /// Could not be verified.
    Unverifiable {
        /// Why, as a code.
        code: &'static str,
        /// Why.
        reason: &'a str,
    },
    /// Out of scope.
    Skipped {
        /// Why, as a code.
        code: &'static str,
        /// Why.
        reason: &'a str,
    },
}

impl<'a> JsonReport<'a> {
    /// Maps a report to its wire form.
    pub fn new(r: &'a Report) -> Self {
        let reasons: &[FailReason] = match &r.verdict {
            crate::report::Verdict::Fail(rs) => rs,
            crate::report::Verdict::Pass => &[],
        };
        JsonReport {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: Tool {
                name: "tollgate",
                version: env!("CARGO_PKG_VERSION"),
            },
            generated_at: r.generated_at.rfc3339(),
            verdict: r.verdict.as_str(),
            reasons: reasons.iter().map(ToString::to_string).collect(),
            reasons_typed: reasons.iter().map(JsonReason::new).collect(),
            policy: PolicyEcho {
                fail_on: r.fail_on.as_str(),
                fail_on_overdue: r.fail_on_overdue,
            },
            summary: JsonSummary::new(&r.summary),
            findings: r.findings.iter().map(JsonFinding::new).collect(),
            expired_waivers: r.expired_waivers.iter().map(JsonWaiver::new).collect(),
            stale_waivers: r.stale_waivers.iter().map(JsonWaiver::new).collect(),
            lockfiles: r.lockfiles.iter().map(JsonLockfile::new).collect(),
            packages: r.packages,
            database: r.database.as_ref().map(JsonDatabase::new),
            notes: r.notes.iter().map(|n| n.text.as_str()).collect(),
            notes_typed: r
                .notes
                .iter()
                .map(|n| JsonNote {
                    code: n.code.as_str(),
                    text: &n.text,
                })
                .collect(),
            coverage: coverage(&r.coverage),
            rechecks: r
                .rechecks
                .iter()
                .map(|c| JsonRecheck {
                    check: c.check,
                    package: c.package.as_ref().map(JsonPackage::new),
                    program: c.command.program,
                    args: &c.command.args,
                    command: c.command.command_line(),
                    note: c.command.note.as_deref(),
                })
                .collect(),
        }
    }
}

/// The wire form of a report's coverage (JSON `coverage`, SARIF `run.properties.coverage`).
pub fn coverage(c: &[CheckCoverage]) -> Vec<JsonCoverage<'_>> {
    c.iter().map(JsonCoverage::new).collect()
}

impl<'a> JsonSummary<'a> {
    fn new(s: &'a Summary) -> Self {
        JsonSummary {
            blocking: s.blocking,
            warnings: s.warnings,
            waived: s.waived,
            overdue: s.overdue,
            ignored: s.ignored,
            out_of_scope: s.out_of_scope,
            by_severity: BySeverity(&s.by_severity),
        }
    }
}

impl<'a> JsonPackage<'a> {
    fn new(p: &'a PackageRef) -> Self {
        JsonPackage {
            ecosystem: p.ecosystem.as_str(),
            name: &p.name,
            version: &p.version,
            id: &p.id,
            purl: &p.purl,
        }
    }
}

impl<'a> JsonFinding<'a> {
    fn new(rf: &'a ReportFinding) -> Self {
        let f = &rf.finding;
        JsonFinding {
            id: &f.id,
            code: f.code.id(),
            kind: f.code.kind(),
            ids: &f.ids,
            severity: f.severity.as_str(),
            effective_severity: rf.effective_severity.as_str(),
            package: f.package.as_ref().map(JsonPackage::new),
            path: &f.path,
            location: f.location.as_ref().map(JsonLocation::new),
            title: &f.title,
            message: &f.message,
            fix: f.fix.as_ref().map(JsonFix::new),
            fix_hint: f.fix.as_ref().map(JsonFixHint::new),
            advisory: f.advisory.as_ref().map(JsonAdvisory::new),
            scopes: &f.scopes,
            waived: rf.waived(),
            overdue: rf.overdue(),
            blocking: rf.blocking(),
            disposition: JsonDisposition::new(&rf.disposition),
            sla: rf.sla.as_ref().map(JsonSla::new),
        }
    }
}

impl<'a> JsonLocation<'a> {
    fn new(l: &'a FindingLocation) -> Self {
        JsonLocation {
            file: &l.file,
            line: l.line,
        }
    }
}

impl<'a> JsonFix<'a> {
    fn new(h: &'a FixHint) -> Self {
        match h {
            FixHint::Upgrade { to } => JsonFix::Upgrade { to },
            FixHint::NoFix => JsonFix::NoFix,
            FixHint::AddIntegrity => JsonFix::AddIntegrity,
            FixHint::PinGitRev => JsonFix::PinGitRev,
            advice => JsonFix::Advice(hint_text(advice)),
        }
    }
}

impl<'a> JsonFixHint<'a> {
    fn new(h: &'a FixHint) -> Self {
        let mut j = JsonFixHint {
            kind: h.kind(),
            text: hint_text(h),
            to: None,
            command: None,
            lockfile: None,
            any_unlocked_cargo_command: None,
            dir: None,
            what: None,
        };
        match h {
            FixHint::Upgrade { to } => j.to = Some(to),
            FixHint::RegenerateLockfile { command } => j.command = Some(command),
            FixHint::UpdateLockfile {
                command,
                lockfile,
                any_unlocked_cargo_command,
            } => {
                j.command = Some(command);
                j.lockfile = Some(lockfile);
                j.any_unlocked_cargo_command = Some(*any_unlocked_cargo_command);
            }
            FixHint::RestoreMember { dir } => j.dir = Some(dir),
            FixHint::VendorOrPublish { what } => {
                j.what = Some(match what {
                    VendoredThing::Package => "package",
                    VendoredThing::Crate => "crate",
                });
            }
            FixHint::NoFix
            | FixHint::AddIntegrity
            | FixHint::PinGitRev
            | FixHint::UseHttps
            | FixHint::ReviewInstallScript
            | FixHint::RevokeCredential
            | FixHint::UseAllowedSource
            | FixHint::UpgradeFromYanked
            | FixHint::ReplaceDeprecated
            | FixHint::HashArtifact
            | FixHint::InvestigateHashMismatch
            | FixHint::CheckRegistryUrl
            | FixHint::FixManifest
            | FixHint::RequestProvenance
            | FixHint::InvestigateTampering
            | FixHint::ReviewProvenancePolicy
            | FixHint::ResolveFromSigningRegistry => {}
        }
        j
    }
}

impl<'a> JsonAdvisory<'a> {
    fn new(a: &'a AdvisoryDetails) -> Self {
        JsonAdvisory {
            published: a.published.as_deref(),
            modified: a.modified.as_deref(),
            fixed_available: a.fixed_available.as_deref(),
            url: a.url.as_deref(),
            cvss: a.cvss.as_deref(),
            score: a.score,
            patched: &a.patched,
            functions: &a.functions,
            os: &a.os,
            arch: &a.arch,
            sources: &a.sources,
        }
    }
}

impl<'a> JsonDisposition<'a> {
    fn new(d: &'a Disposition) -> Self {
        match d {
            Disposition::Blocking { reason } => JsonDisposition::Blocking {
                reason: reason.to_string(),
                why: JsonWhy::new(reason),
            },
            Disposition::Warning { reason } => JsonDisposition::Warning {
                reason: reason.to_string(),
                why: JsonWhy::new(reason),
            },
            Disposition::Waived {
                waiver,
                reason,
                owner,
                expires,
                vex,
            } => JsonDisposition::Waived {
                waiver,
                reason,
                owner: owner.as_deref(),
                expires: expires.as_deref(),
                vex: vex.as_deref().map(|a| JsonVex {
                    vulnerability: &a.vulnerability,
                    state: a.state.as_str(),
                    justification: a.justification.map(|j| j.as_str()),
                    response: &a.responses,
                    detail: a.detail.as_deref(),
                    source: &a.source,
                }),
            },
        }
    }
}

impl JsonSla {
    fn new(s: &SlaState) -> Self {
        JsonSla {
            sla: s.sla.to_string(),
            started: s.started.rfc3339(),
            due: s.due.rfc3339(),
            age: s.age.to_string(),
            overdue: s.overdue,
        }
    }
}

impl<'a> JsonWaiver<'a> {
    fn new(w: &'a WaiverNote) -> Self {
        JsonWaiver {
            id: &w.id,
            package: w.package.as_deref(),
            reason: &w.reason,
            owner: w.owner.as_deref(),
            expires: w.expires.as_deref(),
        }
    }
}

impl<'a> JsonLockfile<'a> {
    fn new(l: &'a CheckedLockfile) -> Self {
        JsonLockfile {
            path: &l.path,
            format: l.format.as_str(),
            version: l.version,
            packages: l.packages,
        }
    }
}

impl<'a> JsonDatabase<'a> {
    fn new(d: &'a DatabaseInfo) -> Self {
        JsonDatabase {
            origin: &d.origin,
            updated: d.updated.as_deref(),
            advisories: d.advisories,
            age_days: d.age_days,
            sources: &d.sources,
        }
    }
}

impl<'a> JsonCoverage<'a> {
    fn new(c: &'a CheckCoverage) -> Self {
        JsonCoverage {
            check: c.check,
            verified: c.verified,
            failed: c.failed,
            unsigned: c.unsigned,
            unverifiable: c.unverifiable,
            skipped: c.skipped,
            packages: c.packages.iter().map(JsonPackageCoverage::new).collect(),
        }
    }
}

impl<'a> JsonPackageCoverage<'a> {
    fn new(p: &'a PackageCoverage) -> Self {
        JsonPackageCoverage {
            package: JsonPackage::new(&p.package),
            status: match &p.status {
                CoverageStatus::Verified { code, how } => JsonCoverageStatus::Verified {
                    code: code.as_str(),
                    how,
                },
                CoverageStatus::Failed { kinds } => JsonCoverageStatus::Failed { kinds },
                CoverageStatus::Unsigned { code, reason } => JsonCoverageStatus::Unsigned {
                    code: code.as_str(),
                    reason,
                },
                CoverageStatus::Unverifiable { code, reason } => JsonCoverageStatus::Unverifiable {
                    code: code.as_str(),
                    reason,
                },
                CoverageStatus::Skipped { code, reason } => JsonCoverageStatus::Skipped {
                    code: code.as_str(),
                    reason,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lockfile::Format;

    /// `graph --format json` writes formats through `Format`'s own serde names; the report
    /// through [`Format::as_str`]: both spell them the same.
    #[test]
    fn format_names_agree_with_the_graph_json() {
        for f in Format::ALL {
            assert_eq!(
                serde_json::to_value(f).ok(),
                Some(serde_json::Value::from(f.as_str()))
            );
        }
    }
}

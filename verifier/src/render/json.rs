//! `--format json`: the versioned report (schema: `docs/reference/report.schema.json`).

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::{AdvisoryDetails, FindingLocation, FixHint, Severity};
use crate::package::Ecosystem;
use crate::policy::{Disposition, SlaState};
use crate::report::{DatabaseInfo, Report, Summary, WaiverNote};

/// Version of the JSON report document.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonPackage<'a> {
    ecosystem: Ecosystem,
    name: &'a str,
    version: &'a str,
    id: &'a str,
    purl: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    id: &'a str,
    code: &'static str,
    kind: &'static str,
    ids: &'a [String],
    severity: Severity,
    effective_severity: Severity,
    package: Option<JsonPackage<'a>>,
    path: &'a [String],
    location: Option<&'a FindingLocation>,
    title: &'a str,
    message: &'a str,
    fix: Option<&'a FixHint>,
    advisory: Option<&'a AdvisoryDetails>,
    scopes: &'a [&'static str],
    waived: bool,
    overdue: bool,
    blocking: bool,
    disposition: &'a Disposition,
    sla: Option<&'a SlaState>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool,
    generated_at: String,
    verdict: &'static str,
    reasons: &'a [String],
    policy: PolicyEcho,
    summary: &'a Summary,
    findings: Vec<JsonFinding<'a>>,
    expired_waivers: &'a [WaiverNote],
    stale_waivers: &'a [WaiverNote],
    lockfiles: &'a [crate::report::CheckedLockfile],
    packages: usize,
    database: Option<&'a DatabaseInfo>,
    notes: &'a [String],
    /// `--verify-registry` / `--verify-artifacts` coverage; absent when neither ran.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    coverage: &'a [crate::coverage::CheckCoverage],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct PolicyEcho {
    fail_on: Severity,
    fail_on_overdue: bool,
}

/// Renders the report as one JSON object.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let empty: Vec<String> = Vec::new();
    let reasons = match &r.verdict {
        crate::report::Verdict::Fail(rs) => rs.as_slice(),
        crate::report::Verdict::Pass => empty.as_slice(),
    };
    let doc = JsonReport {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "tollgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        generated_at: r.generated_at.rfc3339(),
        verdict: r.verdict.as_str(),
        reasons,
        policy: PolicyEcho {
            fail_on: r.fail_on,
            fail_on_overdue: r.fail_on_overdue,
        },
        summary: &r.summary,
        findings: r
            .findings
            .iter()
            .map(|rf| {
                let f = &rf.finding;
                JsonFinding {
                    id: &f.id,
                    code: f.code.id(),
                    kind: f.code.kind(),
                    ids: &f.ids,
                    severity: f.severity,
                    effective_severity: rf.effective_severity,
                    package: f.package.as_ref().map(|p| JsonPackage {
                        ecosystem: p.ecosystem,
                        name: &p.name,
                        version: &p.version,
                        id: &p.id,
                        purl: &p.purl,
                    }),
                    path: &f.path,
                    location: f.location.as_ref(),
                    title: &f.title,
                    message: &f.message,
                    fix: f.fix.as_ref(),
                    advisory: f.advisory.as_ref(),
                    scopes: &f.scopes,
                    waived: rf.waived(),
                    overdue: rf.overdue(),
                    blocking: rf.blocking(),
                    disposition: &rf.disposition,
                    sla: rf.sla.as_ref(),
                }
            })
            .collect(),
        expired_waivers: &r.expired_waivers,
        stale_waivers: &r.stale_waivers,
        lockfiles: &r.lockfiles,
        packages: r.packages,
        database: r.database.as_ref(),
        notes: &r.notes,
        coverage: &r.coverage,
    };
    // Into a local buffer first: the pretty printer writes many small pieces, and each would be
    // a dynamic call on `w`.
    let buf = serde_json::to_vec_pretty(&doc)?;
    w.write_all(&buf)?;
    writeln!(w)
}

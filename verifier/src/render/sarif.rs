//! `--format sarif`: SARIF 2.1.0, one rule per advisory (or finding kind), results located at the
//! package's line in its lockfile. Waived findings carry a SARIF suppression.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::finding::Severity;
use crate::report::Report;

fn level(rf: &crate::report::ReportFinding) -> &'static str {
    if rf.blocking() {
        "error"
    } else if rf.effective_severity >= Severity::Medium {
        "warning"
    } else {
        "note"
    }
}

/// The `security-severity` property GitHub code scanning reads (a CVSS-like score).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::None | Severity::Unknown => "0.0",
    }
}

fn rule_id(f: &crate::finding::Finding) -> String {
    match f.ids.first() {
        Some(id) => id.clone(),
        None => f.code.id().to_owned(),
    }
}

/// Renders the report as a SARIF 2.1.0 log.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    for rf in &r.findings {
        let f = &rf.finding;
        let id = rule_id(f);
        rules.entry(id.clone()).or_insert_with(|| {
            let mut rule = json!({
                "id": id,
                "name": f.code.kind(),
                "shortDescription": {"text": if f.ids.is_empty() { f.code.description().to_owned() } else { f.title.clone() }},
                "fullDescription": {"text": if f.message.is_empty() { f.code.description().to_owned() } else { f.message.clone() }},
                "defaultConfiguration": {"level": level(rf)},
                "properties": {
                    "tags": ["security", "supply-chain", f.code.kind()],
                    "security-severity": security_severity(rf.effective_severity),
                    "aliases": f.ids,
                }
            });
            if let Some(url) = f.advisory.as_ref().and_then(|a| a.url.clone()) {
                rule["helpUri"] = json!(url);
            }
            rule
        });
    }
    let rule_index: BTreeMap<&String, usize> =
        rules.keys().enumerate().map(|(i, k)| (k, i)).collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|rf| {
            let f = &rf.finding;
            let id = rule_id(f);
            let mut text = f.title.clone();
            if let Some(p) = &f.package {
                text = format!("{}@{}: {text}", p.name, p.version);
            }
            if let Some(crate::finding::FixHint::Upgrade { to }) = &f.fix {
                text.push_str(&format!(" (upgrade to {to})"));
            }
            let mut res = json!({
                "ruleId": id,
                "ruleIndex": rule_index.get(&id).copied().unwrap_or(0),
                "level": level(rf),
                "message": {"text": text},
                "partialFingerprints": {"tollgate/v1": f.id},
                "properties": {
                    "kind": f.code.kind(),
                    "severity": f.severity.as_str(),
                    "ids": f.ids,
                    "path": f.path,
                    "waived": rf.waived(),
                    "overdue": rf.overdue(),
                    "blocking": rf.blocking(),
                }
            });
            if let Some(loc) = &f.location {
                let mut region = json!({});
                if loc.line > 0 {
                    region = json!({"startLine": loc.line});
                }
                let mut phys = json!({"artifactLocation": {"uri": loc.file}});
                if loc.line > 0 {
                    phys["region"] = region;
                }
                res["locations"] = json!([{"physicalLocation": phys}]);
            }
            if let crate::policy::Disposition::Waived { reason, .. } = &rf.disposition {
                res["suppressions"] =
                    json!([{"kind": "external", "status": "accepted", "justification": reason}]);
            }
            res
        })
        .collect();
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tollgate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/tollgate-dev/tollgate",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
            "invocations": [{"executionSuccessful": true, "properties": {"verdict": r.verdict.as_str()}}],
        }]
    });
    if !r.notes.is_empty() {
        // Notes (database age, skipped checks) as tool notifications: SARIF viewers list them
        // beside the results.
        log["runs"][0]["invocations"][0]["toolExecutionNotifications"] = r
            .notes
            .iter()
            .map(|n| json!({"level": "note", "message": {"text": n}}))
            .collect();
    }
    if !r.coverage.is_empty() {
        // Every package with its status, as in the JSON report.
        log["runs"][0]["properties"] = json!({ "coverage": r.coverage });
    }
    // Into a local buffer first: the pretty printer writes many small pieces, and each would be
    // a dynamic call on `w`.
    let buf = serde_json::to_vec_pretty(&log)?;
    w.write_all(&buf)?;
    writeln!(w)
}

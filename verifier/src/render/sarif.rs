//! `--format sarif`: SARIF 2.1.0, one rule per advisory (or finding kind), results located at the
//! package's line in its lockfile. Waived findings carry a SARIF suppression.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::finding::Severity;
use crate::policy::Disposition;
use crate::report::{Report, SourcePath};

/// The SARIF level is the policy's disposition, not a threshold of its own: what blocks is an
/// `error`, what the policy reports without blocking a `warning`, and what a waiver accepts a
/// `note` (which also carries a suppression).
fn level(rf: &crate::report::ReportFinding) -> &'static str {
    match rf.disposition {
        Disposition::Blocking { .. } => "error",
        Disposition::Warning { .. } => "warning",
        Disposition::Waived { .. } => "note",
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

/// The base id of repository-relative locations (GitHub code scanning's convention).
const SRCROOT: &str = "%SRCROOT%";

/// A file's `artifactLocation`: relative to `%SRCROOT%` when the report knows it lies in the
/// repository, an absolute `file:` URI when it lies outside, else its displayed path.
fn artifact_location(r: &Report, file: &str) -> Value {
    match r.sources.as_ref().and_then(|s| s.files.get(file)) {
        Some(SourcePath::InRoot(rel)) => json!({"uri": encode_path(rel), "uriBaseId": SRCROOT}),
        Some(SourcePath::Outside(abs)) => json!({"uri": file_uri(abs)}),
        None => json!({"uri": encode_path(file)}),
    }
}

/// `path` (`/`-separated) as the path of a URI reference (RFC 3986): every byte but the
/// unreserved characters, `/` and the sub-delimiters `!$&'()*+,;=` and `@` is percent-encoded
/// (spaces, `%`, `#`, `?`, `:`, non-ASCII …). `:` is encoded so that a relative reference's first
/// segment is never read as a scheme.
pub fn encode_path(path: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The `file:` URI of an absolute `/`-separated path (`C:/x` on Windows becomes `file:///C:/x`).
pub fn file_uri(abs: &str) -> String {
    let (drive, rest) = match abs.as_bytes() {
        [d, b':', ..] if d.is_ascii_alphabetic() => abs.split_at(2),
        _ => ("", abs),
    };
    let sep = if drive.is_empty() && rest.starts_with('/') {
        ""
    } else {
        "/"
    };
    format!("file://{sep}{drive}{}", encode_path(rest))
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
                let mut phys = json!({"artifactLocation": artifact_location(r, &loc.file)});
                if loc.line > 0 {
                    phys["region"] = region;
                }
                res["locations"] = json!([{"physicalLocation": phys}]);
            }
            if let Disposition::Waived { reason, .. } = &rf.disposition {
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
    if let Some(src) = &r.sources {
        log["runs"][0]["originalUriBaseIds"] = json!({ SRCROOT: {"uri": file_uri(&src.root)} });
    }
    if !r.notes.is_empty() {
        // Notes (database age, skipped checks) as tool notifications: SARIF viewers list them
        // beside the results.
        log["runs"][0]["invocations"][0]["toolExecutionNotifications"] = r
            .notes
            .iter()
            .map(|n| {
                json!({
                    "level": "note",
                    "message": {"text": n.text},
                    "descriptor": {"id": n.code.as_str()},
                })
            })
            .collect();
    }
    if !r.coverage.is_empty() {
        // Every package with its status, as in the JSON report.
        log["runs"][0]["properties"] =
            json!({ "coverage": super::json::wire::coverage(&r.coverage) });
    }
    // Into a local buffer first: the pretty printer writes many small pieces, and each would be
    // a dynamic call on `w`.
    let buf = serde_json::to_vec_pretty(&log)?;
    w.write_all(&buf)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::{encode_path, file_uri};

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(
            encode_path("services/api/Cargo.lock"),
            "services/api/Cargo.lock"
        );
        assert_eq!(
            encode_path("my app/#1?/100%/ü:x"),
            "my%20app/%231%3F/100%25/%C3%BC%3Ax"
        );
        assert_eq!(file_uri("/work/my repo/"), "file:///work/my%20repo/");
        assert_eq!(file_uri("C:/src/x/"), "file:///C:/src/x/");
    }
}

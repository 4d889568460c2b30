//! The whole pipeline: graph + findings from every check → policy → [`Report`].

use crate::finding::Finding;
use crate::graph::Graph;
use crate::lockfile::UnsupportedLockfile;
use crate::policy::{self, Config};
use crate::report::{CheckedLockfile, Report};
use crate::time::Timestamp;

/// Evaluates the findings of every check over `graph` against `config` at `now`, and fills in
/// what the report says about its inputs.
pub fn finish_report(
    graph: &Graph,
    config: &Config,
    findings: Vec<Finding>,
    now: Timestamp,
) -> Report {
    let mut report = policy::evaluate(config, findings, now);
    report.packages = graph.packages().filter(|(_, p)| !p.is_root).count();
    report.lockfiles = graph
        .lockfiles
        .iter()
        .map(|l| CheckedLockfile {
            path: l.display.clone(),
            format: serde_json::to_value(l.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            version: l.version,
            packages: l.packages,
        })
        .collect();
    if !graph.warnings.is_empty() {
        report.notes.push(format!(
            "{} lockfile warning(s) while building the graph (malformed hashes, unrecognised sources); `tollgate graph -v` lists them",
            graph.warnings.len()
        ));
    }
    if let Some(note) = unsupported_note(&graph.unsupported) {
        report.notes.push(note);
    }
    report
}

/// Lockfiles listed by name in the note; more are counted.
const UNSUPPORTED_LISTED: usize = 10;

/// The note for lockfiles of package managers tollgate does not read: their packages are not in
/// the report, which must not look like a clean bill for them.
fn unsupported_note(found: &[UnsupportedLockfile]) -> Option<String> {
    if found.is_empty() {
        return None;
    }
    let mut list: Vec<String> = found
        .iter()
        .take(UNSUPPORTED_LISTED)
        .map(|u| format!("{} ({})", u.display, u.tool))
        .collect();
    if found.len() > UNSUPPORTED_LISTED {
        list.push(format!("and {} more", found.len() - UNSUPPORTED_LISTED));
    }
    Some(format!(
        "not checked: {} lockfile(s) of package managers tollgate does not read: {}; their packages are not in this report (tollgate reads Cargo.lock, package-lock.json and npm-shrinkwrap.json)",
        found.len(),
        list.join(", ")
    ))
}

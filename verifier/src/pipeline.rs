//! The whole pipeline: graph + findings from every check → policy → [`Report`].

use crate::finding::Finding;
use crate::graph::Graph;
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
            "{} lockfile warning(s) while building the graph (unresolved dependencies, malformed hashes); `tollgate graph -v` lists them",
            graph.warnings.len()
        ));
    }
    report
}

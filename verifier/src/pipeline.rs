//! The whole pipeline: graph + findings from every check → policy → [`Report`].

use crate::advisory::DbStatus;
use crate::finding::Finding;
use crate::graph::Graph;
use crate::lockfile::UnsupportedLockfile;
use crate::policy::{self, Config};
use crate::report::{CheckedLockfile, DatabaseInfo, FailReason, Note, NoteCode, Report, Verdict};
use crate::time::Timestamp;

/// Evaluates the findings of every check over `graph` against `config` at `now`, and fills in
/// what the report says about its inputs. `provenance_verified`: `--verify-provenance` ran, so
/// the `[provenance]` package rules were enforced. `consumed`: the waiver-approval nonces used
/// so far (audit log). `vex`: VEX statements beyond the graph's own (the SBOMs'), from `--vex`
/// documents.
pub fn finish_report(
    graph: &Graph,
    config: &Config,
    findings: Vec<Finding>,
    now: Timestamp,
    provenance_verified: bool,
    consumed: &policy::approvals::ConsumedNonces,
    vex: &[crate::vex::VexStatement],
) -> Report {
    let all: Vec<crate::vex::VexStatement>;
    let vex = if graph.vex.is_empty() {
        vex
    } else {
        all = graph.vex.iter().chain(vex).cloned().collect();
        &all
    };
    let mut report = policy::evaluate_with(config, findings, now, consumed, vex);
    report.packages = graph.packages().filter(|(_, p)| !p.is_root).count();
    report.lockfiles = graph
        .lockfiles
        .iter()
        .map(|l| CheckedLockfile {
            path: l.display.clone(),
            format: l.format,
            version: l.version,
            packages: l.packages,
        })
        .collect();
    refuse_unenforced_policy(&mut report, config, provenance_verified);
    if !graph.warnings.is_empty() {
        report.notes.push(Note::new(
            NoteCode::LockfileWarnings,
            format!(
                "{} lockfile warning(s) while building the graph (malformed hashes, unrecognised sources); `tollgate graph -v` lists them",
                graph.warnings.len()
            ),
        ));
    }
    if let Some(note) = unsupported_note(&graph.unsupported) {
        report
            .notes
            .push(Note::new(NoteCode::UnsupportedLockfiles, note));
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

/// A policy the gate accepts is enforced or refused, never ignored: `[provenance]` package rules
/// are enforced only by `--verify-provenance`, and artefact policies only by `attest
/// policy-check`; a rule this run does not enforce fails the verdict with a note saying so (fail
/// closed) instead of passing as if it held.
fn refuse_unenforced_policy(report: &mut Report, config: &Config, provenance_verified: bool) {
    let p = &config.provenance;
    let package_rules = if provenance_verified {
        0
    } else {
        p.packages.len() + p.require.len()
    };
    let n = package_rules + p.artifacts.len();
    if n == 0 {
        return;
    }
    let why = FailReason::UnenforcedProvenance { policies: n };
    report
        .notes
        .push(Note::new(NoteCode::UnenforcedProvenance, why.to_string()));
    match &mut report.verdict {
        Verdict::Fail(reasons) => reasons.push(why),
        v @ Verdict::Pass => *v = Verdict::Fail(vec![why]),
    }
}

/// Records the advisory database in the report: its facts, a note when it is stale, and — when
/// `fail_on_stale` (`--fail-on-stale-db`, `[advisories] fail-on-stale`) — a failing verdict for a
/// database older than its limit or of unknown age.
pub fn apply_db_status(report: &mut Report, status: &DbStatus, fail_on_stale: bool) {
    if let Some(w) = status.warning() {
        report.notes.push(Note::new(NoteCode::StaleDatabase, w));
    }
    if status.stale && fail_on_stale {
        let reason = FailReason::StaleDatabase {
            age_days: status.age_days,
            max_age_days: status.max_age_days,
        };
        match &mut report.verdict {
            Verdict::Fail(reasons) => reasons.push(reason),
            v @ Verdict::Pass => *v = Verdict::Fail(vec![reason]),
        }
    }
    report.database = Some(DatabaseInfo {
        origin: status.location.clone(),
        updated: status.snapshot_date.clone(),
        advisories: status.meta.advisories,
        age_days: status.age_days,
        sources: status
            .meta
            .sources
            .iter()
            .map(|s| match &s.commit {
                Some(c) => format!("{} @ {}", s.name, c),
                None => s.name.clone(),
            })
            .collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::{DbMeta, DbStatus};

    fn status(stale: bool, age: Option<i64>) -> DbStatus {
        DbStatus {
            location: "db".into(),
            embedded: false,
            meta: DbMeta {
                format: 1,
                created: "2026-01-01T00:00:00Z".into(),
                sources: Vec::new(),
                advisories: 3,
                packages: 2,
                by_kind: Default::default(),
                by_ecosystem: Default::default(),
            },
            snapshot_date: age.map(|_| "2026-01-01T00:00:00Z".to_owned()),
            age_days: age,
            max_age_days: 7,
            stale,
        }
    }

    #[test]
    fn an_unenforced_provenance_policy_fails_instead_of_passing() {
        let graph = Graph::new();
        let config = Config::parse(
            std::path::Path::new("t.toml"),
            "[provenance.packages.\"@s/n\"]\nsource-uri = \"github.com/s/n\"\nbuilder-id = \"https://github.com/actions/runner/github-hosted\"\n",
        )
        .unwrap();
        let r = finish_report(
            &graph,
            &config,
            Vec::new(),
            crate::time::Timestamp(0),
            false,
            &Default::default(),
            &[],
        );
        assert!(!r.verdict.passed());
        assert!(
            r.notes
                .iter()
                .any(|n| n.code == NoteCode::UnenforcedProvenance
                    && n.text.contains("--verify-provenance"))
        );
        // Twins: enforced (--verify-provenance ran), and without the section, the empty graph
        // passes.
        let r = finish_report(
            &graph,
            &config,
            Vec::new(),
            crate::time::Timestamp(0),
            true,
            &Default::default(),
            &[],
        );
        assert!(r.verdict.passed(), "{:?}", r.verdict);
        let r = finish_report(
            &graph,
            &Config::default(),
            Vec::new(),
            crate::time::Timestamp(0),
            false,
            &Default::default(),
            &[],
        );
        assert!(r.verdict.passed());
        // Artefact policies are not check's to enforce: they fail even with the flag.
        let art = Config::parse(
            std::path::Path::new("t.toml"),
            "[provenance.artifacts.\"dist/x\"]\nrepo = \"o/x\"\n",
        )
        .unwrap();
        let r = finish_report(
            &graph,
            &art,
            Vec::new(),
            crate::time::Timestamp(0),
            true,
            &Default::default(),
            &[],
        );
        assert!(!r.verdict.passed());
    }

    #[test]
    fn a_stale_database_fails_only_when_asked() {
        let mut r = Report::default();
        apply_db_status(&mut r, &status(true, Some(30)), false);
        assert!(r.verdict.passed());
        assert_eq!(r.notes[0].code, NoteCode::StaleDatabase);
        assert!(r.notes[0].text.contains("30 days old"), "{:?}", r.notes);
        assert!(
            r.notes[0].text.contains("db import DIR"),
            "offline fix named"
        );
        let mut r = Report::default();
        apply_db_status(&mut r, &status(true, Some(30)), true);
        assert!(!r.verdict.passed());
        let mut r = Report::default();
        apply_db_status(&mut r, &status(true, None), true);
        assert!(!r.verdict.passed(), "unknown age is stale");
        let mut r = Report::default();
        apply_db_status(&mut r, &status(false, Some(2)), true);
        assert!(r.verdict.passed());
        assert!(r.notes.is_empty());
        assert_eq!(r.database.as_ref().map(|d| d.advisories), Some(3));
    }
}

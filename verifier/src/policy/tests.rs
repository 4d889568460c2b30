//! Policy tests with a fixed clock: threshold, waivers active/expired/stale, overdue, scope.

use std::path::Path;

use super::*;
use crate::finding::{AdvisoryDetails, Code, Finding, PackageRef, Severity};
use crate::package::Ecosystem;

fn now() -> Timestamp {
    Timestamp::parse("2026-11-23T12:00:00Z").unwrap()
}

fn vuln(id: &str, sev: Severity, published: &str) -> Finding {
    Finding {
        id: format!("advisory/vulnerability:{id}:time@0.1.45"),
        code: Code::Vulnerability,
        ids: vec![id.to_owned(), "CVE-2020-26235".to_owned()],
        severity: sev,
        package: Some(PackageRef {
            ecosystem: Ecosystem::Cargo,
            name: "time".into(),
            version: "0.1.45".into(),
            id: "Cargo.lock#time@0.1.45".into(),
            purl: "pkg:cargo/time@0.1.45".into(),
        }),
        path: vec!["app@0.1.0".into(), "time@0.1.45".into()],
        location: None,
        title: "t".into(),
        message: String::new(),
        fix: None,
        advisory: Some(AdvisoryDetails {
            published: Some(published.to_owned()),
            ..AdvisoryDetails::default()
        }),
        scopes: vec![],
        dev_optional: false,
    }
}

fn cfg(s: &str) -> Config {
    Config::parse(Path::new("tollgate.toml"), s).unwrap()
}

#[test]
fn blocks_at_threshold_and_passes_below() {
    let c = cfg("fail-on = \"high\"\n");
    let r = evaluate(
        &c,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-20")],
        now(),
    );
    assert!(!r.verdict.passed());
    let r = evaluate(
        &c,
        vec![vuln("RUSTSEC-1", Severity::Medium, "2026-11-20")],
        now(),
    );
    assert!(r.verdict.passed());
    assert_eq!(r.summary.warnings, 1);
}

#[test]
fn unknown_severity_maps_to_configured() {
    let f = vec![vuln("RUSTSEC-1", Severity::Unknown, "2026-11-20")];
    assert!(
        !evaluate(&cfg("fail-on = \"high\"\n"), f.clone(), now())
            .verdict
            .passed()
    );
    let c = cfg("fail-on = \"high\"\nunknown-severity = \"low\"\n");
    assert!(evaluate(&c, f, now()).verdict.passed());
}

#[test]
fn active_waiver_accepts_and_expired_waiver_does_not() {
    let active = cfg(
        "[[waiver]]\nid = \"CVE-2020-26235\"\npackage = \"time\"\nversion = \"<0.2\"\nreason = \"r\"\nexpires = \"2026-11-23\"\n",
    );
    let r = evaluate(
        &active,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-20")],
        now(),
    );
    assert!(r.verdict.passed());
    assert!(r.findings[0].waived());
    assert!(r.stale_waivers.is_empty() && r.expired_waivers.is_empty());

    let expired =
        cfg("[[waiver]]\nid = \"CVE-2020-26235\"\nreason = \"r\"\nexpires = \"2026-11-22\"\n");
    let r = evaluate(
        &expired,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-20")],
        now(),
    );
    assert!(!r.verdict.passed());
    assert!(!r.findings[0].waived());
    assert_eq!(r.expired_waivers.len(), 1);
}

#[test]
fn waiver_scoped_to_other_version_does_not_apply_and_is_stale() {
    let c = cfg("[[waiver]]\nid = \"RUSTSEC-1\"\nversion = \">=0.2\"\nreason = \"r\"\n");
    let r = evaluate(
        &c,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-20")],
        now(),
    );
    assert!(!r.verdict.passed());
    assert_eq!(r.stale_waivers.len(), 1);
    let c = cfg("[[waiver]]\nid = \"RUSTSEC-1\"\npackage = \"other\"\nreason = \"r\"\n");
    let r = evaluate(
        &c,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-20")],
        now(),
    );
    assert!(!r.verdict.passed());
}

#[test]
fn overdue_with_fixed_clock() {
    let c = cfg("fail-on = \"medium\"\nfail-on-overdue = true\n");
    // high: 7 days. Published 6 days ago: within SLA → warning only.
    let r = evaluate(
        &c,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-17T13:00:00Z")],
        now(),
    );
    assert!(r.verdict.passed(), "{:?}", r.findings[0].disposition);
    assert!(!r.findings[0].overdue());
    // Published 8 days ago: overdue → blocks.
    let r = evaluate(
        &c,
        vec![vuln("RUSTSEC-1", Severity::High, "2026-11-15")],
        now(),
    );
    assert!(!r.verdict.passed());
    assert!(r.findings[0].overdue());
    // Critical: 24h.
    let r = evaluate(
        &c,
        vec![vuln(
            "RUSTSEC-1",
            Severity::Critical,
            "2026-11-22T11:00:00Z",
        )],
        now(),
    );
    assert!(r.findings[0].overdue());
    let r = evaluate(
        &c,
        vec![vuln(
            "RUSTSEC-1",
            Severity::Critical,
            "2026-11-22T13:00:00Z",
        )],
        now(),
    );
    assert!(!r.findings[0].overdue());
}

#[test]
fn sla_clock_starts_when_a_fix_became_available() {
    let c = cfg("fail-on-overdue = true\n");
    let mut f = vuln("RUSTSEC-1", Severity::High, "2026-01-01");
    f.advisory.as_mut().unwrap().fixed_available = Some("2026-11-20".into());
    let r = evaluate(&c, vec![f], now());
    assert!(!r.findings[0].overdue());
    assert!(r.verdict.passed());
}

#[test]
fn dev_scope_can_be_excluded() {
    let mut f = vuln("RUSTSEC-1", Severity::High, "2026-11-20");
    f.scopes = vec!["dev"];
    let r = evaluate(&cfg("include-dev = false\n"), vec![f.clone()], now());
    assert!(r.verdict.passed());
    assert_eq!(r.summary.out_of_scope, 1);
    assert!(!evaluate(&cfg(""), vec![f], now()).verdict.passed());
}

#[test]
fn informational_kinds_follow_their_action() {
    let mut f = vuln("RUSTSEC-2", Severity::None, "2026-11-20");
    f.code = Code::Unmaintained;
    assert!(evaluate(&cfg(""), vec![f.clone()], now()).verdict.passed());
    assert!(
        !evaluate(&cfg("unmaintained = \"deny\"\n"), vec![f.clone()], now())
            .verdict
            .passed()
    );
    let r = evaluate(&cfg("unmaintained = \"ignore\"\n"), vec![f], now());
    assert_eq!(r.findings.len(), 0);
    assert_eq!(r.summary.ignored, 1);
}

#[test]
fn placeholder_epoch_publication_falls_back_to_modified() {
    let mut f = vuln("NSWG-ECO-516", Severity::High, "1970-01-01T00:00:00Z");
    f.advisory.as_mut().unwrap().modified = Some("2026-11-20".into());
    let r = evaluate(&cfg(""), vec![f], now());
    let sla = r.findings[0].sla.as_ref().unwrap();
    assert_eq!(sla.started, Timestamp::parse("2026-11-20").unwrap());
    assert!(!sla.overdue);
}

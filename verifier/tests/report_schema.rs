//! The schema-equality test: `docs/reference/report.schema.json` lists exactly the values the
//! code writes (finding kinds, lockfile formats, severities, ecosystems, dispositions, coverage
//! statuses, scopes, fix hints), and a report that uses every one of them validates against it.
//! Adding a `Code` (or a format, a hint, …) without updating the schema fails here.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use tollgate_verifier::coverage::{CheckCoverage, CoverageCode, CoverageStatus};
use tollgate_verifier::finding::{
    AdvisoryDetails, Code, Finding, FindingLocation, FixHint, PackageRef, Severity, VendoredThing,
};
use tollgate_verifier::lockfile::Format;
use tollgate_verifier::package::{Ecosystem, Scopes};
use tollgate_verifier::policy::{Disposition, SlaState};
use tollgate_verifier::render;
use tollgate_verifier::report::{
    CheckedLockfile, DatabaseInfo, DispositionReason, FailReason, Note, NoteCode, Report,
    ReportFinding, Verdict, WaiverNote,
};
use tollgate_verifier::time::{Duration, Timestamp};
use tollgate_verifier::vex::{VexAnalysis, VexJustification, VexState};

use support::schema::{REPORT_SCHEMA, assert_valid_report, errors, repo};

fn schema() -> Value {
    let text = std::fs::read_to_string(repo().join(REPORT_SCHEMA)).expect("the schema is readable");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The strings of the `enum` at `pointer` in the schema.
fn enum_at(schema: &Value, pointer: &str) -> BTreeSet<String> {
    schema
        .pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{REPORT_SCHEMA} has no enum at {pointer}"))
        .iter()
        .map(|v| v.as_str().expect("enum values are strings").to_owned())
        .collect()
}

/// `Ok` when the schema's enum and the code's values are the same set; else what differs.
fn same_set(
    what: &str,
    schema: &BTreeSet<String>,
    code: impl IntoIterator<Item = impl Into<String>>,
) -> Result<(), String> {
    let code: BTreeSet<String> = code.into_iter().map(Into::into).collect();
    if *schema == code {
        return Ok(());
    }
    Err(format!(
        "{what}: the code writes {:?} that {REPORT_SCHEMA} does not list, and the schema lists {:?} \
         that the code does not write: update the schema",
        code.difference(schema).collect::<Vec<_>>(),
        schema.difference(&code).collect::<Vec<_>>(),
    ))
}

fn pkg(eco: Ecosystem, name: &str) -> PackageRef {
    PackageRef {
        ecosystem: eco,
        name: name.into(),
        version: "1.0.0".into(),
        id: format!("lock#{name}@1.0.0"),
        purl: format!("pkg:{}/{name}@1.0.0", eco.as_str()),
    }
}

/// One value of every fix hint (the match fails to compile when a variant is added).
fn every_fix_hint() -> Vec<FixHint> {
    let all = vec![
        FixHint::Upgrade { to: "2.0.0".into() },
        FixHint::NoFix,
        FixHint::AddIntegrity,
        FixHint::PinGitRev,
        FixHint::UseHttps,
        FixHint::ReviewInstallScript,
        FixHint::RevokeCredential,
        FixHint::UseAllowedSource,
        FixHint::VendorOrPublish {
            what: VendoredThing::Package,
        },
        FixHint::VendorOrPublish {
            what: VendoredThing::Crate,
        },
        FixHint::UpgradeFromYanked,
        FixHint::ReplaceDeprecated,
        FixHint::HashArtifact,
        FixHint::InvestigateHashMismatch,
        FixHint::CheckRegistryUrl,
        FixHint::RegenerateLockfile {
            command: "`npm install --package-lock-only`".into(),
        },
        FixHint::UpdateLockfile {
            command: "npm install".into(),
            lockfile: "package-lock.json".into(),
            any_unlocked_cargo_command: false,
        },
        FixHint::FixManifest,
        FixHint::RestoreMember {
            dir: "crates/a".into(),
        },
        FixHint::RequestProvenance,
        FixHint::InvestigateTampering,
        FixHint::ReviewProvenancePolicy,
        FixHint::ResolveFromSigningRegistry,
    ];
    for h in &all {
        match h {
            FixHint::Upgrade { .. }
            | FixHint::NoFix
            | FixHint::AddIntegrity
            | FixHint::PinGitRev
            | FixHint::UseHttps
            | FixHint::ReviewInstallScript
            | FixHint::RevokeCredential
            | FixHint::UseAllowedSource
            | FixHint::VendorOrPublish { .. }
            | FixHint::UpgradeFromYanked
            | FixHint::ReplaceDeprecated
            | FixHint::HashArtifact
            | FixHint::InvestigateHashMismatch
            | FixHint::CheckRegistryUrl
            | FixHint::RegenerateLockfile { .. }
            | FixHint::UpdateLockfile { .. }
            | FixHint::FixManifest
            | FixHint::RequestProvenance
            | FixHint::InvestigateTampering
            | FixHint::ReviewProvenancePolicy
            | FixHint::ResolveFromSigningRegistry
            | FixHint::RestoreMember { .. } => {}
        }
    }
    all
}

/// One value of every verdict reason (the match fails to compile when a variant is added).
fn every_fail_reason() -> Vec<FailReason> {
    let all = vec![
        FailReason::BlockingFindings {
            count: 1,
            fail_on: Severity::Low,
            overdue_only: false,
        },
        FailReason::UnenforcedProvenance { policies: 2 },
        FailReason::StaleDatabase {
            age_days: None,
            max_age_days: 7,
        },
    ];
    for r in &all {
        match r {
            FailReason::BlockingFindings { .. }
            | FailReason::UnenforcedProvenance { .. }
            | FailReason::StaleDatabase { .. } => {}
        }
    }
    all
}

/// `NoteCode::ALL` lists every code (the match fails to compile when a variant is added).
#[test]
fn note_code_all_is_complete() {
    let mut n = 0;
    for c in NoteCode::ALL {
        match c {
            NoteCode::LockfileWarnings
            | NoteCode::UnsupportedLockfiles
            | NoteCode::UnenforcedProvenance
            | NoteCode::StaleDatabase
            | NoteCode::DriftNotChecked
            | NoteCode::DriftFallback
            | NoteCode::DriftOutsideRepository
            | NoteCode::Unverifiable
            | NoteCode::Registry
            | NoteCode::StaleConfig
            | NoteCode::UnapprovedWaiver
            | NoteCode::Vex => n += 1,
        }
    }
    let distinct: BTreeSet<&str> = NoteCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(distinct.len(), n);
}

/// One value of every disposition (the match fails to compile when a variant is added).
fn every_disposition() -> Vec<Disposition> {
    let all = vec![
        Disposition::Blocking {
            reason: DispositionReason::OverThreshold {
                severity: Severity::High,
                fail_on: Severity::Low,
            },
        },
        Disposition::Warning {
            reason: DispositionReason::BelowThreshold {
                severity: Severity::Low,
                fail_on: Severity::Medium,
            },
        },
        Disposition::Waived {
            waiver: "W-1".into(),
            reason: "accepted".into(),
            owner: Some("sec@example.com".into()),
            expires: None,
            vex: None,
        },
        Disposition::Waived {
            waiver: "bom.cdx.json#/vulnerabilities/0".into(),
            reason: "VEX not_affected (code_not_reachable)".into(),
            owner: None,
            expires: None,
            vex: Some(Box::new(VexAnalysis {
                vulnerability: "CVE-2020-8203".into(),
                state: VexState::NotAffected,
                justification: Some(VexJustification::CodeNotReachable),
                responses: vec!["will_not_fix".into()],
                detail: Some("never called".into()),
                source: "bom.cdx.json#/vulnerabilities/0".into(),
            })),
        },
    ];
    for d in &all {
        match d {
            Disposition::Blocking { .. }
            | Disposition::Warning { .. }
            | Disposition::Waived { .. } => {}
        }
    }
    all
}

/// One value of every coverage status (the match fails to compile when a variant is added).
fn every_coverage_status() -> Vec<CoverageStatus> {
    let all = vec![
        CoverageStatus::Failed {
            kinds: vec!["hash-mismatch"],
        },
        CoverageStatus::Verified {
            code: CoverageCode::RegistryHash,
            how: "sha512 matches".into(),
        },
    ];
    // Every reason code, on the status it belongs to.
    let all = all
        .into_iter()
        .chain(
            CoverageCode::ALL
                .into_iter()
                .map(|code| match code.skip_text() {
                    Some(_) => code.skipped(),
                    None if matches!(
                        code,
                        CoverageCode::RegistryHash
                            | CoverageCode::ArtifactBridge
                            | CoverageCode::ArtifactHash
                            | CoverageCode::Attestations
                            | CoverageCode::RegistrySignature
                    ) =>
                    {
                        CoverageStatus::Verified {
                            code,
                            how: "sha512 matches".into(),
                        }
                    }
                    None if matches!(
                        code,
                        CoverageCode::NoAttestations | CoverageCode::NoSignature
                    ) =>
                    {
                        CoverageStatus::Unsigned {
                            code,
                            reason: "no attestations".into(),
                        }
                    }
                    None => CoverageStatus::Unverifiable {
                        code,
                        reason: "no usable hash".into(),
                    },
                }),
        )
        .collect::<Vec<_>>();
    for s in &all {
        match s {
            CoverageStatus::Verified { .. }
            | CoverageStatus::Failed { .. }
            | CoverageStatus::Unsigned { .. }
            | CoverageStatus::Unverifiable { .. }
            | CoverageStatus::Skipped { .. } => {}
        }
    }
    all
}

/// Every scope a finding can carry (adding a field to `Scopes` breaks this literal).
fn every_scope() -> Vec<&'static str> {
    Scopes {
        dev: true,
        optional: true,
        dev_optional: true,
        peer: true,
        build: true,
    }
    .names()
}

/// A report that uses every code, severity, ecosystem, fix hint, disposition, lockfile format,
/// coverage status and scope.
fn everything_report() -> Report {
    let now = Timestamp::parse("2026-11-23T12:00:00Z").expect("a timestamp");
    let hints = every_fix_hint();
    let dispositions = every_disposition();
    // As many findings as it takes to use every code and every hint.
    let findings = (0..Code::ALL.len().max(hints.len()))
        .map(|i| {
            let code = Code::ALL[i % Code::ALL.len()];
            let eco = Ecosystem::ALL[i % Ecosystem::ALL.len()];
            let p = pkg(eco, &format!("p{i}"));
            let advisory = (code.id().starts_with("advisory/")).then(|| AdvisoryDetails {
                published: Some("2026-11-01".into()),
                score: Some(7.5),
                sources: vec!["rustsec".into()],
                ..AdvisoryDetails::default()
            });
            let finding = Finding {
                id: format!("{}:{}", code.id(), p.name),
                code,
                ids: if advisory.is_some() {
                    vec![format!("RUSTSEC-2026-{i:04}")]
                } else {
                    Vec::new()
                },
                severity: Severity::ALL[i % Severity::ALL.len()],
                path: vec!["app@0.1.0".into(), format!("{}@1.0.0", p.name)],
                location: Some(FindingLocation {
                    file: "Cargo.lock".into(),
                    line: i as u32,
                }),
                title: code.description().into(),
                message: format!("{} affects {}", code.kind(), p.name),
                fix: Some(hints[i % hints.len()].clone()),
                advisory,
                scopes: if i == 0 { every_scope() } else { Vec::new() },
                dev_optional: false,
                package: (i != 1).then_some(p),
            };
            ReportFinding {
                effective_severity: finding.severity,
                sla: (i == 0).then(|| SlaState {
                    sla: Duration::parse("7d").expect("a duration"),
                    started: now,
                    due: now,
                    age: Duration::parse("1d").expect("a duration"),
                    overdue: true,
                }),
                disposition: dispositions[i % dispositions.len()].clone(),
                finding,
            }
        })
        .collect();
    let mut coverage = CheckCoverage::new("registry");
    for (i, s) in every_coverage_status().into_iter().enumerate() {
        coverage.push(pkg(Ecosystem::ALL[i % 2], &format!("c{i}")), s);
    }
    let waiver = WaiverNote {
        id: "RUSTSEC-2000-0000".into(),
        package: None,
        reason: "old".into(),
        owner: None,
        expires: Some("2026-01-01".into()),
        offset: 0,
    };
    Report {
        generated_at: now,
        verdict: Verdict::Fail(every_fail_reason()),
        findings,
        expired_waivers: vec![waiver.clone()],
        stale_waivers: vec![waiver],
        fail_on: Severity::Low,
        lockfiles: Format::ALL
            .iter()
            .map(|&format| CheckedLockfile {
                path: format!("{}.lock", format.as_str()),
                format,
                version: 3,
                packages: 1,
            })
            .collect(),
        packages: Code::ALL.len(),
        database: Some(DatabaseInfo {
            origin: "embedded".into(),
            updated: Some("2026-11-20".into()),
            advisories: 1,
            age_days: Some(3),
            sources: vec!["rustsec".into()],
        }),
        notes: NoteCode::ALL
            .iter()
            .map(|&c| Note::new(c, format!("a {} note", c.as_str())))
            .collect(),
        coverage: vec![coverage],
        ..Report::default()
    }
}

fn render_json(r: &Report) -> String {
    let mut b = Vec::new();
    render::json::render(r, &mut b).expect("rendered");
    String::from_utf8(b).expect("UTF-8")
}

/// The values the JSON report writes at a place, over every finding (or coverage package).
fn written(doc: &Value, list: &str, field: impl Fn(&Value) -> Option<String>) -> BTreeSet<String> {
    doc.pointer(list)
        .and_then(Value::as_array)
        .expect("a list")
        .iter()
        .filter_map(field)
        .collect()
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[test]
fn schema_enums_equal_the_code() {
    let s = schema();
    let doc: Value = serde_json::from_str(&render_json(&everything_report())).expect("JSON");
    let mut problems = Vec::new();
    let mut check = |r: Result<(), String>| {
        if let Err(e) = r {
            problems.push(e);
        }
    };
    let kinds = enum_at(&s, "/$defs/finding/properties/kind/enum");
    check(same_set(
        "finding kind",
        &kinds,
        Code::ALL.iter().map(|c| c.kind()),
    ));
    check(same_set(
        "finding kind (as written)",
        &kinds,
        written(&doc, "/findings", |f| str_at(f, "/kind")),
    ));
    check(same_set(
        "lockfile format",
        &enum_at(&s, "/properties/lockfiles/items/properties/format/enum"),
        Format::ALL.iter().map(|f| f.as_str()),
    ));
    let severities = enum_at(&s, "/$defs/severity/enum");
    check(same_set(
        "severity",
        &severities,
        Severity::ALL.iter().map(|s| s.as_str()),
    ));
    check(same_set(
        "severity (as written)",
        &severities,
        written(&doc, "/findings", |f| str_at(f, "/severity")),
    ));
    for pointer in [
        "/$defs/finding/properties/package/properties/ecosystem/enum",
        "/properties/coverage/items/properties/packages/items/properties/package/properties/ecosystem/enum",
    ] {
        check(same_set(
            &format!("ecosystem at {pointer}"),
            &enum_at(&s, pointer),
            Ecosystem::ALL.iter().map(|e| e.as_str()),
        ));
    }
    check(same_set(
        "disposition state",
        &enum_at(
            &s,
            "/$defs/finding/properties/disposition/properties/state/enum",
        ),
        written(&doc, "/findings", |f| str_at(f, "/disposition/state")),
    ));
    check(same_set(
        "coverage status",
        &enum_at(
            &s,
            "/properties/coverage/items/properties/packages/items/properties/status/enum",
        ),
        written(&doc, "/coverage/0/packages", |p| str_at(p, "/status")),
    ));
    check(same_set(
        "scope",
        &enum_at(&s, "/$defs/finding/properties/scopes/items/enum"),
        every_scope(),
    ));
    check(same_set(
        "verdict",
        &enum_at(&s, "/properties/verdict/enum"),
        ["pass", "fail"],
    ));
    // Fix hints: the bare strings, and the keys of the one-key objects.
    let alternatives = s
        .pointer("/$defs/finding/properties/fix/oneOf")
        .and_then(Value::as_array)
        .expect("fix is a oneOf");
    let mut schema_hints = BTreeSet::new();
    for alt in alternatives {
        if let Some(e) = alt.get("enum").and_then(Value::as_array) {
            schema_hints.extend(e.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(r) = alt.get("required").and_then(Value::as_array) {
            schema_hints.extend(r.iter().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    check(same_set(
        "fix hint",
        &schema_hints,
        written(&doc, "/findings", |f| match &f["fix"] {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.keys().next().cloned(),
            _ => None,
        }),
    ));
    check(same_set(
        "disposition why code",
        &enum_at(
            &s,
            "/$defs/finding/properties/disposition/properties/why/properties/code/enum",
        ),
        DispositionReason::CODES,
    ));
    let reason_codes = enum_at(&s, "/properties/reasons_typed/items/properties/code/enum");
    check(same_set(
        "verdict reason code",
        &reason_codes,
        FailReason::CODES,
    ));
    check(same_set(
        "verdict reason code (as written)",
        &reason_codes,
        written(&doc, "/reasons_typed", |n| str_at(n, "/code")),
    ));
    let vex = "/$defs/finding/properties/disposition/properties/vex/properties";
    check(same_set(
        "VEX state",
        &enum_at(&s, &format!("{vex}/state/enum")),
        VexState::WAIVING.iter().map(|v| v.as_str()),
    ));
    check(same_set(
        "VEX justification",
        &enum_at(&s, &format!("{vex}/justification/enum")),
        VexJustification::ALL.iter().map(|j| j.as_str()),
    ));
    let note_codes = enum_at(&s, "/properties/notes_typed/items/properties/code/enum");
    check(same_set(
        "note code",
        &note_codes,
        NoteCode::ALL.iter().map(|c| c.as_str()),
    ));
    check(same_set(
        "note code (as written)",
        &note_codes,
        written(&doc, "/notes_typed", |n| str_at(n, "/code")),
    ));
    let coverage_codes = enum_at(
        &s,
        "/properties/coverage/items/properties/packages/items/properties/code/enum",
    );
    check(same_set(
        "coverage code",
        &coverage_codes,
        CoverageCode::ALL.iter().map(|c| c.as_str()),
    ));
    let written_coverage: BTreeSet<String> = doc
        .pointer("/coverage")
        .and_then(Value::as_array)
        .expect("a coverage list")
        .iter()
        .filter_map(|c| c.pointer("/packages").and_then(Value::as_array))
        .flatten()
        .filter_map(|p| str_at(p, "/code"))
        .collect();
    check(same_set(
        "coverage code (as written)",
        &coverage_codes,
        written_coverage,
    ));
    let hint_kinds = enum_at(
        &s,
        "/$defs/finding/properties/fix_hint/properties/kind/enum",
    );
    check(same_set(
        "fix_hint kind",
        &hint_kinds,
        every_fix_hint().iter().map(FixHint::kind),
    ));
    check(same_set(
        "fix_hint kind (as written)",
        &hint_kinds,
        written(&doc, "/findings", |f| str_at(f, "/fix_hint/kind")),
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The negative twin of the equality: a schema that lacks one kind is caught, naming it.
#[test]
fn a_schema_missing_a_kind_is_caught() {
    let mut kinds = enum_at(&schema(), "/$defs/finding/properties/kind/enum");
    assert!(kinds.remove("inconsistent"));
    let err = same_set("finding kind", &kinds, Code::ALL.iter().map(|c| c.kind()))
        .expect_err("a missing kind differs");
    assert!(err.contains("\"inconsistent\""), "{err}");
}

#[test]
fn a_report_with_every_value_validates_against_the_schema() {
    assert_valid_report(&render_json(&everything_report()));
    // And the report of an empty run (a pass, no database, no coverage).
    assert_valid_report(&render_json(&Report::default()));
}

/// The negative twin of the validation: the validator rejects a kind the schema does not list,
/// and says so.
#[test]
fn the_schema_rejects_an_unknown_kind() {
    let mut doc: Value = serde_json::from_str(&render_json(&everything_report())).expect("JSON");
    doc["findings"][0]["kind"] = Value::from("bogus-kind");
    let Some(errs) = errors(REPORT_SCHEMA, &doc.to_string()) else {
        return;
    };
    assert!(
        errs.iter().any(
            |e| e.contains("'findings', 0, 'kind'") && e.contains("'bogus-kind' is not one of")
        ),
        "{errs:?}"
    );
}

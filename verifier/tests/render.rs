//! Renderer snapshots: every renderer renders one shared report; SARIF is validated against the
//! official SARIF 2.1.0 schema and JSON against `docs/reference/report.schema.json`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};
use std::process::Command;

use tollgate_verifier::finding::{
    AdvisoryDetails, Code, Finding, FindingLocation, FixHint, PackageRef, Severity,
};
use tollgate_verifier::package::Ecosystem;
use tollgate_verifier::policy::{Config, evaluate};
use tollgate_verifier::render::{self, Style};
use tollgate_verifier::report::Report;
use tollgate_verifier::time::Timestamp;

fn pkg(eco: Ecosystem, name: &str, version: &str) -> PackageRef {
    PackageRef {
        ecosystem: eco,
        name: name.into(),
        version: version.into(),
        id: format!("lock#{name}@{version}"),
        purl: format!("pkg:{}/{name}@{version}", eco.as_str()),
    }
}

fn finding(
    code: Code,
    ids: &[&str],
    sev: Severity,
    p: PackageRef,
    published: Option<&str>,
) -> Finding {
    let file = if p.ecosystem == Ecosystem::Cargo {
        "Cargo.lock"
    } else {
        "web/package-lock.json"
    };
    Finding {
        id: format!(
            "{}:{}:{}@{}",
            code.id(),
            ids.first().unwrap_or(&"-"),
            p.name,
            p.version
        ),
        code,
        ids: ids.iter().map(|s| s.to_string()).collect(),
        severity: sev,
        path: vec!["app@0.1.0".into(), format!("{}@{}", p.name, p.version)],
        location: Some(FindingLocation {
            file: file.into(),
            line: 42,
        }),
        title: format!("{} in {}", code.kind(), p.name),
        message: "details | with a pipe".into(),
        fix: Some(if code == Code::Vulnerability {
            FixHint::Upgrade {
                to: "0.2.23".into(),
            }
        } else {
            FixHint::AddIntegrity
        }),
        advisory: published.map(|d| AdvisoryDetails {
            published: Some(d.into()),
            url: Some(format!("https://rustsec.org/advisories/{}", ids[0])),
            cvss: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()),
            score: Some(9.8),
            sources: vec!["rustsec".into()],
            ..AdvisoryDetails::default()
        }),
        package: Some(p),
        scopes: vec![],
        dev_optional: false,
    }
}

/// The shared report: blocking, waived, overdue, warning, informational and pinning findings,
/// one expired and one stale waiver.
pub fn shared_report() -> Report {
    let config = Config::parse(
        Path::new("tollgate.toml"),
        r#"
fail-on = "medium"
[[waiver]]
id = "GHSA-aaaa-bbbb-cccc"
reason = "not reachable from our code"
owner = "sec@example.com"
expires = "2027-01-31"
[[waiver]]
id = "RUSTSEC-2019-0001"
reason = "old"
expires = "2026-01-01"
[[waiver]]
id = "RUSTSEC-2000-0000"
reason = "matches nothing"
"#,
    )
    .unwrap();
    let findings = vec![
        finding(
            Code::Vulnerability,
            &["RUSTSEC-2020-0071", "CVE-2020-26235", "GHSA-wcg3-cvx6-7396"],
            Severity::Critical,
            pkg(Ecosystem::Cargo, "time", "0.1.45"),
            Some("2020-11-18"),
        ),
        finding(
            Code::Vulnerability,
            &["GHSA-aaaa-bbbb-cccc"],
            Severity::High,
            pkg(Ecosystem::Npm, "lodash", "4.17.15"),
            Some("2026-11-20"),
        ),
        finding(
            Code::Vulnerability,
            &["RUSTSEC-2019-0001"],
            Severity::Unknown,
            pkg(Ecosystem::Cargo, "old", "1.0.0"),
            Some("2026-11-22"),
        ),
        finding(
            Code::Vulnerability,
            &["NSWG-ECO-1"],
            Severity::Low,
            pkg(Ecosystem::Npm, "@scope/tiny", "1.0.0"),
            Some("2026-11-01"),
        ),
        finding(
            Code::Unmaintained,
            &["RUSTSEC-2024-0002"],
            Severity::None,
            pkg(Ecosystem::Cargo, "ansi_term", "0.12.1"),
            Some("2024-01-01"),
        ),
        finding(
            Code::MissingHash,
            &[],
            Severity::High,
            pkg(Ecosystem::Npm, "left-pad", "1.3.0"),
            None,
        ),
    ];
    let mut r = evaluate(
        &config,
        findings,
        Timestamp::parse("2026-11-23T12:00:00Z").unwrap(),
    );
    r.packages = 120;
    r
}

fn render_to_string(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut b = Vec::new();
    f(&mut b).unwrap();
    String::from_utf8(b).unwrap()
}

#[test]
fn human_snapshot() {
    let r = shared_report();
    insta::assert_snapshot!(render_to_string(|w| render::terminal::render(
        &r,
        Style::default(),
        w
    )));
}

#[test]
fn markdown_snapshot() {
    let r = shared_report();
    insta::assert_snapshot!(render_to_string(|w| render::markdown::render(&r, w)));
}

#[test]
fn json_snapshot_and_contract() {
    let r = shared_report();
    let s = render_to_string(|w| render::json::render(&r, w));
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["verdict"], "fail");
    for f in v["findings"].as_array().unwrap() {
        for k in ["kind", "ids", "severity", "package", "waived", "overdue"] {
            assert!(f.get(k).is_some(), "finding lacks {k}");
        }
    }
    let waived: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] == true)
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(v["expired_waivers"].as_array().unwrap().len(), 1);
    assert_eq!(v["stale_waivers"].as_array().unwrap().len(), 1);
    insta::assert_snapshot!(s);
    validate("docs/reference/report.schema.json", &s);
}

#[test]
fn sarif_snapshot_and_schema() {
    let r = shared_report();
    let s = render_to_string(|w| render::sarif::render(&r, w));
    insta::assert_snapshot!(s);
    validate("testdata/schemas/sarif-schema-2.1.0.json", &s);
}

#[test]
fn sarif_with_repository_root_validates() {
    use tollgate_verifier::report::{SourceFiles, SourcePath};
    let mut r = shared_report();
    r.sources = Some(SourceFiles {
        root: "/work/my repo/".into(),
        files: [
            (
                "Cargo.lock".to_owned(),
                SourcePath::InRoot("services/a b#1/Cargo.lock".into()),
            ),
            (
                "web/package-lock.json".to_owned(),
                SourcePath::Outside("/elsewhere/package-lock.json".into()),
            ),
        ]
        .into(),
    });
    let s = render_to_string(|w| render::sarif::render(&r, w));
    validate("testdata/schemas/sarif-schema-2.1.0.json", &s);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let run = &v["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///work/my%20repo/"
    );
    let locs: Vec<&serde_json::Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"])
        .collect();
    assert!(locs.contains(&&serde_json::json!({
        "uri": "services/a%20b%231/Cargo.lock",
        "uriBaseId": "%SRCROOT%"
    })));
    assert!(locs.contains(&&serde_json::json!({"uri": "file:///elsewhere/package-lock.json"})));
    // Without sources (a library caller): the displayed paths, encoded, no base.
    let plain = render_to_string(|w| render::sarif::render(&shared_report(), w));
    let v: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert!(v["runs"][0].get("originalUriBaseIds").is_none());
}

#[test]
fn renderers_are_deterministic() {
    let a = render_to_string(|w| render::json::render(&shared_report(), w));
    let b = render_to_string(|w| render::json::render(&shared_report(), w));
    assert_eq!(a, b);
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Validates a document with Python's `jsonschema` (installed by `.ci/run`).
fn validate(schema: &str, doc: &str) {
    let dir = tempfile::tempdir().unwrap();
    let doc_path = dir.path().join("doc.json");
    std::fs::write(&doc_path, doc).unwrap();
    let script = "import json,sys,jsonschema\n\
s=json.load(open(sys.argv[1]));d=json.load(open(sys.argv[2]))\n\
cls=jsonschema.validators.validator_for(s)\n\
errs=sorted(cls(s).iter_errors(d), key=lambda e: list(e.path))\n\
[print(list(e.path), e.message) for e in errs]\n\
sys.exit(1 if errs else 0)\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(repo().join(schema))
        .arg(&doc_path)
        .output()
        .expect("python3 runs (with jsonschema: pip install jsonschema)");
    assert!(
        out.status.success(),
        "{schema} rejects the document:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn schema_validation_rejects_a_broken_sarif_log() {
    let r = shared_report();
    let s = render_to_string(|w| render::sarif::render(&r, w));
    let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
    v["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    let broken = serde_json::to_string(&v).unwrap();
    let res =
        std::panic::catch_unwind(|| validate("testdata/schemas/sarif-schema-2.1.0.json", &broken));
    assert!(res.is_err(), "an invalid level must fail validation");
}

/// The shared report with the coverage of a registry and an artifact verification.
fn report_with_coverage() -> Report {
    use tollgate_verifier::coverage::{CheckCoverage, CoverageCode, CoverageStatus};
    let mut r = shared_report();
    let mut reg = CheckCoverage::new("registry");
    reg.push(
        pkg(Ecosystem::Npm, "lodash", "4.17.15"),
        CoverageStatus::Verified {
            code: CoverageCode::RegistryHash,
            how: "sha512 matches https://registry.npmjs.org/lodash".into(),
        },
    );
    reg.push(
        pkg(Ecosystem::Cargo, "time", "0.1.45"),
        CoverageStatus::Failed {
            kinds: vec!["hash-mismatch"],
        },
    );
    reg.push(
        pkg(Ecosystem::Cargo, "local", "0.1.0"),
        CoverageCode::LocalPath.skipped(),
    );
    reg.push(
        pkg(Ecosystem::Npm, "left-pad", "1.3.0"),
        CoverageStatus::Unverifiable {
            code: CoverageCode::NoUsableHash,
            reason: "the lockfile pins no usable hash".into(),
        },
    );
    let mut art = CheckCoverage::new("artifacts");
    art.push(
        pkg(Ecosystem::Npm, "lodash", "4.17.15"),
        CoverageStatus::Verified {
            code: CoverageCode::ArtifactHash,
            how: "sha512 of the tarball".into(),
        },
    );
    r.coverage = vec![reg, art];
    r
}

#[test]
fn coverage_shows_in_every_format() {
    let r = report_with_coverage();
    let counts = "registry: 1 verified, 1 failed, 1 unverifiable, 1 skipped";
    let human = render_to_string(|w| render::terminal::render(&r, Style::default(), w));
    assert!(human.contains(&format!("coverage: {counts}")), "{human}");
    assert!(
        human.contains("  skipped (local path): local@0.1.0"),
        "{human}"
    );
    assert!(human.contains("  unverifiable (the lockfile pins no usable hash): left-pad@1.3.0"));
    assert!(human.contains("coverage: artifacts: 1 verified, 0 failed"));
    let md = render_to_string(|w| render::markdown::render(&r, w));
    assert!(md.contains(&format!("- {counts}")), "{md}");
    assert!(
        md.contains("  - failed (hash-mismatch): `time@0.1.45`"),
        "{md}"
    );
    let json = render_to_string(|w| render::json::render(&r, w));
    validate("docs/reference/report.schema.json", &json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["coverage"][0]["check"], "registry");
    assert_eq!(v["coverage"][0]["packages"].as_array().unwrap().len(), 4);
    assert_eq!(v["coverage"][0]["packages"][0]["status"], "verified");
    assert_eq!(v["coverage"][0]["packages"][2]["reason"], "local path");
    // Reason codes beside the prose (JSON only adds: `how` and `reason` stay).
    assert_eq!(v["coverage"][0]["packages"][0]["code"], "registry-hash");
    assert_eq!(v["coverage"][0]["packages"][1].get("code"), None);
    assert_eq!(v["coverage"][0]["packages"][2]["code"], "local-path");
    assert_eq!(v["coverage"][0]["packages"][3]["code"], "no-usable-hash");
    assert_eq!(v["coverage"][1]["packages"][0]["code"], "artifact-hash");
    let sarif = render_to_string(|w| render::sarif::render(&r, w));
    validate("testdata/schemas/sarif-schema-2.1.0.json", &sarif);
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(s["runs"][0]["properties"]["coverage"], v["coverage"]);
    // Without verification, no coverage anywhere.
    let plain = render_to_string(|w| render::json::render(&shared_report(), w));
    assert!(!plain.contains("\"coverage\""));
}

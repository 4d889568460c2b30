//! `tollgate check --sbom`: SBOMs as input to the same gate. tollgate's own SBOMs of the corpus
//! lockfiles give the advisory findings `check` gives on the lockfiles; SBOMs shaped like
//! cargo-cyclonedx's, cyclonedx-npm's and syft's (`testdata/sbom/`) are read, one SBOM may mix
//! ecosystems, and what cannot be mapped is exit 2 naming the component.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{corpus, run, tollgate};

const NOW: &str = "2026-12-01T00:00:00Z";

/// `(id, severity, purl, disposition state, fix)` of every advisory finding of a JSON report, as
/// a set: an SBOM holds one component per purl, where a lockfile may hold several copies.
fn advisory_findings(report: &Value) -> BTreeSet<(String, String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("advisory/"))
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["package"]["purl"].as_str().unwrap().to_owned(),
                f["disposition"]["state"].as_str().unwrap().to_owned(),
                f["fix"].to_string(),
            )
        })
        .collect()
}

fn json_report(args: &[&str]) -> (Option<i32>, Value) {
    let out = run(args);
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

#[test]
fn finds_on_the_sbom_of_every_corpus_lockfile_what_check_finds_on_the_lockfile() {
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let mut with_findings = 0;
    for (i, lock) in crate::sbom::corpus_inputs().iter().enumerate() {
        let bom = dir.path().join(format!("{i}.cdx.json"));
        let made = tollgate()
            .args(["sbom", lock.to_str().unwrap(), "-o", bom.to_str().unwrap()])
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        if made.status.code() == Some(2) {
            // A lockfile without packages has no SBOM (the sbom tests cover it).
            continue;
        }
        assert_eq!(made.status.code(), Some(0), "{}", lock.display());
        let lock_arg = lock.to_str().unwrap();
        let bom_arg = bom.to_str().unwrap();
        let (code_lock, from_lock) =
            json_report(&["check", lock_arg, "--format", "json", "--now", NOW, "-q"]);
        let (code_bom, from_bom) = json_report(&[
            "check", "--sbom", bom_arg, "--format", "json", "--now", NOW, "-q",
        ]);
        assert_ne!(code_bom, Some(2), "{}", lock.display());
        assert_ne!(code_lock, Some(2), "{}", lock.display());
        let (a, b) = (advisory_findings(&from_lock), advisory_findings(&from_bom));
        assert_eq!(
            a,
            b,
            "{}: advisory findings differ between the lockfile and its SBOM",
            lock.display()
        );
        assert_eq!(from_bom["lockfiles"][0]["format"], "cyclonedx");
        compared += 1;
        if !a.is_empty() {
            with_findings += 1;
        }
    }
    assert!(compared > 100, "{compared} SBOMs compared");
    // The comparison is not vacuous: many corpus lockfiles have known advisories.
    assert!(
        with_findings >= 20,
        "{with_findings} with advisory findings"
    );
    let (_, one) = json_report(&[
        "check",
        "--sbom",
        dir.path().join("0.cdx.json").to_str().unwrap(),
        "--format",
        "json",
        "--now",
        NOW,
        "-q",
    ]);
    crate::support::schema::assert_valid_report(&one.to_string());
    let _ = corpus();
}

/// `check --sbom FILE` on `testdata/sbom/FILE` with the small advisory set, as JSON.
fn check_sbom(files: &[&str]) -> (Option<i32>, Value, String) {
    let mut args: Vec<String> = vec!["check".into()];
    for f in files {
        args.push("--sbom".into());
        args.push(format!("../sbom/{f}"));
    }
    for a in [
        "--db",
        "../check/advisories",
        "--now",
        NOW,
        "--format",
        "json",
    ] {
        args.push(a.into());
    }
    let out = tollgate().args(&args).output().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn advisory_ids(report: &Value) -> BTreeSet<String> {
    advisory_findings(report)
        .into_iter()
        .map(|(id, ..)| id)
        .collect()
}

#[test]
fn reads_the_sboms_of_other_tools_with_their_paths() {
    let time = "advisory/vulnerability:RUSTSEC-2020-0071:time@0.1.45";
    let lodash = "advisory/vulnerability:NSWG-ECO-516:lodash@4.17.15";
    for (file, want, path) in [
        (
            "cargo-cyclonedx.cdx.json",
            vec![
                time,
                "advisory/unmaintained:RUSTSEC-2021-0139:ansi_term@0.12.1",
            ],
            Some(vec!["app@0.1.0", "ansi_term@0.12.1", "time@0.1.45"]),
        ),
        (
            "cyclonedx-npm.cdx.json",
            vec![lodash],
            Some(vec!["web@1.0.0", "@corp/parent@2.0.0", "lodash@4.17.15"]),
        ),
        // syft: no dependency graph, a `file` component as the described one and a file
        // component among the packages, cargo and npm packages side by side.
        ("syft.cdx.json", vec![time, lodash], None),
    ] {
        let (code, report, err) = check_sbom(&[file]);
        assert_eq!(code, Some(1), "{file}: {err}");
        let got = advisory_ids(&report);
        let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(got, want, "{file}");
        if let Some(path) = path {
            let f = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == want.iter().next_back().map(String::as_str).unwrap_or(""))
                .or_else(|| report["findings"].as_array().unwrap().first())
                .unwrap();
            let shown: Vec<&str> = f["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert!(
                shown == path || shown == path[..path.len() - 1],
                "{file}: {shown:?}"
            );
            assert!(
                f["location"]["file"].as_str().unwrap().ends_with(file),
                "{f}"
            );
            assert!(f["location"]["line"].as_u64().unwrap() > 1, "{f}");
        }
        crate::support::schema::assert_valid_report(&report.to_string());
        assert!(
            report["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().contains("is an SBOM")),
            "{file}: drift says it did not run"
        );
    }
    // Two SBOMs (and so two ecosystems) in one graph.
    let (code, report, _) = check_sbom(&["cargo-cyclonedx.cdx.json", "cyclonedx-npm.cdx.json"]);
    assert_eq!(code, Some(1));
    assert!(advisory_ids(&report).contains(time) && advisory_ids(&report).contains(lodash));
    assert_eq!(report["lockfiles"].as_array().unwrap().len(), 2);
}

#[test]
fn rejects_a_component_it_cannot_map_naming_it_and_accepts_its_twin() {
    let (code, _, err) = check_sbom(&["pypi.cdx.json"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("pypi.cdx.json:7:37 (at /components/1): component `pkg:pypi/requests@2.19.0`: purl `pkg:pypi/requests@2.19.0` is of type `pypi`"),
        "{err}"
    );
    // The twin without the Python package is read and checked.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::testdata().join("../sbom/pypi.cdx.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["components"].as_array_mut().unwrap().pop();
    let twin = dir.path().join("npm-only.cdx.json");
    std::fs::write(&twin, v.to_string()).unwrap();
    let out = run(&[
        "check",
        "--sbom",
        twin.to_str().unwrap(),
        "--db",
        "../check/advisories",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(advisory_ids(&report).contains("advisory/vulnerability:NSWG-ECO-516:lodash@4.17.15"));
    // A directory, a missing file and a lockfile given as --sbom are input errors.
    for (arg, needle) in [
        ("../sbom", "is a directory"),
        ("../sbom/none.cdx.json", "no such file"),
        ("../check/npm/package-lock.json", "not a CycloneDX SBOM"),
    ] {
        let out = run(&["check", "--sbom", arg, "--db", "../check/advisories"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{arg}: {err}");
        assert!(err.contains(needle), "{arg}: {err}");
    }
}

/// `check --sbom syft.cdx.json --vex lodash.vex.cdx.json` in `format`.
fn with_vex(format: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "check",
        "--sbom",
        "../sbom/syft.cdx.json",
        "--vex",
        "../sbom/lodash.vex.cdx.json",
        "--db",
        "../check/advisories",
        "--now",
        NOW,
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn vex_waives_the_finding_it_names_and_every_format_says_why() {
    let lodash = "advisory/vulnerability:NSWG-ECO-516:lodash@4.17.15";
    let (_, report, _) = check_sbom(&["syft.cdx.json"]);
    let before = report["summary"]["blocking"].as_u64().unwrap();
    let out = with_vex("json", &[]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    crate::support::schema::assert_valid_report(&report.to_string());
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == lodash)
        .unwrap();
    assert_eq!(f["waived"], true);
    assert_eq!(f["blocking"], false);
    let d = &f["disposition"];
    assert_eq!(d["state"], "waived");
    assert_eq!(
        d["waiver"],
        "../sbom/lodash.vex.cdx.json#/vulnerabilities/0"
    );
    assert_eq!(d["vex"]["state"], "not_affected");
    assert_eq!(d["vex"]["justification"], "code_not_reachable");
    assert_eq!(d["vex"]["response"][0], "will_not_fix");
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(report["summary"]["blocking"].as_u64().unwrap(), before - 1);
    // Negative twin: `not_affected` without a justification waives nothing, and says so.
    let time = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "advisory/vulnerability:RUSTSEC-2020-0071:time@0.1.45")
        .unwrap();
    assert_eq!(time["blocking"], true);
    assert!(
        report["notes_typed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["code"] == "vex"
                && n["text"]
                    .as_str()
                    .unwrap()
                    .contains("without a justification")),
        "{}",
        report["notes_typed"]
    );
    for (format, needles) in [
        (
            "human",
            &[
                "waived by VEX",
                "VEX not_affected (code_not_reachable): the service never passes untrusted input to lodash",
            ][..],
        ),
        (
            "markdown",
            &[
                "waived by VEX",
                "VEX not\\_affected (code\\_not\\_reachable)",
            ][..],
        ),
        (
            "sarif",
            &["\"suppressions\"", "VEX not_affected (code_not_reachable)"][..],
        ),
    ] {
        let out = with_vex(format, &[]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        for n in needles {
            assert!(text.contains(n), "{format}: no {n:?} in\n{text}");
        }
    }
}

#[test]
fn vex_inside_the_sbom_waives_by_bom_ref_and_only_that_version() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::testdata().join("../sbom/cargo-cyclonedx.cdx.json"))
        .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let time_ref = "registry+https://github.com/rust-lang/crates.io-index#time@0.1.45";
    v["vulnerabilities"] = serde_json::json!([{
        "id": "CVE-2020-26235",
        "analysis": {"state": "resolved", "detail": "patched in our fork"},
        "affects": [{"ref": time_ref}]
    }]);
    let bom = dir.path().join("with-vex.cdx.json");
    std::fs::write(&bom, v.to_string()).unwrap();
    let time = "advisory/vulnerability:RUSTSEC-2020-0071:time@0.1.45";
    let state = |bom: &std::path::Path| {
        let out = run(&[
            "check",
            "--sbom",
            bom.to_str().unwrap(),
            "--db",
            "../check/advisories",
            "--now",
            NOW,
            "--format",
            "json",
        ]);
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == time)
            .cloned()
            .unwrap();
        (out.status.code(), f["disposition"].clone())
    };
    // By an alias of the advisory and the component's bom-ref.
    let (code, d) = state(&bom);
    assert_eq!(code, Some(0), "{d}");
    assert_eq!(d["vex"]["state"], "resolved");
    assert_eq!(d["waiver"], "with-vex.cdx.json#/vulnerabilities/0");
    // Twin: the statement names another component; the finding blocks again.
    v["vulnerabilities"][0]["affects"][0]["ref"] = "pkg:cargo/time@0.1.44".into();
    std::fs::write(&bom, v.to_string()).unwrap();
    let (code, d) = state(&bom);
    assert_eq!(code, Some(1));
    assert_eq!(d["state"], "blocking");
    // A statement that cannot be applied is exit 2 naming it.
    v["vulnerabilities"][0]["analysis"]["state"] = "fixed".into();
    std::fs::write(&bom, v.to_string()).unwrap();
    let out = run(&[
        "check",
        "--sbom",
        bom.to_str().unwrap(),
        "--db",
        "../check/advisories",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(at /vulnerabilities/0)") && err.contains("`fixed`"),
        "{err}"
    );
}

#[test]
fn sbom_vex_exports_the_waived_findings_as_valid_cyclonedx_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tollgate.toml");
    std::fs::write(
        &cfg,
        "[[waiver]]\nid = \"RUSTSEC-2020-0071\"\npackage = \"time\"\nreason = \"build time only\"\nowner = \"sec@example.com\"\nexpires = \"2027-01-31\"\n",
    )
    .unwrap();
    let vex = dir.path().join("out.vex.json");
    let export = |out: &std::path::Path| {
        tollgate()
            .args([
                "sbom",
                "vex",
                "--sbom",
                "../sbom/syft.cdx.json",
                "--vex",
                "../sbom/lodash.vex.cdx.json",
                "--db",
                "../check/advisories",
                "--now",
                NOW,
                "--config",
                cfg.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap()
    };
    let o = export(&vex);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&vex).unwrap()).unwrap();
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 2, "{doc}");
    assert_eq!(vulns[0]["id"], "NSWG-ECO-516");
    assert_eq!(vulns[0]["analysis"]["justification"], "code_not_reachable");
    assert_eq!(vulns[0]["affects"][0]["ref"], "pkg:npm/lodash@4.17.15");
    assert_eq!(vulns[1]["analysis"]["state"], "exploitable");
    assert!(
        vulns[1]["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("sec@example.com")
    );
    // Reproducible.
    let again = dir.path().join("again.vex.json");
    export(&again);
    assert_eq!(std::fs::read(&vex).unwrap(), std::fs::read(&again).unwrap());
    if let Some(v) = crate::sbom::validate(std::slice::from_ref(&vex)) {
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    }
    // Read back: the exported not_affected statement waives the same finding; the accepted
    // risk does not (the tollgate.toml waiver stays the policy).
    let out = run(&[
        "check",
        "--sbom",
        "../sbom/syft.cdx.json",
        "--vex",
        vex.to_str().unwrap(),
        "--db",
        "../check/advisories",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let waived: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] == true)
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        waived,
        ["advisory/vulnerability:NSWG-ECO-516:lodash@4.17.15"]
    );
}

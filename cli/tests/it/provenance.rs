//! `tollgate attest verify-provenance`: slsa-verifier's `verify-artifact` regression cases
//! (`policy_cases.json`, the provenance and GitHub-attestation modes) through the real binary,
//! signature and policy together, offline against the embedded production root.

use std::path::{Path, PathBuf};

use crate::{render_with, tollgate};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors/slsa-verifier")
}

fn text(o: &std::process::Output) -> String {
    render_with(o, &[(&vectors(), "[VECTORS]")])
}

#[test]
fn slsa_verifier_cases_reach_their_verdict_and_error_through_the_binary() {
    let dir = vectors();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("policy_cases.json")).unwrap()).unwrap();
    let (mut agree, mut false_accepts, mut wrong) = (0, vec![], vec![]);
    let mut ran = 0;
    for c in index["cases"].as_array().unwrap() {
        let mode = c["mode"].as_str();
        if !matches!(mode, None | Some("verify-github-attestation")) {
            continue; // verify-npm-package and verify-vsa are other commands.
        }
        ran += 1;
        let name = c["name"].as_str().unwrap();
        let p = |k: &str| dir.join(c[k].as_str().unwrap()).display().to_string();
        let mut args = vec![
            "attest".to_owned(),
            "verify-provenance".to_owned(),
            "--format".to_owned(),
            "json".to_owned(),
            "--provenance".to_owned(),
            p("provenance"),
            "--artifact".to_owned(),
            p("artifact"),
            "--source-uri".to_owned(),
            c["source_uri"].as_str().unwrap().to_owned(),
        ];
        for (flag, key) in [
            ("--builder-id", "builder_id"),
            ("--source-branch", "source_branch"),
            ("--source-tag", "source_tag"),
            ("--source-versioned-tag", "source_versioned_tag"),
        ] {
            if let Some(v) = c.get(key).and_then(|v| v.as_str()) {
                args.extend([flag.to_owned(), v.to_owned()]);
            }
        }
        let o = tollgate().args(&args).output().unwrap();
        let code = o.status.code();
        let expect_pass = c["expect"] == "pass";
        match (code, expect_pass) {
            (Some(0), true) => agree += 1,
            (Some(0), false) => false_accepts.push(name.to_owned()),
            (Some(1), false) => {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                let got = v["violation"]["slsa_verifier_error"].as_str();
                if got == c["expect_error"].as_str() {
                    agree += 1;
                } else {
                    wrong.push(format!(
                        "{name}: expected {}, got {got:?}: {}",
                        c["expect_error"],
                        text(&o)
                    ));
                }
            }
            _ => wrong.push(format!("{name}: {}", text(&o))),
        }
    }
    println!(
        "slsa-verifier verify-artifact cases: {agree} of {ran} agree (verdict and error name); false accepts {}",
        false_accepts.len()
    );
    assert_eq!(ran, 164);
    assert!(
        false_accepts.is_empty(),
        "FALSE ACCEPTS: {false_accepts:#?}"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

fn verify_provenance(provenance: &Path, artifact: &Path, extra: &[&str]) -> std::process::Output {
    let (p, a) = (
        provenance.display().to_string(),
        artifact.display().to_string(),
    );
    let mut args = vec![
        "attest",
        "verify-provenance",
        "--provenance",
        &p,
        "--artifact",
        &a,
    ];
    args.extend_from_slice(extra);
    tollgate().args(&args).output().unwrap()
}

const EXAMPLE: &str = "github.com/slsa-framework/example-package";

#[test]
fn verified_provenance_passes_and_the_same_for_another_artifact_does_not() {
    let d = vectors().join("gha_generic/v2.1.0");
    let prov = d.join("binary-linux-amd64-workflow_dispatch.intoto.jsonl");
    let o = verify_provenance(
        &prov,
        &d.join("binary-linux-amd64"),
        &["--source-uri", EXAMPLE],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("PASSED"), "{}", text(&o));
    // The JSON report is policy-check's document.
    let o = verify_provenance(
        &prov,
        &d.join("binary-linux-amd64"),
        &["--source-uri", EXAMPLE, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = crate::json_doc("attest-policy-check.schema.json", &o.stdout, &["verdict"]);
    assert_eq!(v["verdict"], "pass");
    let other = vectors().join("../sigstore-conformance/bundle-verify/a.txt");
    let o = verify_provenance(
        &prov,
        &other,
        &["--source-uri", EXAMPLE, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = crate::json_doc(
        "attest-verify.schema.json",
        &o.stdout,
        &["verified", "file", "check", "error"],
    );
    assert_eq!(v["check"], "subject", "{v}");
}

#[test]
fn legacy_bare_dsse_without_a_log_entry_fails_closed_and_says_why() {
    let d = vectors().join("gha_generic/v1.10.0");
    let o = verify_provenance(
        &d.join("binary-linux-amd64-workflow_dispatch.intoto.jsonl"),
        &d.join("binary-linux-amd64"),
        &["--source-uri", EXAMPLE],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("needs a transparency-log lookup"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_message_signature_is_not_provenance_and_flags_are_required() {
    let c = vectors().join("../sigstore-conformance/bundle-verify");
    let o = verify_provenance(
        &c.join("happy-path-v0.3/bundle.sigstore.json"),
        &c.join("a.txt"),
        &["--source-uri", EXAMPLE],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let d = vectors().join("gha_generic/v2.1.0");
    let o = verify_provenance(
        &d.join("binary-linux-amd64-workflow_dispatch.intoto.jsonl"),
        &d.join("binary-linux-amd64"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn vsa_cases_reach_their_verdict_and_a_tampered_or_foreign_vsa_does_not_pass() {
    let dir = vectors();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("policy_cases.json")).unwrap()).unwrap();
    let mut ran = 0;
    let run_vsa = |att: &str, key: &str, id: &str, resource: &str| {
        tollgate()
            .args([
                "attest",
                "verify-vsa",
                "--format",
                "json",
                "--attestation",
                att,
                "--public-key",
                key,
                "--public-key-id",
                id,
                "--resource-uri",
                resource,
            ])
            .output()
            .unwrap()
    };
    let p = |c: &serde_json::Value, k: &str| dir.join(c[k].as_str().unwrap()).display().to_string();
    for c in index["cases"].as_array().unwrap() {
        if c["mode"] != "verify-vsa" {
            continue;
        }
        ran += 1;
        let o = run_vsa(
            &p(c, "attestation"),
            &p(c, "public_key"),
            c["public_key_id"].as_str().unwrap(),
            c["resource_uri"].as_str().unwrap(),
        );
        let want = if c["expect"] == "pass" { 0 } else { 1 };
        assert_eq!(o.status.code(), Some(want), "{}: {}", c["name"], text(&o));
        if want == 1 {
            // ErrorNoValidSignature: the signature layer's failure document.
            let v = crate::json_doc(
                "attest-verify.schema.json",
                &o.stdout,
                &["verified", "check"],
            );
            assert_eq!(v["check"], "signature");
        } else {
            let v = crate::json_doc("attest-policy-check.schema.json", &o.stdout, &["verdict"]);
            assert_eq!(v["verdict"], "pass");
        }
    }
    assert_eq!(ran, 3);
    let att = dir.join("vsa/gce/v1/gke-gce-pre.bcid-vsa.jsonl");
    let key = dir
        .join("vsa/gce/v1/vsa_signing_public_key.pem")
        .display()
        .to_string();
    let id = "keystore://76574:prod:vsa_signing_public_key";
    // Another resource: the policy fails.
    let o = run_vsa(&att.display().to_string(), &key, id, "gce_image://other");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = crate::json_doc("attest-policy-check.schema.json", &o.stdout, &["verdict"]);
    assert_eq!(v["verdict"], "fail");
    // A payload changed after signing: the signature fails.
    let mut env: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&att)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let payload = env["payload"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        &payload[..10],
        if &payload[10..11] == "A" { "B" } else { "A" }
    );
    env["payload"] = serde_json::Value::String(flipped + &payload[11..]);
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, serde_json::to_vec(&env).unwrap()).unwrap();
    let o = run_vsa(
        &bad.display().to_string(),
        &key,
        id,
        "gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn npm_cases_reach_their_verdict_and_error_through_the_binary() {
    let dir = vectors();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("policy_cases.json")).unwrap()).unwrap();
    let (mut ran, mut agree, mut false_accepts, mut wrong) = (0, 0, vec![], vec![]);
    for c in index["cases"].as_array().unwrap() {
        if c["mode"] != "verify-npm-package" {
            continue;
        }
        ran += 1;
        let name = c["name"].as_str().unwrap();
        let p = |k: &str| dir.join(c[k].as_str().unwrap()).display().to_string();
        let mut args = vec![
            "attest".to_owned(),
            "verify-npm".to_owned(),
            "--format".to_owned(),
            "json".to_owned(),
            "--attestations".to_owned(),
            p("attestations"),
            "--tarball".to_owned(),
            p("artifact"),
            "--source-uri".to_owned(),
            c["source_uri"].as_str().unwrap().to_owned(),
        ];
        for (flag, key) in [
            ("--builder-id", "builder_id"),
            ("--package-name", "package_name"),
            ("--package-version", "package_version"),
        ] {
            if let Some(v) = c.get(key).and_then(|v| v.as_str()) {
                args.extend([flag.to_owned(), v.to_owned()]);
            }
        }
        let o = tollgate().args(&args).output().unwrap();
        let expect_pass = c["expect"] == "pass";
        let want = c["expect_error"].as_str();
        match (o.status.code(), expect_pass) {
            (Some(0), true) => agree += 1,
            (Some(0), false) => false_accepts.push(name.to_owned()),
            (Some(1), false) => {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                // A signature failure is the `attest verify` failure document; a policy one
                // names slsa-verifier's error.
                let got = if v["verified"] == false {
                    Some("ErrorInvalidSignature")
                } else {
                    v["violation"]["slsa_verifier_error"].as_str()
                };
                if got == want {
                    agree += 1;
                } else {
                    wrong.push(format!(
                        "{name}: expected {want:?}, got {got:?}: {}",
                        text(&o)
                    ));
                }
            }
            _ => wrong.push(format!("{name}: {}", text(&o))),
        }
    }
    println!(
        "slsa-verifier verify-npm-package cases: {agree} of {ran} agree; false accepts {}",
        false_accepts.len()
    );
    assert_eq!(ran, 52);
    assert!(
        false_accepts.is_empty(),
        "FALSE ACCEPTS: {false_accepts:#?}"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn npm_publish_key_must_be_pinned_and_valid_at_signing_time_and_the_tarball_must_match() {
    let d = vectors().join("npm/gha");
    let att = d
        .join("gundam-visor-cli-v1-tag.tgz.json")
        .display()
        .to_string();
    let tgz = d.join("gundam-visor-cli-v1-tag.tgz").display().to_string();
    let other = d.join("provenance-npm-test-ossf.tgz").display().to_string();
    let src = "github.com/ramonpetgrave64/gundam-visor";
    let run_npm = |tarball: &str, extra: &[&str]| {
        let mut args = vec![
            "attest",
            "verify-npm",
            "--attestations",
            &att,
            "--tarball",
            tarball,
            "--source-uri",
            src,
            "--builder-id",
            "https://github.com/actions/runner/github-hosted",
        ];
        args.extend_from_slice(extra);
        tollgate().args(&args).output().unwrap()
    };
    let o = run_npm(&tgz, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Another tarball.
    let o = run_npm(&other, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // The registry keys: the hinted key's window closed before the signing time, or no such key.
    let keys_path = vectors().join("../npm-registry-signatures/npm-keys.tuf-target.json");
    let mut keys: serde_json::Value =
        serde_json::from_slice(&std::fs::read(keys_path).unwrap()).unwrap();
    for k in keys["keys"].as_array_mut().unwrap() {
        k["publicKey"]["validFor"]["end"] = serde_json::json!("2022-12-02T00:00:00Z");
    }
    let tmp = tempfile::tempdir().unwrap();
    let expired = tmp.path().join("expired.json");
    std::fs::write(&expired, serde_json::to_vec(&keys).unwrap()).unwrap();
    let o = run_npm(&tgz, &["--npm-keys", &expired.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("not valid at the signing time"),
        "{}",
        text(&o)
    );
    keys["keys"].as_array_mut().unwrap().clear();
    let none = tmp.path().join("none.json");
    std::fs::write(&none, serde_json::to_vec(&keys).unwrap()).unwrap();
    let o = run_npm(&tgz, &["--npm-keys", &none.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("no pinned npm registry key"),
        "{}",
        text(&o)
    );
}

#[test]
fn explain_names_slsa_verifier_for_npm_packages_and_nothing_on_failure() {
    let gha = crate::corpus().join("../attest-vectors/slsa-verifier/npm/gha");
    let run = |stem: &str| {
        crate::tollgate()
            .args(["attest", "verify-npm", "--explain", "--attestations"])
            .arg(gha.join(format!("{stem}.tgz.json")))
            .arg("--tarball")
            .arg(gha.join(format!("{stem}.tgz")))
            .args([
                "--source-uri",
                "github.com/ramonpetgrave64/gundam-visor",
                "--package-name",
                "gundam-visor",
                "--package-version",
                "1.0.1",
                "--builder-id",
                "https://github.com/actions/runner/github-hosted",
            ])
            .output()
            .unwrap()
    };
    let o = run("gundam-visor-cli-v1-tag");
    assert_eq!(o.status.code(), Some(0), "{}", crate::render(&o));
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("slsa-verifier verify-npm-package "), "{t}");
    assert!(
        t.contains("--package-name gundam-visor --package-version 1.0.1 --source-uri github.com/ramonpetgrave64/gundam-visor --builder-id https://github.com/actions/runner/github-hosted"),
        "{t}"
    );
    let o = run("gundam-visor-cli-v1-tag-invalidsigprov");
    assert_eq!(o.status.code(), Some(1), "{}", crate::render(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("slsa-verifier"));
}

//! `tollgate attest verify --bundle`: the Sigstore conformance suite through the real binary
//! (every case, every mode, zero false accepts), and each flag with its negative twin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{render_with, tollgate};

/// `../shared/attest-vectors/<rel>`.
fn vectors(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/attest-vectors")
        .join(rel)
}

fn suite(rel: &str) -> String {
    vectors("sigstore-conformance")
        .join(rel)
        .display()
        .to_string()
}

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const A_TXT_SHA256: &str = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

fn run(args: &[&str]) -> Output {
    tollgate().args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    render_with(o, &[(&vectors(""), "[VECTORS]")])
}

/// `attest verify --bundle CASE/bundle.sigstore.json --artifact a.txt` plus `extra`.
fn verify(case: &str, extra: &[&str]) -> Output {
    let bundle = suite(&format!("bundle-verify/{case}/bundle.sigstore.json"));
    let artifact = suite("bundle-verify/a.txt");
    let mut args = vec![
        "attest",
        "verify",
        "--bundle",
        &bundle,
        "--artifact",
        &artifact,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn keyless(case: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ];
    args.extend_from_slice(extra);
    verify(case, &args)
}

#[derive(Default)]
struct Tally {
    agree: usize,
    false_accepts: Vec<String>,
    false_rejects: Vec<String>,
    /// Expected failures, by exit code (1 not verified, 2 input error).
    fails_by_exit: BTreeMap<i32, usize>,
}

#[test]
fn conformance_suite_reaches_every_verdict_through_the_binary() {
    let dir = vectors("sigstore-conformance");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let cases = index["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 70);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let expect_pass = match c["expect"].as_str().unwrap() {
            "pass" => true,
            "fail" => false,
            e => panic!("{name}: expect {e}"),
        };
        let p = |k: &str| dir.join(c[k].as_str().unwrap()).display().to_string();
        let bundle = p("bundle");
        let mut base: Vec<String> = ["attest", "verify", "--format", "json", "--bundle", &bundle]
            .map(str::to_owned)
            .to_vec();
        // Custom roots are passed; the others use the embedded production root.
        if c["trusted_root_is_custom"].as_bool().unwrap() {
            base.extend(["--trusted-root".to_owned(), p("trusted_root")]);
        }
        match c["key"].as_str() {
            Some(_) => base.extend(["--key".to_owned(), p("key")]),
            None => base.extend([
                "--certificate-identity".to_owned(),
                c["identity"].as_str().unwrap().to_owned(),
                "--certificate-oidc-issuer".to_owned(),
                c["issuer"].as_str().unwrap().to_owned(),
            ]),
        }
        for mode in c["verify_modes"].as_array().unwrap() {
            let mode = mode.as_str().unwrap();
            let mut args = base.clone();
            match mode {
                "path" => args.extend(["--artifact".to_owned(), p("artifact")]),
                "digest" => args.extend([
                    "--digest".to_owned(),
                    format!("sha256:{}", c["artifact_sha256"].as_str().unwrap()),
                ]),
                m => panic!("{name}: unknown mode {m}"),
            }
            let o = tollgate().args(&args).output().unwrap();
            let code = o.status.code().unwrap_or(-1);
            let t = tallies.entry(mode.to_owned()).or_default();
            let label = format!("{name} [{mode}]");
            match (code, expect_pass) {
                (0, true) => t.agree += 1,
                (0, false) => t.false_accepts.push(label),
                (1 | 2, false) => {
                    t.agree += 1;
                    *t.fails_by_exit.entry(code).or_default() += 1;
                    // A failure says why: the JSON report (exit 1) or the error (exit 2).
                    let err = String::from_utf8_lossy(&o.stderr);
                    assert!(!err.trim().is_empty(), "{label}: no reason given");
                    if code == 1 {
                        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                        assert_eq!(v["verified"], false, "{label}");
                        assert!(v["check"].is_string(), "{label}");
                    }
                }
                _ => t.false_rejects.push(format!("{label}: {}", text(&o))),
            }
        }
    }
    let mut false_accepts = 0;
    let mut mismatches = 0;
    for (mode, t) in &tallies {
        println!(
            "sigstore conformance [{mode}]: {} of 70 agree; false accepts {}; false rejects {}; expected failures by exit code {:?}",
            t.agree,
            t.false_accepts.len(),
            t.false_rejects.len(),
            t.fails_by_exit
        );
        for f in &t.false_accepts {
            println!("  FALSE ACCEPT: {f}");
        }
        for f in &t.false_rejects {
            println!("  false reject: {f}");
        }
        false_accepts += t.false_accepts.len();
        mismatches += t.false_accepts.len() + t.false_rejects.len();
    }
    assert_eq!(tallies.len(), 2, "both modes ran");
    assert_eq!(false_accepts, 0, "false accepts");
    assert_eq!(mismatches, 0, "verdicts that differ from the suite's");
}

#[test]
fn keyless_exact_identity_verifies_and_another_identity_does_not() {
    let o = keyless("happy-path-v0.3", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("signer: https://github.com/sigstore-conformance/"),
        "{t}"
    );
    assert!(
        t.contains("trusted root: embedded:sigstore-production"),
        "{t}"
    );
    let o = verify(
        "happy-path-v0.3",
        &[
            "--certificate-identity",
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("identity mismatch"), "{}", text(&o));
}

#[test]
fn wrong_issuer_is_not_verified() {
    let o = verify(
        "happy-path-v0.3",
        &[
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            "https://accounts.google.com",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("issuer"), "{}", text(&o));
}

#[test]
fn identity_regexp_matches_or_not_and_a_bad_one_is_a_usage_error() {
    let ok = verify(
        "happy-path-v0.2",
        &[
            "--certificate-identity-regexp",
            "^https://github\\.com/sigstore-conformance/",
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let no = verify(
        "happy-path-v0.2",
        &[
            "--certificate-identity-regexp",
            "^https://github\\.com/sigstore/",
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(no.status.code(), Some(1), "{}", text(&no));
    let bad = verify(
        "happy-path-v0.2",
        &[
            "--certificate-identity-regexp",
            "(",
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        text(&bad).contains("invalid identity regexp"),
        "{}",
        text(&bad)
    );
}

#[test]
fn github_claims_from_the_certificate_match_or_fail() {
    let ok = keyless(
        "happy-path-v0.3",
        &[
            "--certificate-github-workflow-repository",
            "sigstore-conformance/extremely-dangerous-public-oidc-beacon",
            "--certificate-github-workflow-ref",
            "refs/heads/main",
            "--certificate-runner-environment",
            "github-hosted",
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    for (flag, value) in [
        (
            "--certificate-github-workflow-repository",
            "sigstore/cosign",
        ),
        ("--certificate-github-workflow-ref", "refs/tags/v1"),
        ("--certificate-runner-environment", "self-hosted"),
        ("--certificate-github-workflow-trigger", "release"),
    ] {
        let o = keyless("happy-path-v0.3", &[flag, value, "--format", "json"]);
        assert_eq!(o.status.code(), Some(1), "{flag}: {}", text(&o));
        let v = crate::json_doc(
            "attest-verify.schema.json",
            &o.stdout,
            &["verified", "check"],
        );
        assert_eq!(v["check"], "certificate-claim", "{flag}");
    }
}

#[test]
fn json_report_of_a_dsse_bundle_validates_and_names_the_subject() {
    let o = keyless("happy-path-intoto-in-dsse-v3", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = crate::json_doc(
        "attest-verify.schema.json",
        &o.stdout,
        &["bundle", "signer", "checks", "signing_times", "subjects"],
    );
    assert_eq!(v["content"], "dsse-envelope");
    assert_eq!(v["checks"]["tlog"], true);
    assert_eq!(v["signer"]["claims"]["runner_environment"], "github-hosted");
    assert_eq!(v["subjects"][0]["digest"]["sha256"], A_TXT_SHA256);
    // Its twin: the same bundle about another artefact.
    let other = suite("bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json");
    let o = run(&[
        "attest",
        "verify",
        "--format",
        "json",
        "--bundle",
        &other,
        "--digest",
        &format!("sha256:{}", "0".repeat(64)),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    crate::json_doc(
        "attest-verify.schema.json",
        &o.stdout,
        &["verified", "file", "check", "error"],
    );
}

#[test]
fn print_statement_writes_the_verified_dsse_payload_only() {
    let o = keyless("happy-path-intoto-in-dsse-v3", &["--print-statement"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    // With --explain, the re-check command joins the human report on stderr: stdout stays the
    // statement alone (it used to get the command appended).
    let o = keyless(
        "happy-path-intoto-in-dsse-v3",
        &["--print-statement", "--explain"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout: the statement");
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("re-check without tollgate:") && err.contains("cosign verify-blob"),
        "{err}"
    );
    // A message signature has no statement to print.
    let o = keyless("happy-path-v0.3", &["--print-statement"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn key_based_bundle_verifies_with_its_key_and_not_with_another() {
    let key = suite("bundle-verify/managed-key-happy-path/key.pub");
    let o = verify("managed-key-happy-path", &["--key", &key]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("signer: the given key"), "{}", text(&o));
    let dir = tempfile::tempdir().unwrap();
    let g = tollgate()
        .current_dir(dir.path())
        .args([
            "key",
            "generate",
            "--algorithm",
            "ecdsa-p256",
            "--out",
            "other",
        ])
        .output()
        .unwrap();
    assert_eq!(g.status.code(), Some(0), "{}", text(&g));
    let other = dir.path().join("other.pub").display().to_string();
    let o = verify("managed-key-happy-path", &["--key", &other]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A keyless bundle is not verified by a key, nor a key-based one by an identity.
    let o = verify("happy-path-v0.3", &["--key", &key]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = keyless("managed-key-happy-path", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn flag_combinations_that_make_no_sense_are_usage_errors() {
    let key = suite("bundle-verify/managed-key-happy-path/key.pub");
    for (what, extra) in [
        (
            "key and identity",
            vec!["--key", &key, "--certificate-identity", IDENTITY],
        ),
        ("no issuer", vec!["--certificate-identity", IDENTITY]),
        ("no identity", vec!["--certificate-oidc-issuer", ISSUER]),
        ("threshold", vec!["--key", &key, "--threshold", "2"]),
    ] {
        let o = verify("happy-path-v0.3", &extra);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
    }
    // A bundle is checked against a SHA-256, not another digest.
    let bundle = suite("bundle-verify/happy-path-v0.3/bundle.sigstore.json");
    let o = run(&[
        "attest",
        "verify",
        "--bundle",
        &bundle,
        "--digest",
        &format!("sha384:{}", "0".repeat(96)),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // Keyless flags without --bundle, and --bundle with --envelope, are refused by the parser.
    let o = run(&[
        "attest",
        "verify",
        "--envelope",
        "x",
        "--key",
        "k",
        "--certificate-identity",
        "i",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = run(&[
        "attest",
        "verify",
        "--envelope",
        "x",
        "--bundle",
        "y",
        "--key",
        "k",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn another_trusted_root_does_not_vouch_for_production_bundles() {
    let staging = vectors("trusted-roots/staging/trusted_root.json")
        .display()
        .to_string();
    let o = keyless("happy-path-v0.3", &["--trusted-root", &staging]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let production = vectors("trusted-roots/production/trusted_root.json")
        .display()
        .to_string();
    let o = keyless("happy-path-v0.3", &["--trusted-root", &production]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A root that is not one is an input error.
    let o = keyless(
        "happy-path-v0.3",
        &["--trusted-root", &suite("bundle-verify/a.txt")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn injected_clock_rejects_a_bundle_signed_after_it() {
    // happy-path-v0.3 was signed at 2024-03-19T17:26:26Z.
    let o = keyless("happy-path-v0.3", &["--now", "2024-03-20"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = keyless("happy-path-v0.3", &["--now", "2024-03-19T17:00:00Z"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("after the clock"), "{}", text(&o));
}

#[test]
fn oversized_or_malformed_bundles_are_input_errors_and_unknown_versions_fail_closed() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 32 * 1024 * 1024 + 1]).unwrap();
    let artifact = suite("bundle-verify/a.txt");
    let args = |b: &str| {
        run(&[
            "attest",
            "verify",
            "--bundle",
            b,
            "--artifact",
            &artifact,
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
        ])
    };
    let o = args(&big.display().to_string());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("limit"), "{}", text(&o));
    let o = args(&suite(
        "bundle-verify/bundle-malformed-json_fail/bundle.sigstore.json",
    ));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = args(&suite(
        "bundle-verify/bundle-unknown-version_fail/bundle.sigstore.json",
    ));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("unsupported (fails closed)"),
        "{}",
        text(&o)
    );
}

#[test]
fn slsa_verifier_bundles_all_verify_through_the_binary_and_not_for_another_artifact() {
    let dir = vectors("slsa-verifier");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let cases = index["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 27);
    let other = "0".repeat(64);
    let (mut verified, mut twins_rejected, mut wrong) = (0, 0, vec![]);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        assert_eq!(c["expect"], "pass", "{name}");
        let p = |k: &str| dir.join(c[k].as_str().unwrap()).display().to_string();
        let bundle = p("bundle");
        let base = [
            "attest",
            "verify",
            "--bundle",
            &bundle,
            "--certificate-identity",
            c["identity"].as_str().unwrap(),
            "--certificate-oidc-issuer",
            c["issuer"].as_str().unwrap(),
        ];
        for mode in c["verify_modes"].as_array().unwrap() {
            let artifact = p("artifact");
            let digest = format!("sha256:{}", c["artifact_sha256"].as_str().unwrap());
            let tail: [&str; 2] = match mode.as_str().unwrap() {
                "path" => ["--artifact", &artifact],
                _ => ["--digest", &digest],
            };
            let o = run(&[&base[..], &tail[..]].concat());
            match o.status.code() {
                Some(0) => verified += 1,
                _ => wrong.push(format!("{name} [{mode}]: {}", text(&o))),
            }
        }
        // The negative twin: the same bundle does not vouch for another artefact.
        let digest = format!("sha256:{other}");
        let o = run(&[&base[..], &["--digest", &digest][..]].concat());
        match o.status.code() {
            Some(1) => twins_rejected += 1,
            _ => wrong.push(format!("{name} [other artefact]: {}", text(&o))),
        }
    }
    println!(
        "slsa-verifier bundles: {verified} of 54 runs verified; {twins_rejected} of 27 rejected for another artefact"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn explain_prints_the_cosign_command_only_for_a_verified_bundle() {
    let o = keyless("happy-path-v0.3", &["--explain"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("re-check without tollgate:"), "{t}");
    assert!(
        t.contains(&format!(
            "cosign verify-blob --bundle [VECTORS]/sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json --certificate-identity {IDENTITY} --certificate-oidc-issuer {ISSUER}"
        )),
        "{t}"
    );
    // Beside a JSON document, the command goes to stderr and the document stays parseable.
    let o = keyless("happy-path-v0.3", &["--explain", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("stdout is the JSON report");
    assert!(String::from_utf8_lossy(&o.stderr).contains("cosign verify-blob"));
    // Twin: a bundle that does not verify gets no re-check command.
    let o = verify(
        "happy-path-v0.3",
        &[
            "--explain",
            "--certificate-identity",
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!text(&o).contains("re-check"), "{}", text(&o));
}

//! Receipts of the verification commands: `attest verify*` and `sbom verify` with
//! `--attest-result`, `--attest-out`, `--audit-log` and `--attest-key` leave the same DSSE VSA
//! and audit record as `check`; each verifies with `attest verify-vsa` and `audit verify`, and
//! each has its negative twin (a failed verification gives a FAILED VSA; another key does not
//! verify it).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{render, tollgate};

fn key(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let out = tollgate()
        .args(["key", "generate", "--algorithm", "ed25519", "--out"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

fn keyid(public: &Path) -> String {
    let out = tollgate()
        .args(["key", "id", "--format", "json"])
        .arg(public)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["keyid"].as_str().unwrap().to_owned()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    tollgate()
        .current_dir(dir)
        .env("TOLLGATE_NOW", "2026-03-01T00:00:00Z")
        .args(args)
        .output()
        .unwrap()
}

fn verify_vsa(dir: &Path, vsa: &str, public: &str, kid: &str, uri: &str) -> Output {
    run(
        dir,
        &[
            "attest",
            "verify-vsa",
            "--attestation",
            vsa,
            "--public-key",
            public,
            "--public-key-id",
            kid,
            "--resource-uri",
            uri,
        ],
    )
}

/// Runs a coreutils filter over `input`.
fn tool(cmd: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut c = std::process::Command::new(cmd[0])
        .args(&cmd[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(input).unwrap();
    c.wait_with_output().unwrap().stdout
}

/// The statement inside a one-line DSSE envelope.
fn statement(path: &Path) -> serde_json::Value {
    let env: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let payload = tool(
        &["base64", "-d"],
        env["payload"].as_str().unwrap().as_bytes(),
    );
    serde_json::from_slice(&payload).unwrap()
}

fn sha256_file(path: &Path) -> String {
    let out = tool(&["sha256sum"], &std::fs::read(path).unwrap());
    String::from_utf8(out).unwrap()[..64].to_owned()
}

/// A directory with an artefact, a signer key, a gate key and a signed envelope.
fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.tar.gz"), b"the artefact").unwrap();
    std::fs::write(d.join("pred.json"), b"{\"buildType\": \"x\"}").unwrap();
    key(d, "signer");
    key(d, "other");
    let (_, gate_pub) = key(d, "gate");
    let o = run(
        d,
        &[
            "attest",
            "sign",
            "--key",
            "signer.key",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--predicate",
            "pred.json",
            "-o",
            "app.intoto.json",
            "app.tar.gz",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    (dir, keyid(&gate_pub))
}

#[test]
fn attest_verify_leaves_a_vsa_that_verifies_and_a_failure_leaves_a_failed_one() {
    let (dir, kid) = setup();
    let d = dir.path();
    let receipts = [
        "--attest-result",
        "--attest-key",
        "gate.key",
        "--audit-log",
        "audit.jsonl",
    ];
    let mut args = vec![
        "attest",
        "verify",
        "--envelope",
        "app.intoto.json",
        "--key",
        "signer.pub",
        "--artifact",
        "app.tar.gz",
        "--attest-out",
        "pass.vsa.jsonl",
    ];
    args.extend(receipts);
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let st = statement(&d.join("pass.vsa.jsonl"));
    assert_eq!(
        st["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let p = &st["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(
        p["verifier"]["id"],
        "https://tollgate.dev/verifier/verify/v1"
    );
    assert_eq!(
        p["verifier"]["version"]["tollgate"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(p["timeVerified"], "2026-03-01T00:00:00Z");
    assert_eq!(p["tollgate"]["keyid"], kid.as_str());
    assert_eq!(p["tollgate"]["command"], "attest verify");
    assert_eq!(p["policy"]["digest"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(st["subject"][0]["name"], "app.intoto.json");
    assert_eq!(
        st["subject"][0]["digest"]["sha256"],
        sha256_file(&d.join("app.intoto.json")).as_str()
    );
    assert_eq!(
        st["subject"][1]["digest"]["sha256"],
        sha256_file(&d.join("app.tar.gz")).as_str()
    );
    let o = verify_vsa(
        d,
        "pass.vsa.jsonl",
        "gate.pub",
        &kid,
        "file:app.intoto.json",
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));

    // Negative twin: the envelope checked against a key that did not sign it.
    args[5] = "other.pub";
    args[9] = "fail.vsa.jsonl";
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let st = statement(&d.join("fail.vsa.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");
    let o = verify_vsa(
        d,
        "fail.vsa.jsonl",
        "gate.pub",
        &kid,
        "file:app.intoto.json",
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    assert!(render(&o).contains("FAILED"), "{}", render(&o));
    // The expectations differ (another key), so does the policy digest.
    assert_ne!(
        st["predicate"]["policy"]["digest"],
        statement(&d.join("pass.vsa.jsonl"))["predicate"]["policy"]["digest"]
    );

    // Wrong key: the passing VSA does not verify with another public key.
    let o = verify_vsa(
        d,
        "pass.vsa.jsonl",
        "other.pub",
        &keyid(&d.join("other.pub")),
        "file:app.intoto.json",
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));

    // One record per run, one chain: PASSED then FAILED.
    let o = run(d, &["audit", "verify", "audit.jsonl", "--key", "gate.pub"]);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let log = std::fs::read_to_string(d.join("audit.jsonl")).unwrap();
    let recs: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["verdict"], "PASSED");
    assert_eq!(recs[1]["verdict"], "FAILED");
    assert_eq!(recs[0]["command"], "attest verify");
    assert_eq!(recs[1]["prevHash"], recs[0]["thisHash"]);
    let o = run(d, &["audit", "verify", "audit.jsonl", "--key", "other.pub"]);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
}

#[test]
fn verify_vsa_and_policy_check_leave_receipts_too() {
    let (dir, kid) = setup();
    let d = dir.path();
    let o = run(
        d,
        &[
            "attest",
            "verify",
            "--envelope",
            "app.intoto.json",
            "--key",
            "signer.pub",
            "--statement-out",
            "statement.json",
            "--attest-result",
            "--attest-key",
            "gate.key",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    // The default file: in the current directory.
    assert!(d.join("tollgate.vsa.intoto.jsonl").exists());
    // verify-vsa of that VSA, with a receipt of its own.
    let mut args = vec![
        "attest",
        "verify-vsa",
        "--attestation",
        "tollgate.vsa.intoto.jsonl",
        "--public-key",
        "gate.pub",
        "--public-key-id",
        &kid,
        "--resource-uri",
        "file:app.intoto.json",
        "--attest-result",
        "--attest-key",
        "gate.key",
        "--attest-out",
        "vsa-of-vsa.jsonl",
    ];
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let st = statement(&d.join("vsa-of-vsa.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "PASSED");
    assert_eq!(st["predicate"]["tollgate"]["command"], "attest verify-vsa");
    // Negative twin: the wrong resource fails, and says so.
    args[9] = "file:elsewhere";
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let st = statement(&d.join("vsa-of-vsa.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");

    // policy-check of the VSA's statement: its resource and verifier, then another resource.
    let st = statement(&d.join("tollgate.vsa.intoto.jsonl"));
    std::fs::write(d.join("vsa-statement.json"), st.to_string()).unwrap();
    let mut args = vec![
        "attest",
        "policy-check",
        "--statement",
        "vsa-statement.json",
        "--resource-uri",
        "file:app.intoto.json",
        "--verifier-id",
        "https://tollgate.dev/verifier/verify/v1",
        "--attest-result",
        "--attest-key",
        "gate.key",
        "--attest-out",
        "policy.vsa.jsonl",
    ];
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let st = statement(&d.join("policy.vsa.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "PASSED");
    assert_eq!(
        st["predicate"]["tollgate"]["command"],
        "attest policy-check"
    );
    assert_eq!(st["subject"][0]["name"], "vsa-statement.json");
    let pass_policy = st["predicate"]["policy"]["digest"].clone();
    args[5] = "file:elsewhere";
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let st = statement(&d.join("policy.vsa.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");
    // The effective policy changed, so did its digest.
    assert_ne!(st["predicate"]["policy"]["digest"], pass_policy);
}

#[test]
fn sbom_verify_leaves_a_vsa_and_a_tampered_sbom_a_failed_one() {
    let (dir, kid) = setup();
    let d = dir.path();
    let lock = crate::testdata().join("cargo-v4-git/Cargo.lock");
    let o = run(d, &["sbom", lock.to_str().unwrap(), "-o", "bom.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let o = run(d, &["sbom", "sign", "bom.json", "--key", "signer.key"]);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let args = [
        "sbom",
        "verify",
        "bom.json",
        "--key",
        "signer.pub",
        "--attest-result",
        "--attest-key",
        "gate.key",
        "--audit-log",
        "audit.jsonl",
    ];
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let st = statement(&d.join("tollgate.vsa.intoto.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "PASSED");
    assert_eq!(st["subject"][0]["name"], "bom.json");
    assert_eq!(
        st["subject"][0]["digest"]["sha256"],
        sha256_file(&d.join("bom.json")).as_str()
    );
    let o = verify_vsa(
        d,
        "tollgate.vsa.intoto.jsonl",
        "gate.pub",
        &kid,
        "file:bom.json",
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    // Negative twin: the SBOM edited after signing.
    let mut bom = std::fs::read(d.join("bom.json")).unwrap();
    bom.extend(b"\n");
    std::fs::write(d.join("bom.json"), bom).unwrap();
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let st = statement(&d.join("tollgate.vsa.intoto.jsonl"));
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");
    let o = verify_vsa(
        d,
        "tollgate.vsa.intoto.jsonl",
        "gate.pub",
        &kid,
        "file:bom.json",
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let o = run(d, &["audit", "verify", "audit.jsonl", "--key", "gate.pub"]);
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
}

#[test]
fn receipt_flags_are_checked_and_an_undecided_verification_leaves_none() {
    let (dir, _) = setup();
    let d = dir.path();
    let base = [
        "attest",
        "verify",
        "--envelope",
        "app.intoto.json",
        "--key",
        "signer.pub",
    ];
    for (extra, msg) in [
        (&["--attest-result"][..], "need --attest-key"),
        (&["--audit-log", "l.jsonl"][..], "need --attest-key"),
        (
            &["--attest-key", "gate.key"][..],
            "add --attest-result or --audit-log",
        ),
        (&["--attest-out", "x.jsonl"][..], "needs --attest-result"),
        (
            &["--attest-result", "--attest-key", "gate.pub"][..],
            "gate.pub",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let o = run(d, &args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", render(&o));
        assert!(render(&o).contains(msg), "{extra:?}: {}", render(&o));
    }
    // An envelope that is not JSON: exit 2, and no VSA claims anything.
    std::fs::write(d.join("bad.json"), b"{not json").unwrap();
    let o = run(
        d,
        &[
            "attest",
            "verify",
            "--envelope",
            "bad.json",
            "--key",
            "signer.pub",
            "--attest-result",
            "--attest-key",
            "gate.key",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
    assert!(!d.join("tollgate.vsa.intoto.jsonl").exists());
}

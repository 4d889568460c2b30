//! `tollgate attest policy-check`: exit codes 0 (satisfied), 1 (violated), 2 (usage or input
//! error) and the messages naming the failed check, on statements from slsa-verifier's vectors.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::render_with;

/// `<repo>/testdata/attest`.
fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/attest")
}

/// `../shared/attest-vectors/slsa-verifier/<rel>`.
fn shared(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/attest-vectors/slsa-verifier")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn policy_check(args: &[&str]) -> Output {
    crate::tollgate()
        .current_dir(dir())
        .args(["attest", "policy-check"])
        .args(args)
        .output()
        .expect("tollgate runs")
}

/// Exit code, stdout, stderr; the shared vectors' directory as `[SHARED]`.
fn text(out: &Output) -> String {
    render_with(out, &[(Path::new(&shared("")), "[SHARED]")])
}

macro_rules! snap {
    ($name:expr, $args:expr) => {{
        let out = policy_check($args);
        insta::assert_snapshot!($name, text(&out));
        out
    }};
}

const GENERIC: &str = "generic-v0.2-tag-v13.0.30.json";
const GENERIC_SHA256: &str =
    "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa";
/// The generic statement, the release policy and the artefact's digest.
const GENERIC_WITH_POLICY: [&str; 6] = [
    "--statement",
    GENERIC,
    "--policy",
    "release-policy.toml",
    "--digest",
    GENERIC_SHA256,
];

#[test]
fn accepts_generic_provenance_with_a_policy_file() {
    let out = snap!("policy_check_generic_pass", &GENERIC_WITH_POLICY);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn rejects_generic_provenance_naming_the_failed_check() {
    for (name, extra, check) in [
        (
            "policy_check_versioned_tag",
            &["--source-versioned-tag", "v13.1"][..],
            "versioned tag",
        ),
        ("policy_check_exact_tag", &["--source-tag", "v13"], "tag"),
        (
            "policy_check_builder",
            &[
                "--builder-id",
                "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml",
            ],
            "builder",
        ),
        (
            "policy_check_source",
            &["--source-uri", "github.com/slsa-framework/example-packageA"],
            "source",
        ),
        (
            "policy_check_branch",
            &["--source-branch", "release"],
            "branch",
        ),
        (
            "policy_check_workflow_input",
            &["--build-workflow-input", "mode=release"],
            "workflow input",
        ),
    ] {
        let out = snap!(name, &[&GENERIC_WITH_POLICY[..], extra].concat());
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with(&format!("FAILED: {check}: ")),
            "{name}: {stdout}"
        );
    }
}

#[test]
fn rejects_a_subject_digest_that_is_not_the_artefact() {
    let flipped = GENERIC_SHA256.replace("376e", "376f");
    let out = snap!(
        "policy_check_subject_digest",
        &[
            "--statement",
            GENERIC,
            "--policy",
            "release-policy.toml",
            "--digest",
            &flipped
        ]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn accepts_byob_branch_and_rejects_its_twin() {
    let base = [
        "--statement",
        "delegator-v1-main.json",
        "--source-uri",
        "github.com/slsa-framework/example-package",
        "--builder-id",
        "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml",
        "--digest",
        "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
    ];
    let mut ok = base.to_vec();
    ok.extend(["--source-branch", "main"]);
    assert_eq!(
        policy_check(&ok).status.code(),
        Some(0),
        "{}",
        text(&policy_check(&ok))
    );
    let mut bad = base.to_vec();
    bad.extend(["--source-branch", "master"]);
    let out = policy_check(&bad);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ErrorMismatchBranch"));
}

/// The npm package's provenance, publish attestation, policy and tarball, as JSON, plus `extra`.
fn npm_args<'a>(tgz: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "--statement",
        "npm-gundam-visor-provenance-v1.json",
        "--statement",
        "npm-gundam-visor-publish.json",
        "--policy",
        "npm-policy.json",
        "--artifact",
        tgz,
        "--format",
        "json",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn accepts_npm_provenance_with_publish_attestation_as_json() {
    let tgz = shared("npm/gha/gundam-visor-cli-v1-tag.tgz");
    let out = snap!("policy_check_npm_pass_json", &npm_args(&tgz, &[]));
    assert_eq!(out.status.code(), Some(0));
    let v = crate::json_doc(
        "attest-policy-check.schema.json",
        &out.stdout,
        &["verdict", "statement", "report"],
    );
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["report"]["package"]["name"], "gundam-visor");
}

#[test]
fn rejects_npm_package_version_as_json() {
    let tgz = shared("npm/gha/gundam-visor-cli-v1-tag.tgz");
    let out = snap!(
        "policy_check_npm_version_json",
        &npm_args(&tgz, &["--package-version", "1.0.2"])
    );
    assert_eq!(out.status.code(), Some(1));
    let v = crate::json_doc(
        "attest-policy-check.schema.json",
        &out.stdout,
        &["verdict", "statement", "violation"],
    );
    assert!(v["violation"]["message"].is_string(), "{v}");
    assert_eq!(v["violation"]["check"], "package-version");
    assert_eq!(
        v["violation"]["slsa_verifier_error"],
        "ErrorMismatchPackageVersion"
    );
}

#[test]
fn accepts_github_attestation_with_gh_flags_and_rejects_other_signer() {
    let artifact = shared("bcr/MODULE.bazel");
    let args = |signer: &'static str| {
        vec![
            "--statement".to_owned(),
            "bcr-github-attestation-v1.json".into(),
            "--repo".into(),
            "aspect-build/rules_lint".into(),
            "--signer-workflow".into(),
            signer.into(),
            "--source-ref".into(),
            "refs/heads/publish-to-bcr".into(),
            "--deny-self-hosted-runners".into(),
            "--artifact".into(),
            artifact.clone(),
        ]
    };
    let ok = args("bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml");
    let ok: Vec<&str> = ok.iter().map(String::as_str).collect();
    let out = snap!("policy_check_gh_pass", &ok);
    assert_eq!(out.status.code(), Some(0));
    let bad = args("aspect-build/rules_lint/.github/workflows/release.yml");
    let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
    let out = snap!("policy_check_gh_signer", &bad);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn accepts_vsa_and_rejects_other_resource() {
    let out = snap!(
        "policy_check_vsa_pass",
        &[
            "--statement",
            "vsa-gke.json",
            "--resource-uri",
            "gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre",
            "--verified-level",
            "SLSA_BUILD_LEVEL_2",
        ]
    );
    assert_eq!(out.status.code(), Some(0));
    let out = policy_check(&[
        "--statement",
        "vsa-gke.json",
        "--resource-uri",
        "gce_image://other",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ErrorMismatchResourceURI"));
}

#[test]
fn rejects_signed_files_and_bad_input_with_exit_2() {
    let bundle = shared("bcr/MODULE.bazel.intoto.jsonl");
    let npm_doc = shared("npm/gha/gundam-visor-cli-v1-tag.tgz.json");
    for (name, args) in [
        (
            "policy_check_bundle",
            vec![
                "--statement",
                &bundle,
                "--digest",
                GENERIC_SHA256,
                "--repo",
                "o/r",
            ],
        ),
        (
            "policy_check_npm_document",
            vec![
                "--statement",
                &npm_doc,
                "--digest",
                GENERIC_SHA256,
                "--repo",
                "o/r",
            ],
        ),
        (
            "policy_check_truncated",
            vec!["--statement", "truncated.json", "--digest", GENERIC_SHA256],
        ),
        (
            "policy_check_missing_file",
            vec!["--statement", "nope.json", "--digest", GENERIC_SHA256],
        ),
        (
            "policy_check_bad_policy",
            vec![
                "--statement",
                GENERIC,
                "--policy",
                "bad-policy.toml",
                "--digest",
                GENERIC_SHA256,
            ],
        ),
        (
            "policy_check_no_digest",
            vec!["--statement", GENERIC, "--policy", "release-policy.toml"],
        ),
        (
            "policy_check_no_source",
            vec!["--statement", GENERIC, "--digest", GENERIC_SHA256],
        ),
        (
            "policy_check_bad_digest",
            vec![
                "--statement",
                GENERIC,
                "--policy",
                "release-policy.toml",
                "--digest",
                "md5:00",
            ],
        ),
        (
            "policy_check_bad_semver",
            [&GENERIC_WITH_POLICY[..], &["--source-versioned-tag", "13"]].concat(),
        ),
        (
            "policy_check_tag_conflict",
            vec![
                "--statement",
                GENERIC,
                "--source-tag",
                "v1",
                "--source-versioned-tag",
                "v1",
            ],
        ),
        (
            "policy_check_format_sarif",
            vec!["--statement", GENERIC, "--format", "sarif"],
        ),
        (
            "policy_check_publish_only",
            vec![
                "--statement",
                "npm-gundam-visor-publish.json",
                "--digest",
                GENERIC_SHA256,
                "--repo",
                "o/r",
            ],
        ),
    ] {
        let out = snap!(name, &args);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{name}");
    }
}

/// `attest verify --print-statement` (and `--statement-out`) hands `policy-check` the verified
/// statement: sign the generic provenance statement as a DSSE envelope, verify it, check it.
#[test]
fn accepts_statement_printed_by_attest_verify() {
    use tollgate_attest::dsse::Envelope;
    use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};
    use tollgate_attest::statement::PAYLOAD_TYPE;
    let tmp = tempfile::tempdir().unwrap();
    let key = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
    let payload = std::fs::read(dir().join(GENERIC)).unwrap();
    let env = Envelope::sign(PAYLOAD_TYPE, payload.clone(), &[&key]).unwrap();
    let env_path = tmp.path().join("prov.intoto.json");
    std::fs::write(&env_path, serde_json::to_vec(&env.to_json()).unwrap()).unwrap();
    let key_path = tmp.path().join("k.pub");
    std::fs::write(&key_path, key.public_key().to_pem()).unwrap();
    let verify = |extra: &[&std::ffi::OsStr]| {
        crate::tollgate()
            .args(["attest", "verify", "--envelope"])
            .arg(&env_path)
            .arg("--key")
            .arg(&key_path)
            .args(extra)
            .output()
            .unwrap()
    };
    // The envelope itself is refused by policy-check, with the hint naming the flag.
    let env_arg = env_path.to_string_lossy().into_owned();
    let o = policy_check(&["--statement", &env_arg, "--digest", GENERIC_SHA256]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--print-statement"));
    // verify --print-statement > s.json: stdout is the statement, exactly as signed.
    let o = verify(&["--print-statement".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(o.stdout.trim_ascii_end(), payload.trim_ascii_end());
    assert!(String::from_utf8_lossy(&o.stderr).contains("verified: "));
    let printed = tmp.path().join("s.json");
    std::fs::write(&printed, &o.stdout).unwrap();
    // --statement-out FILE writes the same; stdout keeps the usual report.
    let written = tmp.path().join("out.json");
    let o = verify(&["--statement-out".as_ref(), written.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("verified: "));
    assert_eq!(
        std::fs::read(&written).unwrap(),
        std::fs::read(&printed).unwrap()
    );
    // … and policy-check accepts it.
    for s in [&printed, &written] {
        let s = s.to_string_lossy().into_owned();
        let o = policy_check(&[
            "--statement",
            &s,
            "--policy",
            "release-policy.toml",
            "--digest",
            GENERIC_SHA256,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
}

/// Nothing is printed or written when verification fails.
#[test]
fn rejects_statement_output_when_verification_fails() {
    use tollgate_attest::dsse::Envelope;
    use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};
    use tollgate_attest::statement::PAYLOAD_TYPE;
    let tmp = tempfile::tempdir().unwrap();
    let key = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
    let other = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
    let payload = std::fs::read(dir().join(GENERIC)).unwrap();
    let env = Envelope::sign(PAYLOAD_TYPE, payload, &[&other]).unwrap();
    let env_path = tmp.path().join("prov.intoto.json");
    std::fs::write(&env_path, serde_json::to_vec(&env.to_json()).unwrap()).unwrap();
    let key_path = tmp.path().join("k.pub");
    std::fs::write(&key_path, key.public_key().to_pem()).unwrap();
    let written = tmp.path().join("out.json");
    let o = crate::tollgate()
        .args(["attest", "verify", "--print-statement", "--envelope"])
        .arg(&env_path)
        .arg("--key")
        .arg(&key_path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(o.stdout.is_empty(), "{}", text(&o));
    let o = crate::tollgate()
        .args(["attest", "verify", "--envelope"])
        .arg(&env_path)
        .arg("--key")
        .arg(&key_path)
        .arg("--statement-out")
        .arg(&written)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!written.exists());
}

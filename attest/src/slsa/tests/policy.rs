//! The policy on single statements: source and builder id forms, gh-style checks, workflow
//! inputs, invalid policies. Each `accepts_*` has its `rejects_*` twin.

use serde_json::json;

use super::harness;
use super::vectors::digests_of;
use crate::slsa::identity::SignerIdentity;
use crate::slsa::policy::{Evidence, PolicyError, PolicyReport, ProvenancePolicy, evaluate};
use crate::slsa::predicate::{PROVENANCE_V02, build_type};
use crate::slsa::violation::{Check, Reason, Violation};
use crate::statement::Statement;

const GENERIC: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
const TAG_V13: &str = "gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl";
const GENERIC_BIN: &str = "gha_generic/v2.1.0/binary-linux-amd64";
const BCR: &str = "bcr/MODULE.bazel.intoto.jsonl";
const BCR_WRONG: &str = "bcr/MODULE-wrong-signer.bazel.intoto.jsonl";
const PUBLISH_BCR: &str =
    "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml";

/// The (unverified) statement and certificate identity of a vector file.
fn vector(rel: &str) -> (Statement, Option<SignerIdentity>) {
    let bytes = std::fs::read(harness::vectors().join(rel)).unwrap();
    let (st, _, id) = harness::unverified(&bytes).unwrap();
    (st, id)
}

fn eval(
    st: &Statement,
    id: Option<&SignerIdentity>,
    p: &ProvenancePolicy,
) -> Result<PolicyReport, PolicyError> {
    evaluate(
        &Evidence {
            statement: st,
            npm_publish: None,
            signer: id,
        },
        p,
    )
}

fn violation(r: Result<PolicyReport, PolicyError>) -> Violation {
    match r {
        Err(PolicyError::Violated(v)) => v,
        other => panic!("expected a violation, got {other:?}"),
    }
}

fn generic_policy() -> ProvenancePolicy {
    ProvenancePolicy {
        source_uri: Some("github.com/slsa-framework/example-package".into()),
        builder_id: Some(GENERIC.into()),
        digest: digests_of(GENERIC_BIN),
        ..Default::default()
    }
}

fn bcr_policy() -> ProvenancePolicy {
    ProvenancePolicy {
        source_uri: Some("github.com/aspect-build/rules_lint".into()),
        builder_id: Some(PUBLISH_BCR.into()),
        digest: digests_of("bcr/MODULE.bazel"),
        ..Default::default()
    }
}

#[test]
fn accepts_every_source_uri_form_with_and_without_signer() {
    let (st, id) = vector(TAG_V13);
    for form in [
        "github.com/slsa-framework/example-package",
        "https://github.com/slsa-framework/example-package",
        "git+https://github.com/slsa-framework/example-package",
    ] {
        let p = ProvenancePolicy {
            source_uri: Some(form.into()),
            ..generic_policy()
        };
        for signer in [None, id.as_ref()] {
            let r = eval(&st, signer, &p).unwrap_or_else(|e| panic!("{form}: {e}"));
            assert!(r.checks.contains(&Check::Source));
        }
    }
}

#[test]
fn rejects_source_near_misses() {
    let (st, id) = vector(TAG_V13);
    for form in [
        "github.com/slsa-framework/Example-package",
        "github.com/slsa-framework/example-package.git",
        "github.com/slsa-framework/example-package/",
        "http://github.com/slsa-framework/example-package",
        "gitlab.com/slsa-framework/example-package",
    ] {
        let p = ProvenancePolicy {
            source_uri: Some(form.into()),
            ..generic_policy()
        };
        for signer in [None, id.as_ref()] {
            let v = violation(eval(&st, signer, &p));
            assert_eq!(
                (v.check, v.reason),
                (Check::Source, Reason::Mismatch),
                "{form}: {v}"
            );
        }
    }
}

#[test]
fn accepts_builder_id_forms() {
    let (st, id) = vector(TAG_V13);
    for b in [
        GENERIC.to_owned(),
        format!("{GENERIC}@refs/tags/v2.1.0"),
        format!("{GENERIC}@v2.1.0"),
    ] {
        let p = ProvenancePolicy {
            builder_id: Some(b.clone()),
            ..generic_policy()
        };
        let r = eval(&st, id.as_ref(), &p).unwrap_or_else(|e| panic!("{b}: {e}"));
        assert_eq!(
            r.builder.as_deref(),
            Some(&*format!("{GENERIC}@refs/tags/v2.1.0"))
        );
    }
}

#[test]
fn rejects_builder_id_near_misses() {
    let (st, id) = vector(TAG_V13);
    for (b, err) in [
        (format!("{GENERIC}@v2.1"), "ErrorMismatchBuilderID"),
        (
            format!("{GENERIC}@refs/heads/main"),
            "ErrorMismatchBuilderID",
        ),
        (format!("{GENERIC}@2.1.0"), "ErrorMismatchBuilderID"),
        (format!("{GENERIC}x"), "ErrorUntrustedReusableWorkflow"),
        (
            GENERIC.replace("https://", "http://"),
            "ErrorUntrustedReusableWorkflow",
        ),
    ] {
        let p = ProvenancePolicy {
            builder_id: Some(b.clone()),
            ..generic_policy()
        };
        for signer in [None, id.as_ref()] {
            let v = violation(eval(&st, signer, &p));
            assert_eq!(v.slsa_verifier_error(), Some(err), "{b}: {v}");
        }
    }
}

#[test]
fn accepts_default_trusted_builder_without_builder_id() {
    let (st, id) = vector(TAG_V13);
    let p = ProvenancePolicy {
        builder_id: None,
        ..generic_policy()
    };
    assert!(eval(&st, id.as_ref(), &p).is_ok());
}

#[test]
fn rejects_forged_builder_claim_only_with_the_signer() {
    // The wrong-signer bundle claims the BCR publisher as builder; its certificate says otherwise.
    let (st, id) = vector(BCR_WRONG);
    let p = bcr_policy();
    assert!(
        eval(&st, None, &p).is_ok(),
        "statement-only trusts the claim"
    );
    let v = violation(eval(&st, id.as_ref(), &p));
    assert_eq!(
        v.slsa_verifier_error(),
        Some("ErrorUntrustedReusableWorkflow")
    );
    assert!(v.to_string().contains("malicious_attestation.yaml"), "{v}");
}

#[test]
fn rejects_other_issuer_and_delegator_signing_a_generator_build_type() {
    let (st, id) = vector(TAG_V13);
    let mut id = id.unwrap();
    id.issuer = "https://accounts.google.com".into();
    let v = violation(eval(&st, Some(&id), &generic_policy()));
    assert_eq!(v.slsa_verifier_error(), Some("ErrorInvalidOIDCIssuer"));
    let (st, id) = vector(TAG_V13);
    let mut id = id.unwrap();
    id.workflow = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0".into();
    let v = violation(eval(&st, Some(&id), &generic_policy()));
    assert_eq!(v.slsa_verifier_error(), Some("ErrorInvalidBuildType"));
}

#[test]
fn rejects_builder_at_a_branch_ref() {
    let (st, id) = vector(TAG_V13);
    let mut id = id.unwrap();
    id.workflow = format!("{GENERIC}@refs/heads/main");
    let v = violation(eval(&st, Some(&id), &generic_policy()));
    assert_eq!(v.slsa_verifier_error(), Some("ErrorInvalidRef"), "{v}");
}

#[test]
fn accepts_gh_style_checks() {
    let (st, id) = vector(BCR);
    let p = ProvenancePolicy {
        source_uri: None,
        repo: Some("aspect-build/rules_lint".into()),
        owner: Some("aspect-build".into()),
        builder_id: None,
        signer_workflow: Some("bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml".into()),
        signer_repo: Some("bazel-contrib/publish-to-bcr".into()),
        source_ref: Some("refs/heads/publish-to-bcr".into()),
        source_digest: Some("8f70009fde0c94ade6ce2a054b94718c819126ec".into()),
        deny_self_hosted_runners: true,
        ..bcr_policy()
    };
    for signer in [None, id.as_ref()] {
        let r = eval(&st, signer, &p).unwrap();
        for c in [
            Check::Signer,
            Check::Owner,
            Check::SourceRef,
            Check::SourceDigest,
            Check::Runner,
        ] {
            assert!(r.checks.contains(&c), "{c:?} in {:?}", r.checks);
        }
    }
    // The host may be written, and a ref pinned.
    let p = ProvenancePolicy {
        builder_id: None,
        signer_workflow: Some(
            "github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@v0.0.1".into(),
        ),
        ..bcr_policy()
    };
    assert!(eval(&st, id.as_ref(), &p).is_ok());
}

#[test]
fn rejects_gh_style_near_misses() {
    let (st, id) = vector(BCR);
    let cases: Vec<(ProvenancePolicy, Check)> = vec![
        (
            ProvenancePolicy {
                owner: Some("aspect".into()),
                ..bcr_policy()
            },
            Check::Owner,
        ),
        (
            ProvenancePolicy {
                builder_id: None,
                signer_workflow: Some(
                    "bazel-contrib/publish-to-bcr/.github/workflows/publish.yml".into(),
                ),
                ..bcr_policy()
            },
            Check::Signer,
        ),
        (
            ProvenancePolicy {
                builder_id: None,
                signer_workflow: Some(
                    "bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@v0.0.2".into(),
                ),
                ..bcr_policy()
            },
            Check::Signer,
        ),
        (
            ProvenancePolicy {
                signer_repo: Some("aspect-build/rules_lint".into()),
                ..bcr_policy()
            },
            Check::Signer,
        ),
        (
            ProvenancePolicy {
                source_ref: Some("refs/heads/main".into()),
                ..bcr_policy()
            },
            Check::SourceRef,
        ),
        (
            ProvenancePolicy {
                source_digest: Some("8f70009f00".into()),
                ..bcr_policy()
            },
            Check::SourceDigest,
        ),
    ];
    for (p, check) in cases {
        for signer in [None, id.as_ref()] {
            let v = violation(eval(&st, signer, &p));
            assert_eq!(v.check, check, "{v}");
        }
    }
    // A runner that is not recorded as GitHub-hosted fails closed.
    let mut id2 = id.clone().unwrap();
    id2.runner_environment = None;
    let p = ProvenancePolicy {
        deny_self_hosted_runners: true,
        ..bcr_policy()
    };
    assert_eq!(violation(eval(&st, Some(&id2), &p)).check, Check::Runner);
    id2.runner_environment = Some("self-hosted".into());
    assert_eq!(violation(eval(&st, Some(&id2), &p)).check, Check::Runner);
    // The generator provenance records no runner environment at all.
    let (st, _) = vector(TAG_V13);
    let p = ProvenancePolicy {
        deny_self_hosted_runners: true,
        ..generic_policy()
    };
    assert_eq!(violation(eval(&st, None, &p)).check, Check::Runner);
}

/// A v0.2 generic-generator statement with workflow_dispatch inputs.
fn with_inputs(
    event: &str,
    inputs: serde_json::Value,
    subject_digest: serde_json::Value,
) -> Statement {
    let uri = "git+https://github.com/o/r@refs/heads/main";
    Statement::from_value(&json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{"name": "a", "digest": subject_digest}],
        "predicateType": PROVENANCE_V02,
        "predicate": {
            "builder": {"id": format!("{GENERIC}@refs/tags/v2.1.0")},
            "buildType": build_type::GENERIC_V1,
            "invocation": {
                "configSource": {"uri": uri, "digest": {"sha1": "abc1234"}, "entryPoint": ".github/workflows/r.yml"},
                "environment": {
                    "github_event_name": event, "github_ref": "refs/heads/main", "github_ref_type": "branch",
                    "github_base_ref": "", "github_event_payload": {"inputs": inputs},
                },
            },
            "materials": [{"uri": uri, "digest": {"sha1": "abc1234"}}],
        },
    }))
    .unwrap()
}

const ABC256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn inputs_policy(inputs: &[(&str, &str)]) -> ProvenancePolicy {
    ProvenancePolicy {
        source_uri: Some("github.com/o/r".into()),
        digest: vec![format!("sha256:{ABC256}").parse().unwrap()],
        workflow_inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

#[test]
fn accepts_matching_workflow_inputs() {
    let st = with_inputs(
        "workflow_dispatch",
        json!({"a": "1", "b": "x", "c": true}),
        json!({"sha256": ABC256}),
    );
    let r = eval(&st, None, &inputs_policy(&[("a", "1"), ("b", "x")])).unwrap();
    assert!(r.checks.contains(&Check::WorkflowInputs));
    assert!(!r.checks.contains(&Check::Branch));
}

#[test]
fn rejects_workflow_input_near_misses() {
    let st = with_inputs(
        "workflow_dispatch",
        json!({"a": "1", "c": true}),
        json!({"sha256": ABC256}),
    );
    for p in [
        inputs_policy(&[("a", "2")]),
        inputs_policy(&[("a", "1"), ("missing", "x")]),
        inputs_policy(&[("c", "true")]),
    ] {
        let v = violation(eval(&st, None, &p));
        assert_eq!(
            v.slsa_verifier_error(),
            Some("ErrorMismatchWorkflowInputs"),
            "{v}"
        );
    }
    let push = with_inputs("push", json!({"a": "1"}), json!({"sha256": ABC256}));
    let v = violation(eval(&push, None, &inputs_policy(&[("a", "1")])));
    assert_eq!(
        v.slsa_verifier_error(),
        Some("ErrorMismatchWorkflowInputs"),
        "{v}"
    );
}

#[test]
fn rejects_subjects_under_unknown_or_weak_algorithms_only() {
    for digest in [
        json!({"sha3-256": ABC256}),
        json!({"sha1": "a9993e364706816aba3e25717850c26c9cd0d89d"}),
        json!({"gitCommit": ABC256}),
    ] {
        let st = with_inputs("push", json!({}), digest.clone());
        let v = violation(eval(&st, None, &inputs_policy(&[])));
        assert_eq!(
            v.slsa_verifier_error(),
            Some("ErrorMismatchHash"),
            "{digest}"
        );
    }
    let st = with_inputs("push", json!({}), json!({"sha256": ABC256.to_uppercase()}));
    assert!(eval(&st, None, &inputs_policy(&[])).is_ok());
}

#[test]
fn rejects_invalid_policies_before_looking() {
    let (st, _) = vector(TAG_V13);
    let invalid = |p: ProvenancePolicy| match eval(&st, None, &p) {
        Err(PolicyError::Invalid(i)) => i.to_string(),
        other => panic!("{p:?}: {other:?}"),
    };
    assert!(
        invalid(ProvenancePolicy {
            source_uri: None,
            ..generic_policy()
        })
        .contains("no source")
    );
    assert!(
        invalid(ProvenancePolicy {
            digest: vec![],
            ..generic_policy()
        })
        .contains("no artefact digest")
    );
    assert!(
        invalid(ProvenancePolicy {
            source_tag: Some("v1".into()),
            source_versioned_tag: Some("v1".into()),
            ..generic_policy()
        })
        .contains("mutually exclusive")
    );
    assert!(
        invalid(ProvenancePolicy {
            source_versioned_tag: Some("1.2".into()),
            ..generic_policy()
        })
        .contains("semantic version")
    );
    assert!(
        invalid(ProvenancePolicy {
            builder_id: Some("a@b@c".into()),
            ..generic_policy()
        })
        .contains("builder id")
    );
    assert!(
        invalid(ProvenancePolicy {
            repo: Some("o/other".into()),
            ..generic_policy()
        })
        .contains("different repositories")
    );
    assert!(
        invalid(ProvenancePolicy {
            source_uri: Some("github.com/o/r@refs/heads/main".into()),
            ..generic_policy()
        })
        .contains("without a ref")
    );
    let mut p = generic_policy();
    let mut other = p.digest[0].clone();
    other.bytes[0] ^= 1;
    p.digest.push(other);
    assert!(invalid(p).contains("two different"));
    assert!(
        invalid(ProvenancePolicy {
            signer_workflow: Some("o/r".into()),
            ..generic_policy()
        })
        .contains("signer-workflow")
    );
}

#[test]
fn accepts_policy_files_in_toml_and_json() {
    let toml_text = r#"
source-uri = "github.com/o/r"
builder-id = "https://github.com/o/r/.github/workflows/b.yml@v1.0.0"
source-versioned-tag = "v1"
digest = ["sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]
deny-self-hosted-runners = true
[workflow-inputs]
mode = "release"
[vsa]
resource-uri = "gce_image://x"
"#;
    let p: ProvenancePolicy = toml::from_str(toml_text).unwrap();
    assert_eq!(p.workflow_inputs["mode"], "release");
    assert!(p.validate().is_ok());
    // slsa-verifier's snake_case spellings are aliases.
    let j: ProvenancePolicy = serde_json::from_str(
        r#"{"source_uri": "github.com/o/r", "builder_id": "x", "source_versioned_tag": "v1",
            "digest": ["sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
            "deny_self_hosted_runners": true, "workflow_inputs": {"mode": "release"},
            "vsa": {"resource_uri": "gce_image://x"}}"#,
    )
    .unwrap();
    assert_eq!(j.source_uri, p.source_uri);
    assert_eq!(j.digest, p.digest);
    // Round trip.
    let back: ProvenancePolicy = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn rejects_unknown_keys_and_bad_digests_in_policy_files() {
    assert!(toml::from_str::<ProvenancePolicy>("source-url = \"github.com/o/r\"\n").is_err());
    assert!(toml::from_str::<ProvenancePolicy>("digest = [\"md5:00\"]\n").is_err());
    assert!(toml::from_str::<ProvenancePolicy>("digest = [\"sha256:00\"]\n").is_err());
    assert!(
        serde_json::from_str::<ProvenancePolicy>(r#"{"vsa": {"resource-uri": "x", "level": 1}}"#)
            .is_err()
    );
}

/// docs/reference/provenance-policy.md documents every key (a key added without docs fails).
#[test]
fn policy_reference_lists_every_key() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs/reference/provenance-policy.md"),
    )
    .unwrap();
    let full = ProvenancePolicy {
        source_uri: Some("x".into()),
        repo: Some("x".into()),
        owner: Some("x".into()),
        builder_id: Some("x".into()),
        signer_workflow: Some("x".into()),
        signer_repo: Some("x".into()),
        source_branch: Some("x".into()),
        source_tag: Some("x".into()),
        source_versioned_tag: Some("x".into()),
        source_ref: Some("x".into()),
        source_digest: Some("x".into()),
        workflow_inputs: [("k".to_owned(), "v".to_owned())].into(),
        package_name: Some("x".into()),
        package_version: Some("x".into()),
        digest: digests_of(GENERIC_BIN),
        issuer: Some("x".into()),
        deny_self_hosted_runners: true,
        vsa: Some(crate::slsa::VsaPolicy {
            resource_uri: "x".into(),
            verifier_id: Some("x".into()),
            verified_levels: vec!["x".into()],
            subject_digests: vec!["x:y".into()],
        }),
    };
    let v = serde_json::to_value(&full).unwrap();
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.extend(v["vsa"].as_object().unwrap().keys().cloned());
    assert_eq!(keys.len(), 22);
    for k in keys {
        assert!(
            doc.contains(&format!("| `{k}` |")),
            "docs/reference/provenance-policy.md lacks `{k}`"
        );
    }
}

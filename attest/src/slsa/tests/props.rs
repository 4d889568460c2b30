//! Property tests: the parsers and the evaluation never panic on hostile input, and a mutated
//! statement never passes a policy it was not written for by accident of a panic-free `Ok`.

use proptest::prelude::*;
use serde_json::Value;

use super::harness;
use super::vectors::digests_of;
use crate::slsa::builder::BuilderId;
use crate::slsa::git::{github_repo, normalize_source_uri, parse_git_uri};
use crate::slsa::identity::SignerIdentity;
use crate::slsa::npm::package_from_purl;
use crate::slsa::policy::{Evidence, ProvenancePolicy, evaluate};
use crate::slsa::versioned_tag::{GoSemver, verify_versioned_tag};
use crate::statement::Statement;

proptest! {
    #[test]
    fn string_parsers_never_panic(s in "\\PC{0,40}", t in "v[0-9.+a-z-]{0,12}") {
        let _ = GoSemver::parse(&s);
        let _ = verify_versioned_tag(&s, &t);
        let _ = verify_versioned_tag(&t, &s);
        let _ = package_from_purl(&format!("pkg:npm/{s}"));
        let _ = BuilderId::parse(&s);
        let _ = parse_git_uri(&format!("git+{s}"));
        let _ = github_repo(&s);
        let _ = normalize_source_uri(&s);
    }

    #[test]
    fn versioned_tag_round_trips_canonical(major in 0u32..100, minor in 0u32..100, patch in 0u32..100) {
        let tag = format!("v{major}.{minor}.{patch}");
        prop_assert_eq!(GoSemver::parse(&tag).unwrap().canonical(), tag.clone());
        for prefix in [format!("v{major}"), format!("v{major}.{minor}"), tag.clone()] {
            prop_assert!(verify_versioned_tag(&tag, &prefix).is_ok());
        }
        let other_major = format!("v{}.{}", major + 1, minor);
        let rejected = verify_versioned_tag(&tag, &other_major).is_err();
        prop_assert!(rejected);
    }

    #[test]
    fn certificate_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = SignerIdentity::from_certificate_der(&bytes);
    }
}

/// Replaces the value at the `n`-th node (depth first) of `v` with `with`.
fn mutate(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Object(m) => m.values_mut().any(|x| mutate(x, n, with)),
        Value::Array(a) => a.iter_mut().any(|x| mutate(x, n, with)),
        _ => false,
    }
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
        Just(serde_json::json!({})),
        Just(serde_json::json!([])),
        Just(serde_json::json!("refs/tags/v13.0.30")),
    ]
}

/// The generic v0.2 tag build: statement, certificate identity, payload JSON (read once).
fn generic() -> &'static (Statement, SignerIdentity, Value) {
    static G: std::sync::OnceLock<(Statement, SignerIdentity, Value)> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        let bytes = std::fs::read(
            harness::vectors()
                .join("gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl"),
        )
        .unwrap();
        let (st, _, id) = harness::unverified(&bytes).unwrap();
        let v = serde_json::from_slice(&harness::read_signed(&bytes).unwrap()[0].envelope.payload)
            .unwrap();
        (st, id.unwrap(), v)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any single node of a real provenance replaced by anything: evaluation returns a verdict
    /// (no panic), and a pass still satisfies the policy's builder and source.
    #[test]
    fn evaluation_of_mutated_provenance_never_panics(node in 0usize..400, with in replacement()) {
        let (st, id, mut v) = generic().clone();
        let mut n = node;
        mutate(&mut v, &mut n, &with);
        let Ok(mutated) = Statement::from_value(&v) else { return Ok(()) };
        let policy = ProvenancePolicy {
            source_uri: Some("github.com/slsa-framework/example-package".into()),
            builder_id: Some("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0".into()),
            source_versioned_tag: Some("v13.0".into()),
            digest: digests_of("gha_generic/v2.1.0/binary-linux-amd64"),
            ..Default::default()
        };
        for signer in [None, Some(&id)] {
            if let Ok(r) = evaluate(&Evidence { statement: &mutated, npm_publish: None, signer }, &policy) {
                let p = r.provenance.unwrap();
                prop_assert!(p.source.unwrap().starts_with("git+https://github.com/slsa-framework/example-package@"));
                prop_assert_eq!(r.builder.unwrap(), "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0");
            }
        }
        // The unmutated statement passes (the property is not vacuous).
        let original = evaluate(&Evidence { statement: &st, npm_publish: None, signer: None }, &policy);
        prop_assert!(original.is_ok());
    }
}

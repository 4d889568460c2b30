//! Negative twins of every passing vector case: one policy field flipped, or one byte of the
//! signed payload flipped, and the case must fail.

use super::harness::{self, HarnessError, LeafKeyOnly, read_signed};
use super::vectors::{Case, cases, run};
use crate::slsa::policy::ProvenancePolicy;
use crate::slsa::verify::StatementVerifier;
use crate::slsa::versioned_tag::GoSemver;

fn flip_digest(p: &mut ProvenancePolicy) {
    for d in &mut p.digest {
        d.bytes[0] ^= 1;
    }
}

/// Every way to flip one field of a passing case's policy.
fn twins(case: &Case) -> Vec<(&'static str, ProvenancePolicy)> {
    let base = case.policy();
    let mut out: Vec<(&'static str, ProvenancePolicy)> = Vec::new();
    let mut with = |what: &'static str, f: &dyn Fn(&mut ProvenancePolicy)| {
        let mut p = base.clone();
        f(&mut p);
        out.push((what, p));
    };
    if case.mode.as_deref() == Some("verify-vsa") {
        with("resource uri", &|p| {
            p.vsa.as_mut().unwrap().resource_uri.push('x');
        });
        with("verifier id", &|p| {
            p.vsa.as_mut().unwrap().verifier_id = Some("https://example.com/other".into());
        });
        with("verified level", &|p| {
            p.vsa.as_mut().unwrap().verified_levels = vec!["SLSA_BUILD_LEVEL_3".into()];
        });
        return out;
    }
    with("source uri", &|p| {
        p.source_uri = p.source_uri.as_ref().map(|s| format!("{s}x"))
    });
    with("owner", &|p| p.owner = Some("someone-else".into()));
    with("digest", &flip_digest);
    match &base.builder_id {
        Some(b) => {
            let b = b.clone();
            with("builder id", &move |p| {
                p.builder_id = Some(match b.split_once('@') {
                    Some((n, v)) => format!("{n}x@{v}"),
                    None => format!("{b}x"),
                });
            });
            let b2 = base.builder_id.clone().unwrap();
            with("builder version", &move |p| {
                let name = b2.split('@').next().unwrap();
                p.builder_id = Some(format!("{name}@refs/tags/v999.0.0"));
            });
        }
        None => with("builder id", &|p| {
            p.builder_id = Some("https://github.com/o/r/.github/workflows/other.yml".into());
        }),
    }
    if let Some(b) = &base.source_branch {
        let b = b.clone();
        with("branch", &move |p| p.source_branch = Some(format!("{b}x")));
    } else {
        with("branch", &|p| p.source_branch = Some("not-a-branch".into()));
    }
    if let Some(t) = &base.source_versioned_tag {
        let v = GoSemver::parse(t).unwrap();
        let next = format!("v{}", v.major.parse::<u64>().unwrap() + 1);
        with("versioned tag", &move |p| {
            p.source_versioned_tag = Some(next.clone())
        });
    } else {
        with("tag", &|p| p.source_tag = Some("v0.0.0-not-a-tag".into()));
    }
    if base.package_name.is_some() {
        with("package name", &|p| {
            p.package_name = p.package_name.as_ref().map(|n| format!("{n}x"))
        });
    }
    if base.package_version.is_some() {
        with("package version", &|p| {
            p.package_version = p.package_version.as_ref().map(|v| format!("{v}.1"));
        });
    }
    with("workflow input", &|p| {
        p.workflow_inputs.insert("not-an-input".into(), "x".into());
    });
    with("source ref", &|p| {
        p.source_ref = Some("refs/heads/not-a-branch".into())
    });
    with("source digest", &|p| {
        p.source_digest = Some("0000000".into())
    });
    out
}

#[test]
fn rejects_every_passing_case_with_one_policy_field_flipped() {
    let mut survived = Vec::new();
    let mut n = 0;
    for c in cases().iter().filter(|c| c.expect == "pass") {
        assert_eq!(run(c, &c.policy()), Ok(()), "{}", c.name);
        for (what, p) in twins(c) {
            n += 1;
            if run(c, &p).is_ok() {
                survived.push(format!("{} with {what} flipped", c.name));
            }
        }
    }
    assert!(
        survived.is_empty(),
        "twins that still pass:\n{}",
        survived.join("\n")
    );
    assert!(n > 89 * 8, "{n} twins");
}

#[test]
fn rejects_every_passing_provenance_with_one_payload_byte_flipped() {
    let v = LeafKeyOnly {
        npm_keys: harness::npm_keys(),
    };
    let mut files: Vec<_> = cases()
        .into_iter()
        .filter(|c| c.expect == "pass" && c.mode.as_deref() != Some("verify-vsa"))
        .map(|c| c.file())
        .collect();
    files.dedup();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let signed = read_signed(text.as_bytes()).unwrap();
        let payload =
            <base64ct::Base64 as base64ct::Encoding>::encode_string(&signed[0].envelope.payload);
        // Flip one bit in the middle of the decoded payload, re-encode, put it back.
        let mut tampered = signed[0].envelope.payload.clone();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 0x01;
        let tampered = <base64ct::Base64 as base64ct::Encoding>::encode_string(&tampered);
        assert!(text.contains(&payload), "{}", f.display());
        let bad = text.replacen(&payload, &tampered, 1);
        let e = v.verify(bad.as_bytes()).unwrap_err();
        assert!(
            matches!(
                e,
                HarnessError {
                    name: "ErrorInvalidSignature" | "ErrorInvalidDssePayload",
                    ..
                }
            ),
            "{}: {e}",
            f.display()
        );
    }
}

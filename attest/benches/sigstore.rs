//! Sigstore bundles verified per second, in one process: the upstream `sigstore-verify` call
//! (bundle parse + verify) against tollgate's whole layer (`attest::sigstore::Verifier::verify`:
//! size cap, strict JSON, media type, the same upstream call, identity/issuer/claims, clock),
//! over every passing bundle of the Sigstore conformance suite and of the slsa-verifier set
//! (`../shared/attest-vectors/`). `cargo bench -p tollgate-attest --bench sigstore`; figures in
//! docs/benchmarks-provenance.md (issue 13: the layer adds at most 50 %).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigstore_verify::types::Bundle;
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy};
use tollgate_attest::PublicKey;
use tollgate_attest::sigstore::{Artifact, BundlePolicy, KeylessPolicy, TrustRoot, Verifier};

struct Case {
    root: TrustRoot,
    bundle: Vec<u8>,
    artifact: Vec<u8>,
    key: Option<Vec<u8>>,
    identity: String,
    issuer: String,
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors")
}

fn cases(suite: &str) -> Vec<Case> {
    let dir = vectors().join(suite);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut out = Vec::new();
    for c in index["cases"].as_array().unwrap() {
        if c["expect"] != "pass" {
            continue;
        }
        let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
        let Ok(root) = TrustRoot::from_json(&std::fs::read(dir.join(s("trusted_root"))).unwrap())
        else {
            continue;
        };
        let key = c["key"].as_str().map(|k| {
            let pem = std::fs::read_to_string(dir.join(k)).unwrap();
            PublicKey::from_pem(&pem).unwrap().spki_der().to_vec()
        });
        out.push(Case {
            root,
            bundle: std::fs::read(dir.join(s("bundle")))
                .unwrap()
                .trim_ascii()
                .to_vec(),
            artifact: std::fs::read(dir.join(s("artifact"))).unwrap(),
            key,
            identity: s("identity"),
            issuer: s("issuer"),
        });
    }
    out
}

fn upstream(c: &Case, v: &sigstore_verify::Verifier) {
    let bundle = Bundle::from_json(std::str::from_utf8(&c.bundle).unwrap()).unwrap();
    let input: sigstore_verify::types::Artifact<'_> = c.artifact.as_slice().into();
    let r = match &c.key {
        Some(k) => v.verify(
            input,
            &bundle,
            &PublicKeyVerificationPolicy::new(sigstore_verify::types::DerPublicKey::new(k.clone())),
        ),
        None => v.verify(
            input,
            &bundle,
            &VerificationPolicy::new(c.identity.as_str(), c.issuer.as_str()),
        ),
    };
    assert!(r.is_ok(), "{r:?}");
}

fn ours(c: &Case, v: &Verifier) {
    let policy = match &c.key {
        Some(k) => BundlePolicy::Key(k.clone()),
        None => BundlePolicy::Keyless(KeylessPolicy::exact(&c.identity, &c.issuer).unwrap()),
    };
    let r = v.verify(&c.bundle, Artifact::Bytes(&c.artifact), &policy);
    assert!(r.is_ok(), "{r:?}");
}

fn bench(cr: &mut Criterion) {
    for suite in ["sigstore-conformance", "slsa-verifier"] {
        let cs = cases(suite);
        let up: Vec<sigstore_verify::Verifier> = cs
            .iter()
            .map(|c| sigstore_verify::Verifier::new(c.root.upstream()).unwrap())
            .collect();
        let ours_v: Vec<Verifier> = cs.iter().map(|c| Verifier::new(&c.root).unwrap()).collect();
        let mut g = cr.benchmark_group(format!("bundles/{suite}"));
        g.throughput(Throughput::Elements(cs.len() as u64));
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(6));
        g.bench_function("sigstore-verify", |b| {
            b.iter(|| {
                for (c, v) in cs.iter().zip(&up) {
                    upstream(c, v);
                }
            })
        });
        g.bench_function("tollgate", |b| {
            b.iter(|| {
                for (c, v) in cs.iter().zip(&ours_v) {
                    ours(c, v);
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

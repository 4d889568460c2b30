//! DSSE verifications per second, per key type: `cargo bench -p tollgate-attest --bench dsse`.
//! Figures are recorded in docs/concepts/attestations.md.

// Measurement and demonstration code: a failure may panic (the workspace denies it elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tollgate_attest::dsse::{Envelope, verify};
use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};

fn statement() -> Vec<u8> {
    // A ~1 KiB in-toto statement, typical of a provenance attestation's size class.
    let mut s = String::from(
        r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app.tar.gz","digest":{"sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://example.com/build","externalParameters":{"#,
    );
    while s.len() < 1000 {
        s.push_str(r#""k":"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv","#);
    }
    s.push_str(r#""end":true}}}}"#);
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let payload = statement();
    let mut g = c.benchmark_group("dsse_verify");
    g.throughput(Throughput::Elements(1));
    g.sample_size(30);
    g.measurement_time(Duration::from_secs(4));
    for (name, alg) in [
        ("ed25519", GenerateAlgorithm::Ed25519),
        ("ecdsa-p256", GenerateAlgorithm::EcdsaP256),
        ("ecdsa-p384", GenerateAlgorithm::EcdsaP384),
        ("rsa-3072-pss", GenerateAlgorithm::Rsa3072),
    ] {
        let key = PrivateKey::generate(alg).expect("keygen");
        let env =
            Envelope::sign("application/vnd.in-toto+json", payload.clone(), &[&key]).expect("sign");
        let json = serde_json::to_vec(&env.to_json()).expect("json");
        let keys = [key.public_key().clone()];
        // Parse + verify, as `attest verify` does per envelope.
        g.bench_function(name, |b| {
            b.iter(|| {
                let e = Envelope::parse(&json).expect("parse");
                verify(&e, Some("application/vnd.in-toto+json"), &keys, 1).expect("verify")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The audit log: `audit::append` per record (lock, tail read, sign, write, fsync) and
//! `verify_chain` throughput over a 100,000-record log, Ed25519 and ECDSA P-256:
//! `cargo bench -p tollgate-attest --bench audit`. With `AUDIT_BENCH_OUT=DIR` the 100,000-record
//! Ed25519 log and its public key are also written there (`bench/audit-timing.sh` times
//! `tollgate audit verify` on them). Figures are recorded in docs/benchmarks-audit.md.

// Measurement code: a failure may panic (the workspace denies it elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value, json};
use tollgate_attest::audit::{self, Head, record};
use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};

const RECORDS: u64 = 100_000;

/// A body the size of a gate's (three lockfiles, digests, verdict).
fn body(i: u64) -> Map<String, Value> {
    let h = |c: &str| c.repeat(64);
    json!({
        "command": "check",
        "verifier": {"id": "https://tollgate.dev/verifier/check/v1", "version": "0.1.0"},
        "verdict": if i.is_multiple_of(3) { "FAILED" } else { "PASSED" },
        "resourceUri": "file:.",
        "subjects": [
            {"name": "Cargo.lock", "digest": {"sha256": h("a")}},
            {"name": "web/package-lock.json", "digest": {"sha256": h("b")}},
            {"name": "tools/Cargo.lock", "digest": {"sha256": h("c")}},
        ],
        "policyDigest": {"sha256": h("d")},
        "reportDigest": {"sha256": h("e")},
        "vsaDigest": {"sha256": h("f")},
        "advisoryDatabase": "embedded@2026-04-08T00:00:00Z",
        "time": "2026-03-01T00:00:00Z",
    })
    .as_object()
    .unwrap()
    .clone()
}

fn log(n: u64, key: &PrivateKey) -> Vec<u8> {
    let mut head = Head::genesis();
    let mut out = Vec::with_capacity(n as usize * 1100);
    for i in 0..n {
        let s = record::seal(body(i), &head, key, "2026-03-01T00:00:00Z").unwrap();
        head = Head {
            seq: s.seq,
            hash: s.this_hash,
        };
        out.extend_from_slice(&s.line);
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("audit_verify_100k");
    g.throughput(Throughput::Elements(RECORDS));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    for (name, alg) in [
        ("ed25519", GenerateAlgorithm::Ed25519),
        ("ecdsa-p256", GenerateAlgorithm::EcdsaP256),
    ] {
        let key = PrivateKey::generate(alg).unwrap();
        let bytes = log(RECORDS, &key);
        eprintln!("{name}: {RECORDS} records, {} bytes", bytes.len());
        if let (Ok(dir), GenerateAlgorithm::Ed25519) = (std::env::var("AUDIT_BENCH_OUT"), alg) {
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("audit-100k.jsonl"), &bytes).unwrap();
            std::fs::write(dir.join("audit-100k.pub"), key.public_key().to_pem()).unwrap();
        }
        let keys = [key.public_key().clone()];
        g.bench_function(name, |b| {
            b.iter(|| {
                let s = audit::verify_chain(&bytes[..], &keys, None).unwrap();
                assert_eq!(s.records, RECORDS);
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("audit_append");
    g.throughput(Throughput::Elements(1));
    g.sample_size(30);
    let dir = tempfile::tempdir().unwrap();
    for (name, alg) in [
        ("ed25519", GenerateAlgorithm::Ed25519),
        ("ecdsa-p256", GenerateAlgorithm::EcdsaP256),
    ] {
        let key = PrivateKey::generate(alg).unwrap();
        let path = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&path, log(1000, &key)).unwrap();
        let mut i = 1000;
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    i += 1;
                    body(i)
                },
                |body| audit::append(&path, body, &key, "2026-03-01T00:00:00Z").unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

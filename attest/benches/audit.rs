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
    // Where a record's verification time goes, on one thread: reading it (strict JSON, JCS
    // without thisHash/signature, SHA-256, base64) and its signature.
    let mut g = c.benchmark_group("audit_record");
    g.throughput(Throughput::Elements(1));
    for (name, alg) in [
        ("ed25519", GenerateAlgorithm::Ed25519),
        ("ecdsa-p256", GenerateAlgorithm::EcdsaP256),
    ] {
        let key = PrivateKey::generate(alg).unwrap();
        let line = log(1, &key);
        let line = &line[..line.len() - 1];
        let pk = key.public_key().clone();
        g.bench_function(format!("read/{name}"), |b| {
            b.iter(|| record::read(line).unwrap())
        });
        let r = record::read(line).unwrap();
        g.bench_function(format!("signature/{name}"), |b| {
            b.iter(|| {
                pk.verify_scheme(pk.detached_scheme(), &r.signed, &r.signature)
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("audit_verify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    for (name, alg, n) in [
        ("ed25519-100k", GenerateAlgorithm::Ed25519, RECORDS),
        ("ecdsa-p256-10k", GenerateAlgorithm::EcdsaP256, RECORDS / 10),
    ] {
        g.throughput(Throughput::Elements(n));
        let key = PrivateKey::generate(alg).unwrap();
        let bytes = log(n, &key);
        eprintln!("{name}: {n} records, {} bytes", bytes.len());
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
                assert_eq!(s.records, n);
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("audit_append");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
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

//! Differential against cargo-audit (ignored by default: needs `cargo-audit` on PATH or in
//! `CARGO_AUDIT`). `cargo test -p tollgate-verifier --test advisory_differential -- --ignored`

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tollgate_verifier::advisory::{self, AdvisoryDb, SourceDir};
use tollgate_verifier::finding::Code;
use tollgate_verifier::time::Timestamp;

fn shared(p: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(p)
}

fn lockfiles() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(shared("corpus/lockfiles")).unwrap() {
        let p = e.unwrap().path().join("Cargo.lock");
        if p.is_file() {
            v.push(p);
        }
    }
    for d in [
        "corpus/fixtures/cargo-lock-crate",
        "corpus/fixtures/cargo-lock-crate/source_disambiguation",
    ] {
        for e in std::fs::read_dir(shared(d)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file()
                && p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("Cargo.lock")
            {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

#[test]
#[ignore = "needs cargo-audit"]
fn vulnerability_ids_equal_cargo_audit_on_the_corpus() {
    let audit = std::env::var("CARGO_AUDIT").unwrap_or_else(|_| "cargo-audit".into());
    let db_dir = shared("advisories/rustsec");
    let (bytes, _) = advisory::build_index(&[SourceDir::new(&db_dir)], Timestamp(0)).unwrap();
    let db = AdvisoryDb::from_bytes(bytes.into(), advisory::DbOrigin::Embedded).unwrap();
    let mut compared = 0;
    for lock in lockfiles() {
        let out = std::process::Command::new(&audit)
            .args(["audit", "--db"])
            .arg(&db_dir)
            .args(["--no-fetch", "--no-yanked", "--json", "--file"])
            .arg(&lock)
            .output()
            .expect("run cargo-audit");
        let Ok(report) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            eprintln!(
                "skip {}: cargo-audit gave no report: {}",
                lock.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let theirs: BTreeSet<String> = report["vulnerabilities"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                format!(
                    "{} {}@{}",
                    v["advisory"]["id"].as_str().unwrap(),
                    v["package"]["name"].as_str().unwrap(),
                    v["package"]["version"].as_str().unwrap()
                )
            })
            .collect();
        let g = tollgate_verifier::load_graph(std::slice::from_ref(&lock), &Default::default())
            .unwrap();
        let ours: BTreeSet<String> = advisory::match_graph(&db, &g)
            .unwrap()
            .iter()
            .filter(|f| f.code == Code::Vulnerability)
            .map(|f| {
                let p = f.package.as_ref().unwrap();
                format!("{} {}@{}", f.ids[0], p.name, p.version)
            })
            .collect();
        assert_eq!(ours, theirs, "{}", lock.display());
        compared += 1;
    }
    assert!(compared > 10, "{compared}");
}

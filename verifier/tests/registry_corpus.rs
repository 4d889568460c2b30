//! `--verify-registry` over every corpus lockfile, against a loopback registry serving exactly
//! the lockfile's own pins: every pinned registry package verifies, every other package is in
//! the coverage with a reason (none dropped), and one tampered record is found.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod support;

use std::path::{Path, PathBuf};

use support::fixtures::serve_pins;
use support::server::Server;
use tollgate_verifier::checks::{self, ChecksConfig, RegistriesConfig};
use tollgate_verifier::coverage::CoverageStatus;
use tollgate_verifier::registry::{self, NoProgress, Request, UrlOverrides};
use tollgate_verifier::{LoadOptions, load_graph};

fn corpus_lockfiles() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("corpus manifest");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tollgate_input"] == true && f["ok"] == true && f["kind"] == "lockfile")
        .map(|f| dir.join(f["path"].as_str().unwrap()))
        .collect()
}

#[test]
fn every_corpus_lockfile_verifies_against_its_own_pins_and_a_tampered_record_is_found() {
    let files = corpus_lockfiles();
    assert!(files.len() >= 15, "{}", files.len());
    let mut total_verified = 0;
    for path in files {
        let graph = load_graph(std::slice::from_ref(&path), &LoadOptions::default()).unwrap();
        // The package to tamper with: the first pinned registry package.
        let victim = graph
            .packages()
            .find(|(_, p)| {
                !p.is_root
                    && p.source.is_registry()
                    && p.integrity.as_ref().is_some_and(|i| i.has_strong())
                    && p.npm.as_ref().is_none_or(|n| !n.in_bundle && !n.workspace)
            })
            .map(|(id, _)| id);
        let s = Server::start();
        serve_pins(&s, &graph, victim);
        let req = Request {
            verify_registry: true,
            urls: UrlOverrides {
                npm: Some(s.url()),
                cargo: Some(s.url()),
            },
            no_cache: true,
            ..Request::default()
        };
        let cfg = RegistriesConfig::default();
        let env = |_: &str| None;
        let data = registry::load(&graph, &cfg, &req, &env, &NoProgress)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let checks_cfg = ChecksConfig::default();
        let cx = checks::CheckCx::new(&graph, Path::new("/"), &checks_cfg);
        let mut findings = Vec::new();
        let cov = checks::registry::run(&cx, &data, &mut findings);
        let c = &cov[0];
        let packages = graph.packages().filter(|(_, p)| !p.is_root).count();
        assert_eq!(
            c.packages.len(),
            packages,
            "{}: none dropped",
            path.display()
        );
        assert_eq!(
            c.verified + c.failed + c.unverifiable + c.skipped,
            packages,
            "{}",
            path.display()
        );
        // Unverifiable only for lack of a usable hash in the lockfile.
        for p in &c.packages {
            if let CoverageStatus::Unverifiable { reason, .. } = &p.status {
                assert!(
                    reason.contains("pins no usable hash"),
                    "{}: {}: {reason}",
                    path.display(),
                    p.package.name
                );
            }
        }
        let kinds: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.code.kind(), f.package.as_ref().unwrap().id.as_str()))
            .collect();
        match victim {
            Some(v) => {
                // Exactly the tampered package (a name@version repeated at several install
                // paths shares the record, and is found at each).
                let victim = graph.package(v);
                assert!(!kinds.is_empty(), "{}: tampering not found", path.display());
                for (kind, id) in &kinds {
                    let p = graph
                        .packages()
                        .find(|(_, p)| p.id == *id)
                        .map(|(_, p)| p)
                        .unwrap();
                    assert_eq!(*kind, "hash-mismatch", "{}", path.display());
                    assert_eq!(
                        (&p.name, &p.version),
                        (&victim.name, &victim.version),
                        "{}",
                        path.display()
                    );
                }
                assert_eq!(c.failed, kinds.len(), "{}", path.display());
            }
            None => assert!(kinds.is_empty(), "{}: {kinds:?}", path.display()),
        }
        total_verified += c.verified;
    }
    assert!(total_verified > 10_000, "{total_verified}");
}

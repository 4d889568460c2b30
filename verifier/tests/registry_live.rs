//! Opt-in: a few corpus packages against the real public registries (index.crates.io,
//! static.crates.io, registry.npmjs.org). Ignored by default; run with
//! `TOLLGATE_LIVE_TESTS=1 cargo nextest run -p tollgate-verifier --test registry_live --run-ignored all`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod support;

use std::path::Path;

use support::fixtures::{CRATES_IO, NpmEntry, cargo_lock_with, npm_lock};
use tollgate_verifier::checks::{self, ChecksConfig, RegistriesConfig};
use tollgate_verifier::coverage::CoverageStatus;
use tollgate_verifier::registry::{self, NoProgress, Request, UrlOverrides};
use tollgate_verifier::{Ecosystem, LoadOptions, Source, load_graph};

fn corpus(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/lockfiles")
        .join(rel)
}

#[test]
#[ignore = "needs the network: set TOLLGATE_LIVE_TESTS=1 and run ignored tests"]
fn live_corpus_packages_verify_against_the_public_registries() {
    if std::env::var("TOLLGATE_LIVE_TESTS").as_deref() != Ok("1") {
        eprintln!("TOLLGATE_LIVE_TESTS is not 1: skipped");
        return;
    }
    // A few crates and npm packages from the corpus, with the corpus' own pins.
    let g = load_graph(
        &[
            corpus("ripgrep-v4/Cargo.lock"),
            corpus("npm-cli-v3/package-lock.json"),
        ],
        &LoadOptions::default(),
    )
    .unwrap();
    let crates: Vec<(String, String, String)> = g
        .packages()
        .filter(|(_, p)| p.ecosystem == Ecosystem::Cargo && p.source.is_registry())
        .filter_map(|(_, p)| {
            Some((
                p.name.clone(),
                p.version.clone(),
                p.checksum_str()?.into_owned(),
            ))
        })
        .take(4)
        .collect();
    let npm: Vec<NpmEntry> = g
        .packages()
        .filter(|(_, p)| p.ecosystem == Ecosystem::Npm && p.source.is_registry())
        .filter(|(_, p)| p.npm.as_ref().is_some_and(|n| !n.in_bundle))
        .filter_map(|(_, p)| {
            let Source::Registry { url: Some(u), .. } = &p.source else {
                return None;
            };
            Some(NpmEntry {
                name: p.name.clone(),
                version: p.version.clone(),
                resolved: Some(u.to_string()),
                integrity: p.checksum_str().map(|c| c.into_owned()),
            })
        })
        .take(4)
        .collect();
    assert_eq!((crates.len(), npm.len()), (4, 4));
    let dir = tempfile::tempdir().unwrap();
    let c: Vec<(&str, &str, String)> = crates
        .iter()
        .map(|(n, v, k)| (n.as_str(), v.as_str(), k.clone()))
        .collect();
    std::fs::write(
        dir.path().join("Cargo.lock"),
        cargo_lock_with(&c, CRATES_IO),
    )
    .unwrap();
    std::fs::write(dir.path().join("package-lock.json"), npm_lock(&npm)).unwrap();
    let graph = load_graph(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    // The corpus names the public npm registry `registry.npmjs.test`: ask the real one.
    let req = Request {
        verify_registry: true,
        verify_artifacts: true,
        urls: UrlOverrides {
            npm: Some("https://registry.npmjs.org/".into()),
            cargo: None,
        },
        no_cache: true,
        ..Request::default()
    };
    let cfg = RegistriesConfig::default();
    let env = |_: &str| None;
    let data = registry::load(&graph, &cfg, &req, &env, &NoProgress).unwrap();
    let checks_cfg = ChecksConfig::default();
    let cx = checks::CheckCx::new(&graph, dir.path(), &checks_cfg);
    let mut findings = Vec::new();
    let coverage = checks::registry::run(&cx, &data, &mut findings);
    let hash_findings: Vec<_> = findings
        .iter()
        .filter(|f| f.code.kind() != "deprecated")
        .map(|f| &f.title)
        .collect();
    assert!(hash_findings.is_empty(), "{hash_findings:?}");
    for c in &coverage {
        for p in &c.packages {
            assert!(
                matches!(p.status, CoverageStatus::Verified { .. }),
                "{}: {}@{}: {:?}",
                c.check,
                p.package.name,
                p.package.version,
                p.status
            );
        }
        eprintln!("{}: {}", c.check, c.counts_line());
    }
    eprintln!("{:?}", data.stats);
}

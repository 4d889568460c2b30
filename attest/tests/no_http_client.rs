//! Verification is offline by construction: no HTTP client (nor TLS stack, nor async runtime)
//! may be in `tollgate-attest`'s dependency tree. `sigstore-verify` has them behind its `tuf`
//! feature (and `sigstore-rekor`/`sigstore-tsa` behind `client`); turning one on, here or by
//! feature unification from another workspace member, adds them to `Cargo.lock` under this
//! crate, and this test fails.
//!
//! The walk reads `Cargo.lock`, which lists each package's resolved dependencies of every kind
//! (normal, build, dev): an over-approximation of `cargo tree -e normal -p tollgate-attest`, so
//! it can only fail more often, never less, and it needs neither cargo nor the network.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Crates that open network connections, or exist only to help doing so.
const FORBIDDEN: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "h2",
    "ureq",
    "curl",
    "isahc",
    "attohttpc",
    "surf",
    "rustls",
    "native-tls",
    "openssl",
    "tokio",
    "sigstore-tuf",
    "tough",
    "sigstore",
    "aws-lc-rs",
    "aws-lc-sys",
];

/// The packages reachable from `root` in a lockfile, or the chain to the first forbidden one.
fn walk(lock: &str, root: &str) -> Result<BTreeSet<(String, String)>, String> {
    let doc: toml::Table = lock.parse().unwrap();
    let mut deps: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in doc["package"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap().to_owned();
        let version = p["version"].as_str().unwrap().to_owned();
        let d = p
            .get("dependencies")
            .and_then(|d| d.as_array())
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        versions
            .entry(name.clone())
            .or_default()
            .push(version.clone());
        deps.insert((name, version), d);
    }
    // `name` or `name version` or `name version (source)`.
    let resolve = |spec: &str| -> (String, String) {
        let mut it = spec.split(' ');
        let name = it.next().unwrap().to_owned();
        let version = match it.next() {
            Some(v) => v.to_owned(),
            None => versions[&name][0].clone(),
        };
        (name, version)
    };
    let start = resolve(root);
    let mut seen = BTreeSet::new();
    let mut path_to: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    let mut stack = vec![start.clone()];
    while let Some(p) = stack.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        if FORBIDDEN.contains(&p.0.as_str()) {
            let mut chain = vec![format!("{} {}", p.0, p.1)];
            let mut cur = &p;
            while let Some(parent) = path_to.get(cur) {
                chain.push(format!("{} {}", parent.0, parent.1));
                cur = parent;
            }
            chain.reverse();
            return Err(format!(
                "`{}` is in {root}'s dependency tree: {}",
                p.0,
                chain.join(" -> ")
            ));
        }
        for d in &deps[&p] {
            let r = resolve(d);
            path_to.entry(r.clone()).or_insert_with(|| p.clone());
            stack.push(r);
        }
    }
    Ok(seen)
}

#[test]
fn no_http_client_enters_the_verify_path() {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let seen = walk(&std::fs::read_to_string(lock).unwrap(), "tollgate-attest").unwrap();
    // The walk did reach the Sigstore verifier: the test is not vacuous.
    assert!(seen.iter().any(|(n, _)| n == "sigstore-verify"), "{seen:?}");
    assert!(seen.iter().any(|(n, _)| n == "sigstore-tsa"));
}

#[test]
fn a_client_behind_a_feature_is_caught_with_its_path() {
    let lock = r#"
[[package]]
name = "tollgate-attest"
version = "0.1.0"
dependencies = ["sigstore-verify"]

[[package]]
name = "sigstore-verify"
version = "0.15.1"
dependencies = ["sigstore-rekor 0.15.1"]

[[package]]
name = "sigstore-rekor"
version = "0.15.1"
dependencies = ["reqwest 0.13.1 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "reqwest"
version = "0.13.1"
"#;
    let e = walk(lock, "tollgate-attest").unwrap_err();
    assert_eq!(
        e,
        "`reqwest` is in tollgate-attest's dependency tree: tollgate-attest 0.1.0 -> \
         sigstore-verify 0.15.1 -> sigstore-rekor 0.15.1 -> reqwest 0.13.1"
    );
}

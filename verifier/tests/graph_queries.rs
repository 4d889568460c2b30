//! Graph queries on small testdata lockfiles: dev-only, optional-only, unreachable.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use tollgate_verifier::graph::Graph;
use tollgate_verifier::{LoadOptions, load_graph};

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/graph")
        .join(rel)
}

fn names(g: &Graph, ids: Vec<tollgate_verifier::PackageId>) -> Vec<String> {
    ids.into_iter()
        .map(|i| g.package(i).display_name())
        .collect()
}

#[test]
fn accepts_dev_only_and_optional_only_packages() {
    let g = load_graph(&[testdata("npm-v3-workspaces")], &LoadOptions::default()).unwrap();
    assert_eq!(names(&g, g.dev_only()), ["@babel/code-frame@7.0.0"]);
    assert_eq!(names(&g, g.optional_only()), ["fsevents@2.3.3"]);
    assert!(g.unreachable().is_empty());
}

#[test]
fn rejects_unreachable_packages_as_dev_only() {
    // web/package-lock.json's root lists no dependencies: its two packages are unreachable, not
    // dev-only or optional-only.
    let g = load_graph(&[testdata("polyglot")], &LoadOptions::default()).unwrap();
    assert!(g.dev_only().is_empty(), "{:?}", names(&g, g.dev_only()));
    assert!(g.optional_only().is_empty());
    let mut u = names(&g, g.unreachable());
    u.sort();
    assert_eq!(u, ["@babel/code-frame@7.0.0", "wrappy@1.0.2"]);
}

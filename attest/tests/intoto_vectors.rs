//! The in-toto vectors of `../shared/attest-vectors/in-toto/` reach their expected verdicts.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[path = "../../verifier/tests/support/tools.rs"]
mod tools;

use std::path::{Path, PathBuf};

use tollgate_attest::intoto::{IntotoError, VerifyOptions, verify_layout_file};
use tollgate_attest::keys::PublicKey;
use tollgate_attest::time::parse_rfc3339;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors/in-toto")
}

fn key(p: &Path) -> PublicKey {
    PublicKey::from_pem(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A fixed verification time: after the vectors were made, before any non-expired layout ends.
fn opts(run: bool) -> VerifyOptions {
    let mut o = VerifyOptions::at(parse_rfc3339("2026-06-01T00:00:00Z").unwrap());
    o.run_inspections = run;
    o
}

#[test]
fn generated_cases_reach_expected_verdicts() {
    if !tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    let mut n = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(vectors().join("generated"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let case: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
        let keys: Vec<PublicKey> = case["layout_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| key(&dir.join(k.as_str().unwrap())))
            .collect();
        let layout = dir.join(case["layout"].as_str().unwrap());
        let link_dir = dir.join(case["link_dir"].as_str().unwrap());
        let res = verify_layout_file(&layout, &keys, &link_dir, &opts(true));
        let name = case["name"].as_str().unwrap();
        match case["expect"].as_str().unwrap() {
            "pass" => {
                let r = res.unwrap_or_else(|e| panic!("{name}: expected pass, got {e}"));
                assert_eq!(r.inspections, ["untar"], "{name}");
                assert!(r.products.contains_key("foo.tar.gz"), "{name}");
            }
            _ => {
                let e = res
                    .err()
                    .unwrap_or_else(|| panic!("{name}: expected fail, passed"));
                assert!(!e.is_input_error(), "{name}: {e}");
                let want = match name.split_once('-').unwrap().1 {
                    "tampered-product" => "rule",
                    // threshold 2 with one link file: too few links to even check.
                    "link-unauthorized-key" | "missing-link" | "threshold-unmet" => "missing-link",
                    "link-payload-tampered" => "threshold",
                    "layout-payload-tampered"
                    | "wrong-layout-key"
                    | "layout-signed-by-functionary" => "layout-signature",
                    "expired-layout" => "expiry",
                    other => panic!("unknown case {other}"),
                };
                assert_eq!(e.check(), want, "{name}: {e}");
            }
        }
        n += 1;
    }
    assert_eq!(n, 20);
}

#[test]
fn generated_tampered_product_names_the_rule() {
    if !tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    let dir = vectors().join("generated/legacy-tampered-product");
    let e = verify_layout_file(
        &dir.join("root.layout"),
        &[key(&dir.join("owner.pub"))],
        &dir,
        &opts(true),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("rule 2 of inspection `untar` (materials): `DISALLOW foo.tar.gz`"),
        "{msg}"
    );
}

#[test]
fn python_demos_pass_with_inspections() {
    if !tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    for demo in ["python-demo-legacy", "python-demo-dsse"] {
        let dir = vectors().join(demo);
        let r = verify_layout_file(
            &dir.join("root.layout"),
            &[key(&dir.join("alice.pub"))],
            &dir,
            &opts(true),
        )
        .unwrap_or_else(|e| panic!("{demo}: {e}"));
        assert_eq!(r.steps.len(), 2, "{demo}");
        assert_eq!(r.inspections, ["untar"]);
        // The link directory is untouched: the inspection ran in a copy.
        assert!(!dir.join("foo.py").exists());
        assert!(!dir.join("untar.link").exists());
    }
}

#[test]
fn rejects_python_demo_without_run_inspections() {
    let dir = vectors().join("python-demo-legacy");
    let e = verify_layout_file(
        &dir.join("root.layout"),
        &[key(&dir.join("alice.pub"))],
        &dir,
        &opts(false),
    )
    .unwrap_err();
    assert!(matches!(e, IntotoError::InspectionsNotRun { .. }), "{e}");
    assert!(e.to_string().contains("--run-inspections"), "{e}");
}

#[test]
fn rejects_python_demo_with_functionary_key_as_layout_key() {
    let dir = vectors().join("python-demo-dsse");
    let e = verify_layout_file(
        &dir.join("root.layout"),
        &[key(&dir.join("bob.pub"))],
        &dir,
        &opts(true),
    )
    .unwrap_err();
    assert_eq!(e.check(), "layout-signature", "{e}");
}

#[test]
fn golang_layouts_pass() {
    if !tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    let dir = vectors().join("golang-demo");
    let alice = key(&dir.join("alice.pub"));
    for (layout, inspections) in [
        ("demo.layout", 1),
        ("demo.dsse.layout", 1),
        ("dsse-only.root.layout", 0),
    ] {
        let r = verify_layout_file(
            &dir.join(layout),
            std::slice::from_ref(&alice),
            &dir,
            &opts(true),
        )
        .unwrap_or_else(|e| panic!("{layout}: {e}"));
        assert_eq!(r.inspections.len(), inspections, "{layout}");
    }
}

#[test]
fn rejects_golang_layout_after_expiry_and_with_wrong_key() {
    let dir = vectors().join("golang-demo");
    let mut o = opts(true);
    o.now = parse_rfc3339("2030-11-18T16:06:36Z").unwrap();
    let e = verify_layout_file(
        &dir.join("demo.layout"),
        &[key(&dir.join("alice.pub"))],
        &dir,
        &o,
    )
    .unwrap_err();
    assert_eq!(e.check(), "expiry", "{e}");
    let e = verify_layout_file(
        &dir.join("demo.dsse.layout"),
        &[key(&dir.join("dan.pub"))],
        &dir,
        &opts(true),
    )
    .unwrap_err();
    assert_eq!(e.check(), "layout-signature", "{e}");
}

#[test]
fn loads_every_golang_key_or_names_it_unsupported() {
    let dir = vectors().join("golang-demo");
    for (f, ok) in [
        ("alice.pub", true),
        ("carol.pub", true),
        ("dan.pub", true),
        ("erin.pub", false),
        ("frank.pub", true),
        ("grace.pub", true),
        ("heidi.pub", false),
    ] {
        let r = PublicKey::from_pem(&std::fs::read_to_string(dir.join(f)).unwrap());
        assert_eq!(r.is_ok(), ok, "{f}: {r:?}");
        if let Err(e) = r {
            assert!(e.to_string().contains("unsupported"), "{f}: {e}");
        }
    }
}

/// in-toto-golang's `super.layout` delegates step `sub_layout` to alice, whose signed sublayout
/// (`sub_layout.70ca5750.link`, the demo layout) is verified against the links in
/// `sub_layout.70ca5750/`. Upstream, `super.layout` is unsigned, so the test signs its `signed`
/// value unchanged with a fresh owner key, and verifies before its 2021 expiry.
#[test]
fn golang_super_layout_verifies_its_sublayout() {
    use tollgate_attest::intoto::{Format, sign_metadata};
    use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};
    if !tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    let src = vectors().join("golang-demo");
    let dir = tempfile::tempdir().unwrap();
    let owner = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
    let sup: serde_json::Value =
        serde_json::from_slice(&std::fs::read(src.join("super.layout")).unwrap()).unwrap();
    let signed = sign_metadata(&sup["signed"], Format::Metablock, &[&owner]).unwrap();
    std::fs::write(
        dir.path().join("super.layout"),
        serde_json::to_vec(&signed).unwrap(),
    )
    .unwrap();
    std::fs::copy(
        src.join("sub_layout.70ca5750.link"),
        dir.path().join("sub_layout.70ca5750.link"),
    )
    .unwrap();
    let sub = dir.path().join("sub_layout.70ca5750");
    std::fs::create_dir(&sub).unwrap();
    for f in [
        "write-code.b7d643de.link",
        "package.d3ffd108.link",
        "foo.tar.gz",
    ] {
        std::fs::copy(src.join(f), sub.join(f)).unwrap();
    }
    let mut o = opts(true);
    o.now = parse_rfc3339("2021-01-01T00:00:00Z").unwrap();
    let keys = [owner.public_key().clone()];
    let r = verify_layout_file(&dir.path().join("super.layout"), &keys, dir.path(), &o).unwrap();
    assert!(r.steps[0].sublayout);
    assert!(r.products.contains_key("foo.tar.gz"), "{:?}", r.products);
    // Twin: a sublayout link missing from the sublayout's directory.
    std::fs::remove_file(sub.join("package.d3ffd108.link")).unwrap();
    let e =
        verify_layout_file(&dir.path().join("super.layout"), &keys, dir.path(), &o).unwrap_err();
    assert!(matches!(e, IntotoError::Sublayout { .. }), "{e}");
    assert_eq!(e.check(), "missing-link");
    // Twin: after the super layout's expiry.
    o.now = parse_rfc3339("2021-03-06T11:54:25Z").unwrap();
    let e =
        verify_layout_file(&dir.path().join("super.layout"), &keys, dir.path(), &o).unwrap_err();
    assert_eq!(e.check(), "expiry");
}

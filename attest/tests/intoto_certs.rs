//! in-toto-golang certificate functionaries end to end: a CA made with `openssl` in the test, a
//! link signed by a leaf key whose certificate rides in the Metablock signature, a step with
//! `cert_constraints`. Skipped (with a message) where `openssl` is absent.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[path = "../../verifier/tests/support/tools.rs"]
mod tools;

use std::path::Path;
use std::process::Command;

use der::DecodePem;
use serde_json::{Value, json};
use tollgate_attest::digest::{DigestAlgorithm, to_hex};
use tollgate_attest::intoto::{Format, VerifyOptions, sign_metadata, verify_layout_file};
use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Root → intermediate → leaf (CN write-code.example.com, O example, SAN URI), P-256 keys.
fn make_ca(dir: &Path) -> bool {
    std::fs::write(
        dir.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=critical,URI:spiffe://example.com/write-code\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ok = true;
    let mut run = |args: &[&str]| ok = ok && openssl(dir, args);
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            "/O=example/CN=root",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "int.key",
            "-out",
            "int.csr",
            "-subj",
            "/O=example/CN=intermediate",
        ],
    ]
    .concat());
    run(&[
        "x509",
        "-req",
        "-in",
        "int.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "int.pem",
        "-days",
        "30",
        "-extfile",
        "ca.ext",
    ]);
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/O=example/CN=write-code.example.com",
        ],
    ]
    .concat());
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "int.pem",
        "-CAkey",
        "int.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "30",
        "-extfile",
        "leaf.ext",
    ]);
    ok
}

fn not_before(pem: &str) -> i64 {
    let c = x509_cert::Certificate::from_pem(pem.as_bytes()).unwrap();
    c.tbs_certificate
        .validity
        .not_before
        .to_unix_duration()
        .as_secs() as i64
}

struct Setup {
    dir: tempfile::TempDir,
    owner: PrivateKey,
    now: i64,
}

fn setup(constraint: Value, with_intermediate: bool) -> Option<Setup> {
    let dir = tempfile::tempdir().unwrap();
    if !tools::require("openssl", &["version"], "apt-get install openssl") {
        return None;
    }
    assert!(
        make_ca(dir.path()),
        "openssl runs but could not make the test CA"
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let (root, int, leaf) = (read("root.pem"), read("int.pem"), read("leaf.pem"));
    let leaf_key = PrivateKey::from_pem(&read("leaf.key")).unwrap();
    let owner = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
    let ca = |pem: &str| json!({"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": "", "certificate": pem}});
    let layout = json!({
        "_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "", "keys": {},
        "rootcas": {"rootid": ca(&root)},
        "intermediatecas": if with_intermediate { json!({"intid": ca(&int)}) } else { json!({}) },
        "steps": [{"_type": "step", "name": "write-code", "threshold": 1, "pubkeys": [],
                   "cert_constraints": [constraint], "expected_command": [],
                   "expected_materials": [], "expected_products": [["ALLOW", "foo.py"], ["DISALLOW", "*"]]}],
        "inspect": []
    });
    let signed = sign_metadata(&layout, Format::Metablock, &[&owner]).unwrap();
    std::fs::write(
        dir.path().join("root.layout"),
        serde_json::to_vec(&signed).unwrap(),
    )
    .unwrap();
    let link = json!({"_type": "link", "name": "write-code", "materials": {},
        "products": {"foo.py": {"sha256": to_hex(&DigestAlgorithm::Sha256.hash(b"x"))}},
        "byproducts": {}, "command": [], "environment": {}});
    let mut signed = sign_metadata(&link, Format::Metablock, &[&leaf_key]).unwrap();
    signed["signatures"][0]["cert"] = leaf.clone().into();
    let keyid = leaf_key.public_key().keyid();
    std::fs::write(
        dir.path().join(format!("write-code.{}.link", &keyid[..8])),
        serde_json::to_vec(&signed).unwrap(),
    )
    .unwrap();
    let now = not_before(&leaf) + 86_400;
    Some(Setup { dir, owner, now })
}

fn good_constraint() -> Value {
    json!({"common_name": "write-code.example.com", "dns_names": [], "emails": [],
           "organizations": ["example"], "roots": ["rootid"], "uris": ["spiffe://example.com/write-code"]})
}

fn verify(s: &Setup, now: i64) -> Result<(), String> {
    verify_layout_file(
        &s.dir.path().join("root.layout"),
        &[s.owner.public_key().clone()],
        s.dir.path(),
        &VerifyOptions::at(now),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn accepts_link_by_certificate_meeting_constraints() {
    let Some(s) = setup(good_constraint(), true) else {
        return;
    };
    verify(&s, s.now).unwrap();
}

#[test]
fn rejects_certificate_missing_constraint_or_chain_or_validity() {
    let mut wrong_cn = good_constraint();
    wrong_cn["common_name"] = "build.example.com".into();
    let Some(s) = setup(wrong_cn, true) else {
        return;
    };
    let e = verify(&s, s.now).unwrap_err();
    assert!(e.contains("common name"), "{e}");

    let mut wrong_uri = good_constraint();
    wrong_uri["uris"] = json!([]);
    let Some(s) = setup(wrong_uri, true) else {
        return;
    };
    assert!(verify(&s, s.now).unwrap_err().contains("uri"));

    let Some(s) = setup(good_constraint(), false) else {
        return;
    };
    let e = verify(&s, s.now).unwrap_err();
    assert!(e.contains("does not chain"), "{e}");

    let Some(s) = setup(good_constraint(), true) else {
        return;
    };
    let e = verify(&s, s.now + 60 * 86_400).unwrap_err();
    assert!(e.contains("does not chain"), "{e}");

    // A wildcard allows any common name.
    let mut any_cn = good_constraint();
    any_cn["common_name"] = "*".into();
    let Some(s) = setup(any_cn, true) else { return };
    verify(&s, s.now).unwrap();
}

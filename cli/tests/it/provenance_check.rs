//! `tollgate check --verify-provenance` end to end against a registry the test serves on
//! 127.0.0.1: real npm attestations (`../shared/attest-vectors/slsa-verifier/npm/gha/`) and real
//! registry signatures (`../shared/attest-vectors/npm-registry-signatures/`), fetched through the
//! registry client (packument → `dist.attestations.url`) or read from `--attestations-dir`;
//! findings, coverage and the `[provenance]` policy in every format.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::support::fixtures::sri512;
use crate::support::server::{Reply, Server};
use crate::{render, tollgate};

fn gha() -> PathBuf {
    crate::corpus().join("../attest-vectors/slsa-verifier/npm/gha")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The signature vectors: (name, version, integrity, keyid, sig) by case index.
fn signature_case(i: usize) -> (String, String, String, String, String) {
    let v: Value = serde_json::from_slice(&read(
        &crate::corpus().join("../attest-vectors/npm-registry-signatures/signatures.json"),
    ))
    .unwrap();
    let c = &v["cases"][i];
    let s = |k: &str| c[k].as_str().unwrap().to_owned();
    (
        s("name"),
        s("version"),
        s("integrity"),
        s("keyid"),
        s("sig"),
    )
}

/// One npm package as the test registry serves it.
struct Pkg {
    name: String,
    version: String,
    integrity: String,
    /// `dist.signatures`.
    signatures: Vec<(String, String)>,
    /// The attestations document, served at the URL the packument names.
    attestations: Option<Vec<u8>>,
    /// `time[version]`.
    published: &'static str,
}

impl Pkg {
    /// A package from an npm/gha vector stem: its tarball's sha512, its attestations document.
    fn vector(stem: &str, name: &str, version: &str) -> Pkg {
        let tgz = read(&gha().join(format!("{stem}.tgz")));
        Pkg {
            name: name.into(),
            version: version.into(),
            integrity: sri512(&tgz),
            signatures: Vec::new(),
            attestations: Some(read(&gha().join(format!("{stem}.tgz.json")))),
            published: "2023-06-01T00:00:00Z",
        }
    }

    /// A package from a registry-signature vector (no attestations).
    fn signed(case: usize) -> Pkg {
        let (name, version, integrity, keyid, sig) = signature_case(case);
        Pkg {
            name,
            version,
            integrity,
            signatures: vec![(keyid, sig)],
            attestations: None,
            published: "2026-05-01T00:00:00Z",
        }
    }
}

fn packument_path(name: &str) -> String {
    format!("/{}", name.replacen('/', "%2f", 1))
}

/// Serves each package's full packument and its attestations.
fn serve(s: &Server, pkgs: &[Pkg]) {
    for p in pkgs {
        let mut dist = json!({
            "integrity": p.integrity,
            "tarball": format!("{}/{}/-/x-{}.tgz", s.url().trim_end_matches('/'), p.name, p.version),
        });
        if !p.signatures.is_empty() {
            dist["signatures"] = p
                .signatures
                .iter()
                .map(|(k, sig)| json!({"keyid": k, "sig": sig}))
                .collect();
        }
        if let Some(doc) = &p.attestations {
            // As the public registry names it: the mirror's copy is re-based onto the mirror.
            let path = format!(
                "/-/npm/v1/attestations/{}@{}",
                p.name.replacen('/', "%2f", 1),
                p.version
            );
            dist["attestations"] = json!({
                "url": format!("https://registry.npmjs.org{path}"),
                "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}
            });
            s.set(&path, Reply::ok(doc.clone()));
        }
        let doc = json!({
            "name": p.name,
            "versions": {p.version.clone(): {"name": p.name, "version": p.version, "dist": dist}},
            "time": {p.version.clone(): p.published},
        });
        s.set(
            &packument_path(&p.name),
            Reply::ok(serde_json::to_vec(&doc).unwrap()),
        );
    }
}

/// A project whose package-lock.json locks `pkgs` as resolved from registry.npmjs.org, plus a
/// Cargo.lock with one crate.
fn project(pkgs: &[Pkg], config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut packages = serde_json::Map::new();
    let mut deps = serde_json::Map::new();
    for p in pkgs {
        deps.insert(p.name.clone(), json!(p.version));
    }
    packages.insert(
        String::new(),
        json!({"name": "app", "version": "1.0.0", "dependencies": deps}),
    );
    for p in pkgs {
        let base = p.name.rsplit('/').next().unwrap();
        packages.insert(
            format!("node_modules/{}", p.name),
            json!({
                "version": p.version,
                "resolved": format!("https://registry.npmjs.org/{}/-/{base}-{}.tgz", p.name, p.version),
                "integrity": p.integrity,
            }),
        );
    }
    let lock = json!({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": packages});
    std::fs::write(
        dir.path().join("package-lock.json"),
        serde_json::to_vec_pretty(&lock).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        format!("[registries.http]\nretries = 0\n{config}"),
    )
    .unwrap();
    dir
}

fn check(dir: &Path, s: &Server, args: &[&str]) -> Output {
    let db: PathBuf = crate::testdata().join("../check/advisories");
    tollgate()
        .current_dir(dir)
        .env_remove("TOLLGATE_REGISTRY_URL_NPM")
        .env_remove("TOLLGATE_CACHE_DIR")
        .args(["check", ".", "--db"])
        .arg(db)
        .args([
            "--now",
            "2026-11-23",
            "--verify-provenance",
            "--no-cache",
            "--registry-url-npm",
        ])
        .arg(s.url())
        .args(args)
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", render(out)))
}

fn coverage<'a>(v: &'a Value, check: &str) -> &'a Value {
    v["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .unwrap_or_else(|| panic!("no {check} coverage: {v}"))
}

fn status_of(cov: &Value, name: &str) -> (String, String) {
    let p = cov["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in coverage"));
    (
        p["status"].as_str().unwrap().to_owned(),
        p["code"].as_str().unwrap_or_default().to_owned(),
    )
}

fn kinds(v: &Value) -> Vec<(String, String)> {
    let mut k: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["package"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    k.sort();
    k
}

/// The mixed lock: valid attestations (two packages), a real registry signature, a signature
/// over another version's integrity, and an altered provenance signature.
fn mixed() -> Vec<Pkg> {
    let mut swapped = Pkg::signed(2); // @x402/express
    swapped.signatures = Pkg::signed(1).signatures; // stellar's signature on express
    vec![
        Pkg::vector(
            "provenance-npm-test-cli-v02-prega",
            "@laurentsimon/provenance-npm-test",
            "1.0.3",
        ),
        Pkg::vector("gundam-visor-cli-v1-tag", "gundam-visor", "1.0.1"),
        Pkg::signed(1), // @x402/stellar
        swapped,
        Pkg::vector(
            "provenance-npm-test-cli-v1-prega-invalidsigprov",
            "sigstore",
            "2.3.1",
        ),
    ]
}

#[test]
fn verify_provenance_verifies_attestations_and_signatures_over_loopback() {
    let s = Server::start();
    let pkgs = mixed();
    serve(&s, &pkgs);
    let dir = project(&pkgs, "");
    let out = check(dir.path(), &s, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v = json_of(&out);
    assert_eq!(
        kinds(&v),
        vec![
            ("provenance-invalid".to_owned(), "sigstore".to_owned()),
            ("signature-invalid".to_owned(), "@x402/express".to_owned()),
            (
                "signature-missing".to_owned(),
                "@laurentsimon/provenance-npm-test".to_owned()
            ),
            ("signature-missing".to_owned(), "gundam-visor".to_owned()),
            ("signature-missing".to_owned(), "sigstore".to_owned()),
        ],
        "{v}"
    );
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "provenance-invalid")
        .unwrap();
    assert_eq!(f["id"], "provenance/invalid:sigstore@2.3.1");
    assert_eq!(f["severity"], "critical");
    let prov = coverage(&v, "provenance");
    assert_eq!(
        status_of(prov, "@laurentsimon/provenance-npm-test"),
        ("verified".into(), "attestations".into())
    );
    assert_eq!(
        status_of(prov, "gundam-visor"),
        ("verified".into(), "attestations".into())
    );
    assert_eq!(
        status_of(prov, "@x402/stellar"),
        ("unsigned".into(), "no-attestations".into())
    );
    assert_eq!(status_of(prov, "sigstore").0, "failed");
    let sigs = coverage(&v, "signatures");
    assert_eq!(
        status_of(sigs, "@x402/stellar"),
        ("verified".into(), "registry-signature".into())
    );
    assert_eq!(status_of(sigs, "@x402/express").0, "failed");
    assert_eq!(prov["verified"], 2);
    assert_eq!(prov["unsigned"], 2);
    assert_eq!(prov["failed"], 1);
    // --verify-provenance implies the registry comparison.
    assert_eq!(coverage(&v, "registry")["verified"], 5);
    // The attestation documents were fetched at the registry's (re-based) URL.
    assert_eq!(
        s.hits("/-/npm/v1/attestations/@laurentsimon%2fprovenance-npm-test@1.0.3"),
        1
    );

    // The report names, for what verified, the command that re-checks it without tollgate.
    let rc = v["rechecks"].as_array().expect("rechecks");
    let cmds: Vec<&str> = rc.iter().map(|r| r["command"].as_str().unwrap()).collect();
    assert!(
        cmds.contains(&"slsa-verifier verify-npm-package laurentsimon-provenance-npm-test-1.0.3.tgz --attestations-path laurentsimon-provenance-npm-test-1.0.3.attestations.json --package-name @laurentsimon/provenance-npm-test --package-version 1.0.3 --source-uri github.com/laurentsimon/provenance-npm-test --builder-id https://github.com/actions/runner/github-hosted"),
        "{cmds:#?}"
    );
    assert!(cmds.contains(&"npm audit signatures"), "{cmds:#?}");
    assert_eq!(
        rc.len(),
        3,
        "two verified provenances, one project with signatures"
    );
    let out = check(dir.path(), &s, &["--explain"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("re-check without tollgate:"), "{text}");
    assert!(
        text.contains("verify-npm-package gundam-visor-1.0.1.tgz"),
        "{text}"
    );

    // Every format shows the coverage and the findings.
    for (fmt, needle) in [
        ("human", "provenance: 2 verified, 1 failed, 2 unsigned"),
        ("markdown", "provenance"),
        ("sarif", "provenance/invalid"),
    ] {
        let out = check(dir.path(), &s, &["--format", fmt]);
        assert_eq!(out.status.code(), Some(1), "{fmt}: {}", render(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needle), "{fmt}: {text}");
        assert!(text.contains("signature"), "{fmt}: {text}");
    }
}

#[test]
fn cargo_packages_are_unverifiable_not_dropped() {
    let s = Server::start();
    let pkgs = vec![Pkg::signed(1)];
    serve(&s, &pkgs);
    let dir = project(&pkgs, "");
    std::fs::write(
        dir.path().join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
    )
    .unwrap();
    let out = check(
        dir.path(),
        &s,
        &["--format", "json", "--registry-url-cargo", &s.url()],
    );
    let v = json_of(&out);
    assert_eq!(
        status_of(coverage(&v, "provenance"), "serde"),
        ("unverifiable".into(), "no-registry-attestations".into()),
        "{v}"
    );
    assert_eq!(
        status_of(coverage(&v, "signatures"), "serde").1,
        "no-registry-attestations"
    );
}

#[test]
fn policies_require_provenance_and_judge_builder_and_source() {
    let s = Server::start();
    let pkgs = vec![
        Pkg::vector(
            "provenance-npm-test-cli-v02-prega",
            "@laurentsimon/provenance-npm-test",
            "1.0.3",
        ),
        Pkg::signed(1),
    ];
    serve(&s, &pkgs);
    let runner = "https://github.com/actions/runner/github-hosted";
    // The right policy: verified; stellar has no provenance but is not required.
    let good = format!(
        "[provenance]\nrequire-signatures = false\n[provenance.packages.\"@laurentsimon/*\"]\nsource-uri = \"github.com/laurentsimon/provenance-npm-test\"\nbuilder-id = \"{runner}\"\n"
    );
    let dir = project(&pkgs, &good);
    let out = check(dir.path(), &s, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let v = json_of(&out);
    assert_eq!(
        status_of(
            coverage(&v, "provenance"),
            "@laurentsimon/provenance-npm-test"
        ),
        ("verified".into(), "attestations".into())
    );
    // require-signatures = false: a missing signature is coverage, not a finding.
    assert_eq!(
        status_of(
            coverage(&v, "signatures"),
            "@laurentsimon/provenance-npm-test"
        ),
        ("unsigned".into(), "no-signature".into())
    );

    // Twin: another source repository → provenance-policy.
    let bad = good.replace(
        "github.com/laurentsimon/provenance-npm-test",
        "github.com/evil/fork",
    );
    let dir = project(&pkgs, &bad);
    let out = check(dir.path(), &s, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v = json_of(&out);
    assert_eq!(
        kinds(&v),
        vec![(
            "provenance-policy".to_owned(),
            "@laurentsimon/provenance-npm-test".to_owned()
        )]
    );

    // `require` names stellar, which has no attestations → provenance-missing.
    let req = format!(
        "{good}[provenance.packages.\"@x402/*\"]\nowner = \"coinbase\"\nbuilder-id = \"{runner}\"\n"
    );
    let dir = project(&pkgs, &req);
    let out = check(dir.path(), &s, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(
        kinds(&json_of(&out)),
        vec![("provenance-missing".to_owned(), "@x402/stellar".to_owned())]
    );

    // Without --verify-provenance the package rules are not enforced: the gate fails closed.
    let out = tollgate()
        .current_dir(dir.path())
        .args(["check", ".", "--db"])
        .arg(crate::testdata().join("../check/advisories"))
        .args(["--now", "2026-11-23", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(
        json_of(&out)["reasons_typed"][0]["code"],
        "unenforced-provenance",
        "{}",
        render(&out)
    );
}

#[test]
fn attestations_dir_is_read_before_the_network_and_altered_documents_fail() {
    let s = Server::start();
    let good = Pkg::vector("gundam-visor-cli-v1-tag", "gundam-visor", "1.0.1");
    // The registry serves the packument without attestations; the directory has them.
    let served = Pkg {
        attestations: None,
        ..Pkg::vector("gundam-visor-cli-v1-tag", "gundam-visor", "1.0.1")
    };
    serve(&s, &[served]);
    let dir = project(
        &[good],
        "[provenance]\nrequire-signatures = false\nrequire = [\"gundam-*\"]\n",
    );
    let att = dir.path().join("att");
    std::fs::create_dir(&att).unwrap();
    std::fs::copy(
        gha().join("gundam-visor-cli-v1-tag.tgz.json"),
        att.join("gundam-visor@1.0.1.json"),
    )
    .unwrap();
    let out = check(
        dir.path(),
        &s,
        &["--format", "json", "--attestations-dir", "att"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(
        status_of(coverage(&json_of(&out), "provenance"), "gundam-visor").0,
        "verified"
    );
    // Twin: the publish attestation's signature altered.
    std::fs::copy(
        gha().join("gundam-visor-cli-v1-tag-invalidsigpub.tgz.json"),
        att.join("gundam-visor@1.0.1.json"),
    )
    .unwrap();
    let out = check(
        dir.path(),
        &s,
        &["--format", "json", "--attestations-dir", "att"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(
        kinds(&json_of(&out)),
        vec![("provenance-invalid".to_owned(), "gundam-visor".to_owned())]
    );
    // Twin: the provenance alone, without the registry's publish attestation.
    let mut doc: Value =
        serde_json::from_slice(&read(&gha().join("gundam-visor-cli-v1-tag.tgz.json"))).unwrap();
    doc["attestations"]
        .as_array_mut()
        .unwrap()
        .retain(|a| !a["predicateType"].as_str().unwrap().contains("/publish/"));
    std::fs::write(
        att.join("gundam-visor@1.0.1.json"),
        serde_json::to_vec(&doc).unwrap(),
    )
    .unwrap();
    let out = check(
        dir.path(),
        &s,
        &["--format", "json", "--attestations-dir", "att"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v = json_of(&out);
    assert_eq!(
        kinds(&v),
        vec![("provenance-invalid".to_owned(), "gundam-visor".to_owned())]
    );
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no registry publish attestation"),
        "{v}"
    );
    // Twin: without the directory the registry names none → required → provenance-missing.
    let out = check(dir.path(), &s, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(
        kinds(&json_of(&out)),
        vec![("provenance-missing".to_owned(), "gundam-visor".to_owned())]
    );
}

#[test]
fn a_lockfile_integrity_that_is_not_the_attested_tarball_fails() {
    let s = Server::start();
    // The registry and the lockfile agree on another tarball than the one attested.
    let mut p = Pkg::vector("gundam-visor-cli-v1-tag", "gundam-visor", "1.0.1");
    p.integrity = sri512(b"another tarball");
    serve(&s, std::slice::from_ref(&p));
    let dir = project(&[p], "[provenance]\nrequire-signatures = false\n");
    let out = check(dir.path(), &s, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v = json_of(&out);
    assert_eq!(
        kinds(&v),
        vec![("provenance-invalid".to_owned(), "gundam-visor".to_owned())]
    );
}

#[test]
fn a_bad_keys_file_or_root_is_an_input_error() {
    let s = Server::start();
    let pkgs = vec![Pkg::signed(1)];
    serve(&s, &pkgs);
    let dir = project(&pkgs, "");
    std::fs::write(dir.path().join("keys.json"), "{}").unwrap();
    let out = check(dir.path(), &s, &["--npm-keys", "keys.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(render(&out).contains("keys.json"), "{}", render(&out));
    let out = check(dir.path(), &s, &["--trusted-root", "keys.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(render(&out).contains("trusted root"), "{}", render(&out));
}

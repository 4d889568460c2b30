//! `tollgate sbom`: schema-valid (the official CycloneDX schema through
//! `../shared/tools/validate-cyclonedx --strict`), byte-reproducible SBOMs of every corpus
//! lockfile, and exit 2 for what cannot be written.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::schema::validator_available;
use crate::{corpus, tollgate};

/// The corpus lockfiles `manifest.json` marks as tollgate inputs that parse.
pub fn corpus_inputs() -> Vec<PathBuf> {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tollgate_input"] == Value::Bool(true) && f["ok"] == Value::Bool(true))
        .map(|f| corpus().join(f["path"].as_str().unwrap()))
        .collect()
}

fn sbom(args: &[&str], epoch: &str) -> std::process::Output {
    tollgate()
        .arg("sbom")
        .args(args)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap()
}

/// `validate-cyclonedx --strict` over `files`; `None` when python3/jsonschema are missing
/// outside CI.
pub fn validate(files: &[PathBuf]) -> Option<std::process::Output> {
    if !validator_available() {
        return None;
    }
    Some(
        Command::new("python3")
            .arg(corpus().join("../tools/validate-cyclonedx"))
            .arg("--strict")
            .arg("--quiet")
            .args(files)
            .output()
            .unwrap(),
    )
}

#[test]
fn accepts_every_corpus_sbom_as_valid_cyclonedx_and_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    let inputs = corpus_inputs();
    assert!(inputs.len() > 100, "{} corpus inputs", inputs.len());
    let mut empty = Vec::new();
    for (i, lock) in inputs.iter().enumerate() {
        let out = dir.path().join(format!("{i}.cdx.json"));
        // Every fourth file also as CycloneDX 1.5.
        let spec = if i % 4 == 3 { "1.5" } else { "1.6" };
        let o = sbom(
            &[
                lock.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--spec-version",
                spec,
            ],
            "1700000000",
        );
        // A lockfile without packages is exit 2 (an input error) before any SBOM.
        if o.status.code() == Some(2)
            && String::from_utf8_lossy(&o.stderr).contains("no packages in the lockfile")
        {
            empty.push(i);
            continue;
        }
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            lock.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        written.push((i, out));
    }
    assert!(
        empty.len() < 5,
        "{} corpus lockfiles without packages",
        empty.len()
    );
    // Reproducible: the same inputs and SOURCE_DATE_EPOCH give the same bytes (every fifth
    // file again, to standard output).
    for (i, lock) in inputs.iter().enumerate().step_by(5) {
        if empty.contains(&i) {
            continue;
        }
        let again = sbom(
            &[
                lock.to_str().unwrap(),
                "--spec-version",
                if i % 4 == 3 { "1.5" } else { "1.6" },
            ],
            "1700000000",
        );
        assert_eq!(again.status.code(), Some(0));
        assert!(
            again.stdout == std::fs::read(dir.path().join(format!("{i}.cdx.json"))).unwrap(),
            "{}: a second run wrote other bytes",
            lock.display()
        );
    }
    let written: Vec<PathBuf> = written.into_iter().map(|(_, p)| p).collect();
    let doc: Value = serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(
        doc["metadata"]["tools"]["components"][0]["name"],
        "tollgate"
    );
    let Some(v) = validate(&written) else { return };
    assert!(
        v.status.success(),
        "validate-cyclonedx --strict:\n{}{}",
        String::from_utf8_lossy(&v.stdout),
        String::from_utf8_lossy(&v.stderr)
    );
}

/// Negative twin of the validation: the validator does reject a broken SBOM, so the test above
/// cannot pass vacuously.
#[test]
fn rejects_an_sbom_the_schema_forbids() {
    let dir = tempfile::tempdir().unwrap();
    let lock =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/graph/cargo-v4-git/Cargo.lock");
    let out = dir.path().join("bom.cdx.json");
    let o = sbom(&[lock.to_str().unwrap(), "-o", out.to_str().unwrap()], "0");
    assert_eq!(o.status.code(), Some(0));
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    doc["components"][0]["scope"] = Value::String("sometimes".into());
    std::fs::write(&out, serde_json::to_vec(&doc).unwrap()).unwrap();
    let Some(v) = validate(&[out]) else { return };
    assert_eq!(
        v.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    assert!(String::from_utf8_lossy(&v.stdout).contains("scope"));
}

#[test]
fn another_lockfile_gives_another_sbom_and_serial() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/graph");
    let a = sbom(
        &[fixtures.join("cargo-v4-git/Cargo.lock").to_str().unwrap()],
        "0",
    );
    let b = sbom(
        &[fixtures
            .join("npm-v3-workspaces/package-lock.json")
            .to_str()
            .unwrap()],
        "0",
    );
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    let serial = |o: &std::process::Output| {
        let d: Value = serde_json::from_slice(&o.stdout).unwrap();
        d["serialNumber"].as_str().unwrap().to_owned()
    };
    assert_ne!(serial(&a), serial(&b));
    // Another SOURCE_DATE_EPOCH changes the timestamp and, derived from the content, the serial.
    let a2 = sbom(
        &[fixtures.join("cargo-v4-git/Cargo.lock").to_str().unwrap()],
        "86400",
    );
    assert_ne!(serial(&a), serial(&a2));
}

#[test]
fn rejects_a_bad_source_date_epoch_serial_number_or_spec_version_with_exit_2() {
    let lock =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/graph/cargo-v4-git/Cargo.lock");
    let lock = lock.to_str().unwrap();
    let o = sbom(&[lock], "yesterday");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SOURCE_DATE_EPOCH"));
    let o = sbom(&[lock, "--serial-number", "urn:uuid:XYZ"], "0");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid serial number"));
    let o = sbom(&[lock, "--spec-version", "1.4"], "0");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1.6 or 1.5"));
    let o = sbom(&["/nonexistent/Cargo.lock"], "0");
    assert_eq!(o.status.code(), Some(2));
}

/// A signed SBOM in a temporary directory: (dir, sbom path, public key path, algorithm).
fn signed(alg: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/graph/cargo-v4-git");
    let bom = d.join("bom.cdx.json");
    let k = d.join("k");
    let o = tollgate()
        .args(["key", "generate", "--algorithm", alg, "--out"])
        .arg(&k)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = sbom(&[lock.to_str().unwrap(), "-o", bom.to_str().unwrap()], "0");
    assert_eq!(o.status.code(), Some(0));
    std::fs::write(d.join("app.tar.gz"), b"release artefact").unwrap();
    let o = tollgate()
        .args(["sbom", "sign"])
        .arg(&bom)
        .arg("--key")
        .arg(d.join("k.key"))
        .arg("--subject")
        .arg(d.join("app.tar.gz"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("verify with: openssl"));
    (dir, bom, d.join("k.pub"))
}

fn verify(bom: &Path, key: &Path, extra: &[&str]) -> std::process::Output {
    tollgate()
        .args(["sbom", "verify"])
        .arg(bom)
        .arg("--key")
        .arg(key)
        .args(extra)
        .output()
        .unwrap()
}

fn beside(p: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", p.display()))
}

/// openssl verifies the detached signature as the auditor's guide says, for every key type.
#[test]
fn accepts_signatures_openssl_verifies_with_every_key_type() {
    if !crate::support::tools::require("openssl", &["version"], "apt-get install openssl") {
        return;
    }
    for (alg, cmd) in [
        ("ecdsa-p256", "dgst -sha256"),
        ("ecdsa-p384", "dgst -sha384"),
        ("rsa-3072", "dgst -sha256"),
        ("ed25519", "pkeyutl"),
    ] {
        let (_dir, bom, key) = signed(alg);
        let sig = beside(&bom, ".sig");
        let run = |file: &Path| {
            let mut c = Command::new("openssl");
            if cmd == "pkeyutl" {
                c.args(["pkeyutl", "-verify", "-pubin", "-inkey"])
                    .arg(&key)
                    .arg("-rawin")
                    .arg("-in")
                    .arg(file)
                    .arg("-sigfile")
                    .arg(&sig);
            } else {
                c.args(cmd.split(' '))
                    .arg("-verify")
                    .arg(&key)
                    .arg("-signature")
                    .arg(&sig)
                    .arg(file);
            }
            c.output().unwrap()
        };
        let ok = run(&bom);
        assert!(
            ok.status.success(),
            "{alg}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        // Negative twin: one byte changed, openssl says no.
        let mut bytes = std::fs::read(&bom).unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 0x01;
        let changed = bom.with_extension("changed.json");
        std::fs::write(&changed, &bytes).unwrap();
        assert!(
            !run(&changed).status.success(),
            "{alg}: openssl accepted a changed SBOM"
        );
        // tollgate agrees with both.
        let o = verify(&bom, &key, &[]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{alg}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn accepts_the_signed_sbom_and_names_its_subjects_in_json() {
    let (_dir, bom, key) = signed("ecdsa-p256");
    let o = verify(&bom, &key, &["--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = crate::json_doc("sbom-verify.schema.json", &o.stdout, &["checks", "keyid"]);
    assert_eq!(v["verified"], true);
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    let names: Vec<&str> = checks[1]["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bom.cdx.json", "app.tar.gz"]);
    // The envelope is an in-toto statement with the CycloneDX predicate.
    let env: Value =
        serde_json::from_slice(&std::fs::read(beside(&bom, ".intoto.jsonl")).unwrap()).unwrap();
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
}

/// A one-byte change anywhere — the SBOM, the signature, the envelope — is exit 1 naming what
/// failed; another key is exit 1 too.
#[test]
fn rejects_a_one_byte_change_anywhere_naming_what_failed() {
    let (dir, bom, key) = signed("ed25519");
    let flip = |p: &Path, at: usize| {
        let mut b = std::fs::read(p).unwrap();
        let i = at.min(b.len() - 1);
        b[i] ^= 0x01;
        let out = dir.path().join(format!(
            "flipped-{}",
            p.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&out, b).unwrap();
        out
    };
    let n = std::fs::read(&bom).unwrap().len();
    for at in [0, n / 3, n - 2] {
        let changed = flip(&bom, at);
        let o = verify(
            &changed,
            &key,
            &[
                "--signature",
                beside(&bom, ".sig").to_str().unwrap(),
                "--envelope",
                beside(&bom, ".intoto.jsonl").to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(1), "byte {at}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("not verified:") && err.contains("signature"),
            "{err}"
        );
    }
    let sig = flip(&beside(&bom, ".sig"), 10);
    let o = verify(&bom, &key, &["--signature", sig.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let env_len = std::fs::read(beside(&bom, ".intoto.jsonl")).unwrap().len();
    for at in [5, env_len / 2, env_len - 3] {
        let env = flip(&beside(&bom, ".intoto.jsonl"), at);
        let o = verify(&bom, &key, &["--envelope", env.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "envelope byte {at}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let other = dir.path().join("other");
    tollgate()
        .args(["key", "generate", "--out"])
        .arg(&other)
        .output()
        .unwrap();
    let o = verify(&bom, &dir.path().join("other.pub"), &[]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn rejects_missing_evidence_and_non_sboms_with_exit_2() {
    let (dir, bom, key) = signed("ecdsa-p256");
    let lone = dir.path().join("lone.cdx.json");
    std::fs::copy(&bom, &lone).unwrap();
    let o = verify(&lone, &key, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to verify"));
    let notsbom = dir.path().join("x.json");
    std::fs::write(&notsbom, b"{\"hello\": 1}").unwrap();
    let o = tollgate()
        .args(["sbom", "sign"])
        .arg(&notsbom)
        .arg("--key")
        .arg(dir.path().join("k.key"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a CycloneDX document"));
    assert!(!beside(&notsbom, ".sig").exists());
}

/// `tollgate release`: SBOM, signature and envelope beside the artefact; the envelope names the
/// artefact, so `attest verify --artifact` accepts it — and refuses a changed artefact.
#[test]
fn release_writes_a_signed_sbom_that_names_the_artefact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let k = d.join("rel");
    let o = tollgate()
        .args(["key", "generate", "--out"])
        .arg(&k)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let dist = d.join("dist");
    std::fs::create_dir(&dist).unwrap();
    let art = dist.join("app-1.0.tar.gz");
    std::fs::write(&art, b"the release").unwrap();
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/graph/cargo-v4-git");
    let o = tollgate()
        .arg("release")
        .arg(&art)
        .arg("--key")
        .arg(d.join("rel.key"))
        .arg("--project")
        .arg(&project)
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let bom = dist.join("app-1.0.tar.gz.cdx.json");
    for f in [&bom, &beside(&bom, ".sig"), &beside(&bom, ".intoto.jsonl")] {
        assert!(f.is_file(), "{} not written", f.display());
        assert!(stdout.contains(&f.display().to_string()), "{stdout}");
    }
    assert!(stdout.contains("upload beside the artefacts:"), "{stdout}");
    let o = verify(&bom, &d.join("rel.pub"), &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let attest = |artefact: &Path| {
        tollgate()
            .args(["attest", "verify", "--envelope"])
            .arg(beside(&bom, ".intoto.jsonl"))
            .arg("--key")
            .arg(d.join("rel.pub"))
            .arg("--artifact")
            .arg(artefact)
            .output()
            .unwrap()
    };
    assert_eq!(attest(&art).status.code(), Some(0));
    std::fs::write(&art, b"the release, changed").unwrap();
    assert_eq!(attest(&art).status.code(), Some(1));
    // Not a file: exit 2, nothing written.
    let o = tollgate()
        .arg("release")
        .arg(d.join("missing.tar.gz"))
        .arg("--key")
        .arg(d.join("rel.key"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn writes_the_licenses_npm_locks_record_and_none_where_they_record_none() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("package-lock.json");
    std::fs::write(
        &lock,
        r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {
  "": {"name": "app", "version": "1.0.0", "dependencies": {"a": "1", "b": "1", "c": "1", "d": "1"}},
  "node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz", "license": "MIT"},
  "node_modules/b": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz", "license": "(MIT OR Apache-2.0)"},
  "node_modules/c": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/c/-/c-1.0.0.tgz", "license": "SEE LICENSE IN LICENSE.md"},
  "node_modules/d": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/d/-/d-1.0.0.tgz", "license": {"type": "MIT"}}
}}"#,
    )
    .unwrap();
    let out = dir.path().join("bom.cdx.json");
    let o = sbom(&[lock.to_str().unwrap(), "-o", out.to_str().unwrap()], "0");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bom: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let lic = |name: &str| {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["licenses"]
            .clone()
    };
    assert_eq!(lic("a"), serde_json::json!([{"expression": "MIT"}]));
    assert_eq!(
        lic("b"),
        serde_json::json!([{"expression": "(MIT OR Apache-2.0)"}])
    );
    assert_eq!(
        lic("c"),
        serde_json::json!([{"license": {"name": "SEE LICENSE IN LICENSE.md"}}])
    );
    // The old object form names no SPDX license: none is written.
    assert_eq!(lic("d"), Value::Null);
    if let Some(v) = validate(std::slice::from_ref(&out)) {
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    }
}

/// `sbom sign --bundle`: a Sigstore bundle whose signature openssl verifies over the SBOM's bytes
/// and whose digest is `sha256sum`'s; `sbom verify` checks it beside the other two, and names
/// the bundle's failure for a changed SBOM, a forged digest and another key.
#[test]
fn accepts_the_sigstore_bundle_and_rejects_its_tampered_twins() {
    if !crate::support::tools::require("openssl", &["version"], "apt-get install openssl") {
        return;
    }
    let (dir, bom, key) = signed("ecdsa-p256");
    let o = tollgate()
        .args(["sbom", "sign"])
        .arg(&bom)
        .arg("--key")
        .arg(dir.path().join("k.key"))
        .arg("--bundle")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("cosign verify-blob --key"));
    let bundle_path = beside(&bom, ".sigstore.json");
    let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle_path).unwrap()).unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert!(bundle["verificationMaterial"]["publicKey"]["hint"].is_string());
    assert_eq!(
        bundle["messageSignature"]["messageDigest"]["algorithm"],
        "SHA2_256"
    );

    // The auditor's way: base64-decode the signature, openssl verifies it over the SBOM.
    let b64 = |text: &str, out: &Path| {
        let mut c = Command::new("openssl")
            .args(["base64", "-d", "-A", "-out"])
            .arg(out)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        c.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        assert!(c.wait().unwrap().success());
    };
    let sig = dir.path().join("bundle.sig");
    b64(
        bundle["messageSignature"]["signature"].as_str().unwrap(),
        &sig,
    );
    let ok = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&key)
        .arg("-signature")
        .arg(&sig)
        .arg(&bom)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let digest = dir.path().join("bundle.digest");
    b64(
        bundle["messageSignature"]["messageDigest"]["digest"]
            .as_str()
            .unwrap(),
        &digest,
    );
    let want = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary"])
        .arg(&bom)
        .output()
        .unwrap()
        .stdout;
    assert_eq!(std::fs::read(&digest).unwrap(), want);
    // The hint is base64(sha256(DER SubjectPublicKeyInfo)), as the auditor's guide computes it.
    let der = Command::new("openssl")
        .args(["pkey", "-pubin", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(der.status.success());
    let hint = dir.path().join("bundle.hint");
    b64(
        bundle["verificationMaterial"]["publicKey"]["hint"]
            .as_str()
            .unwrap(),
        &hint,
    );
    let der_path = dir.path().join("k.der");
    std::fs::write(&der_path, &der.stdout).unwrap();
    let want = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary"])
        .arg(&der_path)
        .output()
        .unwrap()
        .stdout;
    assert_eq!(std::fs::read(&hint).unwrap(), want);

    // tollgate verifies all three pieces of evidence.
    let o = verify(&bom, &key, &["--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["evidence"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["signature", "envelope", "bundle"]);

    let bundle_check = |bom: &Path, bundle: &Path, key: &Path| -> Value {
        let o = verify(
            bom,
            key,
            &["--format", "json", "--bundle", bundle.to_str().unwrap()],
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["evidence"] == "bundle")
            .unwrap()
            .clone()
    };
    // One byte of the SBOM changed: the bundle's digest names it.
    let mut bytes = std::fs::read(&bom).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    let changed = dir.path().join("changed.cdx.json");
    std::fs::write(&changed, &bytes).unwrap();
    let c = bundle_check(&changed, &bundle_path, &key);
    assert_eq!(c["check"], "digest", "{c}");
    // The digest forged to the changed file's: the signature fails.
    let mut forged = bundle.clone();
    let d = dir.path().join("changed.digest");
    let bin = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary"])
        .arg(&changed)
        .output()
        .unwrap()
        .stdout;
    std::fs::write(&d, &bin).unwrap();
    let enc = Command::new("openssl")
        .args(["base64", "-A", "-in"])
        .arg(&d)
        .output()
        .unwrap()
        .stdout;
    forged["messageSignature"]["messageDigest"]["digest"] =
        String::from_utf8(enc).unwrap().trim().into();
    let forged_path = dir.path().join("forged.sigstore.json");
    std::fs::write(&forged_path, serde_json::to_vec(&forged).unwrap()).unwrap();
    let c = bundle_check(&changed, &forged_path, &key);
    assert_eq!(c["check"], "signature", "{c}");
    // Another key.
    let other = dir.path().join("other");
    let o = tollgate()
        .args(["key", "generate", "--algorithm", "ecdsa-p256", "--out"])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let c = bundle_check(&bom, &bundle_path, &dir.path().join("other.pub"));
    assert_eq!(c["check"], "signature", "{c}");
}

//! `tollgate sbom`: schema-valid (the official CycloneDX schema through
//! `../shared/tools/validate-cyclonedx --strict`), byte-reproducible SBOMs of every corpus
//! lockfile, and exit 2 for what cannot be written.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::schema::validator_available;
use crate::{corpus, tollgate};

/// The corpus lockfiles `manifest.json` marks as tollgate inputs that parse.
fn corpus_inputs() -> Vec<PathBuf> {
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
fn validate(files: &[PathBuf]) -> Option<std::process::Output> {
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

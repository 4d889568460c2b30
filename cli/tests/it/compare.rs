//! `tollgate attest compare`: reproducible-build comparison of directories, files and statement
//! subjects; the signed result.

use std::path::Path;
use std::process::Output;

use crate::{render, tollgate};

fn build(root: &Path, app: &str) {
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::write(root.join("bin/app"), app).unwrap();
    std::fs::write(root.join("README"), "same").unwrap();
}

fn compare(args: &[&std::ffi::OsStr], cwd: &Path) -> Output {
    tollgate()
        .current_dir(cwd)
        .args(["attest", "compare"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn identical_builds_match_and_a_difference_fails_naming_the_subject() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    build(&a, "v1");
    build(&b, "v1");
    let out = compare(&[a.as_os_str(), b.as_os_str()], d.path());
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("match      bin/app  sha256:"), "{text}");
    assert!(
        text.ends_with("2 of 2 subject(s) match: REPRODUCIBLE\n"),
        "{text}"
    );
    // Negative twins: one byte differs; a file only in B.
    std::fs::write(b.join("bin/app"), "v2").unwrap();
    std::fs::write(b.join("extra"), "x").unwrap();
    let out = compare(
        &[
            a.as_os_str(),
            b.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        d.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let v = crate::json_doc(
        "attest-compare.schema.json",
        &out.stdout,
        &["reproducible", "subjects"],
    );
    assert_eq!(v["reproducible"], false);
    let results: Vec<(String, String)> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["result"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("README".into(), "match".into()),
            ("bin/app".into(), "mismatch".into()),
            ("extra".into(), "only-in-b".into())
        ]
    );
    let out = compare(&[a.as_os_str(), b.as_os_str()], d.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("MISMATCH   bin/app  A sha256:") && text.contains("ONLY IN B  extra"),
        "{text}"
    );
}

#[test]
fn statements_subjects_compare_with_a_build_and_the_result_is_signed() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a");
    build(&a, "v1");
    let out = tollgate()
        .args(["key", "generate", "--out"])
        .arg(d.path().join("k"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(d.path().join("pred.json"), "{}").unwrap();
    // A statement about the second build's artefact, signed (as a builder's provenance would be).
    let out = tollgate()
        .current_dir(&a)
        .args(["attest", "sign", "--key"])
        .arg(d.path().join("k.key"))
        .args(["--predicate-type", "https://example.com/p", "--predicate"])
        .arg(d.path().join("pred.json"))
        .arg("--output")
        .arg(d.path().join("b.intoto.json"))
        .arg("README")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let env = d.path().join("b.intoto.json");
    let readme = a.join("README");
    // An envelope is read only once verified.
    let out = compare(&[readme.as_os_str(), env.as_os_str()], d.path());
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("pass --public-key"),
        "{}",
        render(&out)
    );
    let pubk = d.path().join("k.pub");
    let key = d.path().join("k.key");
    let signed = d.path().join("cmp.jsonl");
    let out = compare(
        &[
            readme.as_os_str(),
            env.as_os_str(),
            "--public-key".as_ref(),
            pubk.as_os_str(),
            "--key".as_ref(),
            key.as_os_str(),
            "--attest-out".as_ref(),
            signed.as_os_str(),
            "--now".as_ref(),
            "2026-03-01".as_ref(),
        ],
        d.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    // The signed result verifies and names the matched subject.
    let out = tollgate()
        .args(["attest", "verify", "--envelope"])
        .arg(&signed)
        .arg("--key")
        .arg(&pubk)
        .arg("--artifact")
        .arg(&readme)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    // Twin: another key does not verify the envelope given as B.
    let out = tollgate()
        .args(["key", "generate", "--out"])
        .arg(d.path().join("other"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let other = d.path().join("other.pub");
    let out = compare(
        &[
            readme.as_os_str(),
            env.as_os_str(),
            "--public-key".as_ref(),
            other.as_os_str(),
        ],
        d.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("the envelope does not verify"),
        "{}",
        render(&out)
    );
}

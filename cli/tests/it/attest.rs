//! `tollgate attest sign | verify`: fresh keys, a signed statement, and its tampered twins.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{render, tollgate};

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        for (name, alg) in [
            ("alice", "ed25519"),
            ("bob", "ecdsa-p256"),
            ("carl", "ecdsa-p384"),
        ] {
            let out = f.run(&["key", "generate", "--algorithm", alg, "--out", name]);
            assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        }
        std::fs::write(f.p("app.tar.gz"), b"release bytes\n").unwrap();
        std::fs::write(f.p("other.bin"), b"something else\n").unwrap();
        std::fs::write(
            f.p("pred.json"),
            br#"{"builder": {"id": "https://example.com/ci"}}"#,
        )
        .unwrap();
        f
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        tollgate()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// Signs app.tar.gz with `keys` into `out`.
    fn sign(&self, keys: &[&str], out: &str) {
        let mut args = vec![
            "attest",
            "sign",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--predicate",
            "pred.json",
            "-o",
            out,
        ];
        for k in keys {
            args.extend(["--key", k]);
        }
        args.push("app.tar.gz");
        let o = self.run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    }

    fn edit(&self, from: &str, to: &str, f: impl FnOnce(&mut serde_json::Value)) {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.p(from)).unwrap()).unwrap();
        f(&mut v);
        std::fs::write(self.p(to), serde_json::to_vec(&v).unwrap()).unwrap();
    }
}

/// Replaces the character at `i` of a base64 string with another base64 character.
fn flip_b64(s: &str, i: usize) -> String {
    let mut c: Vec<char> = s.chars().collect();
    c[i] = if c[i] == 'A' { 'B' } else { 'A' };
    c.into_iter().collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn verify(f: &Fixture, env: &str, extra: &[&str]) -> Output {
    let mut args = vec!["attest", "verify", "--envelope", env];
    args.extend_from_slice(extra);
    f.run(&args)
}

#[test]
fn accepts_signed_statement_for_its_artifact() {
    let f = Fixture::new();
    f.sign(&["alice.key"], "app.dsse.json");
    let o = verify(
        &f,
        "app.dsse.json",
        &["--key", "alice.pub", "--artifact", "app.tar.gz"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("subject matches: app.tar.gz"), "{text}");
    // The envelope is standard DSSE: payload type and a statement v1 inside.
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.p("app.dsse.json")).unwrap()).unwrap();
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    // JSON report; the digest form works too.
    let o = verify(
        &f,
        "app.dsse.json",
        &[
            "--key",
            "alice.pub",
            "--format",
            "json",
            "--digest",
            "sha256:1d1a8ef2bf9b8b4a20a8bba5d79f8d7f0e63fd36cd79b9d0b8a3f70efcbf9ad3",
        ],
    );
    let v = crate::json_doc(
        "attest-verify.schema.json",
        &o.stdout,
        &["verified", "file", "check", "error"],
    );
    assert_eq!(v["verified"], false, "{}", render(&o));
    assert_eq!(v["check"], "subject");
    assert_eq!(o.status.code(), Some(1));
    let sha = {
        let j: serde_json::Value = serde_json::from_slice(
            &verify(
                &f,
                "app.dsse.json",
                &["--key", "alice.pub", "--format", "json"],
            )
            .stdout,
        )
        .unwrap();
        j["subjects"][0]["digest"]["sha256"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let o = verify(
        &f,
        "app.dsse.json",
        &[
            "--key",
            "alice.pub",
            "--format",
            "json",
            "--digest",
            &format!("sha256:{sha}"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let v = crate::json_doc(
        "attest-verify.schema.json",
        &o.stdout,
        &[
            "verified",
            "envelope",
            "payload_type",
            "threshold",
            "signers",
            "predicate_type",
            "subjects",
            "matched_subjects",
        ],
    );
    assert_eq!(v["verified"], true);
    assert_eq!(v["matched_subjects"][0], "app.tar.gz");
    assert_eq!(v["predicate_type"], "https://slsa.dev/provenance/v1");
}

#[test]
fn rejects_subject_mismatch() {
    let f = Fixture::new();
    f.sign(&["alice.key"], "app.dsse.json");
    let o = verify(
        &f,
        "app.dsse.json",
        &["--key", "alice.pub", "--artifact", "other.bin"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    assert!(
        stderr(&o).contains("subject: no subject of the statement matches sha256:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rejects_flipped_payload_and_signature_bytes() {
    let f = Fixture::new();
    f.sign(&["bob.key"], "app.dsse.json");
    f.edit("app.dsse.json", "payload.json", |v| {
        let p = v["payload"].as_str().unwrap();
        v["payload"] = flip_b64(p, p.len() / 2).into();
    });
    f.edit("app.dsse.json", "sig.json", |v| {
        let s = v["signatures"][0]["sig"].as_str().unwrap();
        v["signatures"][0]["sig"] = flip_b64(s, 20).into();
    });
    for env in ["payload.json", "sig.json"] {
        let o = verify(&f, env, &["--key", "bob.pub", "--artifact", "app.tar.gz"]);
        assert_eq!(o.status.code(), Some(1), "{env}: {}", render(&o));
        assert!(
            stderr(&o).contains("signature threshold not met: 0 of 1"),
            "{env}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn rejects_wrong_key() {
    let f = Fixture::new();
    f.sign(&["alice.key"], "app.dsse.json");
    let o = verify(&f, "app.dsse.json", &["--key", "bob.pub"]);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    assert!(
        stderr(&o).contains("signature threshold not met"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rejects_wrong_payload_type() {
    let f = Fixture::new();
    f.sign(&["alice.key"], "app.dsse.json");
    f.edit("app.dsse.json", "type.json", |v| {
        v["payloadType"] = "application/json".into()
    });
    let o = verify(&f, "type.json", &["--key", "alice.pub", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let v = crate::json_doc(
        "attest-verify.schema.json",
        &o.stdout,
        &["verified", "file", "check", "error"],
    );
    assert_eq!(v["check"], "payload-type");
    assert!(
        stderr(&o)
            .contains("payloadType is `application/json`, expected `application/vnd.in-toto+json`")
    );
}

#[test]
fn accepts_threshold_of_two_distinct_keys() {
    let f = Fixture::new();
    f.sign(&["alice.key", "bob.key"], "two.json");
    let o = verify(
        &f,
        "two.json",
        &[
            "--key",
            "alice.pub",
            "--key",
            "bob.pub",
            "--key",
            "carl.pub",
            "--threshold",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("signed by 2 of 2 required key(s)"));
}

#[test]
fn rejects_threshold_unmet_and_duplicate_signatures_counted_once() {
    let f = Fixture::new();
    f.sign(&["alice.key"], "one.json");
    // The same signature three times, one with a hint naming bob: still one signer.
    f.edit("one.json", "dup.json", |v| {
        let s = v["signatures"][0].clone();
        let mut hinted = s.clone();
        hinted["keyid"] = "SHA256:bob".into();
        v["signatures"].as_array_mut().unwrap().extend([s, hinted]);
    });
    for env in ["one.json", "dup.json"] {
        let o = verify(
            &f,
            env,
            &["--key", "alice.pub", "--key", "bob.pub", "--threshold", "2"],
        );
        assert_eq!(o.status.code(), Some(1), "{env}: {}", render(&o));
        assert!(
            stderr(&o).contains("1 of 2 required trusted key(s) signed"),
            "{env}: {}",
            stderr(&o)
        );
    }
    // The same key given twice is one key: a threshold of 2 cannot be met (usage error).
    let o = verify(
        &f,
        "dup.json",
        &[
            "--key",
            "alice.pub",
            "--key",
            "alice.pub",
            "--threshold",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
    assert!(
        stderr(&o).contains("threshold 2 exceeds the 1 distinct trusted key(s)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rejects_malformed_envelope_with_exit_2_naming_the_file() {
    let f = Fixture::new();
    std::fs::write(f.p("bad.json"), b"{\"payloadType\": \"x\", \"payload\": 1}").unwrap();
    let o = verify(&f, "bad.json", &["--key", "alice.pub"]);
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
    insta::assert_snapshot!("attest_verify_malformed", render(&o));
    let o = verify(&f, "missing.json", &["--key", "alice.pub"]);
    assert_eq!(o.status.code(), Some(2));
    let o = verify(&f, "bad.json", &["--key", "alice.key"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("where a public key was expected"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sign_rejects_non_object_predicate_and_missing_artifact() {
    let f = Fixture::new();
    std::fs::write(f.p("list.json"), b"[1]").unwrap();
    let o = f.run(&[
        "attest",
        "sign",
        "--key",
        "alice.key",
        "--predicate-type",
        "t",
        "--predicate",
        "list.json",
        "app.tar.gz",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must be a JSON object"));
    let o = f.run(&[
        "attest",
        "sign",
        "--key",
        "alice.key",
        "--predicate-type",
        "t",
        "--predicate",
        "pred.json",
        "nope.bin",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.bin"));
}

#[test]
fn accepts_other_payload_type_only_when_asked() {
    let f = Fixture::new();
    f.sign(&["alice.key"], "app.dsse.json");
    f.edit("app.dsse.json", "retyped.json", |v| {
        v["payloadType"] = "application/vnd.cyclonedx+json".into()
    });
    // Re-typing breaks the signature (the type is signed): exit 1 even when that type is expected.
    let o = verify(
        &f,
        "retyped.json",
        &[
            "--key",
            "alice.pub",
            "--payload-type",
            "application/vnd.cyclonedx+json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    // The original envelope under its own type verifies when that type is expected.
    let o = verify(
        &f,
        "app.dsse.json",
        &[
            "--key",
            "alice.pub",
            "--payload-type",
            "application/vnd.in-toto+json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    let o = verify(
        &f,
        "app.dsse.json",
        &["--key", "alice.pub", "--payload-type", "text/plain"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    assert!(
        stderr(&o).contains("payloadType is `application/vnd.in-toto+json`, expected `text/plain`")
    );
    let o = verify(
        &f,
        "app.dsse.json",
        &[
            "--key",
            "alice.pub",
            "--payload-type",
            "text/plain",
            "--artifact",
            "app.tar.gz",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
}

#[test]
fn attest_help_lists_verify_and_sign() {
    let o = tollgate().args(["attest", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("verify") && text.contains("sign"), "{text}");
    let _ = Path::new(".");
}

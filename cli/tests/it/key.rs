//! `tollgate key generate | id`.

use std::path::Path;

use crate::{render, tollgate};

fn vectors() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors/in-toto")
}

#[test]
fn accepts_generate_writes_private_0600_and_public_and_prints_keyid() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("release");
    for alg in ["ed25519", "ecdsa-p256", "rsa-3072"] {
        let out = tollgate()
            .args([
                "key",
                "generate",
                "--algorithm",
                alg,
                "--force",
                "--format",
                "json",
                "--out",
            ])
            .arg(&name)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{alg}: {}", render(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["keyid"].as_str().unwrap().len(), 64, "{alg}");
        let key = std::fs::read_to_string(dir.path().join("release.key")).unwrap();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{alg}");
        let public = std::fs::read_to_string(dir.path().join("release.pub")).unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{alg}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("release.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{alg}");
        }
        // `key id` on the public key agrees with what generate printed.
        let out = tollgate()
            .args(["key", "id", "--format", "json"])
            .arg(dir.path().join("release.pub"))
            .output()
            .unwrap();
        let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(w["keyid"], v["keyid"], "{alg}");
        assert_eq!(w["algorithm"], v["algorithm"], "{alg}");
    }
}

#[test]
fn rejects_overwriting_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("k");
    let gen_key = || {
        tollgate()
            .args(["key", "generate", "--out"])
            .arg(&name)
            .output()
            .unwrap()
    };
    assert_eq!(gen_key().status.code(), Some(0));
    let before = std::fs::read(dir.path().join("k.key")).unwrap();
    let out = gen_key();
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists (use --force to overwrite)")
    );
    assert_eq!(std::fs::read(dir.path().join("k.key")).unwrap(), before);
}

#[test]
fn key_id_shows_golang_and_python_keyid_forms() {
    let out = tollgate()
        .args(["key", "id", "--format", "json"])
        .arg(vectors().join("golang-demo/alice.pub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["keyids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"70ca5750c2eda80b18f41f4ec5f92146789b5d68dd09577be422a0159bd13680"),
        "{ids:?}"
    );
    insta::assert_snapshot!(
        "key_id_alice",
        render(
            &tollgate()
                .args(["key", "id"])
                .arg(vectors().join("python-demo-legacy/alice.pub"))
                .output()
                .unwrap()
        )
        .replace(&*vectors().to_string_lossy(), "[VECTORS]")
    );
}

#[test]
fn rejects_unsupported_curve_and_garbage_with_exit_2() {
    let out = tollgate()
        .args(["key", "id"])
        .arg(vectors().join("golang-demo/heidi.pub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("P-224"),
        "{}",
        render(&out)
    );
    let out = tollgate()
        .args(["key", "id"])
        .arg(vectors().join("golang-demo/foo.tar.gz"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
}

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
        let v = crate::json_doc(
            "key.schema.json",
            &out.stdout,
            &[
                "algorithm",
                "keyid",
                "keyids",
                "sigstore_hint",
                "spki_sha256",
                "private_key",
                "public_key",
            ],
        );
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
        let w = crate::json_doc(
            "key.schema.json",
            &out.stdout,
            &[
                "algorithm",
                "keyid",
                "keyids",
                "sigstore_hint",
                "spki_sha256",
            ],
        );
        assert!(w.get("private_key").is_none(), "{alg}: {w}");
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

// ---- the reference tools read the generated keys ---------------------------------------------

/// An external tool: `env` (a path) if set, else `name` on PATH. Missing: a failure under CI
/// (the check must run there), a printed skip elsewhere.
fn external_tool(name: &str, env: Option<&str>, args: &[&str]) -> Option<std::path::PathBuf> {
    let candidate = env
        .and_then(std::env::var_os)
        .map_or_else(|| std::path::PathBuf::from(name), std::path::PathBuf::from);
    let works = std::process::Command::new(&candidate)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(candidate);
    }
    let why = format!(
        "`{}` is not installed{}",
        candidate.display(),
        env.map(|e| format!(" (or set {e})")).unwrap_or_default()
    );
    assert!(!crate::support::tools::in_ci(), "CI is set and {why}");
    eprintln!("SKIP: {why}");
    None
}

const GENERATED: [&str; 4] = ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"];

fn generate(dir: &Path, alg: &str) -> std::path::PathBuf {
    let name = dir.join(alg);
    let out = tollgate()
        .args(["key", "generate", "--algorithm", alg, "--out"])
        .arg(&name)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{alg}: {}", render(&out));
    name
}

#[test]
fn accepts_every_generated_key_type_in_openssl() {
    let Some(openssl) = external_tool("openssl", None, &["version"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for alg in GENERATED {
        let name = generate(dir.path(), alg);
        let (key, public) = (name.with_extension("key"), name.with_extension("pub"));
        let run = |args: &[&std::ffi::OsStr]| {
            let o = std::process::Command::new(&openssl)
                .args(args)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{alg}: openssl {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            o.stdout
        };
        run(&[
            "pkey".as_ref(),
            "-in".as_ref(),
            key.as_os_str(),
            "-noout".as_ref(),
        ]);
        run(&[
            "pkey".as_ref(),
            "-pubin".as_ref(),
            "-in".as_ref(),
            public.as_os_str(),
            "-noout".as_ref(),
        ]);
        // The public key openssl derives from the private key is tollgate's `.pub`.
        let derived = run(&[
            "pkey".as_ref(),
            "-in".as_ref(),
            key.as_os_str(),
            "-pubout".as_ref(),
        ]);
        assert_eq!(
            String::from_utf8_lossy(&derived),
            std::fs::read_to_string(&public).unwrap(),
            "{alg}"
        );
    }
}

#[test]
fn accepts_links_signed_by_in_toto_run_with_every_generated_key_type() {
    use tollgate_attest::intoto::{Format, sign_metadata};
    use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey, PublicKey};
    let Some(in_toto_run) = external_tool("in-toto-run", Some("IN_TOTO_RUN"), &["--help"]) else {
        return;
    };
    for alg in GENERATED {
        let dir = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        let name = generate(keys.path(), alg);
        std::fs::write(dir.path().join("foo"), "hello\n").unwrap();
        // python in-toto signs a link with tollgate's private key…
        let o = std::process::Command::new(&in_toto_run)
            .args(["-n", "build", "-p", "foo", "--signing-key"])
            .arg(name.with_extension("key"))
            .args(["--", "true"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{alg}: in-toto-run: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // …and tollgate verifies it under a layout naming tollgate's public key.
        let public =
            PublicKey::from_pem(&std::fs::read_to_string(name.with_extension("pub")).unwrap())
                .unwrap();
        let keyid = public.keyid();
        let link = dir.path().join(format!("build.{}.link", &keyid[..8]));
        assert!(
            link.is_file(),
            "{alg}: in-toto-run named the link otherwise"
        );
        let owner = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let layout = serde_json::json!({
            "_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "",
            "keys": {keyid.clone(): public.to_sslib_json()},
            "steps": [{"_type": "step", "name": "build", "threshold": 1, "pubkeys": [keyid],
                       "expected_command": ["true"], "expected_materials": [],
                       "expected_products": [["CREATE", "foo"], ["DISALLOW", "*"]]}],
            "inspect": []
        });
        let signed = sign_metadata(&layout, Format::Metablock, &[&owner]).unwrap();
        let layout_path = keys.path().join("root.layout");
        std::fs::write(&layout_path, serde_json::to_vec(&signed).unwrap()).unwrap();
        let owner_pub = keys.path().join("owner.pub");
        std::fs::write(&owner_pub, owner.public_key().to_pem()).unwrap();
        let verify = || {
            tollgate()
                .args(["intoto", "verify", "--layout"])
                .arg(&layout_path)
                .arg("--layout-key")
                .arg(&owner_pub)
                .arg("--link-dir")
                .arg(dir.path())
                .output()
                .unwrap()
        };
        let o = verify();
        assert_eq!(o.status.code(), Some(0), "{alg}: {}", render(&o));
        // Negative twin: a changed product hash breaks the python signature.
        let text = std::fs::read_to_string(&link).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let h = v["signed"]["products"]["foo"]["sha256"].as_str().unwrap();
        let flipped = format!("{}{}", if h.starts_with('0') { '1' } else { '0' }, &h[1..]);
        std::fs::write(&link, text.replace(h, &flipped)).unwrap();
        let o = verify();
        assert_eq!(o.status.code(), Some(1), "{alg}: {}", render(&o));
    }
}

#[test]
fn rejects_other_formats_naming_the_flag_value_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("k");
    let out = tollgate()
        .args(["key", "generate", "--format", "sarif", "--out"])
        .arg(&name)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--format sarif;"), "{err}");
    assert!(!err.contains("Sarif"), "{err}");
    assert!(!dir.path().join("k.key").exists(), "nothing is written");
    // The good case: json is accepted.
    let out = tollgate()
        .args(["key", "generate", "--format", "json", "--out"])
        .arg(&name)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

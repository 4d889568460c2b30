//! `tollgate init` (the template, headed by what is in the repository) and `init --from`
//! (cargo-audit's and cargo-deny's configurations converted, gaps listed).

use std::path::{Path, PathBuf};

use crate::{render, tollgate};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A project: testdata/check's Cargo.lock (time 0.1.45 with RUSTSEC-2020-0071, ansi_term with
/// the unmaintained RUSTSEC-2021-0139) and `files` (name, text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("testdata/check/cargo/Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn in_dir(dir: &Path, args: &[&str]) -> std::process::Output {
    tollgate().current_dir(dir).args(args).output().unwrap()
}

fn check(dir: &Path) -> std::process::Output {
    let db = repo().join("testdata/check/advisories");
    in_dir(
        dir,
        &[
            "check",
            "--db",
            db.to_str().unwrap(),
            "--now",
            "2026-11-23T12:00:00Z",
        ],
    )
}

#[test]
fn a_cargo_audit_user_gets_an_equivalent_green_check() {
    // The guide's steps (docs/guides/migrate-from-cargo-audit.md) on the example audit.toml.
    let audit =
        std::fs::read_to_string(repo().join("testdata/migrate/cargo-audit/.cargo/audit.toml"))
            .unwrap();
    let dir = project(&[(".cargo/audit.toml", &audit)]);
    // Without a policy the advisory cargo-audit was told to ignore blocks.
    assert_eq!(check(dir.path()).status.code(), Some(1));
    let out = in_dir(dir.path(), &["init", "--from", ".cargo/audit.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("converted .cargo/audit.toml (cargo-audit)"),
        "{err}"
    );
    assert!(
        err.contains(".cargo/audit.toml: target (line 22): no equivalent"),
        "{err}"
    );
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("RUSTSEC-2021-0139"),
        "unmaintained still reported: {text}"
    );
}

#[test]
fn the_converted_ignore_list_is_what_makes_it_green() {
    // The negative twin: the same conversion without the ignore entry fails.
    let dir = project(&[(
        ".cargo/audit.toml",
        "[advisories]\ninformational_warnings = [\"unmaintained\"]\n",
    )]);
    let out = in_dir(dir.path(), &["init", "--from", ".cargo/audit.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(check(dir.path()).status.code(), Some(1));
    // And `[output] deny = ["unmaintained"]` makes the unmaintained crate block.
    let dir = project(&[(
        ".cargo/audit.toml",
        "[advisories]\nignore = [\"RUSTSEC-2020-0071\"]\n[output]\ndeny = [\"unmaintained\"]\n",
    )]);
    in_dir(dir.path(), &["init", "--from", ".cargo/audit.toml"]);
    assert_eq!(check(dir.path()).status.code(), Some(1));
}

#[test]
fn deny_toml_converts_and_lists_what_has_no_equivalent() {
    let deny =
        std::fs::read_to_string(repo().join("testdata/migrate/cargo-deny/deny.toml")).unwrap();
    let dir = project(&[("deny.toml", &deny)]);
    let out = in_dir(dir.path(), &["init", "--from", "deny.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    insta::assert_snapshot!("init_from_deny_toml_stderr", render(&out));
    let written = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
    insta::assert_snapshot!("init_from_deny_toml", written);
    // Its ignore list (with reasons) makes the check pass; unmaintained is denied
    // (`unmaintained = "workspace"`) but ansi_term's advisories are ignored crate-wide.
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

#[test]
fn init_from_refuses_bad_input_with_the_file_and_place() {
    let dir = project(&[
        ("deny.toml", "[advisories]\nignore = [\n"),
        ("other.toml", "[package]\nname = \"x\"\n"),
    ]);
    let out = in_dir(dir.path(), &["init", "--from", "deny.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("deny.toml:2:11"),
        "{}",
        render(&out)
    );
    let out = in_dir(dir.path(), &["init", "--from", "other.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a cargo-audit"));
    let out = in_dir(dir.path(), &["init", "--from", "missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
    // Nothing was written by a failed conversion.
    assert!(!dir.path().join("tollgate.toml").exists());
    // A directory is not a file.
    std::fs::create_dir(dir.path().join("d.toml")).unwrap();
    let out = in_dir(dir.path(), &["init", "--from", "d.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
}

#[test]
fn init_names_the_ecosystems_found() {
    let dir = project(&[
        (
            "web/package-lock.json",
            "{\"lockfileVersion\": 3, \"packages\": {}}",
        ),
        ("deny.toml", ""),
    ]);
    let out = in_dir(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
    assert!(
        text.starts_with("# Found: cargo, npm (2 lockfile(s)):\n#   Cargo.lock\n"),
        "{text}"
    );
    assert!(
        text.contains("tollgate init --from deny.toml --force"),
        "{text}"
    );
}

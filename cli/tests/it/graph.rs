//! `tollgate graph`.

use crate::{render, run, snap, tollgate};

#[test]
fn cargo_v1_with_root_table() {
    snap!("graph_cargo_v1_root", &["graph", "cargo-v1-root"]);
}

#[test]
fn cargo_v4_git_and_path() {
    snap!("graph_cargo_v4_git", &["graph", "cargo-v4-git/Cargo.lock"]);
}

#[test]
fn cargo_v4_git_and_path_json() {
    let out = run(&["graph", "cargo-v4-git", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON object on one line");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    insta::assert_snapshot!(
        "graph_cargo_v4_git_json",
        serde_json::to_string_pretty(&v).unwrap()
    );
}

#[test]
fn cargo_unresolved_dependency_strings_warn() {
    // A trimmed fixture whose dependency strings name packages not in the file: a warning, as
    // Cargo skips them, and exit 0.
    snap!(
        "graph_cargo_unresolved",
        &["graph", "cargo-v4-unresolved.lock"]
    );
    snap!(
        "graph_cargo_unresolved_verbose",
        &["graph", "cargo-v4-unresolved.lock", "-v"]
    );
    let quiet = run(&["graph", "cargo-v4-unresolved.lock", "-q"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stderr.is_empty(), "-q silences warnings");
}

#[test]
fn npm_v3_workspaces_links_aliases() {
    snap!("graph_npm_v3_workspaces", &["graph", "npm-v3-workspaces"]);
}

#[test]
fn npm_v3_workspaces_json() {
    let out = run(&["graph", "npm-v3-workspaces", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Links are not nodes; workspaces are roots; the alias keeps the real name.
    let ids: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.iter().any(|i| i.ends_with("node_modules/a")),
        "{ids:?}"
    );
    assert_eq!(v["roots"].as_array().unwrap().len(), 3);
    insta::assert_snapshot!(
        "graph_npm_v3_workspaces_json",
        serde_json::to_string_pretty(&v).unwrap()
    );
}

#[test]
fn npm_v1_nested() {
    snap!("graph_npm_v1_nested", &["graph", "npm-v1-nested", "-v"]);
}

#[test]
fn polyglot_directory_is_one_graph_with_several_roots() {
    // polyglot/ holds a Cargo.lock, web/package-lock.json, and lockfiles under node_modules/ and
    // target/ that must be ignored.
    let out = run(&["graph", "polyglot"]);
    let text = render(&out);
    assert!(!text.contains("node_modules"), "{text}");
    assert!(!text.contains("target"), "{text}");
    assert!(text.contains("Roots (2)"), "{text}");
    insta::assert_snapshot!("graph_polyglot", text);
}

#[test]
fn default_path_is_the_current_directory() {
    let out = tollgate()
        .current_dir(crate::testdata().join("polyglot"))
        .arg("graph")
        .output()
        .unwrap();
    assert_eq!(render(&out), render(&run(&["graph", "polyglot"])));
}

#[test]
fn lockfile_flag_repeated() {
    snap!(
        "graph_lockfile_repeated",
        &[
            "graph",
            "--lockfile",
            "npm-v1-nested/package-lock.json",
            "--lockfile",
            "npm-v3-workspaces/package-lock.json",
            "--lockfile",
            "cargo-v4-git/Cargo.lock",
        ]
    );
}

#[test]
fn lockfile_flag_repeated_keeps_ids_unique() {
    let out = run(&[
        "graph",
        "--format",
        "json",
        "--lockfile",
        "npm-v1-nested/package-lock.json",
        "--lockfile",
        "npm-v3-workspaces/package-lock.json",
        // The same file twice is read once.
        "--lockfile",
        "npm-v3-workspaces/package-lock.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pkgs = v["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 6 + 8);
    let mut ids: Vec<&str> = pkgs.iter().map(|p| p["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), pkgs.len(), "ids unique");
}

#[test]
fn path_and_lockfile_combine() {
    let out = run(&["graph", "polyglot", "--lockfile", "cargo-v4-git/Cargo.lock"]);
    assert_eq!(out.status.code(), Some(0));
    let text = render(&out);
    assert!(text.contains("Roots (3)"), "{text}");
}

#[test]
fn rejects_not_json() {
    snap!(
        "graph_invalid_not_json",
        &["graph", "--lockfile", "invalid/not-json.invalid.json"]
    );
}

#[test]
fn rejects_not_toml() {
    snap!(
        "graph_invalid_not_toml",
        &["graph", "--lockfile", "invalid/not-toml.lock"]
    );
}

#[test]
fn rejects_merge_conflict() {
    snap!(
        "graph_invalid_conflict",
        &["graph", "--lockfile", "invalid/conflict.invalid.json"]
    );
}

#[test]
fn rejects_truncated_files() {
    snap!(
        "graph_invalid_truncated_json",
        &["graph", "--lockfile", "invalid/truncated.invalid.json"]
    );
    snap!(
        "graph_invalid_truncated_toml",
        &["graph", "--lockfile", "invalid/truncated.lock"]
    );
}

#[test]
fn rejects_unsupported_versions() {
    snap!(
        "graph_invalid_npm_version",
        &[
            "graph",
            "--lockfile",
            "invalid/unsupported-version.invalid.json"
        ]
    );
    snap!(
        "graph_invalid_cargo_version",
        &["graph", "--lockfile", "invalid/unsupported-version.lock"]
    );
}

#[test]
fn every_invalid_input_exits_2_naming_file_and_line() {
    for entry in std::fs::read_dir(crate::testdata().join("invalid")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rel = format!("invalid/{name}");
        let out = run(&["graph", "--lockfile", &rel]);
        assert_eq!(out.status.code(), Some(2), "{rel}");
        assert!(out.stdout.is_empty(), "{rel}: nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{rel}: one error line: {err}");
        let prefix = format!("error: {rel}:");
        assert!(err.starts_with(&prefix), "{rel}: {err}");
        let line: String = err[prefix.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(
            line.parse::<u32>().is_ok_and(|l| l >= 1),
            "{rel}: a line: {err}"
        );
    }
}

#[test]
fn an_invalid_file_among_valid_ones_fails_the_whole_run() {
    let out = run(&[
        "graph",
        "polyglot",
        "--lockfile",
        "invalid/conflict.invalid.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn rejects_missing_path_and_empty_directory() {
    snap!("graph_missing_path", &["graph", "does-not-exist"]);
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["graph", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no Cargo.lock, package-lock.json or npm-shrinkwrap.json found"),
        "{err}"
    );
}

#[test]
fn rejects_unsupported_format_flag() {
    snap!(
        "graph_format_sarif",
        &["graph", "cargo-v4-git", "--format", "sarif"]
    );
}

#[test]
fn color_always_colours_and_no_color_does_not() {
    let always = render(&run(&["graph", "cargo-v4-git", "--color", "always"]));
    assert!(always.contains('␛'), "{always}");
    insta::assert_snapshot!("graph_color_always", always);

    // NO_COLOR turns colour off in `auto`; `never` is plain.
    let no_color = tollgate()
        .args(["graph", "cargo-v4-git"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let plain = render(&no_color);
    assert!(!plain.contains('␛'), "{plain}");
    assert_eq!(
        plain,
        render(&run(&["graph", "cargo-v4-git", "--color", "never"]))
    );
    // Explicit `always` wins over NO_COLOR (documented in --help).
    let forced = tollgate()
        .args(["graph", "cargo-v4-git", "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(render(&forced), always);
}

#[test]
fn errors_are_coloured_only_when_asked() {
    let out = run(&[
        "graph",
        "--color",
        "always",
        "--lockfile",
        "invalid/not-toml.lock",
    ]);
    assert!(render(&out).contains("␛[31merror:") || render(&out).contains("␛["));
    let out = run(&["graph", "--lockfile", "invalid/not-toml.lock"]);
    assert!(!render(&out).contains('␛'));
}

#[test]
fn closed_stdout_pipe_exits_quietly() {
    let (code, err) =
        crate::run_with_closed_stdout(&["graph", "cargo-v1-root", "--format", "json"]);
    assert_eq!(code, Some(0), "no signal death, no error: {err}");
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
}

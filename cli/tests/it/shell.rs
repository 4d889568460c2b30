//! `tollgate completions` and `tollgate man`, and the checked-in man pages (`docs/man/`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::{render, run};

fn pages(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_checked_in_man_pages_are_current() {
    let fresh = tempfile::tempdir().unwrap();
    let out = run(&["man", "--dir", fresh.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/man");
    let (want, have) = (pages(fresh.path()), pages(&checked_in));
    let regenerate = "regenerate with `cargo run -p tollgate -- man --dir docs/man` (after removing docs/man/*.1)";
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        have.keys().collect::<Vec<_>>(),
        "docs/man lists other pages than the commands have: {regenerate}"
    );
    for (name, text) in &want {
        assert!(
            have[name] == *text,
            "docs/man/{name} is out of date: {regenerate}"
        );
    }
    assert!(want.contains_key("tollgate-check.1"));
}

#[test]
fn man_prints_the_top_page() {
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{text}");
    assert!(text.contains(".TH tollgate 1"), "{text}");
    assert!(
        text.contains("tollgate\\-check(1)"),
        "links the command pages: {text}"
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", render(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("tollgate"), "{shell}");
        assert!(
            text.contains("fail-on"),
            "{shell}: check's flags are completed"
        );
        assert!(
            text.contains("verify-provenance"),
            "{shell}: nested subcommands too"
        );
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
}

#[test]
fn the_bash_completion_script_is_valid_bash() {
    if !crate::support::tools::require("bash", &["--version"], "apt-get install bash") {
        return;
    }
    let out = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("tollgate.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Sourcing it defines the completion function and registers it for `tollgate`.
    let probe = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p tollgate",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&probe.stdout).contains("_tollgate"),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
}

//! `-o/--output FILE` on every command that reports (issue 16 item 6), through the real binary:
//! the report lands in FILE, byte for byte what stdout would have carried, and stdout is empty
//! (`check` keeps its one-line verdict); FILE is replaced only on exit 0 or 1, and an exit 2 leaves
//! an existing FILE byte-identical with no temporary file beside it; a directory or a missing
//! directory is exit 2 naming the path, before the command does anything; `-` is stdout; a
//! `--format` the command does not render is exit 2, before anything is written.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Output;

use crate::{render, testdata, tollgate};

/// A scratch directory with a key pair (`k.key`, `k.pub`), an SBOM of `cargo-v4-git`
/// (`sboms/app.cdx.json`), an artefact (`app.tgz`) and an empty, intact audit log.
struct Scratch {
    dir: tempfile::TempDir,
}

const NOW: &str = "2026-11-23";

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let s = Scratch { dir };
        let out = s.run(&["key", "generate", "--out", &s.s("k")]);
        assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        std::fs::create_dir(s.p("sboms")).unwrap();
        let out = s.run(&[
            "sbom",
            &lock("cargo-v4-git"),
            "-o",
            &s.s("sboms/app.cdx.json"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        std::fs::write(s.p("app.tgz"), b"artefact\n").unwrap();
        std::fs::write(s.p("audit.jsonl"), b"").unwrap();
        std::fs::write(s.p("pred.json"), b"{}").unwrap();
        s
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.p(name).to_string_lossy().into_owned()
    }

    /// `tollgate ARGS` in the scratch directory, at a fixed time, with no user database.
    fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        tollgate()
            .current_dir(self.dir.path())
            .env("TOLLGATE_NOW", NOW)
            .env("SOURCE_DATE_EPOCH", "0")
            .env("XDG_CACHE_HOME", self.p("cache"))
            .env_remove("TOLLGATE_DB")
            .args(args)
            .output()
            .unwrap()
    }

    /// The names in the scratch directory (temporary files included).
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// A fixture lockfile (or directory) of `testdata/graph`, as an absolute path.
fn lock(name: &str) -> String {
    testdata().join(name).to_string_lossy().into_owned()
}

/// `testdata/check/<name>`.
fn check_data(name: &str) -> String {
    testdata()
        .join("../check")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn args_with(base: &[String], extra: &[&str]) -> Vec<OsString> {
    base.iter()
        .map(OsString::from)
        .chain(extra.iter().map(OsString::from))
        .collect()
}

/// For each command: without --output its report goes to stdout; with `-o FILE` the same bytes
/// go to FILE, the exit code is the same, and stdout is empty (`check`: its verdict line).
#[test]
fn a_report_in_a_file_is_what_stdout_would_have_carried() {
    let s = Scratch::new();
    let cases: Vec<(Vec<String>, i32)> = vec![
        (
            vec![
                "graph".into(),
                lock("cargo-v4-git"),
                "--format".into(),
                "json".into(),
            ],
            0,
        ),
        (vec!["graph".into(), lock("polyglot")], 0),
        (
            vec![
                "why".into(),
                "foo".into(),
                lock("cargo-v4-git"),
                "--format".into(),
                "json".into(),
            ],
            0,
        ),
        (vec!["sbom".into(), lock("cargo-v4-git")], 0),
        (
            vec![
                "key".into(),
                "id".into(),
                s.s("k.pub"),
                "--format".into(),
                "json".into(),
            ],
            0,
        ),
        (
            vec![
                "db".into(),
                "status".into(),
                "--format".into(),
                "json".into(),
            ],
            0,
        ),
        (
            vec![
                "check".into(),
                check_data("cargo"),
                "--db".into(),
                check_data("advisories"),
                "--format".into(),
                "json".into(),
            ],
            1,
        ),
        (
            vec![
                "attest".into(),
                "compare".into(),
                s.s("sboms"),
                s.s("sboms"),
                "--format".into(),
                "json".into(),
            ],
            0,
        ),
        (
            vec![
                "sbom".into(),
                "vex".into(),
                "--sbom".into(),
                s.s("sboms/app.cdx.json"),
                "--db".into(),
                check_data("advisories"),
            ],
            0,
        ),
        (
            vec![
                "audit".into(),
                "verify".into(),
                s.s("audit.jsonl"),
                "--key".into(),
                s.s("k.pub"),
                "--format".into(),
                "json".into(),
            ],
            0,
        ),
    ];
    for (i, (args, code)) in cases.iter().enumerate() {
        let plain = s.run(&args_with(args, &[]));
        assert_eq!(
            plain.status.code(),
            Some(*code),
            "{args:?}: {}",
            render(&plain)
        );
        assert!(!plain.stdout.is_empty(), "{args:?} reports on stdout");
        let file = s.p(&format!("report-{i}"));
        let to_file = s.run(&args_with(args, &["-o", &file.to_string_lossy()]));
        assert_eq!(
            to_file.status.code(),
            Some(*code),
            "{args:?}: {}",
            render(&to_file)
        );
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(&file).unwrap()),
            String::from_utf8_lossy(&plain.stdout),
            "{args:?}: FILE holds what stdout carried"
        );
        let stdout = String::from_utf8_lossy(&to_file.stdout);
        if args[0] == "check" {
            assert!(stdout.starts_with("FAIL "), "{stdout}");
            assert_eq!(
                stdout.lines().filter(|l| l.contains("\"verdict\"")).count(),
                0
            );
            assert!(stdout.contains(&*file.to_string_lossy()), "{stdout}");
        } else {
            assert_eq!(stdout, "", "{args:?}: stdout is empty with --output");
        }
    }
}

/// Reports that are only text: in FILE, stdout empty, no colour in the file even with
/// `--color always` (which colours stdout).
#[test]
fn text_reports_go_to_the_file_without_colour() {
    let s = Scratch::new();
    let sign = [
        "sbom",
        "sign",
        &s.s("sboms/app.cdx.json"),
        "--key",
        &s.s("k.key"),
    ]
    .map(String::from);
    let release = [
        "release",
        &s.s("app.tgz"),
        "--key",
        &s.s("k.key"),
        "--project",
        &lock("cargo-v4-git"),
    ]
    .map(String::from);
    let approve = [
        "waiver",
        "approve",
        "--key",
        &s.s("k.key"),
        "--id",
        "RUSTSEC-2020-0071",
        "--reason",
        "r",
        "--nonce",
        "n1",
    ]
    .map(String::from);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (sign.to_vec(), "verify with: openssl"),
        (release.to_vec(), "upload beside the artefacts:"),
        (approve.to_vec(), "[[waiver.approval]]"),
        (vec!["graph".into(), lock("cargo-v4-git")], "Lockfiles"),
    ];
    for (i, (args, marker)) in cases.iter().enumerate() {
        let file = s.p(&format!("text-{i}.txt"));
        let out = s.run(&args_with(args, &["--output", &file.to_string_lossy()]));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", render(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", render(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(marker), "{args:?}: {text}");
    }
    // Colour: stdout gets it when asked; the file never does.
    let graph = [
        "--color".to_owned(),
        "always".to_owned(),
        "graph".to_owned(),
        lock("cargo-v4-git"),
    ];
    let coloured = s.run(&graph);
    assert!(coloured.stdout.contains(&0x1b), "{}", render(&coloured));
    let file = s.p("graph.txt");
    let out = s.run(&args_with(&graph, &["-o", &file.to_string_lossy()]));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = std::fs::read(&file).unwrap();
    assert!(!text.contains(&0x1b), "{}", String::from_utf8_lossy(&text));
    assert!(text.starts_with(b"Lockfiles"));
}

/// Exit 2 (the command could not look) leaves an existing FILE byte-identical, and no temporary
/// file behind.
#[test]
fn exit_2_leaves_an_existing_file_byte_identical() {
    let s = Scratch::new();
    std::fs::write(s.p("corrupt-state.json"), b"{").unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["why".into(), "no-such-package".into(), lock("cargo-v4-git")],
        vec![
            "graph".into(),
            lock("invalid/truncated.lock"),
            "--format".into(),
            "json".into(),
        ],
        vec![
            "check".into(),
            lock("invalid/truncated.lock"),
            "--format".into(),
            "sarif".into(),
        ],
        vec!["sbom".into(), lock("invalid/truncated.lock")],
        vec![
            "sbom".into(),
            "verify".into(),
            s.s("missing.json"),
            "--key".into(),
            s.s("k.pub"),
        ],
        vec!["rescan".into(), "merge".into(), s.s("corrupt-state.json")],
        vec!["key".into(), "id".into(), s.s("pred.json")],
        vec![
            "audit".into(),
            "seal".into(),
            s.s("missing.jsonl"),
            "--key".into(),
            s.s("k.key"),
        ],
    ];
    let before = b"the previous report\n";
    for args in &cases {
        let file = s.p("kept.txt");
        std::fs::write(&file, before).unwrap();
        let names = s.names();
        let out = s.run(&args_with(args, &["-o", &file.to_string_lossy()]));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        assert_eq!(std::fs::read(&file).unwrap(), before, "{args:?}");
        assert_eq!(s.names(), names, "{args:?}: nothing left beside FILE");
        assert!(out.stdout.is_empty(), "{args:?}: {}", render(&out));
    }
    // The twin: the same FILE is replaced by a run that could look.
    let file = s.p("kept.txt");
    let out = s.run(&[
        "why",
        "foo",
        &lock("cargo-v4-git"),
        "-o",
        &file.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_ne!(std::fs::read(&file).unwrap(), before);
}

/// A directory, or a file in a directory that does not exist, is exit 2 naming the path, and
/// refused before the command runs (`key generate` writes no key).
#[test]
fn a_directory_or_a_missing_directory_is_exit_2_naming_the_path() {
    let s = Scratch::new();
    std::fs::create_dir(s.p("reports")).unwrap();
    let missing = s.p("no-such-dir/report.json");
    for target in [s.p("reports"), missing.clone()] {
        let shown = target.to_string_lossy().into_owned();
        for args in [
            vec!["graph".to_owned(), lock("cargo-v4-git")],
            vec![
                "check".to_owned(),
                check_data("cargo"),
                "--db".into(),
                check_data("advisories"),
            ],
            vec!["sbom".to_owned(), lock("cargo-v4-git")],
            vec![
                "key".to_owned(),
                "generate".into(),
                "--out".into(),
                s.s("fresh"),
            ],
        ] {
            let out = s.run(&args_with(&args, &["--output", &shown]));
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?} -o {shown}: {}",
                render(&out)
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(&format!("--output {shown}: ")), "{err}");
            assert!(out.stdout.is_empty(), "{}", render(&out));
        }
        assert!(
            !s.p("fresh.key").exists(),
            "refused before the key was written"
        );
    }
    assert!(!s.p("no-such-dir").exists());
    assert_eq!(std::fs::read_dir(s.p("reports")).unwrap().count(), 0);
}

/// `-o -` is standard output: the same bytes as without it, and no file named `-`.
#[test]
fn a_dash_is_standard_output() {
    let s = Scratch::new();
    for args in [
        vec![
            "graph".to_owned(),
            lock("cargo-v4-git"),
            "--format".into(),
            "json".into(),
        ],
        vec!["sbom".to_owned(), lock("cargo-v4-git")],
        // check: the document itself on stdout, not the verdict line of a report file.
        vec![
            "check".to_owned(),
            check_data("cargo"),
            "--db".into(),
            check_data("advisories"),
            "--format".into(),
            "json".into(),
        ],
    ] {
        let plain = s.run(&args_with(&args, &[]));
        let dash = s.run(&args_with(&args, &["-o", "-"]));
        assert_eq!(dash.status.code(), plain.status.code(), "{}", render(&dash));
        assert!(!plain.stdout.is_empty());
        assert_eq!(dash.stdout, plain.stdout, "{args:?}");
        assert!(!s.p("-").exists(), "{args:?} wrote a file named -");
    }
}

/// A `--format` the command does not render is exit 2, before anything is written: no report
/// file, no signature, no SBOM.
#[test]
fn an_unsupported_format_is_refused_before_anything_is_written() {
    let s = Scratch::new();
    let state = s.s("sboms/app.cdx.json");
    let cases: Vec<(Vec<String>, &str, &str, &str)> = vec![
        (
            vec!["sbom".into(), lock("cargo-v4-git")],
            "sarif",
            "`sbom`",
            "use human or json",
        ),
        (
            vec!["sbom".into(), "vex".into(), lock("cargo-v4-git")],
            "markdown",
            "`sbom vex`",
            "use human or json",
        ),
        (
            vec![
                "sbom".into(),
                "sign".into(),
                s.s("sboms/app.cdx.json"),
                "--key".into(),
                s.s("k.key"),
            ],
            "json",
            "`sbom sign`",
            "use human",
        ),
        (
            vec![
                "release".into(),
                s.s("app.tgz"),
                "--key".into(),
                s.s("k.key"),
                "--project".into(),
                lock("cargo-v4-git"),
            ],
            "json",
            "`release`",
            "use human",
        ),
        (
            vec![
                "attest".into(),
                "sign".into(),
                "--key".into(),
                s.s("k.key"),
                "--predicate-type".into(),
                "https://example.com/p".into(),
                "--predicate".into(),
                s.s("pred.json"),
                s.s("app.tgz"),
            ],
            "sarif",
            "`attest sign`",
            "use human or json",
        ),
        (
            vec!["rescan".into(), "merge".into(), state],
            "markdown",
            "`rescan merge`",
            "use human or json",
        ),
        (
            vec![
                "waiver".into(),
                "approve".into(),
                "--key".into(),
                s.s("k.key"),
                "--id".into(),
                "X".into(),
                "--reason".into(),
                "r".into(),
            ],
            "json",
            "`waiver approve`",
            "use human",
        ),
        (
            vec![
                "audit".into(),
                "seal".into(),
                s.s("audit.jsonl"),
                "--key".into(),
                s.s("k.key"),
            ],
            "markdown",
            "`audit seal`",
            "use human or json",
        ),
        (
            vec![
                "db".into(),
                "import".into(),
                check_data("advisories"),
                "--db".into(),
                s.s("db"),
            ],
            "sarif",
            "`db import`",
            "use human or json",
        ),
    ];
    for (args, format, name, choice) in &cases {
        let before = s.names();
        let file = s.p("refused.out");
        let out = s.run(&args_with(
            args,
            &["--format", format, "-o", &file.to_string_lossy()],
        ));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "{name} does not support --format {format}; {choice}"
            )),
            "{err}"
        );
        assert_eq!(s.names(), before, "{args:?}: nothing written");
        assert!(!s.p("sboms/app.cdx.json.sig").exists(), "{args:?}");
    }
    // The twin: the format it renders is accepted, and the report is written.
    let out = s.run(&[
        "sbom",
        "sign",
        &s.s("sboms/app.cdx.json"),
        "--key",
        &s.s("k.key"),
        "--format",
        "human",
        "-o",
        &s.s("signed.txt"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(s.p("sboms/app.cdx.json.sig").exists());
    assert!(s.p("signed.txt").exists());
}

/// `audit seal`: `-o`, `--output` and the old `--out` are one flag; a log that does not verify
/// (exit 1) leaves the checkpoint it would have replaced byte-identical.
#[test]
fn audit_seal_writes_its_checkpoint_only_when_the_log_is_sealed() {
    let s = Scratch::new();
    for flag in ["-o", "--output", "--out"] {
        let cp = s.p(&format!("cp{flag}"));
        let out = s.run(&[
            "audit",
            "seal",
            &s.s("audit.jsonl"),
            "--key",
            &s.s("k.key"),
            flag,
            &cp.to_string_lossy(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", render(&out));
        assert!(out.stdout.is_empty(), "{}", render(&out));
        let note = std::fs::read_to_string(&cp).unwrap();
        assert!(note.starts_with("tollgate.dev/audit\n0\n"), "{note}");
    }
    let cp = s.p("cp-o");
    let pinned = std::fs::read(&cp).unwrap();
    std::fs::write(s.p("broken.jsonl"), b"not a record\n").unwrap();
    let out = s.run(&[
        "audit",
        "seal",
        &s.s("broken.jsonl"),
        "--key",
        &s.s("k.key"),
        "-o",
        &cp.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(std::fs::read(&cp).unwrap(), pinned);
    assert!(
        !s.names().iter().any(|n| n.contains(".tmp")),
        "{:?}",
        s.names()
    );
}

/// `attest verify --print-statement` with `-o FILE`: the statement alone on stdout, the JSON
/// report in FILE (without --output, json and --print-statement would share stdout: refused).
#[test]
fn print_statement_and_a_report_file_share_nothing() {
    let s = Scratch::new();
    let env = s.s("app.intoto.json");
    let out = s.run(&[
        "attest",
        "sign",
        "--key",
        &s.s("k.key"),
        "--predicate-type",
        "https://example.com/p",
        "--predicate",
        &s.s("pred.json"),
        "-o",
        &env,
        &s.s("app.tgz"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(out.stdout.is_empty(), "{}", render(&out));
    let verify = [
        "--format",
        "json",
        "attest",
        "verify",
        "--envelope",
        &env,
        "--key",
        &s.s("k.pub"),
        "--print-statement",
    ];
    let refused = s.run(&verify);
    assert_eq!(refused.status.code(), Some(2), "{}", render(&refused));
    let report = s.p("verify.json");
    let out = s.run(&args_with(
        &verify.map(String::from),
        &["-o", &report.to_string_lossy()],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let statement: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(statement["predicateType"], "https://example.com/p");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["verified"], true);
}

/// Every command that reports has `-o/--output FILE` (`release`: `--output`, its `-o` is
/// `--output-dir`); `init`, `completions` and `man` write artefacts, not reports, and have none.
#[test]
fn every_reporting_command_has_output() {
    let without = ["init", "completions", "man"];
    for c in crate::docs::commands() {
        if crate::docs::group_only(&c.help) {
            continue;
        }
        let has = c.help.contains("--output <FILE>");
        if without.contains(&c.path.as_str()) {
            assert!(!has, "`{}` writes an artefact: no --output", c.path);
        } else if c.path == "release" {
            assert!(
                has && c.help.contains("-o, --output-dir <DIR>"),
                "{}",
                c.help
            );
        } else {
            assert!(
                c.help.contains("-o, --output <FILE>"),
                "`{}` has no -o/--output",
                c.path
            );
        }
    }
}

/// A report never replaces the command's own input: the input named as FILE (a copy of the
/// SBOM, the lock in place), or a lockfile or manifest a directory search would read, is exit 2
/// naming the clash, and the file stays byte-identical. Twin: a fresh file next to them works.
#[test]
fn a_report_over_the_commands_own_input_is_refused() {
    let s = Scratch::new();
    let sbom = s.s("sboms/app.cdx.json");
    let before = std::fs::read(&sbom).unwrap();
    for args in [
        vec!["sbom", "verify", &sbom, "--key", "k.pub", "-o", &sbom],
        vec![
            "rescan", &sbom, "--state", "st.json", "--now", NOW, "--output", &sbom,
        ],
        vec!["check", "--sbom", &sbom, &format!("--output={sbom}")],
    ] {
        let out = s.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is also named by"), "{args:?}: {err}");
        assert_eq!(std::fs::read(&sbom).unwrap(), before, "{args:?}");
    }
    // `check -o Cargo.lock` in a repository: the lock it would check.
    std::fs::copy(
        testdata().join("cargo-v4-git/Cargo.lock"),
        s.p("Cargo.lock"),
    )
    .unwrap();
    let lock_before = std::fs::read(s.p("Cargo.lock")).unwrap();
    let out = s.run(&["check", "-o", "Cargo.lock"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refusing to replace Cargo.lock"),
        "{}",
        render(&out)
    );
    assert_eq!(std::fs::read(s.p("Cargo.lock")).unwrap(), lock_before);
    // Twin: the same runs into a new file write the report.
    let out = s.run(&["sbom", "Cargo.lock", "-o", "new.cdx.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(s.p("new.cdx.json").is_file());
}

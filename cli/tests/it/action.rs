//! The GitHub Action (`github-action/`), run locally: its script steps with a simulated runner
//! environment (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_ENV`, `GITHUB_PATH`,
//! `RUNNER_TEMP` files) on corpus lockfiles, asserting outputs, summary and exit codes; inputs
//! holding shell metacharacters stay inert. actionlint and zizmor lint the same files in `.ci/run`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::tools;

fn action_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../github-action")
}

fn ripgrep_lock() -> PathBuf {
    crate::corpus().join("lockfiles/ripgrep-v4/Cargo.lock")
}

/// The tools the scripts use besides coreutils.
fn tools_present() -> bool {
    tools::require("bash", &["--version"], "apt-get install bash")
        && tools::require("jq", &["--version"], "apt-get install jq")
}

/// One simulated job: a temporary directory holding the runner's files.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        let r = Runner {
            dir: tempfile::tempdir().unwrap(),
        };
        for f in ["output", "summary", "env", "path"] {
            std::fs::write(r.file(f), "").unwrap();
        }
        std::fs::create_dir(r.file("temp")).unwrap();
        r
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `scripts/NAME` in the job's directory with only `env` and the runner's variables.
    fn step(&self, name: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(action_dir().join("scripts").join(name))
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("LC_ALL", "C.UTF-8")
            .env("GITHUB_ACTION_PATH", action_dir())
            .env("GITHUB_OUTPUT", self.file("output"))
            .env("GITHUB_STEP_SUMMARY", self.file("summary"))
            .env("GITHUB_ENV", self.file("env"))
            .env("GITHUB_PATH", self.file("path"))
            .env("RUNNER_TEMP", self.file("temp"))
            .env("RUNNER_OS", "Linux")
            .env("TOLLGATE_BIN", env!("CARGO_BIN_EXE_tollgate"))
            .env("TOLLGATE_NOW", "2026-06-01T00:00:00Z");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// `GITHUB_OUTPUT` as a map; a name set twice fails the test (a forged entry would be one).
    fn outputs(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.file("output")).unwrap();
        let mut map = BTreeMap::new();
        for line in text.lines() {
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("bad line {line:?}"));
            assert!(
                map.insert(k.to_owned(), v.to_owned()).is_none(),
                "{k} set twice:\n{text}"
            );
        }
        map
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.file("summary")).unwrap()
    }

    /// Files in the job's directory whose name starts with `pwned` (made by an injected command).
    fn pwned(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("pwned"))
            .collect()
    }
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_failing_lockfile_sets_outputs_summary_and_fails_the_job() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let lock = ripgrep_lock();
    let sarif = r.file("tollgate.sarif");
    let out = r.step(
        "check.sh",
        &[
            ("INPUT_PATH", lock.to_str().unwrap()),
            ("INPUT_FORMAT", "json"),
            ("INPUT_SARIF_FILE", sarif.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let o = r.outputs();
    assert_eq!(o["verdict"], "fail", "{o:?}");
    assert_eq!(o["exit-code"], "1");
    // ripgrep-v4 (at this `now`, with the embedded snapshot): 7 high lock-drift findings and 3
    // medium path-outside-repo ones, every one blocking at the default `fail-on = "low"`.
    assert_eq!(
        (&*o["critical"], &*o["high"], &*o["medium"], &*o["low"]),
        ("0", "7", "3", "0")
    );
    assert_eq!(
        (&*o["blocking"], &*o["warnings"], &*o["waived"]),
        ("10", "0", "0")
    );
    // The report file is the JSON report, and the SARIF file a SARIF log.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&o["report-file"]).unwrap()).unwrap();
    assert_eq!(report["verdict"], "fail");
    assert!(o["report-file"].ends_with("report.json"));
    assert_eq!(o["sarif-file"], sarif.to_str().unwrap());
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 10);
    // The job summary is the Markdown report.
    let summary = r.summary();
    assert!(summary.starts_with("## ❌ tollgate: fail"), "{summary}");
    assert!(summary.contains("`grep-cli@0.1.12`"), "{summary}");
    // The last step turns the verdict into the job's result.
    let enforce = r.step("enforce.sh", &[("EXIT_CODE", &o["exit-code"])]);
    assert_eq!(enforce.status.code(), Some(1), "{}", show(&enforce));
    assert!(String::from_utf8_lossy(&enforce.stderr).contains("::error"));
}

#[test]
fn a_passing_check_passes_the_job_and_writes_the_requested_format() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let lock = ripgrep_lock();
    let out = r.step(
        "check.sh",
        &[
            ("INPUT_PATH", lock.to_str().unwrap()),
            ("INPUT_FAIL_ON", "critical"),
            ("INPUT_FORMAT", "human"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let o = r.outputs();
    assert_eq!((&*o["verdict"], &*o["exit-code"]), ("pass", "0"), "{o:?}");
    assert_eq!((&*o["blocking"], &*o["warnings"]), ("0", "10"));
    assert_eq!(o["sarif-file"], "");
    let text = std::fs::read_to_string(&o["report-file"]).unwrap();
    assert!(o["report-file"].ends_with("report.txt"));
    assert!(text.starts_with("PASS") || text.contains("PASS"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour in a file");
    assert!(
        r.summary().starts_with("## ✅ tollgate: pass"),
        "{}",
        r.summary()
    );
    let enforce = r.step("enforce.sh", &[("EXIT_CODE", &o["exit-code"])]);
    assert_eq!(enforce.status.code(), Some(0), "{}", show(&enforce));
}

#[test]
fn a_check_that_cannot_run_is_an_error_not_a_pass() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let bad = r.file("Cargo.lock");
    std::fs::write(&bad, "[[package]]\nname = \"x\"\nversion = ").unwrap();
    let out = r.step("check.sh", &[("INPUT_PATH", bad.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let o = r.outputs();
    assert_eq!((&*o["verdict"], &*o["exit-code"]), ("error", "2"));
    let summary = r.summary();
    assert!(summary.contains("could not check"), "{summary}");
    assert!(summary.contains("Cargo.lock"), "names the file: {summary}");
    // enforce.sh never reads an error as a pass, nor an empty exit code.
    for code in ["2", "", "0; true"] {
        let e = r.step("enforce.sh", &[("EXIT_CODE", code)]);
        assert_eq!(e.status.code(), Some(2), "{code:?}: {}", show(&e));
    }
}

#[test]
fn inputs_with_shell_metacharacters_stay_inert() {
    if !tools_present() {
        return;
    }
    let hostile = [
        "$(touch pwned1)",
        "`touch pwned2`",
        "x; touch pwned3",
        "x && touch pwned4 || touch pwned5",
        "x | touch pwned6",
        "'\"; touch pwned7; echo \"'",
        "${IFS}touch${IFS}pwned8",
        "*",
    ];
    for value in hostile {
        for input in [
            "INPUT_PATH",
            "INPUT_CONFIG",
            "INPUT_FAIL_ON",
            "INPUT_ARGS",
            "INPUT_FORMAT",
        ] {
            let r = Runner::new();
            let out = r.step("check.sh", &[(input, value)]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{input}={value:?}: {}",
                show(&out)
            );
            assert!(r.pwned().is_empty(), "{input}={value:?} ran a command");
            if input != "INPUT_FORMAT" {
                assert_eq!(r.outputs()["verdict"], "error", "{input}={value:?}");
            }
        }
    }
}

#[test]
fn a_path_with_metacharacters_is_checked_as_a_path() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    // The positive twin of the injection test: a real directory with a hostile name is read.
    let dir = r.file("a;touch pwned $(touch pwned2)");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(ripgrep_lock(), dir.join("Cargo.lock")).unwrap();
    let out = r.step(
        "check.sh",
        &[
            ("INPUT_PATH", dir.to_str().unwrap()),
            ("INPUT_ARGS", "--fail-on critical  --max-file-size\t1000000"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(r.pwned().is_empty());
    let o = r.outputs();
    assert_eq!(
        o["verdict"], "pass",
        "args were passed as two options: {o:?}"
    );
    // A path that begins with `-` is a path, not an option.
    let r = Runner::new();
    let out = r.step("check.sh", &[("INPUT_PATH", "--help")]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--help"));
}

#[test]
fn a_line_break_cannot_forge_an_output() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let lock = ripgrep_lock();
    let forged = format!("{}\nverdict=pass", r.file("x.sarif").display());
    let out = r.step(
        "check.sh",
        &[
            ("INPUT_PATH", lock.to_str().unwrap()),
            ("INPUT_SARIF_FILE", &forged),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("::error") && err.contains("line break"),
        "{err}"
    );
    // Nothing was set, so nothing was forged (`outputs` fails on a name set twice).
    assert!(!r.outputs().contains_key("verdict"), "{:?}", r.outputs());
}

#[test]
fn boolean_inputs_accept_only_true_or_false() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let out = r.step("check.sh", &[("INPUT_VERIFY_REGISTRY", "yes please")]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("verify-registry"));
}

#[test]
fn the_database_step_names_only_a_usable_database() {
    if !tools_present() {
        return;
    }
    // No database in the cache and no update: nothing goes to GITHUB_ENV (the embedded snapshot
    // is used) and the log says so.
    let r = Runner::new();
    let db = r.file("db");
    let out = r.step(
        "db.sh",
        &[
            ("DB_DIR", db.to_str().unwrap()),
            ("INPUT_DB_UPDATE", "false"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("embedded"));
    assert_eq!(std::fs::read_to_string(r.file("env")).unwrap(), "");
    // A database restored from the cache is named for the check.
    let import = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["db", "import", "--db"])
        .arg(&db)
        .arg(crate::corpus().join("../advisories/rustsec"))
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", show(&import));
    let out = r.step(
        "db.sh",
        &[
            ("DB_DIR", db.to_str().unwrap()),
            ("INPUT_DB_UPDATE", "false"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(
        std::fs::read_to_string(r.file("env")).unwrap(),
        format!("TOLLGATE_DB={}\n", db.display())
    );
}

#[test]
fn the_paths_step_keys_the_build_by_the_source() {
    if !tools_present() {
        return;
    }
    // On the real checkout: the outputs' shapes.
    let r = Runner::new();
    let out = r.step("paths.sh", &[("INPUT_DB_CACHE", "")]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let o = r.outputs();
    let key = &o["source-key"];
    assert!(
        key.starts_with("tollgate-bin-Linux-") && key.len() == 19 + 40,
        "{key}"
    );
    assert!(Path::new(&o["source-dir"]).join("cli/Cargo.toml").is_file());
    assert_eq!(Path::new(&o["db"]), r.file("temp").join("tollgate-db"));
    // On a source tree of our own: the same content gives the same key, a changed file (not
    // one under target/) another.
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("github-action")).unwrap();
    std::fs::create_dir_all(src.path().join("cli/src")).unwrap();
    std::fs::create_dir_all(src.path().join("target")).unwrap();
    std::fs::write(src.path().join("cli/src/main.rs"), "fn main() {}\n").unwrap();
    let action = src.path().join("github-action");
    let key_of = || {
        let r = Runner::new();
        let out = r.step(
            "paths.sh",
            &[
                ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
                ("INPUT_DB_CACHE", "/db"),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        assert_eq!(r.outputs()["db"], "/db");
        r.outputs()["source-key"].clone()
    };
    let first = key_of();
    assert_ne!(&first, key);
    std::fs::write(src.path().join("target/build.o"), "x").unwrap();
    assert_eq!(key_of(), first, "target/ is not the source");
    std::fs::write(src.path().join("cli/src/main.rs"), "fn main() { }\n").unwrap();
    assert_ne!(key_of(), first, "a changed source file changes the key");
}

#[test]
fn a_release_binary_needs_https_and_its_sha256() {
    if !tools_present() {
        return;
    }
    let cases = [
        ("http://example.com/tollgate", &"a".repeat(64)[..], "https"),
        ("file:///bin/sh", &"a".repeat(64)[..], "https"),
        ("https://example.com/tollgate", "", "binary-sha256"),
        ("https://example.com/tollgate", "abc", "binary-sha256"),
    ];
    for (url, sha, message) in cases {
        let r = Runner::new();
        let root = r.file("root");
        let out = r.step(
            "install.sh",
            &[
                ("INPUT_BINARY_URL", url),
                ("INPUT_BINARY_SHA256", sha),
                ("INSTALL_ROOT", root.to_str().unwrap()),
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{url} {sha}: {}", show(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{}",
            show(&out)
        );
        assert_eq!(std::fs::read_to_string(r.file("path")).unwrap(), "");
        assert!(!root.join("bin/tollgate").exists());
    }
}

#[test]
fn the_action_passes_inputs_to_run_steps_only_through_env() {
    // A text check of the contract (actionlint and zizmor check it fully in .ci/run): no `run:`
    // line holds `${{`, every input and output has a description.
    let text = std::fs::read_to_string(action_dir().join("action.yml")).unwrap();
    for line in text.lines() {
        if line.trim_start().starts_with("run:") {
            assert!(!line.contains("${{"), "{line}");
        }
        assert!(
            !line.contains("run: |"),
            "multi-line run: blocks belong in scripts/: {line}"
        );
    }
    for name in [
        "path",
        "config",
        "fail-on",
        "format",
        "verify-registry",
        "verify-provenance",
        "sarif-file",
        "db-cache",
        "args",
    ] {
        let decl = format!("\n  {name}:\n    description: ");
        assert!(
            text.contains(&decl),
            "input {name} is not declared with a description"
        );
    }
    for name in [
        "verdict",
        "critical",
        "high",
        "medium",
        "low",
        "sarif-file",
        "report-file",
    ] {
        let decl = format!("\n  {name}:\n    description: ");
        assert!(
            text.contains(&decl),
            "output {name} is not declared with a description"
        );
    }
}

#[test]
fn outputs_agree_with_the_report_on_an_npm_lockfile() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let lock = crate::corpus().join("lockfiles/insomnia-2024-v3/package-lock.json");
    let out = r.step(
        "check.sh",
        &[
            ("INPUT_PATH", lock.to_str().unwrap()),
            ("INPUT_FORMAT", "markdown"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let o = r.outputs();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(r.file("temp/tollgate/report.json")).unwrap())
            .unwrap();
    assert_eq!(o["verdict"], report["verdict"].as_str().unwrap());
    let sum = &report["summary"];
    for s in ["critical", "high", "medium", "low"] {
        assert_eq!(
            o[s],
            sum["by_severity"][s].as_u64().unwrap_or(0).to_string(),
            "{s}"
        );
    }
    for k in ["blocking", "warnings", "waived"] {
        assert_eq!(o[k], sum[k].as_u64().unwrap().to_string(), "{k}");
    }
    // format markdown: the report file is the summary's text.
    assert!(o["report-file"].ends_with("report.md"));
    assert_eq!(
        std::fs::read_to_string(&o["report-file"]).unwrap(),
        r.summary()
    );
}

/// A stand-in for `tollgate` that writes `--output` with what the FAKE_* variables say: for the
/// cases the real binary does not produce on demand.
fn fake_tollgate(r: &Runner) -> PathBuf {
    let path = r.file("fake-tollgate");
    std::fs::write(
        &path,
        r#"#!/usr/bin/env bash
fmt=human out=
while [ $# -gt 0 ]; do
  case $1 in --format) fmt=$2; shift ;; --output) out=$2; shift ;; esac
  shift
done
case $fmt in
  json) printf '{"verdict":"%s","summary":{"blocking":0,"warnings":0,"waived":0,"by_severity":{}}}' "$FAKE_VERDICT" >"$out" ;;
  markdown) head -c "${FAKE_MD_BYTES:-10}" /dev/zero | tr '\0' 'x' | fold -w 100 >"$out" ;;
  *) echo report >"$out" ;;
esac
exit "$FAKE_RC"
"#,
    )
    .unwrap();
    let mut perm = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&path, perm).unwrap();
    path
}

#[test]
fn an_exit_code_that_contradicts_the_report_fails_closed() {
    if !tools_present() {
        return;
    }
    for (verdict, rc) in [("pass", "1"), ("fail", "0"), ("maybe", "0")] {
        let r = Runner::new();
        let fake = fake_tollgate(&r);
        let out = r.step(
            "check.sh",
            &[
                ("TOLLGATE_BIN", fake.to_str().unwrap()),
                ("FAKE_VERDICT", verdict),
                ("FAKE_RC", rc),
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{verdict} {rc}: {}", show(&out));
        assert!(!r.outputs().contains_key("verdict"), "{verdict} {rc}");
    }
    // The positive twin: agreeing ones pass through.
    let r = Runner::new();
    let fake = fake_tollgate(&r);
    let out = r.step(
        "check.sh",
        &[
            ("TOLLGATE_BIN", fake.to_str().unwrap()),
            ("FAKE_VERDICT", "pass"),
            ("FAKE_RC", "0"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(r.outputs()["verdict"], "pass");
}

#[test]
fn a_huge_report_is_cut_to_the_summary_limit() {
    if !tools_present() {
        return;
    }
    let r = Runner::new();
    let fake = fake_tollgate(&r);
    let out = r.step(
        "check.sh",
        &[
            ("TOLLGATE_BIN", fake.to_str().unwrap()),
            ("FAKE_VERDICT", "fail"),
            ("FAKE_RC", "1"),
            ("FAKE_MD_BYTES", "3000000"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let summary = r.summary();
    // GitHub takes at most 1 MiB per step summary.
    assert!(summary.len() <= 1_000_200, "{}", summary.len());
    assert!(summary.len() > 900_000, "{}", summary.len());
    assert!(
        summary.trim_end().ends_with("output._"),
        "{}",
        &summary[summary.len() - 200..]
    );
    // Cut at a line boundary: every line of the report part is whole.
    let body = summary.split("\n\n_The report").next().unwrap();
    assert!(body.lines().all(|l| l.len() == 100), "a cut line");
}

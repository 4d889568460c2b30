//! Data-driven gate fixtures: every directory `testdata/checks/<kind>/<case>/` is one repository
//! (lockfiles, manifests, an optional `tollgate.toml`) that [`gate::check`] runs on in-process,
//! and whose findings are snapshotted (`snapshots/check_fixtures__<kind>__<case>.snap`).
//!
//! Adding a case is adding a folder (and a line in `testdata/checks/README.md`): the test walks
//! the tree. `<kind>` is a finding kind (`weak-hash`, `inconsistent`, …). A case whose name starts
//! with `ok-` is a negative twin and must yield no finding of its kind; every other case must
//! yield at least one. Each kind needs both, so no directory passes vacuously.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::path::{Path, PathBuf};

use tollgate_verifier::checks;
use tollgate_verifier::finding::Code;
use tollgate_verifier::gate::{self, CheckInput};
use tollgate_verifier::lockfile::DEFAULT_MAX_FILE_SIZE;
use tollgate_verifier::policy::{Config, Disposition};
use tollgate_verifier::registry::NoProgress;
use tollgate_verifier::report::Report;
use tollgate_verifier::time::Timestamp;

/// Where the cases live.
fn checks_root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/checks")).to_path_buf()
}

/// The advisory database every case runs against (a directory of advisories: no network, no
/// user cache, both ecosystems present).
fn advisories() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/check/advisories"
    ))
    .to_path_buf()
}

/// The gate's input for the repository or lockfile at `path`: no network, the cases' advisory
/// database, nothing else set.
fn input_at(path: PathBuf, config: Config) -> CheckInput {
    CheckInput {
        path: Some(path),
        lockfiles: Vec::new(),
        sboms: Vec::new(),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        config,
        db: Some(advisories()),
        allow_empty_db: false,
        max_db_age_days: None,
        fail_on_stale_db: false,
        registry: None,
        provenance: Default::default(),
        consumed_nonces: None,
        vex: Vec::new(),
    }
}

/// The fixed time every case is evaluated at (waivers, SLAs, the database's age).
const NOW: &str = "2026-06-01T00:00:00Z";

/// Runs the gate on `testdata/checks/<case>` (`case` = `"<kind>/<name>"`) and returns the report.
fn run_case(case: &str) -> Report {
    run_case_with(case, "")
}

/// [`run_case`] with `extra` appended to the case's `tollgate.toml` (if any).
fn run_case_with(case: &str, extra: &str) -> Report {
    let dir = checks_root().join(case);
    assert!(dir.is_dir(), "no fixture directory {}", dir.display());
    let policy = dir.join("tollgate.toml");
    let text = std::fs::read_to_string(&policy).unwrap_or_default() + extra;
    let config = Config::parse(&policy, &text).unwrap_or_else(|e| panic!("{case}: {e}"));
    let input = input_at(dir.clone(), config);
    let now = Timestamp::parse(NOW).expect("fixed time parses");
    // No environment: a case must not depend on the machine running it.
    let env = |_: &str| None;
    match gate::check(&input, &env, &NoProgress, now) {
        Ok(run) => run.report,
        Err(e) => panic!("{case}: the gate could not decide: {e}"),
    }
}

/// The findings of a report as stable text: one block per finding, with kind, package,
/// severity, disposition, location, title and message; then the verdict. Absolute paths of the
/// case directory are shown as `<case>`.
fn render(case: &str, report: &Report) -> String {
    let dir = checks_root().join(case);
    let abs = std::fs::canonicalize(&dir).unwrap_or(dir);
    let abs = abs.to_string_lossy().into_owned();
    let mut out = String::new();
    for rf in &report.findings {
        let f = &rf.finding;
        let package = f
            .package
            .as_ref()
            .map(|p| format!("{} {}@{}", p.ecosystem, p.name, p.version))
            .unwrap_or_else(|| "-".to_owned());
        let disposition = match &rf.disposition {
            Disposition::Blocking { .. } => "blocking".to_owned(),
            Disposition::Warning { .. } => "warning".to_owned(),
            Disposition::Waived { waiver, .. } => format!("waived ({waiver})"),
        };
        let location = f
            .location
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "-".to_owned());
        out.push_str(&format!(
            "- kind: {}\n  package: {package}\n  severity: {}\n  disposition: {disposition}\n  location: {location}\n  title: {}\n  message: {}\n",
            f.code.id(),
            rf.effective_severity,
            f.title,
            f.message,
        ));
    }
    if report.findings.is_empty() {
        out.push_str("(no findings)\n");
    }
    out.push_str(&format!("verdict: {}\n", report.verdict.as_str()));
    out.replace(&abs, "<case>")
}

/// Runs one case, snapshots its findings and checks its polarity (see the module docs).
fn check_fixture(case: &str) {
    let (kind, name) = case
        .split_once('/')
        .unwrap_or_else(|| panic!("case `{case}` is not <kind>/<name>"));
    let code = Code::from_kind(kind)
        .unwrap_or_else(|| panic!("testdata/checks/{kind}: not a finding kind"));
    let report = run_case(case);
    let of_kind = report
        .findings
        .iter()
        .filter(|f| f.finding.code == code)
        .count();
    let text = render(case, &report);
    if name.starts_with("ok-") {
        assert_eq!(
            of_kind, 0,
            "{case}: a negative twin must yield no {kind} finding:\n{text}"
        );
    } else {
        assert!(
            of_kind > 0,
            "{case}: expected at least one {kind} finding:\n{text}"
        );
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_description(format!("gate findings of testdata/checks/{case}"));
    settings.set_omit_expression(true);
    let snapshot = format!("{kind}__{name}");
    settings.bind(|| insta::assert_snapshot!(snapshot.as_str(), text));
}

/// Every `<kind>/<case>` directory under `testdata/checks`, sorted.
fn discover() -> Vec<String> {
    let mut cases = Vec::new();
    let mut kinds: Vec<_> = std::fs::read_dir(checks_root())
        .expect("testdata/checks exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    kinds.sort();
    for k in kinds {
        let kind = k.file_name().expect("named").to_string_lossy().into_owned();
        let mut names: Vec<String> = std::fs::read_dir(&k)
            .expect("readable kind directory")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().expect("named").to_string_lossy().into_owned())
            .collect();
        names.sort();
        let positives = names.iter().filter(|n| !n.starts_with("ok-")).count();
        assert!(
            positives > 0 && positives < names.len(),
            "testdata/checks/{kind} needs at least one case and one `ok-` negative twin, has {names:?}"
        );
        cases.extend(names.into_iter().map(|n| format!("{kind}/{n}")));
    }
    cases
}

#[test]
fn every_fixture_case() {
    let cases = discover();
    // The offline checks each have a directory; fewer cases means the walk found nothing.
    assert!(
        cases.len() >= 18,
        "only {} cases found: {cases:?}",
        cases.len()
    );
    for case in &cases {
        check_fixture(case);
    }
}

#[test]
fn readme_lists_every_case() {
    let readme = std::fs::read_to_string(checks_root().join("README.md"))
        .expect("testdata/checks/README.md");
    for case in discover() {
        assert!(
            readme.contains(&format!("`{case}/`")),
            "testdata/checks/README.md does not describe `{case}/`"
        );
    }
}

#[test]
fn credentials_never_reach_a_snapshot() {
    let text = render(
        "credential-in-url/npm-userinfo",
        &run_case("credential-in-url/npm-userinfo"),
    );
    assert!(!text.contains("hunter2secret"), "{text}");
    assert!(!text.contains("npm_TOPSECRET"), "{text}");
    assert!(text.contains("***"), "{text}");
}

/// One row per check: every offline check of the table has its fixture pair (a case and an `ok-`
/// twin, which [`discover`] demands of every directory) and its section in the config reference.
#[test]
fn every_offline_check_has_a_fixture_pair_and_a_documented_section() {
    let cases = discover();
    let reference = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/reference/config.md"
    ))
    .expect("docs/reference/config.md");
    for e in checks::CHECKS {
        if let Some(section) = e.section {
            assert!(
                reference.contains(&format!("`[{section}]`")),
                "docs/reference/config.md does not list [{section}]"
            );
        }
        if e.stage != checks::Stage::Offline {
            continue;
        }
        assert!(e.run.is_some() && e.settings.is_some(), "{e:?}");
        for code in e.codes {
            let kind = code.kind();
            assert!(
                cases.iter().any(|c| c.starts_with(&format!("{kind}/"))),
                "the {kind} check has no fixture pair under testdata/checks/{kind}/"
            );
        }
    }
    // Every code is some row's: no check runs outside the table.
    for code in Code::ALL {
        assert!(
            checks::CHECKS.iter().any(|e| e.codes.contains(code)),
            "{} is in no row of checks::CHECKS",
            code.kind()
        );
    }
}

/// Config entries that match nothing are reported like stale waivers: typed, as notes, never
/// blocking.
#[test]
fn config_entries_that_match_nothing_are_stale_notes() {
    let case = "install-script/ok-npm-allowed-script";
    // Negative twin: the case's own `allow = ["esbuild"]` suppresses a finding.
    let used = run_case(case);
    assert!(used.stale_config.is_empty(), "{:?}", used.stale_config);
    assert!(!used.notes.iter().any(|n| n.text.contains("stale config")));

    let stale = run_case_with(
        case,
        "deny = [\"evil-*\"]\n\
         [pinning.missing-hash]\nignore = [\"left-pad\", \"esbuild\"]\n\
         [sources.insecure-url]\nallow-hosts = [\"localhost\"]\n\
         [registries]\nscopes = { \"@nobody\" = \"https://npm.nobody.example/\" }\n",
    );
    let got: Vec<(String, String, String)> = stale
        .stale_config
        .iter()
        .map(|s| (s.section.clone(), s.key.clone(), s.entry.clone()))
        .collect();
    let want = [
        ("pinning.missing-hash", "ignore", "left-pad"),
        // esbuild has an integrity: ignoring it changes nothing either.
        ("pinning.missing-hash", "ignore", "esbuild"),
        ("sources.insecure-url", "allow-hosts", "localhost"),
        ("registries", "scopes", "@nobody"),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(got, want);
    // `deny` is preventive, never stale; the used `allow` is not either.
    assert!(stale.notes.contains(&tollgate_verifier::report::Note::new(
        tollgate_verifier::report::NoteCode::StaleConfig,
        "stale config: [sources.insecure-url] allow-hosts entry \"localhost\" matches nothing; remove it"
    )));
    assert_eq!(stale.verdict.as_str(), "pass", "a stale entry never blocks");

    // An `ignore` that does suppress a finding is in use.
    let ignored = run_case_with(
        "missing-hash/npm-no-integrity",
        "[pinning.missing-hash]\nignore = [\"left-pad@1.3.0\"]\n",
    );
    assert!(
        ignored.stale_config.is_empty(),
        "{:?}",
        ignored.stale_config
    );
    assert!(
        !ignored
            .findings
            .iter()
            .any(|f| f.finding.code == Code::MissingHash)
    );
}

/// Issue 12 #6: the gate reads the manifests beside a lockfile while it parses the lockfiles
/// when the lockfile's name tells its format, and after the graph when only its content does
/// (a lockfile named on the command line under another name). Both ways find the same drift.
#[test]
fn drift_is_found_whether_the_lockfile_name_tells_its_format_or_not() {
    let src = checks_root().join("lock-drift/npm-manifest-wants-other-range");
    let tmp = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("package.json", "package.json"),
        ("package-lock.json", "package-lock.json"),
        ("package-lock.json", "deps-lock.json"),
    ] {
        std::fs::copy(src.join(from), tmp.path().join(to)).unwrap();
    }
    let drift = |lock: &str| {
        let input = input_at(tmp.path().join(lock), Config::default());
        let now = Timestamp::parse(NOW).expect("fixed time parses");
        let report = gate::check(&input, &|_: &str| None, &NoProgress, now)
            .unwrap_or_else(|e| panic!("{lock}: {e}"))
            .report;
        report
            .findings
            .iter()
            .filter(|f| f.finding.code == Code::LockDrift)
            .map(|f| f.finding.title.replace(lock, "LOCK"))
            .collect::<Vec<_>>()
    };
    let by_name = drift("package-lock.json");
    assert!(!by_name.is_empty(), "the fixture drifts");
    assert_eq!(drift("deps-lock.json"), by_name);
}

/// Issue 12 #2: the gate reads each Cargo manifest once. The edge kinds of workspace members
/// (dev, build, optional: a `Cargo.lock` does not record them) come from the manifests the
/// manifest stage reads when a check needs them, and from a search under the lock's directory
/// when none does; both give the scopes the graph stage gives on its own (`load_graph`).
#[test]
fn cargo_scopes_are_the_same_whether_the_manifest_stage_reads_the_manifests_or_not() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/drift/cargo-ws"
    ))
    .to_path_buf();
    let scopes = |graph: &tollgate_verifier::graph::Graph| {
        let mut v: Vec<String> = graph
            .packages()
            .map(|(_, p)| format!("{} {:?}", p.name, p.scopes.names()))
            .collect();
        v.sort();
        v
    };
    let gate_scopes = |toml: &str| {
        let policy = dir.join("tollgate.toml");
        let input = input_at(dir.clone(), Config::parse(&policy, toml).unwrap());
        let now = Timestamp::parse(NOW).expect("fixed time parses");
        let run = gate::check(&input, &|_: &str| None, &NoProgress, now)
            .unwrap_or_else(|e| panic!("{toml}: {e}"));
        scopes(&run.graph)
    };
    let alone = scopes(
        &tollgate_verifier::load_graph(std::slice::from_ref(&dir), &Default::default()).unwrap(),
    );
    assert!(alone.contains(&"ryu [\"dev\"]".to_owned()), "{alone:?}");
    assert!(
        alone.contains(&"cfg-if [\"build\"]".to_owned()),
        "{alone:?}"
    );
    assert_eq!(
        gate_scopes(""),
        alone,
        "manifests read by the manifest stage"
    );
    assert_eq!(
        gate_scopes("[drift]\nenabled = false\n[sources.path-outside-repo]\nenabled = false\n"),
        alone,
        "manifests searched under the lock's directory"
    );
}

use super::*;
use crate::policy::Action;
use proptest::prelude::*;

fn fixture(rel: &str) -> (std::path::PathBuf, String) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/migrate")
        .join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    (p, text)
}

fn waiver_ids(c: &Config) -> Vec<(String, Option<String>, Option<String>, String)> {
    c.waivers
        .iter()
        .map(|w| {
            let w = w.get_ref();
            (
                w.id.clone(),
                w.package.clone(),
                w.version.clone(),
                w.reason.clone(),
            )
        })
        .collect()
}

fn gaps(m: &Migration) -> Vec<&str> {
    m.unmapped.iter().map(|u| u.key.as_str()).collect()
}

#[test]
fn cargo_audit_example_converts() {
    let (p, text) = fixture("cargo-audit/.cargo/audit.toml");
    let m = migrate(&p, &text).unwrap();
    assert_eq!(m.tool, Tool::CargoAudit);
    let c = &m.config;
    assert_eq!(c.fail_on, Severity::Low);
    let w = waiver_ids(c);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].0, "RUSTSEC-2020-0071");
    assert!(w[0].3.contains("audit.toml"), "{w:?}");
    // informational_warnings = ["unmaintained"], deny = ["unsound"]: unsound is not shown by
    // cargo-audit at all (not listed), so ignored; unmaintained warns; yanked warns.
    assert_eq!(c.unmaintained, Action::Warn);
    assert_eq!(c.unsound, Action::Ignore);
    assert_eq!(c.notice, Action::Ignore);
    assert_eq!(c.yanked, Action::Warn);
    assert_eq!(
        c.advisories.sources,
        ["https://github.com/RustSec/advisory-db.git"]
    );
    assert_eq!(
        gaps(&m),
        [
            "database.fetch",
            "database.path",
            "database.stale",
            "output.format",
            "output.quiet",
            "output.show_tree",
            "yanked.update_index",
            "target"
        ]
    );
    // Lines point into the source file.
    let path = m
        .unmapped
        .iter()
        .find(|u| u.key == "database.path")
        .unwrap();
    assert_eq!(path.line, 9);
    assert_eq!(m.unmapped.last().unwrap().line, 22);
    // The file says where each value came from and what was left out.
    assert!(
        m.text.contains("# Settings with no equivalent"),
        "{}",
        m.text
    );
    assert!(
        m.text.contains("target (line 22): no equivalent"),
        "{}",
        m.text
    );
}

#[test]
fn cargo_audit_deny_warnings_denies_every_informational_kind_shown() {
    let text = "[advisories]\ninformational_warnings = [\"unmaintained\", \"unsound\", \"notice\"]\n\
                [output]\ndeny = [\"warnings\"]\n";
    let m = migrate(Path::new(".cargo/audit.toml"), text).unwrap();
    let c = &m.config;
    assert_eq!(
        (c.unmaintained, c.unsound, c.notice, c.yanked),
        (Action::Deny, Action::Deny, Action::Deny, Action::Deny)
    );
    // The defaults: unmaintained and unsound shown, nothing denied, yanked warned.
    let m = migrate(Path::new(".cargo/audit.toml"), "").unwrap();
    let c = &m.config;
    assert_eq!(
        (c.unmaintained, c.unsound, c.notice, c.yanked),
        (Action::Warn, Action::Warn, Action::Ignore, Action::Warn)
    );
    let m = migrate(Path::new("audit.toml"), "[yanked]\nenabled = false\n").unwrap();
    assert_eq!(m.config.yanked, Action::Ignore);
}

#[test]
fn cargo_deny_template_converts() {
    let (p, text) = fixture("cargo-deny/deny.toml");
    let m = migrate(&p, &text).unwrap();
    assert_eq!(m.tool, Tool::CargoDeny);
    let c = &m.config;
    let w = waiver_ids(c);
    assert_eq!(w[0].0, "RUSTSEC-0000-0000");
    assert_eq!(w[1].0, "RUSTSEC-2020-0071");
    assert_eq!(w[1].3, "time 0.1 via chrono: localtime_r is never called");
    // A crate-wide ignore: every advisory kind of that crate and version.
    let krate: Vec<_> = w[2..].iter().map(|w| w.0.as_str()).collect();
    assert_eq!(
        krate,
        ["vulnerability", "unmaintained", "unsound", "notice"]
    );
    assert!(
        w[2..]
            .iter()
            .all(|w| w.1.as_deref() == Some("ansi_term") && w.2.as_deref() == Some("=0.12.1"))
    );
    assert_eq!(c.yanked, Action::Warn);
    assert_eq!(c.unmaintained, Action::Deny);
    assert_eq!(
        c.advisories.sources,
        ["https://github.com/rustsec/advisory-db"]
    );
    assert_eq!(c.kinds.get("unknown-source"), Some(&Action::Deny));
    let us = &c.sources.unknown_source;
    assert!(us.check_git);
    assert_eq!(
        us.allow_git,
        ["github.com/corp/internal-crate", "github.com/rust-lang/*"]
    );
    assert_eq!(
        c.registries.cargo,
        ["sparse+https://cargo.corp.example/index/"]
    );
    assert!(c.registries.public);
    assert_eq!(
        gaps(&m),
        [
            "advisories.db-path",
            "advisories.unmaintained",
            "bans",
            "graph",
            "licenses",
            "output"
        ]
    );
}

#[test]
fn cargo_deny_v1_levels_and_threshold() {
    let text = "[advisories]\nvulnerability = \"warn\"\nunsound = \"allow\"\nnotice = \"deny\"\n\
                severity-threshold = \"medium\"\n[sources]\nallow-registry = [\"https://r.example/index\"]\n";
    let m = migrate(Path::new("deny.toml"), text).unwrap();
    let c = &m.config;
    assert_eq!(c.kinds.get("vulnerability"), Some(&Action::Warn));
    assert_eq!((c.unsound, c.notice), (Action::Ignore, Action::Deny));
    assert_eq!(c.fail_on, Severity::Medium);
    assert!(!c.registries.public, "crates.io is not allowed");
    assert_eq!(c.registries.cargo, ["https://r.example/index"]);
}

#[test]
fn bad_values_are_listed_not_guessed() {
    let m = migrate(
        Path::new("deny.toml"),
        "[advisories]\nyanked = \"sometimes\"\n",
    )
    .unwrap();
    assert_eq!(m.config.yanked, Config::default().yanked);
    assert_eq!(m.unmapped[0].gap, Gap::BadValue);
    assert_eq!(m.unmapped[0].line, 2);
}

#[test]
fn syntax_errors_are_placed_and_unknown_files_refused() {
    let err = migrate(Path::new("deny.toml"), "[advisories]\nignore = [\n").unwrap_err();
    let MigrateError::Syntax(e) = &err else {
        panic!("{err}")
    };
    assert!(e.line >= 2, "{err}");
    assert!(err.to_string().starts_with("deny.toml:"), "{err}");
    let err = migrate(Path::new("other.toml"), "[package]\nname = \"x\"\n").unwrap_err();
    assert!(matches!(err, MigrateError::UnknownTool(_)), "{err}");
    // Content decides when the name does not.
    let m = migrate(
        Path::new("x.toml"),
        "[bans]\nmultiple-versions = \"deny\"\n",
    )
    .unwrap();
    assert_eq!(m.tool, Tool::CargoDeny);
    let m = migrate(
        Path::new("x.toml"),
        "[advisories]\nseverity_threshold = \"high\"\n",
    )
    .unwrap();
    assert_eq!(m.tool, Tool::CargoAudit);
}

#[test]
fn hostile_strings_stay_strings() {
    let text = "[advisories]\nignore = [{ id = \"X\\\"\\nfail-on = \\\"none\", reason = \"a\\u0007b\\\\\" }]\n";
    let m = migrate(Path::new("deny.toml"), text).unwrap();
    assert_eq!(m.config.fail_on, Severity::Low, "{}", m.text);
    assert_eq!(waiver_ids(&m.config)[0].0, "X\"\nfail-on = \"none");
    assert_eq!(waiver_ids(&m.config)[0].3, "a\u{7}b\\");
}

proptest! {
    /// Any text: an error or a policy tollgate accepts (`migrate` parses its own output), never
    /// a panic.
    #[test]
    fn migrate_never_panics(text in "(\\[(advisories|sources|output|database|bans)\\]\n|[a-z_-]{1,12} = (\"[a-z@0-9.\\\\\"]{0,10}\"|\\[\"[a-zA-Z0-9:/.-]{0,20}\"\\]|true|[0-9])\n|ignore = \\[\\{ (id|crate) = \"[a-z@0-9.]{0,8}\" \\}\\]\n){0,8}",
                            name in "(deny|audit|x)\\.toml") {
        match migrate(Path::new(&name), &text) {
            Ok(m) => prop_assert!(Config::parse(Path::new("t.toml"), &m.text).is_ok()),
            Err(MigrateError::Invalid { error: e, .. }) => prop_assert!(false, "invalid output: {e}\n{text}"),
            Err(_) => {}
        }
    }

    /// Arbitrary bytes as text.
    #[test]
    fn migrate_never_panics_on_noise(text in "\\PC{0,200}") {
        let r = migrate(Path::new("deny.toml"), &text);
        prop_assert!(!matches!(r, Err(MigrateError::Invalid { .. })), "{:?}", r.err());
    }
}

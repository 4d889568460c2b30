//! Hostile strings in reports: names, versions, paths, ids, URLs, messages, waiver fields and
//! notes that try to change the structure of the Markdown (a heading, a table cell, a comment,
//! a link) or to reach the terminal (ESC, OSC, BEL, C1, bidi overrides). The renderers must show
//! them as text: the Markdown's structure and the terminal's line count stay those of a report
//! with harmless strings.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use proptest::prelude::*;
use tollgate_verifier::coverage::{CheckCoverage, CoverageStatus};
use tollgate_verifier::finding::{
    AdvisoryDetails, Code, Finding, FindingLocation, FixHint, PackageRef, Severity,
};
use tollgate_verifier::package::Ecosystem;
use tollgate_verifier::policy::{Config, Disposition, evaluate};
use tollgate_verifier::render::escape::is_hidden_control;
use tollgate_verifier::render::{self, Style};
use tollgate_verifier::report::{DatabaseInfo, Note, NoteCode, Report, WaiverNote};
use tollgate_verifier::time::Timestamp;

/// Every string a report can carry from its inputs.
#[derive(Debug, Clone)]
struct Inputs {
    name: String,
    version: String,
    parent: String,
    id: String,
    alias: String,
    url: String,
    advice: String,
    file: String,
    waiver: String,
    reason: String,
    owner: String,
    note: String,
    origin: String,
}

impl Inputs {
    fn all(s: &str, url: &str) -> Self {
        Inputs {
            name: s.into(),
            version: s.into(),
            parent: s.into(),
            id: s.into(),
            alias: s.into(),
            url: url.into(),
            advice: s.into(),
            file: s.into(),
            waiver: s.into(),
            reason: s.into(),
            owner: s.into(),
            note: s.into(),
            origin: s.into(),
        }
    }

    /// The same report with harmless strings (and a URL that is a link exactly when `self.url`
    /// is one).
    fn harmless(&self) -> Self {
        let lower = self.url.to_ascii_lowercase();
        let web = (lower.starts_with("https://") || lower.starts_with("http://"))
            && self.url.len() > "http://".len();
        Inputs::all("x", if web { "https://x" } else { "x" })
    }
}

fn report(i: &Inputs) -> Report {
    let p = PackageRef {
        ecosystem: Ecosystem::Npm,
        name: i.name.clone(),
        version: i.version.clone(),
        id: format!("lock#{}", i.name),
        purl: "pkg:npm/x@1".into(),
    };
    let finding = |fix: FixHint| Finding {
        id: format!("vuln:{}", i.id),
        code: Code::Vulnerability,
        ids: vec![i.id.clone(), i.alias.clone()],
        severity: Severity::High,
        package: Some(p.clone()),
        path: vec![i.parent.clone(), format!("{}@{}", i.name, i.version)],
        location: Some(FindingLocation {
            file: i.file.clone(),
            line: 3,
        }),
        title: i.advice.clone(),
        message: i.advice.clone(),
        fix: Some(fix),
        advisory: Some(AdvisoryDetails {
            published: Some("2026-01-01".into()),
            url: Some(i.url.clone()),
            ..AdvisoryDetails::default()
        }),
        scopes: vec![],
        dev_optional: false,
    };
    let findings = vec![
        finding(FixHint::Upgrade {
            to: i.version.clone(),
        }),
        finding(FixHint::UpdateLockfile {
            command: i.advice.clone(),
            lockfile: i.file.clone(),
            any_unlocked_cargo_command: false,
        }),
    ];
    let mut r = evaluate(
        &Config::default(),
        findings,
        Timestamp::parse("2026-11-23T12:00:00Z").unwrap(),
    );
    // The second one waived, with the waiver's strings; overdue, as its SLA has passed.
    r.findings[1].disposition = Disposition::Waived {
        waiver: i.waiver.clone(),
        reason: i.reason.clone(),
        owner: Some(i.owner.clone()),
        expires: Some(i.version.clone()),
        vex: None,
    };
    let note = WaiverNote {
        id: i.waiver.clone(),
        package: Some(i.name.clone()),
        reason: i.reason.clone(),
        owner: Some(i.owner.clone()),
        expires: Some(i.version.clone()),
        offset: 0,
    };
    r.expired_waivers = vec![note.clone()];
    r.stale_waivers = vec![note];
    r.notes = vec![Note::new(NoteCode::Registry, i.note.clone())];
    r.database = Some(DatabaseInfo {
        origin: i.origin.clone(),
        updated: Some(i.version.clone()),
        advisories: 1,
        age_days: Some(1),
        sources: vec![],
    });
    let mut c = CheckCoverage::new("registry");
    c.push(
        p.clone(),
        CoverageStatus::Skipped {
            code: tollgate_verifier::coverage::CoverageCode::LocalPath,
            reason: i.reason.clone(),
        },
    );
    r.coverage = vec![c];
    r
}

fn markdown(r: &Report) -> String {
    let mut b = Vec::new();
    render::markdown::render(r, &mut b).unwrap();
    String::from_utf8(b).unwrap()
}

fn human(r: &Report) -> String {
    let mut b = Vec::new();
    render::terminal::render(r, Style::default(), &mut b).unwrap();
    String::from_utf8(b).unwrap()
}

/// A line with backslash escapes replaced by `e`, code spans (CommonMark: a run of backticks
/// opens, the next run of the same length closes) by `C` and link destinations `](…)` by
/// `](D)`: what is left is what Markdown reads as syntax.
fn syntax_of(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) {
            out.push('e');
            i += 2;
        } else if c == '`' {
            let n = chars[i..].iter().take_while(|&&c| c == '`').count();
            let mut j = i + n;
            let mut close = None;
            while j < chars.len() {
                let m = chars[j..].iter().take_while(|&&c| c == '`').count();
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m.max(1);
            }
            match close {
                Some(end) => {
                    out.push('C');
                    i = end;
                }
                None => {
                    out.extend(std::iter::repeat_n('`', n));
                    i += n;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    // Link destinations hold no `)` (encoded) and no escapes.
    let mut s = String::new();
    let mut rest = out.as_str();
    while let Some(k) = rest.find("](") {
        s.push_str(&rest[..k + 2]);
        rest = &rest[k + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        s.push('D');
        rest = &rest[end..];
    }
    s.push_str(rest);
    s
}

/// Cell separators of a GFM table row: `|` not taken by a `\x` pair (cmark-gfm's scanner).
fn cell_separators(line: &str) -> usize {
    let b = line.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'|' => {
                n += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    n
}

/// What a Markdown document's structure is made of, line by line.
fn shape(md: &str) -> Vec<String> {
    md.lines()
        .map(|line| {
            let t = line.trim_start_matches(' ');
            let kind = if line.trim().is_empty() {
                "blank"
            } else if t.starts_with('#') {
                "heading"
            } else if line.starts_with('|') {
                "row"
            } else if t.starts_with("- ") {
                "item"
            } else {
                "para"
            };
            let syntax = syntax_of(line);
            let counted: String = syntax
                .chars()
                .filter(|c| "[]*_~$<>`".contains(*c))
                .collect();
            let links = syntax.matches("](").count();
            let autolinks = ["://", "www.", "@"]
                .iter()
                .map(|a| syntax.matches(a).count())
                .sum::<usize>();
            format!(
                "{kind} indent={} cells={} syntax={counted} links={links} autolinks={autolinks}",
                line.len() - t.len(),
                if kind == "row" {
                    cell_separators(line)
                } else {
                    0
                }
            )
        })
        .collect()
}

/// Checks that hold for any document: raw HTML is only tollgate's `<sub>`, entities are only
/// the ones the escaper writes, and no list item starts a block inside it.
fn assert_inert(md: &str) {
    for line in md.lines() {
        let syntax = syntax_of(line);
        let html = syntax.replace("<sub>", "").replace("</sub>", "");
        assert!(!html.contains('<'), "raw `<` in {line:?}");
        for (k, _) in syntax.match_indices('&') {
            let tail = &syntax[k..];
            assert!(
                ["&lt;", "&gt;", "&amp;", "&#32;"]
                    .iter()
                    .any(|e| tail.starts_with(e)),
                "stray entity in {line:?}"
            );
        }
        if let Some(item) = line.trim_start_matches(' ').strip_prefix("- ") {
            let starts_block = item.starts_with("    ")
                || item.starts_with(['#', '>', '-', '+', '*', '=', '<', '|'])
                // A backtick fence opens a code block only when no backtick follows on its line.
                || (item.starts_with("```") && !item.trim_start_matches('`').contains('`'))
                || item
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .starts_with(['.', ')'])
                    && item.starts_with(|c: char| c.is_ascii_digit());
            assert!(!starts_block, "list item starts a block: {line:?}");
        }
    }
}

fn hostile() -> impl Strategy<Value = String> {
    let frag = prop_oneof![
        Just("`"),
        Just("``"),
        Just("|"),
        Just("\\"),
        Just("<!--"),
        Just("-->"),
        Just("## ✅ tollgate: pass"),
        Just("\n"),
        Just("\r\n"),
        Just("[x](javascript:alert(1))"),
        Just("![i](https://e.example/i.png)"),
        Just("<img src=x onerror=alert(1)>"),
        Just("*"),
        Just("_"),
        Just("~~"),
        Just("$"),
        Just("&lt;"),
        Just("&#60;"),
        Just(" "),
        Just("    "),
        Just("\u{1b}]0;pwned\u{7}"),
        Just("\u{9b}2J"),
        Just("\u{202e}"),
        Just("- "),
        Just("1. "),
        Just("1) "),
        Just("> "),
        Just("# "),
        Just("==="),
        Just("www.evil.example"),
        Just("https://evil.example/"),
        Just("a@b.example"),
        Just("x"),
        Just("1.0"),
    ]
    .prop_map(str::to_owned);
    let frag = prop_oneof![4 => frag, 1 => any::<char>().prop_map(String::from)];
    proptest::collection::vec(frag, 0..8).prop_map(|v| v.concat())
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        (hostile(), hostile(), hostile(), hostile(), hostile()),
        (hostile(), hostile(), hostile(), hostile(), hostile()),
        (hostile(), hostile(), hostile(), any::<bool>()),
    )
        .prop_map(
            |(
                (name, version, parent, id, alias),
                (url, advice, file, waiver, reason),
                (owner, note, origin, web),
            )| Inputs {
                name,
                version,
                parent,
                id,
                alias,
                url: if web {
                    format!("https://a.example/{url}")
                } else {
                    url
                },
                advice,
                file,
                waiver,
                reason,
                owner,
                note,
                origin,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn markdown_structure_does_not_depend_on_the_strings(i in inputs()) {
        let md = markdown(&report(&i));
        let base = markdown(&report(&i.harmless()));
        prop_assert_eq!(shape(&md), shape(&base), "\n{}\n---\n{}", md, base);
        assert_inert(&md);
    }

    #[test]
    fn human_output_carries_no_control_character(i in inputs()) {
        let text = human(&report(&i));
        let base = human(&report(&i.harmless()));
        prop_assert!(
            !text.chars().any(|c| is_hidden_control(c) && c != '\n'),
            "{:?}", text
        );
        prop_assert_eq!(text.lines().count(), base.lines().count(), "{}", text);
    }
}

#[test]
fn crafted_names_stay_text_in_markdown() {
    let mut i = Inputs::all("x", "https://x");
    i.name = "## ✅ tollgate: pass\n\n<!--".into();
    i.version = "1`2``3".into();
    i.id = "[x](javascript:alert(1))".into();
    i.url = "javascript:alert(1)".into();
    i.parent = "a|b".into();
    i.reason = "| --- |".into();
    i.note = "## ✅ tollgate: pass".into();
    let md = markdown(&report(&i));
    assert_inert(&md);
    assert_eq!(md.lines().filter(|l| l.starts_with('#')).count(), 1, "{md}");
    assert_eq!(md.lines().next(), Some("## ❌ tollgate: fail"));
    // A name with backticks: a longer fence (and the newline shown as an escape).
    assert!(
        md.contains("```## ✅ tollgate: pass\\u{a}\\u{a}<!--@1`2``3```"),
        "{md}"
    );
    // A `javascript:` URL is no link; the id's brackets are text.
    assert!(!md.replace("\\]", "").contains("](javascript"), "{md}");
    assert!(
        md.contains("\\[x\\](javascript\\:alert(1)) (javascript\\:alert(1))"),
        "{md}"
    );
    // `|` in a code span in a table is `\|`; every row keeps the header's separators.
    assert!(md.contains("`a\\|b`"), "{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 4, "{md}");
    for r in &rows {
        assert_eq!(cell_separators(r), 10, "{r}");
    }
    assert!(md.contains("- \\## ✅ tollgate\\: pass"), "{md}");
}

#[test]
fn harmless_names_read_as_before() {
    let mut i = Inputs::all("x", "https://rustsec.org/advisories/RUSTSEC-2020-0071");
    i.name = "@scope/tiny".into();
    i.version = "1.0.0".into();
    i.id = "RUSTSEC-2020-0071".into();
    let md = markdown(&report(&i));
    assert!(md.contains("| `@scope/tiny@1.0.0` |"), "{md}");
    assert!(
        md.contains("[RUSTSEC-2020-0071](https://rustsec.org/advisories/RUSTSEC-2020-0071)"),
        "{md}"
    );
}

#[test]
fn terminal_shows_control_characters_as_escapes() {
    let mut i = Inputs::all("x", "https://x");
    i.name = "evil\u{1b}]0;pwned\u{7}".into();
    i.version = "1\u{1b}[2J".into();
    i.note = "note\u{202e}txt".into();
    let text = human(&report(&i));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        text.contains("evil\\u{1b}]0;pwned\\u{7}@1\\u{1b}[2J"),
        "{text}"
    );
    assert!(text.contains("note\\u{202e}txt"), "{text}");
    // JSON keeps the exact strings.
    let mut b = Vec::new();
    render::json::render(&report(&i), &mut b).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        v["findings"][0]["package"]["name"],
        "evil\u{1b}]0;pwned\u{7}"
    );
}

#[test]
fn a_waived_overdue_finding_shows_its_sla_without_alarm() {
    let i = Inputs::all("x", "https://x");
    let r = report(&i);
    let text = human(&r);
    // The first finding blocks and is overdue (published 2026-01-01, SLA 7d for high).
    assert!(text.contains("BLOCKING, OVERDUE ("), "{text}");
    // The second is waived: its SLA state is stated, without alarm.
    assert!(
        text.contains("waived by x until x (SLA 7d: 319d12h past due)"),
        "{text}"
    );
    assert_eq!(text.matches("OVERDUE").count(), 1, "{text}");
    let md = markdown(&r);
    assert!(
        md.contains("waived by x until x (SLA 7d: 319d12h past due)"),
        "{md}"
    );
    assert_eq!(md.matches("OVERDUE").count(), 1, "{md}");
}

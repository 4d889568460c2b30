//! `--format markdown`: for a PR comment or a job summary.
//!
//! Every string from the inputs (names, versions, paths, ids, messages, notes, waiver reasons)
//! is escaped for where it goes ([`super::escape`]): package names are code spans, other text is
//! escaped text, and only `http`/`https` URLs become links. A crafted name cannot add a
//! heading, a table cell, a comment, HTML or a link to the document.

use std::borrow::Cow;
use std::io::{self, Write};

use super::escape::{md_code, md_code_cell, md_link, md_text};
use super::text::{coverage_lines, fix_text, reason_text, state_text};
use crate::report::Report;

/// Renders the report as Markdown.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let icon = if r.verdict.passed() { "✅" } else { "❌" };
    writeln!(w, "## {icon} tollgate: {}", r.verdict.as_str())?;
    writeln!(w)?;
    if let crate::report::Verdict::Fail(reasons) = &r.verdict {
        for reason in reasons {
            writeln!(w, "- {}", md_text(&reason.to_string()))?;
        }
        writeln!(w)?;
    }
    let s = &r.summary;
    writeln!(
        w,
        "{} packages in {} lockfile(s) · {} blocking · {} warning(s) · {} waived · {} overdue · fail-on `{}`{}",
        r.packages,
        r.lockfiles.len(),
        s.blocking,
        s.warnings,
        s.waived,
        s.overdue,
        r.fail_on,
        if r.fail_on_overdue {
            " (overdue only)"
        } else {
            ""
        }
    )?;
    writeln!(w)?;
    if !r.findings.is_empty() {
        writeln!(
            w,
            "| severity | kind | package | title | ids | fix | state | location | path |"
        )?;
        writeln!(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")?;
        for rf in &r.findings {
            let f = &rf.finding;
            let pkg = f
                .package
                .as_ref()
                .map(|p| md_code_cell(&format!("{}@{}", p.name, p.version)).into_owned())
                .unwrap_or_default();
            let ids = match (
                &f.ids.first(),
                f.advisory.as_ref().and_then(|a| a.url.as_ref()),
            ) {
                (Some(id), Some(url)) => format!(
                    "{}{}",
                    md_link(id, url),
                    if f.ids.len() > 1 {
                        format!(" ({})", md_text(&f.ids[1..].join(", ")))
                    } else {
                        String::new()
                    }
                ),
                (Some(_), None) => md_text(&f.ids.join(", ")).into_owned(),
                _ => String::new(),
            };
            let path: Vec<Cow<'_, str>> = f.path.iter().map(|p| md_code_cell(p)).collect();
            let location = f
                .location
                .as_ref()
                .map(|l| md_code_cell(&l.to_string()).into_owned())
                .unwrap_or_default();
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} — {} | {} | {} |",
                rf.effective_severity,
                f.code.kind(),
                pkg,
                md_text(&f.title),
                ids,
                f.fix
                    .as_ref()
                    .map(|fx| fix_text(fx, md_text))
                    .unwrap_or_default(),
                state_text(rf, md_text),
                reason_text(rf, md_text),
                location,
                path.join(" → "),
            )?;
        }
        writeln!(w)?;
    }
    for (title, list) in [
        ("Expired waivers", &r.expired_waivers),
        ("Stale waivers (match nothing)", &r.stale_waivers),
    ] {
        if !list.is_empty() {
            writeln!(w, "**{title}**")?;
            writeln!(w)?;
            for wv in list {
                writeln!(
                    w,
                    "- {}{}{} — {}",
                    md_code(&wv.id),
                    wv.package
                        .as_ref()
                        .map(|p| format!(" ({})", md_code(p)))
                        .unwrap_or_default(),
                    wv.expires
                        .as_ref()
                        .map(|e| format!(", expires {}", md_text(e)))
                        .unwrap_or_default(),
                    md_text(&wv.reason)
                )?;
            }
            writeln!(w)?;
        }
    }
    if !r.coverage.is_empty() {
        writeln!(w, "**Coverage**")?;
        writeln!(w)?;
        for c in &r.coverage {
            let (head, groups) = coverage_lines(c, md_text, md_code);
            writeln!(w, "- {head}")?;
            for g in groups {
                writeln!(w, "  - {g}")?;
            }
        }
        writeln!(w)?;
    }
    if !r.notes.is_empty() {
        writeln!(w, "**Notes**")?;
        writeln!(w)?;
        for n in &r.notes {
            writeln!(w, "- {}", md_text(&n.text))?;
        }
        writeln!(w)?;
    }
    if let Some(db) = &r.database {
        writeln!(
            w,
            "<sub>advisory database: {} ({} advisories{})</sub>",
            md_text(&db.origin),
            db.advisories,
            db.updated
                .as_ref()
                .map(|u| format!(", updated {}", md_text(u)))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

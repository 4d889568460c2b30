//! `--format markdown`: for a PR comment or a job summary.

use std::io::{self, Write};

use super::text::{coverage_lines, fix_text, reason_text, state_text};
use crate::report::Report;

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report as Markdown.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let icon = if r.verdict.passed() { "✅" } else { "❌" };
    writeln!(w, "## {icon} tollgate: {}", r.verdict.as_str())?;
    writeln!(w)?;
    if let crate::report::Verdict::Fail(reasons) = &r.verdict {
        for reason in reasons {
            writeln!(w, "- {}", esc(reason))?;
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
            "| severity | kind | package | ids | fix | state | path |"
        )?;
        writeln!(w, "| --- | --- | --- | --- | --- | --- | --- |")?;
        for rf in &r.findings {
            let f = &rf.finding;
            let pkg = f
                .package
                .as_ref()
                .map(|p| format!("`{}@{}`", p.name, p.version))
                .unwrap_or_default();
            let ids = match (
                &f.ids.first(),
                f.advisory.as_ref().and_then(|a| a.url.as_ref()),
            ) {
                (Some(id), Some(url)) => format!(
                    "[{}]({url}){}",
                    esc(id),
                    if f.ids.len() > 1 {
                        format!(" ({})", esc(&f.ids[1..].join(", ")))
                    } else {
                        String::new()
                    }
                ),
                (Some(_), None) => esc(&f.ids.join(", ")),
                _ => String::new(),
            };
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} |",
                rf.effective_severity,
                f.code.kind(),
                pkg,
                ids,
                f.fix
                    .as_ref()
                    .map(fix_text)
                    .map(|t| esc(&t))
                    .unwrap_or_default(),
                esc(&format!("{} — {}", state_text(rf), reason_text(rf))),
                esc(&f.path.join(" → ")),
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
                    "- `{}`{}{} — {}",
                    esc(&wv.id),
                    wv.package
                        .as_ref()
                        .map(|p| format!(" ({})", esc(p)))
                        .unwrap_or_default(),
                    wv.expires
                        .as_ref()
                        .map(|e| format!(", expires {e}"))
                        .unwrap_or_default(),
                    esc(&wv.reason)
                )?;
            }
            writeln!(w)?;
        }
    }
    if !r.coverage.is_empty() {
        writeln!(w, "**Coverage**")?;
        writeln!(w)?;
        for c in &r.coverage {
            let (head, groups) = coverage_lines(c);
            writeln!(w, "- {}", esc(&head))?;
            for g in groups {
                writeln!(w, "  - {}", esc(&g))?;
            }
        }
        writeln!(w)?;
    }
    if !r.notes.is_empty() {
        writeln!(w, "**Notes**")?;
        writeln!(w)?;
        for n in &r.notes {
            writeln!(w, "- {}", esc(n))?;
        }
        writeln!(w)?;
    }
    if let Some(db) = &r.database {
        writeln!(
            w,
            "<sub>advisory database: {} ({} advisories{})</sub>",
            esc(&db.origin),
            db.advisories,
            db.updated
                .as_ref()
                .map(|u| format!(", updated {u}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

//! Human output: findings grouped by severity, with the path from a root, the smallest upgrade,
//! and waiver and SLA state. Every string from the inputs is shown through
//! [`visible`]: control characters are printed as escapes, never sent to the terminal.

use std::io::{self, Write};

use super::Style;
use super::escape::visible;
use super::text::{coverage_lines, fix_text, reason_text, state_text};
use crate::finding::Severity;
use crate::report::Report;

/// Renders the report for a terminal.
pub fn render(r: &Report, style: Style, w: &mut dyn Write) -> io::Result<()> {
    let order = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
        Severity::None,
    ];
    for sev in order {
        let group: Vec<_> = r
            .findings
            .iter()
            .filter(|rf| rf.effective_severity == sev)
            .collect();
        if group.is_empty() {
            continue;
        }
        let head = format!("{} ({})", sev.as_str().to_uppercase(), group.len());
        let head = match sev {
            Severity::Critical | Severity::High => style.red(&head),
            Severity::Medium => style.yellow(&head),
            _ => style.cyan(&head),
        };
        writeln!(w, "{}", style.bold(&head))?;
        for rf in group {
            let f = &rf.finding;
            let pkg = f
                .package
                .as_ref()
                .map(|p| visible(&format!("{}@{}", p.name, p.version)).into_owned())
                .unwrap_or_default();
            let ids = if f.ids.is_empty() {
                String::new()
            } else {
                format!(" {}", visible(&f.ids.join(", ")))
            };
            writeln!(
                w,
                "  {} {}{}",
                style.bold(&pkg),
                f.code.kind(),
                style.dim(&ids)
            )?;
            writeln!(w, "    {}", visible(&f.title))?;
            if f.severity == Severity::Unknown {
                writeln!(
                    w,
                    "    severity unknown, treated as {}",
                    rf.effective_severity
                )?;
            }
            if f.path.len() > 1 {
                writeln!(w, "    path: {}", visible(&f.path.join(" → ")))?;
            }
            if let Some(loc) = &f.location {
                writeln!(w, "    at:   {}", visible(&loc.to_string()))?;
            }
            if let Some(fix) = &f.fix {
                writeln!(w, "    fix:  {}", style.green(&fix_text(fix, visible)))?;
            }
            if let Some(url) = f.advisory.as_ref().and_then(|a| a.url.as_ref()) {
                writeln!(w, "    more: {}", visible(url))?;
            }
            let state = state_text(rf, visible);
            let state = if rf.blocking() {
                style.red(&state)
            } else {
                state
            };
            writeln!(
                w,
                "    {} — {}",
                state,
                style.dim(&reason_text(rf, visible))
            )?;
        }
        writeln!(w)?;
    }
    for wv in &r.expired_waivers {
        writeln!(
            w,
            "{} waiver `{}` expired on {}; it no longer applies ({})",
            style.yellow("expired:"),
            visible(&wv.id),
            visible(wv.expires.as_deref().unwrap_or("?")),
            visible(&wv.reason)
        )?;
    }
    for wv in &r.stale_waivers {
        writeln!(
            w,
            "{} waiver `{}` matches no finding; remove it",
            style.yellow("stale:"),
            visible(&wv.id)
        )?;
    }
    for n in &r.notes {
        writeln!(w, "{} {}", style.yellow("note:"), visible(&n.text))?;
    }
    for c in &r.coverage {
        let (head, groups) = coverage_lines(c, visible, visible);
        writeln!(w, "{} {head}", style.bold("coverage:"))?;
        for g in groups {
            writeln!(w, "  {g}")?;
        }
    }
    super::summary::verdict(r, style, w)
}

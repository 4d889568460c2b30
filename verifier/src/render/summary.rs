//! The verdict in a few lines, for the terminal when the full report went to a file
//! (`check --format sarif --output report.sarif`).

use std::io::{self, Write};
use std::path::Path;

use super::Style;
use super::escape::visible;
use crate::report::{Report, Verdict};

/// Renders the verdict line, its reasons and where the report was written.
pub fn render(r: &Report, style: Style, written_to: &Path, w: &mut dyn Write) -> io::Result<()> {
    verdict(r, style, w)?;
    writeln!(w, "report: {}", visible(&written_to.display().to_string()))
}

/// The verdict line and its reasons: the last lines of the human report.
pub fn verdict(r: &Report, style: Style, w: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let verdict = match &r.verdict {
        Verdict::Pass => style.green("PASS"),
        Verdict::Fail(_) => style.red("FAIL"),
    };
    writeln!(
        w,
        "{} {} packages, {} finding(s): {} blocking, {} warning(s), {} waived, {} overdue (fail-on {}{})",
        style.bold(&verdict),
        r.packages,
        r.findings.len(),
        s.blocking,
        s.warnings,
        s.waived,
        s.overdue,
        r.fail_on,
        if r.fail_on_overdue {
            ", overdue only"
        } else {
            ""
        }
    )?;
    if let Verdict::Fail(reasons) = &r.verdict {
        for reason in reasons {
            writeln!(w, "  {}", visible(&reason.to_string()))?;
        }
    }
    Ok(())
}

//! Shared wording for the human and Markdown renderers, so both show the same fields. Every
//! string from the inputs goes through the renderer's escaper ([`Esc`]); the wording around it
//! is the renderer's own.

use std::borrow::Cow;

use super::escape::Esc;
use crate::finding::FixHint;
use crate::policy::Disposition;
use crate::report::ReportFinding;
use crate::time::Duration;

/// "upgrade to 1.2.3" / "no fixed version yet" / advice.
pub fn fix_text(f: &FixHint, esc: Esc) -> String {
    match f {
        FixHint::Upgrade { to } => format!("upgrade to {}", esc(to)),
        FixHint::NoFix => "no fixed version yet".to_owned(),
        FixHint::AddIntegrity => {
            "regenerate the lockfile so every entry has an integrity".to_owned()
        }
        FixHint::PinGitRev => "pin the git dependency to a full commit".to_owned(),
        FixHint::Advice(s) => esc(s).into_owned(),
    }
}

/// The state column: blocking / warning / waived (+ overdue / SLA due). A waived finding shows
/// its SLA state without alarm (`waived until 2027-01-31 (SLA 7d: 12d past due)`): the waiver
/// already answers it; only findings that still count say `OVERDUE`.
pub fn state_text(rf: &ReportFinding, esc: Esc) -> String {
    let mut s = match &rf.disposition {
        Disposition::Blocking { .. } => "BLOCKING".to_owned(),
        Disposition::Warning { .. } => "warning".to_owned(),
        Disposition::Waived { owner, expires, .. } => {
            let mut t = "waived".to_owned();
            if let Some(o) = owner {
                t.push_str(&format!(" by {}", esc(o)));
            }
            if let Some(e) = expires {
                t.push_str(&format!(" until {}", esc(e)));
            }
            t
        }
    };
    if let Some(sla) = &rf.sla {
        let due = sla.due.date_string();
        if rf.waived() {
            if sla.overdue {
                let past = Duration(sla.age.0.saturating_sub(sla.sla.0));
                s.push_str(&format!(" (SLA {}: {past} past due)", sla.sla));
            } else {
                s.push_str(&format!(" (SLA {}: due {due})", sla.sla));
            }
        } else if sla.overdue {
            s.push_str(&format!(", OVERDUE ({} old, SLA {})", sla.age, sla.sla));
        } else {
            s.push_str(&format!(", due {due} (SLA {})", sla.sla));
        }
    }
    s
}

/// The disposition's reason.
pub fn reason_text(rf: &ReportFinding, esc: Esc) -> String {
    match &rf.disposition {
        Disposition::Blocking { reason } | Disposition::Warning { reason } => {
            esc(reason).into_owned()
        }
        Disposition::Waived { reason, .. } => format!("waiver: {}", esc(reason)),
    }
}

/// Coverage of one verification as text lines: the counts, then each group of packages that
/// are not verified (`skipped (local path): a@1, b@2`). Verified packages are counted; JSON and
/// SARIF list them one by one. `esc` escapes text, `name` a package's `name@version`.
pub fn coverage_lines(
    c: &crate::coverage::CheckCoverage,
    esc: Esc,
    name: Esc,
) -> (String, Vec<String>) {
    let head = format!("{}: {}", esc(c.check), c.counts_line());
    let groups = c
        .not_verified_groups()
        .into_iter()
        .map(|((status, reason), pkgs)| {
            let names: Vec<Cow<'_, str>> = pkgs
                .iter()
                .map(|p| Cow::Owned(name(&format!("{}@{}", p.name, p.version)).into_owned()))
                .collect();
            format!("{status} ({}): {}", esc(&reason), names.join(", "))
        })
        .collect();
    (head, groups)
}

//! Shared wording for the human and Markdown renderers, so both show the same fields.

use crate::finding::FixHint;
use crate::policy::Disposition;
use crate::report::ReportFinding;

/// "upgrade to 1.2.3" / "no fixed version yet" / advice.
pub fn fix_text(f: &FixHint) -> String {
    match f {
        FixHint::Upgrade { to } => format!("upgrade to {to}"),
        FixHint::NoFix => "no fixed version yet".to_owned(),
        FixHint::AddIntegrity => {
            "regenerate the lockfile so every entry has an integrity".to_owned()
        }
        FixHint::PinGitRev => "pin the git dependency to a full commit".to_owned(),
        FixHint::Advice(s) => s.clone(),
    }
}

/// The state column: blocking / warning / waived (+ overdue / SLA due).
pub fn state_text(rf: &ReportFinding) -> String {
    let mut s = match &rf.disposition {
        Disposition::Blocking { .. } => "BLOCKING".to_owned(),
        Disposition::Warning { .. } => "warning".to_owned(),
        Disposition::Waived { owner, expires, .. } => {
            let mut t = "waived".to_owned();
            if let Some(o) = owner {
                t.push_str(&format!(" by {o}"));
            }
            if let Some(e) = expires {
                t.push_str(&format!(" until {e}"));
            }
            t
        }
    };
    if let Some(sla) = &rf.sla {
        if sla.overdue {
            s.push_str(&format!(", OVERDUE ({} old, SLA {})", sla.age, sla.sla));
        } else {
            s.push_str(&format!(
                ", due {} (SLA {})",
                sla.due.date_string(),
                sla.sla
            ));
        }
    }
    s
}

/// The disposition's reason.
pub fn reason_text(rf: &ReportFinding) -> String {
    match &rf.disposition {
        Disposition::Blocking { reason } | Disposition::Warning { reason } => reason.clone(),
        Disposition::Waived { reason, .. } => format!("waiver: {reason}"),
    }
}

/// Coverage of one verification as text lines: the counts, then each group of packages that
/// are not verified (`skipped (local path): a@1, b@2`). Verified packages are counted; JSON and
/// SARIF list them one by one.
pub fn coverage_lines(c: &crate::coverage::CheckCoverage) -> (String, Vec<String>) {
    let head = format!("{}: {}", c.check, c.counts_line());
    let groups = c
        .not_verified_groups()
        .into_iter()
        .map(|((status, reason), pkgs)| {
            let names: Vec<String> = pkgs
                .iter()
                .map(|p| format!("{}@{}", p.name, p.version))
                .collect();
            format!("{status} ({reason}): {}", names.join(", "))
        })
        .collect();
    (head, groups)
}

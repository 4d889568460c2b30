//! Policy: `tollgate.toml` → [`Config`] → evaluation of findings at an injected `now` → [`Report`].

pub mod approvals;
pub mod config;
pub mod init;
pub mod migrate;
pub mod provenance;

pub use config::{Action, Config, ConfigError, SlaConfig, Waiver};

use crate::finding::{Code, Finding, Severity};
pub use crate::report::{Disposition, SlaState};
use crate::report::{
    DispositionReason, FailReason, Report, ReportFinding, Summary, Verdict, WaiverNote,
};
use crate::time::{Duration, Timestamp};
use crate::vex::{VexAnalysis, VexStatement};

/// Inputs to an evaluation besides the findings.
#[derive(Debug, Clone, Default)]
pub struct EvalContext {
    /// The injected clock.
    pub now: Option<Timestamp>,
}

fn waiver_matches(w: &Waiver, f: &Finding) -> bool {
    let id_ok = f.ids.iter().any(|i| i.eq_ignore_ascii_case(&w.id))
        || f.code.kind() == w.id
        || f.code.id() == w.id
        || f.id == w.id;
    if !id_ok {
        return false;
    }
    let Some(pkg) = &f.package else {
        return w.package.is_none() && w.version.is_none();
    };
    if w.package.as_deref().is_some_and(|n| n != pkg.name) {
        return false;
    }
    if let Some(req) = &w.version {
        let Ok(req) = semver::VersionReq::parse(req) else {
            return false;
        };
        // A version that is not semver cannot be shown to be in range: the waiver does not apply.
        match semver::Version::parse(&pkg.version) {
            Ok(v) => req.matches(&v),
            Err(_) => false,
        }
    } else {
        true
    }
}

/// Evaluates findings against the policy at `now`: scope, waivers (with expiry), SLA ages,
/// threshold → a report with a verdict. Pure: no clock, no IO.
pub fn evaluate(config: &Config, findings: Vec<Finding>, now: Timestamp) -> Report {
    evaluate_with(
        config,
        findings,
        now,
        &approvals::ConsumedNonces::new(),
        &[],
    )
}

/// [`evaluate`], with the waiver-approval nonces consumed so far (from the audit log) and VEX
/// statements.
///
/// With `[policy] require-approved-waivers = true` a waiver applies only when approved
/// ([`approvals::check`]); the approvals used are in [`Report::approvals_used`]. A finding no
/// waiver of `tollgate.toml` accepts is waived by the first VEX statement that matches it and
/// waives ([`VexAnalysis::waives`]), with the statement as its disposition; statements that
/// match nothing, or match without waiving, are noted.
pub fn evaluate_with(
    config: &Config,
    findings: Vec<Finding>,
    now: Timestamp,
    consumed: &approvals::ConsumedNonces,
    vex: &[VexStatement],
) -> Report {
    let mut vex_used = vec![false; vex.len()];
    let approvers = approvals::Approvers::of(config);
    let mut used_approvals: Vec<approvals::UsedApproval> = Vec::new();
    let mut unapproved: Vec<crate::report::Note> = Vec::new();
    let mut unapproved_seen = vec![false; config.waivers.len()];
    let mut out: Vec<ReportFinding> = Vec::new();
    let mut summary = Summary::default();
    let mut waiver_used = vec![false; config.waivers.len()];
    let mut expired: Vec<WaiverNote> = Vec::new();
    let mut expired_seen = vec![false; config.waivers.len()];

    for mut f in findings {
        let action = config.action_for(f.code);
        if action == Action::Ignore {
            summary.ignored += 1;
            continue;
        }
        let dev = f.scopes.contains(&"dev");
        let optional = f.scopes.contains(&"optional");
        let in_scope = (config.include_dev || !dev)
            && (config.include_optional || !optional)
            && (!f.dev_optional || config.include_dev || config.include_optional);
        if !in_scope {
            summary.out_of_scope += 1;
            continue;
        }
        if let Some(s) = config.severity.get(f.code.kind()) {
            f.severity = *s;
        }
        let effective = if f.severity == Severity::Unknown {
            config.unknown_severity
        } else {
            f.severity
        };
        let sla = sla_state(config, &f, effective, now);
        let overdue = sla.as_ref().is_some_and(|s| s.overdue);

        // Waivers: the first matching, unexpired waiver applies; expired ones are reported.
        let mut waived_by: Option<usize> = None;
        for (i, w) in config.waivers.iter().enumerate() {
            let w = w.get_ref();
            if !waiver_matches(w, &f) {
                continue;
            }
            waiver_used[i] = true;
            let is_expired = w.expires.as_ref().is_some_and(|e| now >= e.end());
            if is_expired {
                if !expired_seen[i] {
                    expired_seen[i] = true;
                    expired.push(waiver_note(w, config.waivers[i].span().start));
                }
                continue;
            }
            if config.policy.require_approved_waivers {
                match approvals::check(w, effective, config, &approvers, consumed, now) {
                    Ok(used) => {
                        for u in used {
                            if !used_approvals.contains(&u) {
                                used_approvals.push(u);
                            }
                        }
                    }
                    Err(why) => {
                        if !unapproved_seen[i] {
                            unapproved_seen[i] = true;
                            unapproved.push(crate::report::Note::new(
                                crate::report::NoteCode::UnapprovedWaiver,
                                format!("waiver `{}` is not applied: {why}", w.id),
                            ));
                        }
                        continue;
                    }
                }
            }
            waived_by = Some(i);
            break;
        }

        // VEX: the first statement about this finding that waives it.
        let mut vex_by: Option<usize> = None;
        if waived_by.is_none()
            && let Some(pkg) = &f.package
            && !f.ids.is_empty()
        {
            for (i, s) in vex.iter().enumerate() {
                if s.matches(&f.ids, &pkg.purl, &pkg.id) {
                    vex_used[i] = true;
                    if s.analysis.waives() && vex_by.is_none() {
                        vex_by = Some(i);
                    }
                }
            }
        }

        let over = effective >= config.fail_on && effective > Severity::None;
        let disposition = if let Some(i) = waived_by {
            let w = config.waivers[i].get_ref();
            Disposition::Waived {
                waiver: w.id.clone(),
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.as_ref().map(|e| e.0.clone()),
                vex: None,
            }
        } else if let Some(i) = vex_by {
            let a = &vex[i].analysis;
            Disposition::Waived {
                waiver: a.source.clone(),
                reason: vex_reason(a),
                owner: None,
                expires: None,
                vex: Some(Box::new(a.clone())),
            }
        } else {
            match action {
                Action::Deny => Disposition::Blocking {
                    reason: DispositionReason::Denied { code: f.code },
                },
                Action::Warn => Disposition::Warning {
                    reason: DispositionReason::WarnOnly { code: f.code },
                },
                Action::Ignore | Action::Threshold => {
                    if !over {
                        Disposition::Warning {
                            reason: DispositionReason::BelowThreshold {
                                severity: effective,
                                fail_on: config.fail_on,
                            },
                        }
                    } else if config.fail_on_overdue && !overdue {
                        Disposition::Warning {
                            reason: match &sla {
                                Some(s) => DispositionReason::WithinSla {
                                    sla: s.sla,
                                    due: s.due,
                                },
                                None => DispositionReason::NoSla,
                            },
                        }
                    } else if overdue {
                        Disposition::Blocking {
                            reason: DispositionReason::OverThresholdAndOverdue {
                                severity: effective,
                                fail_on: config.fail_on,
                            },
                        }
                    } else {
                        Disposition::Blocking {
                            reason: DispositionReason::OverThreshold {
                                severity: effective,
                                fail_on: config.fail_on,
                            },
                        }
                    }
                }
            }
        };
        match &disposition {
            Disposition::Blocking { .. } => summary.blocking += 1,
            Disposition::Warning { .. } => summary.warnings += 1,
            Disposition::Waived { .. } => summary.waived += 1,
        }
        if overdue {
            summary.overdue += 1;
        }
        *summary.by_severity.entry(f.severity).or_insert(0) += 1;
        out.push(ReportFinding {
            finding: f,
            effective_severity: effective,
            disposition,
            sla,
        });
    }
    out.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.effective_severity),
            a.finding.sort_key(),
        )
            .cmp(&(
                std::cmp::Reverse(b.effective_severity),
                b.finding.sort_key(),
            ))
    });

    let stale: Vec<WaiverNote> = config
        .waivers
        .iter()
        .zip(&waiver_used)
        .filter(|(_, used)| !**used)
        .map(|(w, _)| waiver_note(w.get_ref(), w.span().start))
        .collect();

    let mut reasons = Vec::new();
    if summary.blocking > 0 {
        reasons.push(FailReason::BlockingFindings {
            count: summary.blocking,
            fail_on: config.fail_on,
            overdue_only: config.fail_on_overdue,
        });
    }
    let verdict = if reasons.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(reasons)
    };
    let mut notes = unapproved;
    notes.extend(vex.iter().zip(&vex_used).filter_map(|(s, used)| {
        let a = &s.analysis;
        let text = if !used {
            if !a.waives() {
                return None;
            }
            format!(
                "VEX {}: the statement on {} ({}) matches no finding",
                a.source,
                a.vulnerability,
                a.state.as_str()
            )
        } else if !a.waives() {
            format!(
                "VEX {}: {} is `{}`{}: the statement does not waive its findings",
                a.source,
                a.vulnerability,
                a.state.as_str(),
                if a.state == crate::vex::VexState::NotAffected {
                    " without a justification"
                } else {
                    ""
                }
            )
        } else {
            return None;
        };
        Some(crate::report::Note::new(crate::report::NoteCode::Vex, text))
    }));
    Report {
        generated_at: now,
        verdict,
        findings: out,
        summary,
        expired_waivers: expired,
        stale_waivers: stale,
        fail_on: config.fail_on,
        fail_on_overdue: config.fail_on_overdue,
        notes,
        approvals_used: used_approvals,
        ..Report::default()
    }
}

/// The English of a VEX waiver (`reason` of the disposition).
fn vex_reason(a: &VexAnalysis) -> String {
    let mut s = format!("VEX {}", a.state.as_str());
    if let Some(j) = a.justification {
        s.push_str(&format!(" ({})", j.as_str()));
    }
    if let Some(d) = a.detail.as_deref().filter(|d| !d.trim().is_empty()) {
        s.push_str(": ");
        s.push_str(d.trim());
    }
    s.push_str(&format!(" [{}]", a.source));
    s
}

fn sla_state(
    config: &Config,
    f: &Finding,
    effective: Severity,
    now: Timestamp,
) -> Option<SlaState> {
    if !matches!(f.code, Code::Vulnerability) {
        return None;
    }
    let adv = f.advisory.as_ref()?;
    // Some converted records carry a placeholder publication date (1970-01-01): a date at or
    // before the epoch is treated as unknown and the modification date is used instead.
    let valid = |s: &Option<String>| s.as_deref().and_then(Timestamp::parse).filter(|t| t.0 > 0);
    let published = valid(&adv.published).or_else(|| valid(&adv.modified))?;
    let fixed = adv.fixed_available.as_deref().and_then(Timestamp::parse);
    let started = match fixed {
        Some(t) if t > published => t,
        _ => published,
    };
    let sla = config.sla.for_severity(effective)?;
    let due = Timestamp(started.0 + sla.0);
    let age = Duration((now.0 - started.0).max(0));
    Some(SlaState {
        sla,
        started,
        due,
        age,
        overdue: now > due,
    })
}

/// The report's note about a waiver (`offset`: its byte offset in the config file).
fn waiver_note(w: &Waiver, offset: usize) -> WaiverNote {
    WaiverNote {
        id: w.id.clone(),
        package: w.package.clone(),
        reason: w.reason.clone(),
        owner: w.owner.clone(),
        expires: w.expires.as_ref().map(|e| e.0.clone()),
        offset,
    }
}

#[cfg(test)]
mod tests;

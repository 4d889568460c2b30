//! Shared wording for the human and Markdown renderers, so both show the same fields. Every
//! string from the inputs goes through the renderer's escaper ([`Esc`]); the wording around it
//! is the renderer's own.

use std::borrow::Cow;

use super::escape::Esc;
use crate::finding::{FixHint, VendoredThing};
use crate::policy::Disposition;
use crate::report::{DispositionReason, FailReason, ReportFinding};
use crate::time::Duration;

/// The English of a failed verdict's reason (every renderer, and the provenance note).
impl std::fmt::Display for FailReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailReason::BlockingFindings {
                count,
                fail_on,
                overdue_only,
            } => {
                write!(f, "{count} blocking finding(s)")?;
                if *overdue_only {
                    f.write_str(" past their SLA")
                } else {
                    write!(f, " at or above {fail_on}")
                }
            }
            FailReason::UnenforcedProvenance { policies } => write!(
                f,
                "[provenance] sets {policies} rule{} this run does not enforce: package rules need `check --verify-provenance`, artefact policies are enforced by `tollgate attest policy-check`; the gate fails rather than ignore {}",
                if *policies == 1 { "" } else { "s" },
                if *policies == 1 { "it" } else { "them" }
            ),
            FailReason::StaleDatabase {
                age_days: Some(d),
                max_age_days,
            } => write!(
                f,
                "the advisory database is {d} days old (limit {max_age_days} days) and fail-on-stale is set"
            ),
            FailReason::StaleDatabase { age_days: None, .. } => {
                f.write_str("the advisory database has no known date and fail-on-stale is set")
            }
        }
    }
}

/// The English of why a finding blocks or warns.
impl std::fmt::Display for DispositionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DispositionReason::Denied { code } => {
                write!(f, "policy denies `{}` findings", code.kind())
            }
            DispositionReason::WarnOnly { code } => {
                write!(f, "policy only warns on `{}` findings", code.kind())
            }
            DispositionReason::BelowThreshold { severity, fail_on } => {
                write!(f, "severity {severity} is below fail-on {fail_on}")
            }
            DispositionReason::WithinSla { sla, due } => write!(
                f,
                "within its {sla} SLA (due {}); fail-on-overdue is set",
                due.date_string()
            ),
            DispositionReason::NoSla => f.write_str("no SLA applies; fail-on-overdue is set"),
            DispositionReason::OverThresholdAndOverdue { severity, fail_on } => {
                write!(f, "severity {severity} ≥ fail-on {fail_on} and overdue")
            }
            DispositionReason::OverThreshold { severity, fail_on } => {
                write!(f, "severity {severity} ≥ fail-on {fail_on}")
            }
        }
    }
}

/// "upgrade to 1.2.3" / "no fixed version yet" / advice.
pub fn fix_text(f: &FixHint, esc: Esc) -> String {
    match f {
        FixHint::Upgrade { to } => format!("upgrade to {}", esc(to)),
        FixHint::NoFix => "no fixed version yet".to_owned(),
        FixHint::AddIntegrity => {
            "regenerate the lockfile so every entry has an integrity".to_owned()
        }
        FixHint::PinGitRev => "pin the git dependency to a full commit".to_owned(),
        advice => esc(&hint_text(advice)).into_owned(),
    }
}

/// The English of a hint, unescaped (the renderer escapes it as a whole; the JSON report
/// writes it as `advice` and `fix_hint.text`).
pub fn hint_text(f: &FixHint) -> String {
    match f {
        FixHint::Upgrade { to } => format!("upgrade to {to}"),
        FixHint::NoFix => "no fixed version yet".to_owned(),
        FixHint::AddIntegrity => {
            "regenerate the lockfile so every entry has an integrity".to_owned()
        }
        FixHint::PinGitRev => "pin the git dependency to a full commit".to_owned(),
        FixHint::UseHttps => "use an https:// URL".to_owned(),
        FixHint::ReviewInstallScript => {
            "review the script, then allow the package or use --ignore-scripts".to_owned()
        }
        FixHint::RevokeCredential => {
            "revoke the credential and keep it out of the lockfile".to_owned()
        }
        FixHint::UseAllowedSource => {
            "resolve the package from an allowed registry, or allow the source in tollgate.toml"
                .to_owned()
        }
        FixHint::VendorOrPublish { what } => {
            let what = match what {
                VendoredThing::Package => "package",
                VendoredThing::Crate => "crate",
            };
            format!("vendor the {what} into the repository or publish it to a registry")
        }
        FixHint::UpgradeFromYanked => "upgrade to a version that is not yanked".to_owned(),
        FixHint::ReplaceDeprecated => {
            "upgrade or replace the package as the deprecation message says".to_owned()
        }
        FixHint::HashArtifact => {
            "run again online (or with --artifact-cache) so that the artifact can be hashed"
                .to_owned()
        }
        FixHint::InvestigateHashMismatch => "find out which side changed; regenerate the lockfile only from a trusted registry and review the diff".to_owned(),
        FixHint::RequestProvenance => "ask the maintainers to publish with provenance (npm publish --provenance), move to a version that has it, or waive the finding".to_owned(),
        FixHint::InvestigateTampering => "treat the version as tampered with until shown otherwise: do not install it; compare the lockfile and the registry, and report it".to_owned(),
        FixHint::ReviewProvenancePolicy => "compare how the version was built (builder, repository, ref) with its [provenance.packages] policy; change the policy only if the new build is legitimate".to_owned(),
        FixHint::ResolveFromSigningRegistry => "re-resolve the package from the registry that signs it and find out why this copy carries no signature".to_owned(),
        FixHint::CheckRegistryUrl => "check the registry URL (--registry-url-npm / --registry-url-cargo, .npmrc), or move to a published version".to_owned(),
        FixHint::RegenerateLockfile { command } => {
            format!("regenerate the lockfile with {}", command)
        }
        FixHint::UpdateLockfile {
            command,
            lockfile,
            any_unlocked_cargo_command,
        } => format!(
            "run `{}`{} and commit {}",
            command,
            if *any_unlocked_cargo_command {
                " (or any cargo command without --locked)"
            } else {
                ""
            },
            lockfile
        ),
        FixHint::FixManifest => "fix the manifest".to_owned(),
        FixHint::RestoreMember { dir } => format!(
            "restore {}/Cargo.toml, or remove it from the workspace and run `cargo update --workspace`",
            dir
        ),
    }
}

/// The state column: blocking / warning / waived (+ overdue / SLA due). A waived finding shows
/// its SLA state without alarm (`waived until 2027-01-31 (SLA 7d: 12d past due)`): the waiver
/// already answers it; only findings that still count say `OVERDUE`.
pub fn state_text(rf: &ReportFinding, esc: Esc) -> String {
    let mut s = match &rf.disposition {
        Disposition::Blocking { .. } => "BLOCKING".to_owned(),
        Disposition::Warning { .. } => "warning".to_owned(),
        Disposition::Waived { vex: Some(_), .. } => "waived by VEX".to_owned(),
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
            esc(&reason.to_string()).into_owned()
        }
        Disposition::Waived {
            reason,
            vex: Some(_),
            ..
        } => esc(reason).into_owned(),
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

/// `--explain`: the off-the-shelf commands that re-check what was verified, one per line with
/// its note, under a heading (empty when there are none).
pub fn rechecks(list: &[crate::report::Recheck]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut s = String::from("re-check without tollgate:\n");
    for r in list {
        let about = match &r.package {
            Some(p) => format!("{}@{}", p.name, p.version),
            None => "the project".to_owned(),
        };
        s.push_str(&format!(
            "  {} ({about}):\n    {}\n",
            r.check,
            crate::render::escape::visible(&r.command.command_line())
        ));
        if let Some(n) = &r.command.note {
            s.push_str(&format!("    # {}\n", crate::render::escape::visible(n)));
        }
    }
    s
}

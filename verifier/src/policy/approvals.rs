//! Which waivers are approved (`[policy] require-approved-waivers = true`): an approval counts
//! when it is signed by an approver key of the policy over this waiver, and its nonce is either
//! unused and the approval at most [`MAX_APPROVAL_AGE`] old, or already consumed by this same
//! waiver (recorded in the audit log at its first use). A nonce consumed by another waiver is a
//! replay. Waivers of `critical` findings need `critical-approvals` distinct approvers. Pure:
//! the consumed nonces are loaded before (`evidence::consumed_nonces`), `now` is given.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_attest::PublicKey;
use tollgate_attest::approval::{self, Approval, Claim};

use super::config::{Config, Waiver};
use crate::finding::Severity;
use crate::time::Timestamp;

/// The oldest an unused approval may be at its first use: 24 hours.
pub const MAX_APPROVAL_AGE: i64 = 24 * 3600;

/// Clock skew tolerated for an `approved-at` in the future.
const MAX_SKEW: i64 = 300;

/// Nonces consumed so far: nonce → the waiver digest it was consumed by.
pub type ConsumedNonces = BTreeMap<String, String>;

/// An approval used by this run (its nonce is to be recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedApproval {
    /// The nonce.
    pub nonce: String,
    /// The waiver's digest (`tollgate_attest::approval::waiver_digest`).
    pub waiver: String,
    /// The approver's key id.
    pub kid: String,
    /// `true` when this run is its first use.
    pub first_use: bool,
}

/// The approvers' keys, parsed once (validated when the config was read).
pub struct Approvers {
    keys: Vec<PublicKey>,
}

impl Approvers {
    /// The keys of `config`'s `[[policy.approver]]`.
    pub fn of(config: &Config) -> Approvers {
        Approvers {
            keys: config
                .policy
                .approvers
                .iter()
                .filter_map(|a| PublicKey::from_pem(&a.public_key).ok())
                .collect(),
        }
    }
}

/// The digest identifying `w` (what a consumed nonce is bound to).
pub fn waiver_digest(w: &Waiver) -> String {
    approval::waiver_digest(
        &w.id,
        w.package.as_deref().unwrap_or(""),
        &w.reason,
        w.expires.as_ref().map_or("", |e| e.0.as_str()),
    )
}

/// Whether `w` is approved for a finding of `severity` at `now`: the approvals it uses, or why
/// it is not approved (one problem per approval that did not count, and the count).
pub fn check(
    w: &Waiver,
    severity: Severity,
    config: &Config,
    approvers: &Approvers,
    consumed: &ConsumedNonces,
    now: Timestamp,
) -> Result<Vec<UsedApproval>, String> {
    let digest = waiver_digest(w);
    let needed = if severity == Severity::Critical {
        config.policy.critical_approvals.max(1) as usize
    } else {
        1
    };
    let mut problems = Vec::new();
    let mut used = Vec::new();
    let mut signers = BTreeSet::new();
    for (n, a) in w.approvals.iter().enumerate() {
        let n = n + 1;
        let claim = Claim {
            advisory: &w.id,
            package: w.package.as_deref().unwrap_or(""),
            reason: &w.reason,
            expires: w.expires.as_ref().map_or("", |e| e.0.as_str()),
            nonce: &a.nonce,
            approved_at: &a.approved_at,
        };
        let signed = Approval {
            kid: a.kid.clone(),
            nonce: a.nonce.clone(),
            approved_at: a.approved_at.clone(),
            signature: a.signature.clone(),
        };
        let who = match approval::verify(&claim, &signed, &approvers.keys) {
            Ok(i) => i,
            Err(e) => {
                problems.push(format!("approval {n}: {e}"));
                continue;
            }
        };
        let first_use = match consumed.get(&a.nonce) {
            Some(d) if *d == digest => false,
            Some(_) => {
                problems.push(format!(
                    "approval {n}: nonce {} was already consumed by another waiver (a replayed approval)",
                    a.nonce
                ));
                continue;
            }
            None => {
                let Some(at) = Timestamp::parse(&a.approved_at) else {
                    problems.push(format!("approval {n}: approved-at is not a time"));
                    continue;
                };
                let age = now.0 - at.0;
                if age > MAX_APPROVAL_AGE {
                    problems.push(format!(
                        "approval {n}: approved {} h ago; an approval counts only if at most 24 h old at its first use (a stale approval)",
                        age / 3600
                    ));
                    continue;
                }
                if age < -MAX_SKEW {
                    problems.push(format!("approval {n}: approved-at is in the future"));
                    continue;
                }
                true
            }
        };
        if signers.insert(who) {
            used.push(UsedApproval {
                nonce: a.nonce.clone(),
                waiver: digest.clone(),
                kid: a.kid.clone(),
                first_use,
            });
        }
    }
    if signers.len() >= needed {
        return Ok(used);
    }
    let mut why = if needed > 1 {
        format!(
            "{} of {needed} distinct approvers required for a critical finding",
            signers.len()
        )
    } else if w.approvals.is_empty() {
        "no [[waiver.approval]]".to_owned()
    } else {
        "no valid approval".to_owned()
    };
    for p in problems {
        why.push_str("; ");
        why.push_str(&p);
    }
    Err(why)
}

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
pub use crate::report::UsedApproval;
use crate::time::Timestamp;

/// The oldest an unused approval may be at its first use: 24 hours.
pub const MAX_APPROVAL_AGE: i64 = 24 * 3600;

/// Clock skew tolerated for an `approved-at` in the future.
const MAX_SKEW: i64 = 300;

/// Nonces consumed so far: nonce → the waiver digest it was consumed by.
pub type ConsumedNonces = BTreeMap<String, String>;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::config::{Approver, WaiverApproval, WaiverDate};
    use tollgate_attest::PrivateKey;
    use tollgate_attest::keys::GenerateAlgorithm;

    fn waiver() -> Waiver {
        Waiver {
            id: "RUSTSEC-2020-0071".into(),
            package: Some("time".into()),
            version: None,
            reason: "r".into(),
            owner: None,
            expires: Some(WaiverDate("2026-06-01".into())),
            approvals: Vec::new(),
        }
    }

    fn approve(w: &Waiver, k: &PrivateKey, nonce: &str, at: &str) -> WaiverApproval {
        let a = approval::sign(
            &Claim {
                advisory: &w.id,
                package: "time",
                reason: &w.reason,
                expires: "2026-06-01",
                nonce,
                approved_at: at,
            },
            k,
        )
        .unwrap();
        WaiverApproval {
            kid: a.kid,
            nonce: a.nonce,
            approved_at: a.approved_at,
            signature: a.signature,
        }
    }

    #[test]
    fn fresh_consumed_stale_replayed_forged_and_counted() {
        let alice = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let bob = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let mut config = Config::default();
        config.policy.require_approved_waivers = true;
        config.policy.critical_approvals = 2;
        for (n, k) in [("alice", &alice), ("bob", &bob)] {
            config.policy.approvers.push(Approver {
                name: n.into(),
                public_key: k.public_key().to_pem(),
            });
        }
        let approvers = Approvers::of(&config);
        let now = Timestamp::parse("2026-03-01T12:00:00Z").unwrap();
        let mut w = waiver();
        w.approvals = vec![approve(&w, &alice, "n1", "2026-03-01T00:00:00Z")];
        let none = ConsumedNonces::new();
        let used = check(&w, Severity::High, &config, &approvers, &none, now).unwrap();
        assert!(used[0].first_use);
        // Two days later: stale unless consumed by this waiver.
        let later = Timestamp::parse("2026-03-03T00:00:00Z").unwrap();
        let e = check(&w, Severity::High, &config, &approvers, &none, later).unwrap_err();
        assert!(e.contains("a stale approval"), "{e}");
        let mine = ConsumedNonces::from([("n1".into(), waiver_digest(&w))]);
        let used = check(&w, Severity::High, &config, &approvers, &mine, later).unwrap();
        assert!(!used[0].first_use);
        let theirs = ConsumedNonces::from([("n1".into(), "ff".repeat(32))]);
        let e = check(&w, Severity::High, &config, &approvers, &theirs, now).unwrap_err();
        assert!(e.contains("a replayed approval"), "{e}");
        // Critical: two distinct approvers.
        let e = check(&w, Severity::Critical, &config, &approvers, &none, now).unwrap_err();
        assert!(e.starts_with("1 of 2 distinct approvers"), "{e}");
        w.approvals
            .push(approve(&w, &bob, "n2", "2026-03-01T00:00:00Z"));
        assert_eq!(
            check(&w, Severity::Critical, &config, &approvers, &none, now)
                .unwrap()
                .len(),
            2
        );
        // A key that is not an approver.
        let mallory = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        w.approvals = vec![approve(&w, &mallory, "n3", "2026-03-01T00:00:00Z")];
        let e = check(&w, Severity::High, &config, &approvers, &none, now).unwrap_err();
        assert!(e.contains("not an approver of the policy"), "{e}");
    }
}

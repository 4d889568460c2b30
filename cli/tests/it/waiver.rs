//! Signed waiver approvals: `[policy] require-approved-waivers`, `tollgate waiver approve`,
//! nonces recorded in the audit log; every way an approval must not count (stale, forged,
//! replayed, tampered, too few approvers for a critical finding), each beside its twin that does.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{render, tollgate};

const REASON: &str = "accepted for the test";

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    /// `cargo-v1-root` (three blocking vulnerabilities) with approvers `alice` and `bob` and a
    /// gate key; `policy_extra` goes into `[policy]`, `top` before it.
    fn new() -> Case {
        let dir = tempfile::tempdir().unwrap();
        let src = crate::testdata().join("cargo-v1-root/Cargo.lock");
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::copy(src, dir.path().join("app/Cargo.lock")).unwrap();
        for k in ["alice", "bob", "mallory", "gate"] {
            let out = tollgate()
                .args(["key", "generate", "--out"])
                .arg(dir.path().join(k))
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        }
        Case { dir }
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Signs the test waiver (reason `reason`) as `who` at `at`, with `nonce`.
    fn approve(&self, who: &str, reason: &str, at: &str, nonce: &str) -> String {
        let out = tollgate()
            .args(["waiver", "approve", "--key"])
            .arg(self.p(&format!("{who}.key")))
            .args([
                "--id",
                "vulnerability",
                "--reason",
                reason,
                "--expires",
                "2026-06-01",
            ])
            .args(["--now", at, "--nonce", nonce])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Writes tollgate.toml: the approvers, `extra` in `[policy]`, `top` at the top, and the
    /// waiver (reason `reason`) with `approvals`.
    fn policy(&self, top: &str, extra: &str, reason: &str, approvals: &[String]) {
        let key = |k: &str| std::fs::read_to_string(self.p(&format!("{k}.pub"))).unwrap();
        let text = format!(
            "{top}\n[policy]\nrequire-approved-waivers = true\n{extra}\n\
             [[policy.approver]]\nname = \"alice\"\npublic-key = \"\"\"\n{}\"\"\"\n\
             [[policy.approver]]\nname = \"bob\"\npublic-key = \"\"\"\n{}\"\"\"\n\n\
             [[waiver]]\nid = \"vulnerability\"\nreason = \"{reason}\"\nexpires = \"2026-06-01\"\n{}",
            key("alice"),
            key("bob"),
            approvals.concat()
        );
        std::fs::write(self.p("tollgate.toml"), text).unwrap();
    }

    fn check(&self, now: &str, log: Option<&Path>) -> Output {
        let mut c = tollgate();
        c.current_dir(self.dir.path()).args([
            "check",
            "app",
            "--config",
            "tollgate.toml",
            "--now",
            now,
            "--format",
            "json",
        ]);
        if let Some(log) = log {
            c.arg("--audit-log")
                .arg(log)
                .arg("--key")
                .arg(self.p("gate.key"));
        }
        c.output().unwrap()
    }
}

fn notes(out: &Output) -> String {
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", render(out)));
    v["notes_typed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "unapproved-waiver")
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn last_record(log: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(log).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[test]
fn an_approved_waiver_applies_and_its_nonce_is_recorded_once() {
    let c = Case::new();
    let a = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-1");
    assert!(
        a.contains("[[waiver.approval]]\nkid = \"") && a.contains("nonce = \"n-1\""),
        "{a}"
    );
    c.policy("", "", REASON, &[a]);
    let log = c.p("audit.jsonl");
    let out = c.check("2026-03-01T12:00:00Z", Some(&log));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let r = last_record(&log);
    assert_eq!(r["verdict"], "PASSED");
    assert_eq!(r["approvals"][0]["nonce"], "n-1");
    assert_eq!(r["approvals"][0]["firstUse"], true);
    // A week later: no longer fresh, but consumed by this very waiver, so it still counts.
    let out = c.check("2026-03-08T00:00:00Z", Some(&log));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(last_record(&log)["approvals"][0]["firstUse"], false);
    // The log's chain holds the records.
    let out = tollgate()
        .args(["audit", "verify"])
        .arg(&log)
        .arg("--key")
        .arg(c.p("gate.pub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

#[test]
fn a_stale_approval_does_not_count() {
    let c = Case::new();
    let a = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-1");
    c.policy("", "", REASON, &[a]);
    let out = c.check("2026-03-02T01:00:00Z", Some(&c.p("audit.jsonl")));
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let n = notes(&out);
    assert!(n.contains("waiver `vulnerability` is not applied: no valid approval; approval 1: approved 25 h ago; an approval counts only if at most 24 h old at its first use (a stale approval)"), "{n}");
    // Twin: 23 h after the approval it counts.
    let out = c.check("2026-03-01T23:00:00Z", Some(&c.p("audit2.jsonl")));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

#[test]
fn a_forged_or_tampered_approval_does_not_count() {
    let c = Case::new();
    let forged = c.approve("mallory", REASON, "2026-03-01T00:00:00Z", "n-1");
    c.policy("", "", REASON, &[forged]);
    let out = c.check("2026-03-01T01:00:00Z", Some(&c.p("audit.jsonl")));
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        notes(&out).contains("which is not an approver of the policy"),
        "{}",
        notes(&out)
    );
    // Alice's approval, with the waiver's reason changed after she signed.
    let a = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-2");
    c.policy("", "", "a different reason", std::slice::from_ref(&a));
    let out = c.check("2026-03-01T01:00:00Z", Some(&c.p("audit.jsonl")));
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        notes(&out).contains("does not verify over this waiver"),
        "{}",
        notes(&out)
    );
    // Twin: the waiver she signed.
    c.policy("", "", REASON, &[a]);
    assert_eq!(
        c.check("2026-03-01T01:00:00Z", Some(&c.p("audit.jsonl")))
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_nonce_consumed_by_one_waiver_is_refused_on_another() {
    let c = Case::new();
    let log = c.p("audit.jsonl");
    let a = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-1");
    c.policy("", "", REASON, &[a]);
    assert_eq!(
        c.check("2026-03-01T01:00:00Z", Some(&log)).status.code(),
        Some(0)
    );
    // The same approver signs another waiver with the consumed nonce: a replay.
    let b = c.approve("alice", "another reason", "2026-03-01T02:00:00Z", "n-1");
    c.policy("", "", "another reason", &[b]);
    let out = c.check("2026-03-01T03:00:00Z", Some(&log));
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        notes(&out)
            .contains("nonce n-1 was already consumed by another waiver (a replayed approval)"),
        "{}",
        notes(&out)
    );
    // Twin: on a log where the nonce is unused, the same approval counts.
    assert_eq!(
        c.check("2026-03-01T03:00:00Z", Some(&c.p("fresh.jsonl")))
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_critical_waiver_needs_two_distinct_approvers() {
    let c = Case::new();
    let top = "[severity]\nvulnerability = \"critical\"";
    let a1 = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-1");
    let a2 = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-2");
    let b = c.approve("bob", REASON, "2026-03-01T00:00:00Z", "n-3");
    c.policy(top, "critical-approvals = 2", REASON, &[a1.clone(), a2]);
    let out = c.check("2026-03-01T01:00:00Z", Some(&c.p("a.jsonl")));
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        notes(&out).contains("1 of 2 distinct approvers required for a critical finding"),
        "{}",
        notes(&out)
    );
    c.policy(top, "critical-approvals = 2", REASON, &[a1, b]);
    let out = c.check("2026-03-01T01:00:00Z", Some(&c.p("b.jsonl")));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(
        last_record(&c.p("b.jsonl"))["approvals"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn required_approvals_without_an_audit_log_or_approver_are_refused() {
    let c = Case::new();
    let a = c.approve("alice", REASON, "2026-03-01T00:00:00Z", "n-1");
    c.policy("", "", REASON, &[a]);
    let out = c.check("2026-03-01T01:00:00Z", None);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("require-approved-waivers needs --audit-log"),
        "{}",
        render(&out)
    );
    std::fs::write(
        c.p("tollgate.toml"),
        "[policy]\nrequire-approved-waivers = true\n",
    )
    .unwrap();
    let out = c.check("2026-03-01T01:00:00Z", Some(&c.p("a.jsonl")));
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("needs at least one [[policy.approver]]"),
        "{}",
        render(&out)
    );
    std::fs::write(
        c.p("tollgate.toml"),
        "[[policy.approver]]\nname = \"x\"\npublic-key = \"nope\"\n",
    )
    .unwrap();
    let out = c.check("2026-03-01T01:00:00Z", Some(&c.p("a.jsonl")));
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("[[policy.approver]] 1 (`x`): public-key"),
        "{}",
        render(&out)
    );
}

//! The evidence a gate run leaves: the facts a Verification Summary Attestation and an audit-log
//! record state about it ([`Evidence`], collected once by [`collect`]), the VSA statement
//! ([`Evidence::vsa`]) and the record's body ([`Evidence::audit_body`]).
//!
//! Signing, the DSSE envelope and the chain are `tollgate_attest`'s (`dsse`, `audit`); this
//! module only says what a run of *this* gate means: subjects are the lockfiles checked (by
//! SHA-256 of their bytes), the policy is the effective `tollgate.toml` (after defaults and
//! command-line overrides, as RFC 8785 JSON), the report is the `--format json` document, and
//! the advisory database is named by origin and snapshot date.

use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use tollgate_attest::DigestSet;
use tollgate_attest::digest::to_hex;
use tollgate_attest::slsa::VsaIssue;

use std::path::Path;

use crate::fsio::{self, ReadError};
use crate::gate::{CheckInput, Run};
use crate::policy::approvals::{ConsumedNonces, UsedApproval};
use crate::time::Timestamp;

/// `verifier.id` of the VSAs and records tollgate issues.
pub const VERIFIER_ID: &str = "https://tollgate.dev/verifier/check/v1";

/// One artefact the verdict is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The lockfile as the report shows it.
    pub name: String,
    /// SHA-256 of its bytes (hex).
    pub sha256: String,
}

/// What a run decided, and about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The lockfiles checked.
    pub subjects: Vec<Subject>,
    /// SHA-256 (hex) of the effective policy's RFC 8785 JSON form.
    pub policy_digest: String,
    /// SHA-256 (hex) of the JSON report (`--format json`).
    pub report_digest: String,
    /// The advisory database: origin and snapshot date (`embedded@2026-02-01`).
    pub database: Option<String>,
    /// The verdict.
    pub passed: bool,
    /// `now` of the run (RFC 3339).
    pub time: String,
    /// Waiver approvals the verdict relied on (their nonces are recorded).
    pub approvals: Vec<UsedApproval>,
}

/// Why evidence could not be collected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// A lockfile could not be read again for its digest.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The effective policy has no canonical JSON form.
    #[error("the effective policy cannot be digested: {0}")]
    Policy(String),
    /// The JSON report could not be rendered.
    #[error("the JSON report cannot be rendered: {0}")]
    Report(#[from] std::io::Error),
    /// The audit log could not be read for its consumed nonces.
    #[error("audit log {0}")]
    Log(String),
}

/// Collects the evidence of `run`, which ran `input` at `now`. `report_json` is the report as
/// [`crate::render::json::render`] wrote it, when the caller has it already (it is rendered
/// here otherwise).
pub fn collect(
    input: &CheckInput,
    run: &Run,
    now: Timestamp,
    report_json: Option<&[u8]>,
) -> Result<Evidence, EvidenceError> {
    let mut subjects = Vec::with_capacity(run.graph.lockfiles.len());
    for l in &run.graph.lockfiles {
        let bytes = fsio::read_regular(&l.path, input.max_file_size)?;
        subjects.push(Subject {
            name: l.display.clone(),
            sha256: to_hex(&Sha256::digest(&bytes)),
        });
    }
    let policy = serde_json::to_value(&input.config)
        .map_err(|e| EvidenceError::Policy(e.to_string()))
        .and_then(|v| {
            tollgate_attest::jcs::to_jcs(&v).map_err(|e| EvidenceError::Policy(e.to_string()))
        })?;
    let mut rendered = Vec::new();
    let report = match report_json {
        Some(r) => r,
        None => {
            crate::render::json::render(&run.report, &mut rendered)?;
            &rendered
        }
    };
    let database = run
        .report
        .database
        .as_ref()
        .map(|d| format!("{}@{}", d.origin, d.updated.as_deref().unwrap_or("unknown")));
    Ok(Evidence {
        subjects,
        policy_digest: to_hex(&Sha256::digest(&policy)),
        report_digest: to_hex(&Sha256::digest(report)),
        database,
        passed: run.report.verdict.passed(),
        time: now.rfc3339(),
        approvals: run.report.approvals_used.clone(),
    })
}

fn sha256(hex: &str) -> DigestSet {
    DigestSet::from_entries([("sha256".to_owned(), hex.to_owned())].into())
}

/// `s` with every byte outside printable ASCII, and `%`, percent-encoded: record strings must be
/// printable ASCII (see `tollgate_attest::audit`), and this keeps them readable and unique.
pub fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Evidence {
    /// `PASSED` or `FAILED`.
    pub fn verdict(&self) -> &'static str {
        if self.passed { "PASSED" } else { "FAILED" }
    }

    /// The VSA v1 statement about this run, for the resource `resource_uri`; `keyid` is the id
    /// of the key that will sign it (stated in the predicate as well).
    pub fn vsa(&self, resource_uri: &str, keyid: &str) -> Value {
        let mut extra = Map::new();
        extra.insert(
            "tollgate".into(),
            json!({
                "reportDigest": {"sha256": self.report_digest},
                "advisoryDatabase": self.database,
                "keyid": keyid,
            }),
        );
        tollgate_attest::slsa::vsa::issue(&VsaIssue {
            subjects: self
                .subjects
                .iter()
                .map(|s| (s.name.clone(), sha256(&s.sha256)))
                .collect(),
            verifier_id: VERIFIER_ID.into(),
            verifier_version: [("tollgate".to_owned(), env!("CARGO_PKG_VERSION").to_owned())]
                .into(),
            time_verified: self.time.clone(),
            resource_uri: resource_uri.into(),
            policy_uri: "https://tollgate.dev/policy/effective-tollgate-toml".into(),
            policy_digest: sha256(&self.policy_digest),
            passed: self.passed,
            verified_levels: Vec::new(),
            extra,
        })
    }

    /// The body of this run's audit record: what the log adds `seq`, `prevHash`, `signedAt`,
    /// `kid`, `thisHash` and `signature` to. `vsa_sha256` is the digest of the VSA statement
    /// (the DSSE payload).
    pub fn audit_body(&self, resource_uri: &str, vsa_sha256: &str) -> Map<String, Value> {
        let subjects: Vec<Value> = self
            .subjects
            .iter()
            .map(|s| json!({"name": plain(&s.name), "digest": {"sha256": s.sha256}}))
            .collect();
        let mut m = Map::new();
        m.insert("command".into(), "check".into());
        m.insert(
            "verifier".into(),
            json!({"id": VERIFIER_ID, "version": env!("CARGO_PKG_VERSION")}),
        );
        m.insert("verdict".into(), self.verdict().into());
        m.insert("resourceUri".into(), plain(resource_uri).into());
        m.insert("subjects".into(), subjects.into());
        m.insert("policyDigest".into(), json!({"sha256": self.policy_digest}));
        m.insert("reportDigest".into(), json!({"sha256": self.report_digest}));
        m.insert("vsaDigest".into(), json!({"sha256": vsa_sha256}));
        if let Some(d) = &self.database {
            m.insert("advisoryDatabase".into(), plain(d).into());
        }
        m.insert("time".into(), self.time.clone().into());
        if !self.approvals.is_empty() {
            let a: Vec<Value> = self
                .approvals
                .iter()
                .map(|u| json!({"nonce": plain(&u.nonce), "waiver": u.waiver, "kid": plain(&u.kid), "firstUse": u.first_use}))
                .collect();
            m.insert("approvals".into(), a.into());
        }
        m
    }
}

/// `verifier.id` of the VSAs and records the verification commands (`attest verify*`, `sbom
/// verify`) issue.
pub const VERIFY_VERIFIER_ID: &str = "https://tollgate.dev/verifier/verify/v1";

/// The policy a verification was held to: a URI and the SHA-256 (hex) of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// `policy.uri`.
    pub uri: String,
    /// SHA-256 (hex).
    pub sha256: String,
}

impl PolicyRef {
    /// A policy file, by its bytes (`file:` URI).
    pub fn file(path: &Path, cap: u64) -> Result<PolicyRef, EvidenceError> {
        let bytes = fsio::read_regular(path, cap)?;
        Ok(PolicyRef {
            uri: format!("file:{}", path.display()),
            sha256: to_hex(&Sha256::digest(&bytes)),
        })
    }

    /// The expectations given on the command line of `command` (flag → value, as a JSON
    /// object), by the SHA-256 of their RFC 8785 form; the URI names the command.
    pub fn expectations(command: &str, expected: &Value) -> Result<PolicyRef, EvidenceError> {
        let jcs = tollgate_attest::jcs::to_jcs(expected)
            .map_err(|e| EvidenceError::Policy(e.to_string()))?;
        Ok(PolicyRef {
            uri: format!(
                "https://tollgate.dev/policy/command-line/{}",
                command.replace(' ', "/")
            ),
            sha256: to_hex(&Sha256::digest(&jcs)),
        })
    }
}

impl Subject {
    /// A file, by the SHA-256 of its bytes (at most `cap`; regular files only).
    pub fn of_file(path: &Path, cap: u64) -> Result<Subject, EvidenceError> {
        let bytes = fsio::read_regular(path, cap)?;
        Ok(Subject {
            name: path.display().to_string(),
            sha256: to_hex(&Sha256::digest(&bytes)),
        })
    }
}

/// What a verification command (`attest verify*`, `sbom verify`) decided, and about what: the
/// evidence of its receipts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The command, e.g. `attest verify-provenance`.
    pub command: String,
    /// The files checked: attestations, bundles, artefacts, SBOMs, signatures.
    pub subjects: Vec<Subject>,
    /// The policy the verification was held to.
    pub policy: PolicyRef,
    /// Whether it verified.
    pub passed: bool,
    /// When (RFC 3339).
    pub time: String,
}

impl Verification {
    /// `PASSED` or `FAILED`.
    pub fn verdict(&self) -> &'static str {
        if self.passed { "PASSED" } else { "FAILED" }
    }

    /// The VSA v1 statement of this verification; `keyid` is the id of the key that will sign
    /// it (stated in the predicate as well).
    pub fn vsa(&self, resource_uri: &str, keyid: &str) -> Value {
        let mut extra = Map::new();
        extra.insert(
            "tollgate".into(),
            json!({"command": self.command, "keyid": keyid}),
        );
        tollgate_attest::slsa::vsa::issue(&VsaIssue {
            subjects: self
                .subjects
                .iter()
                .map(|s| (s.name.clone(), sha256(&s.sha256)))
                .collect(),
            verifier_id: VERIFY_VERIFIER_ID.into(),
            verifier_version: [("tollgate".to_owned(), env!("CARGO_PKG_VERSION").to_owned())]
                .into(),
            time_verified: self.time.clone(),
            resource_uri: resource_uri.into(),
            policy_uri: self.policy.uri.clone(),
            policy_digest: sha256(&self.policy.sha256),
            passed: self.passed,
            verified_levels: Vec::new(),
            extra,
        })
    }

    /// The body of this verification's audit record (what the log adds `seq`, `prevHash`,
    /// `signedAt`, `kid`, `thisHash` and `signature` to); `vsa_sha256` is the digest of the
    /// VSA statement.
    pub fn audit_body(&self, resource_uri: &str, vsa_sha256: &str) -> Map<String, Value> {
        let subjects: Vec<Value> = self
            .subjects
            .iter()
            .map(|s| json!({"name": plain(&s.name), "digest": {"sha256": s.sha256}}))
            .collect();
        let mut m = Map::new();
        m.insert("command".into(), plain(&self.command).into());
        m.insert(
            "verifier".into(),
            json!({"id": VERIFY_VERIFIER_ID, "version": env!("CARGO_PKG_VERSION")}),
        );
        m.insert("verdict".into(), self.verdict().into());
        m.insert("resourceUri".into(), plain(resource_uri).into());
        m.insert("subjects".into(), subjects.into());
        m.insert(
            "policy".into(),
            json!({"uri": plain(&self.policy.uri), "digest": {"sha256": self.policy.sha256}}),
        );
        m.insert("policyDigest".into(), json!({"sha256": self.policy.sha256}));
        m.insert("vsaDigest".into(), json!({"sha256": vsa_sha256}));
        m.insert("time".into(), self.time.clone().into());
        m
    }
}

/// The waiver-approval nonces the audit log at `path` records as consumed (`approvals` of its
/// records): nonce → waiver digest. A missing log has none. The chain itself is `audit
/// verify`'s to check; a line that is not JSON is an error naming it, except a torn last line
/// (which the append refuses anyway).
pub fn consumed_nonces(path: &Path) -> Result<ConsumedNonces, EvidenceError> {
    let mut out = ConsumedNonces::new();
    // Probed first: opening a FIFO for reading would block.
    match fsio::probe(path)? {
        fsio::Probe::Absent => return Ok(out),
        fsio::Probe::NotRegular(kind) => {
            return Err(EvidenceError::Log(format!(
                "{}: not a regular file ({kind})",
                path.display()
            )));
        }
        fsio::Probe::Regular => {}
    }
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(EvidenceError::Log(format!("{}: {e}", path.display()))),
    };
    let mut r = std::io::BufReader::new(f);
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let k = std::io::BufRead::read_until(&mut r, b'\n', &mut line)
            .map_err(|e| EvidenceError::Log(format!("{}: {e}", path.display())))?;
        if k == 0 || line.last() != Some(&b'\n') {
            return Ok(out);
        }
        n += 1;
        let v: Value = serde_json::from_slice(&line).map_err(|e| {
            EvidenceError::Log(format!("{}:{n}: not an audit record: {e}", path.display()))
        })?;
        for a in v["approvals"].as_array().into_iter().flatten() {
            if let (Some(nonce), Some(w)) = (a["nonce"].as_str(), a["waiver"].as_str()) {
                out.entry(nonce.to_owned()).or_insert_with(|| w.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_attest::audit::record;

    fn ev(passed: bool) -> Evidence {
        Evidence {
            subjects: vec![Subject {
                name: "a/Cargo.lock".into(),
                sha256: "ab".repeat(32),
            }],
            policy_digest: "cd".repeat(32),
            report_digest: "ef".repeat(32),
            database: Some("embedded@2026-02-01".into()),
            passed,
            time: "2026-03-01T00:00:00Z".into(),
            approvals: vec![UsedApproval {
                nonce: "n1".into(),
                waiver: "ab".repeat(32),
                kid: "k".into(),
                first_use: true,
            }],
        }
    }

    #[test]
    fn a_verification_states_its_result_subjects_and_policy() {
        let policy = PolicyRef::expectations("attest verify", &json!({"threshold": 1})).unwrap();
        assert_eq!(
            policy.uri,
            "https://tollgate.dev/policy/command-line/attest/verify"
        );
        let v = |passed| Verification {
            command: "attest verify".into(),
            subjects: vec![Subject {
                name: "é.json".into(),
                sha256: "ab".repeat(32),
            }],
            policy: policy.clone(),
            passed,
            time: "2026-03-01T00:00:00Z".into(),
        };
        let failed = v(false).vsa("file:x", "kid");
        assert_eq!(failed["predicate"]["verificationResult"], "FAILED");
        assert_eq!(failed["predicate"]["verifier"]["id"], VERIFY_VERIFIER_ID);
        assert_eq!(
            failed["predicate"]["policy"]["digest"]["sha256"],
            policy.sha256
        );
        assert_eq!(failed["subject"][0]["digest"]["sha256"], "ab".repeat(32));
        assert_eq!(
            v(true).vsa("file:x", "kid")["predicate"]["verificationResult"],
            "PASSED"
        );
        let body = Value::Object(v(false).audit_body("file:x", &"00".repeat(32)));
        record::check_plain(&body, "").unwrap();
        assert_eq!(body["verdict"], "FAILED");
        assert_eq!(body["subjects"][0]["name"], "%C3%A9.json");
        let other = PolicyRef::expectations("attest verify", &json!({"threshold": 2})).unwrap();
        assert_ne!(other.sha256, policy.sha256);
    }

    #[test]
    fn plain_escapes_what_jq_would_rewrite() {
        assert_eq!(plain("a/Cargo.lock"), "a/Cargo.lock");
        assert_eq!(plain("é\n%"), "%C3%A9%0A%25");
    }

    #[test]
    fn the_body_is_plain_data_and_the_vsa_says_the_verdict() {
        let e = ev(false);
        let body = Value::Object(e.audit_body("file:é", &"00".repeat(32)));
        record::check_plain(&body, "").unwrap();
        assert_eq!(body["verdict"], "FAILED");
        assert_eq!(body["resourceUri"], "file:%C3%A9");
        assert_eq!(body["approvals"][0]["nonce"], "n1");
        let vsa = e.vsa("file:.", "kid");
        assert_eq!(vsa["predicate"]["verificationResult"], "FAILED");
        assert_eq!(vsa["subject"][0]["digest"]["sha256"], "ab".repeat(32));
        assert_eq!(
            vsa["predicate"]["policy"]["digest"]["sha256"],
            "cd".repeat(32)
        );
        assert_eq!(
            ev(true).vsa("file:.", "kid")["predicate"]["verificationResult"],
            "PASSED"
        );
    }
}

//! `check --attest-result` and `check --audit-log`, and the same receipts of the verification
//! commands (`attest verify*`, `sbom verify`, signed with `--attest-key`): the flags, the key,
//! the files. What the evidence says is `tollgate_verifier::evidence`; signing, the envelope and
//! the chain are `tollgate_attest::{dsse, audit}`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use tollgate_attest::audit;
use tollgate_attest::digest::to_hex;
use tollgate_attest::dsse::Envelope;
use tollgate_attest::{DigestAlgorithm, PrivateKey};
use tollgate_verifier::evidence::{self, PolicyRef, Subject, Verification};
use tollgate_verifier::gate::{CheckInput, Run};
use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::output::Output;

/// Default VSA file name (beside `--output`, else in the current directory).
pub const DEFAULT_VSA_FILE: &str = "tollgate.vsa.intoto.jsonl";

/// The in-toto payload type.
const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Receipts of a run: a signed VSA, a record in an audit log.
#[derive(Debug, Args, Default)]
pub struct EvidenceArgs {
    /// Write a signed SLSA Verification Summary Attestation (DSSE) of the verdict; needs --key.
    #[arg(long)]
    pub attest_result: bool,
    /// Where --attest-result writes the VSA (default: tollgate.vsa.intoto.jsonl beside
    /// --output, else in the current directory).
    #[arg(long, value_name = "FILE")]
    pub attest_out: Option<PathBuf>,
    /// The `resourceUri` the VSA and the receipt name (default: `file:` and PATH).
    #[arg(long, value_name = "URI")]
    pub resource_uri: Option<String>,
    /// Append a signed receipt of this run to this hash-chained audit log (JSON Lines); needs
    /// --key. `tollgate audit verify` checks the chain.
    #[arg(long, value_name = "LOG")]
    pub audit_log: Option<PathBuf>,
    /// The private key (PEM) that signs the VSA and the receipt.
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
}

/// The receipts a run is to leave, with the key loaded (before the gate runs: a bad key is a
/// usage error, not a verdict).
pub struct Plan<'a> {
    args: &'a EvidenceArgs,
    key: PrivateKey,
}

/// Checks the flags and loads the key; `None` when no receipt was asked for.
pub fn plan(a: &EvidenceArgs) -> anyhow::Result<Option<Plan<'_>>> {
    let wanted = a.attest_result || a.audit_log.is_some();
    match (&a.key, wanted) {
        (None, false) => {
            if a.attest_out.is_some() || a.resource_uri.is_some() {
                bail!("--attest-out and --resource-uri need --attest-result or --audit-log");
            }
            Ok(None)
        }
        (Some(_), false) => bail!("--key signs receipts: add --attest-result or --audit-log"),
        (None, true) => bail!("--attest-result and --audit-log need --key KEY (a private key)"),
        (Some(k), true) => {
            if a.attest_out.is_some() && !a.attest_result {
                bail!("--attest-out needs --attest-result");
            }
            Ok(Some(Plan {
                args: a,
                key: super::key::read_private_key(k)?,
            }))
        }
    }
}

impl Plan<'_> {
    /// Writes the VSA and appends the receipt of `run`.
    pub fn leave(
        &self,
        input: &CheckInput,
        run: &Run,
        now: Timestamp,
        report_out: Option<&Path>,
        report_json: Option<&[u8]>,
        out: &Output,
    ) -> anyhow::Result<()> {
        let ev = evidence::collect(input, run, now, report_json)?;
        let resource = match &self.args.resource_uri {
            Some(u) => u.clone(),
            None => {
                let p = input.path.as_deref().unwrap_or(Path::new("."));
                format!("file:{}", p.display())
            }
        };
        let keyid = self.key.public_key().keyid();
        let statement = serde_json::to_vec(&ev.vsa(&resource, &keyid))?;
        let vsa_sha256 = to_hex(&DigestAlgorithm::Sha256.hash(&statement));
        if self.args.attest_result {
            let path = match (&self.args.attest_out, report_out) {
                (Some(p), _) => p.clone(),
                (None, Some(r)) => r.parent().unwrap_or(Path::new("")).join(DEFAULT_VSA_FILE),
                (None, None) => PathBuf::from(DEFAULT_VSA_FILE),
            };
            write_vsa(&path, statement, &self.key)?;
            out.info(&format!(
                "wrote the verification summary ({}) to {}",
                ev.verdict(),
                path.display()
            ));
        }
        if let Some(log) = &self.args.audit_log {
            let body = ev.audit_body(&resource, &vsa_sha256);
            let a = audit::append(log, body, &self.key, &now.rfc3339())?;
            out.info(&format!(
                "audit log {}: appended record {} ({})",
                log.display(),
                a.seq,
                ev.verdict()
            ));
        }
        Ok(())
    }
}

/// Signs `statement` with `key` into a one-line DSSE envelope at `path`.
fn write_vsa(path: &Path, statement: Vec<u8>, key: &PrivateKey) -> anyhow::Result<()> {
    let env = Envelope::sign(INTOTO_PAYLOAD_TYPE, statement, &[key])?;
    let mut line = serde_json::to_vec(&env.to_json())?;
    line.push(b'\n');
    std::fs::write(path, line).with_context(|| format!("cannot write {}", path.display()))
}

/// The largest file a verification receipt hashes as a subject (the commands read the same
/// files under their own, smaller caps first).
const MAX_SUBJECT_SIZE: u64 = 1 << 30;

/// Receipts of a verification command (`attest verify*`, `sbom verify`). Those commands' `--key`
/// is a public verification key, so the signing key has its own flag.
#[derive(Debug, Args, Default, Clone)]
pub struct VerifyEvidenceArgs {
    /// Write a signed SLSA Verification Summary Attestation (DSSE) of the result (PASSED or
    /// FAILED); needs --attest-key.
    #[arg(long)]
    pub attest_result: bool,
    /// Where --attest-result writes the VSA (default: tollgate.vsa.intoto.jsonl in the current
    /// directory).
    #[arg(long, value_name = "FILE")]
    pub attest_out: Option<PathBuf>,
    /// Append a signed receipt of this verification to this hash-chained audit log (JSON
    /// Lines); needs --attest-key. `tollgate audit verify` checks the chain.
    #[arg(long, value_name = "LOG")]
    pub audit_log: Option<PathBuf>,
    /// The private key (PEM) that signs the VSA and the receipt.
    #[arg(long, value_name = "KEY")]
    pub attest_key: Option<PathBuf>,
}

/// What a verification is about, as its command names it: the files checked and the policy.
pub struct VerifyScope {
    /// The command, e.g. `attest verify`.
    pub command: &'static str,
    /// The files checked (the first is the VSA's `resourceUri`).
    pub subjects: Vec<PathBuf>,
    /// A policy file, when the command was given one.
    pub policy_file: Option<PathBuf>,
    /// Otherwise the expectations of the command line: flag → value (key files by digest).
    pub expected: serde_json::Value,
}

/// Runs a verification command and, when asked, leaves its receipts: the key is loaded first (a
/// bad key is a usage error), a verification that ends in an error (exit 2: it could not
/// decide) leaves none, a pass or a failure leaves a VSA stating it.
pub fn with_receipts(
    a: &VerifyEvidenceArgs,
    scope: impl FnOnce() -> anyhow::Result<VerifyScope>,
    run: impl FnOnce() -> anyhow::Result<Outcome>,
    out: &Output,
) -> anyhow::Result<Outcome> {
    let wanted = a.attest_result || a.audit_log.is_some();
    let key = match (&a.attest_key, wanted) {
        (None, false) => {
            if a.attest_out.is_some() {
                bail!("--attest-out needs --attest-result");
            }
            return run();
        }
        (Some(_), false) => {
            bail!("--attest-key signs receipts: add --attest-result or --audit-log")
        }
        (None, true) => {
            bail!("--attest-result and --audit-log need --attest-key KEY (a private key)")
        }
        (Some(k), true) => {
            if a.attest_out.is_some() && !a.attest_result {
                bail!("--attest-out needs --attest-result");
            }
            super::key::read_private_key(k)?
        }
    };
    let scope = scope()?;
    let outcome = run()?;
    let passed = outcome == Outcome::Pass;
    let mut subjects = Vec::with_capacity(scope.subjects.len());
    for p in &scope.subjects {
        subjects.push(Subject::of_file(p, MAX_SUBJECT_SIZE)?);
    }
    let policy = match &scope.policy_file {
        Some(p) => PolicyRef::file(p, MAX_SUBJECT_SIZE)?,
        None => PolicyRef::expectations(scope.command, &scope.expected)?,
    };
    let now = crate::clock::now(
        std::env::var("TOLLGATE_NOW")
            .ok()
            .map(|s| crate::clock::parse_now(&s).map_err(anyhow::Error::msg))
            .transpose()?,
    );
    let v = Verification {
        command: scope.command.to_owned(),
        subjects,
        policy,
        passed,
        time: now.rfc3339(),
    };
    let resource = match scope.subjects.first() {
        Some(p) => format!("file:{}", p.display()),
        None => "file:.".to_owned(),
    };
    let keyid = key.public_key().keyid();
    let statement = serde_json::to_vec(&v.vsa(&resource, &keyid))?;
    let vsa_sha256 = to_hex(&DigestAlgorithm::Sha256.hash(&statement));
    if a.attest_result {
        let path = a
            .attest_out
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_VSA_FILE));
        write_vsa(&path, statement, &key)?;
        out.info(&format!(
            "wrote the verification summary ({}) to {}",
            v.verdict(),
            path.display()
        ));
    }
    if let Some(log) = &a.audit_log {
        let r = audit::append(
            log,
            v.audit_body(&resource, &vsa_sha256),
            &key,
            &now.rfc3339(),
        )?;
        out.info(&format!(
            "audit log {}: appended record {} ({})",
            log.display(),
            r.seq,
            v.verdict()
        ));
    }
    Ok(outcome)
}

/// A key file named in a verification's expectations: by its SHA-256, not its path.
pub fn key_digest(path: &Path) -> anyhow::Result<serde_json::Value> {
    let s = Subject::of_file(path, MAX_SUBJECT_SIZE)?;
    Ok(serde_json::json!({"sha256": s.sha256}))
}

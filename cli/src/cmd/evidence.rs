//! `check --attest-result` and `check --audit-log`: the flags, the key, the files. What the
//! evidence says is `tollgate_verifier::evidence`; signing, the envelope and the chain are
//! `tollgate_attest::{dsse, audit}`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use tollgate_attest::audit;
use tollgate_attest::digest::to_hex;
use tollgate_attest::dsse::Envelope;
use tollgate_attest::{DigestAlgorithm, PrivateKey};
use tollgate_verifier::evidence;
use tollgate_verifier::gate::{CheckInput, Run};
use tollgate_verifier::time::Timestamp;

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
            let env = Envelope::sign(INTOTO_PAYLOAD_TYPE, statement, &[&self.key])?;
            let mut line = serde_json::to_vec(&env.to_json())?;
            line.push(b'\n');
            std::fs::write(&path, line)
                .with_context(|| format!("cannot write {}", path.display()))?;
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

//! `tollgate audit verify | seal`: the hash-chained audit log that `check --audit-log` appends
//! to. Logic lives in `tollgate_attest::audit`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use tollgate_attest::PublicKey;
use tollgate_attest::audit::{self, ChainError, ChainSummary, Checkpoint};
use tollgate_verifier::time::Timestamp;

use super::key::{read_private_key, read_public_key};
use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// `tollgate audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The audit command.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// Audit-log commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify every record's hash, signature and link (exit 0 intact, 1 broken, 2 unreadable).
    Verify(VerifyArgs),
    /// Write a signed checkpoint of the log's head (C2SP signed note), to pin its history.
    Seal(SealArgs),
}

/// `tollgate audit verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The audit log (JSON Lines).
    #[arg(value_name = "LOG")]
    pub log: PathBuf,
    /// A public key (PEM) records may be signed with; repeat it for rotated keys.
    #[arg(long = "key", value_name = "KEY.pub", required = true)]
    pub keys: Vec<PathBuf>,
    /// A signed checkpoint (`audit seal`) the log must extend.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate audit seal`.
#[derive(Debug, Args)]
#[command(mut_arg("output", |a| a.visible_alias("out").help(
    "Write the checkpoint to FILE instead of standard output (`-`: standard output); FILE is \
     replaced only when the log is sealed (a broken log leaves it as it was)"
)))]
pub struct SealArgs {
    /// The audit log.
    #[arg(value_name = "LOG")]
    pub log: PathBuf,
    /// The private key (PEM: Ed25519 or ECDSA P-256) that signs the checkpoint.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Public keys of earlier records' signers (rotated keys), besides --key's own.
    #[arg(long = "public-key", value_name = "KEY.pub")]
    pub public_keys: Vec<PathBuf>,
    /// The log's name in the checkpoint (its origin line and key name).
    #[arg(long, value_name = "NAME", default_value = "tollgate.dev/audit")]
    pub origin: String,
    /// `-o/--output` (alias `--out`): the checkpoint.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
    /// The checkpoint's time instead of now (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
}

/// Runs an `audit` command.
pub fn run(a: &AuditArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.command {
        AuditCommand::Verify(a) => verify(a, g, out),
        AuditCommand::Seal(a) => seal(a, out),
    }
}

/// `audit verify --format json`.
#[derive(Debug, Serialize)]
struct AuditVerified {
    schema_version: u32,
    log: String,
    verified: bool,
    records: Option<u64>,
    head: Option<String>,
    kids: Vec<String>,
    passed: Option<u64>,
    failed: Option<u64>,
    checkpoint: Option<u64>,
    #[serde(rename = "break")]
    broken: Option<BreakDoc>,
}

#[derive(Debug, Serialize)]
struct BreakDoc {
    line: u64,
    message: String,
}

fn open_log(path: &Path) -> anyhow::Result<std::fs::File> {
    // Checked before opening: opening a FIFO for reading would block.
    let m = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !m.is_file() {
        bail!("{}: not a regular file", path.display());
    }
    std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))
}

fn read_checkpoint(path: &Path, keys: &[PublicKey]) -> anyhow::Result<Result<Checkpoint, String>> {
    let bytes = super::attest::read_capped(path, audit::checkpoint::MAX_CHECKPOINT)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))?;
    match Checkpoint::open(&text, keys) {
        Ok(c) => Ok(Ok(c)),
        Err(e @ audit::CheckpointError::Unverified(_)) => {
            Ok(Err(format!("{}: {e}", path.display())))
        }
        Err(e) => bail!("{}: {e}", path.display()),
    }
}

fn verify(a: &VerifyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let keys = a
        .keys
        .iter()
        .map(|k| read_public_key(k))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let checkpoint = match &a.checkpoint {
        Some(c) => match read_checkpoint(c, &keys)? {
            Ok(c) => Some(c),
            Err(msg) => return render(a, g, out, Err((0, msg))),
        },
        None => None,
    };
    let f = open_log(&a.log)?;
    match audit::verify_chain(f, &keys, checkpoint.as_ref()) {
        Ok(s) => render(a, g, out, Ok(s)),
        Err(ChainError::Io(e)) => bail!("{}: cannot read: {e}", a.log.display()),
        Err(ChainError::Broken(b)) => render(a, g, out, Err((b.line, b.to_string()))),
        Err(e) => bail!("{}: {e}", a.log.display()),
    }
}

fn render(
    a: &VerifyArgs,
    g: &GlobalArgs,
    out: &Output,
    result: Result<ChainSummary, (u64, String)>,
) -> anyhow::Result<Outcome> {
    let mut w = out.report();
    let shown = a.log.display().to_string();
    let outcome = if result.is_ok() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    match g.format {
        OutputFormat::Json => {
            let doc = match result {
                Ok(s) => AuditVerified {
                    schema_version: json::SCHEMA_VERSION,
                    log: shown,
                    verified: true,
                    records: Some(s.records),
                    head: Some(s.head),
                    kids: s.kids,
                    passed: Some(s.passed),
                    failed: Some(s.failed),
                    checkpoint: s.checkpoint,
                    broken: None,
                },
                Err((line, message)) => AuditVerified {
                    schema_version: json::SCHEMA_VERSION,
                    log: shown,
                    verified: false,
                    records: None,
                    head: None,
                    kids: Vec::new(),
                    passed: None,
                    failed: None,
                    checkpoint: None,
                    broken: Some(BreakDoc { line, message }),
                },
            };
            json::write(&mut w, &doc)?;
        }
        _ => match result {
            Ok(s) => {
                writeln!(
                    w,
                    "{shown}: {} record(s) verify ({} PASSED, {} FAILED); head {}",
                    s.records, s.passed, s.failed, s.head
                )?;
                writeln!(w, "signed by key id(s): {}", s.kids.join(", "))?;
                if let Some(c) = s.checkpoint {
                    writeln!(w, "extends the checkpoint of {c} record(s)")?;
                }
            }
            Err((_, message)) => writeln!(w, "{shown}: BROKEN: {message}")?,
        },
    }
    w.flush()?;
    Ok(outcome)
}

fn seal(a: &SealArgs, out: &Output) -> anyhow::Result<Outcome> {
    let key = read_private_key(&a.key)?;
    let mut keys = vec![key.public_key().clone()];
    for k in &a.public_keys {
        keys.push(read_public_key(k)?);
    }
    let f = open_log(&a.log)?;
    // A checkpoint pins a history: only one that verifies is sealed.
    let s = match audit::verify_chain(f, &keys, None) {
        Ok(s) => s,
        Err(ChainError::Broken(b)) => {
            out.warn(&format!("{}: not sealed: {b}", a.log.display()));
            // No checkpoint: an existing one (the pin of the history) is left as it was.
            out.withhold_report();
            return Ok(Outcome::Fail);
        }
        Err(e) => bail!("{}: {e}", a.log.display()),
    };
    let cp = Checkpoint {
        origin: a.origin.clone(),
        size: s.records,
        hash: s.head,
        time: Some(crate::clock::now(a.now).rfc3339()),
    };
    let note = cp.sign(&key)?;
    let mut w = out.report();
    w.write_all(note.as_bytes())?;
    w.flush()?;
    if let Some(p) = out.report_file() {
        out.info(&format!(
            "sealed {} at {} record(s) into {}",
            a.log.display(),
            s.records,
            p.display()
        ));
    }
    Ok(Outcome::Pass)
}

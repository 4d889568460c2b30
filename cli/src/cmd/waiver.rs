//! `tollgate waiver approve`: an approver signs a waiver (advisory id, package, reason, expiry)
//! with a fresh nonce and the time; the `[[waiver.approval]]` table to add under the waiver in
//! `tollgate.toml` is printed. Logic lives in `tollgate_attest::approval`; which approvals count
//! is `tollgate_verifier::policy::approvals`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use tollgate_attest::approval::{self, Claim};
use tollgate_verifier::time::Timestamp;

use super::key::read_private_key;
use crate::Outcome;
use crate::args::GlobalArgs;
use crate::output::Output;

/// `tollgate waiver`.
#[derive(Debug, Args)]
pub struct WaiverArgs {
    /// The waiver command.
    #[command(subcommand)]
    pub command: WaiverCommand,
}

/// Waiver commands.
#[derive(Debug, Subcommand)]
pub enum WaiverCommand {
    /// Sign an approval of a waiver; prints the [[waiver.approval]] table for tollgate.toml.
    Approve(ApproveArgs),
}

/// `tollgate waiver approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The approver's private key (PEM); its public key must be a [[policy.approver]].
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The waiver's `id` (advisory id or finding kind).
    #[arg(long, value_name = "ID")]
    pub id: String,
    /// The waiver's `package`, if it has one.
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// The waiver's `reason`, exactly as in tollgate.toml.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The waiver's `expires` (YYYY-MM-DD), if it has one.
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// The nonce (default: 128 random bits); each approval's nonce is single-use.
    #[arg(long, value_name = "NONCE")]
    pub nonce: Option<String>,
    /// The approval time instead of now (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// Runs a `waiver` command.
/// (It prints TOML: `cmd::run` refuses every `--format` but human.)
pub fn run(a: &WaiverArgs, _g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.command {
        WaiverCommand::Approve(a) => approve(a, out),
    }
}

fn toml_str(s: &str) -> String {
    // A TOML basic string: serde_json's escaping (", \, controls as \uXXXX) is valid TOML.
    serde_json::Value::String(s.to_owned()).to_string()
}

fn approve(a: &ApproveArgs, out: &Output) -> anyhow::Result<Outcome> {
    if let Some(e) = &a.expires
        && (e.len() != 10 || Timestamp::parse(e).is_none())
    {
        bail!("--expires {e:?}: expected YYYY-MM-DD, as the waiver's `expires`");
    }
    let key = read_private_key(&a.key)?;
    let nonce = a.nonce.clone().unwrap_or_else(approval::new_nonce);
    if nonce.is_empty() || !nonce.bytes().all(|b| b.is_ascii_graphic()) {
        bail!("--nonce must be printable ASCII without spaces");
    }
    let at = crate::clock::now(a.now).rfc3339();
    let claim = Claim {
        advisory: &a.id,
        package: a.package.as_deref().unwrap_or(""),
        reason: &a.reason,
        expires: a.expires.as_deref().unwrap_or(""),
        nonce: &nonce,
        approved_at: &at,
    };
    let signed = approval::sign(&claim, &key)?;
    let mut w = out.report();
    writeln!(
        w,
        "# Approval of waiver `{}`{}: add under that [[waiver]] in tollgate.toml.",
        a.id,
        a.package
            .as_deref()
            .map(|p| format!(" for {p}"))
            .unwrap_or_default()
    )?;
    writeln!(w, "[[waiver.approval]]")?;
    writeln!(w, "kid = {}", toml_str(&signed.kid))?;
    writeln!(w, "nonce = {}", toml_str(&signed.nonce))?;
    writeln!(w, "approved-at = {}", toml_str(&signed.approved_at))?;
    writeln!(w, "signature = {}", toml_str(&signed.signature))?;
    w.flush()?;
    Ok(Outcome::Pass)
}

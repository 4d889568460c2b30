//! `tollgate intoto verify`: verify an in-toto supply chain (layout + links, Metablock or DSSE).
//! Logic lives in `tollgate_attest::intoto`; this file parses arguments and prints.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};

use tollgate_attest::intoto::{VerifyOptions, verify_layout_file};
use tollgate_verifier::time::Timestamp;

use super::attest::report_failure;
use super::key::read_public_key;
use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// `tollgate intoto`.
#[derive(Debug, Args)]
pub struct IntotoArgs {
    /// The in-toto command.
    #[command(subcommand)]
    pub command: IntotoCommand,
}

/// in-toto commands.
#[derive(Debug, Subcommand)]
pub enum IntotoCommand {
    /// Verify a layout and its links (exit 1 when the supply chain does not verify).
    Verify(VerifyArgs),
}

/// `tollgate intoto verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The root layout (Metablock or DSSE envelope; detected).
    #[arg(long, value_name = "FILE")]
    pub layout: PathBuf,
    /// A layout owner's public key (PEM; repeatable: every key must have signed the layout).
    #[arg(long = "layout-key", value_name = "KEY", required = true)]
    pub layout_keys: Vec<PathBuf>,
    /// Directory of the link files (`<step>.<keyid[:8]>.link`) and of the final product.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub link_dir: PathBuf,
    /// Run the layout's inspection commands, in a scratch copy of --link-dir. Without it a
    /// layout with inspections does not verify (exit 1).
    #[arg(long)]
    pub run_inspections: bool,
    /// Time limit per inspection, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub inspection_timeout: u64,
    /// The current time (RFC 3339 or YYYY-MM-DD) for the expiry check; default: the clock.
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// Runs an `intoto` command.
pub fn run(a: &IntotoArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.command {
        IntotoCommand::Verify(a) => verify(a, g, out),
    }
}

fn verify(a: &VerifyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let now = crate::clock::now(a.now).0;
    let keys = a
        .layout_keys
        .iter()
        .map(|p| read_public_key(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if !a.link_dir.is_dir() {
        bail!("--link-dir {}: not a directory", a.link_dir.display());
    }
    let mut opts = VerifyOptions::at(now);
    opts.run_inspections = a.run_inspections;
    opts.inspection_timeout = std::time::Duration::from_secs(a.inspection_timeout);
    let mut w = out.report();
    match verify_layout_file(&a.layout, &keys, &a.link_dir, &opts) {
        Ok(r) => {
            for warning in &r.warnings {
                out.warn(warning);
            }
            if g.format == OutputFormat::Json {
                let v = json::IntotoVerified {
                    schema_version: json::SCHEMA_VERSION,
                    report: r.value(),
                    verified: true,
                    layout: a.layout.display().to_string(),
                };
                json::write(&mut w, &v)?;
            } else {
                writeln!(
                    w,
                    "verified: {} ({}, expires {})",
                    a.layout.display(),
                    r.layout_format,
                    r.expires
                )?;
                for s in &r.steps {
                    let who: Vec<&str> = s
                        .functionaries
                        .iter()
                        .map(|k| &k[..8.min(k.len())])
                        .collect();
                    writeln!(
                        w,
                        "  step {}: {} of {} link(s) [{}]{}",
                        s.name,
                        s.functionaries.len(),
                        s.threshold,
                        who.join(", "),
                        if s.sublayout { " (sublayout)" } else { "" }
                    )?;
                }
                for i in &r.inspections {
                    writeln!(w, "  inspection {i}: ran, rules passed")?;
                }
                for p in r.products.keys() {
                    writeln!(w, "  product: {p}")?;
                }
            }
            Ok(Outcome::Pass)
        }
        Err(e) if e.is_input_error() => Err(e.into()),
        Err(e) => {
            report_failure(&mut w, g, &a.layout, e.check(), &e.to_string(), out)?;
            Ok(Outcome::Fail)
        }
    }
}

//! `tollgate rescan`: stored SBOMs against the current advisory database, and what is new since
//! the last scan (the logic is `tollgate_verifier::rescan`); `rescan merge`: the states of
//! sharded runs as one.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use serde::Serialize;
use tollgate_verifier::finding::Severity;
use tollgate_verifier::rescan::{self, Rescan, RescanInput, Shard, state};
use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::output::Output;

/// The test hook: milliseconds to wait between writing the new state and renaming it over the
/// old one (the kill test of `cli/tests/it/rescan.rs` kills the process in that window).
const PAUSE_ENV: &str = "TOLLGATE_TEST_STATE_PAUSE_MS";

/// `tollgate rescan`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RescanArgs {
    /// `merge` the states of sharded runs; without it, rescan.
    #[command(subcommand)]
    pub action: Option<RescanAction>,
    /// SBOM files, or directories searched for *.cdx.json, *.bom.json and bom.json.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The state file: read (absent: the first scan), then replaced atomically.
    #[arg(long, value_name = "FILE", required = true)]
    pub state: Option<PathBuf>,
    /// Scan only this content-addressed part of the SBOMs (K/N: the SBOMs whose SHA-256 is K-1
    /// modulo N).
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Advisory database (as `check --db`), opened once for every SBOM.
    #[arg(long, value_name = "DB", env = "TOLLGATE_DB")]
    pub db: Option<PathBuf>,
    /// Override `fail-on`: new findings at or above it fail the run.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Evaluate SLAs and waivers at this time instead of now (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
    /// Policy file (default: tollgate.toml in the current directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Accept an advisory database without advisories for an SBOM's ecosystem.
    #[arg(long)]
    pub allow_empty_db: bool,
    /// Largest SBOM read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = tollgate_verifier::lockfile::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate rescan merge`.
#[derive(Debug, Subcommand)]
pub enum RescanAction {
    /// Merge the state files of sharded runs into one (per SBOM, the latest scan wins).
    Merge(MergeArgs),
}

/// `tollgate rescan merge`.
#[derive(Debug, Args)]
#[command(mut_arg("output", |a| a.required(true).help(
    "Where to write the merged state (`-`: standard output); replaced whole (synced, renamed), \
     only when the merge succeeds"
)))]
pub struct MergeArgs {
    /// The state files.
    #[arg(required = true)]
    pub states: Vec<PathBuf>,
    /// `-o/--output` (required): the merged state.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("unknown severity `{s}` (none, low, medium, high, critical)"))
}

/// `tollgate rescan` / `rescan merge`.
pub fn run(a: &RescanArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.action {
        Some(RescanAction::Merge(m)) => merge(m, out),
        None => scan(a, g, out),
    }
}

fn pause() -> Option<std::time::Duration> {
    std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_millis)
}

fn scan(a: &RescanArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let Some(state_path) = &a.state else {
        bail!("--state FILE is required");
    };
    let (mut config, file) =
        tollgate_verifier::policy::Config::discover(None, a.config.as_deref())?;
    if let Some(f) = file {
        out.info(&format!("policy: {}", f.display()));
    }
    if let Some(s) = a.fail_on {
        config.fail_on = s;
    }
    // The state first: a corrupt one stops the run before any work, and is never replaced.
    let previous = state::read(state_path)?;
    let now = crate::clock::now(a.now);
    let db_path = a.db.clone().or_else(|| config.advisories.db.clone());
    let db = tollgate_verifier::advisory::open_or_embedded(db_path.as_deref(), now)?;
    let allow_empty = if a.allow_empty_db {
        vec!["*".to_owned()]
    } else {
        config.advisories.allow_empty.clone()
    };
    let fail_on = config.fail_on;
    let input = RescanInput {
        paths: a.paths.clone(),
        config,
        shard: a.shard,
        max_file_size: a.max_file_size,
        allow_empty,
    };
    let r = rescan::rescan(&input, &db, previous, now)?;
    state::write_atomic(state_path, &r.state.to_json(), pause())?;
    let mut buf = Vec::new();
    match g.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &JsonRescan::new(&r, fail_on, a.shard))?;
            buf.push(b'\n');
        }
        _ => human(&r, fail_on, a.shard, &mut buf)?,
    }
    let mut w = out.report();
    w.write_all(&buf)?;
    w.flush()?;
    Ok(if r.blocking() > 0 {
        Outcome::Fail
    } else {
        Outcome::Pass
    })
}

fn human(
    r: &Rescan,
    fail_on: Severity,
    shard: Option<Shard>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    for c in &r.changes {
        let what = match c.kind {
            rescan::ChangeKind::New => "new".to_owned(),
            rescan::ChangeKind::Raised => format!(
                "raised from {}",
                c.previous.map(|p| p.as_str()).unwrap_or("?")
            ),
            rescan::ChangeKind::NewlyOverdue => "newly overdue".to_owned(),
        };
        writeln!(
            w,
            "{} {} {}: {} [{}] ({}){}",
            if c.blocking { "BLOCKING" } else { "warning " },
            tollgate_verifier::render::escape::visible(&c.sbom),
            tollgate_verifier::render::escape::visible(&c.purl),
            tollgate_verifier::render::escape::visible(&c.ids.join(", ")),
            c.severity.as_str(),
            what,
            if c.overdue { ", overdue" } else { "" }
        )?;
    }
    let shard = shard.map_or(String::new(), |s| {
        format!(" (shard {}/{} of {} found)", s.index, s.count, r.found)
    });
    writeln!(
        w,
        "{} {} SBOM(s) scanned{shard}, {} advisory finding(s), {} new since the last scan{}, {} blocking (fail-on {})",
        if r.blocking() > 0 { "FAIL" } else { "PASS" },
        r.scanned,
        r.findings,
        r.changes.len(),
        if r.first_scan { " (first scan)" } else { "" },
        r.blocking(),
        fail_on.as_str()
    )
}

/// The `--format json` document of `rescan`.
#[derive(Serialize)]
struct JsonRescan<'a> {
    schema_version: u32,
    verdict: &'static str,
    fail_on: &'static str,
    first_scan: bool,
    found: usize,
    scanned: usize,
    shard: Option<String>,
    findings: usize,
    blocking: usize,
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    sbom: &'a str,
    change: &'static str,
    finding: &'a str,
    ids: &'a [String],
    purl: &'a str,
    title: &'a str,
    severity: &'static str,
    previous_severity: Option<&'static str>,
    overdue: bool,
    blocking: bool,
}

impl<'a> JsonRescan<'a> {
    fn new(r: &'a Rescan, fail_on: Severity, shard: Option<Shard>) -> Self {
        JsonRescan {
            schema_version: 1,
            verdict: if r.blocking() > 0 { "fail" } else { "pass" },
            fail_on: fail_on.as_str(),
            first_scan: r.first_scan,
            found: r.found,
            scanned: r.scanned,
            shard: shard.map(|s| format!("{}/{}", s.index, s.count)),
            findings: r.findings,
            blocking: r.blocking(),
            changes: r
                .changes
                .iter()
                .map(|c| JsonChange {
                    sbom: &c.sbom,
                    change: c.kind.as_str(),
                    finding: &c.finding,
                    ids: &c.ids,
                    purl: &c.purl,
                    title: &c.title,
                    severity: c.severity.as_str(),
                    previous_severity: c.previous.map(|p| p.as_str()),
                    overdue: c.overdue,
                    blocking: c.blocking,
                })
                .collect(),
        }
    }
}

/// `tollgate rescan merge STATE... -o OUT`.
fn merge(m: &MergeArgs, out: &Output) -> anyhow::Result<Outcome> {
    let mut merged: Option<state::State> = None;
    for p in &m.states {
        let Some(s) = state::read(p)? else {
            bail!("{}: no such state file", p.display());
        };
        match &mut merged {
            None => merged = Some(s),
            Some(acc) => acc.merge(s),
        }
    }
    let Some(merged) = merged else {
        bail!("no state files to merge");
    };
    // The merged state is the command's report: written through the report file (temp, fsync,
    // rename), as `state::write_atomic` writes a scan's state.
    let mut w = out.report();
    w.write_all(&merged.to_json())?;
    w.flush()?;
    if let Some(p) = out.report_file() {
        out.info(&format!(
            "wrote {} ({} SBOM(s) from {} state file(s))",
            p.display(),
            merged.sboms.len(),
            m.states.len()
        ));
    }
    Ok(Outcome::Pass)
}

//! `tollgate check` and `tollgate init`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use tollgate_verifier::advisory;
use tollgate_verifier::checks;
use tollgate_verifier::finding::Severity;
use tollgate_verifier::policy::Config;
use tollgate_verifier::policy::config::{CONFIG_FILE, DEFAULT_CONFIG_TEMPLATE};
use tollgate_verifier::render;
use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::args::{GlobalArgs, InputArgs, OutputFormat};
use crate::output::Output;

/// `tollgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Override `fail-on` (none, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Override `fail-on-overdue`: block only findings past their SLA.
    #[arg(long)]
    pub fail_on_overdue: bool,
    /// Evaluate waivers and SLAs at this time instead of now (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Write the report to this file as well (format from --format).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Advisory database (directory or index file; a directory of advisories is indexed in
    /// memory). Default: `[advisories] db`, else the user cache, else the embedded snapshot.
    #[arg(long, value_name = "DB", env = "TOLLGATE_DB")]
    pub db: Option<PathBuf>,
    /// Warn when the advisory database is older than this many days (default 7; also
    /// `[advisories] max-age-days`).
    #[arg(long, value_name = "DAYS")]
    pub max_db_age_days: Option<u32>,
    /// Fail the gate when the advisory database is older than the limit or of unknown age
    /// (also `[advisories] fail-on-stale = true`).
    #[arg(long)]
    pub fail_on_stale_db: bool,
    /// Accept an advisory database that holds no advisories for an ecosystem of the graph
    /// (by default an error: exit 2). Also `[advisories] allow-empty = ["npm"]`.
    #[arg(long)]
    pub allow_empty_db: bool,
    /// `--verify-registry`, `--verify-artifacts` and their settings.
    #[command(flatten)]
    pub registry: super::registry::RegistryArgs,
}

/// `tollgate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write (default: ./tollgate.toml).
    #[arg(default_value = CONFIG_FILE)]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("unknown severity `{s}` (none, low, medium, high, critical)"))
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s)
        .ok_or_else(|| format!("invalid time `{s}`: expected RFC 3339 or YYYY-MM-DD"))
}

/// Finds and loads the policy.
pub fn load_config(input: &InputArgs, out: &Output) -> anyhow::Result<Config> {
    if let Some(p) = &input.config {
        return Ok(Config::load(p)?);
    }
    let base = match &input.path {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::from("."),
    };
    for dir in [base, PathBuf::from(".")] {
        let candidate = if dir.as_os_str().is_empty() {
            PathBuf::from(CONFIG_FILE)
        } else {
            dir.join(CONFIG_FILE)
        };
        if candidate.is_file() {
            out.info(&format!("policy: {}", candidate.display()));
            return Ok(Config::load(&candidate)?);
        }
    }
    out.info("policy: defaults (no tollgate.toml found)");
    Ok(Config::default())
}

/// `tollgate check`.
pub fn check(a: &CheckArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let mut config = load_config(&a.input, out)?;
    if let Some(s) = a.fail_on {
        config.fail_on = s;
    }
    if a.fail_on_overdue {
        config.fail_on_overdue = true;
    }
    let now = a.now.unwrap_or_else(Timestamp::now);
    let graph = super::graph::load(&a.input, &config, out)?;
    let mut findings = Vec::new();

    // Offline checks: pinning, sources, drift. Paths are judged against the checked directory.
    let repo_root = match &a.input.path {
        Some(p) if p.is_dir() => p.clone(),
        _ => PathBuf::from("."),
    };
    let repo_root = std::fs::canonicalize(&repo_root).unwrap_or(repo_root);
    let checks_config = config.checks();
    // Manifests beside the lockfiles, for drift and Cargo path dependencies (IO before checks).
    let manifests = checks::drift::Manifests::load(&graph, &repo_root, &checks_config)?;
    let mut cx = checks::CheckCx::new(&graph, &repo_root, &checks_config);
    cx.manifests = Some(&manifests);
    findings.extend(checks::run_checks(&cx));
    // --verify-registry / --verify-artifacts (network, or caches with --offline).
    let mut verified =
        super::registry::verify(&a.registry, &graph, &repo_root, &checks_config, out)?;
    if let Some(v) = &mut verified {
        findings.append(&mut v.findings);
    }

    let db_path = a.db.clone().or_else(|| config.advisories.db.clone());
    let system_now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.0.max(0) as u64);
    let db = advisory::open_or_embedded(db_path.as_deref(), system_now)?;
    let allow_empty = if a.allow_empty_db {
        vec!["*".to_owned()]
    } else {
        config.advisories.allow_empty.clone()
    };
    advisory::require_ecosystems(&db, advisory::ecosystems_to_match(&graph), &allow_empty)?;
    findings.extend(advisory::match_graph(&db, &graph)?);
    let max_age = a
        .max_db_age_days
        .or(config.advisories.max_age_days)
        .unwrap_or(advisory::store::DEFAULT_MAX_AGE_DAYS);
    let status = advisory::status(&db, system_now, max_age);

    let mut report = tollgate_verifier::pipeline::finish_report(&graph, &config, findings, now);
    report.notes.extend(manifests.notes.iter().cloned());
    if let Some(v) = verified {
        for n in v.notes {
            if g.format != OutputFormat::Human {
                out.warn(&n);
            }
            report.notes.push(n);
        }
        report.coverage = v.coverage;
    }
    let notes_before = report.notes.len();
    tollgate_verifier::pipeline::apply_db_status(
        &mut report,
        &status,
        a.fail_on_stale_db || config.advisories.fail_on_stale,
    );
    // The human report shows its notes; other formats carry them in the document only.
    if g.format != OutputFormat::Human {
        for n in &report.notes[notes_before..] {
            out.warn(n);
        }
    }
    // Where the report's files lie in the repository, for SARIF locations (IO, so here).
    report.sources = Some(tollgate_verifier::sources::locate(
        &graph,
        &report,
        a.input.path.as_deref(),
    ));

    let mut buf: Vec<u8> = Vec::new();
    match g.format {
        OutputFormat::Human => render::terminal::render(&report, out.style, &mut buf)?,
        OutputFormat::Json => render::json::render(&report, &mut buf)?,
        OutputFormat::Sarif => render::sarif::render(&report, &mut buf)?,
        OutputFormat::Markdown => render::markdown::render(&report, &mut buf)?,
    }
    if let Some(path) = &a.output {
        let plain = if g.format == OutputFormat::Human {
            let mut b = Vec::new();
            render::terminal::render(&report, render::Style::default(), &mut b)?;
            b
        } else {
            buf.clone()
        };
        std::fs::write(path, plain).with_context(|| format!("cannot write {}", path.display()))?;
        if g.format != OutputFormat::Human {
            // The document went to the file: the terminal gets the verdict, not a second copy
            // of a (possibly megabytes-long) SARIF or JSON document.
            buf.clear();
            render::summary::render(&report, out.style, path, &mut buf)?;
        }
    }
    if !(out.quiet && (g.format == OutputFormat::Human || a.output.is_some())) {
        let mut w = crate::output::stdout();
        w.write_all(&buf)?;
        w.flush()?;
    }
    let outcome = if report.verdict.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    // The process ends right after this: freeing every package, edge and finding one by one
    // would only cost time (as in `graph`).
    std::mem::forget(graph);
    std::mem::forget(report);
    Ok(outcome)
}

/// `tollgate init`.
pub fn init(a: &InitArgs, out: &Output) -> anyhow::Result<Outcome> {
    if a.path.exists() && !a.force {
        bail!(
            "{} already exists (use --force to overwrite)",
            a.path.display()
        );
    }
    std::fs::write(&a.path, DEFAULT_CONFIG_TEMPLATE)
        .with_context(|| format!("cannot write {}", a.path.display()))?;
    if !out.quiet {
        eprintln!("wrote {}", a.path.display());
    }
    Ok(Outcome::Pass)
}

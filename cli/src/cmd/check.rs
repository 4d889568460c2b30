//! `tollgate check` and `tollgate init`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use tollgate_verifier::finding::Severity;
use tollgate_verifier::gate;
use tollgate_verifier::policy::Config;
use tollgate_verifier::policy::config::{CONFIG_FILE, MAX_CONFIG_SIZE};
use tollgate_verifier::policy::{init, migrate};
use tollgate_verifier::registry::Progress;
use tollgate_verifier::render;
use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::args::{GlobalArgs, InputArgs, OutputFormat};
use crate::output::Output;

/// `tollgate check`.
#[derive(Debug, Args)]
#[command(mut_arg("output", |a| a.help(
    "Write the report to FILE (format from --format; `-`: standard output); standard output then \
     carries the one-line verdict (with --format human, the report itself). FILE is replaced only \
     when the check ends with exit 0 or 1"
)))]
pub struct CheckArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// A CycloneDX JSON SBOM to check (repeatable; combines with PATH and --lockfile): its
    /// components' purls become the graph's packages, its `dependencies` the paths.
    #[arg(long = "sbom", value_name = "FILE")]
    pub sboms: Vec<PathBuf>,
    /// A CycloneDX VEX document (repeatable): its `not_affected` (with a justification),
    /// `resolved` and `false_positive` statements waive the findings they match, as an SBOM's
    /// own `vulnerabilities` do.
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Override `fail-on` (none, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Override `fail-on-overdue`: block only findings past their SLA.
    #[arg(long)]
    pub fail_on_overdue: bool,
    /// Evaluate waivers and SLAs at this time instead of now (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
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
    /// `--attest-result`, `--audit-log` and their key.
    #[command(flatten)]
    pub evidence: super::evidence::EvidenceArgs,
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
    /// Convert this cargo-audit (`.cargo/audit.toml`) or cargo-deny (`deny.toml`) configuration
    /// instead of writing the template; settings with no equivalent are listed.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("unknown severity `{s}` (none, low, medium, high, critical)"))
}

/// Finds and loads the policy (`--config`, else `tollgate.toml` beside PATH or here).
pub fn load_config(input: &InputArgs, out: &Output) -> anyhow::Result<Config> {
    let (config, file) = Config::discover(input.path.as_deref(), input.config.as_deref())?;
    match file {
        Some(f) => out.info(&format!("policy: {}", f.display())),
        None => out.info("policy: defaults (no tollgate.toml found)"),
    }
    Ok(config)
}

/// `tollgate check`: maps the arguments onto [`gate::CheckInput`], runs the gate, renders.
pub fn check(a: &CheckArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let receipts = super::evidence::plan(&a.evidence)?;
    let mut config = load_config(&a.input, out)?;
    if let Some(s) = a.fail_on {
        config.fail_on = s;
    }
    if a.fail_on_overdue {
        config.fail_on_overdue = true;
    }
    let provenance = a.registry.provenance_settings(&config.provenance);
    let input = gate::CheckInput {
        provenance,
        path: a.input.path.clone(),
        lockfiles: a.input.lockfiles.clone(),
        sboms: a.sboms.clone(),
        max_file_size: a.input.max_file_size,
        config,
        db: a.db.clone(),
        allow_empty_db: a.allow_empty_db,
        max_db_age_days: a.max_db_age_days,
        fail_on_stale_db: a.fail_on_stale_db,
        registry: super::registry::request(&a.registry, out),
        consumed_nonces: match &a.evidence.audit_log {
            Some(log) => Some(tollgate_verifier::evidence::consumed_nonces(log)?),
            None => None,
        },
        vex: a.vex.clone(),
    };
    let now = crate::clock::now(a.now);
    let env = |k: &str| std::env::var(k).ok();
    let bar = super::registry::progress_bar(out, input.registry.is_some());
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None => &tollgate_verifier::registry::NoProgress,
    };
    let run = match gate::check(&input, &env, progress, now) {
        Ok(run) => run,
        Err(e) => {
            super::registry::explain(&e, out);
            return Err(e.into());
        }
    };
    super::graph::warn_about(&run.graph, out);
    if let Some(s) = &run.registry_stats {
        out.info(&format!(
            "registry: {} request(s), {} retried, {} revalidated from the cache, {} from the cache offline, {} bytes",
            s.requests, s.retries, s.not_modified, s.offline_hits, s.bytes
        ));
    }
    // The human report shows its notes; other formats carry them in the document only, so the
    // ones a user must see are repeated on stderr.
    if g.format != OutputFormat::Human {
        for n in &run.warnings {
            out.warn(n);
        }
    }
    let report = &run.report;

    let mut buf: Vec<u8> = Vec::new();
    let mut json_doc: Vec<u8> = Vec::new();
    match g.format {
        OutputFormat::Human => render::terminal::render(report, out.style, &mut buf)?,
        OutputFormat::Json => render::json::render(report, &mut buf)?,
        OutputFormat::Sarif => render::sarif::render(report, &mut buf)?,
        OutputFormat::Markdown => render::markdown::render(report, &mut buf)?,
    }
    if g.format == OutputFormat::Json && receipts.is_some() {
        json_doc.clone_from(&buf);
    }
    // `--output FILE`: the document goes to the report file (replaced when the command ends).
    let report_file = out.report_file();
    if let Some(path) = report_file {
        let mut w = out.report();
        if g.format == OutputFormat::Human {
            let mut b = Vec::new();
            render::terminal::render(report, render::Style::default(), &mut b)?;
            w.write_all(&b)?;
        } else {
            w.write_all(&buf)?;
        }
        w.flush()?;
        if g.format != OutputFormat::Human {
            // The document went to the file: the terminal gets the verdict, not a second copy
            // of a (possibly megabytes-long) SARIF or JSON document.
            buf.clear();
            render::summary::render(report, out.style, path, &mut buf)?;
        }
    }
    if a.registry.explain && matches!(g.format, OutputFormat::Human | OutputFormat::Markdown) {
        let text = render::rechecks(&report.rechecks);
        if text.is_empty() {
            out.info("--explain: nothing was verified that an off-the-shelf tool re-checks");
        } else if g.format == OutputFormat::Markdown {
            buf.extend_from_slice(format!("\n```sh\n{text}```\n").as_bytes());
        } else {
            buf.extend_from_slice(b"\n");
            buf.extend_from_slice(text.as_bytes());
        }
    }
    if let Some(r) = &receipts {
        // The JSON document rendered above, when that is the format: not rendered twice.
        let json = (g.format == OutputFormat::Json).then_some(json_doc.as_slice());
        r.leave(&input, &run, now, report_file, json, out)?;
    }
    if !(out.quiet && (g.format == OutputFormat::Human || report_file.is_some())) {
        // The report itself, or (with --output) the terminal's copy: stdout either way.
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
    std::mem::forget(run);
    Ok(outcome)
}

/// `tollgate init`: the template headed by what is in the target's directory, or (`--from`) a
/// conversion of cargo-audit's / cargo-deny's configuration.
pub fn init(a: &InitArgs, out: &Output) -> anyhow::Result<Outcome> {
    if a.path.exists() && !a.force {
        bail!(
            "{} already exists (use --force to overwrite)",
            a.path.display()
        );
    }
    let text = match &a.from {
        Some(from) => {
            let bytes = tollgate_verifier::fsio::read_regular(from, MAX_CONFIG_SIZE)
                .with_context(|| format!("cannot read {}", from.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", from.display()))?;
            let m = migrate::migrate(from, &text)?;
            if !out.quiet {
                eprintln!(
                    "converted {} ({}): {} setting(s) carried over",
                    from.display(),
                    m.tool.name(),
                    m.mapped.len()
                );
                if !m.unmapped.is_empty() {
                    eprintln!("no equivalent (listed at the top of the new file):");
                    for u in &m.unmapped {
                        eprintln!("  {}: {}", from.display(), migrate::describe(u));
                    }
                }
            }
            m.text
        }
        None => {
            let dir = match a.path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            init::template(&init::detect(&dir)?)
        }
    };
    std::fs::write(&a.path, text).with_context(|| format!("cannot write {}", a.path.display()))?;
    if !out.quiet {
        eprintln!("wrote {}", a.path.display());
    }
    Ok(Outcome::Pass)
}

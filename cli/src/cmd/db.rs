//! `tollgate db import | update | status`: the advisory database. Logic lives in
//! `tollgate_verifier::advisory`; this file parses arguments and prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tollgate_verifier::advisory::{
    self, DbMeta, SourceDir, embedded, store, time as atime, update,
};

use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// `tollgate db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// The database command.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// Database commands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import advisory directories (RustSec advisory-db, OSV JSON trees) into the index,
    /// replacing it atomically.
    Import(ImportArgs),
    /// Fetch advisory sources (directories, .tar.gz/.zip archive URLs, git URLs) and replace the
    /// index; the old index stays if anything fails.
    Update(UpdateArgs),
    /// Show the database: sources, snapshot commit and date, counts, age.
    Status(StatusArgs),
}

/// Where the database is.
#[derive(Debug, Args, Clone)]
pub struct DbLocation {
    /// The database directory (or index file). Default: $XDG_CACHE_HOME/tollgate/db
    /// (~/.cache/tollgate/db).
    #[arg(long, value_name = "DB", env = "TOLLGATE_DB")]
    pub db: Option<PathBuf>,
    /// The current time (RFC 3339 or YYYY-MM-DD), for reproducible runs and tests; default: the
    /// clock.
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now, hide = true)]
    pub now: Option<Timestamp>,
}

impl DbLocation {
    fn dir(&self) -> anyhow::Result<PathBuf> {
        match &self.db {
            Some(p) => Ok(p.clone()),
            None => store::default_db_path()
                .context("no cache directory (neither XDG_CACHE_HOME nor HOME is set); pass --db"),
        }
    }

    fn now(&self) -> anyhow::Result<Timestamp> {
        Ok(crate::clock::now(self.now))
    }
}

/// `tollgate db import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directories to import (formats are detected per file, recursively).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Database location.
    #[command(flatten)]
    pub location: DbLocation,
    /// Also write the gzip-compressed index to PATH (regenerates the embedded snapshot,
    /// `verifier/data/advisories.idx.gz`; its build time is the newest source date).
    #[arg(long, value_name = "PATH")]
    pub write_embedded: Option<PathBuf>,
    /// Replace the index even when the new one holds less than half the advisories the current
    /// one has for an ecosystem (refused by default: the old index is kept).
    #[arg(long)]
    pub allow_shrink: bool,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate db update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// A source: a directory, an http(s) URL of a .tar.gz/.tgz/.zip archive, or a git URL
    /// (ending in .git, or git+https://…). Repeatable. Default: the RustSec advisory-db (git)
    /// and the OSV exports for crates.io and npm.
    #[arg(long = "source", value_name = "URL_OR_DIR")]
    pub sources: Vec<String>,
    /// Database location.
    #[command(flatten)]
    pub location: DbLocation,
    /// Network timeout per source, in seconds.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub timeout: u64,
    /// Largest archive downloaded, in bytes.
    #[arg(long, default_value_t = update::DEFAULT_MAX_ARCHIVE_SIZE, value_name = "BYTES")]
    pub max_size: u64,
    /// Largest total size an archive may unpack to, in bytes (also refused: more than
    /// 100× the archive's size, or one file above 16 MiB).
    #[arg(long, default_value_t = update::DEFAULT_MAX_UNPACKED_SIZE, value_name = "BYTES")]
    pub max_unpacked_size: u64,
    /// Replace the index even when the new one holds less than half the advisories the current
    /// one has for an ecosystem (refused by default: the old index is kept).
    #[arg(long)]
    pub allow_shrink: bool,
    /// A host a download may be redirected to besides the one asked (repeatable; e.g.
    /// `codeload.github.com` for a GitHub archive URL). Redirects to other hosts and from https
    /// to http are refused, as for registry requests.
    #[arg(long = "redirect-host", value_name = "HOST")]
    pub redirect_hosts: Vec<String>,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate db status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Database location.
    #[command(flatten)]
    pub location: DbLocation,
    /// Warn when the snapshot is older than this many days.
    #[arg(long, default_value_t = store::DEFAULT_MAX_AGE_DAYS, value_name = "N")]
    pub max_age_days: u32,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// Runs a `db` command.
pub fn run(a: &DbArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.command {
        DbCommand::Import(a) => import(a, g, out),
        DbCommand::Update(a) => update_cmd(a, g, out),
        DbCommand::Status(a) => status(a, g, out),
    }
}

fn print_meta(meta: &DbMeta, path: &Path, g: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => {
            let v = json::DbWritten {
                schema_version: json::SCHEMA_VERSION,
                db: path.display().to_string(),
                meta,
            };
            json::write(&mut w, &v)?;
        }
        OutputFormat::Human => {
            writeln!(
                w,
                "wrote {} ({} advisories for {} packages)",
                path.display(),
                meta.advisories,
                meta.packages
            )?;
            for s in &meta.sources {
                writeln!(
                    w,
                    "  {}: {} advisories, {} withdrawn skipped ({})",
                    s.name, s.advisories, s.withdrawn, s.location
                )?;
            }
        }
        f => bail!("`db` does not support --format {f}; use human or json"),
    }
    w.flush()?;
    Ok(())
}

fn import(a: &ImportArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let now = a.location.now()?;
    let dir = a.location.dir()?;
    let file = store::index_file(&dir);
    let sources: Vec<SourceDir> = a.dirs.iter().map(SourceDir::new).collect();
    out.info(&format!(
        "importing {} source(s) into {}",
        sources.len(),
        file.display()
    ));
    let meta = advisory::import::import_dirs_with(&sources, &file, now, a.allow_shrink)?;
    if let Some(path) = &a.write_embedded {
        // Reproducible: the build time is the newest source date, not the clock.
        let newest = meta
            .sources
            .iter()
            .filter_map(|s| s.date.as_deref().and_then(atime::parse_timestamp))
            .max()
            .map(Timestamp)
            .unwrap_or(now);
        let (bytes, _) = advisory::build_index(&sources, newest)?;
        let gz = embedded::compress(&bytes)?;
        advisory::index::write_atomic(path, &gz)?;
        out.info(&format!("wrote {} ({} bytes)", path.display(), gz.len()));
    }
    print_meta(&meta, &file, g, out)?;
    Ok(Outcome::Pass)
}

fn update_cmd(a: &UpdateArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let now = a.location.now()?;
    let dir = a.location.dir()?;
    let file = store::index_file(&dir);
    let sources: Vec<update::Source> = if a.sources.is_empty() {
        update::default_sources()
    } else {
        a.sources.iter().map(|s| update::Source::parse(s)).collect()
    };
    let opts = update::UpdateOptions {
        timeout: std::time::Duration::from_secs(a.timeout),
        max_archive_size: a.max_size,
        now,
        allow_shrink: a.allow_shrink,
        redirect_hosts: a.redirect_hosts.clone(),
        extract_limits: update::ExtractLimits {
            max_total: a.max_unpacked_size,
            ..Default::default()
        },
    };
    for s in &sources {
        out.info(&format!("fetching {}", s.display()));
    }
    let meta = update::update(&sources, &file, &opts)?;
    print_meta(&meta, &file, g, out)?;
    Ok(Outcome::Pass)
}

fn status(a: &StatusArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let now = a.location.now()?;
    let db = match &a.location.db {
        Some(p) => store::open_db(p, now)?,
        None => store::open_or_embedded(None, now)?,
    };
    let st = advisory::status(&db, now, a.max_age_days);
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => {
            let doc = json::DbStatusDoc {
                schema_version: json::SCHEMA_VERSION,
                status: &st,
            };
            json::write_in_order(&mut w, &doc)?;
        }
        OutputFormat::Human => {
            writeln!(w, "database: {}", st.location)?;
            writeln!(
                w,
                "built:    {}  (index format {})",
                st.meta.created, st.meta.format
            )?;
            match (&st.snapshot_date, st.age_days) {
                (Some(d), Some(age)) => writeln!(w, "snapshot: {d}  ({age} days old)")?,
                _ => writeln!(w, "snapshot: unknown date")?,
            }
            writeln!(
                w,
                "records:  {} for {} packages",
                st.meta.advisories, st.meta.packages
            )?;
            let kinds: Vec<String> = st
                .meta
                .by_kind
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            writeln!(w, "kinds:    {}", kinds.join(" · "))?;
            let ecos: Vec<String> = st
                .meta
                .by_ecosystem
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            writeln!(w, "ecosystems: {}", ecos.join(" · "))?;
            writeln!(w, "sources:")?;
            for s in &st.meta.sources {
                writeln!(
                    w,
                    "  {:<12} {} advisories ({} withdrawn skipped)  commit {}  date {}",
                    s.name,
                    s.advisories,
                    s.withdrawn,
                    s.commit.as_deref().unwrap_or("unknown"),
                    s.date.as_deref().unwrap_or("unknown"),
                )?;
                writeln!(w, "               {}", s.location)?;
            }
        }
        f => bail!("`db status` does not support --format {f}; use human or json"),
    }
    w.flush()?;
    if let Some(warning) = st.warning() {
        out.warn(&warning);
    }
    Ok(Outcome::Pass)
}

//! `tollgate check --verify-registry / --verify-artifacts`: flags, the progress bar, and the
//! call into `verifier::registry` (fetch) and `verifier::checks::registry` (findings).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use tollgate_verifier::Graph;
use tollgate_verifier::checks::{self, ChecksConfig};
use tollgate_verifier::coverage::CheckCoverage;
use tollgate_verifier::finding::Finding;
use tollgate_verifier::registry::{self, Progress, RegistryError, Request, UrlOverrides};

use crate::output::Output;

/// Registry and artifact verification flags of `tollgate check`.
#[derive(Debug, Args, Clone, Default)]
pub struct RegistryArgs {
    /// Compare every registry package with its registry's record (crates: sparse index
    /// `cksum` / `yanked`; npm: packument `dist.integrity` / `shasum`, `deprecated`,
    /// unpublished). Needs the network (or --offline with a filled cache).
    #[arg(long)]
    pub verify_registry: bool,
    /// Download (or read from --artifact-cache) every `.crate` / `.tgz` and hash it against the
    /// lockfile.
    #[arg(long)]
    pub verify_artifacts: bool,
    /// The npm registry to ask (unscoped packages, and scopes without their own registry in
    /// .npmrc or tollgate.toml).
    #[arg(long, value_name = "URL", env = "TOLLGATE_REGISTRY_URL_NPM")]
    pub registry_url_npm: Option<String>,
    /// The sparse index to ask for crates.io packages (e.g. a mirror).
    #[arg(long, value_name = "URL", env = "TOLLGATE_REGISTRY_URL_CARGO")]
    pub registry_url_cargo: Option<String>,
    /// HTTP cache directory (default: `[registries] cache-dir`, else the user cache directory).
    #[arg(long, value_name = "DIR", env = "TOLLGATE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the HTTP cache.
    #[arg(long, conflicts_with = "offline")]
    pub no_cache: bool,
    /// No network: registry records from the HTTP cache, artifacts from --artifact-cache.
    /// Anything missing there is an error (exit 2).
    #[arg(long)]
    pub offline: bool,
    /// A directory holding artifacts, read before downloading (repeatable): plain `.crate` /
    /// `.tgz` files, Cargo's `~/.cargo/registry/cache`, npm's `~/.npm/_cacache`.
    #[arg(long, value_name = "DIR")]
    pub artifact_cache: Vec<PathBuf>,
}

impl RegistryArgs {
    /// `true` when a verification was asked for.
    pub fn wanted(&self) -> bool {
        self.verify_registry || self.verify_artifacts
    }
}

/// A progress bar on stderr (only on a terminal, outside CI, without `-q`).
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn add_total(&self, n: u64) {
        self.0.inc_length(n);
    }
    fn advance(&self) {
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn progress_bar(out: &Output) -> Option<Bar> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    if out.quiet || ci || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("verifying {bar:30} {pos}/{len} {elapsed}")
    {
        pb.set_style(style);
    }
    Some(Bar(pb))
}

/// What the verifications add to the report.
pub struct Verified {
    /// Findings.
    pub findings: Vec<Finding>,
    /// Coverage of each verification.
    pub coverage: Vec<CheckCoverage>,
    /// Notes for the report.
    pub notes: Vec<String>,
}

/// Runs the requested verifications; `None` when none was requested.
pub fn verify(
    a: &RegistryArgs,
    graph: &Graph,
    repo_root: &Path,
    config: &ChecksConfig,
    out: &Output,
) -> anyhow::Result<Option<Verified>> {
    if !a.wanted() {
        if a.registry_url_npm.is_some() || a.registry_url_cargo.is_some() || a.offline {
            out.warn(
                "registry flags have no effect without --verify-registry or --verify-artifacts",
            );
        }
        return Ok(None);
    }
    let req = Request {
        verify_registry: a.verify_registry,
        verify_artifacts: a.verify_artifacts,
        urls: UrlOverrides {
            npm: a.registry_url_npm.clone(),
            cargo: a.registry_url_cargo.clone(),
        },
        cache_dir: a.cache_dir.clone(),
        no_cache: a.no_cache,
        offline: a.offline,
        artifact_caches: a.artifact_cache.clone(),
    };
    let env = |k: &str| std::env::var(k).ok();
    let bar = progress_bar(out);
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None => &registry::NoProgress,
    };
    let data = match registry::load(graph, &config.registries, &req, &env, progress) {
        Ok(d) => d,
        Err(RegistryError::Fetch { errors }) if errors.len() > 1 && out.verbose > 0 => {
            for e in &errors {
                out.warn(&e.to_string());
            }
            return Err(RegistryError::Fetch { errors }.into());
        }
        Err(e) => return Err(e.into()),
    };
    let s = &data.stats;
    out.info(&format!(
        "registry: {} request(s), {} retried, {} revalidated from the cache, {} from the cache offline, {} bytes",
        s.requests, s.retries, s.not_modified, s.offline_hits, s.bytes
    ));
    let cx = checks::CheckCx::new(graph, repo_root, config);
    let mut findings = Vec::new();
    let coverage = checks::registry::run(&cx, &data, &mut findings);
    let mut notes = data.warnings.clone();
    for c in &coverage {
        if c.unverifiable > 0 {
            notes.push(format!(
                "{}: {} package(s) could not be verified; the coverage lists them and why",
                c.check, c.unverifiable
            ));
        }
    }
    Ok(Some(Verified {
        findings,
        coverage,
        notes,
    }))
}

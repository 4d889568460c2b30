//! `tollgate check --verify-registry / --verify-artifacts`: the flags, the request they make of
//! the gate's registry stage (`verifier::gate`), and the progress bar.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use tollgate_verifier::gate::CheckError;
use tollgate_verifier::registry::{Progress, RegistryError, Request, UrlOverrides};

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
    /// Verify every npm package's attestations (SLSA provenance and the registry's publish
    /// attestation, bound to the locked sha512) and registry signatures, offline against pinned
    /// roots, and enforce `[provenance]`. Implies --verify-registry (the records name them).
    #[arg(long)]
    pub verify_provenance: bool,
    /// Read attestation documents from here (`DIR/[@scope/]name@version.json`) before fetching
    /// the URL the registry names.
    #[arg(long, value_name = "DIR", requires = "verify_provenance")]
    pub attestations_dir: Option<PathBuf>,
    /// The npm registry keys file (`{"keys": [...]}`; default: `[provenance] npm-keys`, else the
    /// embedded keys of registry.npmjs.org). A file given applies to every npm registry.
    #[arg(long, value_name = "FILE", requires = "verify_provenance")]
    pub npm_keys: Option<PathBuf>,
    /// The Sigstore trusted_root.json (default: `[provenance] trusted-root`, else the embedded
    /// Sigstore production root).
    #[arg(long, value_name = "FILE", requires = "verify_provenance")]
    pub trusted_root: Option<PathBuf>,
    /// After the report, print for each verified item the off-the-shelf command that re-checks
    /// it (slsa-verifier verify-npm-package, npm audit signatures). The JSON report always
    /// carries them (`rechecks`).
    #[arg(long)]
    pub explain: bool,
}

impl RegistryArgs {
    /// `true` when a verification was asked for.
    pub fn wanted(&self) -> bool {
        self.verify_registry || self.verify_artifacts || self.verify_provenance
    }

    /// Provenance trust: the flags over `[provenance]`.
    pub fn provenance_settings(
        &self,
        cfg: &tollgate_verifier::policy::provenance::ProvenanceConfig,
    ) -> tollgate_verifier::provenance::ProvenanceSettings {
        tollgate_verifier::provenance::ProvenanceSettings {
            npm_keys: self.npm_keys.clone().or_else(|| cfg.npm_keys.clone()),
            trusted_root: self
                .trusted_root
                .clone()
                .or_else(|| cfg.trusted_root.clone()),
        }
    }
}

/// A progress bar on stderr (only on a terminal, outside CI, without `-q`).
pub struct Bar(indicatif::ProgressBar);

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

/// The progress bar for the registry stage, when it runs and a person watches.
pub fn progress_bar(out: &Output, wanted: bool) -> Option<Bar> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    if !wanted || out.quiet || ci || !std::io::stderr().is_terminal() {
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

/// The registry request the flags ask for; `None` without `--verify-registry`,
/// `--verify-artifacts` and `--verify-provenance` (warning when other registry flags were given
/// in vain). `--verify-provenance` implies `--verify-registry`: the records name the attestations
/// and carry the signatures, and their hashes are compared as well.
pub fn request(a: &RegistryArgs, out: &Output) -> Option<Request> {
    if !a.wanted() {
        if a.registry_url_npm.is_some() || a.registry_url_cargo.is_some() || a.offline {
            out.warn(
                "registry flags have no effect without --verify-registry, --verify-artifacts or --verify-provenance",
            );
        }
        return None;
    }
    Some(Request {
        verify_registry: a.verify_registry || a.verify_provenance,
        verify_artifacts: a.verify_artifacts,
        verify_provenance: a.verify_provenance,
        attestations_dir: a.attestations_dir.clone(),
        urls: UrlOverrides {
            npm: a.registry_url_npm.clone(),
            cargo: a.registry_url_cargo.clone(),
        },
        cache_dir: a.cache_dir.clone(),
        no_cache: a.no_cache,
        offline: a.offline,
        artifact_caches: a.artifact_cache.clone(),
    })
}

/// With `-v`, lists every fetch error of a failed registry stage (the error itself names the
/// first).
pub fn explain(e: &CheckError, out: &Output) {
    if let CheckError::Registry(RegistryError::Fetch { errors }) = e
        && errors.len() > 1
        && out.verbose > 0
    {
        for e in errors {
            out.warn(&e.to_string());
        }
    }
}

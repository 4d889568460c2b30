//! Registries: the registry's own record of each locked package (`--verify-registry`) and the
//! artifact itself (`--verify-artifacts`), fetched *before* checks run. One of the two modules
//! that do IO (with `advisory`); [`crate::checks::registry`] turns what [`load`] returns into
//! findings and coverage without any IO.
//!
//! - Crates: the sparse index entry (`cksum`, `yanked`), `config.json` (`dl`) for downloads.
//! - npm: the packument (abbreviated, else full): `dist.integrity`, `dist.shasum`,
//!   `deprecated`, unpublished versions; the tarball from `resolved`.
//!
//! Where each package is fetched from: [`plan`]. How: [`http`] (concurrency, timeouts, retries,
//! caps, redirects, credentials) and [`cache`]. What a failure means: [`error`].
//!
//! When the lockfile and the registry share no hash algorithm (an old packument with only
//! `shasum`, a lockfile with only sha512), `--verify-registry` bridges the gap by hashing the
//! artifact with both algorithms: the registry's digest must match the artifact, and the
//! artifact the lockfile.

pub mod artifact;
pub mod attestations;
pub mod cache;
pub mod compare;
pub mod config;
pub mod crates;
pub mod error;
pub mod http;
pub mod npm;
pub mod npmrc;
pub mod plan;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::graph::{Graph, PackageId};
use crate::lockfile::Format;
use crate::package::{Digest, Ecosystem, HashAlgorithm};
use crate::redact::redact_url;
use config::RegistriesConfig;

pub use config::HttpConfig;
pub use error::{FetchError, FetchErrorKind, RegistryError};
pub use plan::{Scope, Target, UrlOverrides};

use artifact::LocalCaches;
use compare::{HashComparison, MultiHasher};
use http::{Client, Got, HttpStats};
use npmrc::Npmrc;

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// `--verify-registry`.
    pub verify_registry: bool,
    /// `--verify-artifacts`.
    pub verify_artifacts: bool,
    /// `--registry-url-npm`, `--registry-url-cargo`.
    pub urls: UrlOverrides,
    /// `--cache-dir` (beats `[registries] cache-dir`).
    pub cache_dir: Option<PathBuf>,
    /// `--no-cache`: neither read nor write the HTTP cache.
    pub no_cache: bool,
    /// `--offline`: answer from the HTTP cache and local artifact caches only.
    pub offline: bool,
    /// `--artifact-cache` (added to `[registries] artifact-caches`).
    pub artifact_caches: Vec<PathBuf>,
    /// `--verify-provenance`: npm records are read from the full packument (signatures,
    /// attestation URLs, publish times) and each version's attestations are fetched.
    pub verify_provenance: bool,
    /// `--attestations-dir`: attestation documents read from here
    /// (`DIR/[@scope/]name@version.json`) before any is fetched.
    pub attestations_dir: Option<PathBuf>,
}

/// Progress of the fetches, shown by the caller (the CLI draws a bar on a terminal).
pub trait Progress: Send + Sync {
    /// `n` more units of work are known.
    fn add_total(&self, n: u64);
    /// One unit is done.
    fn advance(&self);
    /// Everything is done.
    fn finish(&self);
}

/// No progress display.
pub struct NoProgress;

impl Progress for NoProgress {
    fn add_total(&self, _: u64) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// The registry's record of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// Where it was read (credentials redacted).
    pub url: String,
    /// The registry's digests of the artifact.
    pub digests: Vec<Digest>,
    /// Yanked (crates).
    pub yanked: bool,
    /// The deprecation message (npm), `Some("")` when deprecated without one.
    pub deprecated: Option<String>,
    /// npm: what provenance verification reads (signatures, attestations, publish time).
    pub npm: Option<npm::NpmProvenanceFacts>,
}

/// An npm version's attestations document (`{"attestations": [...]}`), as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationsDoc {
    /// The URL (redacted) or file it was read from.
    pub origin: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// An artifact hashed end to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRecord {
    /// The URL (credentials redacted) or the local cache file.
    pub origin: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its digests, computed here.
    pub digests: Vec<Digest>,
}

/// The answer to one lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    /// Found.
    Found(T),
    /// The registry has no such package, version or file.
    NotFound {
        /// Where we asked (redacted).
        url: String,
        /// What exactly is missing.
        detail: String,
    },
    /// Could not be looked up, for a reason that is not a failure of the run (a git index with
    /// no sparse mirror, a lockfile without a hash, an artifact neither cached nor
    /// downloadable offline).
    Unavailable(String),
}

/// Everything the registry stage learned about one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageData {
    /// In scope or not.
    pub scope: Scope,
    /// The registry's record (`--verify-registry`).
    pub record: Option<Lookup<VersionRecord>>,
    /// The artifact (`--verify-artifacts`, or to bridge a registry record sharing no algorithm
    /// with the lockfile).
    pub artifact: Option<Lookup<ArtifactRecord>>,
    /// The attestations document (`--verify-provenance`; npm registry packages).
    pub attestations: Option<Lookup<AttestationsDoc>>,
}

/// What [`load`] returns: input of [`crate::checks::registry::run`].
#[derive(Debug, Clone, Default)]
pub struct RegistryData {
    /// `--verify-registry` ran.
    pub verify_registry: bool,
    /// `--verify-artifacts` ran.
    pub verify_artifacts: bool,
    /// `--verify-provenance` ran (records and attestations were fetched).
    pub verify_provenance: bool,
    /// Every non-root package of the graph.
    pub packages: HashMap<PackageId, PackageData>,
    /// HTTP counters.
    pub stats: HttpStats,
    /// Problems that did not stop the run (unset `${VAR}` in `.npmrc`, cache not writable).
    pub warnings: Vec<String>,
}

struct Settings {
    max_metadata: u64,
    max_artifact: u64,
}

/// Fetches what `--verify-registry` / `--verify-artifacts` need for every package of `graph`.
/// `env` is the process environment (for `.npmrc` `${VAR}`, `npm_config_registry` and the
/// default cache directory). Any fetch that fails makes the whole stage fail: see [`error`].
pub fn load(
    graph: &Graph,
    cfg: &RegistriesConfig,
    req: &Request,
    env: &dyn Fn(&str) -> Option<String>,
    progress: &dyn Progress,
) -> Result<RegistryData, RegistryError> {
    let mut npmrcs: Vec<Option<Npmrc>> = Vec::with_capacity(graph.lockfiles.len());
    for l in &graph.lockfiles {
        let rc = match (l.format, l.path.parent()) {
            (Format::PackageLock | Format::NpmShrinkwrap, Some(dir)) => {
                let dir = if dir.as_os_str().is_empty() {
                    std::path::Path::new(".")
                } else {
                    dir
                };
                Npmrc::load(dir, env)?
            }
            _ => None,
        };
        npmrcs.push(rc);
    }
    let resolver = plan::Resolver::new(cfg, &req.urls, npmrcs, env)?;
    let mut warnings = resolver.warnings();
    let home = |p: &PathBuf| -> PathBuf {
        match (p.strip_prefix("~"), env("HOME")) {
            (Ok(rest), Some(h)) if !h.is_empty() => PathBuf::from(h).join(rest),
            _ => p.clone(),
        }
    };
    let cache = if req.no_cache {
        None
    } else {
        match req
            .cache_dir
            .clone()
            .or_else(|| cfg.cache_dir.clone())
            .map(|d| home(&d))
            .or_else(|| cache::default_dir_with(env))
        {
            Some(d) => Some(cache::HttpCache::new(d)),
            None => {
                warnings.push(
                    "no user cache directory (HOME unset): registry responses are not cached; set --cache-dir".into(),
                );
                None
            }
        }
    };
    let client = Client::new(cfg.http.options(), resolver.auth(), cache, req.offline)
        .map_err(RegistryError::Client)?;
    let caches_dirs: Vec<PathBuf> = cfg
        .artifact_caches
        .iter()
        .chain(&req.artifact_caches)
        .map(home)
        .collect();
    let settings = Settings {
        max_metadata: cfg.http.max_metadata_size,
        max_artifact: cfg.http.max_artifact_size,
    };

    let mut packages: HashMap<PackageId, PackageData> = HashMap::new();
    for (id, p) in graph.packages() {
        if p.is_root {
            continue;
        }
        packages.insert(
            id,
            PackageData {
                scope: resolver.scope(p),
                record: None,
                artifact: None,
                attestations: None,
            },
        );
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RegistryError::Client(e.to_string()))?;
    let client = Arc::new(client);
    let caches = Arc::new(LocalCaches::new(&caches_dirs));
    let mut errors: Vec<FetchError> = Vec::new();

    if req.verify_registry || req.verify_provenance {
        let records = rt.block_on(fetch_records(
            graph,
            &packages,
            &client,
            &settings,
            req.verify_provenance,
            progress,
        ));
        match records {
            Ok(r) => {
                for (id, rec) in r {
                    if let Some(pd) = packages.get_mut(&id) {
                        pd.record = Some(rec);
                    }
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        let arts = rt.block_on(fetch_artifacts(
            graph, &packages, req, &client, &caches, &settings, progress,
        ));
        match arts {
            Ok(r) => {
                for (id, a) in r {
                    if let Some(pd) = packages.get_mut(&id) {
                        pd.artifact = Some(a);
                    }
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() && req.verify_provenance {
        let docs = rt.block_on(attestations::fetch_attestations(
            graph, &packages, req, &client, &settings, progress,
        ));
        match docs {
            Ok(r) => {
                for (id, a) in r {
                    if let Some(pd) = packages.get_mut(&id) {
                        pd.attestations = Some(a);
                    }
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    progress.finish();
    let stats = client.stats();
    drop(rt);
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.package, &a.url).cmp(&(&b.package, &b.url)));
        errors.dedup();
        return Err(RegistryError::Fetch { errors });
    }
    for e in stats.cache_write_errors.iter().take(3) {
        warnings.push(format!("HTTP cache not written: {e}"));
    }
    Ok(RegistryData {
        verify_registry: req.verify_registry,
        verify_artifacts: req.verify_artifacts,
        verify_provenance: req.verify_provenance,
        packages,
        stats,
        warnings,
    })
}

type Members = Vec<(PackageId, String)>;

fn member_names(graph: &Graph, m: &Members) -> String {
    let mut v: Vec<String> = m
        .iter()
        .map(|(id, _)| graph.package(*id).display_name())
        .collect();
    v.sort();
    v.dedup();
    v.join(", ")
}

/// Runs jobs concurrently (the client bounds requests in flight); on the first error, aborts
/// the rest. Returns every result, or the errors (cancellations aside).
async fn run_jobs<T: Send + 'static>(
    client: &Arc<Client>,
    progress: &dyn Progress,
    jobs: Vec<Job<T>>,
) -> Result<Vec<T>, Vec<FetchError>> {
    progress.add_total(jobs.len() as u64);
    let mut set = tokio::task::JoinSet::new();
    for j in jobs {
        set.spawn(j);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    while let Some(r) = set.join_next().await {
        progress.advance();
        match r {
            Ok(Ok(v)) => out.push(v),
            Ok(Err(e)) => {
                // Fail fast: the run's answer is already "could not verify".
                client.cancel();
                set.abort_all();
                if e.kind != FetchErrorKind::Cancelled {
                    errors.push(e);
                }
            }
            Err(join) if join.is_cancelled() => {}
            Err(join) => {
                client.cancel();
                set.abort_all();
                errors.push(FetchError {
                    package: String::new(),
                    url: String::new(),
                    kind: FetchErrorKind::Connect(format!("internal task failure: {join}")),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

type Job<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, FetchError>> + Send>>;
type Records = Vec<(PackageId, Lookup<VersionRecord>)>;

async fn fetch_records(
    graph: &Graph,
    packages: &HashMap<PackageId, PackageData>,
    client: &Arc<Client>,
    s: &Settings,
    full: bool,
    progress: &dyn Progress,
) -> Result<Records, Vec<FetchError>> {
    let mut npm_groups: BTreeMap<(String, String), Members> = BTreeMap::new();
    let mut cargo_groups: BTreeMap<(String, String), Members> = BTreeMap::new();
    let mut immediate: Records = Vec::new();
    let mut ids: Vec<&PackageId> = packages.keys().collect();
    ids.sort();
    for id in ids {
        let p = graph.package(*id);
        let Scope::Check { target, .. } = &packages[id].scope else {
            continue;
        };
        match target {
            Target::Npm { registry, .. } => npm_groups
                .entry((registry.clone(), p.name.clone()))
                .or_default()
                .push((*id, p.version.clone())),
            Target::Cargo { index: Ok(index) } => cargo_groups
                .entry((index.clone(), p.name.to_lowercase()))
                .or_default()
                .push((*id, p.version.clone())),
            Target::Cargo { index: Err(why) } => {
                immediate.push((*id, Lookup::Unavailable(why.clone())));
            }
            Target::Tarball { .. } => {}
        }
    }
    let mut jobs: Vec<Job<Records>> = Vec::new();
    for ((registry, name), members) in npm_groups {
        let who = member_names(graph, &members);
        jobs.push(Box::pin(npm_record(
            client.clone(),
            registry,
            name,
            members,
            who,
            s.max_metadata,
            full,
        )));
    }
    for ((index, name), members) in cargo_groups {
        let who = member_names(graph, &members);
        let display_name = graph.package(members[0].0).name.clone();
        jobs.push(Box::pin(cargo_record(
            client.clone(),
            index,
            display_name,
            name,
            members,
            who,
            s.max_metadata,
        )));
    }
    let results = run_jobs(client, progress, jobs).await?;
    immediate.extend(results.into_iter().flatten());
    Ok(immediate)
}

fn fetch_error(who: &str, url: &str, kind: FetchErrorKind) -> FetchError {
    FetchError {
        package: who.to_owned(),
        url: redact_url(url),
        kind,
    }
}

async fn npm_record(
    client: Arc<Client>,
    registry: String,
    name: String,
    members: Members,
    who: String,
    max: u64,
    full: bool,
) -> Result<Records, FetchError> {
    let url = npm::packument_url(&registry, &name);
    let err = |k| fetch_error(&who, &url, k);
    let fetch = |accept: &'static str| {
        let client = client.clone();
        let url = url.clone();
        async move { client.get_document(&url, accept, max).await }
    };
    let not_found = |status: u16| -> Records {
        members
            .iter()
            .map(|(id, _)| {
                (
                    *id,
                    Lookup::NotFound {
                        url: redact_url(&url),
                        detail: format!("the registry has no package {name} (HTTP {status})"),
                    },
                )
            })
            .collect()
    };
    // Provenance needs each version's publish time, which only the full document has.
    let first = if full {
        npm::ACCEPT_FULL
    } else {
        npm::ACCEPT_ABBREVIATED
    };
    let mut doc = match fetch(first).await.map_err(err)? {
        Got::NotFound(s) => return Ok(not_found(s)),
        Got::Found(b) => {
            npm::parse_packument(&b, &name).map_err(|m| err(FetchErrorKind::InvalidJson(m)))?
        }
    };
    if !full && members.iter().any(|(_, v)| doc.needs_full_document(v)) {
        doc = match fetch(npm::ACCEPT_FULL).await.map_err(err)? {
            Got::NotFound(s) => return Ok(not_found(s)),
            Got::Found(b) => {
                npm::parse_packument(&b, &name).map_err(|m| err(FetchErrorKind::InvalidJson(m)))?
            }
        };
    }
    let mut out = Vec::with_capacity(members.len());
    for (id, version) in &members {
        let lookup = match doc
            .version(version)
            .map_err(|m| err(FetchErrorKind::InvalidJson(m)))?
        {
            npm::VersionLookup::Found(v) => Lookup::Found(VersionRecord {
                url: redact_url(&url),
                digests: v.digests,
                yanked: false,
                deprecated: v.deprecated,
                npm: Some(v.provenance),
            }),
            npm::VersionLookup::Missing => Lookup::NotFound {
                url: redact_url(&url),
                detail: format!(
                    "version {version} of {name} is not in the registry's record (never published, or unpublished)"
                ),
            },
            npm::VersionLookup::Unpublished => Lookup::NotFound {
                url: redact_url(&url),
                detail: format!("{name} was unpublished from the registry"),
            },
        };
        out.push((*id, lookup));
    }
    Ok(out)
}

async fn cargo_record(
    client: Arc<Client>,
    index: String,
    display_name: String,
    lower_name: String,
    members: Members,
    who: String,
    max: u64,
) -> Result<Records, FetchError> {
    let url = format!(
        "{}/{}",
        index.trim_end_matches('/'),
        crates::index_path(&lower_name)
    );
    let err = |k| fetch_error(&who, &url, k);
    let body = match client.get_document(&url, "*/*", max).await.map_err(err)? {
        Got::NotFound(status) => {
            return Ok(members
                .iter()
                .map(|(id, _)| {
                    (
                        *id,
                        Lookup::NotFound {
                            url: redact_url(&url),
                            detail: format!(
                                "the index has no crate {display_name} (HTTP {status})"
                            ),
                        },
                    )
                })
                .collect());
        }
        Got::Found(b) => b,
    };
    let versions =
        crates::parse_entry(&body, &lower_name).map_err(|m| err(FetchErrorKind::InvalidJson(m)))?;
    Ok(members
        .iter()
        .map(|(id, version)| {
            let lookup = match versions.iter().find(|v| v.vers == *version) {
                Some(v) => Lookup::Found(VersionRecord {
                    url: redact_url(&url),
                    digests: vec![v.cksum.clone()],
                    yanked: v.yanked,
                    deprecated: None,
                    npm: None,
                }),
                None => Lookup::NotFound {
                    url: redact_url(&url),
                    detail: format!("version {version} of {display_name} is not in the index"),
                },
            };
            (*id, lookup)
        })
        .collect())
}

/// One artifact to hash: where it is, and with which algorithms.
struct ArtifactJob {
    /// Download URL, or why there is none.
    url: Result<String, String>,
    /// The file in a local artifact cache, if any (read instead of downloading).
    local: Option<PathBuf>,
    algs: Vec<HashAlgorithm>,
    members: Vec<PackageId>,
    who: String,
}

type Artifacts = Vec<(PackageId, Lookup<ArtifactRecord>)>;

/// `true` when a registry record shares no algorithm with the lockfile: the artifact decides.
fn needs_bridge(expected: &[Digest], record: Option<&Lookup<VersionRecord>>) -> bool {
    matches!(record, Some(Lookup::Found(r))
        if !expected.is_empty() && matches!(compare::compare(expected, &r.digests), HashComparison::NoCommon { .. }))
}

fn host_of(u: &str) -> Option<String> {
    reqwest::Url::parse(u.strip_prefix("sparse+").unwrap_or(u))
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
}

async fn fetch_artifacts(
    graph: &Graph,
    packages: &HashMap<PackageId, PackageData>,
    req: &Request,
    client: &Arc<Client>,
    caches: &Arc<LocalCaches>,
    s: &Settings,
    progress: &dyn Progress,
) -> Result<Artifacts, Vec<FetchError>> {
    let mut immediate: Artifacts = Vec::new();
    // Which packages, where (local file or download), with which algorithms.
    struct Wanted<'a> {
        id: PackageId,
        target: &'a Target,
        local: Option<PathBuf>,
        algs: Vec<HashAlgorithm>,
        sha256: Option<String>,
        /// Only to bridge a registry record: offline and uncached, it stays unverified.
        bridge_only: bool,
    }
    let mut wanted: Vec<Wanted<'_>> = Vec::new();
    let mut ids: Vec<&PackageId> = packages.keys().collect();
    ids.sort();
    for id in ids {
        let pd = &packages[id];
        let Scope::Check { target, expected } = &pd.scope else {
            continue;
        };
        let bridge = needs_bridge(expected, pd.record.as_ref());
        if !(req.verify_artifacts || bridge) {
            continue;
        }
        if expected.is_empty() {
            immediate.push((
                *id,
                Lookup::Unavailable(
                    "the lockfile pins no hash to compare the artifact with (see missing-hash)"
                        .into(),
                ),
            ));
            continue;
        }
        let mut algs: Vec<HashAlgorithm> = expected.iter().map(|d| d.algorithm).collect();
        if let Some(Lookup::Found(r)) = &pd.record {
            algs.extend(r.digests.iter().map(|d| d.algorithm));
        }
        algs.sort_unstable();
        algs.dedup();
        if !MultiHasher::new(&algs).is_useful() {
            immediate.push((
                *id,
                Lookup::Unavailable(
                    "the lockfile pins only md5, which tollgate does not compute (see weak-hash)"
                        .into(),
                ),
            ));
            continue;
        }
        let p = graph.package(*id);
        let local = match target {
            Target::Npm { tarball: u, .. } | Target::Tarball { url: u } => {
                caches.find_tarball(&p.name, &p.version, u, expected)
            }
            Target::Cargo { index } => {
                let mut hosts: Vec<String> = Vec::new();
                if let crate::package::Source::Registry { url: Some(u), .. } = &p.source {
                    hosts.extend(host_of(u));
                }
                if let Ok(i) = index {
                    hosts.extend(host_of(i));
                }
                if hosts
                    .iter()
                    .any(|h| h == "github.com" || h == "index.crates.io")
                {
                    hosts.extend(["github.com".to_owned(), "index.crates.io".to_owned()]);
                }
                caches.find_crate(&p.name, &p.version, &hosts)
            }
        };
        let sha256 = expected
            .iter()
            .find(|d| d.algorithm == HashAlgorithm::Sha256)
            .map(|d| crate::package::encode_hex(&d.bytes));
        wanted.push(Wanted {
            id: *id,
            target,
            local,
            algs,
            sha256,
            bridge_only: bridge && !req.verify_artifacts,
        });
    }

    // Cargo downloads need each index's config.json (`dl`).
    let mut indexes: Vec<String> = wanted
        .iter()
        .filter(|w| w.local.is_none())
        .filter_map(|w| match w.target {
            Target::Cargo { index: Ok(i) } => Some(i.clone()),
            _ => None,
        })
        .collect();
    indexes.sort();
    indexes.dedup();
    let mut dl: HashMap<String, String> = HashMap::new();
    if !client.offline() && !indexes.is_empty() {
        let mut jobs: Vec<Job<(String, String)>> = Vec::new();
        for index in indexes {
            let client = client.clone();
            let max = s.max_metadata;
            jobs.push(Box::pin(async move {
                let url = format!("{}/config.json", index.trim_end_matches('/'));
                let err = |k| fetch_error("the index configuration", &url, k);
                match client.get_document(&url, "*/*", max).await.map_err(err)? {
                    Got::Found(b) => crates::parse_config(&b)
                        .map(|c| (index.clone(), c.dl))
                        .map_err(|m| err(FetchErrorKind::InvalidJson(m))),
                    Got::NotFound(st) => Err(err(FetchErrorKind::Status(st))),
                }
            }));
        }
        dl.extend(run_jobs(client, progress, jobs).await?);
    }

    let mut by_key: BTreeMap<String, ArtifactJob> = BTreeMap::new();
    for w in wanted {
        let p = graph.package(w.id);
        let url: Result<String, String> = match w.target {
            Target::Npm { tarball: u, .. } | Target::Tarball { url: u } => Ok(u.clone()),
            Target::Cargo { index: Err(why) } => Err(why.clone()),
            Target::Cargo { index: Ok(i) } => match dl.get(i) {
                Some(d) => Ok(crates::download_url(
                    d,
                    &p.name,
                    &p.version,
                    w.sha256.as_deref(),
                )),
                None => Err("not in any artifact cache (--offline)".into()),
            },
        };
        if w.local.is_none() {
            if let Err(why) = &url
                && !client.offline()
            {
                immediate.push((w.id, Lookup::Unavailable(why.clone())));
                continue;
            }
            if client.offline() && w.bridge_only {
                immediate.push((
                    w.id,
                    Lookup::Unavailable(
                        "not in any artifact cache, and --offline forbids the download".into(),
                    ),
                ));
                continue;
            }
        }
        let key = match (&w.local, &url) {
            (Some(l), _) => format!("file:{}", l.display()),
            (None, Ok(u)) => u.clone(),
            (None, Err(_)) => format!("none:{}", p.id),
        };
        let job = by_key.entry(key).or_insert_with(|| ArtifactJob {
            url: url.clone(),
            local: w.local.clone(),
            algs: Vec::new(),
            members: Vec::new(),
            who: String::new(),
        });
        job.algs.extend(w.algs);
        job.algs.sort_unstable();
        job.algs.dedup();
        job.members.push(w.id);
    }
    let mut jobs: Vec<Job<Artifacts>> = Vec::new();
    for (_, mut job) in by_key {
        let mut names: Vec<String> = job
            .members
            .iter()
            .map(|id| graph.package(*id).display_name())
            .collect();
        names.sort();
        names.dedup();
        job.who = names.join(", ");
        jobs.push(Box::pin(artifact(client.clone(), job, s.max_artifact)));
    }
    let results = run_jobs(client, progress, jobs).await?;
    immediate.extend(results.into_iter().flatten());
    Ok(immediate)
}

async fn artifact(
    client: Arc<Client>,
    job: ArtifactJob,
    max: u64,
) -> Result<Artifacts, FetchError> {
    let each = |l: Lookup<ArtifactRecord>| -> Artifacts {
        job.members.iter().map(|id| (*id, l.clone())).collect()
    };
    if let Some(path) = job.local.clone() {
        let algs = job.algs.clone();
        let shown = path.display().to_string();
        let res = tokio::task::spawn_blocking(move || {
            let mut h = MultiHasher::new(&algs);
            artifact::hash_file(&path, &mut h, max).map(|n| (n, h.finish()))
        })
        .await
        .map_err(|e| fetch_error(&job.who, &shown, FetchErrorKind::Io(e.to_string())))?;
        let (size, digests) = res.map_err(|k| fetch_error(&job.who, &shown, k))?;
        return Ok(each(Lookup::Found(ArtifactRecord {
            origin: shown,
            size,
            digests,
        })));
    }
    let url = match &job.url {
        Ok(u) if !client.offline() => u.clone(),
        Ok(u) => return Err(fetch_error(&job.who, u, FetchErrorKind::Offline)),
        Err(why) => {
            return Err(FetchError {
                package: job.who.clone(),
                url: why.clone(),
                kind: FetchErrorKind::Offline,
            });
        }
    };
    let mut h = MultiHasher::new(&job.algs);
    let got = client
        .stream(&url, max, &mut |b| h.update(b))
        .await
        .map_err(|k| fetch_error(&job.who, &url, k))?;
    Ok(match got {
        Got::Found(size) => each(Lookup::Found(ArtifactRecord {
            origin: redact_url(&url),
            size,
            digests: h.finish(),
        })),
        Got::NotFound(status) => each(Lookup::NotFound {
            url: redact_url(&url),
            detail: format!("the registry does not serve the artifact (HTTP {status})"),
        }),
    })
}

/// The ecosystem's word for an artifact (`.crate`, tarball).
pub fn artifact_word(e: Ecosystem) -> &'static str {
    match e {
        Ecosystem::Cargo => ".crate file",
        Ecosystem::Npm => "tarball",
    }
}

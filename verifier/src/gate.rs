//! The release gate as one function, [`check`]: discovery → lockfiles → graph → loaded data
//! (manifests, registry records, the advisory index) → checks → policy → [`Report`].
//!
//! `tollgate check` calls it, and so will every later command that runs the gate (`sbom`,
//! `rescan`, receipts): the binary keeps only argument parsing, progress display, rendering and
//! the exit code. Obligations that hold for every finding (credential redaction, the policy, the
//! notes) are applied here, once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::advisory::{self, AdvisoryError};
use crate::checks::{self, CheckCx, ChecksConfig};
use crate::discover::{self, LoadOptions};
use crate::error::{LoadError, ManifestError};
use crate::finding::Finding;
use crate::graph::Graph;
use crate::lockfile::LockfileInfo;
use crate::lockfile::cargo_manifest;
use crate::manifests::{Manifests, Wanted};
use crate::policy::Config;
use crate::provenance::{ProvenanceError, ProvenanceSettings};
use crate::registry::http::HttpStats;
use crate::registry::{self, Progress, RegistryError, Request};
use crate::report::Report;
use crate::report::{Note, NoteCode};
use crate::time::Timestamp;

/// What to check and how: the command line's view, after the policy file was read.
#[derive(Debug, Clone)]
pub struct CheckInput {
    /// The path given (a lockfile or a directory to search); `None` with no lockfile: `.`.
    pub path: Option<PathBuf>,
    /// Lockfiles named one by one (`--lockfile`).
    pub lockfiles: Vec<PathBuf>,
    /// CycloneDX JSON SBOMs to check (`--sbom`), read into the same graph as the lockfiles
    /// ([`crate::lockfile::cyclonedx`]).
    pub sboms: Vec<PathBuf>,
    /// Largest lockfile read, in bytes.
    pub max_file_size: u64,
    /// The policy, with command-line overrides applied.
    pub config: Config,
    /// The advisory database (`--db`, beats `[advisories] db`); `None`: the user cache, else the
    /// embedded snapshot.
    pub db: Option<PathBuf>,
    /// Accept a database without advisories for an ecosystem of the graph (`--allow-empty-db`;
    /// `[advisories] allow-empty` lists ecosystems).
    pub allow_empty_db: bool,
    /// Staleness threshold in days (`--max-db-age-days`, beats `[advisories] max-age-days`).
    pub max_db_age_days: Option<u32>,
    /// Fail on a stale database (`--fail-on-stale-db`, or `[advisories] fail-on-stale`).
    pub fail_on_stale_db: bool,
    /// `--verify-registry` / `--verify-artifacts` / `--verify-provenance`; `None` when none was
    /// asked for.
    pub registry: Option<Request>,
    /// Where provenance verification's trust comes from (`--npm-keys`, `--trusted-root`, over
    /// `[provenance]`); used when the request has `verify_provenance`.
    pub provenance: ProvenanceSettings,
    /// Waiver-approval nonces consumed so far, read from the audit log the run appends to
    /// (`evidence::consumed_nonces`); `None` without one. `[policy] require-approved-waivers`
    /// needs it: approvals are single-use.
    pub consumed_nonces: Option<crate::policy::approvals::ConsumedNonces>,
    /// CycloneDX VEX documents (`--vex`): their statements waive the findings they match, as
    /// the SBOMs' own `vulnerabilities` do.
    pub vex: Vec<PathBuf>,
}

/// One run of the gate.
#[derive(Debug)]
pub struct Run {
    /// The dependency graph that was checked.
    pub graph: Graph,
    /// The report: findings, dispositions, verdict, notes, coverage, sources.
    pub report: Report,
    /// Notes a user must see even when the report goes to a machine (registry problems, the
    /// database's age): the CLI repeats them on stderr for non-human formats.
    pub warnings: Vec<String>,
    /// HTTP counters of the registry stage, when it ran.
    pub registry_stats: Option<HttpStats>,
}

/// Why the gate could not decide (exit 2): the message names the file, URL or database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// Lockfiles could not be found or read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A manifest beside a lockfile could not be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The registry stage failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The advisory database could not be opened or is hollow.
    #[error(transparent)]
    Advisory(#[from] AdvisoryError),
    /// Provenance could not be verified (keys file, trusted root).
    #[error(transparent)]
    Provenance(#[from] ProvenanceError),
    /// The policy asks for something this run cannot enforce.
    #[error("{0}")]
    Unenforceable(String),
    /// A VEX document (`--vex`) could not be read or holds a statement that cannot be applied.
    #[error(transparent)]
    Vex(#[from] crate::vex::VexError),
}

impl CheckInput {
    /// The paths to load: PATH and every `--lockfile`, `.` when there is neither (and no
    /// `--sbom`).
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.path.iter().cloned().collect();
        paths.extend(self.lockfiles.iter().cloned());
        if paths.is_empty() && self.sboms.is_empty() {
            paths.push(PathBuf::from("."));
        }
        paths
    }

    /// The directory `path-outside-repo` measures against: PATH when it is a directory, else
    /// the current directory.
    fn repo_root(&self) -> PathBuf {
        let root = match &self.path {
            Some(p) if p.is_dir() => p.clone(),
            _ => PathBuf::from("."),
        };
        std::fs::canonicalize(&root).unwrap_or(root)
    }
}

/// Runs the gate at `now`. `env` looks up environment variables (registry tokens in `.npmrc`);
/// `progress` is told about the registry stage's work.
pub fn check(
    input: &CheckInput,
    env: &dyn Fn(&str) -> Option<String>,
    progress: &dyn Progress,
    now: Timestamp,
) -> Result<Run, CheckError> {
    let config = &input.config;
    if config.policy.require_approved_waivers && input.consumed_nonces.is_none() {
        return Err(CheckError::Unenforceable(
            "[policy] require-approved-waivers needs --audit-log LOG --key KEY: approvals are \
             single-use, and their nonces are recorded in the audit log"
                .into(),
        ));
    }
    let checks_config = config.checks();
    let wanted = Wanted::from(&checks_config);
    let opts = LoadOptions {
        max_file_size: input.max_file_size,
        exclude: config.exclude.clone(),
        // The manifest stage reads the Cargo workspaces when a check needs them; the edge kinds
        // then come from those manifests (read once), not from a second search.
        manifests_later: wanted.drift || wanted.path_outside_repo,
    };
    let mut plan = discover::plan(&input.paths(), &opts)?;
    discover::plan_sboms(&mut plan, &input.sboms)?;
    let vex = load_vex(&input.vex, input.max_file_size)?;
    let repo_root = input.repo_root();
    let db_path = input.db.clone().or_else(|| config.advisories.db.clone());

    // Loading, two stages at a time: this thread reads the lockfiles and builds the graph; a
    // second reads what needs only the lockfiles' paths, the manifests beside them (when each
    // lockfile's format follows from its name, as it does for every file a directory search
    // finds), and opens the advisory index. Errors keep their order: the graph's first, then the
    // manifests', then the database's.
    let early: Option<Vec<LockfileInfo>> = plan
        .lockfiles
        .iter()
        .map(|l| {
            Some(LockfileInfo {
                path: l.path.clone(),
                display: l.display.clone(),
                format: l.format_by_name()?,
                version: 0,
                packages: 0,
            })
        })
        .collect();
    let ((early_manifests, db), graph) = in_parallel(
        || {
            let manifests = early
                .as_deref()
                .map(|locks| Manifests::load_lockfiles(locks, &repo_root, wanted));
            let db = advisory::open_or_embedded(db_path.as_deref(), now);
            (manifests, db)
        },
        || discover::load_plan(plan, &opts),
    );
    let mut graph = graph?;
    let manifests = match (early_manifests, &early) {
        (Some(m), Some(locks)) if same_lockfiles(locks, &graph) => {
            let mut m = m?;
            m.attach_lock_facts(&graph);
            m
        }
        // A lockfile under another name, whose format only its content told: read them now.
        _ => Manifests::load(&graph, &repo_root, wanted)?,
    };
    if opts.manifests_later {
        refine_cargo_kinds(&mut graph, &manifests);
    }
    // The local database first: a hollow one fails before any network request.
    let db = db?;
    let allow_empty = if input.allow_empty_db {
        vec!["*".to_owned()]
    } else {
        config.advisories.allow_empty.clone()
    };
    advisory::require_ecosystems(&db, advisory::ecosystems_to_match(&graph), &allow_empty)?;

    // The checks on this thread, advisory matching on a second (it reads only the graph and the
    // index); this thread joins the matching when its checks are done. The registry stage
    // (network) runs here first; its error beats the index's.
    let matching = advisory::MatchWork::new(&db, &graph);
    let (side_part, (checked, own_part)) = in_parallel(
        || matching.run(),
        || {
            let checked = run_checks(
                input,
                &graph,
                &repo_root,
                &checks_config,
                &manifests,
                Outside { env, progress, now },
            );
            let own_part = match &checked {
                Ok(_) => matching.run(),
                Err(_) => advisory::MatchPart::default(),
            };
            (checked, own_part)
        },
    );
    let Checked {
        mut findings,
        stale_config,
        registry_notes,
        coverage,
        registry_stats,
        rechecks,
    } = checked?;
    let mut advisory_findings = advisory::MatchWork::finish([side_part, own_part])?;
    for f in &mut advisory_findings {
        scrub_finding(f);
    }
    findings.extend(advisory_findings);

    // Policy and report.
    let provenance_verified = input.registry.as_ref().is_some_and(|r| r.verify_provenance);
    let no_nonces = Default::default();
    let consumed = input.consumed_nonces.as_ref().unwrap_or(&no_nonces);
    let mut report = crate::pipeline::finish_report(
        &graph,
        config,
        findings,
        now,
        provenance_verified,
        consumed,
        &vex,
    );
    report.notes.extend(manifests.notes.iter().cloned());
    report.notes.extend(
        stale_config
            .iter()
            .map(|e| Note::new(NoteCode::StaleConfig, e.to_string())),
    );
    report.stale_config = stale_config;
    report.notes.extend(registry_notes.iter().cloned());
    report.coverage = coverage;
    report.rechecks = rechecks;
    let max_age = input
        .max_db_age_days
        .or(config.advisories.max_age_days)
        .unwrap_or(advisory::store::DEFAULT_MAX_AGE_DAYS);
    let status = advisory::status(&db, now, max_age);
    let before = report.notes.len();
    crate::pipeline::apply_db_status(
        &mut report,
        &status,
        input.fail_on_stale_db || config.advisories.fail_on_stale,
    );
    for n in &mut report.notes {
        n.text = crate::redact::redact_all(&n.text);
    }
    // What the CLI repeats on stderr: the registry's notes and the database's, as text.
    let warnings: Vec<String> = registry_notes
        .iter()
        .map(|n| crate::redact::redact_all(&n.text))
        .chain(report.notes[before..].iter().map(|n| n.text.clone()))
        .collect();
    // Where the report's files lie in the repository, for SARIF locations.
    report.sources = Some(crate::sources::locate(
        &graph,
        &report,
        input.path.as_deref(),
    ));
    Ok(Run {
        graph,
        report,
        warnings,
        registry_stats,
    })
}

/// The advisory part of the gate over a graph already loaded, against a database already open:
/// `rescan` opens the index once and calls this for every stored SBOM. The same matching,
/// redaction and policy as [`check`] (thresholds, waivers, SLA ages, the SBOM's VEX); a database
/// without advisories for an ecosystem of the graph fails closed, unless `allow_empty` lists it.
pub fn check_advisories(
    graph: &Graph,
    db: &advisory::AdvisoryDb,
    config: &Config,
    allow_empty: &[String],
    now: Timestamp,
) -> Result<Report, CheckError> {
    advisory::require_ecosystems(db, advisory::ecosystems_to_match(graph), allow_empty)?;
    let mut findings = advisory::match_graph(db, graph)?;
    for f in &mut findings {
        scrub_finding(f);
    }
    // Rescan judges a stored SBOM's advisories only: its per-finding changes decide, and the
    // `[provenance]` rules were the release gate's to enforce (`provenance_verified` = true
    // keeps them from adding an "unenforced" reason to a report whose verdict rescan does not
    // use). Waiver approvals were consumed at release; none are re-spent here.
    Ok(crate::pipeline::finish_report(
        graph,
        config,
        findings,
        now,
        true,
        &Default::default(),
        &[],
    ))
}

/// Reads the statements of the `--vex` documents (regular files, at most `max_size` bytes).
fn load_vex(files: &[PathBuf], max_size: u64) -> Result<Vec<crate::vex::VexStatement>, CheckError> {
    let mut out = Vec::new();
    for f in files {
        let display = f.to_string_lossy().replace('\\', "/");
        let text = crate::lockfile::read_text(f, max_size).map_err(LoadError::from)?;
        out.extend(crate::vex::parse_document(&display, &text)?);
    }
    Ok(out)
}

/// What the checks found (the offline checks and, when asked, the registry stage's).
struct Checked {
    findings: Vec<Finding>,
    stale_config: Vec<checks::StaleConfigEntry>,
    registry_notes: Vec<Note>,
    coverage: Vec<crate::coverage::CheckCoverage>,
    registry_stats: Option<HttpStats>,
    rechecks: Vec<crate::report::Recheck>,
}

/// What the run takes from outside: the environment, the progress display, the clock.
#[derive(Clone, Copy)]
struct Outside<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    progress: &'a dyn Progress,
    now: Timestamp,
}

/// The registry and provenance stages (when asked: they load over the network) and every check,
/// with the common obligations applied to their findings.
fn run_checks(
    input: &CheckInput,
    graph: &Graph,
    repo_root: &Path,
    checks_config: &ChecksConfig,
    manifests: &Manifests,
    outside: Outside<'_>,
) -> Result<Checked, CheckError> {
    let Outside { env, progress, now } = outside;
    let registry_data = match &input.registry {
        Some(req) => Some(registry::load(
            graph,
            &checks_config.registries,
            req,
            env,
            progress,
        )?),
        None => None,
    };
    let provenance_data = match &registry_data {
        Some(data) if data.verify_provenance => Some(crate::provenance::verify(
            graph,
            data,
            &input.provenance,
            now,
        )?),
        _ => None,
    };
    let mut cx = CheckCx::new(graph, repo_root, checks_config);
    cx.manifests = Some(manifests);
    let mut findings = checks::run_checks(&cx);
    let stale_config = checks::stale_entries(&cx);
    let mut registry_notes = Vec::new();
    let mut coverage = Vec::new();
    let mut registry_stats = None;
    let mut rechecks = Vec::new();
    if let Some(data) = &registry_data {
        coverage = checks::registry::run(&cx, data, &mut findings);
        if let Some(pd) = &provenance_data {
            let o = checks::provenance::run(&cx, data, pd, &input.config.provenance, &mut findings);
            coverage.extend(o.coverage);
            rechecks = o.rechecks;
        }
        registry_notes.extend(
            data.warnings
                .iter()
                .map(|w| Note::new(NoteCode::Registry, w.clone())),
        );
        for c in &coverage {
            if c.unverifiable > 0 {
                registry_notes.push(Note::new(
                    NoteCode::Unverifiable,
                    format!(
                        "{}: {} package(s) could not be verified; the coverage lists them and why",
                        c.check, c.unverifiable
                    ),
                ));
            }
        }
        registry_stats = Some(data.stats.clone());
    }
    // One obligation for every finding, whichever stage made it: no credential reaches a report
    // (the gate scrubs the advisory findings the same way).
    for f in &mut findings {
        scrub_finding(f);
    }
    Ok(Checked {
        findings,
        stale_config,
        registry_notes,
        coverage,
        registry_stats,
        rechecks,
    })
}

/// Runs `side` on a second thread and `here` on this one, and returns both results. When no
/// thread can be started, runs `side` after `here`: the same results, one after the other.
/// A panic on either thread resumes on this one.
fn in_parallel<A: Send, B>(side: impl Fn() -> A + Sync, here: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("tollgate-load".into())
            .spawn_scoped(s, &side);
        let b = here();
        let a = match handle {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => side(),
        };
        (a, b)
    })
}

/// Gives the edges of Cargo path packages the kinds (dev, build, optional) their manifests
/// declare: from the workspaces the manifest stage read, or, for a `Cargo.lock` whose workspace
/// it did not read, from the manifests found under the lock's directory (as
/// [`discover::load_plan`] does when the caller does not read them itself).
fn refine_cargo_kinds(graph: &mut Graph, manifests: &Manifests) {
    for i in 0..graph.lockfiles.len() as u32 {
        let info = &graph.lockfiles[i as usize];
        if info.format != crate::lockfile::Format::CargoLock {
            continue;
        }
        if let Some(project) = manifests.cargo.iter().find(|p| p.lockfile == i) {
            let by_name: HashMap<&str, &cargo_manifest::Manifest> = project
                .workspace
                .packages
                .iter()
                .filter_map(|p| Some((p.manifest.package.as_ref()?.name.as_str(), &p.manifest)))
                .collect();
            graph.refine_cargo_kinds(i, |from, to| by_name.get(from)?.kind_of(to));
            continue;
        }
        let has_path = graph.packages().any(|(_, p)| {
            p.location.lockfile == i && matches!(p.source, crate::package::Source::Path)
        });
        let Some(dir) = info.path.parent() else {
            continue;
        };
        if !has_path {
            continue;
        }
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let (found, problems) = cargo_manifest::find_package_manifests(dir);
        graph.warnings.extend(problems.into_iter().map(|p| {
            crate::lockfile::Diagnostic::at(
                i,
                0,
                format!("{p}; dependency kinds (dev, build, optional) from it are not used"),
            )
        }));
        graph.refine_cargo_kinds(i, |from, to| found.get(from)?.kind_of(to));
    }
}

/// `true` when the graph was built from exactly these lockfiles, in this order.
fn same_lockfiles(locks: &[LockfileInfo], graph: &Graph) -> bool {
    locks.len() == graph.lockfiles.len()
        && locks
            .iter()
            .zip(&graph.lockfiles)
            .all(|(a, b)| a.path == b.path && a.display == b.display && a.format == b.format)
}

/// Redacts credentials from every string field of a finding (ids, path, package, texts).
pub fn scrub_finding(f: &mut Finding) {
    fn r(s: &mut String) {
        // Only a URL (`://`: user-info) or a `key=value` can hold a secret that `redact_url`
        // removes; `@` alone (every `name@version`) cannot.
        if s.contains("://") || s.contains('=') {
            let red = crate::redact::redact_all(s);
            if red != *s {
                *s = red;
            }
        }
    }
    r(&mut f.id);
    r(&mut f.title);
    r(&mut f.message);
    for p in &mut f.path {
        r(p);
    }
    if let Some(p) = &mut f.package {
        r(&mut p.version);
        r(&mut p.name);
        r(&mut p.id);
        // The purl percent-encodes: look at its decoded form.
        let decoded = percent_decode(&p.purl);
        if decoded.contains("://") || decoded.contains('=') {
            let red = crate::redact::redact_all(&decoded);
            if red != decoded {
                p.purl = red;
            }
        }
    }
    if let Some(fix) = &mut f.fix {
        for s in fix.strings_mut() {
            r(s);
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(crate::package::decode_hex)
        {
            out.push(v[0]);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

//! `tollgate rescan`: stored SBOMs re-matched against the current advisory database, and what is
//! new since the last scan.
//!
//! The index is opened once; the SBOMs are read one at a time (two threads take them in turn),
//! each parsed into a graph ([`crate::lockfile::cyclonedx`]), matched and judged by the same
//! advisory gate as `check` ([`crate::gate::check_advisories`]: policy, waivers, SLA ages, the
//! SBOM's VEX), and dropped; only its findings' ids, severities and SLA states are kept. Compared
//! with the previous [`state::State`], a finding is a [`ChangeKind::New`] advisory, a
//! [`ChangeKind::Raised`] severity or [`ChangeKind::NewlyOverdue`]; the run fails when a change
//! blocks by the policy (at or above `fail-on`, not waived).
//!
//! `--shard K/N` keeps the SBOMs whose SHA-256 (as a number, its first 8 bytes) is K-1 modulo N:
//! a stable, content-addressed split, so N runners with the same inputs scan disjoint subsets
//! whose states `merge` unions ([`state::State::merge`]).

pub mod state;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::Digest as _;

use crate::advisory::AdvisoryDb;
use crate::error::LoadError;
use crate::finding::Severity;
use crate::gate::CheckError;
use crate::graph::Graph;
use crate::lockfile::{Format, LockfileInfo};
use crate::policy::Config;
use crate::report::Disposition;
use crate::time::Timestamp;
use state::{FindingState, SbomState, State};

/// `--shard K/N`: this runner's part of the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` (1 ≤ K ≤ N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard `{s}`: expected K/N with 1 ≤ K ≤ N (e.g. 2/8)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// `true` when an SBOM of this digest belongs to the shard.
    pub fn contains(&self, sha256: &[u8; 32]) -> bool {
        let mut first = [0u8; 8];
        first.copy_from_slice(&sha256[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }
}

/// What to rescan and how.
#[derive(Debug, Clone)]
pub struct RescanInput {
    /// SBOM files, and directories searched for `*.cdx.json`, `*.bom.json` and `bom.json`.
    pub paths: Vec<PathBuf>,
    /// The policy (fail-on, waivers, SLAs).
    pub config: Config,
    /// This runner's shard.
    pub shard: Option<Shard>,
    /// Largest SBOM read.
    pub max_file_size: u64,
    /// Ecosystems for which an empty database is accepted (`["*"]`: any).
    pub allow_empty: Vec<String>,
}

/// How a finding changed since the last scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// An advisory the SBOM was not affected by at its last scan (or an SBOM not scanned before).
    New,
    /// The same advisory, now of a higher severity.
    Raised,
    /// The same advisory, now past its SLA.
    NewlyOverdue,
}

impl ChangeKind {
    /// Every kind.
    pub const ALL: [ChangeKind; 3] = [
        ChangeKind::New,
        ChangeKind::Raised,
        ChangeKind::NewlyOverdue,
    ];

    /// Stable name (JSON `changes[].change`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Raised => "raised",
            ChangeKind::NewlyOverdue => "newly-overdue",
        }
    }
}

/// One finding that is new since the last scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The SBOM, as displayed.
    pub sbom: String,
    /// What changed.
    pub kind: ChangeKind,
    /// The finding's id (`advisory/vulnerability:ID:name@version`).
    pub finding: String,
    /// Advisory ids and aliases.
    pub ids: Vec<String>,
    /// The package's purl.
    pub purl: String,
    /// The title.
    pub title: String,
    /// Effective severity now.
    pub severity: Severity,
    /// Severity at the last scan ([`ChangeKind::Raised`]).
    pub previous: Option<Severity>,
    /// Past its SLA now.
    pub overdue: bool,
    /// Blocks by the policy now (counts toward the verdict).
    pub blocking: bool,
}

/// The result of a rescan.
#[derive(Debug, Clone)]
pub struct Rescan {
    /// SBOMs found.
    pub found: usize,
    /// SBOMs scanned (in the shard).
    pub scanned: usize,
    /// Advisory findings over the scanned SBOMs (every disposition).
    pub findings: usize,
    /// What is new since the last scan, by SBOM, then kind, then finding.
    pub changes: Vec<Change>,
    /// The state to write: the previous one with the scanned SBOMs' entries replaced.
    pub state: State,
    /// `true` when no state existed before (every finding is new).
    pub first_scan: bool,
}

impl Rescan {
    /// Changes that block (at or above `fail-on`, not waived).
    pub fn blocking(&self) -> usize {
        self.changes.iter().filter(|c| c.blocking).count()
    }
}

/// Why a rescan could not decide (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum RescanError {
    /// An SBOM could not be found, read or mapped.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The gate could not decide for an SBOM (a database without the SBOM's ecosystem).
    #[error(transparent)]
    Check(#[from] CheckError),
    /// The state file.
    #[error(transparent)]
    State(#[from] state::StateError),
}

/// The SBOM files under `paths` with the names the state keeps them under: files as given;
/// directories searched recursively (not following links, skipping `node_modules` and `.git`)
/// for `*.cdx.json`, `*.bom.json`, `bom.json`, named relative to the directory (so runners that
/// mount the fleet elsewhere share keys). Sorted by name and deduplicated.
pub fn find_sboms(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, LoadError> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| LoadError::Path {
            path: p.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
                _ => e.to_string(),
            },
        })?;
        if !meta.is_dir() {
            out.push((p.clone(), p.to_string_lossy().replace('\\', "/")));
            continue;
        }
        let before = out.len();
        let mut stack = vec![p.clone()];
        while let Some(d) = stack.pop() {
            let rd = std::fs::read_dir(&d).map_err(|e| LoadError::Path {
                path: d.clone(),
                message: format!("cannot list directory: {e}"),
            })?;
            for e in rd {
                let e = e.map_err(|e| LoadError::Path {
                    path: d.clone(),
                    message: format!("cannot list directory: {e}"),
                })?;
                let ft = e.file_type().map_err(|err| LoadError::Path {
                    path: e.path(),
                    message: err.to_string(),
                })?;
                let name = e.file_name();
                let name = name.to_string_lossy();
                if ft.is_dir() {
                    if name != "node_modules" && name != ".git" {
                        stack.push(e.path());
                    }
                } else if name.ends_with(".cdx.json")
                    || name.ends_with(".bom.json")
                    || name == "bom.json"
                {
                    let path = e.path();
                    let rel = path.strip_prefix(p).unwrap_or(&path);
                    let key = rel.to_string_lossy().replace('\\', "/");
                    out.push((path, key));
                }
            }
        }
        if out.len() == before {
            return Err(LoadError::Path {
                path: p.clone(),
                message: "no SBOM here (*.cdx.json, *.bom.json, bom.json)".to_owned(),
            });
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out.dedup();
    // Two directories with a file of the same relative name: the second keeps its full path.
    let mut seen = std::collections::HashSet::new();
    for (path, key) in &mut out {
        if !seen.insert(key.clone()) {
            *key = path.to_string_lossy().replace('\\', "/");
            seen.insert(key.clone());
        }
    }
    Ok(out)
}

/// One scanned SBOM: its state entry and its findings as changes-to-be.
struct Scanned {
    key: String,
    entry: SbomState,
    current: Vec<Current>,
}

struct Current {
    finding: String,
    ids: Vec<String>,
    purl: String,
    title: String,
    severity: Severity,
    overdue: bool,
    waived: bool,
    blocking: bool,
}

/// Reads, parses and judges one SBOM; `None` when it is not in the shard.
fn scan_one(
    path: &Path,
    display: &str,
    input: &RescanInput,
    db: &AdvisoryDb,
    now: Timestamp,
) -> Result<Option<Scanned>, RescanError> {
    let bytes = crate::fsio::read_regular(path, input.max_file_size)
        .map_err(|e| LoadError::from(crate::error::LockfileError::from(e)))?;
    let digest: [u8; 32] = sha2::Sha256::digest(&bytes).into();
    if input.shard.is_some_and(|s| !s.contains(&digest)) {
        return Ok(None);
    }
    let display = display.to_owned();
    let text = crate::lockfile::decode_text(path, bytes).map_err(LoadError::from)?;
    let parsed =
        crate::lockfile::cyclonedx::parse(path, &display, &text, 0).map_err(LoadError::from)?;
    if parsed.no_entries {
        return Err(LoadError::from(crate::error::LockfileError::new(
            path,
            None,
            crate::error::LockfileErrorKind::NoPackages(
                "no component with a purl and no described package: an SBOM that lists nothing would pass anything".into(),
            ),
        ))
        .into());
    }
    drop(text);
    let mut graph = Graph::new();
    let info = LockfileInfo {
        path: path.to_owned(),
        display: display.clone(),
        format: Format::CycloneDx,
        version: parsed.version,
        packages: parsed.packages.len(),
    };
    graph.add_lockfile(info, parsed);
    let report = crate::gate::check_advisories(&graph, db, &input.config, &input.allow_empty, now)?;
    let mut entry = SbomState {
        sha256: crate::package::encode_hex(&digest),
        scanned_at: now.rfc3339(),
        findings: Default::default(),
    };
    let mut current = Vec::with_capacity(report.findings.len());
    for rf in report.findings {
        let f = rf.finding;
        let waived = matches!(rf.disposition, Disposition::Waived { .. });
        let overdue = rf.sla.as_ref().is_some_and(|s| s.overdue);
        let blocking = matches!(rf.disposition, Disposition::Blocking { .. });
        entry.findings.insert(
            f.id.clone(),
            FindingState {
                severity: rf.effective_severity,
                overdue,
                waived,
            },
        );
        current.push(Current {
            purl: f
                .package
                .as_ref()
                .map(|p| p.purl.clone())
                .unwrap_or_default(),
            finding: f.id,
            ids: f.ids,
            title: f.title,
            severity: rf.effective_severity,
            overdue,
            waived,
            blocking,
        });
    }
    // Graphs of SBOMs are dropped here, one at a time: the run holds one per thread.
    Ok(Some(Scanned {
        key: display,
        entry,
        current,
    }))
}

/// What one thread scanned, by index into the file list; or the first error it met there.
type WorkerResult = Result<Vec<(usize, Scanned)>, Box<(usize, RescanError)>>;

/// Rescans `input.paths` against `db` at `now`, compared with `previous` (`None`: the first
/// scan). The caller reads and writes the state file ([`state::read`], [`state::write_atomic`]).
pub fn rescan(
    input: &RescanInput,
    db: &AdvisoryDb,
    previous: Option<State>,
    now: Timestamp,
) -> Result<Rescan, RescanError> {
    let files = find_sboms(&input.paths)?;
    let next = AtomicUsize::new(0);
    let worker = || -> WorkerResult {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((f, key)) = files.get(i) else {
                return Ok(mine);
            };
            match scan_one(f, key, input, db, now) {
                Ok(Some(s)) => mine.push((i, s)),
                Ok(None) => {}
                Err(e) => {
                    // Stop the other thread too: the run fails anyway.
                    next.store(files.len(), Ordering::Relaxed);
                    return Err(Box::new((i, e)));
                }
            }
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let results: Vec<WorkerResult> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, worker).ok())
            .collect();
        let mut all = vec![worker()];
        for h in handles {
            all.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        all
    });
    let mut scanned: Vec<(usize, Scanned)> = Vec::new();
    let mut first_error: Option<(usize, RescanError)> = None;
    for r in results {
        match r {
            Ok(v) => scanned.extend(v),
            Err(b) => {
                let (i, e) = *b;
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    scanned.sort_by_key(|(i, _)| *i);

    let first_scan = previous.is_none();
    let mut state = previous.unwrap_or_else(|| State::new(now.rfc3339()));
    let mut changes = Vec::new();
    let mut findings = 0;
    let count = scanned.len();
    for (_, s) in scanned {
        let before = state.sboms.get(&s.key);
        findings += s.current.len();
        for c in s.current {
            if c.waived {
                continue;
            }
            let prev = before.and_then(|b| b.findings.get(&c.finding));
            let kind = match prev {
                None => Some(ChangeKind::New),
                Some(p) if c.severity > p.severity => Some(ChangeKind::Raised),
                Some(p) if p.waived => Some(ChangeKind::New),
                Some(p) if c.overdue && !p.overdue => Some(ChangeKind::NewlyOverdue),
                Some(_) => None,
            };
            if let Some(kind) = kind {
                changes.push(Change {
                    sbom: s.key.clone(),
                    kind,
                    previous: prev
                        .filter(|_| kind == ChangeKind::Raised)
                        .map(|p| p.severity),
                    finding: c.finding,
                    ids: c.ids,
                    purl: c.purl,
                    title: c.title,
                    severity: c.severity,
                    overdue: c.overdue,
                    blocking: c.blocking,
                });
            }
        }
        state.sboms.insert(s.key, s.entry);
    }
    state.scanned_at = now.rfc3339();
    Ok(Rescan {
        found: files.len(),
        scanned: count,
        findings,
        changes,
        state,
        first_scan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_every_digest_into_exactly_one() {
        for bad in ["0/4", "5/4", "1/0", "x/2", "2", "1/2/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (1..=3)
            .map(|k| Shard::parse(&format!("{k}/3")).unwrap())
            .collect();
        for i in 0u32..300 {
            let d: [u8; 32] = sha2::Sha256::digest(i.to_le_bytes()).into();
            assert_eq!(shards.iter().filter(|s| s.contains(&d)).count(), 1);
        }
        // Every digest is in the one shard of 1/1.
        assert!(Shard::parse("1/1").unwrap().contains(&[0xff; 32]));
    }
}

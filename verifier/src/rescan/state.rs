//! The rescan state file: what each SBOM's advisory findings were at its last scan.
//!
//! Versioned (`schema_version`, `kind`), read strictly (a file that does not parse, of another
//! kind or of an unknown version is an error — exit 2 — never taken as empty), written
//! atomically: a temporary file in the same directory, written and `fsync`ed, renamed over the
//! old one, and the directory `fsync`ed, so a process killed at any point leaves either the old
//! state or the new one, never a mix.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// `kind` of a state file.
pub const KIND: &str = "tollgate-rescan-state";
/// The version this code reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Largest state file read (1 GiB: a fleet of 10^5 SBOMs with findings is far below).
pub const MAX_STATE_SIZE: u64 = 1 << 30;

/// The state of a fleet of SBOMs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// [`KIND`].
    pub kind: String,
    /// When the last scan that wrote it ran (RFC 3339).
    pub scanned_at: String,
    /// Every SBOM scanned so far, by its path as displayed.
    pub sboms: BTreeMap<String, SbomState>,
}

/// One SBOM at its last scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SbomState {
    /// SHA-256 of its bytes (lower-case hex): what `--shard` splits by.
    pub sha256: String,
    /// When it was scanned (RFC 3339): `merge` keeps the latest.
    pub scanned_at: String,
    /// Its advisory findings, by finding id.
    pub findings: BTreeMap<String, FindingState>,
}

/// One finding at the last scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingState {
    /// The effective severity.
    pub severity: Severity,
    /// Past its SLA.
    pub overdue: bool,
    /// Waived (a VEX statement of the SBOM, a `tollgate.toml` waiver).
    pub waived: bool,
}

impl State {
    /// An empty state at `scanned_at`.
    pub fn new(scanned_at: String) -> State {
        State {
            schema_version: SCHEMA_VERSION,
            kind: KIND.to_owned(),
            scanned_at,
            sboms: BTreeMap::new(),
        }
    }

    /// The state as pretty JSON with a final newline (sorted: the same state, the same bytes).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Folds `other` in: for an SBOM in both, the entry scanned last wins (on a tie, `other`'s).
    pub fn merge(&mut self, other: State) {
        for (k, v) in other.sboms {
            match self.sboms.get(&k) {
                Some(mine) if mine.scanned_at > v.scanned_at => {}
                _ => {
                    self.sboms.insert(k, v);
                }
            }
        }
        if other.scanned_at > self.scanned_at {
            self.scanned_at = other.scanned_at;
        }
    }
}

/// Why a state file cannot be used (exit 2): names the file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Not readable.
    #[error("{path}: cannot read the rescan state: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Not a state file this version reads; it is left as it is.
    #[error(
        "{path}:{line}:{column}: not a usable rescan state ({message}); it is left unchanged — restore it, or delete it to start a new baseline"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Not writable.
    #[error("{path}: cannot write the rescan state: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Reads a state file; `Ok(None)` when it does not exist (the first scan).
pub fn read(path: &Path) -> Result<Option<State>, StateError> {
    use crate::fsio::{Probe, probe};
    let read_err = |message: String| StateError::Read {
        path: path.to_owned(),
        message,
    };
    match probe(path).map_err(|e| read_err(e.to_string()))? {
        Probe::Absent => return Ok(None),
        Probe::Regular => {}
        Probe::NotRegular(kind) => return Err(read_err(format!("not a regular file ({kind:?})"))),
    }
    let bytes =
        crate::fsio::read_regular(path, MAX_STATE_SIZE).map_err(|e| read_err(e.to_string()))?;
    parse(path, &bytes).map(Some)
}

/// Parses the bytes of a state file.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<State, StateError> {
    let corrupt = |line, column, message: String| StateError::Corrupt {
        path: path.to_owned(),
        line,
        column,
        message,
    };
    // The version first, so that a newer file is named as such rather than as malformed.
    #[derive(Deserialize)]
    struct Head {
        schema_version: Option<u64>,
        kind: Option<String>,
    }
    let head: Head = serde_json::from_slice(bytes)
        .map_err(|e| corrupt(e.line(), e.column(), format!("invalid JSON: {}", short(&e))))?;
    if head.kind.as_deref() != Some(KIND) {
        return Err(corrupt(1, 1, format!("`kind` is not \"{KIND}\"")));
    }
    if head.schema_version != Some(u64::from(SCHEMA_VERSION)) {
        return Err(corrupt(
            1,
            1,
            format!(
                "schema_version {:?}: this tollgate reads version {SCHEMA_VERSION}",
                head.schema_version
            ),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| corrupt(e.line(), e.column(), short(&e)))
}

fn short(e: &serde_json::Error) -> String {
    let m = e.to_string();
    m.split(" at line ").next().unwrap_or(&m).to_owned()
}

/// Writes `bytes` to `path` atomically: a temporary file beside it (`.NAME.tmp-PID`), written
/// and synced, then renamed over `path`, then the directory synced. `pause` (a test hook the
/// binary sets from its environment) waits between the sync and the rename, so a test can kill
/// the process there and find the previous state intact.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    pause: Option<std::time::Duration>,
) -> Result<(), StateError> {
    let err = |e: std::io::Error| StateError::Write {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| StateError::Write {
            path: path.to_owned(),
            message: "not a file name".into(),
        })?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        if let Some(p) = pause {
            std::thread::sleep(p);
        }
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the directory is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: &str, sev: Severity) -> SbomState {
        let mut findings = BTreeMap::new();
        findings.insert(
            "advisory/vulnerability:A:x@1".to_owned(),
            FindingState {
                severity: sev,
                overdue: false,
                waived: false,
            },
        );
        SbomState {
            sha256: "00".into(),
            scanned_at: at.into(),
            findings,
        }
    }

    #[test]
    fn round_trips_and_refuses_what_it_cannot_read() {
        let mut s = State::new("2026-12-01T00:00:00Z".into());
        s.sboms.insert(
            "a.cdx.json".into(),
            entry("2026-12-01T00:00:00Z", Severity::Low),
        );
        let p = Path::new("state.json");
        assert_eq!(parse(p, &s.to_json()).unwrap(), s);
        for (bytes, needle) in [
            (&b"{\"schema_version\": 1, \"kind\": \"tollgate-rescan-state\", \"scanned_at\": \"x\", \"sboms\": {"[..], "state.json:1:"),
            (b"[]", "invalid JSON"),
            (b"{\"schema_version\": 2, \"kind\": \"tollgate-rescan-state\"}", "schema_version Some(2)"),
            (b"{\"schema_version\": 1, \"kind\": \"other\"}", "`kind` is not"),
            (b"{\"schema_version\": 1, \"kind\": \"tollgate-rescan-state\", \"scanned_at\": \"x\", \"sboms\": {}, \"extra\": 1}", "unknown field"),
        ] {
            let e = parse(p, bytes).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
            assert!(e.contains("left unchanged"), "{e}");
        }
    }

    #[test]
    fn merge_keeps_the_latest_scan_of_each_sbom() {
        let mut a = State::new("2026-12-01T00:00:00Z".into());
        a.sboms
            .insert("x".into(), entry("2026-12-02T00:00:00Z", Severity::High));
        a.sboms
            .insert("y".into(), entry("2026-12-01T00:00:00Z", Severity::Low));
        let mut b = State::new("2026-12-03T00:00:00Z".into());
        b.sboms
            .insert("x".into(), entry("2026-12-01T00:00:00Z", Severity::Low));
        b.sboms.insert(
            "y".into(),
            entry("2026-12-03T00:00:00Z", Severity::Critical),
        );
        b.sboms
            .insert("z".into(), entry("2026-12-03T00:00:00Z", Severity::Low));
        a.merge(b);
        assert_eq!(a.sboms.len(), 3);
        assert_eq!(a.sboms["x"].scanned_at, "2026-12-02T00:00:00Z");
        assert_eq!(a.sboms["y"].scanned_at, "2026-12-03T00:00:00Z");
        assert_eq!(a.scanned_at, "2026-12-03T00:00:00Z");
    }

    #[test]
    fn writes_atomically_over_the_old_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("state.json");
        std::fs::write(&p, b"old").unwrap();
        write_atomic(&p, b"new", None).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
        // A directory that does not exist: an error naming the file, the old state untouched.
        let e = write_atomic(&d.path().join("no/state.json"), b"x", None).unwrap_err();
        assert!(e.to_string().contains("no/state.json"), "{e}");
    }
}

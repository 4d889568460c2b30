//! Importing advisory directories (RustSec advisory-db checkouts, OSV JSON trees) into an index.
//!
//! The format is detected per file, walking recursively (sorted, hidden directories skipped):
//! `*.md` starting with a ```` ```toml ```` front matter is a RustSec advisory (except the
//! template `EXAMPLE_ADVISORY.md` and toolchain advisories under a top-level `rust/`, which
//! cargo-audit never matches against a lockfile); `*.json` with an OSV shape is an OSV record;
//! anything else (READMEs, SNAPSHOT.md, `.tsv`, non-OSV JSON) is ignored. A file that looks like
//! an advisory but does not parse fails the import, naming the file: an index that silently
//! lacks advisories would pass builds it should fail.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::AdvisoryError;
use super::index::{self, DbMeta, SourceMeta};
use super::model::AdvisoryRecord;
use super::parse::{self, Parsed};
use super::time;

/// One source directory to import.
#[derive(Debug, Clone)]
pub struct SourceDir {
    /// The directory.
    pub path: PathBuf,
    /// Short name shown in findings and `db status` (default: the directory name).
    pub name: String,
    /// Where it came from, for display (default: the path).
    pub location: String,
    /// Snapshot commit, when the caller knows it (git clone); else read from SNAPSHOT.md.
    pub commit: Option<String>,
    /// Snapshot date, when the caller knows it.
    pub date: Option<String>,
}

impl SourceDir {
    /// A plain directory.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path
            .canonicalize()
            .ok()
            .as_deref()
            .unwrap_or(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "advisories".into());
        SourceDir {
            location: path.display().to_string(),
            path,
            name,
            commit: None,
            date: None,
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), AdvisoryError> {
    let rd = std::fs::read_dir(dir).map_err(|e| AdvisoryError::Io {
        path: dir.to_path_buf(),
        message: format!("cannot list directory: {e}"),
    })?;
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !name.starts_with('.') {
                walk(&e.path(), out)?;
            }
        } else if ft.is_file() && (name.ends_with(".md") || name.ends_with(".json")) {
            out.push(e.path());
        }
    }
    Ok(())
}

/// Reads `| commit | `HEX` |` and `| commit date | DATE |` rows of a SNAPSHOT.md.
fn snapshot_md(dir: &Path) -> (Option<String>, Option<String>) {
    let Ok(text) = std::fs::read_to_string(dir.join("SNAPSHOT.md")) else {
        return (None, None);
    };
    let mut commit = None;
    let mut date = None;
    let mut commit_row_date = None;
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 3 {
            continue;
        }
        let (k, v) = (cells[1], cells[2]);
        if k == "commit" && commit.is_none() {
            commit = v
                .split(|c: char| !c.is_ascii_hexdigit())
                .find(|w| w.len() == 40)
                .map(str::to_owned);
            // `| commit | `hex` (2026-04-08, "message") |`: a date in the commit row.
            commit_row_date = v.split_whitespace().find_map(|w| {
                let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                time::parse_timestamp(w).map(time::format_timestamp)
            });
        } else if k == "commit date" && date.is_none() {
            date = v
                .split_whitespace()
                .find_map(|w| time::parse_timestamp(w).map(time::format_timestamp));
        }
    }
    (commit, date.or(commit_row_date))
}

/// Reads every advisory under a directory.
pub fn read_source(src: &SourceDir) -> Result<(Vec<AdvisoryRecord>, SourceMeta), AdvisoryError> {
    let meta = std::fs::metadata(&src.path).map_err(|e| AdvisoryError::Io {
        path: src.path.clone(),
        message: e.to_string(),
    })?;
    if !meta.is_dir() {
        return Err(AdvisoryError::Io {
            path: src.path.clone(),
            message: "not a directory".into(),
        });
    }
    let mut files = Vec::new();
    walk(&src.path, &mut files)?;
    let mut records = Vec::new();
    let (mut withdrawn, mut skipped) = (0usize, 0usize);
    for f in files {
        let rel = f.strip_prefix(&src.path).unwrap_or(&f);
        let fname = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parse_err = |m: String| AdvisoryError::Parse {
            path: f.clone(),
            message: m,
        };
        let text = std::fs::read_to_string(&f).map_err(|e| AdvisoryError::Io {
            path: f.clone(),
            message: e.to_string(),
        })?;
        let parsed = if fname.ends_with(".md") {
            let toolchain = rel
                .components()
                .next()
                .is_some_and(|c| c.as_os_str() == "rust")
                && rel.components().count() > 1;
            if !parse::looks_like_rustsec(&text) || fname == "EXAMPLE_ADVISORY.md" || toolchain {
                skipped += usize::from(parse::looks_like_rustsec(&text));
                continue;
            }
            parse::parse_rustsec(&text, &src.name).map_err(parse_err)?
        } else {
            let value: serde_json::Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(_) => {
                    skipped += 1;
                    continue;
                }
            };
            if !parse::looks_like_osv(&value) {
                skipped += 1;
                continue;
            }
            parse::parse_osv(value, &src.name).map_err(parse_err)?
        };
        match parsed {
            Parsed::Records(r) => records.extend(r),
            Parsed::Withdrawn(_) => withdrawn += 1,
        }
    }
    let (md_commit, md_date) = snapshot_md(&src.path);
    let newest = records
        .iter()
        .filter_map(|r| {
            r.modified
                .as_deref()
                .or(r.published.as_deref())
                .and_then(time::parse_timestamp)
        })
        .max()
        .map(time::format_timestamp);
    let meta = SourceMeta {
        name: src.name.clone(),
        location: src.location.clone(),
        commit: src.commit.clone().or(md_commit),
        date: src.date.clone().or(md_date).or(newest),
        advisories: records.len(),
        withdrawn,
        skipped_files: skipped,
    };
    Ok((records, meta))
}

/// Builds index bytes from source directories; `now` is the recorded build time.
pub fn build_index(
    sources: &[SourceDir],
    now: SystemTime,
) -> Result<(Vec<u8>, DbMeta), AdvisoryError> {
    let mut all = Vec::new();
    let mut metas = Vec::new();
    for s in sources {
        let (r, m) = read_source(s)?;
        all.extend(r);
        metas.push(m);
    }
    let meta = DbMeta {
        format: index::FORMAT_VERSION,
        created: time::format_timestamp(time::unix_seconds(now)),
        sources: metas,
        advisories: 0,
        packages: 0,
        by_kind: Default::default(),
        by_ecosystem: Default::default(),
    };
    let bytes = index::encode(&all, &meta)?;
    // Re-open to return the metadata exactly as stored (counts filled in).
    let db = index::AdvisoryDb::from_bytes(bytes.into(), index::DbOrigin::Embedded)?;
    let meta = db.meta().clone();
    Ok((db.as_bytes().to_vec(), meta))
}

/// Imports directories into the index at `db_path`, atomically replacing it.
pub fn import_dirs(
    sources: &[SourceDir],
    db_path: &Path,
    now: SystemTime,
) -> Result<DbMeta, AdvisoryError> {
    let (bytes, meta) = build_index(sources, now)?;
    index::write_atomic(db_path, &bytes)?;
    Ok(meta)
}

//! Importing advisory directories (RustSec advisory-db checkouts, OSV JSON trees) into an index.
//!
//! Files are read recursively (sorted; hidden directories skipped) and classified by one rule,
//! [`classify`], documented in `docs/advisories.md`:
//!
//! * `*.md` starting with a ```` ```toml ```` front matter is a RustSec advisory; so is an `*.md`
//!   named like an advisory id (`RUSTSEC-2020-0071.md`, `CVE-…`, `GHSA-…`) or starting with
//!   `[advisory]`, which then fails the import when its front matter is missing. The template
//!   `EXAMPLE_ADVISORY.md` and toolchain advisories under a top-level `rust/` (cargo-audit never
//!   matches them against a lockfile) are skipped; any other `*.md` (README, SNAPSHOT, …) is
//!   documentation and skipped.
//! * `*.json` must be valid JSON (a truncated file fails the import, naming line and column).
//!   An object carrying an advisory field (`id`, `affected`, `modified`, `aliases`,
//!   `schema_version`) is an advisory and must be an OSV record; any other JSON (a
//!   `package.json`, a config file) is skipped.
//! * Every other file is skipped.
//!
//! A file that is an advisory but does not parse fails the whole import, naming the file: an
//! index that silently lacks advisories would pass builds it should fail. So does a source that
//! yields no advisory at all (an empty directory, a wrong path, an empty archive).

use std::path::{Path, PathBuf};

use super::AdvisoryError;
use super::index::{self, DbMeta, SourceMeta};
use super::model::AdvisoryRecord;
use super::parse::{self, Parsed};
use super::time;
use crate::time::Timestamp;

/// Largest advisory file read (the biggest real ones are a few hundred KiB).
pub const MAX_ADVISORY_FILE: u64 = 16 * 1024 * 1024;

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

/// Why a file under a source is not read as an advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `EXAMPLE_ADVISORY.md`.
    Template,
    /// A Rust toolchain advisory (top-level `rust/`): never matched against a lockfile.
    Toolchain,
    /// Documentation (`README.md`, `SNAPSHOT.md`, …) or data that carries no advisory field.
    NotAnAdvisory,
}

/// What a file under a source holds, by the rule of the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum FileClass {
    /// A RustSec advisory (Markdown with TOML front matter).
    RustSec,
    /// An OSV record, already parsed as JSON.
    Osv(serde_json::Value),
    /// Not an advisory.
    Skip(Skip),
}

/// `RUSTSEC-2020-0071`, `CVE-2021-1234`, `GHSA-xxxx-xxxx-xxxx`: an upper-case prefix, a dash,
/// then digits or a GHSA triple.
fn looks_like_advisory_id(stem: &str) -> bool {
    let Some((prefix, rest)) = stem.split_once('-') else {
        return false;
    };
    let prefix_ok = !prefix.is_empty()
        && prefix.len() <= 10
        && prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && prefix.as_bytes()[0].is_ascii_uppercase();
    prefix_ok
        && (rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
            || (prefix == "GHSA" && rest.len() == 14))
}

/// JSON fields that only an advisory carries: a file with one of them is an advisory.
const ADVISORY_FIELDS: [&str; 5] = ["id", "affected", "modified", "aliases", "schema_version"];

/// Why a file that is an advisory cannot be read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifyError {
    /// 1-based line and column, when known.
    pub place: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl ClassifyError {
    fn new(place: Option<(usize, usize)>, message: impl Into<String>) -> Self {
        ClassifyError {
            place,
            message: message.into(),
        }
    }
}

/// Classifies one file: `rel` is its path inside the source, `text` its content. The caller adds
/// the file name to an error.
pub fn classify(rel: &Path, text: &str) -> Result<FileClass, ClassifyError> {
    let fname = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(stem) = fname.strip_suffix(".md") {
        if fname == "EXAMPLE_ADVISORY.md" {
            return Ok(FileClass::Skip(Skip::Template));
        }
        let toolchain = rel
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() == "rust")
            && rel.components().count() > 1;
        if toolchain {
            return Ok(FileClass::Skip(Skip::Toolchain));
        }
        if parse::looks_like_rustsec(text) {
            return Ok(FileClass::RustSec);
        }
        let head = text.trim_start_matches('\u{feff}').trim_start();
        if looks_like_advisory_id(stem) || head.starts_with("[advisory]") {
            return Err(ClassifyError::new(
                Some((1, 1)),
                "a RustSec advisory must start with a ```toml front matter (is the file truncated or damaged?)",
            ));
        }
        return Ok(FileClass::Skip(Skip::NotAnAdvisory));
    }
    if fname.ends_with(".json") {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            // serde_json's message ends in " at line L column C": the place is shown already.
            let full = e.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(head, _)| head);
            ClassifyError::new(
                Some((e.line(), e.column())),
                format!(
                    "not valid JSON ({what}); an advisory file that does not parse fails the import"
                ),
            )
        })?;
        let is_advisory = value
            .as_object()
            .is_some_and(|o| ADVISORY_FIELDS.iter().any(|k| o.contains_key(*k)));
        if !is_advisory {
            return Ok(FileClass::Skip(Skip::NotAnAdvisory));
        }
        if !parse::looks_like_osv(&value) {
            return Err(ClassifyError::new(
                None,
                "not an OSV record (an advisory needs a string `id` and `modified` or `affected`); other advisory formats are not supported: convert them to OSV",
            ));
        }
        return Ok(FileClass::Osv(value));
    }
    Ok(FileClass::Skip(Skip::NotAnAdvisory))
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
        let parse_err = |m: String| AdvisoryError::Parse {
            path: f.clone(),
            place: None,
            message: m,
        };
        let bytes =
            crate::fsio::read_regular(&f, MAX_ADVISORY_FILE).map_err(|e| AdvisoryError::Io {
                path: f.clone(),
                message: e.to_string(),
            })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            parse_err(format!(
                "invalid UTF-8 at byte {}",
                e.utf8_error().valid_up_to()
            ))
        })?;
        let class = classify(rel, &text).map_err(|e| AdvisoryError::Parse {
            path: f.clone(),
            place: e.place,
            message: e.message,
        })?;
        let parsed = match class {
            FileClass::Skip(_) => {
                skipped += 1;
                continue;
            }
            FileClass::RustSec => parse::parse_rustsec(&text, &src.name).map_err(parse_err)?,
            FileClass::Osv(value) => parse::parse_osv(value, &src.name).map_err(parse_err)?,
        };
        match parsed {
            Parsed::Records(r) => records.extend(r),
            Parsed::Withdrawn(_) => withdrawn += 1,
        }
    }
    if records.is_empty() {
        return Err(AdvisoryError::Empty {
            source_name: src.location.clone(),
            message: format!(
                "no advisories found ({skipped} file(s) skipped as not advisories, {withdrawn} withdrawn); is this the right directory?"
            ),
        });
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
    now: Timestamp,
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
        created: now.rfc3339(),
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

/// Imports directories into the index at `db_path`, atomically replacing it (refusing a much
/// smaller index: see [`import_dirs_with`]).
pub fn import_dirs(
    sources: &[SourceDir],
    db_path: &Path,
    now: Timestamp,
) -> Result<DbMeta, AdvisoryError> {
    import_dirs_with(sources, db_path, now, false)
}

/// Imports directories into the index at `db_path`, atomically replacing it. Unless
/// `allow_shrink`, an index that would hold fewer than [`super::SHRINK_PERCENT`]% of the
/// records the current index has for any ecosystem is refused and the current index kept.
pub fn import_dirs_with(
    sources: &[SourceDir],
    db_path: &Path,
    now: Timestamp,
    allow_shrink: bool,
) -> Result<DbMeta, AdvisoryError> {
    let (bytes, meta) = build_index(sources, now)?;
    if !allow_shrink {
        check_shrink(db_path, &meta)?;
    }
    index::write_atomic(db_path, &bytes)?;
    Ok(meta)
}

/// Compares the new metadata with the index at `db_path`, if one opens there.
fn check_shrink(db_path: &Path, new: &DbMeta) -> Result<(), AdvisoryError> {
    if !db_path.is_file() {
        return Ok(());
    }
    // A damaged current index is replaced: it protects nothing.
    let Ok(old) = index::AdvisoryDb::open(db_path) else {
        return Ok(());
    };
    for (eco, &old_n) in &old.meta().by_ecosystem {
        let new_n = new.by_ecosystem.get(eco).copied().unwrap_or(0);
        if new_n * 100 < old_n * super::SHRINK_PERCENT {
            return Err(AdvisoryError::Shrunk {
                path: db_path.to_path_buf(),
                ecosystem: eco.clone(),
                old: old_n,
                new: new_n,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_the_documented_rule() {
        let p = Path::new;
        let rs = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0071\"\n```\n";
        assert_eq!(
            classify(p("crates/x/RUSTSEC-2020-0071.md"), rs),
            Ok(FileClass::RustSec)
        );
        assert_eq!(
            classify(p("README.md"), "# advisory-db\n"),
            Ok(FileClass::Skip(Skip::NotAnAdvisory))
        );
        assert_eq!(
            classify(p("EXAMPLE_ADVISORY.md"), rs),
            Ok(FileClass::Skip(Skip::Template))
        );
        assert_eq!(
            classify(p("rust/std/CVE-2018-1000657.md"), rs),
            Ok(FileClass::Skip(Skip::Toolchain))
        );
        // Negative twins: an advisory that lost its front-matter line.
        assert!(
            classify(
                p("crates/x/RUSTSEC-2020-0071.md"),
                "[advisory]\nid = \"x\"\n"
            )
            .is_err()
        );
        assert!(classify(p("crates/x/notes.md"), "[advisory]\nid = \"x\"\n").is_err());
        assert!(classify(p("GHSA-abcd-efgh-ijkl.md"), "# GHSA\n").is_err());
        // JSON: truncated is an error with its place; non-advisory JSON is skipped; an advisory
        // in another format is an error.
        let e = classify(p("a.json"), "{\"id\": \"GHSA-x\", \"modi").unwrap_err();
        assert_eq!(e.place.map(|p| p.0), Some(1), "{e:?}");
        assert!(!e.message.contains(" at line "), "{e:?}");
        assert_eq!(
            classify(
                p("package.json"),
                "{\"name\": \"x\", \"version\": \"1.0.0\"}"
            ),
            Ok(FileClass::Skip(Skip::NotAnAdvisory))
        );
        assert!(classify(p("1.json"), "{\"id\": 1, \"module_name\": \"x\"}").is_err());
        assert!(matches!(
            classify(
                p("a.json"),
                "{\"id\": \"GHSA-x\", \"modified\": \"2020-01-01T00:00:00Z\"}"
            ),
            Ok(FileClass::Osv(_))
        ));
        assert_eq!(
            classify(p("SOURCES.tsv"), "a\tb\n"),
            Ok(FileClass::Skip(Skip::NotAnAdvisory))
        );
    }

    #[test]
    fn advisory_ids_by_shape() {
        for id in [
            "RUSTSEC-2020-0071",
            "CVE-2021-1234",
            "GHSA-abcd-efgh-ijkl",
            "OSV-2020-1",
        ] {
            assert!(looks_like_advisory_id(id), "{id}");
        }
        for not in [
            "README",
            "SNAPSHOT",
            "UNCONVERTED",
            "notes-2020",
            "A-b",
            "-2020",
        ] {
            assert!(!looks_like_advisory_id(not), "{not}");
        }
    }
}

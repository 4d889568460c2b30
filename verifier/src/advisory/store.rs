//! Where the database lives, opening it (or the embedded snapshot), and its status and age.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::AdvisoryError;
use super::import::{SourceDir, build_index};
use super::index::{AdvisoryDb, DbMeta, DbOrigin};
use super::time;
use crate::package::Ecosystem;
use crate::time::Timestamp;

/// File name of the index inside a database directory.
pub const INDEX_FILE: &str = "advisories.idx";

/// Default staleness threshold of `db status` and `check`, in days.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 7;

/// The default database directory: `$XDG_CACHE_HOME/tollgate/db`, else `~/.cache/tollgate/db`
/// (`%LOCALAPPDATA%\tollgate\db` on Windows). Takes the environment lookup as a parameter so
/// tests do not depend on the process environment.
pub fn default_db_dir_with(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    let base = if cfg!(windows) {
        nonempty("LOCALAPPDATA").map(PathBuf::from)
    } else {
        nonempty("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| nonempty("HOME").map(|h| Path::new(&h).join(".cache")))
    }?;
    Some(base.join("tollgate").join("db"))
}

/// The default database directory from the process environment.
pub fn default_db_path() -> Option<PathBuf> {
    default_db_dir_with(|k| std::env::var(k).ok())
}

/// The index file for a `--db` value: the path itself when it is a file, else `DIR/advisories.idx`.
pub fn index_file(db: &Path) -> PathBuf {
    if db.is_file() {
        db.to_path_buf()
    } else {
        db.join(INDEX_FILE)
    }
}

/// Opens the database at `db` (a directory holding `advisories.idx`, or the index file). When
/// `db` is instead a directory of advisories (an advisory-db checkout, OSV files), it is indexed
/// in memory for this run; a directory with neither an index nor advisories is an error
/// ([`AdvisoryError::Empty`]), never an empty database. `now` is used only as the build time of
/// such an in-memory index.
pub fn open_db(db: &Path, now: Timestamp) -> Result<AdvisoryDb, AdvisoryError> {
    let file = index_file(db);
    if file.is_file() {
        return AdvisoryDb::open(&file);
    }
    if db.is_dir() {
        let (bytes, _) = build_index(&[SourceDir::new(db)], now).map_err(|e| match e {
            AdvisoryError::Empty { .. } => AdvisoryError::Empty {
                source_name: db.display().to_string(),
                message: format!(
                    "no advisory database here: neither an index ({INDEX_FILE}) nor advisory files (RustSec .md, OSV .json); run `tollgate db import DIR --db {}` or `tollgate db update --db {}`",
                    db.display(),
                    db.display()
                ),
            },
            other => other,
        })?;
        return AdvisoryDb::from_bytes(bytes.into(), DbOrigin::File(db.to_path_buf()));
    }
    AdvisoryDb::open(&file)
}

/// Opens `db` if given, else the default database if it exists, else the embedded snapshot.
pub fn open_or_embedded(db: Option<&Path>, now: Timestamp) -> Result<AdvisoryDb, AdvisoryError> {
    if let Some(db) = db {
        return open_db(db, now);
    }
    if let Some(dir) = default_db_path() {
        let f = dir.join(INDEX_FILE);
        if f.is_file() {
            return AdvisoryDb::open(&f);
        }
    }
    super::embedded::embedded()
}

/// Refuses a database that holds no advisories for an ecosystem the graph has packages to match
/// in: matching against nothing would report "no vulnerabilities". `allow_empty` lists the
/// ecosystems the user explicitly accepts an empty database for (`cargo`, `npm`, or `*`).
pub fn require_ecosystems(
    db: &AdvisoryDb,
    needed: impl IntoIterator<Item = Ecosystem>,
    allow_empty: &[String],
) -> Result<(), AdvisoryError> {
    for eco in needed {
        let allowed = allow_empty.iter().any(|a| {
            let a = a.trim();
            a == "*" || a.eq_ignore_ascii_case(eco.as_str()) || a == eco.osv_name()
        });
        let have = db
            .meta()
            .by_ecosystem
            .get(eco.osv_name())
            .copied()
            .unwrap_or(0);
        if have == 0 && !allowed {
            let location = match db.origin() {
                DbOrigin::File(p) => p.display().to_string(),
                DbOrigin::Embedded => "the embedded advisory snapshot".into(),
            };
            return Err(AdvisoryError::Empty {
                source_name: location,
                message: format!(
                    "the advisory database has no {} advisories, but the graph has {} packages to match: import a source for them (`tollgate db import DIR`, `tollgate db update --source DIR|URL`), or accept this with `--allow-empty-db` / `[advisories] allow-empty = [\"{}\"]`",
                    eco.osv_name(),
                    eco.as_str(),
                    eco.as_str()
                ),
            });
        }
    }
    Ok(())
}

/// What `db status` reports.
#[derive(Debug, Clone, Serialize)]
pub struct DbStatus {
    /// The index file, or `"embedded"`.
    pub location: String,
    /// `true` for the embedded snapshot.
    pub embedded: bool,
    /// The metadata.
    pub meta: DbMeta,
    /// Snapshot date (RFC 3339) the age is counted from.
    pub snapshot_date: Option<String>,
    /// Age of the snapshot in whole days at `now`.
    pub age_days: Option<i64>,
    /// The threshold.
    pub max_age_days: u32,
    /// `true` when older than the threshold (or of unknown age).
    pub stale: bool,
}

impl DbStatus {
    /// A one-line warning when the snapshot is stale.
    pub fn warning(&self) -> Option<String> {
        if !self.stale {
            return None;
        }
        let what = if self.embedded {
            "the embedded advisory snapshot"
        } else {
            "the advisory database"
        };
        // `db update` needs the network; name the offline ways too.
        let fix = "refresh it with `tollgate db update`, or offline with `tollgate db import DIR` / `tollgate db update --source DIR|URL`";
        Some(match (self.age_days, &self.snapshot_date) {
            (Some(d), Some(date)) => format!(
                "{what} is {d} days old (snapshot {date}; limit {} days): {fix}",
                self.max_age_days
            ),
            _ => format!("{what} has no known date: {fix}"),
        })
    }
}

/// Status of an opened database at `now`.
pub fn status(db: &AdvisoryDb, now: Timestamp, max_age_days: u32) -> DbStatus {
    let snap = db.meta().snapshot_date();
    let age_days = snap.map(|s| (now.0 - s).div_euclid(86_400));
    DbStatus {
        location: match db.origin() {
            DbOrigin::File(p) => p.display().to_string(),
            DbOrigin::Embedded => "embedded".into(),
        },
        embedded: *db.origin() == DbOrigin::Embedded,
        meta: db.meta().clone(),
        snapshot_date: snap.map(time::format_timestamp),
        age_days,
        max_age_days,
        stale: age_days.is_none_or(|d| d > i64::from(max_age_days)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_dir_prefers_xdg_then_home() {
        if cfg!(windows) {
            return;
        }
        let env = |k: &str| match k {
            "XDG_CACHE_HOME" => Some("/x/cache".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        assert_eq!(
            default_db_dir_with(env),
            Some(PathBuf::from("/x/cache/tollgate/db"))
        );
        let env = |k: &str| match k {
            "XDG_CACHE_HOME" => Some("relative".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        assert_eq!(
            default_db_dir_with(env),
            Some(PathBuf::from("/home/u/.cache/tollgate/db"))
        );
        assert_eq!(default_db_dir_with(|_| None), None);
    }
}

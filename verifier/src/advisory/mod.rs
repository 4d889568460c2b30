//! Advisory databases: RustSec and OSV parsing, the on-disk index, exact version matching, CVSS
//! severity, the embedded default snapshot and database updates.
//!
//! With `registry`, this is the only module that does IO. The flow:
//!
//! ```text
//! directories / archive / git ──import──▶ index file (atomic) ──open──▶ AdvisoryDb
//!                                                       embedded ──▶ AdvisoryDb
//! AdvisoryDb + Graph ──match_graph──▶ Vec<Finding>
//! ```
//!
//! See `docs/advisories.md` for the semantics and the differential against cargo-audit.

pub mod embedded;
pub mod import;
pub mod index;
pub mod matcher;
pub mod model;
pub mod parse;
pub mod severity;
pub mod store;
pub mod time;
pub mod update;
pub mod version;

use std::path::PathBuf;

pub use import::{SourceDir, build_index, import_dirs};
pub use index::{AdvisoryDb, DbMeta, DbOrigin, SourceMeta};
pub use matcher::{MatchPart, MatchWork, ecosystems_to_match, match_graph};
pub use model::{AdvisoryKind, AdvisoryRecord};
pub use store::{DbStatus, default_db_path, open_or_embedded, require_ecosystems, status};

/// An import or update may not leave an ecosystem with fewer than this percentage of the records
/// the replaced index held (unless `--allow-shrink`): a half-empty source must not silently
/// replace a good database. Advisory databases only grow in practice (withdrawals are rare).
pub const SHRINK_PERCENT: usize = 50;

/// Errors of the advisory module; messages name the file (or URL) and what is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdvisoryError {
    /// A file or directory could not be read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// An advisory file does not parse.
    #[error("{}{}: {message}", path.display(), place.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Parse {
        /// The advisory file.
        path: PathBuf,
        /// 1-based line and column, when known.
        place: Option<(usize, usize)>,
        /// What is wrong.
        message: String,
    },
    /// The index is damaged or of another format.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// The index file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Fetching a source failed (network, archive, git).
    #[error("{source_name}: {message}")]
    Fetch {
        /// The source (URL or path).
        source_name: String,
        /// What went wrong.
        message: String,
    },
    /// A source or database holds no advisories: nothing to match against is not "no
    /// advisories" (an empty directory, a wrong path, a CI cache restored empty).
    #[error("{source_name}: {message}")]
    Empty {
        /// The source, database or index.
        source_name: String,
        /// What is missing and how to proceed.
        message: String,
    },
    /// An import or update would replace an index with one holding far fewer advisories.
    #[error(
        "{}: refusing to replace the index: {ecosystem} advisories would drop from {old} to {new} (below {}% of the current index); the old index is kept (pass --allow-shrink if this is intended)",
        path.display(),
        SHRINK_PERCENT
    )]
    Shrunk {
        /// The index file.
        path: PathBuf,
        /// The ecosystem (OSV name).
        ecosystem: String,
        /// Records in the current index.
        old: usize,
        /// Records the new index would hold.
        new: usize,
    },
    /// No database was imported and no embedded snapshot is available.
    #[error("no advisory database: run `tollgate db import DIR` or `tollgate db update`")]
    NoDatabase,
}

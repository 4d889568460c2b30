//! Typed errors for reading lockfiles and building the graph.

use std::fmt;
use std::path::PathBuf;

/// A place inside an input file, as precise as the parser could make it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// Byte offset into the file, when known.
    pub offset: Option<usize>,
    /// JSON pointer (`/packages/node_modules~1a/version`) or TOML key path, when known.
    pub pointer: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        if let Some(p) = &self.pointer {
            if self.line > 0 {
                f.write_str(" ")?;
            }
            write!(f, "(at {p})")?;
        }
        Ok(())
    }
}

/// What went wrong with a lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockfileErrorKind {
    /// The file could not be read.
    Io(String),
    /// The file is larger than the configured cap.
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },
    /// The file is not valid TOML / JSON.
    Syntax(String),
    /// The file parses but does not have the shape of a lockfile (wrong type, missing field, …).
    Invalid(String),
    /// Git merge-conflict markers in the file.
    MergeConflict,
    /// Neither the name nor the content says which lockfile format this is.
    UnknownFormat(String),
    /// A lockfile version tollgate does not read.
    UnsupportedVersion(String),
}

/// An error reading one lockfile: names the file, the place and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct LockfileError {
    /// The file.
    pub path: PathBuf,
    /// Where in the file, when known.
    pub place: Option<Place>,
    /// What went wrong.
    pub kind: LockfileErrorKind,
}

impl LockfileError {
    /// Creates an error.
    pub fn new(path: impl Into<PathBuf>, place: Option<Place>, kind: LockfileErrorKind) -> Self {
        LockfileError {
            path: path.into(),
            place,
            kind,
        }
    }
}

impl LockfileError {
    /// A short name of the error kind (for tests and logs).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            LockfileErrorKind::Io(_) => "io",
            LockfileErrorKind::TooLarge { .. } => "too-large",
            LockfileErrorKind::Syntax(_) => "syntax",
            LockfileErrorKind::Invalid(_) => "invalid",
            LockfileErrorKind::MergeConflict => "merge-conflict",
            LockfileErrorKind::UnknownFormat(_) => "unknown-format",
            LockfileErrorKind::UnsupportedVersion(_) => "unsupported-version",
        }
    }
}

impl fmt::Display for LockfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_file_place(f, &self.path, self.place.as_ref())?;
        match &self.kind {
            LockfileErrorKind::Io(e) => write!(f, "cannot read file: {e}"),
            LockfileErrorKind::TooLarge { size, limit } => write!(
                f,
                "file is {size} bytes, larger than the {limit}-byte limit (raise it with --max-file-size)"
            ),
            LockfileErrorKind::Syntax(m) => write!(f, "{m}"),
            LockfileErrorKind::Invalid(m) => write!(f, "{m}"),
            LockfileErrorKind::MergeConflict => write!(
                f,
                "unresolved git merge-conflict marker; resolve the conflict (e.g. `npm install` or `cargo update -w`) and commit the lockfile"
            ),
            LockfileErrorKind::UnknownFormat(m) => write!(f, "not a lockfile tollgate reads: {m}"),
            LockfileErrorKind::UnsupportedVersion(m) => {
                write!(f, "unsupported lockfile version: {m}")
            }
        }
    }
}

/// Errors from discovering and loading lockfiles into a graph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A lockfile could not be read or parsed.
    #[error(transparent)]
    Lockfile(#[from] LockfileError),
    /// The given path does not exist or cannot be listed.
    #[error("{path}: {message}")]
    Path {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A directory holds no lockfile.
    #[error(
        "{0}: no Cargo.lock, package-lock.json or npm-shrinkwrap.json found (outside node_modules/ and target/)"
    )]
    NothingFound(PathBuf),
}

/// Maps byte offsets to 1-based line and column numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Finds the first git merge-conflict marker line, returning its 1-based line number.
pub fn find_conflict_marker(text: &str) -> Option<usize> {
    for (i, line) in text.lines().enumerate() {
        let l = line.trim_end();
        if (l.starts_with("<<<<<<< ") || l == "<<<<<<<")
            || l == "======="
            || l.starts_with(">>>>>>> ")
            || l == ">>>>>>>"
        {
            return Some(i + 1);
        }
    }
    None
}

/// An error reading a manifest (`Cargo.toml`, `package.json`) that the drift check needs: names
/// the file and the place. Manifests that are absent are not errors (the check notes them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ManifestError {
    /// The file.
    pub path: PathBuf,
    /// Where in the file, when known.
    pub place: Option<Place>,
    /// What is wrong.
    pub message: String,
}

impl ManifestError {
    /// Creates an error.
    pub fn new(path: impl Into<PathBuf>, place: Option<Place>, message: impl Into<String>) -> Self {
        ManifestError {
            path: path.into(),
            place,
            message: message.into(),
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_file_place(f, &self.path, self.place.as_ref())?;
        f.write_str(&self.message)
    }
}

/// `path:line:column: ` (the place when known).
fn write_file_place(
    f: &mut fmt::Formatter<'_>,
    path: &std::path::Path,
    place: Option<&Place>,
) -> fmt::Result {
    write!(f, "{}", path.display())?;
    if let Some(p) = place {
        let s = p.to_string();
        if !s.is_empty() {
            write!(f, ":{s}")?;
        }
    }
    f.write_str(": ")
}

impl From<LockfileError> for ManifestError {
    /// Reading a manifest uses the lockfile reader's size cap and UTF-8 check.
    fn from(e: LockfileError) -> Self {
        let message = match &e.kind {
            LockfileErrorKind::Io(m) => format!("cannot read file: {m}"),
            LockfileErrorKind::TooLarge { size, limit } => {
                format!("file is {size} bytes, larger than the {limit}-byte limit for manifests")
            }
            LockfileErrorKind::Syntax(m) | LockfileErrorKind::Invalid(m) => m.clone(),
            _ => e.to_string(),
        };
        ManifestError {
            path: e.path,
            place: e.place,
            message,
        }
    }
}

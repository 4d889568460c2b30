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
    /// `LINE:COLUMN (at POINTER)`, each part only when known: a line 0, a column 0 and an empty
    /// pointer are never printed, so an unknown place displays as the empty string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        if let Some(p) = self.pointer.as_deref().filter(|p| !p.is_empty()) {
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
    /// The path is not a regular file (a FIFO, device, socket, directory): refused unopened.
    NotRegular(crate::fsio::FileKind),
    /// A lockfile of a format tollgate does not read (`yarn.lock`, `pnpm-lock.yaml`, …): the
    /// tool that writes it.
    UnsupportedFormat(&'static str),
    /// The lockfile has no package entry at all (empty, only comments, `{}`): no lockfile tool
    /// writes such a file, and checking it would pass anything.
    NoPackages(String),
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
            LockfileErrorKind::NotRegular(_) => "not-regular",
            LockfileErrorKind::UnsupportedFormat(_) => "unsupported-format",
            LockfileErrorKind::NoPackages(_) => "no-packages",
        }
    }
}

impl fmt::Display for LockfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_file_place(f, &self.path, self.place.as_ref())?;
        Message(self).fmt(f)
    }
}

/// What a [`LockfileError`] says, without its `path:place: ` prefix.
struct Message<'a>(&'a LockfileError);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
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
            LockfileErrorKind::NotRegular(k) => write!(
                f,
                "not a regular file ({k}); tollgate reads lockfiles and manifests only from regular files"
            ),
            LockfileErrorKind::UnsupportedFormat(tool) => {
                let name = self
                    .0
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                write!(
                    f,
                    "unsupported format: {name} ({tool}); tollgate reads Cargo.lock, package-lock.json and npm-shrinkwrap.json"
                )
            }
            LockfileErrorKind::NoPackages(m) => write!(f, "no packages in the lockfile: {m}"),
        }
    }
}

impl From<crate::fsio::ReadError> for LockfileError {
    fn from(e: crate::fsio::ReadError) -> Self {
        use crate::fsio::ReadError;
        let path = e.path().to_path_buf();
        let kind = match e {
            ReadError::NotFound { .. } => LockfileErrorKind::Io("no such file".into()),
            ReadError::NotRegular { kind, .. } => LockfileErrorKind::NotRegular(kind),
            ReadError::TooLarge { size, limit, .. } => LockfileErrorKind::TooLarge { size, limit },
            ReadError::Io { message, .. } => LockfileErrorKind::Io(message),
        };
        LockfileError::new(path, None, kind)
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
    /// A directory holds lockfiles only of package managers tollgate does not read.
    #[error(
        "{}: no Cargo.lock, package-lock.json or npm-shrinkwrap.json found, only lockfiles tollgate does not read: {}",
        dir.display(),
        found.join(", ")
    )]
    OnlyUnsupported {
        /// The directory searched.
        dir: PathBuf,
        /// The lockfiles found, as `path (tool)`.
        found: Vec<String>,
    },
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
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (line + 1, column(text, self.starts[line], offset))
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Line and column of byte offsets asked for in (mostly) increasing order, as parsers ask for the
/// places of entries: it counts newlines from the previous answer instead of indexing every line
/// up front (an index of a 150 MB lockfile's six million lines alone takes 48 MB). Asking for an
/// earlier offset recounts from the start; after a few such rewinds it builds a [`LineIndex`], so
/// no order of questions costs more than linear time overall.
#[derive(Debug)]
pub struct LineCursor<'t> {
    text: &'t str,
    /// `(offset, 0-based line, start of that line)` of the last answer.
    at: std::cell::Cell<(usize, usize, usize)>,
    rewinds: std::cell::Cell<u32>,
    index: std::cell::OnceCell<LineIndex>,
}

impl<'t> LineCursor<'t> {
    /// Rewinds tolerated before falling back to a full index.
    const MAX_REWINDS: u32 = 8;

    /// A cursor at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            at: std::cell::Cell::new((0, 0, 0)),
            rewinds: std::cell::Cell::new(0),
            index: std::cell::OnceCell::new(),
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let text = self.text;
        let offset = offset.min(text.len());
        if let Some(ix) = self.index.get() {
            return ix.line_col(text, offset);
        }
        let (mut from, mut line, mut start) = self.at.get();
        if offset < from {
            let r = self.rewinds.get() + 1;
            self.rewinds.set(r);
            if r > Self::MAX_REWINDS {
                return self
                    .index
                    .get_or_init(|| LineIndex::new(text))
                    .line_col(text, offset);
            }
            (from, line, start) = (0, 0, 0);
        }
        let seg = &text.as_bytes()[from..offset];
        // memchr finds newlines with SIMD; the last newline is near the end, found backwards.
        let newlines = memchr::memchr_iter(b'\n', seg).count();
        if newlines > 0 {
            line += newlines;
            start = from + seg.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        }
        self.at.set((offset, line, start));
        (line + 1, column(text, start, offset))
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }
}

/// 1-based column of `offset` on the line starting at `line_start`, in characters.
fn column(text: &str, line_start: usize, offset: usize) -> usize {
    text.get(line_start..offset)
        .map_or(offset - line_start, |s| s.chars().count())
        + 1
}

/// The error for a file with git merge-conflict markers, at the first marker, if it has any.
pub fn conflict_error(path: &std::path::Path, text: &str) -> Option<LockfileError> {
    find_conflict_marker(text).map(|line| {
        LockfileError::new(
            path,
            Some(Place {
                line,
                column: 1,
                ..Place::default()
            }),
            LockfileErrorKind::MergeConflict,
        )
    })
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

/// `path:line:column: ` (the place when known): `path: ` when no line is known, and a pointer
/// without a line as `path (at /pointer): `. Never a line 0 nor an empty place.
fn write_file_place(
    f: &mut fmt::Formatter<'_>,
    path: &std::path::Path,
    place: Option<&Place>,
) -> fmt::Result {
    write!(f, "{}", path.display())?;
    if let Some(p) = place {
        let s = p.to_string();
        if !s.is_empty() {
            let sep = if p.line > 0 { ":" } else { " " };
            write!(f, "{sep}{s}")?;
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
            LockfileErrorKind::NotRegular(k) => format!(
                "not a regular file ({k}); tollgate reads manifests only from regular files"
            ),
            _ => Message(&e).to_string(),
        };
        ManifestError {
            path: e.path,
            place: e.place,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LineCursor, LineIndex, LockfileError, LockfileErrorKind, Place};

    fn shown(place: Option<Place>) -> String {
        LockfileError::new("p.json", place, LockfileErrorKind::Invalid("bad".into())).to_string()
    }

    #[test]
    fn places_never_show_line_0_nor_an_empty_pointer() {
        let at = |line, column, pointer: Option<&str>| {
            Some(Place {
                line,
                column,
                offset: None,
                pointer: pointer.map(str::to_owned),
            })
        };
        assert_eq!(shown(None), "p.json: bad");
        assert_eq!(shown(at(0, 0, None)), "p.json: bad");
        assert_eq!(shown(at(0, 7, None)), "p.json: bad");
        assert_eq!(shown(at(0, 0, Some(""))), "p.json: bad");
        assert_eq!(shown(at(1, 1, Some(""))), "p.json:1:1: bad");
        assert_eq!(
            shown(at(0, 0, Some("/packages"))),
            "p.json (at /packages): bad"
        );
        assert_eq!(shown(at(3, 0, Some("/a"))), "p.json:3 (at /a): bad");
        assert_eq!(shown(at(3, 4, None)), "p.json:3:4: bad");
    }

    #[test]
    fn cursor_agrees_with_the_index_in_any_order() {
        let text = "ab\ncdé\n\nxyz\n";
        let ix = LineIndex::new(text);
        let cur = LineCursor::new(text);
        // Forwards, backwards (rewinds, then the fallback index), past the end.
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .chain((0..=text.len()).rev().filter(|&o| text.is_char_boundary(o)))
            .chain([text.len() + 5])
            .collect();
        for o in offsets {
            assert_eq!(cur.line_col(o), ix.line_col(text, o), "offset {o}");
        }
    }
}

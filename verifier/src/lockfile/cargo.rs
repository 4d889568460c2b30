//! `Cargo.lock` v1–v4.
//!
//! The file is deserialised with `toml` into borrowed, spanned structs rather than through the
//! `cargo-lock` crate's `Lockfile`: that type owns every string, drops the byte spans we need for
//! `file:line` locations, and has no notion of the unresolvable dependency strings that trimmed
//! lockfiles contain (Cargo skips them; so do we, with a warning). Source ids are still parsed
//! with `cargo_lock::SourceId`, which implements Cargo's own rules for `git+`, `registry+` and
//! `sparse+` URLs (branch / tag / rev queries, `#precise` fragments).

use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{Diagnostic, ParsedLockfile, UnresolvedDep, UnresolvedReason};
use crate::error::{LineCursor, LockfileError, LockfileErrorKind, Place};
use crate::package::DepKind;
use crate::package::{
    ChecksumText, Ecosystem, GitRef, GitSource, Integrity, Location, Package, Scopes, Source,
};

/// A `Cargo.lock` as the `toml` crate reads it (the slow path); made into a [`RawLock`].
#[derive(Deserialize)]
struct TomlLock<'a> {
    version: Option<Spanned<i64>>,
    #[serde(default, borrow)]
    package: Vec<Spanned<TomlPackage<'a>>>,
    #[serde(default, borrow)]
    root: Option<Spanned<TomlPackage<'a>>>,
    #[serde(default, borrow)]
    metadata: Option<HashMap<Cow<'a, str>, MetadataValue<'a>>>,
}

/// A `[[package]]` or `[root]` table as the `toml` crate reads it.
#[derive(Deserialize)]
struct TomlPackage<'a> {
    #[serde(borrow)]
    name: Spanned<Cow<'a, str>>,
    #[serde(borrow)]
    version: Cow<'a, str>,
    #[serde(default, borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    checksum: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    dependencies: Vec<Spanned<Cow<'a, str>>>,
}

/// A `Cargo.lock` as read, by the fast path (`cargo_fast`) or the `toml` crate.
pub(super) struct RawLock<'a> {
    pub(super) version: Option<Spanned<i64>>,
    pub(super) package: Vec<RawPackage<'a>>,
    pub(super) root: Option<RawPackage<'a>>,
    pub(super) metadata: Option<HashMap<Cow<'a, str>, MetadataValue<'a>>>,
    /// The 1-based lines of the table headers, when the fast path read the file (it counts lines
    /// as it goes; the `toml` crate does not say): `[root]`, then every `[[package]]`.
    pub(super) header_lines: Option<HeaderLines>,
    /// Every table's dependency strings (node order).
    pub(super) deps: Deps<'a>,
}

/// A `[[package]]` or `[root]` table as read, without its dependency list (in
/// [`RawLock::deps`]). Plain offsets and borrowed strings (of the text, or of the `toml`
/// crate's parse) instead of `Spanned<Cow<str>>` fields: at 10^5 tables the raw list is a large
/// part of the parse's peak memory (80 bytes a table instead of 152).
pub(super) struct RawPackage<'a> {
    /// Where the table starts in the text (its header, or the `toml` crate's span).
    pub(super) at: usize,
    pub(super) name: &'a str,
    /// Where the name's string starts in the text.
    pub(super) name_at: usize,
    pub(super) version: &'a str,
    pub(super) source: Option<&'a str>,
    pub(super) checksum: Option<&'a str>,
}

/// The fast path keeps the byte range of each table's `dependencies = [...]` value (`(0, 0)`:
/// none), re-read by `cargo_fast::dep_strings` when the edges are made. Keeping the strings
/// instead (a `Vec<Spanned<Cow<str>>>` per table, 40 bytes a string) took more memory than the
/// packages themselves, at the parse's peak.
/// Every node's dependency strings (node order: the v1 `[root]` table first, then every
/// `[[package]]`).
pub(super) enum Deps<'a> {
    /// The fast path's: ranges of the text, and the number of strings it read (a capacity hint:
    /// it counts the `[[patch.unused]]` tables' lists too).
    Ranges(Vec<(u32, u32)>, usize),
    /// The `toml` crate's: each table's strings, with their spans' offsets.
    Lists(Vec<Vec<(&'a str, usize)>>),
}

impl Deps<'_> {
    /// How many strings there are in all, as a capacity hint: exact for the lists; for the ranges
    /// an upper bound (the `[[patch.unused]]` tables' strings are counted too).
    fn count(&self) -> usize {
        match self {
            Deps::Ranges(_, n) => *n,
            Deps::Lists(l) => l.iter().map(Vec::len).sum(),
        }
    }

    /// Calls `f` with node `n`'s dependency strings, each with the offset of its span.
    fn each<'t>(&'t self, n: usize, text: &'t str, mut f: impl FnMut(&'t str, usize)) {
        match self {
            Deps::Ranges(r, _) => {
                let Some(&(from, to)) = r.get(n) else { return };
                // The fast path took the ranges from this very text: always in it.
                if let Some(value) = text.get(from as usize..to as usize) {
                    for (s, at) in super::cargo_fast::dep_strings(value, from as usize) {
                        f(s, at);
                    }
                }
            }
            Deps::Lists(l) => {
                for &(s, at) in l.get(n).into_iter().flatten() {
                    f(s, at);
                }
            }
        }
    }
}

/// Lines of a lockfile's table headers (each header starts its line: column 1).
#[derive(Default)]
pub(super) struct HeaderLines {
    pub(super) root: Option<u32>,
    pub(super) packages: Vec<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum MetadataValue<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

/// The lockfile versions this parser reads.
pub const SUPPORTED_VERSIONS: std::ops::RangeInclusive<i64> = 1..=4;

/// Parses a `Cargo.lock`. `lockfile` is the index the packages' locations will refer to.
pub fn parse(
    path: &Path,
    display: &str,
    text: &str,
    lockfile: u32,
) -> Result<ParsedLockfile, LockfileError> {
    parse_impl(path, display, text, lockfile, true)
}

/// Parses a `Cargo.lock` with the `toml` crate only, bypassing the fast path for files as Cargo
/// writes them. [`parse`] must give the same result on every input: differential tests and the
/// fuzz targets compare the two.
pub fn parse_with_toml(
    path: &Path,
    display: &str,
    text: &str,
    lockfile: u32,
) -> Result<ParsedLockfile, LockfileError> {
    parse_impl(path, display, text, lockfile, false)
}

fn parse_impl(
    path: &Path,
    display: &str,
    text: &str,
    lockfile: u32,
    fast_path: bool,
) -> Result<ParsedLockfile, LockfileError> {
    let lines = LineCursor::new(text);
    let place_at = |offset: usize| {
        let (line, column) = lines.line_col(offset);
        Place {
            line,
            column,
            offset: Some(offset),
            pointer: None,
        }
    };
    let fast = if fast_path {
        super::cargo_fast::parse(text)
    } else {
        None
    };
    // The `toml` crate's parse, when the fast path declined: the raw tables borrow its strings.
    let mut toml_lock: TomlLock<'_>;
    let mut raw: RawLock<'_> = match fast {
        Some(raw) => raw,
        None => {
            // The fast path rejects conflict markers (they are not `key = value` lines), so a
            // file with them always arrives here.
            if let Some(e) = crate::error::conflict_error(path, text) {
                return Err(e);
            }
            toml_lock = parse_toml(text, path, &place_at)?;
            toml_lock.raw()
        }
    };

    let has_inline_checksum = raw.package.iter().any(|p| p.checksum.is_some());
    let version = match &raw.version {
        Some(v) => {
            let n = *v.get_ref();
            if !SUPPORTED_VERSIONS.contains(&n) {
                return Err(LockfileError::new(
                    path,
                    Some(place_at(v.span().start)),
                    LockfileErrorKind::UnsupportedVersion(format!(
                        "`version = {n}`; tollgate reads Cargo.lock versions 1 to 4"
                    )),
                ));
            }
            n as u32
        }
        None if has_inline_checksum => 2,
        None => 1,
    };

    let mut out = ParsedLockfile::new(Some(Ecosystem::Cargo), "Cargo.lock", version);
    out.no_entries = raw.root.is_none() && raw.package.is_empty();

    // v1 `[metadata]` checksums: "checksum NAME VERSION (SOURCE)" = "HEX" | "<none>".
    let mut meta_checksums: HashMap<&str, &str> = HashMap::new();
    if let Some(meta) = &raw.metadata {
        for (k, v) in meta {
            if let (Some(rest), MetadataValue::Str(val)) = (k.strip_prefix("checksum "), v)
                && val.as_ref() != "<none>"
            {
                meta_checksums.insert(rest, val.as_ref());
            }
        }
    }

    // The dependency lists (in node order: the v1 `[root]` table first, then every
    // `[[package]]`): they become edges first and are freed before the packages are built, so
    // that the lists and the packages never take memory at the same time.
    let has_root_table = raw.root.is_some();
    let deps = std::mem::replace(&mut raw.deps, Deps::Lists(Vec::new()));
    let node_count = usize::from(has_root_table) + raw.package.len();

    // Per node: 1-based line and column of its table header; from the fast path's count, else
    // asked for in file order (the line cursor then never rewinds).
    let places: Vec<(u32, u32)> = match raw.header_lines.take() {
        Some(h) if h.packages.len() == raw.package.len() && h.root.is_some() == has_root_table => h
            .root
            .into_iter()
            .chain(h.packages)
            .map(|line| (line, 1))
            .collect(),
        _ => raw
            .root
            .iter()
            .chain(raw.package.iter())
            .map(|sp| {
                let (line, column) = lines.line_col(header_offset(text, sp.at));
                (line as u32, column as u32)
            })
            .collect(),
    };
    let mut maker = PackageMaker {
        path,
        display,
        text,
        lockfile,
        lines: &lines,
        meta_checksums: &meta_checksums,
        source_cache: HashMap::new(),
        first_error: None,
        source_warnings: Vec::new(),
    };
    out.packages.reserve_exact(node_count);
    let duplicate;
    if (PARALLEL_MIN..=PARALLEL_MAX).contains(&node_count) && !force_sequential() {
        // Two threads: the dependency strings resolve into edges on a second thread while this
        // one builds the packages (neither needs the other's result), in chunks taken in turn:
        // this thread takes the ones left once its packages are made (in `check` the second may
        // not get a core at once: the manifest thread can still hold it). Above PARALLEL_MAX the
        // lean sequential path below wins instead.
        let entries: Vec<&RawPackage<'_>> = raw.root.iter().chain(raw.package.iter()).collect();
        let by_name = ByName::new(&entries);
        let work = EdgeWork::new(&deps, &entries, &by_name, text, lockfile);
        let ((edges, unresolved), dup) = std::thread::scope(|s| {
            let side = std::thread::Builder::new()
                .name("tollgate-lock-edges".into())
                .spawn_scoped(s, || work.run());
            let (repeated, mut local_ids, dup) =
                find_repeated(&entries, &by_name, &places, path, text, &lines);
            for i in (0..node_count).rev() {
                let sp = entries[i];
                let id = repeated[i].then(|| local_ids.remove(&i).unwrap_or_default());
                if let Some(pkg) = maker.make(i, sp, has_root_table && i == 0, places[i], id) {
                    out.packages.push(pkg);
                }
            }
            let own = work.run();
            let other = match side {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(_) => Vec::new(),
            };
            (EdgeWork::merge(own, other), dup)
        });
        duplicate = dup;
        out.edges = edges;
        out.unresolved = unresolved;
        drop(deps);
    } else {
        let (repeated, mut local_ids) = {
            // Nodes: the v1 `[root]` table first, then every `[[package]]`.
            let entries: Vec<&RawPackage<'_>> = raw.root.iter().chain(raw.package.iter()).collect();
            // Packages by name: resolves dependency strings, and tells whether a readable id
            // needs the source too (a name and version that appear more than once).
            let by_name = ByName::new(&entries);
            let work = EdgeWork::new(&deps, &entries, &by_name, text, lockfile);
            (out.edges, out.unresolved) = work.resolve(0..entries.len(), &LineCursor::new(text));
            drop(deps);
            let (repeated, local_ids, dup) =
                find_repeated(&entries, &by_name, &places, path, text, &lines);
            duplicate = dup;
            (repeated, local_ids)
        };
        // The packages, built from the last table to the first: each raw table is popped as its
        // package is made, and the raw list shrinks (in place) every few thousand, so that the
        // packages' strings take the memory the raw tables give back instead of adding to it.
        for i in (0..node_count).rev() {
            let (sp, is_root) = if has_root_table && i == 0 {
                match raw.root.take() {
                    Some(r) => (r, true),
                    None => break,
                }
            } else {
                match raw.package.pop() {
                    Some(p) => (p, false),
                    None => break,
                }
            };
            if i % 4096 == 0 {
                raw.package.shrink_to_fit();
            }
            let id = repeated[i].then(|| local_ids.remove(&i).unwrap_or_default());
            let place = places.get(i).copied().unwrap_or_default();
            if let Some(pkg) = maker.make(i, &sp, is_root, place, id) {
                out.packages.push(pkg);
            }
        }
    }
    let PackageMaker {
        first_error,
        mut source_warnings,
        ..
    } = maker;
    match (first_error, duplicate) {
        (Some((i, e)), Some((j, _))) if i <= j => return Err(e),
        (_, Some((_, e))) | (Some((_, e)), None) => return Err(e),
        (None, None) => {}
    }
    out.packages.reverse();
    source_warnings.reverse();
    out.warnings.extend(source_warnings);

    // Roots: path packages (workspace members, path dependencies) that no other path package
    // depends on; a trimmed lockfile with no path package falls back to packages nothing depends on.
    let mut has_path_parent = vec![false; out.packages.len()];
    let mut has_parent = vec![false; out.packages.len()];
    for &(from, to, _) in &out.edges {
        let (from, to) = (from as usize, to as usize);
        if from != to {
            has_parent[to] = true;
            if matches!(out.packages[from].source, Source::Path) {
                has_path_parent[to] = true;
            }
        }
    }
    let path_roots: Vec<usize> = (0..out.packages.len())
        .filter(|&i| matches!(out.packages[i].source, Source::Path) && !has_path_parent[i])
        .collect();
    let any_path = out
        .packages
        .iter()
        .any(|p| matches!(p.source, Source::Path));
    out.roots = if any_path {
        path_roots
    } else {
        (0..out.packages.len())
            .filter(|&i| !has_parent[i])
            .collect()
    };
    // A cycle (e.g. `cargo` ↔ `cargo-test-support` through a dev-dependency, which the lockfile
    // records as a plain edge) leaves its members with a parent and no root above them: the first
    // such package in file order becomes a root, and so on until every candidate is reached.
    // Edges were made one package after another, so the children of `n` are the run
    // `edges[start[n]..start[n + 1]]`: no list per package.
    debug_assert!(out.edges.is_sorted_by_key(|e| e.0));
    let mut start = vec![0usize; out.packages.len() + 1];
    for &(from, _, _) in &out.edges {
        start[from as usize + 1] += 1;
    }
    for i in 0..out.packages.len() {
        start[i + 1] += start[i];
    }
    let children = |n: usize| {
        out.edges[start[n]..start[n + 1]]
            .iter()
            .map(|e| e.1 as usize)
    };
    let mut reached = vec![false; out.packages.len()];
    let mut stack: Vec<usize> = out.roots.clone();
    let mut next_candidate = 0;
    loop {
        while let Some(n) = stack.pop() {
            if !std::mem::replace(&mut reached[n], true) {
                stack.extend(children(n).filter(|&c| !reached[c]));
            }
        }
        let candidate = (next_candidate..out.packages.len()).find(|&i| {
            !reached[i] && (!any_path || matches!(out.packages[i].source, Source::Path))
        });
        match candidate {
            Some(i) => {
                out.roots.push(i);
                stack.push(i);
                next_candidate = i + 1;
            }
            None => break,
        }
    }
    for &r in &out.roots {
        out.packages[r].is_root = true;
    }
    Ok(out)
}

/// Lockfiles with at least this many packages (and at most [`PARALLEL_MAX`]) resolve their
/// dependency strings on a second thread: below it, starting the thread costs more than it saves.
const PARALLEL_MIN: usize = 256;
/// Above this many packages the parse takes the sequential path, which frees the raw tables as it
/// builds the packages (peak memory matters more than a millisecond on such a lockfile).
const PARALLEL_MAX: usize = 8192;

// Tests compare the two paths on one input.
#[cfg(test)]
thread_local! {
    static FORCE_SEQUENTIAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn force_sequential() -> bool {
    FORCE_SEQUENTIAL.with(|f| f.get())
}

#[cfg(not(test))]
fn force_sequential() -> bool {
    false
}

/// Per-node dependency lists → edges (in node order) and the strings no package matches.
type Edges = (Vec<(u32, u32, DepKind)>, Vec<(usize, UnresolvedDep)>);

/// Nodes per chunk of [`EdgeWork`].
const EDGE_CHUNK: usize = 128;

/// Edge resolution shared by two threads: each takes the next chunk of nodes until none is left.
struct EdgeWork<'w, 'a> {
    deps: &'w Deps<'a>,
    entries: &'w [&'w RawPackage<'a>],
    by_name: &'w ByName<'a>,
    text: &'a str,
    lockfile: u32,
    next: std::sync::atomic::AtomicUsize,
}

impl<'w, 'a> EdgeWork<'w, 'a> {
    /// The work of resolving every node's dependency strings, no chunk taken yet.
    fn new(
        deps: &'w Deps<'a>,
        entries: &'w [&'w RawPackage<'a>],
        by_name: &'w ByName<'a>,
        text: &'a str,
        lockfile: u32,
    ) -> Self {
        EdgeWork {
            deps,
            entries,
            by_name,
            text,
            lockfile,
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Resolves chunks until none is left: `(chunk, its edges)` in the order taken.
    fn run(&self) -> Vec<(usize, Edges)> {
        // Its own cursor (the caller's may be in use on another thread); the chunks it takes
        // come in file order, so the cursor never rewinds.
        let lines = LineCursor::new(self.text);
        let mut out = Vec::new();
        loop {
            let c = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let start = c.saturating_mul(EDGE_CHUNK);
            if start >= self.entries.len() {
                return out;
            }
            let end = (start + EDGE_CHUNK).min(self.entries.len());
            out.push((c, self.resolve(start..end, &lines)));
        }
    }

    /// Both threads' chunks, in node order: what one [`EdgeWork::resolve`] over every node
    /// gives.
    fn merge(a: Vec<(usize, Edges)>, b: Vec<(usize, Edges)>) -> Edges {
        let mut all: Vec<(usize, Edges)> = a.into_iter().chain(b).collect();
        all.sort_unstable_by_key(|(c, _)| *c);
        let mut edges = Vec::with_capacity(all.iter().map(|(_, (e, _))| e.len()).sum());
        let mut unresolved = Vec::new();
        for (_, (e, u)) in all {
            edges.extend(e);
            unresolved.extend(u);
        }
        (edges, unresolved)
    }

    /// Resolves the dependency strings of the nodes in `range` (`deps`' node `n` belongs to
    /// `entries[n]`) into edges; `lines` gives the lines of unresolved strings.
    fn resolve(&self, range: std::ops::Range<usize>, lines: &LineCursor<'_>) -> Edges {
        let EdgeWork {
            deps,
            entries,
            by_name,
            text,
            lockfile,
            ..
        } = *self;
        let all = range.len() == entries.len();
        let mut edges = Vec::with_capacity(if all { deps.count() } else { 0 });
        let mut unresolved = Vec::new();
        for (from, sp) in entries.iter().enumerate().take(range.end).skip(range.start) {
            deps.each(from, text, |s, at| match resolve_dep(s, by_name) {
                Ok(to) => edges.push((from as u32, to as u32, DepKind::Normal)),
                Err(why) => unresolved.push((
                    from,
                    UnresolvedDep {
                        lockfile,
                        spec: s.to_owned(),
                        line: lines.line(at) as u32,
                        reason: if why.starts_with("is ambiguous") {
                            UnresolvedReason::Ambiguous
                        } else if why.starts_with("has a malformed") {
                            UnresolvedReason::Malformed
                        } else {
                            UnresolvedReason::Missing
                        },
                        why: why.to_owned(),
                        message: format!(
                            "dependency \"{s}\" of `{}` {why}; skipped as Cargo does",
                            display_name(sp)
                        ),
                    },
                )),
            });
        }
        (edges, unresolved)
    }
}

/// Per node: whether its name and version appear more than once (its id then names the source
/// too), the ids of those nodes, and the first node in file order whose id repeats an earlier one
/// (Cargo refuses such a file).
#[allow(clippy::type_complexity)]
fn find_repeated(
    entries: &[&RawPackage<'_>],
    by_name: &ByName<'_>,
    places: &[(u32, u32)],
    path: &Path,
    text: &str,
    lines: &LineCursor<'_>,
) -> (
    Vec<bool>,
    HashMap<usize, String>,
    Option<(usize, LockfileError)>,
) {
    let mut repeated = vec![false; entries.len()];
    let mut local_ids: HashMap<usize, String> = HashMap::new();
    let mut repeated_ids: HashMap<String, usize> = HashMap::new();
    for (i, sp) in entries.iter().enumerate() {
        let p = sp;
        let (name, version_s) = (p.name, p.version);
        // A name with one package (nearly all of them) needs no comparison.
        let same_name_and_version = match by_name.get(name) {
            Some(c) if c.len() > 1 => c.iter().filter(|c| c.0 == version_s).count(),
            _ => 1,
        };
        if same_name_and_version <= 1 {
            continue;
        }
        repeated[i] = true;
        // Credentials in a source URL never reach an id (ids are printed).
        let id = match p.source {
            Some(s) => format!("{name}@{version_s} ({})", crate::redact::redact_url(s)),
            None => format!("{name}@{version_s} (path)"),
        };
        let offset = header_offset(text, sp.at);
        let line = places.get(i).map_or(0, |p| p.0 as usize);
        if let Some(first) = repeated_ids.insert(id.clone(), line) {
            let error = LockfileError::new(
                path,
                Some(place_of(lines, offset)),
                LockfileErrorKind::Invalid(format!(
                    "package `{name} {version_s}` from {} is specified twice (first at line {first}); Cargo refuses such a lockfile",
                    p.source.map_or("a path", |_| "the same source"),
                )),
            );
            return (repeated, local_ids, Some((i, error)));
        }
        local_ids.insert(i, id);
    }
    (repeated, local_ids, None)
}

/// The [`Place`] of a byte offset.
fn place_of(lines: &LineCursor<'_>, offset: usize) -> Place {
    let (line, column) = lines.line_col(offset);
    Place {
        line,
        column,
        offset: Some(offset),
        pointer: None,
    }
}

/// Builds [`Package`]s from raw tables; keeps the first error (in file order) and the warnings.
struct PackageMaker<'a, 'l> {
    path: &'a Path,
    display: &'a str,
    text: &'a str,
    lockfile: u32,
    lines: &'l LineCursor<'a>,
    /// v1 `[metadata]` checksums by "NAME VERSION (SOURCE)".
    meta_checksums: &'l HashMap<&'a str, &'a str>,
    /// One parsed source and one shared raw string per distinct source: the packages of a
    /// registry share both instead of each owning copies.
    source_cache: HashMap<Arc<str>, (Source, bool)>,
    /// The error of the earliest node seen to be invalid (nodes come last to first).
    first_error: Option<(usize, LockfileError)>,
    /// Unrecognised sources, last to first.
    source_warnings: Vec<Diagnostic>,
}

impl PackageMaker<'_, '_> {
    /// The package of node `i` (`id`: its readable local id when its name and version repeat),
    /// or `None` once an error was found (later errors in file order are not needed).
    fn make(
        &mut self,
        i: usize,
        sp: &RawPackage<'_>,
        is_root: bool,
        (line, column): (u32, u32),
        id: Option<String>,
    ) -> Option<Package> {
        let p = sp;
        let name = p.name;
        let version_s = p.version;
        // Cargo writes only semantic versions and refuses anything else; checking it here also
        // keeps ids (`name@version`) unambiguous.
        if let Err(e) = semver::Version::parse(version_s) {
            let offset = header_offset(self.text, sp.at);
            self.first_error = Some((
                i,
                LockfileError::new(
                    self.path,
                    Some(place_of(self.lines, offset)),
                    LockfileErrorKind::Invalid(format!(
                        "package `{name}`: version \"{version_s}\" is not a semantic version ({e})"
                    )),
                ),
            ));
            return None;
        }
        if self.first_error.is_some() {
            return None;
        }
        let (source, source_raw) = match p.source {
            None => (Source::Path, None),
            Some(s) => {
                let (src, bad, raw_s) = match self.source_cache.get_key_value(s) {
                    Some((k, (src, bad))) => (src.clone(), *bad, k.clone()),
                    None => {
                        let (src, bad) = parse_source(s);
                        let k: Arc<str> = Arc::from(s);
                        self.source_cache.insert(k.clone(), (src.clone(), bad));
                        (src, bad, k)
                    }
                };
                if bad {
                    self.source_warnings.push(Diagnostic::at(
                        self.lockfile,
                        self.lines.line(p.name_at) as u32,
                        format!("package `{name} {version_s}`: unrecognised source `{s}`"),
                    ));
                }
                (src, Some(raw_s))
            }
        };
        let checksum: Option<&str> = match (p.checksum, p.source) {
            (Some(c), _) => Some(c),
            (None, Some(src)) if !self.meta_checksums.is_empty() => self
                .meta_checksums
                .get(format!("{name} {version_s} ({src})").as_str())
                .copied(),
            _ => None,
        };
        let integrity = checksum.map(Integrity::from_cargo_checksum);
        let checksum = checksum
            .zip(integrity.as_ref())
            .map(|(c, i)| ChecksumText::cargo(c, i));
        let id = match id {
            Some(local_id) => join_str(&[self.display, "#", &local_id]),
            None => join_str(&[self.display, "#", name, "@", version_s]),
        };
        Some(Package {
            id,
            ecosystem: Ecosystem::Cargo,
            name: name.to_owned(),
            version: version_s.to_owned(),
            source,
            source_raw,
            checksum,
            integrity,
            scopes: Scopes::default(),
            is_root,
            location: Location {
                lockfile: self.lockfile,
                line,
                column,
            },
            npm: None,
        })
    }
}

/// A package a dependency string may name: `(version, source without #fragment, index)`.
type Candidate<'a> = (&'a str, Option<&'a str>, usize);

/// Packages grouped by name, without an allocation per name: the candidates sorted by name
/// (stably, so file order within a name; Cargo writes the file sorted, which makes the sort a
/// linear scan), and each name's run in them.
struct ByName<'a> {
    candidates: Vec<Candidate<'a>>,
    runs: HashMap<&'a str, (u32, u32)>,
}

impl<'a> ByName<'a> {
    fn new(entries: &[&'a RawPackage<'a>]) -> Self {
        let name = |i: usize| entries[i].name;
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| name(a).cmp(name(b)));
        let candidates: Vec<Candidate<'a>> = order
            .iter()
            .map(|&i| {
                let p = entries[i];
                (p.version, p.source.map(strip_fragment), i)
            })
            .collect();
        let mut runs = HashMap::with_capacity(entries.len());
        let mut start = 0;
        for run in order.chunk_by(|&a, &b| name(a) == name(b)) {
            runs.insert(name(run[0]), (start as u32, run.len() as u32));
            start += run.len();
        }
        ByName { candidates, runs }
    }

    fn get(&self, name: &str) -> Option<&[Candidate<'a>]> {
        let &(start, len) = self.runs.get(name)?;
        self.candidates
            .get(start as usize..start as usize + len as usize)
    }
}

fn parse_toml<'a>(
    text: &'a str,
    path: &Path,
    place_at: &dyn Fn(usize) -> Place,
) -> Result<TomlLock<'a>, LockfileError> {
    toml::from_str(text).map_err(|e| {
        let place = e.span().map(|s| place_at(s.start));
        LockfileError::new(
            path,
            place,
            LockfileErrorKind::Syntax(format!("invalid Cargo.lock: {}", e.message().trim_end())),
        )
    })
}

impl<'a> TomlLock<'a> {
    /// The raw tables, borrowing this parse's strings.
    fn raw(&mut self) -> RawLock<'_> {
        let metadata = self.metadata.take();
        let this: &Self = self;
        let tables = || this.root.iter().chain(this.package.iter());
        fn table<'r>(sp: &'r Spanned<TomlPackage<'_>>) -> RawPackage<'r> {
            let t = sp.get_ref();
            RawPackage {
                at: sp.span().start,
                name: t.name.get_ref(),
                name_at: t.name.span().start,
                version: &t.version,
                source: t.source.as_deref(),
                checksum: t.checksum.as_deref(),
            }
        }
        RawLock {
            version: this.version.clone(),
            root: this.root.as_ref().map(table),
            package: this.package.iter().map(table).collect(),
            metadata,
            header_lines: None,
            deps: Deps::Lists(
                tables()
                    .map(|t| {
                        let d = &t.get_ref().dependencies;
                        d.iter()
                            .map(|s| (s.get_ref().as_ref(), s.span().start))
                            .collect()
                    })
                    .collect(),
            ),
        }
    }
}

/// The offset of the `[[package]]` header a table's span starts in (or the span start itself).
fn header_offset(text: &str, start: usize) -> usize {
    let head = &text[..start.min(text.len())];
    let line_start = head.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = &text[line_start..];
    if line.starts_with("[[") || line.starts_with('[') {
        line_start
    } else {
        start
    }
}

/// A source string without its `#commit` fragment: Cargo leaves the fragment out of dependency
/// strings and compares git sources without it.
fn strip_fragment(s: &str) -> &str {
    if !s.starts_with("git+") {
        return s;
    }
    s.split_once('#').map_or(s, |(base, _)| base)
}

/// Resolves a dependency string the way Cargo's lockfile decoder does
/// (`cargo::core::resolver::encode`): by name, then version, then source; an unqualified string
/// prefers the single path package, else needs a single candidate.
fn resolve_dep(s: &str, by_name: &ByName<'_>) -> Result<usize, &'static str> {
    // `splitn(3, ' ')` with memchr (the standard library's char searcher was a hot spot).
    fn split(s: &str) -> (&str, Option<&str>) {
        match memchr::memchr(b' ', s.as_bytes()) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        }
    }
    let (name, rest) = split(s);
    let (mut version, mut source) = match rest.map(split) {
        Some((v, src)) => (Some(v), src),
        None => (None, None),
    };
    if let Some(v) = version
        && v.starts_with('(')
    {
        // "name (source)"
        source = Some(v);
        version = None;
    }
    let source = match source {
        Some(src) => Some(
            src.strip_prefix('(')
                .and_then(|x| x.strip_suffix(')'))
                .ok_or("has a malformed source (expected `(SOURCE)`)")?,
        ),
        None => None,
    };
    let candidates = by_name
        .get(name)
        .ok_or("names no package in the lockfile")?;
    // The common case, one candidate that fits, needs no further work.
    if let [only] = candidates
        && version.is_none_or(|v| v == only.0)
        && source.is_none_or(|s| only.1 == Some(strip_fragment(s)))
    {
        return Ok(only.2);
    }
    let by_version: Vec<&Candidate<'_>> = match version {
        Some(v) => candidates.iter().filter(|c| c.0 == v).collect(),
        None => {
            let first = candidates.first().map(|c| c.0);
            if candidates.iter().all(|c| Some(c.0) == first) {
                candidates.iter().collect()
            } else {
                return Err("is ambiguous: several versions and none given");
            }
        }
    };
    if by_version.is_empty() {
        return Err("names a version not in the lockfile");
    }
    match source {
        Some(src) => {
            let want = strip_fragment(src);
            by_version
                .iter()
                .find(|c| c.1 == Some(want))
                .map(|c| c.2)
                .ok_or("names a source not in the lockfile")
        }
        None => {
            let mut paths = by_version.iter().filter(|c| c.1.is_none());
            if let Some(p) = paths.next() {
                if paths.next().is_some() {
                    return Err("is ambiguous: several path packages match");
                }
                Ok(p.2)
            } else if by_version.len() == 1 {
                Ok(by_version[0].2)
            } else {
                Err("is ambiguous: several sources match and none given")
            }
        }
    }
}

/// [`Package::display_name`] of a package not built yet.
fn display_name(p: &RawPackage<'_>) -> String {
    let (name, version) = (p.name, p.version);
    if version.is_empty() {
        name.to_owned()
    } else {
        join_str(&[name, "@", version])
    }
}

/// Parses a Cargo source id; the flag is `true` when it was not understood.
fn parse_source(s: &str) -> (Source, bool) {
    match cargo_lock::SourceId::from_url(s) {
        Ok(id) => {
            use cargo_lock::package::{GitReference, SourceKind};
            let source = match id.kind() {
                SourceKind::Registry => Source::Registry {
                    url: Some(Arc::from(id.url().as_str())),
                    sparse: false,
                },
                SourceKind::SparseRegistry => Source::Registry {
                    url: Some(Arc::from(id.url().as_str())),
                    sparse: true,
                },
                SourceKind::Git(r) => Source::Git(Arc::new(GitSource {
                    url: id.url().to_string(),
                    reference: match r {
                        GitReference::Branch(b) => GitRef::Branch(b.clone()),
                        GitReference::Tag(t) => GitRef::Tag(t.clone()),
                        GitReference::Rev(r) => GitRef::Rev(r.clone()),
                        _ => GitRef::DefaultBranch,
                    },
                    precise: id.precise().map(str::to_owned),
                })),
                SourceKind::Path => Source::Path,
                _ => Source::Other(s.to_owned()),
            };
            (source, false)
        }
        Err(_) => {
            let known = ["directory+", "local-registry+"];
            (
                Source::Other(s.to_owned()),
                !known.iter().any(|k| s.starts_with(k)),
            )
        }
    }
}

/// Concatenates string pieces into one exact-size `String` (`format!` costs far more, and this
/// runs twice per package).
fn join_str(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> ParsedLockfile {
        parse(Path::new("Cargo.lock"), "Cargo.lock", s, 0).expect("parses")
    }

    #[test]
    fn resolves_all_dependency_string_forms() {
        let p = parse_str(
            r#"
version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["a", "b 1.0.0", "c 2.0.0 (registry+https://example.com/index)", "g"]

[[package]]
name = "a"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"

[[package]]
name = "b"
version = "1.0.0"
source = "sparse+https://example.com/sparse/"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"

[[package]]
name = "c"
version = "2.0.0"
source = "registry+https://example.com/index"

[[package]]
name = "c"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "g"
version = "0.3.0"
source = "git+https://example.com/g?branch=main#0123456789abcdef0123456789abcdef01234567"
"#,
        );
        assert_eq!(p.packages.len(), 6);
        assert_eq!(p.edges.len(), 4, "{:?}", p.warnings);
        assert!(p.warnings.is_empty());
        assert_eq!(p.roots, vec![0]);
        assert!(matches!(
            &p.packages[5].source,
            Source::Git(g) if matches!((&g.reference, &g.precise), (GitRef::Branch(b), Some(c)) if b == "main" && c.len() == 40)
        ));
        assert!(matches!(
            &p.packages[2].source,
            Source::Registry { sparse: true, .. }
        ));
        assert_eq!(
            p.packages[3].id,
            "Cargo.lock#c@2.0.0 (registry+https://example.com/index)"
        );
        assert_eq!(p.packages[0].location.line, 3);
    }

    #[test]
    fn unresolved_dependency_is_a_warning_not_an_error() {
        let p = parse_str(
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"missing\"]\n",
        );
        assert_eq!(p.edges.len(), 0);
        assert!(p.warnings.is_empty());
        assert_eq!(p.unresolved.len(), 1);
        let (from, u) = &p.unresolved[0];
        assert_eq!(*from, 0);
        assert_eq!(u.spec, "missing");
        assert_eq!(u.reason, UnresolvedReason::Missing);
        assert!(u.why.contains("names no package"));
        assert_eq!(u.line, 5);
    }

    #[test]
    fn path_packages_in_a_cycle_still_get_a_root() {
        // `cargo` and `cargo-test-support` depend on each other (a dev-dependency cycle that the
        // lockfile records as plain edges), as in cargo-lock-crate's Cargo.lock.v1.
        let p = parse_str(
            r#"
version = 3
[[package]]
name = "cargo"
version = "0.40.0"
dependencies = ["cargo-test-support", "serde"]

[[package]]
name = "cargo-test-support"
version = "0.1.0"
dependencies = ["cargo"]

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#,
        );
        assert_eq!(p.roots, vec![0], "the first path package of the cycle");
        assert!(p.packages[0].is_root && !p.packages[1].is_root);
    }

    #[test]
    fn rejects_extra_roots_when_a_path_package_has_a_root_above_it() {
        // The near miss: the same packages without the back edge need no cycle-breaking root.
        let p = parse_str(
            r#"
version = 3
[[package]]
name = "cargo"
version = "0.40.0"
dependencies = ["cargo-test-support"]

[[package]]
name = "cargo-test-support"
version = "0.1.0"
dependencies = ["serde"]

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["cargo-test-support"]
"#,
        );
        assert_eq!(p.roots, vec![0]);
    }

    #[test]
    fn registry_only_cycle_gets_a_root() {
        let p = parse_str(
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://x/\"\ndependencies = [\"b\"]\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+https://x/\"\ndependencies = [\"a\"]\n",
        );
        assert_eq!(p.roots, vec![0]);
    }

    #[test]
    fn v1_metadata_checksums_are_attached() {
        let p = parse_str(
            r#"[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "1111111111111111111111111111111111111111111111111111111111111111"
"#,
        );
        assert_eq!(p.version, 1);
        assert!(
            p.packages[0]
                .integrity
                .as_ref()
                .is_some_and(|i| i.has_strong())
        );
    }

    #[test]
    fn accepts_one_name_and_version_from_two_sources() {
        let p = parse_str(
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://x/\"\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"git+https://y/a#0123456789abcdef0123456789abcdef01234567\"\n",
        );
        assert_eq!(p.packages.len(), 2);
        assert_ne!(p.packages[0].id, p.packages[1].id);
    }

    #[test]
    fn rejects_a_package_specified_twice() {
        for (text, what, line) in [
            (
                "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://x/\"\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://x/\"\n",
                "from the same source",
                7,
            ),
            (
                "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n",
                "from a path",
                6,
            ),
        ] {
            let e = parse(Path::new("Cargo.lock"), "Cargo.lock", text, 0).unwrap_err();
            assert_eq!(e.place.as_ref().map(|p| p.line), Some(line), "{e}");
            let msg = e.to_string();
            assert!(msg.contains("specified twice (first at line 2)"), "{msg}");
            assert!(msg.contains(what), "{msg}");
        }
    }

    #[test]
    fn rejects_a_version_that_is_not_semver() {
        let e = parse(
            Path::new("Cargo.lock"),
            "Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0 (path)\"\n",
            0,
        )
        .unwrap_err();
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(3), "{e}");
        assert!(e.to_string().contains("not a semantic version"), "{e}");
    }

    #[test]
    fn rejects_future_version_with_place() {
        let e = parse(Path::new("Cargo.lock"), "Cargo.lock", "version = 9\n", 0).unwrap_err();
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(1));
        assert!(e.to_string().contains("unsupported lockfile version"));
    }

    #[test]
    fn rejects_bad_toml_with_line_and_column() {
        let e = parse(
            Path::new("x/Cargo.lock"),
            "x/Cargo.lock",
            "version = 3\n[[package]]\nname = \n",
            0,
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("x/Cargo.lock:3:"), "{s}");
    }

    #[test]
    fn rejects_package_without_version() {
        let e = parse(
            Path::new("Cargo.lock"),
            "Cargo.lock",
            "version = 3\n[[package]]\nname = \"a\"\n",
            0,
        )
        .unwrap_err();
        assert!(e.to_string().contains("version"), "{e}");
    }

    fn both_paths(text: &str) -> (String, String, bool) {
        let render = |p: Result<ParsedLockfile, LockfileError>| match p {
            Ok(p) => format!(
                "{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
                p.packages, p.edges, p.roots, p.warnings, p.unresolved, p.no_entries, p.version
            ),
            Err(e) => format!("error {}", e.kind_name()),
        };
        let fast_taken = super::super::cargo_fast::parse(text).is_some();
        let fast = render(parse(Path::new("Cargo.lock"), "Cargo.lock", text, 0));
        let slow = render(parse_with_toml(
            Path::new("Cargo.lock"),
            "Cargo.lock",
            text,
            0,
        ));
        (fast, slow, fast_taken)
    }

    /// A lockfile large enough for the two-thread path gives what the sequential path gives:
    /// packages, edges, unresolved strings, warnings, and the same first error.
    #[test]
    fn the_parallel_and_sequential_paths_agree() {
        let src = "registry+https://github.com/rust-lang/crates.io-index";
        let sum = "ab".repeat(32);
        let mut lock = String::from("version = 4\n\n");
        let mut add = |name: &str, version: &str, source: Option<&str>, deps: &[&str]| {
            lock.push_str(&format!(
                "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"
            ));
            if let Some(s) = source {
                lock.push_str(&format!("source = \"{s}\"\nchecksum = \"{sum}\"\n"));
            }
            if !deps.is_empty() {
                lock.push_str("dependencies = [\n");
                for d in deps {
                    lock.push_str(&format!(" \"{d}\",\n"));
                }
                lock.push_str("]\n");
            }
            lock.push('\n');
        };
        add(
            "app",
            "0.1.0",
            None,
            &[
                "p1",
                "p5 1.0.0",
                "p5",
                "missing",
                "p7 9.9.9",
                "q (git+https://x)",
            ],
        );
        for i in 0..400 {
            add(
                &format!("p{i}"),
                "1.0.0",
                Some(src),
                &[&format!("p{}", (i + 1) % 400)],
            );
        }
        add("p5", "2.0.0", Some(src), &[]);
        add(
            "p6",
            "1.0.0",
            Some("sparse+https://example.com/index/"),
            &[],
        );
        add("odd", "1.0.0", Some("weird+thing"), &[]);
        let run = |text: &str, sequential: bool| {
            FORCE_SEQUENTIAL.with(|f| f.set(sequential));
            let r = parse(Path::new("Cargo.lock"), "Cargo.lock", text, 0);
            FORCE_SEQUENTIAL.with(|f| f.set(false));
            match r {
                Ok(p) => format!(
                    "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
                    p.packages, p.edges, p.unresolved, p.warnings, p.roots
                ),
                Err(e) => format!("error: {e}"),
            }
        };
        let (parallel, sequential) = (run(&lock, false), run(&lock, true));
        assert!(parallel.contains("p5@2.0.0") && parallel.contains("missing"));
        assert_eq!(parallel, sequential);
        // Invalid: a version that is not semver and, later, a package specified twice.
        let bad =
            lock.replacen(
                "name = \"p9\"\nversion = \"1.0.0\"",
                "name = \"p9\"\nversion = \"1.x\"",
                1,
            ) + &format!("[[package]]\nname = \"p20\"\nversion = \"1.0.0\"\nsource = \"{src}\"\n");
        let (parallel, sequential) = (run(&bad, false), run(&bad, true));
        assert!(
            parallel.starts_with("error:") && parallel.contains("p9"),
            "{parallel}"
        );
        assert_eq!(parallel, sequential);
    }

    #[test]
    fn fast_path_agrees_with_toml_on_the_corpus() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().is_some_and(|n| {
                    n.to_string_lossy().starts_with("Cargo.lock")
                        || n.to_string_lossy().ends_with(".lock")
                }) {
                    files.push(p);
                }
            }
        }
        let mut fast_count = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            if text.contains("yarn lockfile")
                || text.starts_with("__metadata")
                || text.contains("\n__metadata")
            {
                continue;
            }
            let (fast, slow, taken) = both_paths(&text);
            assert_eq!(fast, slow, "{}", f.display());
            fast_count += usize::from(taken);
        }
        assert!(
            fast_count >= 20,
            "the fast path handles Cargo-written files ({fast_count})"
        );
    }

    /// Chunks taken by two threads in any interleaving merge into node order.
    #[test]
    fn edge_chunks_merge_in_node_order() {
        let unresolved = |n: usize| UnresolvedDep {
            lockfile: 0,
            spec: format!("x{n}"),
            line: n as u32,
            reason: UnresolvedReason::Missing,
            why: String::new(),
            message: String::new(),
        };
        let chunk = |n: u32| -> Edges {
            (
                vec![(n, n + 1, DepKind::Normal)],
                vec![(n as usize, unresolved(n as usize))],
            )
        };
        let (edges, lost) = EdgeWork::merge(
            vec![(1, chunk(1)), (3, chunk(3))],
            vec![(0, chunk(0)), (2, chunk(2))],
        );
        assert_eq!(edges.iter().map(|e| e.0).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(lost.iter().map(|u| u.0).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    /// The fast path keeps only where each dependency list is and reads it again for the edges:
    /// inline and multi-line lists, empty strings, empty lists and the `[root]` table give the
    /// edges, unresolved strings and lines the `toml` crate's lists give.
    #[test]
    fn re_read_dependency_lists_agree_with_toml() {
        let tables = "[[package]]\nname = \"b\"\nversion = \"1.0.0\"\ndependencies = []\n\n\
                      [[package]]\nname = \"c\"\nversion = \"1.0.0\"\ndependencies = [\"\", \"b\", \"zz 9\"]\n\n\
                      [[package]]\nname = \"d\"\nversion = \"1.0.0\"\ndependencies = [\n \"c\",\n \"\",\n \"b 1.0.0\",\n]\n";
        for text in [
            format!("version = 3\n\n{tables}"),
            format!(
                "[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"d\",\n \"gone\",\n]\n\n{tables}"
            ),
        ] {
            let (fast, slow, taken) = both_paths(&text);
            assert!(taken, "the fast path reads it");
            assert_eq!(fast, slow, "{text}");
            assert!(
                fast.contains("zz 9") && !fast.starts_with("error"),
                "{fast}"
            );
        }
        let found: Vec<_> =
            super::super::cargo_fast::dep_strings("[\n \"a\",\n \"\",\n]", 10).collect();
        assert_eq!(found, [("a", 13), ("", 19)]);
        assert_eq!(super::super::cargo_fast::dep_strings("[]", 0).count(), 0);
    }

    #[test]
    fn fast_path_falls_back_on_anything_unusual() {
        for text in [
            "version = 3\n[[package]]\nname = \"a\\u0041\"\nversion = \"1.0.0\"\n",
            "version = 3 # comment\n",
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nname = \"b\"\n",
            "version = 3\n[[package]]\nname = \"a\"\n",
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nreplace = \"x\"\n",
            "version = 3\n[package]\nname = \"a\"\n",
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\n \"b\"\n]\n",
            // TOML rejects these; Rust's integer parsing or a byte-level scan would not.
            "version = 03\n",
            "version = +3\n",
            "version = 3\n[[package]]\nname = \"a\u{1}\"\nversion = \"1.0.0\"\n",
            "version = 3\n# a comment with DEL \u{7f}\n",
            "version = 3\r\r\n",
            "version = 3\r\n[[package]]\r\nname = \"a\"\r\nversion = \"1.0.0\"\r\n",
        ] {
            assert!(super::super::cargo_fast::parse(text).is_none(), "{text}");
            let (fast, slow, _) = both_paths(text);
            assert_eq!(fast, slow, "{text}");
        }
        let ok = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\n \"b\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\n";
        assert!(super::super::cargo_fast::parse(ok).is_some());
        let (fast, slow, _) = both_paths(ok);
        assert_eq!(fast, slow);
    }
}

//! A fast path for `Cargo.lock` files exactly as Cargo writes them.
//!
//! Why by hand: the `toml` crate spends about half of `tollgate check`'s time on a large
//! `Cargo.lock` (it builds a general document model before deserialising). Cargo writes a tiny,
//! fixed subset of TOML: `[[package]]` / `[[patch.unused]]` / `[metadata]` / `[root]` headers,
//! `key = "string"` lines, `version = N`, and string arrays one element per line. This parser
//! accepts exactly that subset and nothing else; on any other construct (escapes, comments after
//! values, inline tables, unknown keys, duplicate keys, missing fields) it returns `None` and the
//! caller parses the file with the `toml` crate, which also produces the precise error for invalid
//! input. A test checks that both paths agree on every corpus and generated lockfile.

use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;

use toml::Spanned;

use super::cargo::{Deps, HeaderLines, MetadataValue, RawLock, RawPackage};

#[derive(Default)]
struct Builder<'a> {
    start: usize,
    /// The name, and where its string starts.
    name: Option<(&'a str, usize)>,
    version: Option<&'a str>,
    source: Option<&'a str>,
    checksum: Option<&'a str>,
    /// The byte range of the `dependencies = [...]` value (re-read when the edges are made).
    dependencies: Option<(u32, u32)>,
}

impl<'a> Builder<'a> {
    fn finish(self) -> Option<(RawPackage<'a>, (u32, u32))> {
        let (name, name_at) = self.name?;
        let package = RawPackage {
            at: self.start,
            name,
            name_at,
            version: self.version?,
            source: self.source,
            checksum: self.checksum,
        };
        Some((package, self.dependencies.unwrap_or_default()))
    }
}

/// The dependency ranges of the tables read so far (see `cargo::Deps::Ranges`).
struct DepRanges {
    root: (u32, u32),
    packages: Vec<(u32, u32)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Top,
    Package,
    Root,
    PatchUnused,
    Metadata,
}

/// A basic string without escapes, starting at `s[0] == '"'`: returns the content and the rest.
fn basic_string(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let end = memchr::memchr2(b'"', b'\\', body.as_bytes())?;
    if body.as_bytes()[end] != b'"' {
        return None;
    }
    Some((&body[..end], &body[end + 1..]))
}

/// `str::split_inclusive('\n')` with the memchr crate's SIMD search (the standard library's
/// word-at-a-time search was the largest single cost of this parser).
struct Lines<'a> {
    rest: &'a str,
    /// Lines returned so far: the 1-based number of the last one.
    count: u32,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', self.rest.as_bytes()).map_or(self.rest.len(), |i| i + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.count = self.count.saturating_add(1);
        Some(line)
    }
}

/// Splits `key = value` at the ` = ` after the key (a bare key ends at its first space, a quoted
/// key at its closing quote). `str::split_once(" = ")` would do, but builds a substring searcher
/// on every one of the file's lines.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let end = if line.starts_with('"') {
        1 + memchr::memchr(b'"', &line.as_bytes()[1..])? + 1
    } else {
        memchr::memchr(b' ', line.as_bytes())?
    };
    let value = line[end..].strip_prefix(" = ")?;
    Some((&line[..end], value))
}

fn is_bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn finish<'a>(
    cur: &mut Option<Builder<'a>>,
    sec: Section,
    lock: &mut RawLock<'a>,
    ranges: &mut DepRanges,
) -> Option<()> {
    if let Some(b) = cur.take() {
        let (p, deps) = b.finish()?;
        match sec {
            Section::Package => {
                lock.package.push(p);
                ranges.packages.push(deps);
            }
            Section::Root => {
                lock.root = Some(p);
                ranges.root = deps;
            }
            _ => {}
        }
    }
    Some(())
}

/// Parses Cargo's canonical lockfile layout, or returns `None` for anything else.
pub(super) fn parse(text: &str) -> Option<RawLock<'_>> {
    // One `[[package]]` header per package: the list is allocated once at its exact size (grown
    // by doubling it would keep up to half of a large allocation unused at the parse's peak).
    let headers = memchr::memmem::find_iter(text.as_bytes(), b"[[package]]").count();
    let mut lock = RawLock {
        version: None,
        package: Vec::with_capacity(headers),
        root: None,
        metadata: None,
        header_lines: None,
        deps: Deps::Lists(Vec::new()),
    };
    let mut ranges = DepRanges {
        root: (0, 0),
        packages: Vec::with_capacity(headers),
    };
    let mut header_lines = HeaderLines {
        root: None,
        packages: Vec::with_capacity(headers),
    };
    let mut section = Section::Top;
    let mut current: Option<Builder<'_>> = None;
    let mut metadata: HashMap<Cow<'_, str>, MetadataValue<'_>> = HashMap::new();
    // Dependency strings are checked here and only their value's range is kept (see
    // `DepRanges`); `dep_strings` reads them again, the same way, when the edges are made.
    let mut dep_count = 0usize;
    let mut seen_metadata = false;

    // TOML forbids control characters other than tab anywhere (strings and comments included),
    // and CR outside a CRLF pair; Cargo writes none of them. Rather than check each place, any
    // control character or CR sends the file to the `toml` crate, which knows the rules.
    // (A branch-free fold per 64-byte chunk: the compiler vectorises it.)
    let bad = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f);
    if text
        .as_bytes()
        .chunks(64)
        .any(|c| c.iter().fold(false, |acc, &b| acc | bad(b)))
    {
        return None;
    }
    let base = text.as_ptr() as usize;
    let off = |s: &str| s.as_ptr() as usize - base;
    let mut lines = Lines {
        rest: text,
        count: 0,
    };

    while let Some(raw) = lines.next() {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let end = off(line);
            if matches!(
                section,
                Section::Package | Section::Root | Section::PatchUnused
            ) {
                finish(&mut current, section, &mut lock, &mut ranges)?;
            }
            section = match line {
                "[[package]]" => Section::Package,
                "[root]" if lock.root.is_none() && section != Section::Root => Section::Root,
                "[[patch.unused]]" => Section::PatchUnused,
                "[metadata]" if !seen_metadata => {
                    seen_metadata = true;
                    Section::Metadata
                }
                _ => return None,
            };
            match section {
                Section::Package => header_lines.packages.push(lines.count),
                Section::Root => header_lines.root = Some(lines.count),
                _ => {}
            }
            if section != Section::Metadata {
                current = Some(Builder {
                    start: end,
                    ..Builder::default()
                });
            }
            continue;
        }
        let (key, value) = split_key_value(line)?;
        match section {
            Section::Top => {
                if key != "version" || lock.version.is_some() {
                    return None;
                }
                // A plain decimal integer: TOML forbids leading zeros, and Rust's `parse`
                // would accept `+3` and `03`.
                if value.is_empty()
                    || !value.bytes().all(|b| b.is_ascii_digit())
                    || (value.len() > 1 && value.starts_with('0'))
                {
                    return None;
                }
                let n: i64 = value.parse().ok()?;
                let start = off(value);
                lock.version = Some(Spanned::new(start..start + value.len(), n));
            }
            Section::Metadata => {
                let (k, rest) = basic_string(key)?;
                if !rest.is_empty() {
                    return None;
                }
                let (v, rest) = basic_string(value)?;
                if !rest.is_empty()
                    || metadata
                        .insert(Cow::Borrowed(k), MetadataValue::Str(Cow::Borrowed(v)))
                        .is_some()
                {
                    return None;
                }
            }
            Section::Package | Section::Root | Section::PatchUnused => {
                if !is_bare_key(key) {
                    return None;
                }
                let b = current.as_mut()?;
                if key == "dependencies" {
                    if b.dependencies.is_some() {
                        return None;
                    }
                    let from = off(value);
                    let mut to = from + value.len();
                    if value == "[" {
                        // One element per line: ` "name version (source)",` … `]`.
                        loop {
                            let l = lines.next()?;
                            let l = l.strip_suffix('\n').unwrap_or(l);
                            if l == "]" {
                                to = off(l) + 1;
                                break;
                            }
                            let item = l.strip_prefix(' ')?;
                            let (_, rest) = basic_string(item)?;
                            if rest != "," {
                                return None;
                            }
                            dep_count += 1;
                        }
                    } else {
                        let mut inner = value.strip_prefix('[')?.strip_suffix(']')?;
                        while !inner.is_empty() {
                            let (_, rest) = basic_string(inner)?;
                            dep_count += 1;
                            inner = match rest.strip_prefix(", ") {
                                Some(r) => r,
                                None if rest.is_empty() => rest,
                                None => return None,
                            };
                        }
                    }
                    b.dependencies = Some((u32::try_from(from).ok()?, u32::try_from(to).ok()?));
                    continue;
                }
                let (s, rest) = basic_string(value)?;
                if !rest.is_empty() {
                    return None;
                }
                let v = s;
                let slot_taken = match key {
                    "name" => {
                        let start = off(value);
                        b.name.replace((v, start)).is_some()
                    }
                    "version" => b.version.replace(v).is_some(),
                    "source" => b.source.replace(v).is_some(),
                    "checksum" => b.checksum.replace(v).is_some(),
                    _ => return None,
                };
                if slot_taken {
                    return None;
                }
            }
        }
    }
    if matches!(
        section,
        Section::Package | Section::Root | Section::PatchUnused
    ) {
        finish(&mut current, section, &mut lock, &mut ranges)?;
    }
    if seen_metadata {
        lock.metadata = Some(metadata);
    }
    lock.header_lines = Some(header_lines);
    if lock.root.is_some() {
        ranges.packages.insert(0, ranges.root);
    }
    lock.deps = Deps::Ranges(ranges.packages, dep_count);
    Some(lock)
}

/// The dependency strings of a `dependencies = [...]` value that [`parse`] accepted (`value`: the
/// text of its range, from the `[` to the `]`; `at`: the range's offset in the file), each with
/// the offset of its opening quote. `parse` checked that the value holds nothing but basic
/// strings without escapes, so the strings are the successive quoted runs.
pub(super) fn dep_strings(value: &str, at: usize) -> impl Iterator<Item = (&str, usize)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let quote = pos + memchr::memchr(b'"', value.get(pos..)?.as_bytes())?;
        let (s, _) = basic_string(&value[quote..])?;
        pos = quote + s.len() + 2;
        Some((s, at + quote))
    })
}

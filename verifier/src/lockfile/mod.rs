//! Lockfile readers: one module per format; this module picks the format by file name and content.

pub mod cargo;
mod cargo_fast;
pub mod cargo_manifest;
pub mod npm;
pub mod npm_manifest;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{LockfileError, LockfileErrorKind};
use crate::graph::DepKind;
use crate::package::{Ecosystem, Package};

/// Default cap on the size of one lockfile (512 MiB): a bigger file is refused, not half-read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// The lockfile formats tollgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `Cargo.lock`.
    CargoLock,
    /// `package-lock.json` (or `node_modules/.package-lock.json`).
    PackageLock,
    /// `npm-shrinkwrap.json`.
    NpmShrinkwrap,
}

impl Format {
    /// The ecosystem of the format.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Format::CargoLock => Ecosystem::Cargo,
            Format::PackageLock | Format::NpmShrinkwrap => Ecosystem::Npm,
        }
    }

    /// Detects the format from the file name, then the content.
    pub fn detect(path: &Path, text: &str) -> Option<Format> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name {
            "Cargo.lock" => return Some(Format::CargoLock),
            "package-lock.json" | ".package-lock.json" => return Some(Format::PackageLock),
            "npm-shrinkwrap.json" => return Some(Format::NpmShrinkwrap),
            _ => {}
        }
        let head = text.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with('{') {
            return Some(Format::PackageLock);
        }
        let looks_toml = text.lines().any(|l| {
            let l = l.trim();
            l == "[[package]]" || l == "[metadata]" || l == "[root]" || l.starts_with("version =")
        });
        if looks_toml || name.starts_with("Cargo.lock") || name.ends_with(".lock") {
            return Some(Format::CargoLock);
        }
        if name.ends_with(".json") {
            return Some(Format::PackageLock);
        }
        None
    }
}

/// A warning found while reading a lockfile: the input is usable, but something was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Index of the lockfile.
    pub lockfile: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// The message.
    pub message: String,
}

impl Diagnostic {
    /// A warning at a line.
    pub fn at(lockfile: u32, line: u32, message: String) -> Self {
        Diagnostic {
            lockfile,
            line,
            message,
        }
    }
}

/// One parsed lockfile before it joins the graph: packages, edges by local index, roots.
#[derive(Debug)]
pub struct ParsedLockfile {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Format name for display.
    pub format_name: &'static str,
    /// Lockfile version.
    pub version: u32,
    /// Packages (nodes).
    pub packages: Vec<Package>,
    /// `(from, to, kind)` by index into `packages`.
    pub edges: Vec<(usize, usize, DepKind)>,
    /// Indexes of root packages.
    pub roots: Vec<usize>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

impl ParsedLockfile {
    pub(crate) fn new(ecosystem: Ecosystem, format_name: &'static str, version: u32) -> Self {
        ParsedLockfile {
            ecosystem,
            format_name,
            version,
            packages: Vec::new(),
            edges: Vec::new(),
            roots: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Facts about one lockfile in a graph.
#[derive(Debug, Clone, Serialize)]
pub struct LockfileInfo {
    /// The path as given or found.
    pub path: PathBuf,
    /// The path as displayed and used in ids (relative to the scanned directory when possible).
    pub display: String,
    /// Format.
    pub format: Format,
    /// Lockfile version.
    pub version: u32,
    /// Number of package nodes from this file.
    pub packages: usize,
}

/// Reads a file, refusing files over `max_size`, and rejecting invalid UTF-8 with its offset.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, LockfileError> {
    let io =
        |e: std::io::Error| LockfileError::new(path, None, LockfileErrorKind::Io(e.to_string()));
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(LockfileError::new(
            path,
            None,
            LockfileErrorKind::Io("is a directory".into()),
        ));
    }
    if meta.len() > max_size {
        return Err(LockfileError::new(
            path,
            None,
            LockfileErrorKind::TooLarge {
                size: meta.len(),
                limit: max_size,
            },
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    // `take` guards against files that grow while being read.
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_size {
        return Err(LockfileError::new(
            path,
            None,
            LockfileErrorKind::TooLarge {
                size: bytes.len() as u64,
                limit: max_size,
            },
        ));
    }
    decode_text(path, bytes)
}

/// Turns the bytes of a lockfile into text, rejecting invalid UTF-8 with the line and column of
/// the first bad byte.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String, LockfileError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..offset]);
        let idx = crate::error::LineIndex::new(&text);
        let (line, column) = idx.line_col(&text, offset);
        LockfileError::new(
            path,
            Some(crate::error::Place {
                line,
                column,
                offset: Some(offset),
                pointer: None,
            }),
            LockfileErrorKind::Syntax("invalid UTF-8".into()),
        )
    })
}

/// Lexically normalises a path (`a/./b/../c` → `a/c`); `..` above the start is kept. No
/// file-system access: symbolic links are not resolved.
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// Parses lockfile text of a known format.
pub fn parse(
    path: &Path,
    display: &str,
    text: &str,
    format: Format,
    lockfile: u32,
) -> Result<ParsedLockfile, LockfileError> {
    match format {
        Format::CargoLock => cargo::parse(path, display, text, lockfile),
        Format::PackageLock | Format::NpmShrinkwrap => {
            npm::parse(path, display, text, lockfile, format)
        }
    }
}

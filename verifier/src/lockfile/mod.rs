//! Lockfile readers: one module per format; this module picks the format by file name and content.

pub mod cargo;
mod cargo_fast;
pub mod cargo_manifest;
pub mod cyclonedx;
pub mod npm;
pub mod npm_manifest;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{LockfileError, LockfileErrorKind};
use crate::package::DepKind;
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
    /// A CycloneDX JSON SBOM (`check --sbom`): its packages may be of several ecosystems.
    #[serde(rename = "cyclonedx")]
    CycloneDx,
}

impl Format {
    /// Every format, in documentation order.
    pub const ALL: [Format; 4] = [
        Format::CargoLock,
        Format::PackageLock,
        Format::NpmShrinkwrap,
        Format::CycloneDx,
    ];

    /// The name of the format in JSON documents (`cargo-lock`, `package-lock`,
    /// `npm-shrinkwrap`, `cyclonedx`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CargoLock => "cargo-lock",
            Format::PackageLock => "package-lock",
            Format::NpmShrinkwrap => "npm-shrinkwrap",
            Format::CycloneDx => "cyclonedx",
        }
    }

    /// The ecosystem of the format's packages; `None` for an SBOM, whose packages each carry
    /// their own.
    pub fn ecosystem(self) -> Option<Ecosystem> {
        match self {
            Format::CargoLock => Some(Ecosystem::Cargo),
            Format::PackageLock | Format::NpmShrinkwrap => Some(Ecosystem::Npm),
            Format::CycloneDx => None,
        }
    }

    /// Detects the format from the file name, then the content. A name alone decides only for
    /// the names npm and Cargo write; any other file is judged by its content (a JSON object,
    /// or TOML with a Cargo.lock table or `version = …`), never by an extension: a `yarn.lock`
    /// is not a Cargo.lock. `None` when neither says.
    pub fn detect(path: &Path, text: &str) -> Option<Format> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name {
            "Cargo.lock" => return Some(Format::CargoLock),
            "package-lock.json" | ".package-lock.json" => return Some(Format::PackageLock),
            "npm-shrinkwrap.json" => return Some(Format::NpmShrinkwrap),
            _ => {}
        }
        if unsupported_by_name(name).is_some() {
            return None;
        }
        let head = text.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with('{') {
            if cyclonedx::looks_like_cyclonedx(head) {
                return Some(Format::CycloneDx);
            }
            return Some(Format::PackageLock);
        }
        let looks_toml = text.lines().any(|l| {
            let l = l.trim();
            l == "[[package]]" || l == "[metadata]" || l == "[root]" || l.starts_with("version =")
        });
        if looks_toml {
            return Some(Format::CargoLock);
        }
        // npm's lockfiles are the only JSON lockfiles: a `.json` that is not a JSON object gets
        // the JSON parser's error, which says where it went wrong.
        if name.ends_with(".json") {
            return Some(Format::PackageLock);
        }
        None
    }
}

/// A lockfile of another package manager found by discovery (see [`UNSUPPORTED_LOCKFILES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsupportedLockfile {
    /// The path as found.
    pub path: PathBuf,
    /// The path as displayed (relative to the searched directory when possible).
    pub display: String,
    /// The tool that writes it (`yarn`, `pnpm`, …).
    pub tool: &'static str,
}

/// Lockfiles of other package managers, by file name, with the tool that writes them. tollgate
/// does not read them; discovery reports them in a note (so that a project whose real lockfile is
/// one of these is not taken as checked), and naming one with `--lockfile` is an error.
pub const UNSUPPORTED_LOCKFILES: [(&str, &str); 8] = [
    ("yarn.lock", "yarn"),
    ("pnpm-lock.yaml", "pnpm"),
    ("bun.lock", "bun"),
    ("bun.lockb", "bun"),
    ("poetry.lock", "poetry"),
    ("uv.lock", "uv"),
    ("Gemfile.lock", "bundler"),
    ("go.sum", "go"),
];

/// The tool whose lockfile `name` is, when it is one of [`UNSUPPORTED_LOCKFILES`].
pub fn unsupported_by_name(name: &str) -> Option<&'static str> {
    UNSUPPORTED_LOCKFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, tool)| *tool)
}

/// The tool whose lockfile `text` looks like (yarn's `# yarn lockfile v1` header or Berry's
/// `__metadata:`, pnpm's `lockfileVersion:`), with the 1-based line that says so, for a file
/// [`Format::detect`] does not recognise. Only the first lines are looked at.
pub fn unsupported_by_content(text: &str) -> Option<(&'static str, usize)> {
    text.lines()
        .take(16)
        .map(str::trim_end)
        .enumerate()
        .find_map(|(i, l)| {
            let tool = if l == "# yarn lockfile v1" || l == "__metadata:" {
                "yarn"
            } else if l.starts_with("lockfileVersion:") {
                "pnpm"
            } else {
                return None;
            };
            Some((tool, i + 1))
        })
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

/// Why a dependency of a lockfile entry does not resolve to one package of the same lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnresolvedReason {
    /// No package of that name (version, source) is in the lockfile: the file was cut or edited.
    Missing,
    /// Several packages match and the dependency string does not say which.
    Ambiguous,
    /// The dependency string itself is malformed.
    Malformed,
}

/// A dependency of a lockfile entry that names no (single) package of the lockfile: typed data
/// for the `lockfile/inconsistent` check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedDep {
    /// Index of the lockfile.
    pub lockfile: u32,
    /// The dependency as the lockfile writes it (`"serde 1.0.0"`, an npm package name).
    pub spec: String,
    /// 1-based line of the dependency in the lockfile (0 when unknown).
    pub line: u32,
    /// Why it does not resolve.
    pub reason: UnresolvedReason,
    /// The explanation, e.g. `names no package in the lockfile`.
    pub why: String,
    /// The whole sentence, as `graph -v` and `graph --format json` list it among the warnings.
    pub message: String,
}

/// One parsed lockfile before it joins the graph: packages, edges by local index, roots.
#[derive(Debug)]
pub struct ParsedLockfile {
    /// The ecosystem of every package; `None` for an SBOM, which may mix ecosystems (each
    /// [`Package`] carries its own).
    pub ecosystem: Option<Ecosystem>,
    /// Format name for display.
    pub format_name: &'static str,
    /// Lockfile version.
    pub version: u32,
    /// Packages (nodes).
    pub packages: Vec<Package>,
    /// `(from, to, kind)` by index into `packages` (`u32`: half the memory of `usize` pairs on
    /// the 10^5-edge graphs of large lockfiles; [`crate::graph::Graph`] indexes by `u32` too).
    pub edges: Vec<(u32, u32, DepKind)>,
    /// Indexes of root packages.
    pub roots: Vec<usize>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
    /// Dependencies that name no package of the lockfile, by index into `packages` of the
    /// package that declares them. Cargo and npm skip them; tollgate reports them
    /// (`lockfile/inconsistent`): a lockfile cut short or edited by hand has them.
    pub unresolved: Vec<(usize, UnresolvedDep)>,
    /// `true` when the file has no package entry at all, not even a root project (an empty or
    /// comment-only Cargo.lock, an npm lockfile without entries and without a `name`): no tool
    /// writes such a file, so [`crate::discover::load_graph`] refuses it.
    pub no_entries: bool,
    /// npm only: what drift needs of the lockfile beyond the graph (folder entries with their
    /// recorded declarations, links), collected in the same pass, so nothing parses the file
    /// twice.
    pub npm_facts: Option<npm_manifest::LockFacts>,
    /// SBOMs only: the VEX statements of its `vulnerabilities`.
    pub vex: Vec<crate::vex::VexStatement>,
}

impl ParsedLockfile {
    pub(crate) fn new(
        ecosystem: Option<Ecosystem>,
        format_name: &'static str,
        version: u32,
    ) -> Self {
        ParsedLockfile {
            ecosystem,
            format_name,
            version,
            packages: Vec::new(),
            edges: Vec::new(),
            roots: Vec::new(),
            warnings: Vec::new(),
            unresolved: Vec::new(),
            no_entries: false,
            npm_facts: None,
            vex: Vec::new(),
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

/// Reads a regular file (see [`crate::fsio::read_regular`]: a FIFO, device or directory is
/// refused without blocking), refusing files over `max_size`, and rejecting invalid UTF-8 and
/// binary data with the place of the first bad byte.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, LockfileError> {
    let bytes = crate::fsio::read_regular(path, max_size).map_err(LockfileError::from)?;
    decode_text(path, bytes)
}

/// `true` when a manifest is a regular file, `false` when absent; an error when something else
/// (a FIFO, a device, a directory) has the manifest's name: it is never opened, and the check
/// does not silently skip a project whose manifest it cannot read.
pub(crate) fn manifest_exists(path: &Path) -> Result<bool, crate::error::ManifestError> {
    use crate::fsio::{Probe, probe};
    match probe(path).map_err(crate::error::LockfileError::from)? {
        Probe::Absent => Ok(false),
        Probe::Regular => Ok(true),
        Probe::NotRegular(kind) => Err(crate::error::LockfileError::new(
            path,
            None,
            crate::error::LockfileErrorKind::NotRegular(kind),
        )
        .into()),
    }
}

/// Turns the bytes of a lockfile into text, rejecting invalid UTF-8 and binary data (a NUL byte,
/// which neither TOML nor JSON allows anywhere) with the line and column of the first bad byte.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String, LockfileError> {
    let bad_at = |bytes: &[u8], offset: usize, what: &str| {
        let text = String::from_utf8_lossy(&bytes[..offset]);
        let idx = crate::error::LineIndex::new(&text);
        let (line, column) = idx.line_col(&text, text.len());
        LockfileError::new(
            path,
            Some(crate::error::Place {
                line,
                column,
                offset: Some(offset),
                pointer: None,
            }),
            LockfileErrorKind::Syntax(what.into()),
        )
    };
    if let Some(nul) = memchr::memchr(0, &bytes)
        && std::str::from_utf8(&bytes[..nul]).is_ok()
    {
        return Err(bad_at(
            &bytes,
            nul,
            "binary data (NUL byte): not a text lockfile",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        bad_at(e.as_bytes(), offset, "invalid UTF-8")
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
        Format::CycloneDx => cyclonedx::parse(path, display, text, lockfile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_tools_lockfiles_are_not_detected_as_cargo_locks() {
        let yarn = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\"a@^1\":\n  version \"1.0.0\"\n";
        assert_eq!(Format::detect(Path::new("yarn.lock"), yarn), None);
        assert_eq!(Format::detect(Path::new("deps.lock"), yarn), None);
        assert_eq!(unsupported_by_content(yarn), Some(("yarn", 2)));
        let berry =
            "# This file is generated by running \"yarn install\".\n\n__metadata:\n  version: 6\n";
        assert_eq!(Format::detect(Path::new("yarn.lock"), berry), None);
        assert_eq!(unsupported_by_content(berry), Some(("yarn", 3)));
        let pnpm = "lockfileVersion: '9.0'\n";
        assert_eq!(Format::detect(Path::new("pnpm-lock.yaml"), pnpm), None);
        assert_eq!(unsupported_by_content(pnpm), Some(("pnpm", 1)));
        assert_eq!(unsupported_by_name("pnpm-lock.yaml"), Some("pnpm"));
        assert_eq!(unsupported_by_name("Cargo.lock"), None);
        // An empty `*.lock` is no longer a Cargo.lock by its extension.
        assert_eq!(Format::detect(Path::new("x.lock"), ""), None);
        // Negative twins: Cargo.lock content under any name, npm names and JSON.
        let cargo = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n";
        assert_eq!(
            Format::detect(Path::new("one-package.lock"), cargo),
            Some(Format::CargoLock)
        );
        assert_eq!(
            Format::detect(Path::new("Cargo.lock"), ""),
            Some(Format::CargoLock)
        );
        assert_eq!(
            Format::detect(Path::new("x.json"), "nope"),
            Some(Format::PackageLock)
        );
        assert_eq!(unsupported_by_content(cargo), None);
    }

    #[test]
    fn nul_bytes_are_binary_data_at_the_first_nul() {
        let p = Path::new("Cargo.lock");
        let e = decode_text(p, vec![0; 5000]).unwrap_err();
        let place = e.place.clone().unwrap();
        assert_eq!((place.line, place.column, place.offset), (1, 1, Some(0)));
        assert_eq!(
            e.to_string(),
            "Cargo.lock:1:1: binary data (NUL byte): not a text lockfile"
        );
        let e = decode_text(p, b"ab\nc\xc3\xa9\0".to_vec()).unwrap_err();
        let place = e.place.unwrap();
        assert_eq!((place.line, place.column), (2, 3));
        // Invalid UTF-8 before the NUL is reported first.
        let e = decode_text(p, b"a\xff\0".to_vec()).unwrap_err();
        assert!(e.to_string().contains("invalid UTF-8"), "{e}");
        assert_eq!(decode_text(p, b"ok\n".to_vec()).unwrap(), "ok\n");
    }
}

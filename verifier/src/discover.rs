//! Finding lockfiles under a path and loading them into one [`Graph`].

use std::path::{Path, PathBuf};

use crate::error::{LoadError, LockfileError, LockfileErrorKind};
use crate::graph::Graph;
use crate::lockfile::{self, Format, LockfileInfo};

/// File names recognised as lockfiles inside a directory.
pub const LOCKFILE_NAMES: [&str; 3] = ["Cargo.lock", "package-lock.json", "npm-shrinkwrap.json"];

/// Directories never descended into.
const SKIP_DIRS: [&str; 3] = ["node_modules", "target", ".git"];

/// Options for loading.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest lockfile read, in bytes.
    pub max_file_size: u64,
    /// Paths (relative to a searched directory) not to descend into, e.g. `testdata`.
    pub exclude: Vec<PathBuf>,
    /// The caller reads the Cargo manifests itself (the gate's manifest stage) and refines the
    /// edge kinds of Cargo path packages from them with [`Graph::refine_cargo_kinds`]: the
    /// graph stage then does not search the lockfile's directory for `Cargo.toml` files, so
    /// each manifest is read and parsed once per run.
    pub manifests_later: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: lockfile::DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            manifests_later: false,
        }
    }
}

/// What a directory search found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Lockfiles tollgate reads, sorted by path.
    pub lockfiles: Vec<PathBuf>,
    /// Lockfiles of other package managers ([`lockfile::UNSUPPORTED_LOCKFILES`]) with the tool
    /// that writes them, sorted by path: they are not read, and the report says so.
    pub unsupported: Vec<(PathBuf, &'static str)>,
}

/// Finds lockfiles under `dir` (recursively, skipping `node_modules/`, `target/` and `.git/`),
/// sorted by path. Where `npm-shrinkwrap.json` and `package-lock.json` sit side by side, npm uses
/// the shrinkwrap only, and so do we.
pub fn find_lockfiles(dir: &Path, exclude: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    search(dir, exclude).map(|f| f.lockfiles)
}

/// Searches `dir` as [`find_lockfiles`] does, also collecting the lockfiles of package managers
/// tollgate does not read. Entries are matched by name only: whether a match is a regular file
/// is decided when it is read (a FIFO, device or directory named `Cargo.lock` is then an error,
/// never opened; a directory of that name is searched like any other).
pub fn search(dir: &Path, exclude: &[PathBuf]) -> Result<Found, LoadError> {
    let mut out = Found::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| LoadError::Path {
            path: d.clone(),
            message: format!("cannot list directory: {e}"),
        })?;
        let mut here: Vec<PathBuf> = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| LoadError::Path {
                path: d.clone(),
                message: format!("cannot list directory: {e}"),
            })?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // Symlinked directories are not followed: a link cycle or a link out of the
            // repository must not widen the scan.
            let ft = entry.file_type().map_err(|e| LoadError::Path {
                path: entry.path(),
                message: e.to_string(),
            })?;
            if ft.is_dir() {
                let path = entry.path();
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                if !SKIP_DIRS.contains(&name.as_ref())
                    && !exclude.iter().any(|e| rel.starts_with(e))
                {
                    stack.push(path);
                }
            } else if LOCKFILE_NAMES.contains(&name.as_ref()) {
                here.push(entry.path());
            } else if let Some(tool) = lockfile::unsupported_by_name(&name) {
                out.unsupported.push((entry.path(), tool));
            }
        }
        let has_shrinkwrap = here.iter().any(|p| p.ends_with("npm-shrinkwrap.json"));
        out.lockfiles.extend(
            here.into_iter()
                .filter(|p| !(has_shrinkwrap && p.ends_with("package-lock.json"))),
        );
    }
    out.lockfiles.sort();
    out.unsupported.sort();
    Ok(out)
}

/// Lockfiles of other package managers directly in `dir` (for a lockfile named on the command
/// line: a `yarn.lock` beside it). A directory that cannot be listed has none.
fn unsupported_beside(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, &'static str)> = rd
        .flatten()
        .filter_map(|e| {
            let tool = lockfile::unsupported_by_name(&e.file_name().to_string_lossy())?;
            Some((e.path(), tool))
        })
        .collect();
    out.sort();
    out
}

/// Loads lockfiles into one graph. Each path may be a lockfile or a directory to search.
/// Displayed paths are relative to the directory searched (for a lockfile given by an absolute
/// path, to its directory). The same as [`plan`] followed by [`load_plan`].
pub fn load_graph(paths: &[PathBuf], opts: &LoadOptions) -> Result<Graph, LoadError> {
    load_plan(plan(paths, opts)?, opts)
}

/// Lockfiles found and deduplicated but not read yet: [`plan`] makes it, [`load_plan`] reads and
/// parses it. The gate starts the stages that need only the lockfiles' paths (the manifests
/// beside them) from the plan while the lockfiles are parsed.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The lockfiles in load order: a lockfile's index in the graph is its position here.
    pub lockfiles: Vec<PlannedLockfile>,
    /// Lockfiles of package managers tollgate does not read, deduplicated.
    unsupported: Vec<lockfile::UnsupportedLockfile>,
}

/// One lockfile of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLockfile {
    /// The file.
    pub path: PathBuf,
    /// Its path as reports show it.
    pub display: String,
    /// The format when the caller said it (`check --sbom`: CycloneDX); `None`: from the name,
    /// else the content.
    pub format: Option<Format>,
}

impl PlannedLockfile {
    /// The format when the file name alone decides it (`Cargo.lock`, `package-lock.json`,
    /// `npm-shrinkwrap.json`, `.package-lock.json`); `None` when only the content can (a lockfile
    /// named on the command line under another name).
    pub fn format_by_name(&self) -> Option<Format> {
        if self.format.is_some() {
            return self.format;
        }
        let name = self.path.file_name()?.to_str()?;
        if LOCKFILE_NAMES.contains(&name) || name == ".package-lock.json" {
            // `Format::detect` decides these names before it looks at the text.
            Format::detect(&self.path, "")
        } else {
            None
        }
    }
}

/// Finds the lockfiles [`load_graph`] loads, without reading them: every path must exist, a
/// directory must hold a supported lockfile, a file of an unsupported package manager is an
/// error. A file reached twice (by two paths, or through a link) is planned once.
pub fn plan(paths: &[PathBuf], opts: &LoadOptions) -> Result<Plan, LoadError> {
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new(); // (file, base for display)
    let mut unsupported: Vec<(PathBuf, PathBuf, &'static str)> = Vec::new(); // (file, base, tool)
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| LoadError::Path {
            path: p.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
                _ => e.to_string(),
            },
        })?;
        if meta.is_dir() {
            let found = search(p, &opts.exclude)?;
            if found.lockfiles.is_empty() {
                if !found.unsupported.is_empty() {
                    return Err(LoadError::OnlyUnsupported {
                        dir: p.clone(),
                        found: found
                            .unsupported
                            .iter()
                            .map(|(f, tool)| format!("{} ({tool})", display_path(f, p)))
                            .collect(),
                    });
                }
                return Err(LoadError::NothingFound(p.clone()));
            }
            files.extend(found.lockfiles.into_iter().map(|f| (f, p.clone())));
            unsupported.extend(
                found
                    .unsupported
                    .into_iter()
                    .map(|(f, t)| (f, p.clone(), t)),
            );
        } else {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            if let Some(tool) = lockfile::unsupported_by_name(&name) {
                return Err(LockfileError::new(
                    p,
                    None,
                    LockfileErrorKind::UnsupportedFormat(tool),
                )
                .into());
            }
            // A file named on the command line is displayed as given when relative (so SARIF
            // locations and ids read `web/package-lock.json`), by its name when absolute.
            let base = if p.is_absolute() {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                PathBuf::new()
            };
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
            unsupported.extend(
                unsupported_beside(dir.unwrap_or(Path::new(".")))
                    .into_iter()
                    .map(|(f, t)| {
                        // Displayed as the lockfile beside it is.
                        let f = match dir {
                            Some(_) => f,
                            None => f.strip_prefix(".").map(Path::to_path_buf).unwrap_or(f),
                        };
                        (f, base.clone(), t)
                    }),
            );
            files.push((p.clone(), base));
        }
    }
    let mut out = Plan::default();
    // The same file named twice (a directory and `--lockfile` inside it) is read once; two files
    // with the same relative name (`a/Cargo.lock` and `b/Cargo.lock` given as files) keep the
    // path as given, so that package ids stay unique.
    let mut seen_files = std::collections::HashSet::new();
    let mut seen_displays = std::collections::HashSet::new();
    for (file, base) in files {
        let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if !seen_files.insert(canonical.clone()) {
            continue;
        }
        let mut display = display_path(&file, &base);
        if seen_displays.contains(&display) {
            display = file.to_string_lossy().replace('\\', "/");
        }
        if seen_displays.contains(&display) {
            display = canonical.to_string_lossy().replace('\\', "/");
        }
        seen_displays.insert(display.clone());
        out.lockfiles.push(PlannedLockfile {
            path: file,
            display,
            format: None,
        });
    }
    let mut seen_unsupported = std::collections::HashSet::new();
    for (file, base, tool) in unsupported {
        let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if seen_unsupported.insert(canonical) {
            out.unsupported.push(lockfile::UnsupportedLockfile {
                display: display_path(&file, &base),
                path: file,
                tool,
            });
        }
    }
    Ok(out)
}

/// Adds CycloneDX SBOMs (`check --sbom`) to a plan, after its lockfiles: each must be a file
/// (a directory is an error here: SBOMs have no fixed name to search for); it is displayed as
/// given when relative, by its name when absolute. A file already planned is not added twice.
pub fn plan_sboms(plan: &mut Plan, sboms: &[PathBuf]) -> Result<(), LoadError> {
    for p in sboms {
        let meta = std::fs::metadata(p).map_err(|e| LoadError::Path {
            path: p.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
                _ => e.to_string(),
            },
        })?;
        if meta.is_dir() {
            return Err(LoadError::Path {
                path: p.clone(),
                message: "is a directory: --sbom takes an SBOM file (CycloneDX JSON)".to_owned(),
            });
        }
        let canonical = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if plan
            .lockfiles
            .iter()
            .any(|l| std::fs::canonicalize(&l.path).unwrap_or_else(|_| l.path.clone()) == canonical)
        {
            continue;
        }
        let mut display = if p.is_absolute() {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            p.to_string_lossy().replace('\\', "/")
        };
        if display.is_empty() || plan.lockfiles.iter().any(|l| l.display == display) {
            display = canonical.to_string_lossy().replace('\\', "/");
        }
        plan.lockfiles.push(PlannedLockfile {
            path: p.clone(),
            display,
            format: Some(Format::CycloneDx),
        });
    }
    Ok(())
}

/// Reads and parses the lockfiles of a [`plan`] into one graph.
pub fn load_plan(plan: Plan, opts: &LoadOptions) -> Result<Graph, LoadError> {
    let mut graph = Graph::new();
    for PlannedLockfile {
        path: file,
        display,
        format,
    } in plan.lockfiles
    {
        let text = lockfile::read_text(&file, opts.max_file_size)?;
        let format = format.or_else(|| Format::detect(&file, &text)).ok_or_else(|| {
            if let Some((tool, line)) = lockfile::unsupported_by_content(&text) {
                return LockfileError::new(
                    &file,
                    Some(crate::error::Place {
                        line,
                        column: 1,
                        ..Default::default()
                    }),
                    LockfileErrorKind::UnsupportedFormat(tool),
                );
            }
            // The name says nothing and the content at 1:1 is neither a JSON object nor a
            // Cargo.lock table: point at the start of the file, where detection looked.
            LockfileError::new(
                &file,
                Some(crate::error::Place {
                    line: 1,
                    column: 1,
                    offset: Some(0),
                    pointer: None,
                }),
                LockfileErrorKind::UnknownFormat(
                    "expected a Cargo.lock (TOML) or a package-lock.json / npm-shrinkwrap.json (JSON), but neither the file name nor its content matches"
                        .into(),
                ),
            )
        })?;
        let idx = graph.lockfiles.len() as u32;
        let mut parsed = lockfile::parse(&file, &display, &text, format, idx)?;
        if parsed.no_entries {
            return Err(no_entries_error(&file, format).into());
        }
        // Packages own their strings: the text can go before the graph copies them in.
        drop(text);
        if format == Format::CargoLock
            && !opts.manifests_later
            && let Some(dir) = file.parent()
        {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            lockfile::cargo_manifest::annotate(&mut parsed, dir, idx);
        }
        let info = LockfileInfo {
            path: file.clone(),
            display,
            format,
            version: parsed.version,
            packages: parsed.packages.len(),
        };
        graph.add_lockfile(info, parsed);
    }
    graph.unsupported.extend(plan.unsupported);
    graph.apply_cargo_scopes();
    Ok(graph)
}

/// The error for a lockfile without a single package entry.
fn no_entries_error(file: &Path, format: Format) -> LockfileError {
    let why = match format {
        Format::CargoLock => {
            "no [[package]] table (the file is empty, only comments, or only `version = N`); Cargo always writes the workspace's own packages: regenerate it with `cargo generate-lockfile`"
        }
        Format::PackageLock | Format::NpmShrinkwrap => {
            "no entry in \"packages\" or \"dependencies\" and no root \"name\"; npm always writes the root project: regenerate it with `npm install --package-lock-only`"
        }
        Format::CycloneDx => {
            "no component with a purl and no described package: an SBOM that lists nothing would pass anything"
        }
    };
    LockfileError::new(file, None, LockfileErrorKind::NoPackages(why.into()))
}

fn display_path(file: &Path, base: &Path) -> String {
    let rel = file.strip_prefix(base).unwrap_or(file);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        file.to_string_lossy().into_owned()
    } else {
        s
    }
}

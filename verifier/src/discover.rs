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
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: lockfile::DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
        }
    }
}

/// Finds lockfiles under `dir` (recursively, skipping `node_modules/`, `target/` and `.git/`),
/// sorted by path. Where `npm-shrinkwrap.json` and `package-lock.json` sit side by side, npm uses
/// the shrinkwrap only, and so do we.
pub fn find_lockfiles(dir: &Path, exclude: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
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
            }
        }
        let has_shrinkwrap = here.iter().any(|p| p.ends_with("npm-shrinkwrap.json"));
        out.extend(
            here.into_iter()
                .filter(|p| !(has_shrinkwrap && p.ends_with("package-lock.json"))),
        );
    }
    out.sort();
    Ok(out)
}

/// Loads lockfiles into one graph. Each path may be a lockfile or a directory to search.
/// `base` is the directory ids and displayed paths are made relative to.
pub fn load_graph(paths: &[PathBuf], opts: &LoadOptions) -> Result<Graph, LoadError> {
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new(); // (file, base for display)
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| LoadError::Path {
            path: p.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
                _ => e.to_string(),
            },
        })?;
        if meta.is_dir() {
            let found = find_lockfiles(p, &opts.exclude)?;
            if found.is_empty() {
                return Err(LoadError::NothingFound(p.clone()));
            }
            files.extend(found.into_iter().map(|f| (f, p.clone())));
        } else {
            // A file named on the command line is displayed as given when relative (so SARIF
            // locations and ids read `web/package-lock.json`), by its name when absolute.
            let base = if p.is_absolute() {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                PathBuf::new()
            };
            files.push((p.clone(), base));
        }
    }
    let mut graph = Graph::new();
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
        let text = lockfile::read_text(&file, opts.max_file_size)?;
        let format = Format::detect(&file, &text).ok_or_else(|| {
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
        // Packages own their strings: the text can go before the graph copies them in.
        drop(text);
        if format == Format::CargoLock
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
    graph.apply_cargo_scopes();
    Ok(graph)
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

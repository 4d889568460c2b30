//! Dependency kinds for a `Cargo.lock`, read from the workspace's `Cargo.toml` files.
//!
//! A `Cargo.lock` flattens every dependency into one list; whether a workspace member needs a
//! crate at run time, only for tests (`[dev-dependencies]`) or only in its build script
//! (`[build-dependencies]`) is written in the members' manifests. We read those (not
//! `cargo metadata`, which needs every registry crate downloaded) to type the edges that leave
//! workspace members; scopes of the rest of the graph follow by reachability.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Diagnostic, ParsedLockfile};
use crate::error::{LineIndex, LockfileError, LockfileErrorKind, Place};
use crate::graph::DepKind;
use crate::package::Source;

#[derive(Deserialize, Default)]
struct Manifest {
    #[serde(default)]
    package: Option<ManifestPackage>,
    #[serde(default)]
    dependencies: HashMap<String, toml::Value>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: HashMap<String, toml::Value>,
    #[serde(default, rename = "dev_dependencies")]
    dev_dependencies_old: HashMap<String, toml::Value>,
    #[serde(default, rename = "build-dependencies")]
    build_dependencies: HashMap<String, toml::Value>,
    #[serde(default, rename = "build_dependencies")]
    build_dependencies_old: HashMap<String, toml::Value>,
    #[serde(default)]
    target: HashMap<String, Manifest>,
}

#[derive(Deserialize)]
struct ManifestPackage {
    name: String,
}

/// How a member depends on a crate, merged over all the tables that name it.
#[derive(Debug, Default, Clone, Copy)]
struct Use {
    normal: bool,
    normal_required: bool,
    build: bool,
    dev: bool,
}

fn crate_name(key: &str, v: &toml::Value) -> String {
    v.get("package")
        .and_then(|p| p.as_str())
        .unwrap_or(key)
        .to_owned()
}

fn is_optional(v: &toml::Value) -> bool {
    v.get("optional").and_then(|o| o.as_bool()).unwrap_or(false)
}

fn collect(m: &Manifest, uses: &mut HashMap<String, Use>) {
    for (k, v) in &m.dependencies {
        let u = uses.entry(crate_name(k, v)).or_default();
        u.normal = true;
        u.normal_required |= !is_optional(v);
    }
    for (k, v) in m.build_dependencies.iter().chain(&m.build_dependencies_old) {
        uses.entry(crate_name(k, v)).or_default().build = true;
    }
    for (k, v) in m.dev_dependencies.iter().chain(&m.dev_dependencies_old) {
        uses.entry(crate_name(k, v)).or_default().dev = true;
    }
    for t in m.target.values() {
        collect(t, uses);
    }
}

/// The dependency tables of one `Cargo.toml`.
#[derive(Debug, Default)]
pub struct ManifestDeps {
    /// `[package] name`; `None` for a virtual workspace manifest.
    pub package: Option<String>,
    uses: HashMap<String, Use>,
}

impl ManifestDeps {
    /// The edge kind a dependency of this manifest on `krate` gets: `normal` when any normal,
    /// non-optional table names it, `optional`, `build` or `dev` when only such tables do, `None`
    /// when the manifest does not name it.
    pub fn kind_of(&self, krate: &str) -> Option<DepKind> {
        let u = self.uses.get(krate)?;
        Some(if u.normal && u.normal_required {
            DepKind::Normal
        } else if u.normal {
            DepKind::Optional
        } else if u.build {
            DepKind::Build
        } else if u.dev {
            DepKind::Dev
        } else {
            DepKind::Normal
        })
    }
}

/// Reads the dependency tables of a `Cargo.toml`. An error names the file, the line and column.
pub fn read_manifest(path: &Path, text: &str) -> Result<ManifestDeps, LockfileError> {
    let m: Manifest = toml::from_str(text).map_err(|e| {
        let place = e.span().map(|s| {
            let lines = LineIndex::new(text);
            let (line, column) = lines.line_col(text, s.start);
            Place {
                line,
                column,
                offset: Some(s.start),
                pointer: None,
            }
        });
        LockfileError::new(
            path,
            place,
            LockfileErrorKind::Syntax(format!("invalid Cargo.toml: {}", e.message().trim_end())),
        )
    })?;
    let mut uses = HashMap::new();
    collect(&m, &mut uses);
    Ok(ManifestDeps {
        package: m.package.map(|p| p.name),
        uses,
    })
}

/// Largest `Cargo.toml` read (1 MiB; real manifests are a few KiB).
const MAX_MANIFEST_SIZE: u64 = 1 << 20;

/// Finds the `Cargo.toml` files of a workspace rooted at `dir` (skipping `target/`, `.git/` and
/// `node_modules/`), keyed by package name. A manifest that cannot be read or parsed only loses
/// its refinement (its edges stay `normal`, as the lockfile says): it is reported, not fatal,
/// because `cargo` itself reports it and fixture manifests may be broken on purpose.
fn find_manifests(dir: &Path, problems: &mut Vec<String>) -> HashMap<String, ManifestDeps> {
    let mut out = HashMap::new();
    let mut stack: Vec<(PathBuf, u32)> = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) => {
                problems.push(format!("{}: cannot list directory: {e}", d.display()));
                continue;
            }
        };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            let name = e.file_name();
            let name = name.to_string_lossy();
            if ft.is_dir() {
                if depth < 6 && !matches!(name.as_ref(), "target" | ".git" | "node_modules") {
                    stack.push((e.path(), depth + 1));
                }
            } else if name == "Cargo.toml" {
                let path = e.path();
                let text = match super::read_text(&path, MAX_MANIFEST_SIZE) {
                    Ok(t) => t,
                    Err(err) => {
                        problems.push(err.to_string());
                        continue;
                    }
                };
                match read_manifest(&path, &text) {
                    Ok(m) => {
                        if let Some(p) = m.package.clone() {
                            out.insert(p, m);
                        }
                    }
                    Err(err) => problems.push(err.to_string()),
                }
            }
        }
    }
    out
}

/// Types the edges leaving workspace members from their manifests in `lock_dir`. Manifests that
/// cannot be read become warnings of the lockfile.
pub fn annotate(parsed: &mut ParsedLockfile, lock_dir: &Path, lockfile: u32) {
    if !parsed
        .packages
        .iter()
        .any(|p| matches!(p.source, Source::Path))
    {
        return;
    }
    let mut problems = Vec::new();
    let manifests = find_manifests(lock_dir, &mut problems);
    parsed.warnings.extend(problems.into_iter().map(|p| {
        Diagnostic::at(
            lockfile,
            0,
            format!("{p}; dependency kinds (dev, build, optional) from it are not used"),
        )
    }));
    if manifests.is_empty() {
        return;
    }
    for edge in &mut parsed.edges {
        let from = &parsed.packages[edge.0];
        if !matches!(from.source, Source::Path) {
            continue;
        }
        let Some(m) = manifests.get(&from.name) else {
            continue;
        };
        if let Some(kind) = m.kind_of(&parsed.packages[edge.1].name) {
            edge.2 = kind;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_member_edges_from_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1\"\nopt = { version = \"1\", optional = true }\n[dev-dependencies]\ninsta = \"1\"\n[build-dependencies]\ncc = \"1\"\n[target.'cfg(unix)'.dev-dependencies]\nrenamed = { package = \"real\", version = \"1\" }\n",
        )
        .unwrap();
        let lock = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\", \"opt\", \"insta\", \"cc\", \"real\"]\n\
[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
[[package]]\nname = \"opt\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
[[package]]\nname = \"insta\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
[[package]]\nname = \"cc\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
[[package]]\nname = \"real\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let mut p =
            super::super::cargo::parse(Path::new("Cargo.lock"), "Cargo.lock", lock, 0).unwrap();
        annotate(&mut p, dir.path(), 0);
        let kinds: Vec<DepKind> = p.edges.iter().map(|e| e.2).collect();
        assert_eq!(
            kinds,
            vec![
                DepKind::Normal,
                DepKind::Optional,
                DepKind::Dev,
                DepKind::Build,
                DepKind::Dev
            ]
        );
    }

    #[test]
    fn rejects_an_invalid_manifest_with_a_warning_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"app\"\n[dev-dependencies]\ninsta = \n",
        )
        .unwrap();
        let lock = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"insta\"]\n\
[[package]]\nname = \"insta\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let mut p =
            super::super::cargo::parse(Path::new("Cargo.lock"), "Cargo.lock", lock, 3).unwrap();
        annotate(&mut p, dir.path(), 3);
        assert_eq!(p.edges[0].2, DepKind::Normal, "the lockfile's kind stays");
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        let w = &p.warnings[0];
        assert_eq!(w.lockfile, 3);
        let manifest = dir.path().join("Cargo.toml");
        assert!(
            w.message.starts_with(&format!("{}:4:", manifest.display())),
            "{}",
            w.message
        );
    }

    #[test]
    fn manifest_reader_reports_place_of_wrong_types() {
        let e = read_manifest(
            Path::new("m/Cargo.toml"),
            "[package]\nname = \"a\"\n\n[dependencies]\nserde = 1\nx = [\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("m/Cargo.toml:6:"), "{e}");
        let e = read_manifest(Path::new("m/Cargo.toml"), "dependencies = 5\n").unwrap_err();
        assert!(e.to_string().starts_with("m/Cargo.toml:1:"), "{e}");
        let ok = read_manifest(
            Path::new("m/Cargo.toml"),
            "[package]\nname = \"a\"\n[dependencies]\nserde = { version = \"1\", optional = true }\n",
        )
        .unwrap();
        assert_eq!(ok.kind_of("serde"), Some(DepKind::Optional));
        assert_eq!(ok.kind_of("rand"), None);
    }
}

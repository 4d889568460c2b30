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

use super::ParsedLockfile;
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

/// Finds the `Cargo.toml` files of a workspace rooted at `dir` (skipping `target/`, `.git/` and
/// `node_modules/`), keyed by package name. Unreadable or invalid manifests are skipped: they
/// only refine scopes, and `cargo` itself reports them.
fn find_manifests(dir: &Path) -> HashMap<String, HashMap<String, Use>> {
    let mut out = HashMap::new();
    let mut stack: Vec<(PathBuf, u32)> = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let name = e.file_name();
            let name = name.to_string_lossy();
            if ft.is_dir() {
                if depth < 6 && !matches!(name.as_ref(), "target" | ".git" | "node_modules") {
                    stack.push((e.path(), depth + 1));
                }
            } else if name == "Cargo.toml" {
                let Ok(text) = std::fs::read_to_string(e.path()) else {
                    continue;
                };
                let Ok(m) = toml::from_str::<Manifest>(&text) else {
                    continue;
                };
                if let Some(p) = &m.package {
                    let mut uses = HashMap::new();
                    collect(&m, &mut uses);
                    out.insert(p.name.clone(), uses);
                }
            }
        }
    }
    out
}

/// Types the edges leaving workspace members from their manifests in `lock_dir`.
pub fn annotate(parsed: &mut ParsedLockfile, lock_dir: &Path) {
    if !parsed
        .packages
        .iter()
        .any(|p| matches!(p.source, Source::Path))
    {
        return;
    }
    let manifests = find_manifests(lock_dir);
    if manifests.is_empty() {
        return;
    }
    for edge in &mut parsed.edges {
        let from = &parsed.packages[edge.0];
        if !matches!(from.source, Source::Path) {
            continue;
        }
        let Some(uses) = manifests.get(&from.name) else {
            continue;
        };
        let Some(u) = uses.get(&parsed.packages[edge.1].name) else {
            continue;
        };
        edge.2 = if u.normal && u.normal_required {
            DepKind::Normal
        } else if u.normal {
            DepKind::Optional
        } else if u.build {
            DepKind::Build
        } else if u.dev {
            DepKind::Dev
        } else {
            DepKind::Normal
        };
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
        annotate(&mut p, dir.path());
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
}

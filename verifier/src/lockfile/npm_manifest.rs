//! npm manifests (`package.json`) with the line of every declaration, and the facts of an npm
//! lockfile that the `lock-drift` check needs beyond the graph: link entries (`node_modules/w` →
//! `packages/w`) and what the lock records as declared by the root project and its workspaces.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use super::npm::{MaybeStr, Ordered, Str};
use crate::error::{LineIndex, ManifestError, Place};

/// Largest `package.json` read (16 MiB).
pub const MAX_MANIFEST_SIZE: u64 = 16 * 1024 * 1024;

/// The dependency maps of a `package.json`, in the order npm loads them (a later map's entry
/// replaces an earlier one of the same name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NpmSection {
    /// `peerDependencies`.
    Peer,
    /// `dependencies`.
    Prod,
    /// `optionalDependencies`.
    Optional,
    /// `devDependencies`.
    Dev,
}

impl NpmSection {
    /// Every section, in npm's load order.
    pub const ALL: [NpmSection; 4] = [
        NpmSection::Peer,
        NpmSection::Prod,
        NpmSection::Optional,
        NpmSection::Dev,
    ];

    /// The `package.json` key.
    pub fn key(self) -> &'static str {
        match self {
            NpmSection::Peer => "peerDependencies",
            NpmSection::Prod => "dependencies",
            NpmSection::Optional => "optionalDependencies",
            NpmSection::Dev => "devDependencies",
        }
    }
}

impl fmt::Display for NpmSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmDecl {
    /// The name it is installed under.
    pub name: String,
    /// The spec as written (`^1.2.0`, `npm:other@2`, `file:../x`, a git URL, a tag …).
    pub spec: String,
    /// The map it is declared in.
    pub section: NpmSection,
    /// 1-based line.
    pub line: u32,
}

/// One parsed `package.json`.
#[derive(Debug, Clone, Default)]
pub struct PackageJson {
    /// The file.
    pub path: PathBuf,
    /// `name`.
    pub name: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// 1-based line of `version` (0 when absent).
    pub version_line: u32,
    /// Declarations of every section, normalised as npm normalises them: a name in both
    /// `dependencies` and `optionalDependencies` is kept only as optional.
    pub deps: Vec<NpmDecl>,
    /// Peers marked `peerDependenciesMeta.<name>.optional = true`.
    pub optional_peers: HashSet<String>,
    /// `workspaces` (an array, or `{ "packages": [...] }`).
    pub workspaces: Option<Vec<String>>,
    /// Top-level string entries of `overrides` (`"foo": "1.2.3"`).
    pub overrides: BTreeMap<String, String>,
    /// Declarations npm would reject (not a string), with their lines.
    pub problems: Vec<(u32, String)>,
}

/// Line of a string borrowed from `text` (the opening quote is one byte before it).
fn line_of(text: &str, lines: &LineIndex, s: &Str<'_>) -> u32 {
    if let Cow::Borrowed(b) = &s.0 {
        let base = text.as_ptr() as usize;
        let p = b.as_ptr() as usize;
        if p >= base && p <= base + text.len() {
            return lines.line((p - base).saturating_sub(1)) as u32;
        }
    }
    0
}

/// The fields of a `package.json` that drift needs; a lockfile's folder entries (`packages[""]`,
/// `packages["<workspace>"]`) have the same shape, as npm copies them from the manifests.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest<'a> {
    #[serde(default)]
    name: Option<serde_json::Value>,
    #[serde(default, borrow)]
    version: MaybeStr<'a>,
    #[serde(default, borrow)]
    dependencies: Option<Ordered<'a, serde_json::Value>>,
    #[serde(default, borrow)]
    dev_dependencies: Option<Ordered<'a, serde_json::Value>>,
    #[serde(default, borrow)]
    optional_dependencies: Option<Ordered<'a, serde_json::Value>>,
    #[serde(default, borrow)]
    peer_dependencies: Option<Ordered<'a, serde_json::Value>>,
    #[serde(default)]
    peer_dependencies_meta: Option<serde_json::Value>,
    #[serde(default)]
    workspaces: Option<serde_json::Value>,
    #[serde(default)]
    overrides: Option<serde_json::Value>,
}

impl<'a> RawManifest<'a> {
    /// The map of a section.
    fn section(&self, s: NpmSection) -> impl Iterator<Item = &(Str<'a>, serde_json::Value)> {
        let map = match s {
            NpmSection::Peer => &self.peer_dependencies,
            NpmSection::Prod => &self.dependencies,
            NpmSection::Optional => &self.optional_dependencies,
            NpmSection::Dev => &self.dev_dependencies,
        };
        map.iter().flat_map(|m| m.0.iter())
    }

    fn name(&self) -> Option<String> {
        self.name
            .as_ref()
            .and_then(|n| n.as_str())
            .map(str::to_owned)
    }
}

/// Reads and parses a `package.json`.
pub fn read_package_json(path: &Path) -> Result<PackageJson, ManifestError> {
    let text = super::read_text(path, MAX_MANIFEST_SIZE)?;
    parse_package_json(path, &text)
}

fn json_error(path: &Path, what: &str, e: &serde_json::Error) -> ManifestError {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    ManifestError::new(
        path,
        Some(Place {
            line: e.line(),
            column: e.column(),
            ..Place::default()
        }),
        format!("invalid {what}: {msg}"),
    )
}

/// Parses `package.json` text.
pub fn parse_package_json(path: &Path, text: &str) -> Result<PackageJson, ManifestError> {
    let lines = LineIndex::new(text);
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawManifest<'_> =
        serde_json::from_str(body).map_err(|e| json_error(path, "package.json", &e))?;
    let version = raw.version.0.as_ref();
    let mut out = PackageJson {
        path: path.to_path_buf(),
        name: raw.name(),
        version: version.map(|v| v.0.clone().into_owned()),
        version_line: version.map_or(0, |v| line_of(text, &lines, v)),
        ..PackageJson::default()
    };
    let optional_names: HashSet<&str> = raw
        .section(NpmSection::Optional)
        .map(|(k, _)| k.0.as_ref())
        .collect();
    for section in NpmSection::ALL {
        for (k, v) in raw.section(section) {
            let line = line_of(text, &lines, k);
            let name = k.0.as_ref();
            if section == NpmSection::Prod && optional_names.contains(name) {
                continue;
            }
            match v.as_str() {
                Some(spec) => out.deps.push(NpmDecl {
                    name: name.to_owned(),
                    spec: spec.to_owned(),
                    section,
                    line,
                }),
                None => out.problems.push((
                    line,
                    format!("{section}.{name}: the spec is not a string ({v})"),
                )),
            }
        }
    }
    if let Some(serde_json::Value::Object(meta)) = &raw.peer_dependencies_meta {
        for (k, v) in meta {
            if v.get("optional").and_then(|o| o.as_bool()) == Some(true) {
                out.optional_peers.insert(k.clone());
            }
        }
    }
    out.workspaces = raw.workspaces.as_ref().and_then(workspace_patterns);
    if let Some(serde_json::Value::Object(o)) = &raw.overrides {
        for (k, v) in o {
            if let Some(s) = v.as_str() {
                out.overrides.insert(k.clone(), s.to_owned());
            }
        }
    }
    Ok(out)
}

/// `workspaces` as an array of patterns (`["a", "b"]` or `{ "packages": ["a"] }`).
pub(crate) fn workspace_patterns(v: &serde_json::Value) -> Option<Vec<String>> {
    let arr = match v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => o.get("packages")?.as_array()?,
        _ => return None,
    };
    Some(
        arr.iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
    )
}

/// What a lockfile records for a folder entry (the root `""` or a workspace / `file:` folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockedFolder {
    /// `name`.
    pub name: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// Recorded declarations: (section, name, spec).
    pub deps: Vec<(NpmSection, String, String)>,
    /// `workspaces` (root entry only).
    pub workspaces: Option<Vec<String>>,
    /// 1-based line of the entry's key.
    pub line: u32,
}

/// The facts of an npm lockfile (v2/v3 `packages`; empty for v1) that the graph does not keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockFacts {
    /// `lockfileVersion` (1 when absent).
    pub version: u32,
    /// Link entries: install path → target folder (as written, relative to the lockfile).
    pub links: HashMap<String, String>,
    /// Folder entries (not under `node_modules/`), by key; `""` is the root project.
    pub folders: HashMap<String, LockedFolder>,
}

/// `true` for a `packages` key that is an install location (under some `node_modules/`).
pub fn is_installed(key: &str) -> bool {
    key.starts_with("node_modules/") || key.contains("/node_modules/")
}

#[derive(Deserialize)]
struct RawLock<'a> {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: Option<serde_json::Value>,
    #[serde(default, borrow)]
    packages: Option<LeanPackages<'a>>,
}

#[derive(Deserialize)]
struct RawInstalled {
    #[serde(default)]
    link: Option<serde_json::Value>,
    #[serde(default)]
    resolved: Option<serde_json::Value>,
}

/// The `packages` map, read leanly: folder entries in full, install entries only for links.
struct LeanPackages<'a> {
    folders: Vec<(Str<'a>, RawManifest<'a>)>,
    links: Vec<(String, String)>,
}

impl<'de: 'a, 'a> Deserialize<'de> for LeanPackages<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = LeanPackages<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = LeanPackages {
                    folders: Vec::new(),
                    links: Vec::new(),
                };
                while let Some(k) = m.next_key::<Str<'a>>()? {
                    if is_installed(&k.0) {
                        let e: RawInstalled = m.next_value()?;
                        if e.link.as_ref().and_then(|l| l.as_bool()) == Some(true) {
                            let target = e
                                .resolved
                                .as_ref()
                                .and_then(|r| r.as_str())
                                .unwrap_or("")
                                .to_owned();
                            out.links.push((k.0.into_owned(), target));
                        }
                    } else {
                        let e: RawManifest<'a> = m.next_value()?;
                        out.folders.push((k, e));
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Reads the facts of an npm lockfile (text already validated by the lockfile parser) on their
/// own. The gate does not call it: the lockfile parser collects the same facts in its one pass
/// (`ParsedLockfile::npm_facts`); this reader stays as that collection's reference (a test
/// compares the two on every corpus lockfile).
pub fn lock_facts(path: &Path, text: &str) -> Result<LockFacts, ManifestError> {
    let lines = LineIndex::new(text);
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawLock<'_> =
        serde_json::from_str(body).map_err(|e| json_error(path, "npm lockfile", &e))?;
    let version = raw
        .lockfile_version
        .as_ref()
        .and_then(|v| v.as_u64())
        .unwrap_or(1) as u32;
    let mut out = LockFacts {
        version,
        ..LockFacts::default()
    };
    let Some(pk) = raw.packages else {
        return Ok(out);
    };
    out.links = pk.links.into_iter().collect();
    for (k, e) in pk.folders {
        let mut deps = Vec::new();
        for section in NpmSection::ALL {
            for (name, spec) in e.section(section) {
                let spec = match spec {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                deps.push((section, name.0.clone().into_owned(), spec));
            }
        }
        let line = line_of(text, &lines, &k);
        out.folders.insert(
            k.0.into_owned(),
            LockedFolder {
                name: e.name(),
                version: e.version.0.as_ref().map(|v| v.0.clone().into_owned()),
                deps,
                workspaces: e.workspaces.as_ref().and_then(workspace_patterns),
                line,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_declarations_with_lines_and_npm_normalisation() {
        let p = parse_package_json(
            Path::new("package.json"),
            "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"a\": \"^1.0.0\",\n    \"opt\": \"^2\"\n  },\n  \"optionalDependencies\": {\"opt\": \"^2\"},\n  \"devDependencies\": {\"d\": \"file:../d\"},\n  \"peerDependencies\": {\"p\": \"*\", \"q\": 3},\n  \"peerDependenciesMeta\": {\"p\": {\"optional\": true}},\n  \"workspaces\": {\"packages\": [\"packages/*\"]},\n  \"overrides\": {\"x\": \"1.0.0\", \"y\": {\"z\": \"2\"}}\n}\n",
        )
        .unwrap();
        assert_eq!(p.version.as_deref(), Some("1.0.0"));
        assert_eq!(p.version_line, 3);
        let got: Vec<(&str, NpmSection, u32)> = p
            .deps
            .iter()
            .map(|d| (d.name.as_str(), d.section, d.line))
            .collect();
        assert_eq!(
            got,
            [
                ("p", NpmSection::Peer, 10),
                ("a", NpmSection::Prod, 5),
                ("opt", NpmSection::Optional, 8),
                ("d", NpmSection::Dev, 9),
            ]
        );
        assert_eq!(p.problems.len(), 1, "q is not a string");
        assert!(p.optional_peers.contains("p"));
        assert_eq!(
            p.workspaces.as_deref(),
            Some(&["packages/*".to_owned()][..])
        );
        assert_eq!(p.overrides.len(), 1);
    }

    #[test]
    fn rejects_invalid_json_with_line() {
        let e =
            parse_package_json(Path::new("package.json"), "{\n \"name\": \"a\",\n}\n").unwrap_err();
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(3), "{e}");
    }

    #[test]
    fn lock_facts_keep_folders_and_links() {
        let f = lock_facts(
            Path::new("package-lock.json"),
            r#"{"lockfileVersion": 3, "packages": {
  "": {"name": "root", "workspaces": ["packages/*"], "dependencies": {"w": "*"}},
  "packages/w": {"name": "w", "version": "0.1.0", "devDependencies": {"x": "^1"}},
  "node_modules/w": {"resolved": "packages/w", "link": true},
  "node_modules/x": {"version": "1.0.0", "dependencies": {"y": "1"}}
}}"#,
        )
        .unwrap();
        assert_eq!(f.version, 3);
        assert_eq!(
            f.links.get("node_modules/w").map(String::as_str),
            Some("packages/w")
        );
        assert_eq!(f.folders.len(), 2);
        assert_eq!(f.folders[""].workspaces.as_ref().unwrap().len(), 1);
        assert_eq!(
            f.folders["packages/w"].deps,
            [(NpmSection::Dev, "x".to_owned(), "^1".to_owned())]
        );
        assert_eq!(f.folders["packages/w"].line, 3);
    }
}

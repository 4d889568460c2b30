//! Cargo manifests (`Cargo.toml`): what a workspace declares, with file and line.
//!
//! A `Cargo.lock` flattens every dependency into one list; what the workspace *asks for* is
//! written in its manifests. Two readers use this module:
//! - [`annotate`] types the edges that leave workspace members (`[dev-dependencies]`,
//!   `[build-dependencies]`, optional) so that scopes of the rest of the graph follow by
//!   reachability. It reads manifests, not `cargo metadata`, which needs every registry crate
//!   downloaded.
//! - the `lock-drift` check (`checks::drift`) loads a whole [`Workspace`]: the root manifest beside
//!   the lockfile, its `members` globs minus `exclude`, and every path dependency reachable from
//!   them, with `[workspace.dependencies]` inheritance applied and each declaration's line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use super::normalize;
use super::{Diagnostic, ParsedLockfile};
use crate::error::{LineIndex, ManifestError, Place};
use crate::package::DepKind;
use crate::package::{GitRef, Source};

/// Largest manifest read (16 MiB): a bigger `Cargo.toml` is refused, not half-read.
pub const MAX_MANIFEST_SIZE: u64 = 16 * 1024 * 1024;

/// At most this many manifests are read for one workspace (members plus path dependencies).
const MAX_MANIFESTS: usize = 10_000;

type DepTable = BTreeMap<String, Spanned<toml::Value>>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawManifest {
    package: Option<RawPackage>,
    /// The pre-1.0 name of `[package]`.
    project: Option<RawPackage>,
    // Not `#[serde(flatten)] RawDeps`: flattening buffers the values and loses their spans.
    dependencies: Option<DepTable>,
    dev_dependencies: Option<DepTable>,
    #[serde(rename = "dev_dependencies")]
    dev_dependencies_old: Option<DepTable>,
    build_dependencies: Option<DepTable>,
    #[serde(rename = "build_dependencies")]
    build_dependencies_old: Option<DepTable>,
    target: Option<BTreeMap<String, RawDeps>>,
    workspace: Option<RawWorkspace>,
    patch: Option<BTreeMap<String, DepTable>>,
    replace: Option<DepTable>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawDeps {
    dependencies: Option<DepTable>,
    dev_dependencies: Option<DepTable>,
    #[serde(rename = "dev_dependencies")]
    dev_dependencies_old: Option<DepTable>,
    build_dependencies: Option<DepTable>,
    #[serde(rename = "build_dependencies")]
    build_dependencies_old: Option<DepTable>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<Spanned<String>>,
    version: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize, Default)]
struct RawWorkspace {
    members: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<String>>,
    dependencies: Option<DepTable>,
    package: Option<RawWorkspacePackage>,
}

#[derive(Deserialize)]
struct RawWorkspacePackage {
    version: Option<toml::Value>,
}

/// Where a declared dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredSource {
    /// A registry: crates.io unless `registry` / `registry-index` names another.
    Registry {
        /// `registry = "name"` (a name configured in `.cargo/config.toml`).
        registry: Option<String>,
        /// `registry-index = "url"`.
        index: Option<String>,
    },
    /// `git = "url"` with an optional `branch` / `tag` / `rev`.
    Git {
        /// The repository URL as written.
        url: String,
        /// The reference asked for.
        reference: GitRef,
    },
    /// `path = "…"`: the directory, resolved against the declaring manifest (or, for an
    /// inherited dependency, the workspace root) and normalised lexically.
    Path {
        /// The directory of the depended-on package.
        dir: PathBuf,
        /// The path as written.
        raw: String,
    },
}

impl DeclaredSource {
    /// Short name of the source kind (`registry`, `git`, `path`), as [`Source::kind`] names it.
    pub fn kind(&self) -> &'static str {
        match self {
            DeclaredSource::Registry { .. } => "registry",
            DeclaredSource::Git { .. } => "git",
            DeclaredSource::Path { .. } => "path",
        }
    }
}

/// One dependency declaration of a manifest.
#[derive(Debug, Clone)]
pub struct DeclaredDep {
    /// The key in its table: the name the crate is used under.
    pub key: String,
    /// The crate name (`package = "…"`, else the key).
    pub name: String,
    /// The version requirement as written, if any.
    pub req: Option<String>,
    /// Where it comes from.
    pub source: DeclaredSource,
    /// `Normal`, `Dev` or `Build`.
    pub kind: DepKind,
    /// `optional = true`.
    pub optional: bool,
    /// The table it is declared in (`dependencies`, `target.'cfg(unix)'.dev-dependencies`,
    /// `patch.crates-io`, …).
    pub section: String,
    /// 1-based line of the declaration.
    pub line: u32,
    /// `workspace = true`: the fields above come from `[workspace.dependencies]`.
    pub inherited: bool,
    /// Why Cargo would reject the declaration (e.g. it inherits a dependency the workspace does
    /// not declare); the other fields are then best effort.
    pub problem: Option<String>,
}

/// `[workspace]` of a root manifest.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceDecl {
    /// `members` globs with their lines.
    pub members: Vec<(String, u32)>,
    /// `exclude` paths.
    pub exclude: Vec<String>,
    /// `[workspace.package] version`, for `version.workspace = true`.
    pub package_version: Option<String>,
    /// `[workspace.dependencies]`, raw (resolved on inheritance, relative to the root).
    deps: BTreeMap<String, (toml::Value, u32)>,
}

/// `[package]` of a manifest.
#[derive(Debug, Clone)]
pub struct PackageDecl {
    /// `name`.
    pub name: String,
    /// `version` (inherited from the workspace when so written; `0.0.0` when absent, as Cargo
    /// defaults it).
    pub version: String,
    /// 1-based line of `version` (of `name` when there is no `version`).
    pub version_line: u32,
    /// Why the version could not be determined, if it could not.
    pub problem: Option<String>,
}

/// One parsed `Cargo.toml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The file.
    pub path: PathBuf,
    /// `[package]`, absent for a virtual manifest.
    pub package: Option<PackageDecl>,
    /// Every `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]` and
    /// `[target.*.…]` declaration, in file order per table.
    pub deps: Vec<DeclaredDep>,
    /// `[patch.*]` and `[replace]` entries (only meaningful in the root manifest).
    pub patches: Vec<DeclaredDep>,
    /// `[workspace]`, if any.
    pub workspace: Option<WorkspaceDecl>,
}

impl Manifest {
    /// The directory of the manifest.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Reads and parses a manifest. `ws` is the workspace root's manifest for inheritance (`None`
/// when `path` is the root itself: its own `[workspace]` is used).
pub fn read_manifest(path: &Path, ws: Option<&Manifest>) -> Result<Manifest, ManifestError> {
    let text = super::read_text(path, MAX_MANIFEST_SIZE)?;
    parse_manifest(path, &text, ws)
}

/// Parses manifest text (see [`read_manifest`]).
pub fn parse_manifest(
    path: &Path,
    text: &str,
    ws: Option<&Manifest>,
) -> Result<Manifest, ManifestError> {
    let lines = LineIndex::new(text);
    let line_of = |offset: usize| lines.line(offset) as u32;
    let mut raw: RawManifest = toml::from_str(text).map_err(|e| {
        let place = e.span().map(|s| {
            let (line, column) = lines.line_col(text, s.start);
            Place {
                line,
                column,
                offset: Some(s.start),
                pointer: None,
            }
        });
        ManifestError::new(
            path,
            place,
            format!("invalid Cargo.toml: {}", e.message().trim_end()),
        )
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));

    // Moved out of the parse, not cloned: `[workspace.dependencies]` of a large workspace is
    // hundreds of tables.
    let workspace = raw.workspace.take().map(|w| WorkspaceDecl {
        members: w
            .members
            .into_iter()
            .flatten()
            .map(|m| {
                let line = line_of(m.span().start);
                (m.into_inner(), line)
            })
            .collect(),
        exclude: w.exclude.unwrap_or_default(),
        package_version: w
            .package
            .and_then(|p| p.version)
            .and_then(|v| v.as_str().map(str::to_owned)),
        deps: w
            .dependencies
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let line = line_of(v.span().start);
                (k, (v.into_inner(), line))
            })
            .collect(),
    });
    // Inheritance: from the given root, else from this manifest's own `[workspace]`.
    let ws_root: Option<(&WorkspaceDecl, &Path)> = match ws {
        Some(m) => m.workspace.as_ref().map(|w| (w, m.dir())),
        None => workspace.as_ref().map(|w| (w, dir)),
    };

    let package = raw.package.as_ref().or(raw.project.as_ref()).map(|p| {
        let name = p
            .name
            .as_ref()
            .map(|n| n.get_ref().clone())
            .unwrap_or_default();
        let name_line = p.name.as_ref().map_or(0, |n| line_of(n.span().start));
        let (version, version_line, problem) = match &p.version {
            None => ("0.0.0".to_owned(), name_line, None),
            Some(v) => {
                let line = line_of(v.span().start);
                match v.get_ref() {
                    toml::Value::String(s) => (s.clone(), line, None),
                    toml::Value::Table(t) if is_true(t.get("workspace")) => {
                        match ws_root.and_then(|(w, _)| w.package_version.clone()) {
                            Some(s) => (s, line, None),
                            None => (
                                String::new(),
                                line,
                                Some(
                                    "`version.workspace = true`, but the workspace sets no `[workspace.package] version`"
                                        .to_owned(),
                                ),
                            ),
                        }
                    }
                    _ => (
                        String::new(),
                        line,
                        Some("`version` is neither a string nor `{ workspace = true }`".to_owned()),
                    ),
                }
            }
        };
        PackageDecl {
            name,
            version,
            version_line,
            problem,
        }
    });

    let mut deps = Vec::new();
    let mut push_table = |table: &Option<DepTable>, kind: DepKind, section: String| {
        for (key, v) in table.iter().flatten() {
            deps.push(declared(
                key,
                v.get_ref(),
                line_of(v.span().start),
                kind,
                section.clone(),
                dir,
                ws_root,
            ));
        }
    };
    let mut push_all = |d: &RawDeps, prefix: &str| {
        push_table(
            &d.dependencies,
            DepKind::Normal,
            format!("{prefix}dependencies"),
        );
        push_table(
            &d.dev_dependencies,
            DepKind::Dev,
            format!("{prefix}dev-dependencies"),
        );
        push_table(
            &d.dev_dependencies_old,
            DepKind::Dev,
            format!("{prefix}dev_dependencies"),
        );
        push_table(
            &d.build_dependencies,
            DepKind::Build,
            format!("{prefix}build-dependencies"),
        );
        push_table(
            &d.build_dependencies_old,
            DepKind::Build,
            format!("{prefix}build_dependencies"),
        );
    };
    let top = RawDeps {
        dependencies: raw.dependencies.take(),
        dev_dependencies: raw.dev_dependencies.take(),
        dev_dependencies_old: raw.dev_dependencies_old.take(),
        build_dependencies: raw.build_dependencies.take(),
        build_dependencies_old: raw.build_dependencies_old.take(),
    };
    push_all(&top, "");
    for (t, d) in raw.target.iter().flatten() {
        push_all(d, &format!("target.'{t}'."));
    }

    let mut patches = Vec::new();
    for (src, table) in raw.patch.iter().flatten() {
        for (key, v) in table {
            patches.push(declared(
                key,
                v.get_ref(),
                line_of(v.span().start),
                DepKind::Normal,
                format!("patch.{src}"),
                dir,
                None,
            ));
        }
    }
    for (spec, v) in raw.replace.iter().flatten() {
        // `"name:version"` (or a full package id spec) = { … }.
        let name = spec
            .split([':', '@'])
            .next()
            .unwrap_or(spec)
            .rsplit('#')
            .next()
            .unwrap_or(spec)
            .to_owned();
        let mut d = declared(
            &name,
            v.get_ref(),
            line_of(v.span().start),
            DepKind::Normal,
            "replace".to_owned(),
            dir,
            None,
        );
        d.key = spec.clone();
        patches.push(d);
    }

    Ok(Manifest {
        path: path.to_path_buf(),
        package,
        deps,
        patches,
        workspace,
    })
}

fn is_true(v: Option<&toml::Value>) -> bool {
    v.and_then(toml::Value::as_bool).unwrap_or(false)
}

fn str_field(t: &toml::Table, k: &str) -> Option<String> {
    t.get(k).and_then(|v| v.as_str()).map(str::to_owned)
}

/// One declaration from its TOML value.
fn declared(
    key: &str,
    value: &toml::Value,
    line: u32,
    kind: DepKind,
    section: String,
    dir: &Path,
    ws: Option<(&WorkspaceDecl, &Path)>,
) -> DeclaredDep {
    let mut d = DeclaredDep {
        key: key.to_owned(),
        name: key.to_owned(),
        req: None,
        source: DeclaredSource::Registry {
            registry: None,
            index: None,
        },
        kind,
        optional: false,
        section,
        line,
        inherited: false,
        problem: None,
    };
    match value {
        toml::Value::String(req) => d.req = Some(req.clone()),
        toml::Value::Table(t) => {
            d.optional = is_true(t.get("optional"));
            if is_true(t.get("workspace")) {
                d.inherited = true;
                match ws.and_then(|(w, root)| w.deps.get(key).map(|v| (v, root))) {
                    Some(((v, _), root)) => {
                        // Inherited fields are read relative to the workspace root.
                        let base = declared(key, v, line, kind, String::new(), root, None);
                        d.name = base.name;
                        d.req = base.req;
                        d.source = base.source;
                        d.problem = base.problem;
                        d.optional |= base.optional;
                    }
                    None => {
                        d.problem = Some(format!(
                            "`{key}.workspace = true`, but the workspace root declares no `{key}` in [workspace.dependencies]"
                        ));
                    }
                }
                return d;
            }
            if let Some(p) = str_field(t, "package") {
                d.name = p;
            }
            d.req = str_field(t, "version");
            if let Some(url) = str_field(t, "git") {
                let reference = if let Some(b) = str_field(t, "branch") {
                    GitRef::Branch(b)
                } else if let Some(tag) = str_field(t, "tag") {
                    GitRef::Tag(tag)
                } else if let Some(r) = str_field(t, "rev") {
                    GitRef::Rev(r)
                } else {
                    GitRef::DefaultBranch
                };
                d.source = DeclaredSource::Git { url, reference };
                if t.contains_key("path") {
                    d.problem = Some(format!(
                        "dependency `{key}` specifies both `git` and `path`"
                    ));
                }
            } else if let Some(p) = str_field(t, "path") {
                d.source = DeclaredSource::Path {
                    dir: normalize(&dir.join(&p)),
                    raw: p,
                };
            } else {
                d.source = DeclaredSource::Registry {
                    registry: str_field(t, "registry"),
                    index: str_field(t, "registry-index"),
                };
            }
        }
        _ => {
            d.problem = Some(format!(
                "dependency `{key}` is neither a version string nor a table"
            ));
        }
    }
    d
}

/// A manifest the workspace names that is not there.
#[derive(Debug, Clone)]
pub struct MissingManifest {
    /// The directory that should hold a `Cargo.toml`.
    pub dir: PathBuf,
    /// The manifest that names it.
    pub declared_in: PathBuf,
    /// The line that names it.
    pub line: u32,
    /// The package name the declaration implies (a path dependency's name), if any.
    pub name: Option<String>,
    /// `true` for a workspace member, `false` for a path dependency.
    pub member: bool,
    /// What went wrong (`no Cargo.toml`, `outside the repository`).
    pub reason: String,
}

/// A package manifest of a workspace.
#[derive(Debug, Clone)]
pub struct WorkspacePackage {
    /// The manifest.
    pub manifest: Manifest,
    /// `true` for a workspace member (its dev-dependencies are resolved into the lock);
    /// `false` for a path dependency that is not a member.
    pub member: bool,
}

/// A Cargo workspace as its manifests describe it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The root manifest (beside `Cargo.lock`).
    pub root: Manifest,
    /// Every package manifest read: members first, then path dependencies.
    pub packages: Vec<WorkspacePackage>,
    /// Manifests named but not read (absent, or outside the repository).
    pub missing: Vec<MissingManifest>,
}

/// Loads the workspace whose root manifest is `dir/Cargo.toml`: members from the `members`
/// globs (minus `exclude`), the root package, and every path dependency reachable from them
/// (a path dependency under the root directory is a member, as Cargo makes it one). Manifests
/// outside `repo_root` are not read (they are listed in [`Workspace::missing`]).
pub fn load_workspace(dir: &Path, repo_root: &Path) -> Result<Workspace, ManifestError> {
    let root_path = dir.join("Cargo.toml");
    let root = read_manifest(&root_path, None)?;
    let root_dir = normalize(dir);
    let mut packages: Vec<WorkspacePackage> = Vec::new();
    let mut missing: Vec<MissingManifest> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    // (dir, member, declared in, line, implied name)
    let mut queue: Vec<(PathBuf, bool, PathBuf, u32, Option<String>)> = Vec::new();

    // Borrowed, not cloned: `[workspace.dependencies]` of a large workspace is hundreds of tables.
    let ws = root.workspace.as_ref();
    seen.insert(root_dir.clone());
    if root.package.is_some() {
        packages.push(WorkspacePackage {
            manifest: root.clone(),
            member: true,
        });
    }
    let excluded = |d: &Path, ws: &WorkspaceDecl| {
        ws.exclude
            .iter()
            .any(|e| d.starts_with(normalize(&root_dir.join(e))))
    };
    if let Some(w) = ws {
        // As in Cargo, `exclude` removes glob matches too, unless a member is named literally.
        let literal = |d: &Path| {
            w.members
                .iter()
                .any(|(p, _)| d.starts_with(normalize(&root_dir.join(p))))
        };
        for (pattern, line) in &w.members {
            for m in expand_member(&root_dir, pattern) {
                if excluded(&m, w) && !literal(&m) {
                    continue;
                }
                queue.push((m, true, root_path.clone(), *line, None));
            }
        }
    }
    let mut next = 0;
    // Path dependencies of the packages read so far join the queue as they are read.
    let enqueue_deps = |m: &Manifest, member: bool, queue: &mut Vec<_>| {
        for d in &m.deps {
            if d.kind == DepKind::Dev && !member {
                continue;
            }
            if let DeclaredSource::Path { dir, .. } = &d.source {
                let is_member = ws.is_some_and(|w| dir.starts_with(&root_dir) && !excluded(dir, w));
                queue.push((
                    dir.clone(),
                    is_member,
                    m.path.clone(),
                    d.line,
                    Some(d.name.clone()),
                ));
            }
        }
    };
    for p in &packages {
        enqueue_deps(&p.manifest, true, &mut queue);
    }
    for d in &root.patches {
        if let DeclaredSource::Path { dir, .. } = &d.source {
            queue.push((
                dir.clone(),
                false,
                root.path.clone(),
                d.line,
                Some(d.name.clone()),
            ));
        }
    }
    while next < queue.len() {
        let (d, member, declared_in, line, name) = queue[next].clone();
        next += 1;
        if !seen.insert(d.clone()) {
            // A directory first reached as a path dependency may also be a listed member.
            if member
                && let Some(p) = packages.iter_mut().find(|p| p.manifest.dir() == d)
                && !p.member
            {
                p.member = true;
                let m = p.manifest.clone();
                enqueue_deps(&m, true, &mut queue);
            }
            continue;
        }
        if seen.len() > MAX_MANIFESTS {
            return Err(ManifestError::new(
                &root_path,
                None,
                format!("the workspace names more than {MAX_MANIFESTS} manifests"),
            ));
        }
        if !d.starts_with(normalize(repo_root)) {
            missing.push(MissingManifest {
                dir: d,
                declared_in,
                line,
                name,
                member,
                reason: "outside the repository (not read)".to_owned(),
            });
            continue;
        }
        let path = d.join("Cargo.toml");
        if !super::manifest_exists(&path)? {
            missing.push(MissingManifest {
                dir: d,
                declared_in,
                line,
                name,
                member,
                reason: "no Cargo.toml".to_owned(),
            });
            continue;
        }
        let m = read_manifest(&path, Some(&root))?;
        enqueue_deps(&m, member, &mut queue);
        packages.push(WorkspacePackage {
            manifest: m,
            member,
        });
    }
    Ok(Workspace {
        root,
        packages,
        missing,
    })
}

/// Expands one `members` entry like Cargo: a glob over directories; a pattern that matches
/// nothing stands for itself (so that a missing member is reported, as Cargo reports it).
fn expand_member(root: &Path, pattern: &str) -> Vec<PathBuf> {
    // A pattern without glob syntax can only stand for itself: whether or not the directory
    // exists, the result below would be `root/pattern`. Answering without `glob` saves its
    // `statx` of every path component and the `is_dir` probe (moonbeam's 40 literal members
    // cost ~300 of the run's ~490 `statx` calls); whether `Cargo.toml` is there is asked once,
    // by the caller.
    if !pattern.contains(['*', '?', '[']) {
        return vec![normalize(&root.join(pattern))];
    }
    let base = glob::Pattern::escape(&root.to_string_lossy());
    let full = format!("{base}/{pattern}");
    let mut out: Vec<PathBuf> = match glob::glob(&full) {
        Ok(paths) => paths
            .flatten()
            .filter(|p| p.is_dir())
            .map(|p| normalize(&p))
            .collect(),
        Err(_) => Vec::new(),
    };
    if out.is_empty() {
        out.push(normalize(&root.join(pattern)));
    }
    out.sort();
    out
}

/// How a member depends on a crate, merged over all the tables that name it.
#[derive(Debug, Default, Clone, Copy)]
struct Use {
    normal: bool,
    normal_required: bool,
    build: bool,
    dev: bool,
}

/// The package manifests found under `lock_dir` (see [`find_manifests`]), by package name, with
/// what could not be read as messages: the edge kinds of a `Cargo.lock` whose workspace the
/// manifest stage did not load (no drift check, or a lock Cargo never reads).
pub fn find_package_manifests(lock_dir: &Path) -> (HashMap<String, Manifest>, Vec<String>) {
    let mut problems = Vec::new();
    let found = find_manifests(lock_dir, &mut problems);
    (found, problems)
}

/// Finds the `Cargo.toml` files of a workspace rooted at `dir` (skipping `target/`, `.git/` and
/// `node_modules/`), keyed by package name. A manifest that cannot be read or parsed only loses
/// its refinement (its edges stay `normal`, as the lockfile says): it is reported, not fatal,
/// because `cargo` itself (and the drift check) report it and fixture manifests may be broken on
/// purpose.
fn find_manifests(dir: &Path, problems: &mut Vec<String>) -> HashMap<String, Manifest> {
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
                // Only manifests with a `[package]` are kept: skip the parse of the others (a
                // large virtual workspace root costs as much to parse as the rest of a check).
                let path = e.path();
                let parsed = super::read_text(&path, MAX_MANIFEST_SIZE)
                    .map_err(ManifestError::from)
                    .and_then(|text| {
                        if may_declare_package(&text) {
                            parse_manifest(&path, &text, None).map(Some)
                        } else {
                            Ok(None)
                        }
                    });
                match parsed {
                    Ok(Some(m)) => {
                        if let Some(p) = &m.package {
                            out.insert(p.name.clone(), m);
                        }
                    }
                    Ok(None) => {}
                    Err(err) => problems.push(err.to_string()),
                }
            }
        }
    }
    out
}

impl Manifest {
    /// The edge kind a dependency of this manifest on `krate` gets: `normal` when any normal,
    /// non-optional table names it, `optional`, `build` or `dev` when only such tables do, `None`
    /// when the manifest does not name it.
    pub fn kind_of(&self, krate: &str) -> Option<DepKind> {
        let mut u: Option<Use> = None;
        for d in self.deps.iter().filter(|d| d.name == krate) {
            let u = u.get_or_insert_with(Use::default);
            match d.kind {
                DepKind::Build => u.build = true,
                DepKind::Dev => u.dev = true,
                _ => {
                    u.normal = true;
                    u.normal_required |= !d.optional;
                }
            }
        }
        let u = u?;
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

/// `false` only when `text` certainly has no `[package]` table: no line starts (after
/// whitespace, an opening `[` and a quote) with `package`. Errs towards `true` (a `package =`
/// rename inside a dependency table counts), so a manifest it rejects is a virtual one.
fn may_declare_package(text: &str) -> bool {
    text.lines().any(|line| {
        let t = line.trim_start_matches('\u{feff}').trim_start();
        let t = t.strip_prefix('[').map_or(t, str::trim_start);
        let t = t.strip_prefix(['"', '\'']).unwrap_or(t);
        t.starts_with("package")
    })
}

/// Types the edges leaving workspace members from their manifests in `lock_dir`. Manifests that
/// cannot be read become warnings of the lockfile (index `lockfile`).
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
        let from = &parsed.packages[edge.0 as usize];
        if !matches!(from.source, Source::Path) {
            continue;
        }
        let Some(m) = manifests.get(&from.name) else {
            continue;
        };
        if let Some(kind) = m.kind_of(&parsed.packages[edge.1 as usize].name) {
            edge.2 = kind;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_manifest_without_package_lines_is_virtual() {
        for declares in [
            "[package]\nname = \"a\"\n",
            "  [ package ]\nname = \"a\"\n",
            "[\"package\"]\nname = \"a\"\n",
            "\u{feff}[package]\n",
            "package.name = \"a\"\npackage.version = \"0.1.0\"\n",
            "package = { name = \"a\", version = \"0.1.0\" }\n",
            "'package'.name = \"a\"\n",
            "[workspace]\nmembers = []\n[package.metadata.x]\n",
        ] {
            assert!(may_declare_package(declares), "{declares:?}");
        }
        for virtual_root in [
            "[workspace]\nmembers = [\"crates/*\"]\n",
            "[workspace.package]\nversion = \"1.0.0\"\n# package notes\n",
            "",
        ] {
            assert!(!may_declare_package(virtual_root), "{virtual_root:?}");
        }
    }

    #[test]
    fn types_member_edges_beside_a_virtual_root() {
        // A virtual root (skipped without a parse) and a member written with dotted keys.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"app\"]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(
            dir.path().join("app/Cargo.toml"),
            "package.name = \"app\"\npackage.version = \"0.1.0\"\n[dev-dependencies]\ninsta = \"1\"\n",
        )
        .unwrap();
        let lock = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"insta\"]\n\
[[package]]\nname = \"insta\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let mut p =
            super::super::cargo::parse(Path::new("Cargo.lock"), "Cargo.lock", lock, 0).unwrap();
        annotate(&mut p, dir.path(), 0);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let kinds: Vec<DepKind> = p.edges.iter().map(|e| e.2).collect();
        assert_eq!(kinds, vec![DepKind::Dev]);
    }

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

    fn parse(text: &str, ws: Option<&Manifest>) -> Manifest {
        parse_manifest(Path::new("/r/crates/a/Cargo.toml"), text, ws).unwrap()
    }

    #[test]
    fn reads_every_declaration_form_with_lines() {
        let m = parse(
            "[package]\nname = \"a\"\nversion = \"1.2.3\"\n\n[dependencies]\nserde = \"1\"\nfoo2 = { package = \"foo\", version = \"2\", optional = true }\nlocal = { path = \"../local\" }\ng = { git = \"https://example.com/g\", branch = \"dev\" }\n\n[dependencies.tbl]\nversion = \"0.3\"\nregistry = \"corp\"\n\n[target.'cfg(unix)'.build-dependencies]\ncc = \"1\"\n",
            None,
        );
        let p = m.package.as_ref().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str(), p.version_line),
            ("a", "1.2.3", 3)
        );
        let by_key = |k: &str| m.deps.iter().find(|d| d.key == k).unwrap();
        assert_eq!(by_key("serde").line, 6);
        let foo = by_key("foo2");
        assert_eq!(
            (foo.name.as_str(), foo.req.as_deref(), foo.optional),
            ("foo", Some("2"), true)
        );
        assert_eq!(
            by_key("local").source,
            DeclaredSource::Path {
                dir: PathBuf::from("/r/crates/local"),
                raw: "../local".into()
            }
        );
        assert_eq!(
            by_key("g").source,
            DeclaredSource::Git {
                url: "https://example.com/g".into(),
                reference: GitRef::Branch("dev".into())
            }
        );
        assert!(matches!(
            &by_key("tbl").source,
            DeclaredSource::Registry { registry: Some(r), .. } if r == "corp"
        ));
        let cc = by_key("cc");
        assert_eq!(
            (cc.kind, cc.section.as_str()),
            (DepKind::Build, "target.'cfg(unix)'.build-dependencies")
        );
    }

    #[test]
    fn inherits_from_workspace_relative_to_the_root() {
        let root = parse_manifest(
            Path::new("/r/Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"0.9.0\"\n[workspace.dependencies]\nserde = { version = \"1.0.100\", features = [\"derive\"] }\nshared = { path = \"shared\", version = \"0.1\" }\n",
            None,
        )
        .unwrap();
        let m = parse(
            "[package]\nname = \"a\"\nversion.workspace = true\n[dependencies]\nserde = { workspace = true, optional = true }\nshared.workspace = true\nnope = { workspace = true }\n",
            Some(&root),
        );
        assert_eq!(m.package.as_ref().unwrap().version, "0.9.0");
        let serde = m.deps.iter().find(|d| d.key == "serde").unwrap();
        assert!(serde.inherited && serde.optional);
        assert_eq!(serde.req.as_deref(), Some("1.0.100"));
        let shared = m.deps.iter().find(|d| d.key == "shared").unwrap();
        assert!(
            matches!(&shared.source, DeclaredSource::Path { dir, .. } if dir == Path::new("/r/shared"))
        );
        let nope = m.deps.iter().find(|d| d.key == "nope").unwrap();
        assert!(
            nope.problem
                .as_deref()
                .unwrap()
                .contains("[workspace.dependencies]")
        );
    }

    #[test]
    fn rejects_invalid_toml_with_line() {
        let e = parse_manifest(
            Path::new("Cargo.toml"),
            "[package]\nname = \"a\"\nversion = \n",
            None,
        )
        .unwrap_err();
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(3), "{e}");
        assert!(e.to_string().starts_with("Cargo.toml:3:"), "{e}");
    }

    #[test]
    fn workspace_members_globs_exclude_and_path_members() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        let w = |p: &str, t: &str| {
            std::fs::create_dir_all(r.join(p).parent().unwrap()).unwrap();
            std::fs::write(r.join(p), t).unwrap();
        };
        w(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\", \"missing\", \"tools/x/\", \"skipped/lit\"]\nexclude = [\"crates/skip\", \"skipped\"]\n",
        );
        // Literal members (no glob syntax): one that exists (written with a trailing slash), one
        // under an excluded directory (kept: named literally, as in Cargo).
        w("tools/x/Cargo.toml", "[package]\nname = \"x\"\n");
        w("skipped/lit/Cargo.toml", "[package]\nname = \"lit\"\n");
        w(
            "crates/a/Cargo.toml",
            "[package]\nname = \"a\"\n[dependencies]\nb = { path = \"../../libs/b\" }\nout = { path = \"../../../outside\" }\n[dev-dependencies]\nd = { path = \"../../dev-only\" }\n",
        );
        w("crates/skip/Cargo.toml", "[package]\nname = \"skip\"\n");
        std::fs::create_dir_all(r.join("crates/skip")).unwrap();
        w("libs/b/Cargo.toml", "[package]\nname = \"b\"\n");
        w("dev-only/Cargo.toml", "[package]\nname = \"d\"\n");
        let ws = load_workspace(r, r).unwrap();
        let names: Vec<(&str, bool)> = ws
            .packages
            .iter()
            .map(|p| (p.manifest.package.as_ref().unwrap().name.as_str(), p.member))
            .collect();
        // `crates/skip` matches the glob but is excluded, as in Cargo.
        assert_eq!(
            names,
            [
                ("a", true),
                ("x", true),
                ("lit", true),
                ("b", true),
                ("d", true)
            ]
        );
        let missing: Vec<(&str, bool)> = ws
            .missing
            .iter()
            .map(|m| (m.reason.as_str(), m.member))
            .collect();
        assert_eq!(
            missing,
            [
                ("no Cargo.toml", true),
                ("outside the repository (not read)", false)
            ]
        );
    }
}

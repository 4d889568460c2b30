//! Where the files a report names lie in the repository: the loading step behind SARIF
//! locations. It does the IO (finding `.git`, resolving paths) so that renderers only read
//! [`SourceFiles`].

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::graph::Graph;
use crate::report::{Report, SourceFiles, SourcePath};

/// The repository root for `start` (a directory or a file): the nearest ancestor holding a
/// `.git` directory or file (a worktree or submodule), else the current directory. Absolute
/// (canonical when the path exists).
pub fn repository_root(start: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(start).unwrap_or_else(|_| absolute(start));
    let dir = if abs.is_file() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    } else {
        abs
    };
    for a in dir.ancestors() {
        if a.join(".git").symlink_metadata().is_ok() {
            return a.to_path_buf();
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    std::fs::canonicalize(&cwd).unwrap_or(cwd)
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    }
}

/// `p` with `.` and `..` resolved lexically.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn slashes(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    // Windows' verbatim prefix from canonicalize.
    s.strip_prefix("//?/").map(str::to_owned).unwrap_or(s)
}

/// Where the files of `report` (each lockfile of `graph`, each finding location) lie relative
/// to the repository root of `start` (the checked path; `None`: the first lockfile). Files are
/// resolved from the lockfiles' paths: a location beside a lockfile (a manifest) is resolved
/// beside it. A file the report names that is neither is left out.
pub fn locate(graph: &Graph, report: &Report, start: Option<&Path>) -> SourceFiles {
    let start = start
        .map(Path::to_path_buf)
        .or_else(|| graph.lockfiles.first().map(|l| l.path.clone()))
        .unwrap_or_else(|| PathBuf::from("."));
    let root = repository_root(&start);
    // (display directory of the lockfile, absolute directory of the lockfile)
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut abs_files: BTreeMap<String, PathBuf> = BTreeMap::new();
    for l in &graph.lockfiles {
        let abs = std::fs::canonicalize(&l.path).unwrap_or_else(|_| normalize(&absolute(&l.path)));
        let shown_dir = Path::new(&l.display)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if let Some(d) = abs.parent() {
            dirs.push((shown_dir, d.to_path_buf()));
        }
        abs_files.insert(l.display.clone(), abs);
    }
    // The longest display directory first: `web/package-lock.json` claims `web/package.json`
    // before `package-lock.json` (in the checked directory) does.
    dirs.sort_by_key(|(shown, _)| std::cmp::Reverse(shown.components().count()));
    for f in &report.findings {
        let Some(loc) = &f.finding.location else {
            continue;
        };
        if abs_files.contains_key(&loc.file) {
            continue;
        }
        let shown = Path::new(&loc.file);
        let found = dirs.iter().find_map(|(shown_dir, abs_dir)| {
            shown
                .strip_prefix(shown_dir)
                .ok()
                .map(|rest| normalize(&abs_dir.join(rest)))
        });
        if let Some(abs) = found {
            abs_files.insert(loc.file.clone(), abs);
        }
    }
    let files = abs_files
        .into_iter()
        .map(|(shown, abs)| {
            let place = match abs.strip_prefix(&root) {
                Ok(rel) => SourcePath::InRoot(slashes(rel)),
                Err(_) => SourcePath::Outside(slashes(&abs)),
            };
            (shown, place)
        })
        .collect();
    let mut root = slashes(&root);
    if !root.ends_with('/') {
        root.push('/');
    }
    SourceFiles { root, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), Path::new("/a/c/d"));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
    }

    #[test]
    fn lockfiles_and_manifests_beside_them_are_located() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let api = dir.path().join("services/api");
        std::fs::create_dir_all(&api).unwrap();
        let lock = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/check/cargo/Cargo.lock"
        );
        std::fs::copy(lock, api.join("Cargo.lock")).unwrap();
        let graph = crate::load_graph(
            &[dir.path().join("services")],
            &crate::LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(graph.lockfiles[0].display, "api/Cargo.lock");
        let mut report = Report::default();
        let mut f = crate::finding::Finding::for_package(
            &graph,
            graph.roots()[0],
            crate::finding::Code::LockDrift,
            "drift",
        );
        f.location = Some(crate::finding::FindingLocation {
            file: "api/crates/x/Cargo.toml".into(),
            line: 1,
        });
        report.findings = crate::policy::evaluate(
            &crate::policy::Config::default(),
            vec![f],
            crate::time::Timestamp(0),
        )
        .findings;
        let s = locate(&graph, &report, Some(&dir.path().join("services")));
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(s.root, format!("{}/", slashes(&root)));
        assert_eq!(
            s.files.get("api/Cargo.lock"),
            Some(&SourcePath::InRoot("services/api/Cargo.lock".into()))
        );
        assert_eq!(
            s.files.get("api/crates/x/Cargo.toml"),
            Some(&SourcePath::InRoot(
                "services/api/crates/x/Cargo.toml".into()
            ))
        );
    }

    #[test]
    fn root_is_the_nearest_ancestor_with_git() {
        let dir = tempfile::tempdir().unwrap();
        let api = dir.path().join("services/api");
        std::fs::create_dir_all(&api).unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(repository_root(&api), root);
        // A `.git` file (worktree, submodule) counts too, and the nearest wins.
        std::fs::write(api.join(".git"), "gitdir: elsewhere").unwrap();
        assert_eq!(repository_root(&api), root.join("services/api"));
    }
}

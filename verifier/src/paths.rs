//! Lexical path helpers shared by the loading stage and the checks: no file-system access
//! (symbolic links are not resolved), so checks may use them.

use std::path::{Path, PathBuf};

use crate::lockfile::LockfileInfo;
pub use crate::lockfile::normalize;

/// Absolute, normalised form of a path (relative paths are taken from the current directory).
pub fn absolute(p: &Path) -> PathBuf {
    normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// `true` when `target` (relative to `base`) lies outside `root`, and under none of `allow`.
pub fn outside(root: &Path, base: &Path, target: &str, allow: &[PathBuf]) -> bool {
    let t = Path::new(target);
    let full = if t.is_absolute() {
        normalize(t)
    } else {
        normalize(&base.join(t))
    };
    !full.starts_with(root) && !allow.iter().any(|a| full.starts_with(a))
}

/// `p` relative to `base`, lexically (both absolute and normalised).
pub fn relative(p: &Path, base: &Path) -> PathBuf {
    let pc: Vec<_> = p.components().collect();
    let bc: Vec<_> = base.components().collect();
    let common = pc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c);
    }
    out
}

/// A manifest's path as shown in findings: beside the lockfile's displayed path.
pub(crate) fn display_path(lock: &LockfileInfo, lock_dir: &Path, path: &Path) -> String {
    let rel = relative(&normalize(path), lock_dir);
    let base = Path::new(&lock.display).parent().unwrap_or(Path::new(""));
    let s = normalize(&base.join(rel))
        .to_string_lossy()
        .replace('\\', "/");
    if s.is_empty() { ".".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::Format;

    #[test]
    fn manifest_paths_are_shown_beside_the_lockfile() {
        let lock = LockfileInfo {
            path: PathBuf::from("/r/web/package-lock.json"),
            display: "web/package-lock.json".into(),
            format: Format::PackageLock,
            version: 3,
            packages: 0,
        };
        let dir = Path::new("/r/web");
        assert_eq!(
            display_path(&lock, dir, Path::new("/r/web/packages/a/package.json")),
            "web/packages/a/package.json"
        );
        assert_eq!(
            display_path(&lock, dir, Path::new("/r/shared/Cargo.toml")),
            "shared/Cargo.toml"
        );
    }
}

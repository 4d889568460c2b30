//! Artifacts (`.crate`, `.tgz`) in local caches, and hashing them as a stream.
//!
//! A local cache directory (`--artifact-cache DIR`, `[registries] artifact-caches`) may be:
//! - a plain directory of `NAME-VERSION.crate` files and npm tarballs (`NAME-VERSION.tgz`, the
//!   basename of the `resolved` URL, or `scope-NAME-VERSION.tgz` as `npm pack` names them);
//! - Cargo's `~/.cargo/registry/cache` (`<host>-<hash>/NAME-VERSION.crate`; directories of the
//!   package's registry host are preferred);
//! - npm's cacache (`~/.npm/_cacache` or its parent), content-addressed by the lockfile's own
//!   integrity: `content-v2/<alg>/<hex[0..2]>/<hex[2..4]>/<hex[4..]>`.
//!
//! A file found there is hashed exactly like a download; a mismatch is a finding naming the file.

use std::path::{Path, PathBuf};

use crate::package::{Digest, encode_hex};

use super::compare::{MultiHasher, algorithm_name};
use super::error::FetchErrorKind;

/// The local caches of a run, scanned once.
#[derive(Debug, Clone, Default)]
pub struct LocalCaches {
    dirs: Vec<CacheDir>,
}

#[derive(Debug, Clone)]
struct CacheDir {
    root: PathBuf,
    /// Cargo layout: `(host, dir)` of each `<host>-<hash>` subdirectory.
    cargo_subdirs: Vec<(String, PathBuf)>,
    /// npm cacache `content-v2` directories.
    cacache: Vec<PathBuf>,
}

impl LocalCaches {
    /// Scans the given directories (missing ones are skipped: there is nothing in them).
    pub fn new(dirs: &[PathBuf]) -> Self {
        let dirs = dirs
            .iter()
            .filter(|d| d.is_dir())
            .map(|root| {
                let mut cargo_subdirs = Vec::new();
                if let Ok(rd) = std::fs::read_dir(root) {
                    for e in rd.flatten() {
                        if !e.file_type().is_ok_and(|t| t.is_dir()) {
                            continue;
                        }
                        let name = e.file_name().to_string_lossy().into_owned();
                        if let Some((host, _)) = name.rsplit_once('-') {
                            cargo_subdirs.push((host.to_ascii_lowercase(), e.path()));
                        }
                    }
                }
                cargo_subdirs.sort();
                let cacache = [root.join("content-v2"), root.join("_cacache/content-v2")]
                    .into_iter()
                    .filter(|p| p.is_dir())
                    .collect();
                CacheDir {
                    root: root.clone(),
                    cargo_subdirs,
                    cacache,
                }
            })
            .collect();
        LocalCaches { dirs }
    }

    /// `true` when no directory was given or found.
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    /// The cached `.crate` of a Cargo package, preferring directories of the given hosts.
    pub fn find_crate(&self, name: &str, version: &str, hosts: &[String]) -> Option<PathBuf> {
        let file = format!("{name}-{version}.crate");
        for d in &self.dirs {
            let flat = d.root.join(&file);
            if flat.is_file() {
                return Some(flat);
            }
            let preferred: Vec<&PathBuf> = d
                .cargo_subdirs
                .iter()
                .filter(|(h, _)| hosts.iter().any(|x| x.eq_ignore_ascii_case(h)))
                .map(|(_, p)| p)
                .collect();
            let pool: Vec<&PathBuf> = if preferred.is_empty() {
                d.cargo_subdirs.iter().map(|(_, p)| p).collect()
            } else {
                preferred
            };
            if let Some(p) = pool
                .into_iter()
                .map(|s| s.join(&file))
                .find(|p| p.is_file())
            {
                return Some(p);
            }
        }
        None
    }

    /// The cached tarball of an npm package (or remote tarball).
    pub fn find_tarball(
        &self,
        name: &str,
        version: &str,
        url: &str,
        expected: &[Digest],
    ) -> Option<PathBuf> {
        let mut names: Vec<String> = Vec::new();
        if let Some(base) = url
            .split(['?', '#'])
            .next()
            .and_then(|u| u.rsplit('/').next())
            .filter(|b| !b.is_empty() && !b.contains(".."))
        {
            names.push(base.to_owned());
        }
        if !name.is_empty() && !version.is_empty() {
            let flat = name.trim_start_matches('@').replace('/', "-");
            names.push(format!("{flat}-{version}.tgz"));
            names.push(format!(
                "{}-{version}.tgz",
                name.rsplit('/').next().unwrap_or(name)
            ));
        }
        let mut sorted: Vec<&Digest> = expected.iter().collect();
        sorted.sort_by_key(|d| std::cmp::Reverse(d.algorithm));
        for d in &self.dirs {
            for c in &d.cacache {
                for dg in &sorted {
                    let hex = encode_hex(&dg.bytes);
                    let p = c
                        .join(algorithm_name(dg.algorithm))
                        .join(&hex[..2])
                        .join(&hex[2..4])
                        .join(&hex[4..]);
                    if p.is_file() {
                        return Some(p);
                    }
                }
            }
            if let Some(p) = names.iter().map(|n| d.root.join(n)).find(|p| p.is_file()) {
                return Some(p);
            }
        }
        None
    }
}

/// Hashes a local file with `hasher`, refusing more than `max` bytes; returns its length.
pub fn hash_file(path: &Path, hasher: &mut MultiHasher, max: u64) -> Result<u64, FetchErrorKind> {
    let f =
        std::fs::File::open(path).map_err(|e| FetchErrorKind::Io(format!("cannot read: {e}")))?;
    let mut r = tollgate_attest::capped::Capped::new(f, max);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = r.read_chunk(&mut buf).map_err(|e| match e {
            tollgate_attest::capped::CappedError::TooLarge { .. } => {
                FetchErrorKind::TooLarge { limit: max }
            }
            tollgate_attest::capped::CappedError::Io(e) => {
                FetchErrorKind::Io(format!("cannot read: {e}"))
            }
        })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::HashAlgorithm;

    #[test]
    fn finds_crates_flat_and_in_cargo_layout_preferring_the_registry_host() {
        let d = tempfile::tempdir().unwrap();
        let flat = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("index.crates.io-1949cf8c6b5b557f")).unwrap();
        std::fs::create_dir_all(d.path().join("other.example-0123456789abcdef")).unwrap();
        std::fs::write(
            d.path()
                .join("index.crates.io-1949cf8c6b5b557f/a-1.0.0.crate"),
            b"x",
        )
        .unwrap();
        std::fs::write(
            d.path()
                .join("other.example-0123456789abcdef/a-1.0.0.crate"),
            b"y",
        )
        .unwrap();
        std::fs::write(flat.path().join("b-2.0.0.crate"), b"z").unwrap();
        let c = LocalCaches::new(&[d.path().to_path_buf(), flat.path().to_path_buf()]);
        let hosts = vec!["index.crates.io".to_owned()];
        assert!(
            c.find_crate("a", "1.0.0", &hosts)
                .unwrap()
                .starts_with(d.path().join("index.crates.io-1949cf8c6b5b557f"))
        );
        let other = vec!["other.example".to_owned()];
        assert!(
            c.find_crate("a", "1.0.0", &other)
                .unwrap()
                .starts_with(d.path().join("other.example-0123456789abcdef"))
        );
        assert!(c.find_crate("b", "2.0.0", &hosts).is_some());
        assert!(c.find_crate("a", "1.0.1", &hosts).is_none());
    }

    #[test]
    fn finds_npm_tarballs_by_name_and_in_cacache_by_integrity() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("core-7.0.0.tgz"), b"t").unwrap();
        let c = LocalCaches::new(&[d.path().to_path_buf()]);
        assert!(
            c.find_tarball(
                "@babel/core",
                "7.0.0",
                "https://r/@babel/core/-/core-7.0.0.tgz",
                &[]
            )
            .is_some()
        );
        let mut h = MultiHasher::new(&[HashAlgorithm::Sha512]);
        h.update(b"content");
        let dg = h.finish();
        let hex = encode_hex(&dg[0].bytes);
        let p = d
            .path()
            .join("_cacache/content-v2/sha512")
            .join(&hex[..2])
            .join(&hex[2..4]);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join(&hex[4..]), b"content").unwrap();
        let c = LocalCaches::new(&[d.path().to_path_buf()]);
        assert_eq!(
            c.find_tarball("x", "1.0.0", "https://r/x/-/x-1.0.0.tgz", &dg),
            Some(p.join(&hex[4..]))
        );
        assert_eq!(
            c.find_tarball("x", "1.0.0", "https://r/x/-/x-1.0.0.tgz", &[]),
            None
        );
    }

    #[test]
    fn rejects_a_file_over_the_cap() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("big");
        std::fs::write(&f, vec![0u8; 100]).unwrap();
        let mut h = MultiHasher::new(&[HashAlgorithm::Sha256]);
        assert_eq!(
            hash_file(&f, &mut h, 99),
            Err(FetchErrorKind::TooLarge { limit: 99 })
        );
        let mut h = MultiHasher::new(&[HashAlgorithm::Sha256]);
        assert_eq!(hash_file(&f, &mut h, 100), Ok(100));
    }
}

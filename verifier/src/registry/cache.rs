//! The on-disk HTTP cache for registry metadata (index entries, packuments, `config.json`).
//!
//! One file per (URL, `Accept`) under `<dir>/http/<2 hex>/<sha256 hex>`: a JSON header line
//! (URL with credentials redacted, `ETag`, `Last-Modified`) and the body. Entries are always
//! revalidated (`If-None-Match` / `If-Modified-Since`) unless `--offline`; a `304` reuses the body.
//! Files are written to a temporary file in the same directory and renamed into place, so a
//! reader never sees half an entry; an unreadable or malformed entry is a miss.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::package::encode_hex;

/// A cached response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedEntry {
    /// `ETag` of the response.
    pub etag: Option<String>,
    /// `Last-Modified` of the response.
    pub last_modified: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    v: u32,
    url: String,
    accept: String,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct HttpCache {
    dir: PathBuf,
}

/// The default cache directory: `$XDG_CACHE_HOME/tollgate/registry`, else
/// `~/.cache/tollgate/registry` (`%LOCALAPPDATA%\tollgate\registry` on Windows).
pub fn default_dir_with(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    crate::advisory::store::default_db_dir_with(env)
        .and_then(|db| db.parent().map(|base| base.join("registry")))
}

impl HttpCache {
    /// A cache rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        HttpCache { dir: dir.into() }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, url: &str, accept: &str) -> PathBuf {
        let mut h = sha2::Sha256::new();
        h.update(url.as_bytes());
        h.update(b"\n");
        h.update(accept.as_bytes());
        let key = encode_hex(&h.finalize());
        self.dir.join("http").join(&key[..2]).join(key)
    }

    /// The entry for `url` fetched with `accept`, if present, well-formed and at most `max`
    /// bytes of body.
    pub fn load(&self, url: &str, accept: &str, max: u64) -> Option<CachedEntry> {
        let f = std::fs::File::open(self.path(url, accept)).ok()?;
        let mut r = std::io::BufReader::new(f);
        let mut line = String::new();
        r.by_ref().take(64 * 1024).read_line(&mut line).ok()?;
        let h: Header = serde_json::from_str(line.trim_end()).ok()?;
        if h.v != 1 || h.url != crate::redact::redact_url(url) || h.accept != accept {
            return None;
        }
        // A body over the limit is no entry (and is not read past it).
        let body = tollgate_attest::capped::read_capped(r, max).ok()?;
        Some(CachedEntry {
            etag: h.etag,
            last_modified: h.last_modified,
            body,
        })
    }

    /// Stores an entry atomically (temporary file + rename).
    pub fn store(&self, url: &str, accept: &str, e: &CachedEntry) -> Result<(), String> {
        let path = self.path(url, accept);
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent)
            .map_err(|err| format!("{}: cannot create: {err}", parent.display()))?;
        let header = Header {
            v: 1,
            url: crate::redact::redact_url(url),
            accept: accept.to_owned(),
            etag: e.etag.clone(),
            last_modified: e.last_modified.clone(),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(parent)
            .map_err(|err| format!("{}: cannot write: {err}", parent.display()))?;
        let line = serde_json::to_string(&header).map_err(|err| err.to_string())?;
        tmp.write_all(line.as_bytes())
            .and_then(|()| tmp.write_all(b"\n"))
            .and_then(|()| tmp.write_all(&e.body))
            .and_then(|()| tmp.flush())
            .map_err(|err| format!("{}: cannot write: {err}", parent.display()))?;
        tmp.persist(&path)
            .map_err(|err| format!("{}: cannot write: {}", path.display(), err.error))?;
        Ok(())
    }

    /// Removes an entry (the registry no longer has the record).
    pub fn remove(&self, url: &str, accept: &str) {
        let _ = std::fs::remove_file(self.path(url, accept));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_stored_entries_and_rejects_other_keys_or_oversized_bodies() {
        let d = tempfile::tempdir().unwrap();
        let c = HttpCache::new(d.path());
        let e = CachedEntry {
            etag: Some("\"abc\"".into()),
            last_modified: None,
            body: b"{\"x\":1}\n".to_vec(),
        };
        c.store("https://r/a", "json", &e).unwrap();
        assert_eq!(c.load("https://r/a", "json", 100), Some(e.clone()));
        assert_eq!(c.load("https://r/a", "other", 100), None);
        assert_eq!(c.load("https://r/b", "json", 100), None);
        assert_eq!(c.load("https://r/a", "json", 3), None);
        c.remove("https://r/a", "json");
        assert_eq!(c.load("https://r/a", "json", 100), None);
    }

    #[test]
    fn rejects_a_corrupt_entry_as_a_miss() {
        let d = tempfile::tempdir().unwrap();
        let c = HttpCache::new(d.path());
        let p = c.path("https://r/a", "json");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"garbage\nbody").unwrap();
        assert_eq!(c.load("https://r/a", "json", 100), None);
    }

    #[test]
    fn default_dir_sits_beside_the_advisory_db() {
        let env = |k: &str| (k == "XDG_CACHE_HOME").then(|| "/x/cache".to_owned());
        assert_eq!(
            default_dir_with(env),
            Some(PathBuf::from("/x/cache/tollgate/registry"))
        );
    }
}

//! The on-disk advisory index: one file, keyed by (ecosystem, package name).
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! magic   8 bytes  "TGADVDB\x01"
//! u32     length of the metadata JSON, then the metadata JSON (DbMeta)
//! u32     number of keys N
//! N × 16  key table, sorted by key bytes: u32 key_off, u32 key_len, u32 data_off, u32 data_len
//! u32     length of the key blob, then the key blob ("<ecosystem>\0<name>" strings)
//! ...     data section: per key one JSON array of AdvisoryRecord
//! u32     CRC-32 of everything before it
//! ```
//!
//! Opening a database reads the file and checks the CRC (a torn or tampered file is refused);
//! lookups binary-search the fixed-size key table and deserialize only the records of the keys
//! asked for, so a check never parses the whole database. Writes go to a temporary file in the
//! same directory, are flushed, then renamed over the old file: readers see the old index or the
//! new one, never half of one.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::AdvisoryError;
use super::model::{AdvisoryKind, AdvisoryRecord};

const MAGIC: &[u8; 8] = b"TGADVDB\x01";
/// Version of the index format (in the metadata too).
pub const FORMAT_VERSION: u32 = 1;

/// Facts about one imported source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// Short name (directory name or source label).
    pub name: String,
    /// Where it came from (directory path, archive URL, git URL).
    pub location: String,
    /// Snapshot commit, when known (git HEAD or SNAPSHOT.md).
    pub commit: Option<String>,
    /// Snapshot date (RFC 3339), when known: the commit date, else the newest advisory date.
    pub date: Option<String>,
    /// Records indexed from this source.
    pub advisories: usize,
    /// Withdrawn advisories skipped.
    pub withdrawn: usize,
    /// Files skipped (JSON that is not OSV, toolchain advisories, templates).
    pub skipped_files: usize,
}

/// Metadata of an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbMeta {
    /// Index format version.
    pub format: u32,
    /// When the index was built (RFC 3339).
    pub created: String,
    /// The sources, in import order.
    pub sources: Vec<SourceMeta>,
    /// Number of records.
    pub advisories: usize,
    /// Number of (ecosystem, package) keys.
    pub packages: usize,
    /// Records per kind.
    pub by_kind: BTreeMap<String, usize>,
    /// Records per ecosystem.
    pub by_ecosystem: BTreeMap<String, usize>,
}

impl DbMeta {
    /// The snapshot date of the data: the oldest source date (the staleness that matters).
    /// Never the build time: importing old data today does not make it fresh. `None` (unknown
    /// age, reported as stale) when any source has no date, or there are no sources.
    pub fn snapshot_date(&self) -> Option<i64> {
        let mut oldest: Option<i64> = None;
        for s in &self.sources {
            let d = s.date.as_deref().and_then(super::time::parse_timestamp)?;
            oldest = Some(oldest.map_or(d, |o| o.min(d)));
        }
        oldest
    }
}

fn key(ecosystem: &str, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(ecosystem.len() + 1 + name.len());
    k.extend_from_slice(ecosystem.as_bytes());
    k.push(0);
    k.extend_from_slice(name.as_bytes());
    k
}

/// Serializes records into the index format.
pub fn encode(records: &[AdvisoryRecord], meta_in: &DbMeta) -> Result<Vec<u8>, AdvisoryError> {
    let mut groups: BTreeMap<Vec<u8>, Vec<&AdvisoryRecord>> = BTreeMap::new();
    let mut meta = meta_in.clone();
    meta.format = FORMAT_VERSION;
    meta.advisories = records.len();
    meta.by_kind.clear();
    meta.by_ecosystem.clear();
    for r in records {
        groups
            .entry(key(&r.ecosystem, &r.package))
            .or_default()
            .push(r);
        let kind = match r.kind {
            AdvisoryKind::Vulnerability => "vulnerability",
            AdvisoryKind::Unmaintained => "unmaintained",
            AdvisoryKind::Unsound => "unsound",
            AdvisoryKind::Notice => "notice",
        };
        *meta.by_kind.entry(kind.into()).or_default() += 1;
        *meta.by_ecosystem.entry(r.ecosystem.clone()).or_default() += 1;
    }
    meta.packages = groups.len();
    let enc = |e: serde_json::Error| AdvisoryError::Corrupt {
        path: PathBuf::new(),
        message: format!("cannot encode index: {e}"),
    };
    let meta_json = serde_json::to_vec(&meta).map_err(enc)?;
    let mut table = Vec::with_capacity(groups.len() * 16);
    let mut keys = Vec::new();
    let mut data = Vec::new();
    for (k, mut recs) in groups {
        recs.sort_by(|a, b| (&a.id, a.format).cmp(&(&b.id, b.format)));
        let json = serde_json::to_vec(&recs).map_err(enc)?;
        for n in [keys.len(), k.len(), data.len(), json.len()] {
            table.extend_from_slice(&u32_of(n)?.to_le_bytes());
        }
        keys.extend_from_slice(&k);
        data.extend_from_slice(&json);
    }
    let mut out = Vec::with_capacity(64 + meta_json.len() + table.len() + keys.len() + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&u32_of(meta_json.len())?.to_le_bytes());
    out.extend_from_slice(&meta_json);
    out.extend_from_slice(&u32_of(meta.packages)?.to_le_bytes());
    out.extend_from_slice(&table);
    out.extend_from_slice(&u32_of(keys.len())?.to_le_bytes());
    out.extend_from_slice(&keys);
    out.extend_from_slice(&data);
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    Ok(out)
}

fn u32_of(n: usize) -> Result<u32, AdvisoryError> {
    u32::try_from(n).map_err(|_| AdvisoryError::Corrupt {
        path: PathBuf::new(),
        message: "index larger than 4 GiB".into(),
    })
}

/// Writes bytes to `path` atomically: temp file in the same directory, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AdvisoryError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e: std::io::Error| AdvisoryError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(io)
}

/// An opened index (from a file or the embedded snapshot).
#[derive(Debug, Clone)]
pub struct AdvisoryDb {
    bytes: Cow<'static, [u8]>,
    meta: DbMeta,
    origin: DbOrigin,
    table_off: usize,
    count: usize,
    keys_off: usize,
    data_off: usize,
}

/// Where an opened database came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbOrigin {
    /// An index file.
    File(PathBuf),
    /// The snapshot embedded in the binary.
    Embedded,
}

fn rd_u32(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

impl AdvisoryDb {
    /// Opens an index file.
    pub fn open(path: &Path) -> Result<AdvisoryDb, AdvisoryError> {
        let bytes = std::fs::read(path).map_err(|e| AdvisoryError::Io {
            path: path.to_path_buf(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "no advisory database here (run `tollgate db import` or `tollgate db update`)"
                    .into()
            } else {
                e.to_string()
            },
        })?;
        Self::from_bytes(Cow::Owned(bytes), DbOrigin::File(path.to_path_buf()))
    }

    /// Opens index bytes (checks magic, CRC and the table bounds).
    pub fn from_bytes(
        bytes: Cow<'static, [u8]>,
        origin: DbOrigin,
    ) -> Result<AdvisoryDb, AdvisoryError> {
        let path = match &origin {
            DbOrigin::File(p) => p.clone(),
            DbOrigin::Embedded => PathBuf::from("<embedded advisory snapshot>"),
        };
        let corrupt = |m: &str| AdvisoryError::Corrupt {
            path: path.clone(),
            message: m.to_owned(),
        };
        let (meta, table_off, count, keys_off, data_off, body_len) = {
            let b: &[u8] = &bytes;
            if b.len() < 8 + 4 + 4 + 4 + 4 || &b[..8] != MAGIC {
                return Err(corrupt(
                    "not a tollgate advisory index (bad magic or too short)",
                ));
            }
            let body = &b[..b.len() - 4];
            let stored = rd_u32(b, b.len() - 4).unwrap_or(0) as u32;
            let mut crc = flate2::Crc::new();
            crc.update(body);
            if crc.sum() != stored {
                return Err(corrupt(
                    "checksum mismatch: the index is damaged; re-run `tollgate db import` or `tollgate db update`",
                ));
            }
            let meta_len = rd_u32(b, 8).ok_or_else(|| corrupt("truncated header"))?;
            let meta_json = b
                .get(12..12 + meta_len)
                .ok_or_else(|| corrupt("truncated metadata"))?;
            let meta: DbMeta = serde_json::from_slice(meta_json)
                .map_err(|e| corrupt(&format!("bad metadata: {e}")))?;
            if meta.format != FORMAT_VERSION {
                return Err(corrupt(&format!(
                    "index format {} is not supported (expected {FORMAT_VERSION}); rebuild it",
                    meta.format
                )));
            }
            let mut at = 12 + meta_len;
            let count = rd_u32(b, at).ok_or_else(|| corrupt("truncated key count"))?;
            at += 4;
            let table_off = at;
            at = at
                .checked_add(
                    count
                        .checked_mul(16)
                        .ok_or_else(|| corrupt("bad key count"))?,
                )
                .ok_or_else(|| corrupt("bad key count"))?;
            let keys_len = rd_u32(b, at).ok_or_else(|| corrupt("truncated key table"))?;
            let keys_off = at + 4;
            let data_off = keys_off + keys_len;
            if data_off > body.len() {
                return Err(corrupt("truncated key blob"));
            }
            (meta, table_off, count, keys_off, data_off, body.len())
        };
        let db = AdvisoryDb {
            meta,
            origin,
            table_off,
            count,
            keys_off,
            data_off,
            bytes,
        };
        // Bounds of every entry, once: lookups can then slice without re-checking.
        for i in 0..count {
            let (ko, kl, d_o, dl) = db.entry(i).ok_or_else(|| corrupt("truncated key table"))?;
            if keys_off + ko + kl > data_off || data_off + d_o + dl > body_len {
                return Err(corrupt("key table points outside the file"));
            }
        }
        Ok(db)
    }

    fn entry(&self, i: usize) -> Option<(usize, usize, usize, usize)> {
        let at = self.table_off + i * 16;
        let b: &[u8] = &self.bytes;
        Some((
            rd_u32(b, at)?,
            rd_u32(b, at + 4)?,
            rd_u32(b, at + 8)?,
            rd_u32(b, at + 12)?,
        ))
    }

    fn key_at(&self, i: usize) -> &[u8] {
        match self.entry(i) {
            Some((ko, kl, _, _)) => {
                let s = self.keys_off + ko;
                self.bytes.get(s..s + kl).unwrap_or(&[])
            }
            None => &[],
        }
    }

    /// The metadata.
    pub fn meta(&self) -> &DbMeta {
        &self.meta
    }

    /// Where the database came from.
    pub fn origin(&self) -> &DbOrigin {
        &self.origin
    }

    /// Number of (ecosystem, package) keys.
    pub fn package_count(&self) -> usize {
        self.count
    }

    /// The records for one package (empty when the database knows nothing about it). Only this
    /// key's bytes are deserialized.
    pub fn records(
        &self,
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<AdvisoryRecord>, AdvisoryError> {
        let k = key(ecosystem, name);
        let (mut lo, mut hi) = (0usize, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key_at(mid).cmp(k.as_slice()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let (_, _, d_o, dl) = self.entry(mid).unwrap_or((0, 0, 0, 0));
                    let s = self.data_off + d_o;
                    let slice = self.bytes.get(s..s + dl).unwrap_or(&[]);
                    return serde_json::from_slice(slice).map_err(|e| AdvisoryError::Corrupt {
                        path: match &self.origin {
                            DbOrigin::File(p) => p.clone(),
                            DbOrigin::Embedded => PathBuf::from("<embedded>"),
                        },
                        message: format!("records of {ecosystem}/{name}: {e}"),
                    });
                }
            }
        }
        Ok(Vec::new())
    }

    /// Every record (for `db status --verbose`, exports and tests; a check never needs this).
    pub fn all_records(&self) -> Result<Vec<AdvisoryRecord>, AdvisoryError> {
        let mut out = Vec::new();
        for i in 0..self.count {
            let k = self.key_at(i);
            let mut parts = k.splitn(2, |b| *b == 0);
            let eco = String::from_utf8_lossy(parts.next().unwrap_or(&[])).into_owned();
            let name = String::from_utf8_lossy(parts.next().unwrap_or(&[])).into_owned();
            out.extend(self.records(&eco, &name)?);
        }
        Ok(out)
    }

    /// The raw index bytes (to write the embedded snapshot).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(date: Option<&str>) -> SourceMeta {
        SourceMeta {
            name: "s".into(),
            location: "s".into(),
            commit: None,
            date: date.map(str::to_owned),
            advisories: 1,
            withdrawn: 0,
            skipped_files: 0,
        }
    }

    fn meta(sources: Vec<SourceMeta>) -> DbMeta {
        DbMeta {
            format: FORMAT_VERSION,
            created: "2026-12-01T00:00:00Z".into(),
            sources,
            advisories: 1,
            packages: 1,
            by_kind: BTreeMap::new(),
            by_ecosystem: BTreeMap::new(),
        }
    }

    /// Issue 11 #2: importing today does not make old (or undated) data fresh.
    #[test]
    fn the_snapshot_date_never_falls_back_to_the_build_time() {
        assert_eq!(meta(vec![source(None)]).snapshot_date(), None);
        assert_eq!(meta(Vec::new()).snapshot_date(), None);
        let dated = meta(vec![
            source(Some("2021-08-18T00:00:00Z")),
            source(Some("2024-01-01T00:00:00Z")),
        ]);
        assert_eq!(
            dated.snapshot_date(),
            super::super::time::parse_timestamp("2021-08-18T00:00:00Z")
        );
        let mixed = meta(vec![source(Some("2024-01-01T00:00:00Z")), source(None)]);
        assert_eq!(
            mixed.snapshot_date(),
            None,
            "one undated source: unknown age"
        );
    }
}

//! Appending a record: under an exclusive lock on the log, after reading the head from the last
//! line, with the file (and, when it was created, its directory) synced before returning.
//!
//! Crash safety: the record is written with one `write` on a file opened for appending, then
//! `fsync`ed. A process killed mid-append can leave at most its own torn line; the next append
//! finds a last line without its newline and refuses (naming the line) instead of writing after
//! it or rewriting it, and `audit verify` reports it. Concurrent appenders wait for the lock
//! (`flock`, released by the kernel when a holder dies), so they never interleave or fork.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::MAX_LINE;
use super::record::{self, Head, RecordError};
use crate::keys::PrivateKey;

/// A record that was appended.
#[derive(Debug, Clone)]
pub struct Appended {
    /// Its `seq` (its line number).
    pub seq: u64,
    /// Its `thisHash`.
    pub this_hash: String,
    /// The line written (with its newline).
    pub line: Vec<u8>,
}

/// Why nothing was appended (the log is unchanged).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppendError {
    /// The file or its directory could not be opened, locked, read, written or synced.
    #[error("audit log {}: cannot {op}: {source}", path.display())]
    Io {
        /// The log (or its directory).
        path: PathBuf,
        /// What failed.
        op: &'static str,
        /// Why.
        source: io::Error,
    },
    /// The last line has no newline: an append was interrupted, or the file was cut.
    #[error(
        "audit log {}: line {line} is truncated (no final newline); nothing was appended. \
         `tollgate audit verify` shows the chain before it; remove the torn line only after \
         checking that it is not a record",
        path.display()
    )]
    Truncated {
        /// The log.
        path: PathBuf,
        /// The torn line.
        line: u64,
    },
    /// The last line is not a record whose hash matches it.
    #[error("audit log {}: line {line} is not a valid record ({reason}); nothing was appended", path.display())]
    Corrupt {
        /// The log.
        path: PathBuf,
        /// The line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The record could not be built.
    #[error("audit log {}: {source}", path.display())]
    Record {
        /// The log.
        path: PathBuf,
        /// Why.
        source: RecordError,
    },
}

/// Appends the record with `body` to the log at `path` (created when missing), signed with
/// `key` at `signed_at`.
pub fn append(
    path: &Path,
    body: Map<String, Value>,
    key: &PrivateKey,
    signed_at: &str,
) -> Result<Appended, AppendError> {
    let io_err = |op: &'static str| {
        let path = path.to_path_buf();
        move |source| AppendError::Io { path, op, source }
    };
    let (mut f, created) = match OpenOptions::new()
        .read(true)
        .append(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => (f, true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => (
            OpenOptions::new()
                .read(true)
                .append(true)
                .open(path)
                .map_err(io_err("open"))?,
            false,
        ),
        Err(e) => return Err(io_err("create")(e)),
    };
    if created {
        sync_dir(path).map_err(io_err("sync the directory of"))?;
    }
    if !f.metadata().map_err(io_err("stat"))?.is_file() {
        return Err(io_err("append to")(io::Error::other("not a regular file")));
    }
    f.lock().map_err(io_err("lock"))?;
    let result = append_locked(path, &mut f, body, key, signed_at);
    // Closing the file releases the lock too; unlocking first keeps the order explicit.
    let _ = f.unlock();
    result
}

fn append_locked(
    path: &Path,
    f: &mut File,
    body: Map<String, Value>,
    key: &PrivateKey,
    signed_at: &str,
) -> Result<Appended, AppendError> {
    let io_err = |op: &'static str| {
        let path = path.to_path_buf();
        move |source| AppendError::Io { path, op, source }
    };
    let head = match last_line(f).map_err(io_err("read"))? {
        Tail::Empty => Head::genesis(),
        Tail::Torn => {
            return Err(AppendError::Truncated {
                path: path.to_path_buf(),
                line: count_lines(f).map_err(io_err("read"))? + 1,
            });
        }
        Tail::Line(bytes) => {
            let corrupt = |f: &mut File, reason: String| -> AppendError {
                match count_lines(f) {
                    Ok(line) => AppendError::Corrupt {
                        path: path.to_path_buf(),
                        line,
                        reason,
                    },
                    Err(e) => io_err("read")(e),
                }
            };
            let r = match record::read(&bytes) {
                Ok(r) => r,
                Err(reason) => return Err(corrupt(f, reason)),
            };
            if r.computed_hash != r.this_hash {
                return Err(corrupt(
                    f,
                    format!(
                        "thisHash {} does not match its content ({})",
                        r.this_hash, r.computed_hash
                    ),
                ));
            }
            Head {
                seq: r.seq,
                hash: r.this_hash,
            }
        }
    };
    let sealed =
        record::seal(body, &head, key, signed_at).map_err(|source| AppendError::Record {
            path: path.to_path_buf(),
            source,
        })?;
    f.write_all(&sealed.line).map_err(io_err("write"))?;
    f.sync_data().map_err(io_err("sync"))?;
    Ok(Appended {
        seq: sealed.seq,
        this_hash: sealed.this_hash,
        line: sealed.line,
    })
}

enum Tail {
    Empty,
    /// The file does not end with a newline.
    Torn,
    /// The last line, without its newline.
    Line(Vec<u8>),
}

/// Reads the last line from the end of the file (never the whole file).
fn last_line(f: &mut File) -> io::Result<Tail> {
    let len = f.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(Tail::Empty);
    }
    let mut chunk = 4096u64;
    loop {
        let start = len.saturating_sub(chunk);
        let mut buf = vec![0u8; usize::try_from(len - start).unwrap_or(MAX_LINE)];
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut buf)?;
        if buf.last() != Some(&b'\n') {
            return Ok(Tail::Torn);
        }
        let body = &buf[..buf.len() - 1];
        if let Some(i) = body.iter().rposition(|&b| b == b'\n') {
            return Ok(Tail::Line(body[i + 1..].to_vec()));
        }
        if start == 0 {
            return Ok(Tail::Line(body.to_vec()));
        }
        if chunk > MAX_LINE as u64 {
            return Err(io::Error::other(format!(
                "the last line is longer than {MAX_LINE} bytes"
            )));
        }
        chunk *= 4;
    }
}

/// The number of complete lines (only on the error path).
fn count_lines(f: &mut File) -> io::Result<u64> {
    f.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            return Ok(n);
        }
        n += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

/// Syncs the directory holding `path`, so that a new file's entry survives a crash.
fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened for syncing elsewhere; NTFS journals the entry.
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::verify_chain;
    use crate::keys::GenerateAlgorithm;
    use serde_json::json;

    fn body(n: u64) -> Map<String, Value> {
        json!({"verdict": "PASSED", "n": n})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn appends_a_chain_and_refuses_after_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.jsonl");
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        for n in 1..=3 {
            let a = append(&log, body(n), &k, "2026-03-01T00:00:00Z").unwrap();
            assert_eq!(a.seq, n);
        }
        let text = std::fs::read(&log).unwrap();
        let s = verify_chain(&text[..], &[k.public_key().clone()], None).unwrap();
        assert_eq!(s.records, 3);
        // A torn last line: refused, naming line 4, and the file is unchanged.
        let mut torn = text.clone();
        torn.extend_from_slice(b"{\"seq\":4,\"prev");
        std::fs::write(&log, &torn).unwrap();
        let e = append(&log, body(4), &k, "t").unwrap_err();
        assert!(matches!(e, AppendError::Truncated { line: 4, .. }), "{e}");
        assert!(e.to_string().contains("line 4 is truncated"), "{e}");
        assert_eq!(std::fs::read(&log).unwrap(), torn);
        // A last line whose content was edited: refused as well.
        let edited = String::from_utf8(text)
            .unwrap()
            .replacen("\"n\":3", "\"n\":9", 1);
        std::fs::write(&log, &edited).unwrap();
        let e = append(&log, body(4), &k, "t").unwrap_err();
        assert!(matches!(e, AppendError::Corrupt { line: 3, .. }), "{e}");
    }

    #[test]
    fn long_logs_are_read_from_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.jsonl");
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let mut big = body(0);
        big.insert("pad".into(), "x".repeat(9000).into());
        append(&log, big, &k, "t").unwrap();
        let a = append(&log, body(1), &k, "t").unwrap();
        assert_eq!(a.seq, 2);
        let mut big = body(2);
        big.insert("pad".into(), "y".repeat(20000).into());
        append(&log, big, &k, "t").unwrap();
        assert_eq!(append(&log, body(3), &k, "t").unwrap().seq, 4);
    }
}

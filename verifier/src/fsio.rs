//! Reading input files: regular files only, with a size cap.

use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Open or read failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A FIFO, device, socket or directory: never opened for reading (a FIFO would block).
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    /// Larger than the cap.
    #[error("larger than the {limit}-byte limit ({size} bytes)")]
    TooLarge {
        /// Size seen.
        size: u64,
        /// The cap.
        limit: u64,
    },
}

/// Reads a regular file of at most `cap` bytes.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(if meta.is_dir() {
            "a directory"
        } else {
            "a FIFO, device or socket"
        }));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: cap,
        });
    }
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: buf.len() as u64,
            limit: cap,
        });
    }
    Ok(buf)
}

//! The advisory snapshot embedded in the binary: a gzip-compressed index built from
//! `../shared/advisories/{rustsec,osv-crates,osv-npm}` at release time, used when no database has
//! been imported or fetched.
//!
//! Regenerate it with
//! `tollgate db import ../shared/advisories/rustsec ../shared/advisories/osv-crates ../shared/advisories/osv-npm --write-embedded verifier/data/advisories.idx.gz`
//! (the build time recorded is the snapshot's newest source date, so the file is reproducible).

use std::borrow::Cow;
use std::io::{Read, Write};

use super::AdvisoryError;
use super::index::{AdvisoryDb, DbOrigin};

/// The compressed embedded index (may be empty in a build without a snapshot).
pub static EMBEDDED_GZ: &[u8] = include_bytes!("../../data/advisories.idx.gz");

/// Opens the embedded snapshot.
pub fn embedded() -> Result<AdvisoryDb, AdvisoryError> {
    if EMBEDDED_GZ.is_empty() {
        return Err(AdvisoryError::NoDatabase);
    }
    let mut bytes = Vec::with_capacity(EMBEDDED_GZ.len() * 4);
    flate2::read::GzDecoder::new(EMBEDDED_GZ)
        .read_to_end(&mut bytes)
        .map_err(|e| AdvisoryError::Corrupt {
            path: "<embedded advisory snapshot>".into(),
            message: format!("cannot decompress: {e}"),
        })?;
    AdvisoryDb::from_bytes(Cow::Owned(bytes), DbOrigin::Embedded)
}

/// Compresses index bytes for embedding (gzip, best compression, no file name or time).
pub fn compress(index: &[u8]) -> Result<Vec<u8>, AdvisoryError> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    let io = |e: std::io::Error| AdvisoryError::Corrupt {
        path: "<embedded advisory snapshot>".into(),
        message: e.to_string(),
    };
    enc.write_all(index).map_err(io)?;
    enc.finish().map_err(io)
}

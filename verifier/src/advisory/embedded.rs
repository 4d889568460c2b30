//! The advisory snapshot embedded in the binary: an index built from
//! `../shared/advisories/{rustsec,osv-crates,osv-npm}` at release time, used when no database has
//! been imported or fetched. The repository keeps it gzip-compressed; `build.rs` decompresses it
//! into the build, so opening it costs only the index's own checksum.
//!
//! Regenerate it with
//! `tollgate db import ../shared/advisories/rustsec ../shared/advisories/osv-crates ../shared/advisories/osv-npm --write-embedded verifier/data/advisories.idx.gz`
//! (the build time recorded is the snapshot's newest source date, so the file is reproducible).

use std::borrow::Cow;
use std::io::Write;

use super::AdvisoryError;
use super::index::{AdvisoryDb, DbOrigin};

/// The embedded index (empty in a build without a snapshot).
pub static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/advisories.idx"));

/// Opens the embedded snapshot.
pub fn embedded() -> Result<AdvisoryDb, AdvisoryError> {
    if EMBEDDED.is_empty() {
        return Err(AdvisoryError::NoDatabase);
    }
    AdvisoryDb::from_bytes(Cow::Borrowed(EMBEDDED), DbOrigin::Embedded)
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

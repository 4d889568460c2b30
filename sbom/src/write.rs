//! Writing a BOM to a file without holding the document in memory: the JSON is streamed
//! through a buffered writer and the SHA-1 of the content-derived serial number at once, and the
//! serial number is written last, over its placeholder (same length, at an offset known from the
//! first bytes). The bytes are exactly those of [`crate::to_json`]; a 100,000-package SBOM is
//! ~150 MB that no longer sits in memory beside the graph and the BOM.

use std::io::{Seek, SeekFrom, Write};

use sha1::{Digest, Sha1};

use crate::model::{Bom, SERIAL_PLACEHOLDER};
use crate::{SERIAL_NAMESPACE, SbomError};

/// The first bytes kept to find the placeholder in (`serialNumber` is the third field).
const HEAD: usize = 256;

/// The bytes go to an own buffer (serde_json writes many small pieces: a plain `Vec` append is
/// the cheapest sink for them), which is hashed and written out a chunk at a time.
struct Tee<W: Write> {
    out: W,
    buf: Vec<u8>,
    hash: Option<Sha1>,
    head: Vec<u8>,
    len: u64,
}

/// The chunk size.
const CHUNK: usize = 1 << 20;

impl<W: Write> Tee<W> {
    fn drain(&mut self) -> std::io::Result<()> {
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(self.buf.len());
            self.head.extend_from_slice(&self.buf[..take]);
        }
        if let Some(h) = &mut self.hash {
            h.update(&self.buf);
        }
        self.len += self.buf.len() as u64;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + buf.len() > CHUNK {
            self.drain()?;
        }
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// One append (the default would loop over `write`): serde_json calls this for every
    /// piece it writes.
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.buf.len() + buf.len() > CHUNK {
            self.drain()?;
        }
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain()?;
        self.out.flush()
    }
}

/// Writes the BOM, pretty-printed with a final newline, to `file` (positioned at its start),
/// deriving the serial number when it is still to be derived (and setting it in `bom`).
/// Returns the number of bytes written.
pub fn write_json_to<F: Write + Seek>(bom: &mut Bom, file: F) -> Result<u64, SbomError> {
    let mut tee = Tee {
        out: file,
        buf: Vec::with_capacity(CHUNK + 4096),
        hash: bom
            .derive_serial
            .then(|| crate::uuid::hasher(&SERIAL_NAMESPACE)),
        head: Vec::with_capacity(HEAD),
        len: 0,
    };
    serde_json::to_writer_pretty(&mut tee, &*bom)?;
    tee.write_all(b"\n")?;
    tee.flush()?;
    let len = tee.len;
    let Tee {
        out: mut file,
        hash,
        head,
        ..
    } = tee;
    if let Some(h) = hash {
        let serial = format!("urn:uuid:{}", crate::uuid::finish(h));
        let needle = SERIAL_PLACEHOLDER.as_bytes();
        let at =
            head.windows(needle.len())
                .position(|w| w == needle)
                .ok_or(SbomError::Internal(
                    "the serial number placeholder is written",
                ))?;
        file.seek(SeekFrom::Start(at as u64))?;
        file.write_all(serial.as_bytes())?;
        file.seek(SeekFrom::End(0))?;
        bom.serial_number = serial;
        bom.derive_serial = false;
    }
    file.flush()?;
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bom() -> Bom {
        use tollgate_verifier::graph::Graph;
        let opts = crate::Options {
            spec_version: crate::SpecVersion::V1_6,
            timestamp: tollgate_verifier::time::Timestamp(0),
            serial_number: None,
            name: "x".into(),
            tool_version: "0".into(),
        };
        crate::build(&Graph::new(), &opts).unwrap()
    }

    #[test]
    fn streamed_bytes_equal_the_in_memory_document() {
        let mut a = bom();
        let mut b = a.clone();
        let mem = crate::to_json(&mut a).unwrap();
        let mut file = std::io::Cursor::new(Vec::new());
        let n = write_json_to(&mut b, &mut file).unwrap();
        assert_eq!(n as usize, mem.len());
        assert_eq!(file.into_inner(), mem);
        assert_eq!(a.serial_number, b.serial_number);
        assert!(!b.serial_number.contains("00000000-0000"));
    }
}

//! Writing a BOM to a file without holding the document in memory: one thread serialises the
//! JSON into chunks, the calling thread feeds each to the SHA-1 of the content-derived serial
//! number and writes it out, and the serial number is written last, over its placeholder (same
//! length, at an offset known from the first bytes). The bytes are exactly those of
//! [`crate::to_json`]; a 100,000-package SBOM is ~150 MB that never sits in memory.

use std::io::{Seek, SeekFrom, Write};
use std::sync::mpsc::{Receiver, SyncSender};

use sha1::{Digest, Sha1};

use crate::model::Bom;
use crate::plan::{Out, Plan};
use crate::{SERIAL_NAMESPACE, SbomError};

/// The first bytes kept to find the placeholder in.
const HEAD: usize = crate::SERIAL_HEAD;

/// The chunk size: small enough to stay in cache between the two threads, large enough that
/// each is one `write` (bigger than the report file's buffer, which it then bypasses).
const CHUNK: usize = 256 << 10;

/// Chunks in flight between the threads.
const DEPTH: usize = 4;

/// What [`Plan::write_json_to`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The document's length in bytes.
    pub len: u64,
    /// Its serial number (given, or derived from the content).
    pub serial_number: String,
}

impl Plan<'_> {
    /// Writes the BOM, pretty-printed with a final newline, to `file` (positioned at its
    /// start), deriving the serial number when none was given: the bytes of
    /// [`crate::to_json`] of [`Plan::to_bom`], streamed.
    pub fn write_json_to<F: Write + Seek>(&self, file: F) -> Result<Written, SbomError> {
        let serial = self.serial_or_placeholder();
        let (len, derived) = stream(self.derive_serial(), file, |w| {
            self.write_document(serial, w)
        })?;
        Ok(Written {
            len,
            serial_number: derived.unwrap_or_else(|| serial.to_owned()),
        })
    }

    /// The BOM as pretty-printed JSON with a final newline, in memory, and its serial number:
    /// the bytes of [`crate::to_json`] of [`Plan::to_bom`].
    pub fn to_json(&self) -> Result<(Vec<u8>, String), SbomError> {
        let serial = self.serial_or_placeholder();
        // About 1.5 KB a component pretty-printed: one allocation.
        let mut v = Vec::with_capacity(4096 + 1600 * self.components_len());
        self.write_document(serial, &mut v)?;
        let derived = crate::derive_serial_in_place(&mut v, self.derive_serial())?;
        Ok((v, derived.unwrap_or_else(|| serial.to_owned())))
    }
}

/// Writes the BOM, pretty-printed with a final newline, to `file` (positioned at its start),
/// deriving the serial number when it is still to be derived (and setting it in `bom`).
/// Returns the number of bytes written.
pub fn write_json_to<F: Write + Seek>(bom: &mut Bom, file: F) -> Result<u64, SbomError> {
    let doc = &*bom;
    let (len, derived) = stream(bom.derive_serial, file, |w| {
        serde_json::to_writer_pretty(&mut *w, doc)?;
        Ok(w.write_all(b"\n")?)
    })?;
    if let Some(serial) = derived {
        bom.serial_number = serial;
        bom.derive_serial = false;
    }
    Ok(len)
}

/// Runs `generate` (which writes a document whose serial number is
/// [`crate::model::SERIAL_PLACEHOLDER`] when `derive`) on a thread of its own while this one
/// hashes and writes the chunks to `file`; then writes the derived serial number over the
/// placeholder. Returns the length and the derived serial number.
fn stream<F: Write + Seek>(
    derive: bool,
    mut file: F,
    generate: impl FnOnce(&mut Chunks) -> Result<(), SbomError> + Send,
) -> Result<(u64, Option<String>), SbomError> {
    let mut sink = Sink {
        hash: derive.then(|| crate::uuid::hasher(&SERIAL_NAMESPACE)),
        head: Vec::with_capacity(HEAD),
        len: 0,
    };
    std::thread::scope(|s| -> Result<(), SbomError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(DEPTH);
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let generator = s.spawn(move || -> Result<(), SbomError> {
            let mut w = Chunks {
                buf: Vec::with_capacity(CHUNK),
                tx,
                back: back_rx,
            };
            generate(&mut w)?;
            w.send()?;
            Ok(())
        });
        let mut failed = None;
        for chunk in rx.iter() {
            if let Err(e) = sink.take(&chunk, &mut file) {
                failed = Some(e);
                break;
            }
            // The generator may be done already: then the buffer is simply dropped.
            let _ = back_tx.send(chunk);
        }
        // Hanging up stops a generator still writing (its next send fails).
        drop(rx);
        let generated = generator
            .join()
            .map_err(|_| SbomError::Internal("the serialising thread panicked"))?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        generated
    })?;
    file.flush()?;
    let Some(h) = sink.hash else {
        return Ok((sink.len, None));
    };
    let serial = format!("urn:uuid:{}", crate::uuid::finish(h));
    let at = crate::placeholder_at(&sink.head)?;
    file.seek(SeekFrom::Start(at as u64))?;
    file.write_all(serial.as_bytes())?;
    file.seek(SeekFrom::End(0))?;
    file.flush()?;
    Ok((sink.len, Some(serial)))
}

/// The writing side: the hash, the first bytes, the length.
struct Sink {
    hash: Option<Sha1>,
    head: Vec<u8>,
    len: u64,
}

impl Sink {
    /// Hashes and writes one chunk.
    fn take(&mut self, chunk: &[u8], file: &mut impl Write) -> std::io::Result<()> {
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if let Some(h) = &mut self.hash {
            h.update(chunk);
        }
        self.len += chunk.len() as u64;
        file.write_all(chunk)
    }
}

/// The serialising side: the document is written into a plain `Vec` (the cheapest sink for the
/// many small pieces), sent on when full; emptied buffers come back to be filled again.
pub(crate) struct Chunks {
    buf: Vec<u8>,
    tx: SyncSender<Vec<u8>>,
    back: Receiver<Vec<u8>>,
}

impl Chunks {
    /// Sends the buffer on and takes an emptied one (or a new one).
    fn send(&mut self) -> std::io::Result<()> {
        let mut next = self
            .back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        next.clear();
        let full = std::mem::replace(&mut self.buf, next);
        self.tx.send(full).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the SBOM writer stopped")
        })
    }
}

impl Out for Chunks {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    fn spill(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(())
    }
}

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    /// One append (the default would loop over `write`): serde_json calls this for every
    /// piece it writes.
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.buf.len() + buf.len() > CHUNK && !self.buf.is_empty() {
            self.send()?;
        }
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

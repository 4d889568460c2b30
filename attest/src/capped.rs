//! The workspace's one bounded read: input whose size is not ours to choose (lockfiles, layouts,
//! links, cached registry bodies, artefacts) is read through [`Capped`], which refuses more than
//! a limit instead of reading it all. It reads one byte past the limit to tell "exactly the
//! limit" from "more", and never more than that, so a file that grows while it is read, or an
//! endless stream, costs at most `limit + 1` bytes.
//!
//! Callers keep their own error messages (which file, which limit): [`CappedError`] says only
//! what happened. Refusing FIFOs and devices before opening them is the caller's business (the
//! verifier's `fsio::read_regular` does it).

use std::io::Read;

/// Why a bounded read stopped.
#[derive(Debug, thiserror::Error)]
pub enum CappedError {
    /// More than `limit` bytes arrived.
    #[error("larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit.
        limit: u64,
        /// Bytes read when the read stopped (more than `limit`).
        read: u64,
    },
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A reader that yields at most `limit` bytes and fails once there are more.
#[derive(Debug)]
pub struct Capped<R> {
    inner: std::io::Take<R>,
    limit: u64,
    read: u64,
}

impl<R: Read> Capped<R> {
    /// Wraps `r` with a limit of `limit` bytes.
    pub fn new(r: R, limit: u64) -> Self {
        Capped {
            inner: r.take(limit.saturating_add(1)),
            limit,
            read: 0,
        }
    }

    /// Reads the next chunk into `buf` (0 at the end); fails once more than the limit arrived.
    pub fn read_chunk(&mut self, buf: &mut [u8]) -> Result<usize, CappedError> {
        let n = loop {
            match self.inner.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        self.read += n as u64;
        self.check()?;
        Ok(n)
    }

    /// Reads the rest into `buf` (appending, so a caller may reserve the expected size).
    pub fn read_to_end(mut self, buf: &mut Vec<u8>) -> Result<(), CappedError> {
        let n = self.inner.read_to_end(buf)?;
        self.read += n as u64;
        self.check()
    }

    fn check(&self) -> Result<(), CappedError> {
        if self.read > self.limit {
            return Err(CappedError::TooLarge {
                limit: self.limit,
                read: self.read,
            });
        }
        Ok(())
    }
}

/// Reads all of `r`, refusing more than `limit` bytes.
pub fn read_capped(r: impl Read, limit: u64) -> Result<Vec<u8>, CappedError> {
    let mut buf = Vec::new();
    Capped::new(r, limit).read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        assert_eq!(read_capped(&b"abcd"[..], 4).unwrap(), b"abcd");
        assert_eq!(read_capped(&b""[..], 0).unwrap(), b"");
        let e = read_capped(&b"abcde"[..], 4).unwrap_err();
        assert!(
            matches!(e, CappedError::TooLarge { limit: 4, read: 5 }),
            "{e:?}"
        );
        assert_eq!(e.to_string(), "larger than the 4-byte limit");
        // An endless stream costs at most limit + 1 bytes.
        let e = read_capped(std::io::repeat(b'x'), 10).unwrap_err();
        assert!(matches!(e, CappedError::TooLarge { read: 11, .. }), "{e:?}");
    }

    #[test]
    fn chunks_fail_once_past_the_limit() {
        let mut r = Capped::new(&b"0123456789"[..], 6);
        let mut buf = [0u8; 4];
        assert_eq!(r.read_chunk(&mut buf).unwrap(), 4);
        assert!(matches!(
            r.read_chunk(&mut buf),
            Err(CappedError::TooLarge { limit: 6, .. })
        ));
        let mut r = Capped::new(&b"012345"[..], 6);
        let mut total = 0;
        loop {
            match r.read_chunk(&mut buf).unwrap() {
                0 => break,
                n => total += n,
            }
        }
        assert_eq!(total, 6);
    }
}

//! Reading input files safely: only regular files, never more than a cap.
//!
//! Every input tollgate reads from a scanned tree (lockfiles, `Cargo.toml`, `package.json`,
//! `.npmrc`, and for the binary `tollgate.toml` and advisory files) goes through
//! [`read_regular`]. A FIFO, socket or device under an expected name must not block the gate
//! (an `open(2)` of a FIFO for reading waits for a writer; `/dev/zero` never ends), so:
//!
//! 1. the path's type is looked up first (following symbolic links) and anything but a regular
//!    file is refused without opening it;
//! 2. the file is then opened with `O_NONBLOCK` (on Unix), so that a FIFO swapped in after the
//!    look-up still cannot block the open, and the type is checked again on the open handle
//!    (`fstat`), which closes the race;
//! 3. at most `cap + 1` bytes are read, so a file that grows while it is read is refused too.

use std::fmt;
use std::path::{Path, PathBuf};

/// The type of a file system entry that is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// A character device (`/dev/zero`, a terminal).
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else (an unknown type).
    Other,
}

impl FileKind {
    /// The kind of `ft`, or `None` for a regular file.
    pub fn of(ft: std::fs::FileType) -> Option<FileKind> {
        if ft.is_file() {
            return None;
        }
        if ft.is_dir() {
            return Some(FileKind::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                return Some(FileKind::Fifo);
            }
            if ft.is_socket() {
                return Some(FileKind::Socket);
            }
            if ft.is_char_device() {
                return Some(FileKind::CharDevice);
            }
            if ft.is_block_device() {
                return Some(FileKind::BlockDevice);
            }
        }
        Some(FileKind::Other)
    }

    /// How the kind is named in messages (`FIFO`, `directory`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Directory => "directory",
            FileKind::Fifo => "FIFO",
            FileKind::Socket => "socket",
            FileKind::CharDevice => "character device",
            FileKind::BlockDevice => "block device",
            FileKind::Other => "special file",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file could not be read. Every variant names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file does not exist (or is a dangling symbolic link).
    #[error("{}: no such file", path.display())]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// The path is not a regular file (after following symbolic links).
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        kind: FileKind,
    },
    /// The file is larger than the cap.
    #[error("{}: file is {size} bytes, larger than the {limit}-byte limit", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes (at least `limit + 1` when it grew while being read).
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },
    /// Any other I/O error.
    #[error("{}: cannot read file: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
}

impl ReadError {
    /// The message without the file name, for errors that name the file themselves.
    pub fn reason(&self) -> String {
        match self {
            ReadError::NotFound { .. } => "no such file".to_owned(),
            ReadError::NotRegular { kind, .. } => format!("not a regular file ({kind})"),
            ReadError::TooLarge { size, limit, .. } => {
                format!("file is {size} bytes, larger than the {limit}-byte limit")
            }
            ReadError::Io { message, .. } => format!("cannot read file: {message}"),
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotFound { path }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }

    fn io(path: &Path, e: &std::io::Error) -> ReadError {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound {
                path: path.to_path_buf(),
            },
            _ => ReadError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            },
        }
    }
}

/// What is at a path, without opening it (symbolic links are followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Nothing (or a dangling symbolic link).
    Absent,
    /// A regular file.
    Regular,
    /// Something else.
    NotRegular(FileKind),
}

/// Looks up what is at `path` (following symbolic links) without opening it: for code that
/// treats an absent file differently from one it must refuse.
pub fn probe(path: &Path) -> Result<Probe, ReadError> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(match FileKind::of(m.file_type()) {
            None => Probe::Regular,
            Some(k) => Probe::NotRegular(k),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Probe::Absent),
        Err(e) => Err(ReadError::io(path, &e)),
    }
}

/// Reads a regular file of at most `cap` bytes. Refuses, without blocking, anything that is not
/// a regular file (FIFO, socket, device, directory), and a file bigger than `cap`, even one that
/// grows while it is read. See the module documentation for how.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    if let Probe::NotRegular(kind) = probe(path)? {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    let file = open_nonblocking(path).map_err(|e| ReadError::io(path, &e))?;
    let meta = file.metadata().map_err(|e| ReadError::io(path, &e))?;
    if let Some(kind) = FileKind::of(meta.file_type()) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    let too_large = |size: u64| ReadError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: cap,
    };
    if meta.len() > cap {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    tollgate_attest::capped::Capped::new(file, cap)
        .read_to_end(&mut bytes)
        .map_err(|e| match e {
            tollgate_attest::capped::CappedError::TooLarge { read, .. } => too_large(read),
            tollgate_attest::capped::CappedError::Io(e) => ReadError::io(path, &e),
        })?;
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO does not wait for a writer (reads of a regular file ignore the
    // flag). O_NOCTTY: a terminal device never becomes the controlling terminal.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    /// `mkfifo(1)` (coreutils, as in the CLI's tests): the crate forbids `unsafe`.
    fn mkfifo(path: &Path) {
        let st = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs");
        assert!(st.success(), "mkfifo {}", path.display());
    }

    #[test]
    fn a_fifo_and_a_link_to_one_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Cargo.lock");
        mkfifo(&fifo);
        let link = dir.path().join("link.lock");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        for p in [&fifo, &link] {
            let e = read_regular(p, 100).unwrap_err();
            assert_eq!(
                e,
                ReadError::NotRegular {
                    path: p.clone(),
                    kind: FileKind::Fifo
                }
            );
            assert!(e.to_string().ends_with("not a regular file (FIFO)"), "{e}");
        }
    }

    #[test]
    fn devices_and_directories_are_refused() {
        let e = read_regular(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: FileKind::CharDevice,
                    ..
                }
            ),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path(), 100).unwrap_err();
        assert!(matches!(
            e,
            ReadError::NotRegular {
                kind: FileKind::Directory,
                ..
            }
        ));
    }

    #[test]
    fn regular_files_are_read_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&f, 4),
            Err(ReadError::TooLarge {
                size: 5,
                limit: 4,
                ..
            })
        ));
        assert!(matches!(
            read_regular(&dir.path().join("none"), 4),
            Err(ReadError::NotFound { .. })
        ));
        assert_eq!(probe(&dir.path().join("none")).unwrap(), Probe::Absent);
        assert_eq!(probe(&f).unwrap(), Probe::Regular);
    }
}

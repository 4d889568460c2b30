//! The one writer of a command's report (`-o/--output FILE`, `cmd::reporting`): standard output,
//! or a temporary file beside FILE that is synced and renamed over it only when the command ends
//! with exit 0 or 1. On exit 2 (the command could not look) FILE is left as it was.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Cursor, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::output::PipeSafe;

/// Where the report goes.
#[derive(Default)]
pub struct Sink {
    dest: Option<Dest>,
}

/// A report file: FILE as given, and how it is written.
struct Dest {
    /// FILE as the command line names it (messages; the VSA's default directory).
    shown: PathBuf,
    how: How,
    /// Set by a command whose outcome has no report: FILE stays as it was (see
    /// [`Sink::withhold`]).
    withheld: std::cell::Cell<bool>,
}

enum How {
    /// A regular file, or a new one: the report goes to `tmp` in the same directory, renamed
    /// over `target` on commit.
    Replace {
        /// The file replaced: FILE with its symbolic links resolved, so that a link keeps
        /// pointing at the report.
        target: PathBuf,
        tmp: PathBuf,
        file: RefCell<Option<BufWriter<File>>>,
    },
    /// A device or a FIFO (`/dev/null`, `/dev/stderr`): nothing to rename over; the report is
    /// held in memory and written to it on commit.
    Special { buf: RefCell<Cursor<Vec<u8>>> },
}

impl Sink {
    /// Standard output.
    pub fn stdout() -> Self {
        Sink::default()
    }

    /// A sink for `path` (`None`: standard output). A directory, or a file whose directory does
    /// not exist, is refused here, before the command runs, with a message naming the path.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Sink::stdout());
        };
        let shown = path.display();
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let how = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                bail!("--output {shown}: is a directory (the report is written to a file)")
            }
            Ok(m) if m.is_file() => {
                let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                replace(path, target, Some(m.permissions()))?
            }
            Ok(_) => How::Special {
                buf: RefCell::new(Cursor::new(Vec::new())),
            },
            Err(_) if !dir.is_dir() => {
                bail!(
                    "--output {shown}: no such directory: {} (the report's directory must exist)",
                    dir.display()
                )
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                replace(path, path.to_path_buf(), None)?
            }
            Err(e) => bail!("--output {shown}: {e}"),
        };
        Ok(Sink {
            dest: Some(Dest {
                shown: path.to_path_buf(),
                how,
                withheld: std::cell::Cell::new(false),
            }),
        })
    }

    /// The report file as given; `None` when the report goes to standard output.
    pub fn file(&self) -> Option<&Path> {
        self.dest.as_ref().map(|d| d.shown.as_path())
    }

    /// The report's writer. Several may exist at once (each write is one short borrow).
    pub fn writer(&self) -> Writer<'_> {
        match &self.dest {
            None => Writer(Inner::Stdout(crate::output::stdout())),
            Some(d) => Writer(Inner::File(d)),
        }
    }

    /// This outcome has no report: on commit, FILE is left as it was (`audit seal` on a broken
    /// log: the checkpoint it would replace is the pin of the log's history).
    pub fn withhold(&self) {
        if let Some(d) = &self.dest {
            d.withheld.set(true);
        }
    }

    /// Exit 0 or 1: the report replaces FILE (flushed, synced, renamed; the directory synced).
    pub fn commit(&mut self) -> anyhow::Result<()> {
        let Some(d) = self.dest.take() else {
            return Ok(());
        };
        if d.withheld.get() {
            d.discard();
            return Ok(());
        }
        let shown = d.shown.display().to_string();
        match &d.how {
            How::Replace { target, tmp, file } => {
                let Some(w) = file.borrow_mut().take() else {
                    bail!("--output {shown}: the report was already written");
                };
                let done = (|| -> std::io::Result<()> {
                    let f = w.into_inner().map_err(|e| e.into_error())?;
                    f.sync_all()?;
                    drop(f);
                    std::fs::rename(tmp, target)?;
                    // The rename is durable once the directory is.
                    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty())
                        && let Ok(dir) = File::open(dir)
                    {
                        let _ = dir.sync_all();
                    }
                    Ok(())
                })();
                if let Err(e) = done {
                    d.discard();
                    bail!("--output {shown}: cannot write: {e}");
                }
            }
            How::Special { buf } => {
                let bytes = std::mem::take(buf.borrow_mut().get_mut());
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&d.shown)
                    .with_context(|| format!("--output {shown}: cannot write"))?;
                f.write_all(&bytes)
                    .and_then(|()| f.flush())
                    .with_context(|| format!("--output {shown}: cannot write"))?;
            }
        }
        Ok(())
    }

    /// Exit 2: the report is dropped, FILE left as it was.
    pub fn discard(&mut self) {
        if let Some(d) = self.dest.take() {
            d.discard();
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.discard();
    }
}

impl Dest {
    fn discard(&self) {
        if let How::Replace { tmp, file, .. } = &self.how {
            drop(file.borrow_mut().take());
            let _ = std::fs::remove_file(tmp);
        }
    }

    fn io_error(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(
            e.kind(),
            format!("--output {}: cannot write: {e}", self.shown.display()),
        )
    }
}

/// Creates the temporary file beside `target` (with `mode`, the permissions of the file it
/// replaces: a private report stays private).
fn replace(
    shown: &Path,
    target: PathBuf,
    mode: Option<std::fs::Permissions>,
) -> anyhow::Result<How> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = target.file_name() else {
        bail!("--output {}: not a file name", shown.display());
    };
    let tmp = dir.join(format!(
        ".{}.report-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = File::create(&tmp)
        .with_context(|| format!("--output {}: cannot write", shown.display()))?;
    if let Some(mode) = mode
        && let Err(e) = file.set_permissions(mode)
    {
        let _ = std::fs::remove_file(&tmp);
        bail!("--output {}: cannot write: {e}", shown.display());
    }
    Ok(How::Replace {
        target,
        tmp,
        file: RefCell::new(Some(BufWriter::with_capacity(1 << 16, file))),
    })
}

/// Whether tollgate reads a file of this name when it searches a directory: a lockfile
/// ([`discover::LOCKFILE_NAMES`], or npm's hidden `.package-lock.json`), a manifest beside one,
/// or the policy. A report never replaces one of them (`tollgate check -o Cargo.lock` in a
/// repository would replace the lock it checks).
///
/// [`discover::LOCKFILE_NAMES`]: tollgate_verifier::discover::LOCKFILE_NAMES
fn read_by_name(name: &str) -> bool {
    const MANIFESTS: [&str; 3] = ["Cargo.toml", "package.json", ".package-lock.json"];
    tollgate_verifier::discover::LOCKFILE_NAMES.contains(&name)
        || MANIFESTS.contains(&name)
        || name == tollgate_verifier::policy::config::CONFIG_FILE
}

/// Refuses a report file that is one of the command's inputs (or another of its outputs): FILE
/// is the same file as a path given elsewhere on the command line (`args`, without the program
/// name), or an existing file that a directory search reads by its name ([`read_by_name`]).
/// Checked before the command runs, so the input is neither replaced nor read half-written.
pub fn refuse_inputs(file: &Path, args: &[std::ffi::OsString]) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::metadata(file) else {
        return Ok(()); // a new file cannot be an input
    };
    if !meta.is_file() {
        return Ok(()); // devices and FIFOs (`/dev/null`) are written, never replaced
    }
    let shown = file.display();
    if let Some(name) = file.file_name().and_then(|n| n.to_str())
        && read_by_name(name)
    {
        bail!(
            "--output {shown}: refusing to replace {name} with the report (tollgate reads {name} as an input); choose another file"
        );
    }
    for other in other_paths(args) {
        if std::fs::metadata(other).is_ok_and(|m| same_file(&meta, &m)) {
            bail!(
                "--output {shown}: is also named by `{}` on the command line (an input or another output); choose another file",
                Path::new(other).display()
            );
        }
    }
    Ok(())
}

/// The command line's values that are not the report file itself: every word, and the value of
/// `--flag=value`, except the value of `-o`/`--output`/`--out` (`-o FILE`, `-oFILE`, `--output=FILE`).
fn other_paths(args: &[std::ffi::OsString]) -> Vec<&std::ffi::OsStr> {
    const OUTPUT: &[&str] = &["-o", "--output", "--out"];
    let mut list = Vec::new();
    let mut skip_next = false;
    for a in args {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        let Some(text) = a.to_str() else {
            list.push(a.as_os_str());
            continue;
        };
        if OUTPUT.contains(&text) {
            skip_next = true;
        } else if let Some((flag, value)) = text.split_once('=')
            && flag.starts_with("--")
        {
            if !OUTPUT.contains(&flag) {
                list.push(std::ffi::OsStr::new(value));
            }
        } else if text.starts_with("--") || !text.starts_with("-o") {
            // (`-oFILE` is the report file itself.)
            list.push(a.as_os_str());
        }
    }
    list
}

/// The same file: one inode on one device (hard and symbolic links included).
#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Elsewhere: the same length and modification time, a conservative stand-in.
#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.is_file() && b.is_file() && a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// A writer of the report: standard output (safe against a closed pipe) or the report file.
pub struct Writer<'a>(Inner<'a>);

enum Inner<'a> {
    Stdout(PipeSafe<std::io::StdoutLock<'static>>),
    File(&'a Dest),
}

impl Write for Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.0 {
            Inner::Stdout(w) => w.write(buf),
            Inner::File(d) => d.with(|w| w.write(buf)),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.0 {
            Inner::Stdout(w) => w.write_all(buf),
            Inner::File(d) => d.with(|w| w.write_all(buf)),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.0 {
            Inner::Stdout(w) => w.flush(),
            Inner::File(d) => d.with(|w| w.flush()),
        }
    }
}

/// Seeking: the report file only (`sbom` writes its serial number last, over a placeholder).
impl Seek for Writer<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match &mut self.0 {
            Inner::Stdout(_) => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "standard output cannot seek",
            )),
            Inner::File(d) => d.with(|w| w.seek(pos)),
        }
    }
}

/// The two kinds of report file, as one writer.
trait WriteSeek: Write + Seek {}
impl<T: Write + Seek> WriteSeek for T {}

impl Dest {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut dyn WriteSeek) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        let r = match &self.how {
            How::Replace { file, .. } => match file.borrow_mut().as_mut() {
                Some(w) => f(w),
                None => Err(std::io::Error::other("the report is already written")),
            },
            How::Special { buf } => f(&mut *buf.borrow_mut()),
        };
        r.map_err(|e| self.io_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committed_report_replaces_the_file_and_a_discarded_one_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.txt");
        std::fs::write(&p, b"old").unwrap();
        let mut s = Sink::open(Some(&p)).unwrap();
        s.writer().write_all(b"new").unwrap();
        s.discard();
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        let mut s = Sink::open(Some(&p)).unwrap();
        s.writer().write_all(b"new").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp left"
        );
    }

    fn os(list: &[&str]) -> Vec<std::ffi::OsString> {
        list.iter().map(Into::into).collect()
    }

    #[test]
    fn a_report_over_an_input_is_refused_and_over_another_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("bom.json");
        let report = dir.path().join("r.json");
        std::fs::write(&input, b"{}").unwrap();
        std::fs::write(&report, b"old").unwrap();
        let i = input.to_str().unwrap();
        let r = report.to_str().unwrap();
        // The input named as the report, in every spelling of -o.
        for argv in [
            vec!["sbom", "verify", i, "-o", i],
            vec!["sbom", "verify", i, &format!("-o{i}")],
            vec!["sbom", "verify", i, &format!("--output={i}")],
            vec!["check", &format!("--sbom={i}"), "--output", i],
        ] {
            let e = refuse_inputs(&input, &os(&argv)).unwrap_err().to_string();
            assert!(e.contains("is also named by"), "{argv:?}: {e}");
        }
        // A hard link to the input is the input.
        let link = dir.path().join("link.json");
        std::fs::hard_link(&input, &link).unwrap();
        assert!(
            refuse_inputs(
                &link,
                &os(&["sbom", "verify", i, "-o", link.to_str().unwrap()])
            )
            .is_err()
        );
        // Twins: another existing file, a new file and a device are accepted.
        refuse_inputs(&report, &os(&["sbom", "verify", i, "-o", r])).unwrap();
        refuse_inputs(
            &dir.path().join("new.json"),
            &os(&["graph", i, "-o", "new.json"]),
        )
        .unwrap();
        refuse_inputs(
            Path::new("/dev/null"),
            &os(&["graph", "/dev/null", "-o", "/dev/null"]),
        )
        .unwrap();
    }

    #[test]
    fn a_report_over_a_file_read_by_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        std::fs::write(&lock, b"version = 4").unwrap();
        let e = refuse_inputs(&lock, &os(&["check", "-o", "Cargo.lock"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("refusing to replace Cargo.lock"), "{e}");
        // Twin: a new Cargo.lock is no input of this run.
        let other = tempfile::tempdir().unwrap();
        refuse_inputs(&other.path().join("Cargo.lock"), &os(&["check"])).unwrap();
    }

    #[test]
    fn a_withheld_report_leaves_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.txt");
        std::fs::write(&p, b"old").unwrap();
        let mut s = Sink::open(Some(&p)).unwrap();
        s.withhold();
        s.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_link_its_target() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut s = Sink::open(Some(&link)).unwrap();
        s.writer().write_all(b"new").unwrap();
        s.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place() {
        let mut s = Sink::open(Some(Path::new("/dev/null"))).unwrap();
        s.writer().write_all(b"dropped").unwrap();
        s.commit().unwrap();
        assert!(Path::new("/dev/null").exists());
    }

    #[test]
    fn directories_and_missing_directories_are_refused_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let e = Sink::open(Some(dir.path())).err().unwrap().to_string();
        assert!(e.contains(&dir.path().display().to_string()), "{e}");
        assert!(e.contains("is a directory"), "{e}");
        let missing = dir.path().join("no/such/r.json");
        let e = Sink::open(Some(&missing)).err().unwrap().to_string();
        assert!(e.contains(&missing.display().to_string()), "{e}");
        assert!(e.contains("no such directory"), "{e}");
    }
}

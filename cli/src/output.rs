//! Where output goes: the report (stdout, or `-o/--output FILE` through [`crate::report`]) in
//! the requested format, stderr for messages; colour decisions.

use std::io::{IsTerminal, Write};
use std::path::Path;

use tollgate_verifier::render::Style;
use tollgate_verifier::render::escape::visible_lines;

use crate::args::{ColorChoice, GlobalArgs};

/// Output settings derived from the global flags and the environment.
pub struct Output {
    /// Styling for stdout.
    pub style: Style,
    /// Styling for stderr.
    pub err_style: Style,
    /// `-q`.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// Where the report goes (`cmd::run` opens and commits it).
    report: crate::report::Sink,
}

fn want_color(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_tty
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

impl Output {
    /// Builds the settings.
    pub fn new(g: &GlobalArgs) -> Self {
        Output {
            style: Style {
                color: want_color(g.color, std::io::stdout().is_terminal()),
            },
            err_style: Style {
                color: want_color(g.color, std::io::stderr().is_terminal()),
            },
            quiet: g.quiet,
            verbose: g.verbose,
            report: crate::report::Sink::stdout(),
        }
    }

    /// Sends the report to `path` (`None`: stdout); refuses a directory or a missing directory.
    pub fn open_report(&mut self, path: Option<&Path>) -> anyhow::Result<()> {
        self.report = crate::report::Sink::open(path)?;
        Ok(())
    }

    /// The command ended with exit 0 or 1: the report file replaces FILE.
    pub fn commit_report(&mut self) -> anyhow::Result<()> {
        self.report.commit()
    }

    /// The command ended with exit 2: FILE is left as it was.
    pub fn discard_report(&mut self) {
        self.report.discard();
    }

    /// The writer of the command's report: stdout, or the `--output` file.
    pub fn report(&self) -> crate::report::Writer<'_> {
        self.report.writer()
    }

    /// The `--output` file, when the report goes to one.
    pub fn report_file(&self) -> Option<&Path> {
        self.report.file()
    }

    /// This outcome has no report: `--output`'s file is left as it was.
    pub fn withhold_report(&self) {
        self.report.withhold();
    }

    /// Styling for the report: stdout's, or none in a file.
    pub fn report_style(&self) -> Style {
        match self.report.file() {
            Some(_) => Style::default(),
            None => self.style,
        }
    }

    /// Prints an error (and its `hint:` lines) once, on stderr. Messages quote inputs (file
    /// names, package names): control characters in them are shown as escapes.
    pub fn error(&self, e: &anyhow::Error) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{} {}",
            self.err_style.red("error:"),
            visible_lines(&e.to_string())
        );
        for cause in e.chain().skip(1) {
            let _ = writeln!(err, "  caused by: {}", visible_lines(&cause.to_string()));
        }
    }

    /// Prints a warning unless `-q` (control characters shown as escapes).
    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{} {}",
                self.err_style.yellow("warning:"),
                visible_lines(msg)
            );
        }
    }

    /// Prints a note when `-v` (control characters shown as escapes).
    pub fn info(&self, msg: &str) {
        if self.verbose > 0 {
            let _ = writeln!(std::io::stderr().lock(), "{}", visible_lines(msg));
        }
    }
}

/// Standard output that a closed pipe cannot turn into an error.
///
/// `tollgate check | head -1` closes the pipe after one line. The rest of the output is dropped
/// quietly, and the command still returns its real outcome: a broken pipe may end the output, it
/// never changes the verdict's exit code (issue 11). Any other write error is reported.
pub struct PipeSafe<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeSafe<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> Self {
        PipeSafe {
            inner,
            closed: false,
        }
    }

    fn guard<T>(&mut self, r: std::io::Result<T>, default: T) -> std::io::Result<T> {
        match r {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(default)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for PipeSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.guard(r, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.guard(r, ())
    }
}

/// Locked standard output, safe against a closed pipe (see [`PipeSafe`]).
pub fn stdout() -> PipeSafe<std::io::StdoutLock<'static>> {
    PipeSafe::new(std::io::stdout().lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that goes away after `n` bytes.
    struct ClosesAfter(usize);

    impl Write for ClosesAfter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.0);
            self.0 -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_ends_output_quietly() {
        let mut w = PipeSafe::new(ClosesAfter(3));
        w.write_all(b"hello world").unwrap();
        w.flush().unwrap();
        assert!(w.closed);
        w.write_all(b"more").unwrap();
    }

    #[test]
    fn other_write_errors_still_fail() {
        let mut w = PipeSafe::new(Full);
        assert!(w.write_all(b"x").is_err());
        assert!(!w.closed);
    }
}

//! Where output goes: stdout for the requested format, stderr for messages; colour decisions.

use std::io::{IsTerminal, Write};

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

/// `true` when the error is a closed stdout pipe (`tollgate graph | head`): exit quietly.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

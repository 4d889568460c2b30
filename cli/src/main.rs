//! `tollgate`: stops a compromised or vulnerable dependency from reaching a release.
//!
//! Exit codes (a written contract):
//! - `0`: the command succeeded / the verdict passed;
//! - `1`: policy violation or failed verification: we looked, and the answer is no;
//! - `2`: we could not look: bad arguments, unreadable or malformed input, network failure.

mod args;
mod clock;
mod cmd;
mod json;
mod output;
mod report;
mod startup;

use std::process::ExitCode;

use crate::args::Cli;

/// The outcome of a command, mapped to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Pass,
    /// Exit 1.
    Fail,
}

fn main() -> ExitCode {
    // Before any other thread starts; `check` also maps its code ahead (see `startup`).
    startup::tune(std::env::args_os().nth(1).is_some_and(|a| a == "check"));
    let cli = match Cli::parse_args() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let mut out = output::Output::new(&cli.global);
    match cmd::run(&cli, &mut out) {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Err(e) => {
            // No special case for a broken pipe: stdout writes go through `output::stdout()`,
            // which ends output quietly on a closed pipe and lets the command return its real
            // outcome. A broken pipe anywhere else (a socket, a child process) is an error.
            out.error(&e);
            ExitCode::from(2)
        }
    }
}

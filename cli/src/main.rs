//! `tollgate`: stops a compromised or vulnerable dependency from reaching a release.
//!
//! Exit codes (a written contract):
//! - `0`: the command succeeded / the verdict passed;
//! - `1`: policy violation or failed verification: we looked, and the answer is no;
//! - `2`: we could not look: bad arguments, unreadable or malformed input, network failure.

mod args;
mod cmd;
mod output;

use std::process::ExitCode;

use clap::Parser;

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
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let out = output::Output::new(&cli.global);
    match cmd::run(&cli, &out) {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            out.error(&e);
            ExitCode::from(2)
        }
    }
}

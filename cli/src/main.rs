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

/// glibc's allocator returns freed memory to the kernel eagerly (heap trimming above 128 KiB, and
/// `mmap` for every block above 128 KiB), so a process that reads a lockfile, frees it and builds
/// a graph gets fresh pages, zeroed by the kernel, again and again: on a 1,500-package
/// `Cargo.lock` that was about a third of `check`'s run time. A short-lived process gains
/// nothing from returning memory early; keep it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // the workspace denies `unsafe`; this is the binary's one use (libc has no safe mallopt)
fn tune_allocator() {
    // SAFETY: `mallopt` only sets allocator parameters; called once, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
        libc::mallopt(libc::M_TOP_PAD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
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

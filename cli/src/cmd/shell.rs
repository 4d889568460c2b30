//! `tollgate completions SHELL` (clap_complete) and `tollgate man` (clap_mangen): both generated
//! from the clap command tree, so they can never describe a command or flag that does not exist.
//! The checked-in pages in `docs/man/` are compared with `tollgate man --dir` by a test.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::Outcome;
use crate::args::Cli;

/// `tollgate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `tollgate man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (`tollgate.1`, `tollgate-check.1`, …) into this directory
    /// instead of printing `tollgate.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script for `a.shell`.
pub fn completions(a: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "tollgate", &mut buf);
    let mut w = crate::output::stdout();
    w.write_all(&buf)?;
    w.flush()?;
    Ok(Outcome::Pass)
}

/// Prints the man page, or writes every command's page into `--dir`.
pub fn man(a: &ManArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    match &a.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            let mut w = crate::output::stdout();
            w.write_all(&buf)?;
            w.flush()?;
        }
    }
    Ok(Outcome::Pass)
}

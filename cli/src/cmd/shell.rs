//! `tollgate completions SHELL` (clap_complete) and `tollgate man` (clap_mangen): both generated
//! from the clap command tree, so they can never describe a command or flag that does not exist.
//! The checked-in pages in `docs/man/` are compared with `tollgate man --dir` by a test.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::Outcome;
use crate::args::{Cli, GlobalArgs, OutputFormat};

/// `tollgate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `tollgate man` (`--format markdown`: the Markdown command reference).
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

/// Prints the man page, or writes every command's page into `--dir`; with `--format markdown`,
/// prints the Markdown command reference instead.
pub fn man(a: &ManArgs, g: &GlobalArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    if g.format == OutputFormat::Markdown {
        let mut w = crate::output::stdout();
        w.write_all(markdown_reference().as_bytes())?;
        w.flush()?;
        return Ok(Outcome::Pass);
    }
    if g.format != OutputFormat::Human {
        anyhow::bail!(
            "`tollgate man` writes roff (the default) or, with --format markdown, Markdown"
        );
    }
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

/// The Markdown command reference (`docs/reference/commands.md`): every command of the clap tree
/// with its usage and options. clap_mangen writes roff only; this is the same walk, in Markdown.
pub fn markdown_reference() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut s = String::from(
        "# Commands\n\n<!-- generated from the clap command tree by `tollgate man --format markdown > docs/reference/commands.md`; do not edit -->\n\n\
         Every command and option, generated from the code (man pages: `docs/man/`, `tollgate man`).\n\
         Examples and explanations: [docs/commands.md](../commands.md). Exit codes: 0 pass, 1 policy\n\
         violation or failed verification, 2 usage or input error.\n",
    );
    walk(&mut cmd, "tollgate", true, &mut s);
    s
}

fn walk(cmd: &mut clap::Command, path: &str, top: bool, s: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(s, "\n## `{path}`\n\n");
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        let _ = writeln!(s, "{}\n", about.to_string().trim());
    }
    let usage = cmd.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    let _ = write!(s, "```text\n{usage}\n```\n");
    let rows: Vec<String> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && (top || !a.is_global_set()))
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .map(arg_row)
        .collect();
    if !rows.is_empty() {
        s.push_str("\n| option | description |\n| --- | --- |\n");
        for r in rows {
            s.push_str(&r);
        }
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .map(|c| c.get_name().to_owned())
        .collect();
    if !subs.is_empty() {
        s.push_str("\nCommands: ");
        let links: Vec<String> = subs.iter().map(|n| format!("`{path} {n}`")).collect();
        s.push_str(&links.join(", "));
        s.push('\n');
    }
    for name in subs {
        if let Some(sub) = cmd.find_subcommand_mut(&name) {
            walk(sub, &format!("{path} {name}"), false, s);
        }
    }
}

fn arg_row(a: &clap::Arg) -> String {
    let value = a
        .get_value_names()
        .map(|v| {
            v.iter()
                .map(|n| format!("<{n}>"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("<{}>", a.get_id().as_str().to_uppercase()));
    let takes_value = a.get_num_args().is_none_or(|n| n.takes_values());
    let name = match (a.get_long(), a.get_short()) {
        (Some(l), Some(c)) if takes_value => format!("`-{c}`, `--{l} {value}`"),
        (Some(l), Some(c)) => format!("`-{c}`, `--{l}`"),
        (Some(l), None) if takes_value => format!("`--{l} {value}`"),
        (Some(l), None) => format!("`--{l}`"),
        (None, Some(c)) => format!("`-{c}`"),
        (None, None) => format!("`{value}`"),
    };
    let mut help = a
        .get_long_help()
        .or(a.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default()
        .replace('\n', " ")
        .replace('|', "\\|");
    let help_ends = help.trim_end().ends_with(['.', '!', '?', ':']);
    if !help.is_empty() && !help_ends {
        help = format!("{}.", help.trim_end());
    }
    let possible: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| format!("`{}`", v.get_name()))
        .collect();
    if !possible.is_empty() && takes_value {
        help.push_str(&format!(" One of {}.", possible.join(", ")));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && takes_value {
        help.push_str(&format!(" Default: `{}`.", defaults.join(" ")));
    }
    if let Some(env) = a.get_env() {
        help.push_str(&format!(" Environment: `{}`.", env.to_string_lossy()));
    }
    format!("| {name} | {} |\n", help.trim())
}

//! Command-line definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  tollgate graph                      summary of every lockfile under the current directory
  tollgate graph Cargo.lock --format json
  tollgate why serde@1.0.130          every path from a root to serde 1.0.130
  tollgate why @babel/core --lockfile web/package-lock.json
  tollgate check                      the release gate: exit 1 when the policy is violated
  tollgate check --format sarif --output tollgate.sarif
  tollgate init                       write a commented tollgate.toml
  tollgate sbom -o bom.cdx.json       the graph as a CycloneDX 1.6 SBOM
  tollgate check --sbom bom.cdx.json --vex app.vex.json   the gate on a stored SBOM
  tollgate rescan sboms/ --state rescan.json   what is new since the last scan
  tollgate release dist/app.tar.gz --key rel.key   signed SBOM beside the artefact
  tollgate key generate --out rel     write rel.key (0600) and rel.pub
  tollgate attest verify --envelope app.intoto.json --key rel.pub --artifact app.tar.gz
  tollgate intoto verify --layout root.layout --layout-key owner.pub --link-dir links/
  tollgate completions bash > /etc/bash_completion.d/tollgate

Exit codes: 0 ok, 1 policy violation, 2 usage or input error.";

/// Stops a compromised or vulnerable dependency from reaching a release.
#[derive(Debug, Parser)]
#[command(name = "tollgate", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's command line.
    ///
    /// `tollgate check …`, the command CI runs on every build, is first parsed against a tree
    /// that holds only `check`: clap builds the arguments of every command before it parses
    /// (about 0.5 ms of a 5.8 ms `check`). Whatever the narrow tree does not accept as a
    /// successful parse (`--help`, `--version`, any error, a global flag before the command) is
    /// parsed again by the full tree, so help, suggestions and error messages are the full
    /// tree's. A test holds the two parses equal.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        if let Some(cli) = Self::parse_check_only(&args) {
            return Ok(cli);
        }
        <Cli as Parser>::try_parse_from(args)
    }

    /// The narrow parse of [`Cli::parse_args`]: `Some` only for a `check` command line the
    /// check-only tree parses without error.
    fn parse_check_only(args: &[std::ffi::OsString]) -> Option<Cli> {
        use clap::FromArgMatches;
        if args.get(1).is_none_or(|a| a != "check") {
            return None;
        }
        let check =
            <crate::cmd::check::CheckArgs as Args>::augment_args(clap::Command::new("check"));
        let tree =
            <GlobalArgs as Args>::augment_args(clap::Command::new("tollgate")).subcommand(check);
        let matches = tree.try_get_matches_from(args).ok()?;
        Cli::from_arg_matches(&matches).ok()
    }
}

/// Options shared by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// When to colour the output (NO_COLOR in the environment means never, unless `always`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more (warnings in full; repeat for debug detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Text for people.
    Human,
    /// JSON for machines.
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// Markdown (PR comments, job summaries).
    Markdown,
}

impl std::fmt::Display for OutputFormat {
    /// The spelling on the command line (`sarif`, not `Sarif`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_possible_value() {
            Some(v) => f.write_str(v.get_name()),
            None => write!(f, "{self:?}"),
        }
    }
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Which lockfiles to read.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// A lockfile or a directory to search (default: the current directory).
    pub path: Option<PathBuf>,
    /// A lockfile to read (repeatable); combines with PATH.
    #[arg(long = "lockfile", value_name = "FILE")]
    pub lockfiles: Vec<PathBuf>,
    /// Largest lockfile read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = tollgate_verifier::lockfile::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Policy file (default: tollgate.toml in PATH's directory, else in the current directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Where a command's report goes: `-o/--output FILE`, flattened into every command that
/// reports (see `cmd::reporting`). The file is written beside itself and renamed over FILE only
/// when the command ends with exit 0 or 1; on exit 2 it is left as it was.
#[derive(Debug, Args, Clone, Default)]
pub struct ReportArgs {
    /// Write the report to FILE instead of standard output (`-`: standard output). FILE is
    /// replaced whole, and only when the command ends with exit 0 or 1.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl ReportArgs {
    /// The file the report goes to; `None` for standard output (no `--output`, or `-`).
    pub fn file(&self) -> Option<&std::path::Path> {
        self.output
            .as_deref()
            .filter(|p| *p != std::path::Path::new("-"))
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read lockfiles into one dependency graph and summarise it (--format json prints it all).
    Graph(GraphArgs),
    /// Show the paths from the roots to a package: why is it in the graph?
    Why(WhyArgs),
    /// Check the graph against advisories and the policy: the release gate (exit 1 on violation).
    Check(crate::cmd::check::CheckArgs),
    /// Write a commented tollgate.toml, or convert cargo-audit / cargo-deny settings (--from).
    Init(crate::cmd::check::InitArgs),
    /// Manage the advisory database: import, update, status.
    Db(crate::cmd::db::DbArgs),
    /// Sign and verify DSSE attestations with keys; check SLSA provenance against a policy.
    Attest(crate::cmd::attest::AttestArgs),
    /// Verify in-toto supply-chain layouts and links.
    Intoto(crate::cmd::intoto::IntotoArgs),
    /// Generate signing keys and show key ids.
    Key(crate::cmd::key::KeyArgs),
    /// Verify and seal the hash-chained audit log of gate decisions (check --audit-log).
    Audit(crate::cmd::audit::AuditArgs),
    /// Sign waiver approvals ([policy] require-approved-waivers).
    Waiver(crate::cmd::waiver::WaiverArgs),
    /// Write the graph as a CycloneDX SBOM (1.6 JSON; byte-reproducible with SOURCE_DATE_EPOCH).
    Sbom(crate::cmd::sbom::SbomArgs),
    /// Write and sign the release SBOM beside the artefacts (SBOM + .sig + .intoto.jsonl).
    Release(crate::cmd::release::ReleaseArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(crate::cmd::shell::CompletionsArgs),
    /// Print the man page, or write one page per command with --dir.
    Man(crate::cmd::shell::ManArgs),
    /// Re-match stored SBOMs against today's advisories: what is new since the last scan.
    Rescan(crate::cmd::rescan::RescanArgs),
}

/// `tollgate graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `tollgate why`.
#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The package: NAME or NAME@VERSION (npm scopes allowed: @scope/name@1.0.0).
    pub package: String,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Paths shown per matching package.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: ReportArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn argv(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    /// The narrow `check` parse gives exactly what the full tree gives, or defers to it.
    #[test]
    fn check_only_parse_equals_the_full_parse() {
        let lines = [
            "tollgate check",
            "tollgate check .",
            "tollgate check web --lockfile a/Cargo.lock --lockfile b/package-lock.json",
            "tollgate check --format json --fail-on high --fail-on-overdue",
            "tollgate check -q --color never --now 2026-01-02 --db idx --max-db-age-days 3",
            "tollgate check --sbom bom.json --vex v.json --allow-empty-db --fail-on-stale-db",
            "tollgate check --config t.toml --max-file-size 1000 -vv",
            "tollgate check --verify-registry --format sarif --output out.sarif",
            "tollgate check --format markdown --audit-log log.jsonl",
        ];
        for line in lines {
            let args = argv(line);
            let narrow = Cli::parse_check_only(&args)
                .unwrap_or_else(|| panic!("the narrow tree refused `{line}`"));
            let full = <Cli as Parser>::try_parse_from(&args)
                .unwrap_or_else(|e| panic!("the full tree refused `{line}`: {e}"));
            assert_eq!(format!("{narrow:?}"), format!("{full:?}"), "{line}");
        }
    }

    /// Help, version, errors and other commands are the full tree's to handle.
    #[test]
    fn check_only_parse_defers_everything_else() {
        for line in [
            "tollgate check --help",
            "tollgate check -h",
            "tollgate check --version",
            "tollgate check --fail-on extreme",
            "tollgate check --no-such-flag",
            "tollgate check a b",
            "tollgate --format json check",
            "tollgate graph",
            "tollgate",
        ] {
            assert!(Cli::parse_check_only(&argv(line)).is_none(), "{line}");
        }
    }
}

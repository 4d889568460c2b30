//! Command dispatch: one module per command group. No business logic lives here.

pub mod attest;
mod attest_bundle;
mod attest_compare;
mod attest_npm;
pub mod attest_policy;
mod attest_provenance;
mod attest_vsa;
pub mod audit;
pub mod check;
pub mod db;
pub mod evidence;
mod graph;
pub mod intoto;
pub mod key;
pub mod registry;
pub mod release;
pub mod rescan;
pub mod sbom;
pub mod shell;
pub mod waiver;

use std::path::Path;

use crate::Outcome;
use crate::args::{Cli, Command, OutputFormat, ReportArgs};
use crate::output::Output;

/// Human and JSON.
const HUMAN_JSON: &[OutputFormat] = &[OutputFormat::Human, OutputFormat::Json];
/// Human only (text that has no JSON form).
const HUMAN: &[OutputFormat] = &[OutputFormat::Human];
/// Every format.
const ALL: &[OutputFormat] = &[
    OutputFormat::Human,
    OutputFormat::Json,
    OutputFormat::Sarif,
    OutputFormat::Markdown,
];

/// A command that reports: its name, the `--format`s it renders, its `-o/--output`.
pub struct Reporting<'a> {
    /// The command as typed (`sbom verify`).
    pub name: &'static str,
    /// The formats it renders; any other `--format` is refused (exit 2).
    pub formats: &'static [OutputFormat],
    /// Its `-o/--output`.
    pub report: &'a ReportArgs,
}

/// The reporting commands. `init` (writes tollgate.toml), `completions` and `man` write
/// artefacts, not reports: they have no `--output`.
pub fn reporting(c: &Command) -> Option<Reporting<'_>> {
    use attest::AttestCommand as A;
    let r = |name, formats, report| {
        Some(Reporting {
            name,
            formats,
            report,
        })
    };
    match c {
        Command::Graph(a) => r("graph", HUMAN_JSON, &a.report),
        Command::Why(a) => r("why", HUMAN_JSON, &a.report),
        Command::Check(a) => r("check", ALL, &a.report),
        Command::Init(_) | Command::Completions(_) | Command::Man(_) => None,
        Command::Db(a) => match &a.command {
            db::DbCommand::Import(i) => r("db import", HUMAN_JSON, &i.report),
            db::DbCommand::Update(u) => r("db update", HUMAN_JSON, &u.report),
            db::DbCommand::Status(s) => r("db status", HUMAN_JSON, &s.report),
        },
        Command::Attest(a) => match &a.command {
            A::Verify(v) => r("attest verify", HUMAN_JSON, &v.report),
            A::Sign(s) => r("attest sign", HUMAN_JSON, &s.report),
            A::PolicyCheck(p) => r("attest policy-check", HUMAN_JSON, &p.report),
            A::VerifyProvenance(p) => r("attest verify-provenance", HUMAN_JSON, &p.report),
            A::VerifyVsa(p) => r("attest verify-vsa", HUMAN_JSON, &p.report),
            A::VerifyNpm(p) => r("attest verify-npm", HUMAN_JSON, &p.report),
            A::Compare(p) => r("attest compare", HUMAN_JSON, &p.report),
        },
        Command::Intoto(a) => match &a.command {
            intoto::IntotoCommand::Verify(v) => r("intoto verify", HUMAN_JSON, &v.report),
        },
        Command::Key(a) => match &a.command {
            key::KeyCommand::Generate(g) => r("key generate", HUMAN_JSON, &g.report),
            key::KeyCommand::Id(i) => r("key id", HUMAN_JSON, &i.report),
        },
        Command::Audit(a) => match &a.command {
            audit::AuditCommand::Verify(v) => r("audit verify", HUMAN_JSON, &v.report),
            // json is accepted as it always was (the checkpoint is the same signed note).
            audit::AuditCommand::Seal(s) => r("audit seal", HUMAN_JSON, &s.report),
        },
        Command::Waiver(a) => match &a.command {
            waiver::WaiverCommand::Approve(w) => r("waiver approve", HUMAN, &w.report),
        },
        Command::Sbom(a) => match &a.action {
            // The SBOM is CycloneDX JSON whatever the format; sarif and markdown are refused.
            None => r("sbom", HUMAN_JSON, &a.write.report),
            Some(sbom::SbomAction::Sign(s)) => r("sbom sign", HUMAN, &s.report),
            Some(sbom::SbomAction::Verify(v)) => r("sbom verify", HUMAN_JSON, &v.report),
            Some(sbom::SbomAction::Vex(v)) => r("sbom vex", HUMAN_JSON, &v.report),
        },
        Command::Release(a) => r("release", HUMAN, &a.report),
        Command::Rescan(a) => match &a.action {
            None => r("rescan", HUMAN_JSON, &a.report),
            Some(rescan::RescanAction::Merge(m)) => r("rescan merge", HUMAN_JSON, &m.report),
        },
    }
}

/// The file a command's report goes to; `None` for stdout (no `--output`, or `-`).
pub fn report_path(c: &Command) -> Option<&Path> {
    reporting(c).and_then(|r| r.report.file())
}

/// Refuses a `--format` the command does not render (exit 2), naming it as typed.
pub fn require_format(
    name: &str,
    format: OutputFormat,
    formats: &[OutputFormat],
) -> anyhow::Result<()> {
    if formats.contains(&format) {
        return Ok(());
    }
    let names: Vec<String> = formats.iter().map(ToString::to_string).collect();
    let choice = match names.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    };
    anyhow::bail!("`{name}` does not support --format {format}; use {choice}")
}

/// Runs the parsed command: its `--format` checked, its report written through one writer
/// (stdout, or `--output`'s file, replaced only when the command ends with exit 0 or 1).
pub fn run(cli: &Cli, out: &mut Output) -> anyhow::Result<Outcome> {
    if let Some(r) = reporting(&cli.command) {
        require_format(r.name, cli.global.format, r.formats)?;
    }
    let file = report_path(&cli.command);
    if let Some(f) = file {
        let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
        crate::report::refuse_inputs(f, &args)?;
    }
    out.open_report(file)?;
    match dispatch(cli, out) {
        Ok(outcome) => {
            out.commit_report()?;
            Ok(outcome)
        }
        Err(e) => {
            out.discard_report();
            Err(e)
        }
    }
}

/// Runs the command.
fn dispatch(cli: &Cli, out: &Output) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Graph(a) => graph::graph(a, &cli.global, out),
        Command::Why(a) => graph::why(a, &cli.global, out),
        Command::Check(a) => check::check(a, &cli.global, out),
        Command::Init(a) => check::init(a, out),
        Command::Db(a) => db::run(a, &cli.global, out),
        Command::Attest(a) => attest::run(a, &cli.global, out),
        Command::Intoto(a) => intoto::run(a, &cli.global, out),
        Command::Key(a) => key::run(a, &cli.global, out),
        Command::Audit(a) => audit::run(a, &cli.global, out),
        Command::Waiver(a) => waiver::run(a, &cli.global, out),
        Command::Sbom(a) => sbom::run(a, &cli.global, out),
        Command::Release(a) => release::release(a, out),
        Command::Completions(a) => shell::completions(a),
        Command::Man(a) => shell::man(a, &cli.global),
        Command::Rescan(a) => rescan::run(a, &cli.global, out),
    }
}

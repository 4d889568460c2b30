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

use crate::Outcome;
use crate::args::{Cli, Command};
use crate::output::Output;

/// Runs the parsed command.
pub fn run(cli: &Cli, out: &Output) -> anyhow::Result<Outcome> {
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

//! `inconsistent`: a lockfile entry depends on a package the lockfile does not contain (or names
//! it ambiguously). Cargo and npm skip such dependencies and resolve them afresh at the next
//! install, so the lock no longer pins what is built: a lockfile cut at a line boundary, a merge
//! gone wrong or a hand edit leaves exactly this. The parsers record every such dependency as
//! typed data ([`crate::lockfile::UnresolvedDep`] in [`crate::graph::Graph::unresolved`]); this
//! check only reports them.
//!
//! Not reported: dependencies that npm itself leaves uninstalled (optional and peer
//! dependencies, dev dependencies of workspaces, requirements of optional v1 nodes).

mod config;

pub use config::Config;

use crate::finding::{Code, Finding, FixHint};
use crate::lockfile::UnresolvedReason;
use crate::package::Ecosystem;

use super::CheckCx;
use super::support::{finding, package_matches};

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, out: &mut Vec<Finding>) {
    let cfg = &cx.config.lockfile.inconsistent;
    if !cfg.enabled {
        return;
    }
    for (id, dep) in &cx.graph.unresolved {
        let p = cx.graph.package(*id);
        if package_matches(&cfg.ignore, p) {
            continue;
        }
        let file = cx
            .graph
            .lockfiles
            .get(dep.lockfile as usize)
            .map_or("the lockfile", |l| l.display.as_str());
        let what = match dep.reason {
            UnresolvedReason::Missing => "a package the lockfile does not contain",
            UnresolvedReason::Ambiguous => "a package the lockfile does not pin down",
            UnresolvedReason::Malformed => "a malformed dependency",
        };
        let regenerate = match p.ecosystem {
            Ecosystem::Cargo => "`cargo generate-lockfile` (or `cargo update -w`)",
            Ecosystem::Npm => "`npm install --package-lock-only`",
        };
        let mut f = finding(
            cx,
            *id,
            Code::Inconsistent,
            cfg.severity,
            format!("{} depends on {what}: \"{}\"", p.display_name(), dep.spec),
            format!(
                "{file} lists \"{}\" as a dependency of {}, and it {}. The tool skips such a dependency and resolves it afresh at the next install, so the lockfile does not pin it: the file was cut short, merged badly or edited by hand. Regenerate it with {regenerate} and commit it.",
                dep.spec,
                p.display_name(),
                dep.why
            ),
            Some(FixHint::Advice(format!(
                "regenerate the lockfile with {regenerate}"
            ))),
        );
        // One finding per dependency, at the dependency's line.
        f.id = format!(
            "{}:{}:{}",
            Code::Inconsistent.id(),
            p.display_name(),
            dep.spec
        );
        if let Some(loc) = &mut f.location
            && dep.line > 0
        {
            loc.line = dep.line;
        }
        out.push(f);
    }
}

//! `inconsistent`: a lockfile entry depends on a package the lockfile does not contain (or names
//! it ambiguously). Cargo and npm skip such dependencies and resolve them afresh at the next
//! install, so the lock no longer pins what is built: a lockfile cut at a line boundary, a merge
//! gone wrong or a hand edit leaves exactly this. The parsers record every such dependency as
//! typed data ([`crate::lockfile::UnresolvedDep`] in [`crate::graph::Graph::unresolved`]); this
//! check only reports them.
//!
//! Not reported: dependencies that npm itself leaves uninstalled (optional and peer
//! dependencies, dev dependencies of installed packages, dependencies of link targets outside
//! the project, requirements of optional v1 nodes).

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::lockfile::UnresolvedReason;
use crate::package::Ecosystem;

use super::CheckCx;
use super::support::finding;

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    for (id, dep) in &cx.graph.unresolved {
        let p = cx.graph.package(*id);
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
            cfg.settings.severity,
            format!("{} depends on {what}: \"{}\"", p.display_name(), dep.spec),
            format!(
                "{file} lists \"{}\" as a dependency of {}, and it {}. The tool skips such a dependency and resolves it afresh at the next install, so the lockfile does not pin it: the file was cut short, merged badly or edited by hand. Regenerate it with {regenerate} and commit it.",
                dep.spec,
                p.display_name(),
                dep.why
            ),
            Some(FixHint::RegenerateLockfile {
                command: regenerate.to_owned(),
            }),
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::checks::{CheckCx, ChecksConfig};
    use crate::finding::{Code, Finding, Severity};
    use crate::{LoadOptions, load_graph};

    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/graph")
            .join(name)
    }

    fn run(file: &str, config: &ChecksConfig) -> Vec<Finding> {
        let graph = load_graph(&[testdata(file)], &LoadOptions::default()).unwrap();
        let cx = CheckCx::new(&graph, Path::new("."), config);
        // Through the table: the common block (`enabled`, `ignore`) is applied there.
        crate::checks::run_checks(&cx)
            .into_iter()
            .filter(|f| f.code == Code::Inconsistent)
            .collect()
    }

    #[test]
    fn each_dependency_the_lock_lacks_is_one_blocking_finding_at_its_line() {
        let found = run("cargo-v4-unresolved.lock", &ChecksConfig::default());
        let specs: Vec<&str> = found
            .iter()
            .map(|f| f.title.rsplit('"').nth(1).unwrap_or_default())
            .collect();
        assert_eq!(
            specs,
            [
                "serde_spanned 0.6.6",
                "toml_datetime 0.6.6",
                "toml_edit 0.22.14"
            ]
        );
        for f in &found {
            assert_eq!(f.code, Code::Inconsistent);
            assert_eq!(f.severity, Severity::High);
            assert_eq!(f.package.as_ref().unwrap().name, "toml");
        }
        let lines: Vec<u32> = found
            .iter()
            .map(|f| f.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, [187, 188, 189]);
        let mut ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3, "unique ids");
    }

    #[test]
    fn configured_off_lower_or_ignored_and_silent_on_a_whole_lock() {
        let mut c = ChecksConfig::default();
        c.lockfile.inconsistent.settings.severity = Some(Severity::Low);
        assert!(
            run("cargo-v4-unresolved.lock", &c)
                .iter()
                .all(|f| f.severity == Severity::Low)
        );
        c.lockfile.inconsistent.settings.ignore = vec!["toml@0.8.*".into()];
        assert!(run("cargo-v4-unresolved.lock", &c).is_empty());
        let mut c = ChecksConfig::default();
        c.lockfile.inconsistent.settings.enabled = false;
        assert!(run("cargo-v4-unresolved.lock", &c).is_empty());
        // Negative twin: a complete lockfile (with git dependency strings that name the source
        // without its `#commit`, as Cargo writes them) has none.
        assert!(run("cargo-v4-git/Cargo.lock", &ChecksConfig::default()).is_empty());
    }
}

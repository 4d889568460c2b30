//! `install-script`: an npm package runs a `preinstall` / `install` / `postinstall` script
//! (`hasInstallScript: true` in lockfile v2/v3; v1 lockfiles do not record it).

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};

use super::CheckCx;
use super::support::{finding, package_matches};

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    for (id, p) in cx.graph.packages() {
        if !p.npm.as_ref().is_some_and(|n| n.has_install_script) {
            continue;
        }
        let denied = package_matches(&cfg.deny, p);
        if !denied && package_matches(&cfg.allow, p) {
            continue;
        }
        let (severity, why) = if denied {
            (Some(cfg.deny_severity), " (on the deny list)")
        } else {
            (cfg.settings.severity, "")
        };
        out.push(finding(
            cx,
            id,
            Code::InstallScript,
            severity,
            format!("{} runs an install script{why}", p.display_name()),
            format!(
                "{} declares an install script: `npm install` runs its code on the build machine. Review it and add the package to [pinning.install-script] allow, or install with --ignore-scripts.",
                p.display_name()
            ),
            Some(FixHint::ReviewInstallScript),
        ));
    }
}

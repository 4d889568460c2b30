//! `tarball-mismatch`: an npm registry URL (`resolved`) names another package or version than
//! its lockfile entry, e.g. `node_modules/left-pad` at 1.3.0 resolved from
//! `…/evil/-/evil-6.6.6.tgz`.
//!
//! Why: npm installs whatever `resolved` points at and checks it only against the lockfile's own
//! `integrity`, which the same edit can replace. A lockfile change in a pull request that swaps a
//! tarball URL is invisible in review (the entry's name and version stay), the "lockfile
//! injection" that lockfile-lint's `validate-package-names` guards against. The other checks do
//! not see it: the host is an allowed registry (`unknown-source`), the hash is strong
//! (`weak-hash`), and `--verify-registry` compares against the record of the *entry's* name.
//!
//! Registry URLs have the layout `<base>/<name>/-/<unscoped-name>-<version>.tgz` (a scope's `/`
//! may be written `%2f`); only URLs with the `/-/` separator are judged. Aliases are judged by
//! the real name (what the registry serves), which is the package's name.

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::package::{Ecosystem, Package, Source};

use super::CheckCx;
use super::support::finding;

/// The `(name, file)` a registry tarball URL names, if it has the registry layout.
fn url_parts(url: &str) -> Option<(String, &str)> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let (before, file) = path.rsplit_once("/-/")?;
    if file.contains('/') {
        return None;
    }
    // The name is the last segment before `/-/`, or the last two for a scope.
    let mut segs = before.rsplit('/');
    let last = segs.next()?;
    let name = match segs.next() {
        Some(scope) if scope.starts_with('@') => format!("{scope}/{last}"),
        _ => last.to_owned(),
    };
    Some((name.replace("%2f", "/").replace("%2F", "/"), file))
}

/// Why `p`'s registry URL does not belong to it, or `None`.
pub fn mismatch(p: &Package) -> Option<String> {
    if p.ecosystem != Ecosystem::Npm || p.version.is_empty() {
        return None;
    }
    let Source::Registry { url: Some(url), .. } = &p.source else {
        return None;
    };
    let (name, file) = url_parts(url)?;
    let unscoped = p.name.rsplit('/').next().unwrap_or(&p.name);
    let want = format!("{unscoped}-{}.tgz", p.version);
    if name != p.name {
        Some(format!("names package `{name}`"))
    } else if file != want {
        Some(format!("names file `{file}`, not `{want}`"))
    } else {
        None
    }
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    for (id, p) in cx.graph.packages() {
        let Some(why) = mismatch(p) else {
            continue;
        };
        out.push(finding(
            cx,
            id,
            Code::TarballMismatch,
            cfg.settings.severity,
            format!("{} is resolved from another package's tarball", p.display_name()),
            format!(
                "The lockfile entry of {} resolves from a registry URL that {why}: npm would install that tarball under this name. A lockfile edit that swaps `resolved` is invisible in review; regenerate the lockfile from the registry and review the change.",
                p.display_name()
            ),
            Some(FixHint::RegenerateLockfile {
                command: "`npm install --package-lock-only`".into(),
            }),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::url_parts;

    #[test]
    fn registry_urls_name_their_package() {
        assert_eq!(
            url_parts("https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"),
            Some(("left-pad".to_owned(), "left-pad-1.3.0.tgz"))
        );
        assert_eq!(
            url_parts("https://r.example/npm/@s/a/-/a-1.0.0.tgz"),
            Some(("@s/a".to_owned(), "a-1.0.0.tgz"))
        );
        assert_eq!(
            url_parts("https://r.example/@s%2fa/-/a-1.0.0.tgz"),
            Some(("@s/a".to_owned(), "a-1.0.0.tgz"))
        );
        assert_eq!(url_parts("https://cdn.example/a-1.0.0.tgz"), None);
    }
}

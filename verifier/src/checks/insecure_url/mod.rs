//! `insecure-url`: a package is fetched over a transport without authentication or integrity:
//! `http://` (registry index, resolved tarball, git over http) or `git://`.
//! `https://`, `ssh://`, `git+ssh://` and scp-like `git@host:` are fine.

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::redact::redact_url;

use super::CheckCx;
use super::support::{finding, host_and_path, scheme, scheme_str, url_set};

/// `true` when a URL uses a plain-text transport.
pub fn is_insecure(url: &str) -> bool {
    scheme_str(url).is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("git"))
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    // The URLs of the last package found clean: every crates.io package holds the same ones,
    // and the verdict depends on the URLs and the config alone.
    let mut clean: Option<[Option<&str>; 3]> = None;
    for (id, p) in cx.graph.packages() {
        let urls = url_set(p);
        if clean == Some(urls) {
            continue;
        }
        let Some(bad) = urls.into_iter().flatten().find(|u| {
            is_insecure(u)
                && !host_and_path(u).is_some_and(|(h, _)| {
                    cfg.allow_hosts.iter().any(|a| a.eq_ignore_ascii_case(&h))
                })
        }) else {
            clean = Some(urls);
            continue;
        };
        let scheme = scheme(bad).unwrap_or_default();
        out.push(finding(
            cx,
            id,
            Code::InsecureUrl,
            cfg.settings.severity,
            format!("{} is fetched over {scheme}://", p.display_name()),
            format!(
                "{} is fetched from {}: {scheme}:// has no transport security, so anyone on the path can swap the content. Use https:// (or ssh for git).",
                p.display_name(),
                redact_url(bad)
            ),
            Some(FixHint::UseHttps),
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn schemes() {
        assert!(super::is_insecure("http://registry.npmjs.org/a/-/a-1.tgz"));
        assert!(super::is_insecure("git://github.com/a/b.git"));
        assert!(super::is_insecure("git+http://h/a.git"));
        assert!(super::is_insecure("registry+http://h/index"));
        assert!(!super::is_insecure("git+ssh://git@github.com/a/b.git"));
        assert!(!super::is_insecure("https://h/x"));
    }
}

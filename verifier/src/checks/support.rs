//! Helpers shared by the checks: patterns, URL pieces and finding constructors.

use crate::finding::PackageRef;
use crate::finding::{Code, Finding, FixHint, Severity};
use crate::graph::Graph;
use crate::graph::PackageId;
use crate::package::Ecosystem;
use crate::package::Package;

use super::CheckCx;

/// Matches `s` against a glob where `*` stands for any run of characters (case-sensitive).
pub fn glob_match(pattern: &str, s: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// `true` when any pattern matches the package's name or `name@version`.
pub fn package_matches(patterns: &[String], p: &Package) -> bool {
    name_matches(patterns, &p.name, &p.version)
}

/// `true` when any pattern matches `name` or `name@version`.
pub fn name_matches(patterns: &[String], name: &str, version: &str) -> bool {
    patterns.iter().any(|pat| {
        glob_match(pat, name)
            || (pat.contains('@') && glob_match(pat, &format!("{name}@{version}")))
    })
}

pub(crate) use crate::source_urls::*;

/// Builds a package finding, applying the check's severity override.
pub(crate) fn finding(
    cx: &CheckCx<'_>,
    id: PackageId,
    code: Code,
    severity: Option<Severity>,
    title: String,
    message: String,
    fix: Option<FixHint>,
) -> Finding {
    let mut f = Finding::for_package(cx.graph, id, code, title);
    if let Some(s) = severity {
        f.severity = s;
    }
    f.message = message;
    f.fix = fix;
    f
}

/// The lock's path package of a name, if there is exactly one candidate (else the first).
pub(crate) fn locked_path_package(graph: &Graph, lockfile: u32, name: &str) -> Option<PackageId> {
    graph
        .packages()
        .find(|(_, p)| {
            p.location.lockfile == lockfile
                && p.name == name
                && matches!(p.source, crate::package::Source::Path)
        })
        .map(|(id, _)| id)
}

/// A finding about a locked package (`Some`) or, when the lock has none, about a declared name.
pub(crate) fn subject_finding(
    cx: &CheckCx<'_>,
    ecosystem: Ecosystem,
    subject: Option<PackageId>,
    name: &str,
    code: Code,
    title: String,
) -> Finding {
    let mut f = match subject {
        Some(id) => Finding::for_package(cx.graph, id, code, title),
        None => Finding {
            id: String::new(),
            code,
            ids: Vec::new(),
            severity: code.default_severity(),
            package: Some(PackageRef {
                ecosystem,
                name: name.to_owned(),
                version: String::new(),
                id: name.to_owned(),
                purl: crate::purl::purl_of(ecosystem, name, ""),
            }),
            path: vec![name.to_owned()],
            location: None,
            title,
            message: String::new(),
            fix: None,
            advisory: None,
            scopes: Vec::new(),
            dev_optional: false,
        },
    };
    // Drift concerns the lockfile as a whole: `npm ci` and `cargo --locked` refuse a drifted
    // dev dependency as much as a runtime one, so scope filters do not apply.
    f.scopes.clear();
    f.dev_optional = false;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("@corp/*", "@corp/x"));
        assert!(!glob_match("@corp/*", "@corpx/x"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("a*c", "abbbc"));
        assert!(!glob_match("a*c", "abbbd"));
    }

    #[test]
    fn registry_normalisation() {
        assert!(under_registry(
            "https://registry.npmjs.org/a/-/a-1.tgz",
            "https://registry.npmjs.org/"
        ));
        assert!(!under_registry(
            "https://registry.npmjs.org.evil/a/-/a-1.tgz",
            "https://registry.npmjs.org/"
        ));
        assert!(under_registry(
            "sparse+https://index.crates.io/",
            "https://index.crates.io"
        ));
        assert!(under_registry(
            "https://u:p@npm.corp/x/-/x-1.tgz",
            "https://npm.corp"
        ));
    }

    #[test]
    fn under_registry_agrees_with_the_normalised_strings() {
        let urls = [
            "https://registry.npmjs.org/",
            "https://registry.npmjs.org/a/-/a-1.tgz",
            "https://REGISTRY.npmjs.org/a",
            "https://registry.npmjs.org.evil/a",
            "https://u:p@npm.corp/x/-/x-1.tgz",
            "npm.corp",
            "https://npm.corp:8443/x",
            "sparse+https://index.crates.io/",
            "registry+https://github.com/rust-lang/crates.io-index",
            "https://github.com/rust-lang/crates.io-index2",
            "https://h/Path/x?q=1#f",
            "https://h/path",
            "",
        ];
        for u in urls {
            for b in urls {
                let (nu, nb) = (normalize_registry(u), normalize_registry(b));
                let want = !nb.is_empty()
                    && (nu == nb
                        || (nu.starts_with(&nb) && nu.as_bytes().get(nb.len()) == Some(&b'/')));
                assert_eq!(under_registry(u, b), want, "{u:?} under {b:?}");
            }
        }
    }

    #[test]
    fn npm_base_finds_the_first_name_segment() {
        assert_eq!(
            npm_registry_base("https://r/-/npm/a/-/a-1.0.0.tgz", "a"),
            "https://r/-/npm/"
        );
        assert_eq!(
            npm_registry_base("https://r/xa/-/a-1.0.0.tgz", "a"),
            "https://r/"
        );
        assert_eq!(
            npm_registry_base("https://r/npm/@s%2Fa/-/a-1.0.0.tgz", "@s/a"),
            "https://r/npm/"
        );
    }

    #[test]
    fn npm_base() {
        assert_eq!(
            npm_registry_base("https://r.example/npm/@s/a/-/a-1.0.0.tgz", "@s/a"),
            "https://r.example/npm/"
        );
        assert_eq!(
            npm_registry_base("https://registry.npmjs.org/a/-/a-1.0.0.tgz", "a"),
            "https://registry.npmjs.org/"
        );
    }
}

//! npm dependency specs, classified the way `npm-package-arg` classifies them, and the test
//! `npm ci` applies to decide whether a locked node satisfies one (arborist's `dep-valid.js`).
//!
//! Written by hand: no Rust crate implements `npm-package-arg`; version ranges are delegated to
//! `nodejs-semver` (node-semver's grammar, loose mode, prereleases excluded unless named, as
//! `semver.satisfies(v, range, true)` does).

pub use crate::paths::relative;
use std::path::{Path, PathBuf};

use crate::lockfile::cargo_manifest::normalize;

/// A classified spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec<'a> {
    /// A semver version or range (`""`, `*` and `x` included).
    Range(&'a str),
    /// A dist-tag (`latest`, `next`).
    Tag(&'a str),
    /// `npm:name@spec`.
    Alias {
        /// The real package name.
        name: &'a str,
        /// The spec after `@` (a range or tag).
        sub: Box<Spec<'a>>,
    },
    /// A local folder (`file:../x`, `link:../x`, `./x`).
    Directory(&'a str),
    /// A local tarball (`file:../x.tgz`).
    Tarball(&'a str),
    /// A git repository.
    Git {
        /// Normalised repository id (`host/path`, see [`git_repo_id`]).
        repo: String,
        /// `#committish` (not `semver:`).
        committish: Option<&'a str>,
        /// `#semver:range`.
        range: Option<&'a str>,
    },
    /// A remote tarball URL.
    Remote(&'a str),
    /// `workspace:…` (pnpm / yarn; npm itself rejects it): the rest of the spec.
    Workspace(&'a str),
    /// Not a spec npm accepts.
    Invalid(String),
}

/// `true` for a file name npm treats as a tarball.
fn is_tarball_name(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.ends_with(".tgz") || l.ends_with(".tar.gz") || l.ends_with(".tar")
}

/// `npm-package-arg`'s `isFilespec`: `.`, `~/`, `/`, `\` or a drive letter at the start.
fn is_filespec(s: &str) -> bool {
    let b = s.as_bytes();
    s.starts_with('.')
        || s.starts_with("~/")
        || s.starts_with('/')
        || s.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// `user/repo` (optionally `#committish`): GitHub shorthand.
fn is_github_shorthand(s: &str) -> bool {
    let body = s.split('#').next().unwrap_or(s);
    let Some((user, repo)) = body.split_once('/') else {
        return false;
    };
    let bad = |c: char| matches!(c, ':' | '@' | '%' | '/') || c.is_whitespace();
    !user.is_empty()
        && !repo.is_empty()
        && !user.starts_with(['.', '-', '@'])
        && !user.chars().any(bad)
        && !repo.chars().any(bad)
}

fn looks_git(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    if [
        "git+",
        "git://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|p| l.starts_with(p))
    {
        return true;
    }
    // scp-like `git@host:user/repo`.
    if let Some((user_host, _)) = s.split_once(':')
        && user_host.contains('@')
        && !user_host.contains('/')
        && !s.contains("://")
    {
        return true;
    }
    // https://github.com/user/repo(.git) with nothing after the repository.
    for host in ["github.com/", "gitlab.com/", "bitbucket.org/"] {
        for scheme in ["https://", "http://"] {
            if let Some(rest) = l.strip_prefix(&format!("{scheme}{host}")) {
                let path = rest.split('#').next().unwrap_or(rest);
                return path.trim_end_matches('/').split('/').count() == 2;
            }
        }
    }
    false
}

/// Classifies a spec as `npm-package-arg` does (for the cases a `package.json` holds).
pub fn classify(spec: &str) -> Spec<'_> {
    let s = spec.trim();
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("npm:") {
        let rest = &s[4..];
        // The name may be scoped: the version separator is an `@` after the first character.
        let (name, sub) = match rest.get(1..).and_then(|r| r.find('@')) {
            Some(i) => (&rest[..i + 1], &rest[i + 2..]),
            None => (rest, ""),
        };
        if name.is_empty() {
            return Spec::Invalid(format!("`{s}` names no package"));
        }
        let sub = if sub.is_empty() {
            Spec::Tag("latest")
        } else {
            classify(sub)
        };
        return match sub {
            Spec::Range(_) | Spec::Tag(_) => Spec::Alias {
                name,
                sub: Box::new(sub),
            },
            _ => Spec::Invalid(format!(
                "`{s}`: an alias must point at a registry version, range or tag"
            )),
        };
    }
    if lower.starts_with("workspace:") {
        return Spec::Workspace(&s["workspace:".len()..]);
    }
    if lower.starts_with("link:") {
        return Spec::Directory(&s["link:".len()..]);
    }
    if lower.starts_with("file:") {
        let p = &s["file:".len()..];
        return if is_tarball_name(p) {
            Spec::Tarball(p)
        } else {
            Spec::Directory(p)
        };
    }
    if is_filespec(s) {
        return if is_tarball_name(s) {
            Spec::Tarball(s)
        } else {
            Spec::Directory(s)
        };
    }
    if looks_git(s) || is_github_shorthand(s) {
        let (url, frag) = match s.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (s, None),
        };
        let range = frag.and_then(|f| f.strip_prefix("semver:"));
        return Spec::Git {
            repo: git_repo_id(url),
            committish: frag.filter(|f| !f.starts_with("semver:") && !f.is_empty()),
            range,
        };
    }
    if let Some(i) = s.find("://") {
        let scheme = lower[..i].to_owned();
        return if scheme == "http" || scheme == "https" {
            Spec::Remote(s)
        } else {
            Spec::Invalid(format!("unsupported protocol `{scheme}:` in `{s}`"))
        };
    }
    if s.contains('/') || s.contains('\\') || is_tarball_name(s) {
        return if is_tarball_name(s) {
            Spec::Tarball(s)
        } else {
            Spec::Directory(s)
        };
    }
    if s.is_empty() || nodejs_semver::Range::parse(s).is_ok() {
        return Spec::Range(s);
    }
    let tag_char = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c);
    if s.chars().all(tag_char) {
        return Spec::Tag(s);
    }
    Spec::Invalid(format!("`{s}` is not a version, range, tag, URL or path"))
}

/// A repository id for comparing git specs and resolutions: `host/path`, host lower-cased,
/// without scheme, `git+`, user-info, port, `.git` and trailing `/` (all lower-cased for the
/// hosted services, which are case-insensitive). Shorthands expand to their hosts.
pub fn git_repo_id(url: &str) -> String {
    let u = url.trim();
    let u = u.split('#').next().unwrap_or(u);
    let u = u.strip_prefix("git+").unwrap_or(u);
    let expanded: String = if let Some(r) = u.strip_prefix("github:") {
        format!("github.com/{r}")
    } else if let Some(r) = u.strip_prefix("gitlab:") {
        format!("gitlab.com/{r}")
    } else if let Some(r) = u.strip_prefix("bitbucket:") {
        format!("bitbucket.org/{r}")
    } else if let Some(r) = u.strip_prefix("gist:") {
        format!("gist.github.com/{r}")
    } else if let Some(i) = u.find("://") {
        let rest = &u[i + 3..];
        let (auth, path) = match rest.find('/') {
            Some(j) => (&rest[..j], &rest[j..]),
            None => (rest, ""),
        };
        let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
        let host = host.split(':').next().unwrap_or(host);
        format!("{}{path}", host.to_ascii_lowercase())
    } else if let Some((user_host, path)) = u.split_once(':')
        && user_host.contains('@')
    {
        let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
        format!("{}/{path}", host.to_ascii_lowercase())
    } else {
        format!("github.com/{u}")
    };
    let mut id = expanded.trim_end_matches('/').to_owned();
    if let Some(s) = id.strip_suffix(".git") {
        id = s.to_owned();
    }
    let hosted = [
        "github.com/",
        "gitlab.com/",
        "bitbucket.org/",
        "gist.github.com/",
    ];
    if hosted
        .iter()
        .any(|h| id.to_ascii_lowercase().starts_with(h))
    {
        id = id.to_ascii_lowercase();
    }
    id
}

/// What the lock installed where a dependency resolves.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The real package name (differs from the install name for aliases).
    pub name: &'a str,
    /// The locked version.
    pub version: &'a str,
    /// `resolved`, as written.
    pub resolved: Option<&'a str>,
    /// For a link (or an npm v1 `file:` folder): the absolute folder it points at.
    pub link: Option<PathBuf>,
    /// The lockfile's directory (relative `resolved` paths start there).
    pub lock_dir: &'a Path,
}

/// `true` when `version` satisfies `range` as `semver.satisfies(version, range, true)` does.
pub fn range_satisfied(range: &str, version: &str) -> Result<bool, String> {
    let r = range.trim();
    if r.is_empty() || r == "*" {
        return Ok(true);
    }
    let range = nodejs_semver::Range::parse(r).map_err(|_| format!("`{r}` is not a range"))?;
    let v = version.trim().trim_start_matches(['v', '=']);
    match nodejs_semver::Version::parse(v) {
        Ok(v) => Ok(range.satisfies(&v)),
        Err(_) => Ok(false),
    }
}

/// Decides, as `npm ci` does, whether the target satisfies the spec declared in the package at
/// `base` (its directory). `Err` carries why not.
pub fn dep_valid(spec: &Spec<'_>, t: &Target<'_>, base: &Path) -> Result<(), String> {
    match spec {
        Spec::Range(r) => match range_satisfied(r, t.version)? {
            true => Ok(()),
            false if t.version.is_empty() => Err("the lock records no version".to_owned()),
            false => Err(format!(
                "locked version {} does not satisfy `{r}`",
                t.version
            )),
        },
        Spec::Tag(tag) => match t.resolved {
            Some(r) if r.starts_with("https://") || r.starts_with("http://") => Ok(()),
            // No `resolved` (arborist's `dep-missing-resolved`): the default registry is implied.
            None if t.link.is_none() => Ok(()),
            _ => Err(format!(
                "the dist-tag `{tag}` asks for a registry package, but the lock installs `{}`",
                t.resolved.unwrap_or("a local folder")
            )),
        },
        Spec::Alias { name, sub } => {
            if t.name != *name {
                return Err(format!(
                    "the alias asks for `{name}`, but the lock installs `{}` here",
                    t.name
                ));
            }
            dep_valid(sub, t, base)
        }
        Spec::Directory(p) => {
            let want = normalize(&base.join(p));
            match &t.link {
                // `~/` depends on the home directory of whoever installs: only the kind is checked.
                Some(_) if p.starts_with("~/") => Ok(()),
                Some(l) if *l == want => Ok(()),
                Some(l) => Err(format!(
                    "the lock links to {}, the manifest asks for {}",
                    rel_display(l, t.lock_dir),
                    rel_display(&want, t.lock_dir)
                )),
                None => Err(format!(
                    "the manifest asks for the folder {}, but the lock installs {} from {}",
                    rel_display(&want, t.lock_dir),
                    t.version,
                    t.resolved.unwrap_or("the registry")
                )),
            }
        }
        Spec::Workspace(rest) => {
            if t.link.is_none() {
                return Err(format!(
                    "`workspace:{rest}` asks for a workspace member, but the lock installs {} from {}",
                    t.version,
                    t.resolved.unwrap_or("the registry")
                ));
            }
            // `workspace:*`, `workspace:^`, `workspace:~` take whatever version the member has.
            match rest.trim() {
                "" | "*" | "^" | "~" => Ok(()),
                r => match range_satisfied(r, t.version)? {
                    true => Ok(()),
                    false => Err(format!(
                        "the workspace member's version {} does not satisfy `{r}`",
                        t.version
                    )),
                },
            }
        }
        Spec::Tarball(p) => {
            let want = normalize(&base.join(p));
            let got = t
                .resolved
                .and_then(|r| r.strip_prefix("file:"))
                .map(|r| normalize(&t.lock_dir.join(r)));
            match got {
                Some(g) if (g == want || p.starts_with("~/")) && t.link.is_none() => Ok(()),
                _ => Err(format!(
                    "the manifest asks for the tarball {}, but the lock resolved {}",
                    rel_display(&want, t.lock_dir),
                    t.resolved.unwrap_or("nothing")
                )),
            }
        }
        Spec::Remote(url) => match t.resolved {
            Some(r) if r == *url => Ok(()),
            other => Err(format!(
                "the manifest asks for {url}, but the lock resolved {}",
                other.unwrap_or("nothing")
            )),
        },
        Spec::Git {
            repo,
            committish,
            range,
        } => {
            let Some(res) = t.resolved.filter(|r| looks_git(r)) else {
                return Err(format!(
                    "the manifest asks for the git repository {repo}, but the lock resolved {}",
                    t.resolved.unwrap_or("nothing")
                ));
            };
            let got = git_repo_id(res);
            if got != *repo {
                return Err(format!(
                    "the manifest asks for the git repository {repo}, but the lock resolved {got}"
                ));
            }
            if let Some(c) = committish
                && c.len() == 40
                && c.bytes().all(|b| b.is_ascii_hexdigit())
            {
                let locked = res.split_once('#').map(|(_, f)| f).unwrap_or("");
                if !locked.eq_ignore_ascii_case(c) {
                    return Err(format!(
                        "the manifest pins commit {c}, but the lock resolved {}",
                        if locked.is_empty() {
                            "no commit"
                        } else {
                            locked
                        }
                    ));
                }
            }
            if let Some(r) = range
                && !range_satisfied(r, t.version)?
            {
                return Err(format!(
                    "locked version {} does not satisfy `semver:{r}`",
                    t.version
                ));
            }
            Ok(())
        }
        Spec::Invalid(why) => Err(format!("npm rejects this spec: {why}")),
    }
}

/// A path shown relative to `base` when it lies under it.
pub fn rel_display(p: &Path, base: &Path) -> String {
    let s = match p.strip_prefix(base) {
        Ok(r) if r.as_os_str().is_empty() => ".".to_owned(),
        Ok(r) => r.to_string_lossy().into_owned(),
        Err(_) => relative(p, base).to_string_lossy().into_owned(),
    };
    s.replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_like_npm_package_arg() {
        assert_eq!(classify("^1.2.0"), Spec::Range("^1.2.0"));
        assert_eq!(classify(""), Spec::Range(""));
        assert_eq!(classify("1.x || >=3 <4"), Spec::Range("1.x || >=3 <4"));
        assert_eq!(classify("latest"), Spec::Tag("latest"));
        assert_eq!(
            classify("npm:@s/real@^2"),
            Spec::Alias {
                name: "@s/real",
                sub: Box::new(Spec::Range("^2"))
            }
        );
        assert_eq!(classify("file:../x"), Spec::Directory("../x"));
        assert_eq!(classify("link:../x"), Spec::Directory("../x"));
        assert_eq!(classify("./x.tgz"), Spec::Tarball("./x.tgz"));
        assert_eq!(classify("workspace:*"), Spec::Workspace("*"));
        assert_eq!(
            classify("https://example.com/x-1.0.0.tgz"),
            Spec::Remote("https://example.com/x-1.0.0.tgz")
        );
        assert!(
            matches!(classify("user/repo#v1"), Spec::Git { repo, committish: Some("v1"), .. } if repo == "github.com/user/repo")
        );
        assert!(
            matches!(classify("github:User/Repo#semver:^2"), Spec::Git { repo, range: Some("^2"), .. } if repo == "github.com/user/repo")
        );
        assert!(
            matches!(classify("git+ssh://git@github.com/u/r.git"), Spec::Git { repo, .. } if repo == "github.com/u/r")
        );
        assert!(matches!(classify("ftp://x/y"), Spec::Invalid(_)));
        assert!(matches!(classify("not a spec!"), Spec::Invalid(_)));
    }

    #[test]
    fn git_ids_agree_across_forms() {
        let a = git_repo_id("git+ssh://git@github.com/npm/cli.git#abc");
        assert_eq!(a, git_repo_id("github:npm/cli"));
        assert_eq!(a, git_repo_id("https://github.com/NPM/cli"));
        assert_eq!(a, git_repo_id("git@github.com:npm/cli.git"));
        assert_ne!(a, git_repo_id("https://gitlab.com/npm/cli"));
    }

    fn target<'a>(version: &'a str, resolved: Option<&'a str>) -> Target<'a> {
        Target {
            name: "a",
            version,
            resolved,
            link: None,
            lock_dir: Path::new("/r"),
        }
    }

    #[test]
    fn accepts_satisfied_ranges_and_rejects_others() {
        let t = target("1.4.0", Some("https://registry.npmjs.test/a/-/a-1.4.0.tgz"));
        let base = Path::new("/r");
        assert!(dep_valid(&classify("^1.2.0"), &t, base).is_ok());
        assert!(dep_valid(&classify("*"), &t, base).is_ok());
        assert!(dep_valid(&classify("latest"), &t, base).is_ok());
        let e = dep_valid(&classify("^2.0.0"), &t, base).unwrap_err();
        assert!(e.contains("1.4.0") && e.contains("^2.0.0"), "{e}");
        // Prereleases satisfy only ranges that name them (and `*`).
        let pre = target("2.0.0-rc.1", None);
        assert!(dep_valid(&classify("^1.0.0 || ^2.0.0"), &pre, base).is_err());
        assert!(dep_valid(&classify("^2.0.0-rc.0"), &pre, base).is_ok());
        assert!(dep_valid(&classify("*"), &pre, base).is_ok());
    }

    #[test]
    fn folders_tarballs_git_and_remote_compare_by_source() {
        let base = Path::new("/r");
        let mut t = target("1.0.0", Some("packages/w"));
        t.link = Some(PathBuf::from("/r/packages/w"));
        assert!(dep_valid(&classify("file:packages/w"), &t, base).is_ok());
        assert!(dep_valid(&classify("workspace:^1.0.0"), &t, base).is_ok());
        assert!(dep_valid(&classify("file:packages/v"), &t, base).is_err());
        assert!(dep_valid(&classify("workspace:^2"), &t, base).is_err());
        let reg = target("1.0.0", Some("https://registry.npmjs.test/w/-/w-1.0.0.tgz"));
        assert!(dep_valid(&classify("file:packages/w"), &reg, base).is_err());
        assert!(dep_valid(&classify("workspace:*"), &reg, base).is_err());

        let tgz = target("1.0.0", Some("file:vendor/a-1.0.0.tgz"));
        assert!(dep_valid(&classify("file:./vendor/a-1.0.0.tgz"), &tgz, base).is_ok());
        assert!(dep_valid(&classify("file:./vendor/a-1.0.1.tgz"), &tgz, base).is_err());

        let sha = "0123456789abcdef0123456789abcdef01234567";
        let res = format!("git+ssh://git@github.com/u/r.git#{sha}");
        let g = target("2.1.0", Some(&res));
        assert!(dep_valid(&classify("u/r"), &g, base).is_ok());
        assert!(dep_valid(&classify(&format!("github:u/r#{sha}")), &g, base).is_ok());
        assert!(dep_valid(&classify("github:u/r#semver:^2"), &g, base).is_ok());
        assert!(dep_valid(&classify("github:u/r#semver:^3"), &g, base).is_err());
        assert!(dep_valid(&classify("github:u/other"), &g, base).is_err());
        let other = "1111111111111111111111111111111111111111";
        assert!(dep_valid(&classify(&format!("github:u/r#{other}")), &g, base).is_err());

        let url = "https://example.com/a-1.0.0.tgz";
        assert!(dep_valid(&classify(url), &target("1.0.0", Some(url)), base).is_ok());
        assert!(
            dep_valid(
                &classify(url),
                &target("1.0.0", Some("https://example.com/a-1.0.1.tgz")),
                base
            )
            .is_err()
        );
    }

    #[test]
    fn aliases_check_the_real_name() {
        let base = Path::new("/r");
        let mut t = target("2.0.0", None);
        t.name = "real";
        assert!(dep_valid(&classify("npm:real@^2"), &t, base).is_ok());
        assert!(dep_valid(&classify("npm:other@^2"), &t, base).is_err());
        assert!(dep_valid(&classify("npm:real@^3"), &t, base).is_err());
    }
}

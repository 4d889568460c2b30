//! Git source URIs (`git+https://github.com/o/r@refs/tags/v1`) and refs (`refs/heads/main`).

use std::fmt;

/// Normalises a source URI as slsa-verifier does (`NormalizeGitURI`): `github.com/o/r` and
/// `https://github.com/o/r` both become `git+https://github.com/o/r`; a `git+` URI is kept.
///
/// Comparison after normalisation is exact (case and trailing characters included): a source
/// is a repository name and a near miss is a different repository.
pub fn normalize_source_uri(s: &str) -> String {
    if s.starts_with("git+") {
        s.to_owned()
    } else if s.contains("://") {
        format!("git+{s}")
    } else {
        format!("git+https://{s}")
    }
}

/// A `git+` URI split at its first `@`: the repository and the ref (empty when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUri<'a> {
    /// `git+https://github.com/o/r`.
    pub repo: &'a str,
    /// `refs/heads/main`, or empty.
    pub git_ref: &'a str,
}

/// Why a URI is not a git URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedGitUri(pub String);

impl fmt::Display for MalformedGitUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("empty source URI")
        } else {
            write!(f, "`{}` is not a git URI (git+https://…)", self.0)
        }
    }
}

/// Splits `git+https://github.com/o/r@refs/heads/main` (slsa-verifier's `ParseGitURIAndRef`).
pub fn parse_git_uri(uri: &str) -> Result<GitUri<'_>, MalformedGitUri> {
    if uri.is_empty() || !uri.starts_with("git+") {
        return Err(MalformedGitUri(uri.to_owned()));
    }
    Ok(match uri.split_once('@') {
        Some((repo, git_ref)) => GitUri { repo, git_ref },
        None => GitUri {
            repo: uri,
            git_ref: "",
        },
    })
}

/// The kind of a git ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `refs/heads/…`.
    Branch,
    /// `refs/tags/…`.
    Tag,
}

impl RefKind {
    /// `branch` / `tag`.
    pub fn name(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
        }
    }
}

/// The name of a ref of the given kind: `refs/tags/v1.2.3` → `v1.2.3` (names may hold `/`).
/// `None` for another kind, a short or empty ref (slsa-verifier's `ValidateGitRef`).
pub fn ref_name(git_ref: &str, kind: RefKind) -> Option<&str> {
    let prefix = match kind {
        RefKind::Branch => "refs/heads/",
        RefKind::Tag => "refs/tags/",
    };
    git_ref.strip_prefix(prefix).filter(|n| !n.is_empty())
}

/// The kind of a full ref, if it is a branch or a tag.
pub fn ref_kind(git_ref: &str) -> Option<RefKind> {
    [RefKind::Branch, RefKind::Tag]
        .into_iter()
        .find(|k| ref_name(git_ref, *k).is_some())
}

/// `o/r` for a GitHub repository URI in any accepted form (`github.com/o/r`,
/// `https://github.com/o/r`, `git+https://github.com/o/r@ref`), else `None`.
pub fn github_repo(uri: &str) -> Option<&str> {
    let s = uri.strip_prefix("git+").unwrap_or(uri);
    let s = s.strip_prefix("https://").unwrap_or(s);
    let s = s.strip_prefix("github.com/")?;
    let s = s.split_once('@').map_or(s, |(r, _)| r);
    let mut parts = s.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !repo.is_empty() && parts.next().is_none()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_source_uri_forms() {
        let want = "git+https://github.com/o/r";
        for s in [
            "github.com/o/r",
            "https://github.com/o/r",
            "git+https://github.com/o/r",
        ] {
            assert_eq!(normalize_source_uri(s), want, "{s}");
        }
        // Near misses stay different.
        assert_ne!(normalize_source_uri("Agithub.com/o/r"), want);
        assert_ne!(normalize_source_uri("github.com/o/rA"), want);
        assert_ne!(normalize_source_uri("http://github.com/o/r"), want);
    }

    #[test]
    fn splits_git_uri_at_first_at() {
        let u = parse_git_uri("git+https://github.com/o/r@refs/tags/v1@x").unwrap();
        assert_eq!(u.repo, "git+https://github.com/o/r");
        assert_eq!(u.git_ref, "refs/tags/v1@x");
        let u = parse_git_uri("git+https://github.com/o/r").unwrap();
        assert_eq!(u.git_ref, "");
        assert!(parse_git_uri("https://github.com/o/r@refs/heads/main").is_err());
        assert!(parse_git_uri("").is_err());
    }

    #[test]
    fn names_refs_of_each_kind() {
        assert_eq!(ref_name("refs/tags/v1.2.3", RefKind::Tag), Some("v1.2.3"));
        assert_eq!(
            ref_name("refs/heads/feat/x", RefKind::Branch),
            Some("feat/x")
        );
        assert_eq!(ref_name("refs/heads/main", RefKind::Tag), None);
        assert_eq!(ref_name("refs/tags/", RefKind::Tag), None);
        assert_eq!(ref_name("v1.2.3", RefKind::Tag), None);
        assert_eq!(ref_name("", RefKind::Branch), None);
        assert_eq!(ref_kind("refs/pull/1/merge"), None);
    }

    #[test]
    fn extracts_github_repository() {
        for s in [
            "github.com/o/r",
            "https://github.com/o/r",
            "git+https://github.com/o/r@refs/heads/main",
        ] {
            assert_eq!(github_repo(s), Some("o/r"), "{s}");
        }
        for s in [
            "gitlab.com/o/r",
            "github.com/o",
            "github.com/o/r/x",
            "https://github.com//r",
        ] {
            assert_eq!(github_repo(s), None, "{s}");
        }
    }
}

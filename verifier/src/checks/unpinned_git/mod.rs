//! `unpinned-git`: a git dependency the lockfile does not lock to a full commit hash (40 hex
//! digits for SHA-1 repositories, 64 for SHA-256 ones). An abbreviated hash is not a pin: it can
//! become ambiguous, and it is not what the lockfile format writes when it pins.
//!
//! A `?branch=` / `?tag=` reference with a full `#commit` is pinned (the commit wins); the
//! message still names the floating reference.

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::package::{GitRef, Source};
use crate::redact::redact_url;

use super::CheckCx;
use super::support::finding;

/// `true` for a full commit id.
pub fn is_full_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    for (id, p) in cx.graph.packages() {
        let Source::Git(git) = &p.source else {
            continue;
        };
        let (url, reference, precise) = (&git.url, &git.reference, &git.precise);
        if precise.as_deref().is_some_and(is_full_commit) {
            continue;
        }
        let floating = match reference {
            GitRef::Branch(b) => format!("branch `{b}`"),
            GitRef::Tag(t) => format!("tag `{t}`"),
            GitRef::Rev(r) => format!("revision `{r}`"),
            GitRef::DefaultBranch => "the default branch".to_owned(),
        };
        let got = match precise {
            Some(c) => format!("an abbreviated commit `{c}`"),
            None => "no commit".to_owned(),
        };
        out.push(finding(
            cx,
            id,
            Code::UnpinnedGit,
            cfg.settings.severity,
            format!("{} follows {floating} of a git repository", p.display_name()),
            format!(
                "{} comes from {} ({floating}) and the lockfile records {got}: the next install may fetch different code. Pin the dependency to a full commit hash.",
                p.display_name(),
                redact_url(url)
            ),
            Some(FixHint::PinGitRev),
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_commits() {
        assert!(super::is_full_commit(
            "3754568bfd43a841d2d72d7fb54598635aea8fa4"
        ));
        assert!(!super::is_full_commit("3754568"));
        assert!(!super::is_full_commit(
            "zz54568bfd43a841d2d72d7fb54598635aea8fa4"
        ));
    }
}

//! `weak-hash`: the package is pinned only by a broken hash (sha1 or md5), or its integrity
//! string is malformed (unknown algorithm, bad base64, wrong digest length).
//!
//! Cargo checksums are SHA-256 whether written inline (v2+) or in the v1 `[metadata]` table: both
//! are accepted. A malformed token beside a strong digest is still reported (npm would ignore the
//! token, but a lockfile that carries garbage was edited by hand or by a broken tool).

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::package::HashAlgorithm;

use super::CheckCx;
use super::support::finding;

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    for (id, p) in cx.graph.packages() {
        let Some(int) = &p.integrity else { continue };
        if !int.malformed.is_empty() {
            let title = format!("{} has a malformed integrity", p.display_name());
            let message = format!(
                "{}: {} integrity token(s) cannot be parsed ({}); a hash that cannot be checked pins nothing",
                p.display_name(),
                int.malformed.len(),
                int.malformed
                    .iter()
                    .map(|t| format!("{:?}", truncate(t, 40)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.push(finding(
                cx,
                id,
                Code::WeakHash,
                cfg.settings.severity,
                title,
                message,
                Some(FixHint::AddIntegrity),
            ));
            continue;
        }
        if int.digests.is_empty() || int.has_strong() {
            continue;
        }
        let best = int
            .strongest()
            .map(|d| d.algorithm)
            .unwrap_or(HashAlgorithm::Md5);
        if best == HashAlgorithm::Sha1 && cfg.accept_sha1 {
            continue;
        }
        let alg = match best {
            HashAlgorithm::Md5 => "md5",
            _ => "sha1",
        };
        out.push(finding(
            cx,
            id,
            Code::WeakHash,
            cfg.settings.severity,
            format!("{} is pinned only by {alg}", p.display_name()),
            format!(
                "{} is pinned only by a {alg} digest, which does not resist collisions; regenerate the lockfile with a current npm so that it records sha512",
                p.display_name()
            ),
            Some(FixHint::AddIntegrity),
        ));
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

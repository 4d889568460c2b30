//! `credential-in-url`: a URL in the lockfile carries a credential (`user:password@`, a token as
//! user name, `_authToken=`, `token=`, …). A committed lockfile leaks it to everyone who can read
//! the repository. The secret itself never appears in a finding: URLs are shown redacted, and
//! [`super::run_checks`] scrubs every string field of every finding as a last line of defence.

mod config;

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::redact::{credential_kind, redact_url};

use super::CheckCx;
use super::support::{finding, url_set};

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    // The URLs of the last package found clean: every crates.io package holds the same ones,
    // and whether a URL carries a credential depends on nothing else.
    let mut clean: Option<[Option<&str>; 3]> = None;
    for (id, p) in cx.graph.packages() {
        let urls = url_set(p);
        if clean == Some(urls) {
            continue;
        }
        let Some((url, kind)) = urls
            .into_iter()
            .flatten()
            .find_map(|u| credential_kind(u).map(|k| (u, k)))
        else {
            clean = Some(urls);
            continue;
        };
        let what = match kind {
            "password" => "a user name and password",
            "token" => "a token in the user-name position",
            _ => "a secret query parameter",
        };
        out.push(finding(
            cx,
            id,
            Code::CredentialInUrl,
            cfg.settings.severity,
            format!("the lockfile URL of {} carries a credential", p.name),
            format!(
                "{} is fetched from {} which carries {what} (redacted here). Anyone who can read the lockfile can use it: revoke the credential, move it to .npmrc / Cargo credentials, and regenerate the lockfile.",
                p.name,
                redact_url(url)
            ),
            Some(FixHint::RevokeCredential),
        ));
    }
}

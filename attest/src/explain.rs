//! `--explain`: for each item tollgate verified, the off-the-shelf command that checks the same
//! thing (cosign, slsa-verifier, `gh attestation verify`, `npm audit signatures`), so an auditor
//! can re-check without tollgate. Commands are data ([`Recheck`]); [`Recheck::command_line`]
//! quotes them for a POSIX shell.

use crate::slsa::ProvenancePolicy;

/// One equivalent command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recheck {
    /// The program (`cosign`, `slsa-verifier`, `gh`, `npm`).
    pub program: &'static str,
    /// Its arguments, unquoted.
    pub args: Vec<String>,
    /// What to know before running it (a file to download first, a flag's caveat).
    pub note: Option<String>,
}

impl Recheck {
    fn new(program: &'static str, args: &[&str]) -> Recheck {
        Recheck {
            program,
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            note: None,
        }
    }

    fn arg(mut self, flag: &str, value: Option<&str>) -> Recheck {
        if let Some(v) = value {
            self.args.push(flag.to_owned());
            self.args.push(v.to_owned());
        }
        self
    }

    fn with_note(mut self, note: impl Into<String>) -> Recheck {
        self.note = Some(note.into());
        self
    }

    /// The command as one shell line: arguments that need it in single quotes.
    pub fn command_line(&self) -> String {
        std::iter::once(self.program.to_owned())
            .chain(self.args.iter().map(|a| shell_quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Quotes `s` for a POSIX shell when it holds anything but `[A-Za-z0-9@%+=:,./_-]`.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// How a keyless identity was given.
#[derive(Debug, Clone, Copy)]
pub enum Identity<'a> {
    /// `--certificate-identity`.
    Exact(&'a str),
    /// `--certificate-identity-regexp`.
    Regexp(&'a str),
}

/// `cosign verify-blob` (message signatures) or `verify-blob-attestation` (DSSE) of a keyless
/// bundle.
pub fn cosign_keyless(
    artifact: &str,
    bundle: &str,
    dsse: bool,
    identity: Identity<'_>,
    issuer: &str,
) -> Recheck {
    let sub = if dsse {
        "verify-blob-attestation"
    } else {
        "verify-blob"
    };
    let (flag, v) = match identity {
        Identity::Exact(s) => ("--certificate-identity", s),
        Identity::Regexp(s) => ("--certificate-identity-regexp", s),
    };
    let mut r = Recheck::new("cosign", &[sub, "--bundle", bundle])
        .arg(flag, Some(v))
        .arg("--certificate-oidc-issuer", Some(issuer));
    if dsse {
        r.args.push("--new-bundle-format".into());
    }
    r.args.push(artifact.to_owned());
    r
}

/// `cosign verify-blob --key` of a key-based bundle (`--insecure-ignore-tlog` when it carries no
/// transparency-log entry).
pub fn cosign_key(artifact: &str, bundle: &str, key: &str, dsse: bool, tlog: bool) -> Recheck {
    let sub = if dsse {
        "verify-blob-attestation"
    } else {
        "verify-blob"
    };
    let mut r = Recheck::new("cosign", &[sub, "--key", key, "--bundle", bundle]);
    if !tlog {
        r.args.push("--insecure-ignore-tlog".into());
        r = r.with_note(
            "the bundle carries no transparency-log entry: cosign must be told to skip the log",
        );
    }
    r.args.push(artifact.to_owned());
    r
}

/// `slsa-verifier verify-artifact` with the policy's flags.
pub fn slsa_verify_artifact(artifact: &str, provenance: &str, p: &ProvenancePolicy) -> Recheck {
    Recheck::new("slsa-verifier", &["verify-artifact", artifact])
        .arg("--provenance-path", Some(provenance))
        .arg("--source-uri", p.source_uri.as_deref())
        .arg("--builder-id", p.builder_id.as_deref())
        .arg("--source-branch", p.source_branch.as_deref())
        .arg("--source-tag", p.source_tag.as_deref())
        .arg("--source-versioned-tag", p.source_versioned_tag.as_deref())
}

/// `gh attestation verify` of a GitHub artifact attestation bundle, offline.
pub fn gh_attestation_verify(artifact: &str, bundle: &str, repo: &str) -> Recheck {
    Recheck::new(
        "gh",
        &["attestation", "verify", artifact, "--bundle", bundle],
    )
    .arg("--repo", Some(repo))
    .with_note("add --custom-trusted-root trusted_root.json to verify offline")
}

/// `slsa-verifier verify-npm-package` with the policy's flags.
pub fn slsa_verify_npm_package(
    tarball: &str,
    attestations: &str,
    name: &str,
    version: &str,
    p: &ProvenancePolicy,
) -> Recheck {
    Recheck::new("slsa-verifier", &["verify-npm-package", tarball])
        .arg("--attestations-path", Some(attestations))
        .arg("--package-name", Some(name))
        .arg("--package-version", Some(version))
        .arg("--source-uri", p.source_uri.as_deref())
        .arg("--builder-id", p.builder_id.as_deref())
}

/// `slsa-verifier verify-vsa`.
pub fn slsa_verify_vsa(
    attestation: &str,
    resource_uri: &str,
    public_key: &str,
    key_id: &str,
    levels: &[String],
) -> Recheck {
    let mut r = Recheck::new("slsa-verifier", &["verify-vsa"])
        .arg("--attestation-path", Some(attestation))
        .arg("--resource-uri", Some(resource_uri))
        .arg("--public-key-path", Some(public_key))
        .arg("--public-key-id", Some(key_id));
    for l in levels {
        r = r.arg("--verified-level", Some(l));
    }
    r
}

/// `npm audit signatures`, run where the lockfile is after `npm ci`.
pub fn npm_audit_signatures(dir: &str) -> Recheck {
    Recheck::new("npm", &["audit", "signatures"]).with_note(format!(
        "in {dir}, after `npm ci` installed the locked packages"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_quote_what_a_shell_would_split() {
        assert_eq!(shell_quote("github.com/o/r"), "github.com/o/r");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(shell_quote(""), "''");
        let r = cosign_keyless(
            "app.tgz",
            "b.json",
            false,
            Identity::Regexp("^https://github.com/o/"),
            "https://token.actions.githubusercontent.com",
        );
        assert_eq!(
            r.command_line(),
            "cosign verify-blob --bundle b.json --certificate-identity-regexp '^https://github.com/o/' --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tgz"
        );
        let r = cosign_key("a", "a.sigstore.json", "k.pub", false, false);
        assert!(r.command_line().contains("--insecure-ignore-tlog"));
        assert!(r.note.is_some());
    }

    #[test]
    fn slsa_commands_carry_the_policy() {
        let p = ProvenancePolicy {
            source_uri: Some("github.com/o/r".into()),
            source_versioned_tag: Some("v1".into()),
            ..ProvenancePolicy::default()
        };
        assert_eq!(
            slsa_verify_artifact("bin", "bin.intoto.jsonl", &p).command_line(),
            "slsa-verifier verify-artifact bin --provenance-path bin.intoto.jsonl --source-uri github.com/o/r --source-versioned-tag v1"
        );
        let n = slsa_verify_npm_package("x-1.0.0.tgz", "att.json", "@s/x", "1.0.0", &p);
        assert!(n.command_line().contains("--package-name @s/x"));
    }
}

//! Who must have signed a bundle: a key (key-based bundles) or a Fulcio identity (keyless): the
//! SAN exactly or by regular expression, the OIDC issuer exactly, and optionally GitHub workflow
//! claims read from the certificate's extensions.

use regex::Regex;
use sigstore_verify::crypto::FulcioCiClaims;

use super::error::{Check, SigstoreError};

/// What a bundle must satisfy besides its cryptography.
#[derive(Debug, Clone)]
pub enum BundlePolicy {
    /// A keyless bundle whose certificate identity satisfies the policy.
    Keyless(KeylessPolicy),
    /// A key-based bundle signed with this key (DER SubjectPublicKeyInfo).
    Key(Vec<u8>),
}

/// How the certificate's SAN (email or URI) must look.
#[derive(Debug, Clone)]
pub enum IdentityMatch {
    /// Equal to this string.
    Exact(String),
    /// Matches this regular expression (Rust `regex` syntax, close to Go's RE2). As in cosign's
    /// `--certificate-identity-regexp`, the match is *not* anchored: write `^…$` to match the
    /// whole identity.
    Regexp(Regex),
}

impl IdentityMatch {
    /// Whether `identity` satisfies this matcher.
    pub fn matches(&self, identity: &str) -> bool {
        match self {
            IdentityMatch::Exact(s) => s == identity,
            IdentityMatch::Regexp(r) => r.is_match(identity),
        }
    }
}

impl std::fmt::Display for IdentityMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdentityMatch::Exact(s) => f.write_str(s),
            IdentityMatch::Regexp(r) => write!(f, "/{}/", r.as_str()),
        }
    }
}

/// GitHub Actions claims the certificate must carry (each one set is required). Values are
/// compared exactly against both the deprecated GitHub extensions (`1.3.6.1.4.1.57264.1.2`–`.6`)
/// and their provider-neutral successors (`.1.11`–`.1.20`): where the certificate has both they
/// must agree with the policy, and a certificate with neither fails (cosign's
/// `--certificate-github-workflow-*` flags read the deprecated ones only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubClaims {
    /// The repository, `owner/name` (`.1.5`; `.1.12` as `https://github.com/owner/name`).
    pub repository: Option<String>,
    /// The ref, `refs/heads/main` or `refs/tags/v1` (`.1.6`; `.1.14`).
    pub git_ref: Option<String>,
    /// The commit (`.1.3`; `.1.13`).
    pub sha: Option<String>,
    /// The triggering event, `push` (`.1.2`; `.1.20`).
    pub trigger: Option<String>,
    /// The workflow's display name (`.1.4`; no successor).
    pub workflow_name: Option<String>,
    /// `github-hosted` or `self-hosted` (`.1.11`; no predecessor).
    pub runner_environment: Option<String>,
}

impl GithubClaims {
    /// Whether no claim is required.
    pub fn is_empty(&self) -> bool {
        *self == GithubClaims::default()
    }

    /// Checks the certificate's claims; the first unmet one is the error.
    pub fn check(&self, c: &FulcioCiClaims) -> Result<(), SigstoreError> {
        let d = &c.deprecated_github;
        let repo_uri = c
            .source_repository_uri
            .as_deref()
            .map(|u| u.strip_prefix("https://github.com/").unwrap_or(u));
        let rows: [ClaimRow<'_>; 6] = [
            (
                "repository",
                &self.repository,
                [d.workflow_repository.as_deref(), repo_uri],
            ),
            (
                "ref",
                &self.git_ref,
                [
                    d.workflow_ref.as_deref(),
                    c.source_repository_ref.as_deref(),
                ],
            ),
            (
                "sha",
                &self.sha,
                [
                    d.workflow_sha.as_deref(),
                    c.source_repository_digest.as_deref(),
                ],
            ),
            (
                "trigger",
                &self.trigger,
                [d.workflow_trigger.as_deref(), c.build_trigger.as_deref()],
            ),
            (
                "workflow name",
                &self.workflow_name,
                [d.workflow_name.as_deref(), None],
            ),
            (
                "runner environment",
                &self.runner_environment,
                [c.runner_environment.as_deref(), None],
            ),
        ];
        for (name, want, have) in rows {
            let Some(want) = want else { continue };
            let present: Vec<&str> = have.into_iter().flatten().collect();
            if present.is_empty() {
                return Err(SigstoreError::rejected(
                    Check::Claim,
                    format!(
                        "GitHub workflow {name}: the certificate has no such claim (expected {want})"
                    ),
                ));
            }
            if let Some(got) = present.iter().find(|v| **v != want) {
                return Err(SigstoreError::rejected(
                    Check::Claim,
                    format!("GitHub workflow {name}: expected {want}, got {got}"),
                ));
            }
        }
        Ok(())
    }
}

/// One claim: its name, the policy's value, the certificate's two spellings.
type ClaimRow<'a> = (&'static str, &'a Option<String>, [Option<&'a str>; 2]);

/// The policy of a keyless bundle.
#[derive(Debug, Clone)]
pub struct KeylessPolicy {
    /// The SAN requirement.
    pub identity: IdentityMatch,
    /// The OIDC issuer, exactly.
    pub issuer: String,
    /// GitHub workflow claims (none by default).
    pub github: GithubClaims,
}

impl KeylessPolicy {
    /// The SAN must equal `identity`; the issuer must equal `issuer`.
    pub fn exact(identity: &str, issuer: &str) -> Result<KeylessPolicy, SigstoreError> {
        if identity.is_empty() {
            return Err(SigstoreError::Policy(
                "the certificate identity must not be empty".into(),
            ));
        }
        KeylessPolicy::with(IdentityMatch::Exact(identity.to_owned()), issuer)
    }

    /// The SAN must match the regular expression `pattern` (unanchored, as in cosign); the issuer
    /// must equal `issuer`.
    pub fn regexp(pattern: &str, issuer: &str) -> Result<KeylessPolicy, SigstoreError> {
        if pattern.is_empty() {
            return Err(SigstoreError::Policy(
                "the certificate identity regexp must not be empty".into(),
            ));
        }
        let r = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| SigstoreError::Policy(format!("invalid identity regexp: {e}")))?;
        KeylessPolicy::with(IdentityMatch::Regexp(r), issuer)
    }

    fn with(identity: IdentityMatch, issuer: &str) -> Result<KeylessPolicy, SigstoreError> {
        if issuer.is_empty() {
            return Err(SigstoreError::Policy(
                "the OIDC issuer must not be empty".into(),
            ));
        }
        Ok(KeylessPolicy {
            identity,
            issuer: issuer.to_owned(),
            github: GithubClaims::default(),
        })
    }

    /// Adds GitHub workflow claims to require.
    pub fn with_github(mut self, github: GithubClaims) -> KeylessPolicy {
        self.github = github;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> FulcioCiClaims {
        let mut c = FulcioCiClaims::default();
        c.source_repository_uri = Some("https://github.com/o/r".into());
        c.source_repository_ref = Some("refs/heads/main".into());
        c.runner_environment = Some("github-hosted".into());
        c.deprecated_github.workflow_repository = Some("o/r".into());
        c
    }

    #[test]
    fn regexp_is_unanchored_like_cosign_and_exact_is_exact() {
        let p = KeylessPolicy::regexp("^https://github.com/o/", "i").unwrap();
        assert!(
            p.identity
                .matches("https://github.com/o/r/.github/workflows/x.yml@refs/heads/main")
        );
        assert!(!p.identity.matches("https://github.com/other/o/"));
        let p = KeylessPolicy::regexp("o/r", "i").unwrap();
        assert!(p.identity.matches("https://evil.example/o/r"));
        let p = KeylessPolicy::exact("a@b", "i").unwrap();
        assert!(p.identity.matches("a@b"));
        assert!(!p.identity.matches("a@bc"));
    }

    #[test]
    fn rejects_unusable_policies() {
        assert!(
            KeylessPolicy::regexp("(", "i")
                .unwrap_err()
                .is_input_error()
        );
        assert!(KeylessPolicy::exact("", "i").unwrap_err().is_input_error());
        assert!(KeylessPolicy::exact("a", "").unwrap_err().is_input_error());
    }

    #[test]
    fn github_claims_must_match_every_spelling_and_be_present() {
        let c = claims();
        let ok = GithubClaims {
            repository: Some("o/r".into()),
            git_ref: Some("refs/heads/main".into()),
            runner_environment: Some("github-hosted".into()),
            ..GithubClaims::default()
        };
        ok.check(&c).unwrap();
        let wrong = GithubClaims {
            repository: Some("o/other".into()),
            ..GithubClaims::default()
        };
        assert!(
            wrong
                .check(&c)
                .unwrap_err()
                .to_string()
                .contains("expected o/other, got o/r")
        );
        // Deprecated and current spellings disagree: the policy cannot match both.
        let mut split = claims();
        split.deprecated_github.workflow_repository = Some("o/x".into());
        assert!(ok.check(&split).is_err());
        // A claim the certificate lacks fails closed.
        let absent = GithubClaims {
            workflow_name: Some("release".into()),
            ..GithubClaims::default()
        };
        let e = absent.check(&c).unwrap_err();
        assert_eq!(e.check(), "certificate-claim");
        assert!(e.to_string().contains("no such claim"), "{e}");
    }
}

//! The identity of a keyless signer: a GitHub Actions workflow, as a Fulcio certificate states
//! it (SAN URI and the `1.3.6.1.4.1.57264.1.*` extensions).
//!
//! [`SignerIdentity::from_certificate_der`] only *reads* a certificate: it does not verify the
//! chain, the validity period or a transparency log. The Sigstore verifier calls it on the leaf
//! certificate it has verified and hands the identity out inside a
//! [`Verified`](crate::Verified) value; nothing else should treat its output as trusted.

use std::fmt;

use der::Decode;
use der::asn1::{ObjectIdentifier, Utf8StringRef};
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// The OIDC issuer of GitHub Actions tokens.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Fulcio certificate extensions (<https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md>).
pub mod oid {
    use der::asn1::ObjectIdentifier;

    /// Issuer (deprecated: raw bytes).
    pub const ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
    /// GitHub workflow trigger (deprecated).
    pub const GITHUB_WORKFLOW_TRIGGER: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.2");
    /// GitHub workflow SHA (deprecated).
    pub const GITHUB_WORKFLOW_SHA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.3");
    /// GitHub workflow repository (deprecated).
    pub const GITHUB_WORKFLOW_REPOSITORY: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.5");
    /// Issuer (V2, DER UTF8String).
    pub const ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
    /// Build signer digest.
    pub const BUILD_SIGNER_DIGEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.10");
    /// Runner environment.
    pub const RUNNER_ENVIRONMENT: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.11");
    /// Source repository URI.
    pub const SOURCE_REPOSITORY_URI: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.12");
    /// Source repository digest.
    pub const SOURCE_REPOSITORY_DIGEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.13");
    /// Source repository ref.
    pub const SOURCE_REPOSITORY_REF: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.14");
    /// Source repository identifier.
    pub const SOURCE_REPOSITORY_IDENTIFIER: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.15");
    /// Source repository owner identifier.
    pub const SOURCE_REPOSITORY_OWNER_IDENTIFIER: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.17");
    /// Build config URI.
    pub const BUILD_CONFIG_URI: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.18");
    /// Build config digest.
    pub const BUILD_CONFIG_DIGEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.19");
    /// Build trigger.
    pub const BUILD_TRIGGER: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.20");
    /// Run invocation URI.
    pub const RUN_INVOCATION_URI: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.21");
}

/// A signing certificate whose identity cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing certificate: {0}")]
pub struct IdentityError(pub String);

fn err(s: impl Into<String>) -> IdentityError {
    IdentityError(s.into())
}

/// A keyless signer: the workflow a Fulcio certificate was issued to, and what it says about
/// the run (slsa-verifier's `WorkflowIdentity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignerIdentity {
    /// OIDC issuer (`https://token.actions.githubusercontent.com`).
    pub issuer: String,
    /// The SAN URI: the signing workflow and its ref,
    /// `https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1.2.3`.
    pub workflow: String,
    /// Source repository, `o/r`.
    pub source_repository: String,
    /// Source commit.
    pub source_digest: String,
    /// Source ref (`refs/heads/main`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// Source repository id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_id: Option<String>,
    /// Source repository owner id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_owner_id: Option<String>,
    /// The event that triggered the run.
    pub build_trigger: String,
    /// The triggering workflow's path in the source repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_config_path: Option<String>,
    /// Commit of the signing workflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_digest: Option<String>,
    /// `github-hosted` or `self-hosted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// Run id and attempt, `123/attempts/1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

impl SignerIdentity {
    /// The signing workflow without its ref.
    pub fn workflow_name(&self) -> &str {
        split_workflow(&self.workflow).0
    }

    /// The signing workflow's ref (`refs/tags/v1.2.3`), empty when absent.
    pub fn workflow_ref(&self) -> &str {
        split_workflow(&self.workflow).1
    }

    /// Reads the identity from a DER certificate, following slsa-verifier's
    /// `GetWorkflowInfoFromCertificate`: the deprecated and current spellings of a claim must
    /// agree, and the trigger, the source commit and the issuer are required.
    pub fn from_certificate_der(der: &[u8]) -> Result<SignerIdentity, IdentityError> {
        let cert = Certificate::from_der(der).map_err(|e| err(format!("not DER X.509: {e}")))?;
        let exts = cert.tbs_certificate.extensions.unwrap_or_default();
        let raw = |o: ObjectIdentifier| -> Option<&[u8]> {
            exts.iter()
                .find(|e| e.extn_id == o)
                .map(|e| e.extn_value.as_bytes())
        };
        let legacy = |o: ObjectIdentifier| -> Result<String, IdentityError> {
            raw(o).map_or(Ok(String::new()), |b| {
                String::from_utf8(b.to_vec())
                    .map_err(|_| err(format!("extension {o} is not UTF-8")))
            })
        };
        let utf8 = |o: ObjectIdentifier| -> Result<String, IdentityError> {
            raw(o).map_or(Ok(String::new()), |b| {
                Utf8StringRef::from_der(b)
                    .map(|s| s.as_str().to_owned())
                    .map_err(|e| err(format!("extension {o}: {e}")))
            })
        };
        let equal_claims = |old: ObjectIdentifier, new: ObjectIdentifier| {
            let (a, b) = (legacy(old)?, utf8(new)?);
            if !a.is_empty() && !b.is_empty() && a != b {
                return Err(err(format!(
                    "extensions {old} and {new} disagree: `{a}` ≠ `{b}`"
                )));
            }
            if a.is_empty() && b.is_empty() {
                return Err(err(format!("extensions {old} and {new} are both absent")));
            }
            Ok(if b.is_empty() { a } else { b })
        };

        let san = exts
            .iter()
            .find(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.17"))
            .ok_or_else(|| err("no subject alternative name"))?;
        let san = SubjectAltName::from_der(san.extn_value.as_bytes())
            .map_err(|e| err(format!("subject alternative name: {e}")))?;
        let workflow = san
            .0
            .iter()
            .find_map(|g| match g {
                GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_owned()),
                _ => None,
            })
            .ok_or_else(|| err("no URI in the subject alternative name"))?;
        if !workflow.starts_with("https://") || !split_workflow(&workflow).0[8..].contains('/') {
            return Err(err(format!("SAN URI `{workflow}` is not a workflow URL")));
        }

        let build_trigger = equal_claims(oid::GITHUB_WORKFLOW_TRIGGER, oid::BUILD_TRIGGER)?;
        let source_digest = equal_claims(oid::GITHUB_WORKFLOW_SHA, oid::SOURCE_REPOSITORY_DIGEST)?;
        let config_digest = utf8(oid::BUILD_CONFIG_DIGEST)?;
        if !config_digest.is_empty() && config_digest != source_digest {
            return Err(err(format!(
                "source digest `{source_digest}` ≠ build config digest `{config_digest}`"
            )));
        }
        let issuer = equal_claims(oid::ISSUER_V1, oid::ISSUER_V2)?;
        let old_repo = legacy(oid::GITHUB_WORKFLOW_REPOSITORY)?;
        let repo_uri = utf8(oid::SOURCE_REPOSITORY_URI)?;
        if !old_repo.is_empty()
            && !repo_uri.is_empty()
            && format!("https://github.com/{old_repo}") != repo_uri
        {
            return Err(err(format!(
                "source repository `{old_repo}` ≠ source repository URI `{repo_uri}`"
            )));
        }
        let source_repository = match repo_uri.strip_prefix("https://github.com/") {
            Some(r) => r.to_owned(),
            None if repo_uri.is_empty() => old_repo,
            None => repo_uri,
        };
        let opt = |s: String| (!s.is_empty()).then_some(s);
        let build_config_path = match utf8(oid::BUILD_CONFIG_URI)? {
            s if s.is_empty() => None,
            s => {
                let (path, _) = s
                    .split_once('@')
                    .filter(|(_, r)| !r.contains('@'))
                    .ok_or_else(|| err(format!("build config URI `{s}` is not PATH@REF")))?;
                let prefix = format!("https://github.com/{source_repository}/");
                Some(
                    path.strip_prefix(&prefix)
                        .ok_or_else(|| {
                            err(format!(
                                "build config URI `{s}` is not in {source_repository}"
                            ))
                        })?
                        .to_owned(),
                )
            }
        };
        let run_uri = utf8(oid::RUN_INVOCATION_URI)?;
        let run_prefix = format!("https://github.com/{source_repository}/actions/runs/");
        let run_id = opt(run_uri
            .strip_prefix(&run_prefix)
            .unwrap_or(&run_uri)
            .to_owned());
        Ok(SignerIdentity {
            issuer,
            workflow,
            source_repository,
            source_digest,
            source_ref: opt(utf8(oid::SOURCE_REPOSITORY_REF)?),
            source_repository_id: opt(utf8(oid::SOURCE_REPOSITORY_IDENTIFIER)?),
            source_owner_id: opt(utf8(oid::SOURCE_REPOSITORY_OWNER_IDENTIFIER)?),
            build_trigger,
            build_config_path,
            build_signer_digest: opt(utf8(oid::BUILD_SIGNER_DIGEST)?),
            runner_environment: opt(utf8(oid::RUNNER_ENVIRONMENT)?),
            run_id,
        })
    }
}

/// Splits a workflow URL at the last `@` of its path: (name, ref).
fn split_workflow(uri: &str) -> (&str, &str) {
    let path_start = uri
        .find("://")
        .map(|i| i + 3)
        .and_then(|i| uri[i..].find('/').map(|j| i + j))
        .unwrap_or(uri.len());
    match uri[path_start..].rfind('@') {
        Some(i) => (&uri[..path_start + i], &uri[path_start + i + 1..]),
        None => (uri, ""),
    }
}

impl fmt::Display for SignerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (issuer {})", self.workflow, self.issuer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_workflow_name_and_ref() {
        assert_eq!(
            split_workflow("https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1"),
            (
                "https://github.com/o/r/.github/workflows/x.yml",
                "refs/tags/v1"
            )
        );
        assert_eq!(
            split_workflow("https://u@github.com/o/r/x.yml"),
            ("https://u@github.com/o/r/x.yml", "")
        );
    }

    #[test]
    fn rejects_non_certificates() {
        assert!(SignerIdentity::from_certificate_der(b"not a certificate").is_err());
        assert!(SignerIdentity::from_certificate_der(&[]).is_err());
    }
}

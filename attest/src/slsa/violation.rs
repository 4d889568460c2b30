//! Why a provenance does not satisfy a policy: the check, the reason, expected and actual values.

use std::fmt;

use serde::Serialize;

/// A check of the provenance policy. Messages name it first: `builder: …`, `source: …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Check {
    /// The statement's predicate (type, shape).
    Predicate,
    /// The signer's OIDC issuer.
    Issuer,
    /// The builder (trusted reusable workflow, builder id).
    Builder,
    /// The build type, as produced by the builder.
    BuildType,
    /// The signer workflow (`gh attestation verify --signer-workflow / --signer-repo`).
    Signer,
    /// The source repository.
    Source,
    /// The source repository owner (`gh --owner`).
    Owner,
    /// The full source ref (`gh --source-ref`).
    SourceRef,
    /// The source commit (`gh --source-digest`).
    SourceDigest,
    /// The artefact digest among the subjects.
    SubjectDigest,
    /// The source branch.
    Branch,
    /// The source tag (exact).
    Tag,
    /// The source tag as a semver prefix.
    VersionedTag,
    /// The workflow_dispatch inputs.
    WorkflowInputs,
    /// The npm package name.
    PackageName,
    /// The npm package version.
    PackageVersion,
    /// The npm publish attestation.
    PublishAttestation,
    /// The provenance against the signing certificate (builders that are not trusted).
    Certificate,
    /// The runner (GitHub-hosted or self-hosted).
    Runner,
    /// A VSA's verifier id.
    VerifierId,
    /// A VSA's resource URI.
    ResourceUri,
    /// A VSA's verification result.
    VerificationResult,
    /// A VSA's verified levels.
    VerifiedLevels,
}

impl Check {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Check::Predicate => "predicate",
            Check::Issuer => "issuer",
            Check::Builder => "builder",
            Check::BuildType => "build type",
            Check::Signer => "signer",
            Check::Source => "source",
            Check::Owner => "owner",
            Check::SourceRef => "source ref",
            Check::SourceDigest => "source digest",
            Check::SubjectDigest => "subject digest",
            Check::Branch => "branch",
            Check::Tag => "tag",
            Check::VersionedTag => "versioned tag",
            Check::WorkflowInputs => "workflow input",
            Check::PackageName => "package name",
            Check::PackageVersion => "package version",
            Check::PublishAttestation => "publish attestation",
            Check::Certificate => "certificate",
            Check::Runner => "runner",
            Check::VerifierId => "verifier id",
            Check::ResourceUri => "resource uri",
            Check::VerificationResult => "verification result",
            Check::VerifiedLevels => "verified levels",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Reason {
    /// The value differs from the expected one.
    Mismatch,
    /// The signer (reusable workflow) is not trusted.
    Untrusted,
    /// The builder id is missing, malformed or not allowed for this provenance.
    InvalidBuilderId,
    /// The combination is not supported (e.g. an npm builder id the npm CLI never uses).
    NotSupported,
    /// A ref is missing, of the wrong kind, or a builder ref is not a release tag.
    InvalidRef,
    /// A version is not a semantic version.
    InvalidSemver,
    /// The build type is not one this builder produces, or unknown.
    InvalidBuildType,
    /// A URI is malformed or lacks a ref.
    MalformedUri,
    /// The predicate lacks a field or has one of the wrong type.
    MalformedPredicate,
    /// The provenance claims something the certificate does not vouch for.
    NonVerifiableClaim,
    /// The package name in a subject is not an npm purl.
    InvalidPackageName,
    /// The signer's OIDC issuer is not the expected one.
    InvalidIssuer,
    /// A VSA did not pass.
    NotPassed,
    /// An expected value is absent.
    Missing,
}

impl Reason {
    fn text(self) -> &'static str {
        match self {
            Reason::Mismatch => "mismatch",
            Reason::Untrusted => "untrusted",
            Reason::InvalidBuilderId => "invalid builder id",
            Reason::NotSupported => "not supported",
            Reason::InvalidRef => "invalid ref",
            Reason::InvalidSemver => "invalid semver",
            Reason::InvalidBuildType => "invalid build type",
            Reason::MalformedUri => "malformed URI",
            Reason::MalformedPredicate => "malformed predicate",
            Reason::NonVerifiableClaim => "claim not verifiable",
            Reason::InvalidPackageName => "invalid package name",
            Reason::InvalidIssuer => "invalid issuer",
            Reason::NotPassed => "not passed",
            Reason::Missing => "missing",
        }
    }
}

/// A policy violation: which check failed, why, and the values compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct Violation {
    /// The check.
    pub check: Check,
    /// Why it failed.
    pub reason: Reason,
    /// What the policy expects, when there is a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the provenance (or the signer) says, when there is a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// More detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Violation {
    /// A violation without values.
    pub fn new(check: Check, reason: Reason) -> Violation {
        Violation {
            check,
            reason,
            expected: None,
            actual: None,
            detail: None,
        }
    }

    /// A mismatch between an expected and an actual value.
    pub fn mismatch(
        check: Check,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Violation {
        Violation::new(check, Reason::Mismatch)
            .expected(expected)
            .actual(actual)
    }

    /// Sets the expected value.
    pub fn expected(mut self, v: impl Into<String>) -> Violation {
        self.expected = Some(v.into());
        self
    }

    /// Sets the actual value.
    pub fn actual(mut self, v: impl Into<String>) -> Violation {
        self.actual = Some(v.into());
        self
    }

    /// Sets the detail.
    pub fn detail(mut self, v: impl Into<String>) -> Violation {
        self.detail = Some(v.into());
        self
    }

    /// The name of the error slsa-verifier (`errors/errors.go`) reports for the same failure,
    /// where there is one; `gh attestation`-only checks have none.
    pub fn slsa_verifier_error(&self) -> Option<&'static str> {
        Some(match (self.reason, self.check) {
            (Reason::Mismatch, Check::Builder) => "ErrorMismatchBuilderID",
            (Reason::Mismatch, Check::Source) => "ErrorMismatchSource",
            (Reason::Mismatch, Check::SubjectDigest) => "ErrorMismatchHash",
            (Reason::Mismatch, Check::Branch) => "ErrorMismatchBranch",
            (Reason::Mismatch, Check::Tag) => "ErrorMismatchTag",
            (Reason::Mismatch, Check::VersionedTag) => "ErrorMismatchVersionedTag",
            (Reason::Mismatch | Reason::Missing, Check::WorkflowInputs) => {
                "ErrorMismatchWorkflowInputs"
            }
            (Reason::Mismatch, Check::PackageName) => "ErrorMismatchPackageName",
            (Reason::Mismatch, Check::PackageVersion) => "ErrorMismatchPackageVersion",
            (Reason::Mismatch, Check::Certificate) => "ErrorMismatchCertificate",
            (Reason::Mismatch, Check::VerifierId) => "ErrorMismatchVerifierID",
            (Reason::Mismatch, Check::ResourceUri) => "ErrorMismatchResourceURI",
            (Reason::Mismatch, Check::VerifiedLevels) => "ErrorMismatchVerifiedLevels",
            (Reason::Missing, Check::SubjectDigest) => "ErrorMissingSubjectDigest",
            (Reason::Missing, Check::VerifierId | Check::ResourceUri) => "ErrorEmptyRequiredField",
            (Reason::Mismatch, Check::PublishAttestation) => "ErrorMismatchHash",
            (Reason::Untrusted, _) => "ErrorUntrustedReusableWorkflow",
            (Reason::InvalidBuilderId, _) => "ErrorInvalidBuilderID",
            (Reason::NotSupported, _) => "ErrorNotSupported",
            (Reason::InvalidRef, _) => "ErrorInvalidRef",
            (Reason::InvalidSemver, _) => "ErrorInvalidSemver",
            (Reason::InvalidBuildType, _) => "ErrorInvalidBuildType",
            (Reason::MalformedUri, _) => "ErrorMalformedURI",
            (Reason::MalformedPredicate, _) => "ErrorInvalidDssePayload",
            (Reason::NonVerifiableClaim, _) => "ErrorNonVerifiableClaim",
            (Reason::InvalidPackageName, _) => "ErrorInvalidPackageName",
            (Reason::InvalidIssuer, _) => "ErrorInvalidOIDCIssuer",
            (Reason::NotPassed, _) => "ErrorInvalidVerificationResult",
            _ => return None,
        })
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.reason.text())?;
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => write!(f, ": expected `{e}`, got `{a}`")?,
            (Some(e), None) => write!(f, ": expected `{e}`")?,
            (None, Some(a)) => write!(f, ": got `{a}`")?,
            (None, None) => {}
        }
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_check_expected_and_actual() {
        let v = Violation::mismatch(Check::VersionedTag, "v13.1", "v13.0.30")
            .detail("minor version 1 ≠ 0");
        assert_eq!(
            v.to_string(),
            "versioned tag: mismatch: expected `v13.1`, got `v13.0.30` (minor version 1 ≠ 0)"
        );
        assert_eq!(v.slsa_verifier_error(), Some("ErrorMismatchVersionedTag"));
        let v = Violation::new(Check::Owner, Reason::Mismatch);
        assert_eq!(v.slsa_verifier_error(), None);
        assert_eq!(v.to_string(), "owner: mismatch");
    }
}

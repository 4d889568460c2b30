//! The provenance policy (data) and its evaluation: a pure function of the statement(s), the
//! signer identity when there is one, and the policy.
//!
//! The checks are the union of what `slsa-verifier verify-artifact / verify-npm-package /
//! verify-github-attestation` and `gh attestation verify` check, in slsa-verifier's order, so the
//! first failure is the one slsa-verifier reports. `docs/concepts/slsa-policy.md` maps every
//! field to both tools' flags and lists the deliberate differences.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::digest::{Digest, DigestSet};
use crate::slsa::builder::{
    self as b, BuilderId, BuilderMismatch, DEFAULT_TRUSTED_BUILDERS, DELEGATORS,
    SLSA_GITHUB_GENERATOR_WORKFLOWS,
};
use crate::slsa::git::{RefKind, github_repo, normalize_source_uri, parse_git_uri, ref_name};
use crate::slsa::identity::{GITHUB_ACTIONS_ISSUER, SignerIdentity};
use crate::slsa::npm::{NpmPackage, PublishAttestation, package_from_purl};
use crate::slsa::predicate::{
    BuildKind, PROVENANCE_V1, PROVENANCE_V02, Predicate, Provenance, ProvenanceSummary, build_type,
};
use crate::slsa::versioned_tag::{
    GoSemver, VersionedTagError, is_release_tag, verify_versioned_tag,
};
use crate::slsa::violation::{Check, Reason, Violation};
use crate::slsa::vsa::{self, VsaPolicy, VsaSummary};
use crate::statement::Statement;

/// What a provenance must say. Every field is optional, but a SLSA provenance policy needs a
/// source (`source-uri`, `repo` or `owner`) and an artefact digest (`digest`, usually supplied at
/// run time from the artefact): a check without them would accept a provenance of anything.
///
/// Keys are kebab-case in TOML and JSON (`source-uri`); the snake_case spelling of
/// slsa-verifier's test tables (`source_uri`) is accepted too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProvenancePolicy {
    /// The source repository: `github.com/o/r`, `https://github.com/o/r` or
    /// `git+https://github.com/o/r` (slsa-verifier `--source-uri`).
    #[serde(default, alias = "source_uri", skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    /// The source repository as `owner/repo` (`gh attestation verify --repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The source repository's owner (`gh attestation verify --owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The builder: `NAME`, `NAME@refs/tags/vX.Y.Z` or `NAME@vX.Y.Z` (`--builder-id`). Without it,
    /// only slsa-github-generator's builders are trusted.
    #[serde(default, alias = "builder_id", skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    /// The workflow that signed, `[host/]owner/repo/path/to/workflow.yml[@ref]`
    /// (`gh attestation verify --signer-workflow`).
    #[serde(
        default,
        alias = "signer_workflow",
        skip_serializing_if = "Option::is_none"
    )]
    pub signer_workflow: Option<String>,
    /// The repository of the workflow that signed, `owner/repo` (`gh --signer-repo`).
    #[serde(
        default,
        alias = "signer_repo",
        skip_serializing_if = "Option::is_none"
    )]
    pub signer_repo: Option<String>,
    /// The branch built from (`--source-branch`), without `refs/heads/`.
    #[serde(
        default,
        alias = "source_branch",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_branch: Option<String>,
    /// The exact tag built from (`--source-tag`), without `refs/tags/`.
    #[serde(default, alias = "source_tag", skip_serializing_if = "Option::is_none")]
    pub source_tag: Option<String>,
    /// A semver prefix of the tag built from: `v13` and `v13.0` match `v13.0.30`
    /// (`--source-versioned-tag`).
    #[serde(
        default,
        alias = "source_versioned_tag",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_versioned_tag: Option<String>,
    /// The full ref built from, `refs/heads/main` or `refs/tags/v1` (`gh --source-ref`).
    #[serde(default, alias = "source_ref", skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// The source commit (`gh --source-digest`), hex.
    #[serde(
        default,
        alias = "source_digest",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_digest: Option<String>,
    /// `workflow_dispatch` inputs that must all have these values (`--build-workflow-input k=v`).
    #[serde(
        default,
        alias = "workflow_inputs",
        alias = "build-workflow-inputs",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub workflow_inputs: BTreeMap<String, String>,
    /// npm package name, `@scope/name` or `name` (`--package-name`).
    #[serde(
        default,
        alias = "package_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub package_name: Option<String>,
    /// npm package version (`--package-version`).
    #[serde(
        default,
        alias = "package_version",
        skip_serializing_if = "Option::is_none"
    )]
    pub package_version: Option<String>,
    /// The artefact's digests (`ALG:HEX`, sha256/384/512); a subject must match them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digest: Vec<Digest>,
    /// The signer's OIDC issuer (`gh --cert-oidc-issuer`); default GitHub Actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Reject builds on self-hosted runners (`gh --deny-self-hosted-runners`).
    #[serde(
        default,
        alias = "deny_self_hosted_runners",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub deny_self_hosted_runners: bool,
    /// For Verification Summary Attestations (`slsa-verifier verify-vsa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vsa: Option<VsaPolicy>,
}

/// A policy that cannot be evaluated (as opposed to a provenance that violates it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid provenance policy: {0}")]
pub struct InvalidPolicy(pub String);

/// Why an evaluation did not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The statement violates the policy.
    #[error("provenance policy violated: {0}")]
    Violated(Violation),
    /// The policy cannot be evaluated.
    #[error(transparent)]
    Invalid(InvalidPolicy),
}

impl From<Violation> for PolicyError {
    fn from(v: Violation) -> Self {
        PolicyError::Violated(v)
    }
}

impl From<InvalidPolicy> for PolicyError {
    fn from(v: InvalidPolicy) -> Self {
        PolicyError::Invalid(v)
    }
}

/// What the policy is evaluated on. The statements are whatever the caller verified; see
/// [`verify_provenance`](crate::slsa::verify_provenance) for the signed path.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The provenance (or VSA) statement.
    pub statement: &'a Statement,
    /// The npm registry's publish attestation, for npm packages.
    pub npm_publish: Option<&'a Statement>,
    /// The keyless signer of the statement. Without it the builder and source are taken as the
    /// statement claims them (the key that signed it is the trust anchor).
    pub signer: Option<&'a SignerIdentity>,
}

/// A passed evaluation: what was checked and the facts it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReport {
    /// `predicateType`.
    pub predicate_type: String,
    /// The provenance facts (SLSA provenance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ProvenanceSummary>,
    /// The builder now trusted (`name@ref`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder: Option<String>,
    /// The npm package, when the subject is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<NpmPackage>,
    /// The VSA facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vsa: Option<VsaSummary>,
    /// The signer identity the checks used; `None`: the statement's own claims were used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<SignerIdentity>,
    /// The checks performed, in order.
    pub checks: Vec<Check>,
}

impl ProvenancePolicy {
    /// Checks the policy for contradictions and malformed values (before any statement is
    /// looked at).
    pub fn validate(&self) -> Result<(), InvalidPolicy> {
        let bad = |s: String| Err(InvalidPolicy(s));
        if let Some(r) = &self.repo {
            if github_repo(&format!("github.com/{r}")) != Some(r.as_str()) {
                return bad(format!("repo `{r}`: expected OWNER/REPO"));
            }
            if let Some(u) = &self.source_uri
                && normalize_source_uri(u) != normalize_source_uri(&format!("github.com/{r}"))
            {
                return bad(format!(
                    "repo `{r}` and source-uri `{u}` name different repositories"
                ));
            }
        }
        if let Some(u) = &self.source_uri
            && (u.is_empty() || u.contains('@'))
        {
            return bad(format!(
                "source-uri `{u}`: expected a repository URI without a ref"
            ));
        }
        if let Some(o) = &self.owner
            && (o.is_empty() || o.contains('/'))
        {
            return bad(format!("owner `{o}`: expected an account name"));
        }
        if let Some(bid) = &self.builder_id {
            BuilderId::parse(bid).map_err(|e| InvalidPolicy(e.to_string()))?;
        }
        if let Some(w) = &self.signer_workflow {
            let w = signer_workflow_id(w);
            if w.as_ref().is_none_or(|id| id.name.matches('/').count() < 6) {
                return bad(format!(
                    "signer-workflow: expected [HOST/]OWNER/REPO/PATH/TO/WORKFLOW[@REF], got `{}`",
                    self.signer_workflow.as_deref().unwrap_or_default()
                ));
            }
        }
        if let Some(r) = &self.signer_repo
            && github_repo(&format!("github.com/{r}")) != Some(r.as_str())
        {
            return bad(format!("signer-repo `{r}`: expected OWNER/REPO"));
        }
        if self.source_tag.is_some() && self.source_versioned_tag.is_some() {
            return bad("source-tag and source-versioned-tag are mutually exclusive".into());
        }
        if let Some(t) = &self.source_versioned_tag
            && GoSemver::parse(t).is_none()
        {
            return bad(format!(
                "source-versioned-tag `{t}` is not a semantic version (vX, vX.Y or vX.Y.Z[-pre][+build])"
            ));
        }
        for (name, v) in [
            ("source-branch", &self.source_branch),
            ("source-tag", &self.source_tag),
            ("package-name", &self.package_name),
            ("package-version", &self.package_version),
            ("issuer", &self.issuer),
        ] {
            if v.as_ref().is_some_and(|s| s.is_empty()) {
                return bad(format!("{name} is empty"));
            }
        }
        if let Some(r) = &self.source_ref
            && crate::slsa::git::ref_kind(r).is_none()
        {
            return bad(format!(
                "source-ref `{r}`: expected refs/heads/NAME or refs/tags/NAME"
            ));
        }
        if let Some(d) = &self.source_digest
            && (d.len() < 7 || !d.bytes().all(|c| c.is_ascii_hexdigit()))
        {
            return bad(format!("source-digest `{d}`: expected a commit id (hex)"));
        }
        if self.workflow_inputs.keys().any(String::is_empty) {
            return bad("a workflow input has an empty name".into());
        }
        for (i, x) in self.digest.iter().enumerate() {
            if self.digest[..i]
                .iter()
                .any(|y| y.algorithm == x.algorithm && y.bytes != x.bytes)
            {
                return bad(format!(
                    "two different {} digests: they cannot describe one artefact",
                    x.algorithm
                ));
            }
        }
        if let Some(v) = &self.vsa {
            v.validate()?;
        }
        Ok(())
    }

    /// The expected source repository URI, normalised (`git+https://github.com/o/r`).
    fn expected_source(&self) -> Option<String> {
        self.source_uri
            .as_deref()
            .map(normalize_source_uri)
            .or_else(|| {
                self.repo
                    .as_ref()
                    .map(|r| normalize_source_uri(&format!("github.com/{r}")))
            })
    }
}

/// `[host/]owner/repo/path@ref` → a builder id with an `https://` name.
fn signer_workflow_id(w: &str) -> Option<BuilderId> {
    let url = if w.starts_with("https://") {
        w.to_owned()
    } else if w.split('/').next().is_some_and(|h| h.contains('.')) {
        format!("https://{w}")
    } else {
        format!("https://github.com/{w}")
    };
    BuilderId::parse(&url).ok()
}

/// Evaluates the policy (pure: no clock, no network). SLSA provenance (v0.2, v1) and, with a
/// `[vsa]` table, Verification Summary Attestations.
pub fn evaluate(ev: &Evidence<'_>, policy: &ProvenancePolicy) -> Result<PolicyReport, PolicyError> {
    policy.validate()?;
    if ev.statement.predicate_type == vsa::PREDICATE_TYPE {
        let vp = policy.vsa.as_ref().ok_or_else(|| {
            InvalidPolicy("the statement is a VSA: the policy needs a `vsa` table".into())
        })?;
        let (summary, checks) = vsa::evaluate_vsa(ev.statement, vp, &policy.digest)?;
        return Ok(PolicyReport {
            predicate_type: ev.statement.predicate_type.clone(),
            provenance: None,
            builder: None,
            package: None,
            vsa: Some(summary),
            signer: None,
            checks,
        });
    }
    let mut cx = Cx {
        ev,
        policy,
        checks: Vec::new(),
    };
    cx.run()
}

struct Cx<'a> {
    ev: &'a Evidence<'a>,
    policy: &'a ProvenancePolicy,
    checks: Vec<Check>,
}

impl Cx<'_> {
    fn done(&mut self, c: Check) {
        if !self.checks.contains(&c) {
            self.checks.push(c);
        }
    }

    fn run(&mut self) -> Result<PolicyReport, PolicyError> {
        let policy = self.policy;
        let expected_source = policy.expected_source();
        if expected_source.is_none() && policy.owner.is_none() {
            return Err(InvalidPolicy(
                "no source: set source-uri (or repo, or owner); a provenance check must name the repository"
                    .into(),
            )
            .into());
        }
        if policy.digest.is_empty() {
            return Err(InvalidPolicy(
                "no artefact digest: the statement must be checked against the artefact (digest / --artifact)"
                    .into(),
            )
            .into());
        }
        let prov = Provenance::from_statement(self.ev.statement)?;
        self.done(Check::Predicate);
        let npm_mode = self.ev.npm_publish.is_some()
            || prov.kind == BuildKind::NpmCli
            || prov.subjects.iter().any(|s| s.name.starts_with("pkg:npm/"));

        // 1. The signer (keyless): issuer, then who signed (slsa-verifier's VerifyBuilderIdentity).
        if let Some(id) = self.ev.signer {
            let want = policy.issuer.as_deref().unwrap_or(GITHUB_ACTIONS_ISSUER);
            if id.issuer != want {
                return Err(Violation::new(Check::Issuer, Reason::InvalidIssuer)
                    .expected(want)
                    .actual(id.issuer.clone())
                    .into());
            }
            self.done(Check::Issuer);
        }
        if npm_mode && policy.builder_id.is_none() {
            return Err(Violation::new(Check::Builder, Reason::InvalidBuilderId)
                .detail("npm packages need an expected builder id")
                .into());
        }
        let builder = match prov.kind {
            BuildKind::NpmCli => self.npm_cli_builder(&prov)?,
            BuildKind::Byob => self.byob_builder(&prov)?,
            _ => self.reusable_builder(&prov)?,
        };
        self.signer_checks(&prov)?;

        // 2. The source, from the certificate first (VerifyCertficateSourceRepository).
        if let Some(id) = self.ev.signer {
            let have = normalize_source_uri(&format!("github.com/{}", id.source_repository));
            if let Some(want) = &expected_source
                && *want != have
            {
                return Err(Violation::mismatch(Check::Source, want.clone(), have)
                    .detail("signing certificate")
                    .into());
            }
        }
        // 3. The provenance: builder id against the signer, source, digest, refs, inputs.
        if let Some(want) = &expected_source {
            self.source(&prov, want)?;
        }
        self.owner(&prov)?;
        self.subject_digest(&prov)?;
        self.refs(&prov)?;
        self.workflow_inputs(&prov)?;
        self.runner(&prov)?;
        if prov.kind == BuildKind::NpmCli
            && let Some(id) = self.ev.signer
        {
            self.matches_certificate(&prov, id)?;
        }
        // 4. npm: the publish attestation, then name and version.
        let package = self.npm(&prov, npm_mode)?;
        Ok(PolicyReport {
            predicate_type: prov.predicate_type.clone(),
            provenance: Some(prov.summary()),
            builder: Some(builder),
            package,
            vsa: None,
            signer: self.ev.signer.cloned(),
            checks: std::mem::take(&mut self.checks),
        })
    }

    /// The signer's workflow: from the certificate, or as the statement claims it.
    fn signer_workflow(&self, prov: &Provenance) -> String {
        self.ev
            .signer
            .map_or_else(|| prov.builder_id().to_owned(), |i| i.workflow.clone())
    }

    /// Builders that sign their own provenance: slsa-github-generator's generators and builders,
    /// and GitHub artifact attestations (slsa-verifier's non-BYOB path).
    fn reusable_builder(&mut self, prov: &Provenance) -> Result<String, Violation> {
        let policy = self.policy;
        let signer_s = self.signer_workflow(prov);
        let signer = BuilderId::parse(&signer_s).map_err(|e| {
            Violation::new(Check::Builder, Reason::InvalidBuilderId).detail(e.to_string())
        })?;
        if self.ev.signer.is_some() && DELEGATORS.contains(&signer.name.as_str()) {
            return Err(build_type_mismatch(prov, &signer_s));
        }
        let by_policy = if let Some(exp) = &policy.builder_id {
            let exp_id = BuilderId::parse(exp).map_err(|e| {
                Violation::new(Check::Builder, Reason::InvalidBuilderId).detail(e.to_string())
            })?;
            match signer.matches_loose(&exp_id) {
                Ok(()) => true,
                Err(BuilderMismatch::Name) => {
                    return Err(Violation::new(Check::Builder, Reason::Untrusted)
                        .expected(exp.clone())
                        .actual(signer_s)
                        .detail("the signer is not the expected builder"));
                }
                Err(BuilderMismatch::Version) => {
                    return Err(Violation::mismatch(Check::Builder, exp.clone(), signer_s)
                        .detail("builder version"));
                }
            }
        } else if policy.signer_workflow.is_some() || policy.signer_repo.is_some() {
            false
        } else if DEFAULT_TRUSTED_BUILDERS.contains(&signer.name.as_str()) {
            true
        } else {
            return Err(Violation::new(Check::Builder, Reason::Untrusted)
                .actual(signer_s)
                .detail(
                    "no builder id in the policy, and this builder is not one of slsa-github-generator's trusted builders",
                ));
        };
        if by_policy {
            // slsa-verifier's verifyTrustedBuilderRef: trusted builders are used at a release tag.
            let tag = ref_name(&signer.version, RefKind::Tag);
            if !tag.is_some_and(is_release_tag) {
                return Err(Violation::new(Check::Builder, Reason::InvalidRef)
                    .actual(signer_s)
                    .detail(
                        "a trusted builder must be referenced at a release tag refs/tags/vX.Y.Z",
                    ));
            }
        }
        if let Some(sole) = prov.kind.sole_builder()
            && sole != signer.name
        {
            return Err(build_type_mismatch(prov, &signer_s));
        }
        // The provenance names the signer, version included (verifyBuilderIDExactMatch).
        let claimed = BuilderId::parse(prov.builder_id()).map_err(|e| {
            Violation::new(Check::Builder, Reason::InvalidBuilderId).detail(e.to_string())
        })?;
        if claimed.matches_full(&signer).is_err() {
            return Err(Violation::mismatch(
                Check::Builder,
                signer_s,
                prov.builder_id().to_owned(),
            )
            .detail("the provenance's builder id is not its signer"));
        }
        self.done(Check::Builder);
        Ok(signer.to_string())
    }

    /// BYOB builders: the delegator signs, the provenance names the builder
    /// (slsa-verifier's byob path and isValidDelegatorBuilderID).
    fn byob_builder(&mut self, prov: &Provenance) -> Result<String, Violation> {
        if let Some(id) = self.ev.signer {
            if !DELEGATORS.contains(&id.workflow_name()) {
                return Err(build_type_mismatch(prov, &id.workflow));
            }
            if !ref_name(id.workflow_ref(), RefKind::Tag).is_some_and(is_release_tag) {
                return Err(Violation::new(Check::Builder, Reason::InvalidRef)
                    .actual(id.workflow.clone())
                    .detail("the delegator must be referenced at a release tag"));
            }
        }
        let claimed = prov.builder_id();
        let invalid = |d: &str| {
            Violation::new(Check::Builder, Reason::InvalidBuilderId)
                .actual(claimed.to_owned())
                .detail(d.to_owned())
        };
        let id = BuilderId::parse(claimed).map_err(|e| invalid(&e.to_string()))?;
        if id.version.is_empty() {
            return Err(invalid("a BYOB builder id must carry its ref"));
        }
        let tag = ref_name(&id.version, RefKind::Tag);
        let ref_ok = if id.name.starts_with(b::JRELEASER) {
            tag.and_then(GoSemver::parse)
                .is_some_and(|v| v.components == 3 && v.prerelease == "java" && v.build.is_empty())
        } else {
            tag.is_some_and(is_release_tag)
        };
        if !ref_ok {
            return Err(Violation::new(Check::Builder, Reason::InvalidRef)
                .actual(claimed.to_owned())
                .detail("a BYOB builder must be referenced at a release tag refs/tags/vX.Y.Z"));
        }
        let expected = match &self.policy.builder_id {
            Some(e) => e.clone(),
            None if id.name.starts_with(SLSA_GITHUB_GENERATOR_WORKFLOWS) => id.name.clone(),
            None => {
                return Err(invalid(&format!(
                    "no builder id in the policy, and this BYOB builder is not under {SLSA_GITHUB_GENERATOR_WORKFLOWS}"
                )));
            }
        };
        let exp_id = BuilderId::parse(&expected).map_err(|e| invalid(&e.to_string()))?;
        if id.matches_loose(&exp_id).is_err() {
            return Err(Violation::mismatch(
                Check::Builder,
                expected,
                claimed.to_owned(),
            ));
        }
        self.done(Check::Builder);
        Ok(id.to_string())
    }

    /// The npm CLI's own provenance (`npm publish --provenance`): the workflow that signs is the
    /// user's, so the builder id must be one of the runner ids the npm CLI writes, and the
    /// provenance is later compared with the certificate.
    fn npm_cli_builder(&mut self, prov: &Provenance) -> Result<String, Violation> {
        let expected = self.policy.builder_id.clone().unwrap_or_default();
        if let Some(id) = self.ev.signer {
            if DELEGATORS.contains(&id.workflow_name()) {
                return Err(build_type_mismatch(prov, &id.workflow));
            }
            let hosted = match id.runner_environment.as_deref() {
                Some("github-hosted") => true,
                Some("self-hosted") => false,
                _ => {
                    return Err(Violation::new(Check::Builder, Reason::NotSupported).detail(
                        "the certificate does not say whether the runner was GitHub-hosted",
                    ));
                }
            };
            let mismatch = match expected.as_str() {
                b::NPM_CLI_LEGACY | b::NPM_CLI_HOSTED => !hosted,
                b::NPM_CLI_SELF_HOSTED => hosted,
                _ => false,
            };
            if mismatch {
                return Err(Violation::mismatch(
                    Check::Builder,
                    expected,
                    if hosted {
                        "github-hosted"
                    } else {
                        "self-hosted"
                    },
                )
                .detail("runner environment in the signing certificate"));
            }
        }
        if ![b::NPM_CLI_LEGACY, b::NPM_CLI_HOSTED, b::NPM_CLI_SELF_HOSTED]
            .contains(&expected.as_str())
        {
            return Err(Violation::new(Check::Builder, Reason::NotSupported)
                .expected(expected)
                .detail(format!(
                    "npm CLI provenance is built by {} or {}",
                    b::NPM_CLI_HOSTED,
                    b::NPM_CLI_SELF_HOSTED
                )));
        }
        let supported: &[&str] = match prov.predicate {
            Predicate::V02(_) => &[b::NPM_CLI_LEGACY, b::NPM_CLI_HOSTED],
            Predicate::V1(_) => &[b::NPM_CLI_HOSTED],
        };
        if !supported.contains(&expected.as_str()) {
            return Err(Violation::new(Check::Builder, Reason::InvalidBuilderId)
                .expected(expected)
                .detail(format!(
                    "not a builder id for {} npm CLI provenance",
                    prov.predicate_type
                )));
        }
        // Older provenance says `…/actions/runner`, newer `…/actions/runner/github-hosted`: the
        // two name the same GitHub-hosted builder.
        let claimed = BuilderId::parse(prov.builder_id()).map_err(|e| {
            Violation::new(Check::Builder, Reason::InvalidBuilderId).detail(e.to_string())
        })?;
        let alternate = match expected.strip_suffix("/github-hosted") {
            Some(short) => short.to_owned(),
            None => format!("{expected}/github-hosted"),
        };
        let ok = [&expected, &alternate]
            .into_iter()
            .any(|e| BuilderId::parse(e).is_ok_and(|e| claimed.matches_loose(&e).is_ok()));
        if !ok {
            return Err(Violation::mismatch(
                Check::Builder,
                expected,
                prov.builder_id().to_owned(),
            ));
        }
        self.done(Check::Builder);
        Ok(expected)
    }

    /// `gh attestation verify --signer-workflow / --signer-repo`.
    fn signer_checks(&mut self, prov: &Provenance) -> Result<(), Violation> {
        let signer_s = self.signer_workflow(prov);
        let signer = BuilderId::parse(&signer_s).map_err(|e| {
            Violation::new(Check::Signer, Reason::InvalidBuilderId).detail(e.to_string())
        })?;
        if let Some(w) = &self.policy.signer_workflow {
            let want = signer_workflow_id(w)
                .ok_or_else(|| Violation::new(Check::Signer, Reason::InvalidBuilderId))?;
            if signer.matches_loose(&want).is_err() {
                return Err(Violation::new(Check::Signer, Reason::Untrusted)
                    .expected(want.to_string())
                    .actual(signer_s));
            }
            self.done(Check::Signer);
        }
        if let Some(r) = &self.policy.signer_repo {
            let prefix = format!("https://github.com/{r}/");
            if !signer.name.starts_with(&prefix) {
                return Err(Violation::new(Check::Signer, Reason::Untrusted)
                    .expected(format!("{prefix}…"))
                    .actual(signer_s));
            }
            self.done(Check::Signer);
        }
        Ok(())
    }

    /// slsa-verifier's verifySourceURI: the trigger and the source material are the expected
    /// repository, both with a ref, and the same URI.
    fn source(&mut self, prov: &Provenance, want: &str) -> Result<(), Violation> {
        let trigger_full = prov.trigger_uri().map_err(|m| m.at(Check::Source))?;
        let trigger = parse_git_uri(&trigger_full).map_err(|e| {
            Violation::new(Check::Source, Reason::MalformedUri).detail(e.to_string())
        })?;
        if trigger.repo != want {
            return Err(
                Violation::mismatch(Check::Source, want, trigger_full.clone()).detail("trigger"),
            );
        }
        if trigger.git_ref.is_empty() {
            return Err(Violation::new(Check::Source, Reason::MalformedUri)
                .actual(trigger_full)
                .detail("the trigger has no ref"));
        }
        let source_full = prov.source_uri().map_err(|m| m.at(Check::Source))?;
        let source = parse_git_uri(source_full).map_err(|e| {
            Violation::new(Check::Source, Reason::MalformedUri).detail(e.to_string())
        })?;
        if source.repo != want {
            return Err(
                Violation::mismatch(Check::Source, want, source_full.to_owned())
                    .detail("source material"),
            );
        }
        if source.git_ref.is_empty() {
            // The npm CLI before GA and BYOB builders record the source without a ref.
            if matches!(
                prov.build_type(),
                build_type::NPM_CLI_V1 | build_type::BYOB_V0
            ) {
                self.done(Check::Source);
                return Ok(());
            }
            return Err(Violation::new(Check::Source, Reason::MalformedUri)
                .actual(source_full.to_owned())
                .detail("the source material has no ref"));
        }
        if trigger_full != source_full {
            return Err(Violation::new(Check::Source, Reason::MalformedPredicate)
                .expected(trigger_full)
                .actual(source_full.to_owned())
                .detail("trigger and source material differ"));
        }
        self.done(Check::Source);
        Ok(())
    }

    /// `gh --owner`: the source repository's owner (statement, and certificate when keyless).
    fn owner(&mut self, prov: &Provenance) -> Result<(), Violation> {
        let Some(want) = &self.policy.owner else {
            return Ok(());
        };
        let mut repos = vec![
            prov.source_uri()
                .map_err(|m| m.at(Check::Owner))?
                .to_owned(),
        ];
        if let Some(id) = self.ev.signer {
            repos.push(format!("github.com/{}", id.source_repository));
        }
        for r in repos {
            let owner = github_repo(&r).and_then(|r| r.split('/').next());
            if owner != Some(want.as_str()) {
                return Err(Violation::mismatch(Check::Owner, want.clone(), r));
            }
        }
        self.done(Check::Owner);
        Ok(())
    }

    /// The artefact is a subject (its digests match one subject's on every common algorithm).
    fn subject_digest(&mut self, prov: &Provenance) -> Result<(), Violation> {
        let want = DigestSet::from_digests(&self.policy.digest);
        if !prov.subjects.iter().any(|s| s.digest.matches(&want)) {
            return Err(Violation::mismatch(
                Check::SubjectDigest,
                digests_text(&self.policy.digest),
                subjects_text(prov),
            ));
        }
        self.done(Check::SubjectDigest);
        Ok(())
    }

    /// Branch, exact tag, versioned tag, full ref, commit.
    fn refs(&mut self, prov: &Provenance) -> Result<(), Violation> {
        let p = self.policy;
        if let Some(want) = &p.source_branch {
            let full = prov.branch().map_err(|m| m.at(Check::Branch))?;
            let have = ref_name(&full, RefKind::Branch).ok_or_else(|| {
                Violation::new(Check::Branch, Reason::InvalidRef)
                    .expected(want.clone())
                    .actual(full.clone())
                    .detail("the build did not record a branch")
            })?;
            if have != want {
                return Err(Violation::mismatch(Check::Branch, want.clone(), have));
            }
            self.done(Check::Branch);
        }
        for (want, check) in [
            (&p.source_tag, Check::Tag),
            (&p.source_versioned_tag, Check::VersionedTag),
        ] {
            let Some(want) = want else { continue };
            let full = prov.tag().map_err(|m| m.at(check))?;
            let have = ref_name(&full, RefKind::Tag).ok_or_else(|| {
                Violation::new(check, Reason::InvalidRef)
                    .expected(want.clone())
                    .actual(prov.build_ref().map(|r| r.full).unwrap_or_default())
                    .detail("the build did not run on a tag")
            })?;
            if check == Check::Tag && have != want {
                return Err(Violation::mismatch(Check::Tag, want.clone(), have));
            }
            if check == Check::VersionedTag {
                verify_versioned_tag(have, want).map_err(|e| {
                    let reason = match e {
                        VersionedTagError::Mismatch { .. } => Reason::Mismatch,
                        _ => Reason::InvalidSemver,
                    };
                    Violation::new(check, reason)
                        .expected(want.clone())
                        .actual(have)
                        .detail(e.to_string())
                })?;
            }
            self.done(check);
        }
        if let Some(want) = &p.source_ref {
            let have = prov.build_ref().map_err(|m| m.at(Check::SourceRef))?.full;
            if &have != want {
                return Err(Violation::mismatch(Check::SourceRef, want.clone(), have));
            }
            if let Some(id) = self.ev.signer
                && id.source_ref.as_deref() != Some(want.as_str())
            {
                return Err(Violation::mismatch(
                    Check::SourceRef,
                    want.clone(),
                    id.source_ref.clone().unwrap_or_default(),
                )
                .detail("signing certificate"));
            }
            self.done(Check::SourceRef);
        }
        if let Some(want) = &p.source_digest {
            let have = prov.source_commit().unwrap_or_default().to_owned();
            let cert = self.ev.signer.map(|i| i.source_digest.as_str());
            for h in std::iter::once(have.as_str()).chain(cert) {
                if !h.eq_ignore_ascii_case(want) {
                    return Err(Violation::mismatch(Check::SourceDigest, want.clone(), h));
                }
            }
            self.done(Check::SourceDigest);
        }
        Ok(())
    }

    /// Every expected workflow_dispatch input has that (string) value.
    fn workflow_inputs(&mut self, prov: &Provenance) -> Result<(), Violation> {
        if self.policy.workflow_inputs.is_empty() {
            return Ok(());
        }
        let inputs = prov.workflow_inputs()?;
        for (k, want) in &self.policy.workflow_inputs {
            match inputs.get(k) {
                Some(Value::String(have)) if have == want => {}
                Some(Value::String(have)) => {
                    return Err(Violation::mismatch(
                        Check::WorkflowInputs,
                        format!("{k}={want}"),
                        format!("{k}={have}"),
                    ));
                }
                other => {
                    return Err(Violation::new(Check::WorkflowInputs, Reason::Missing)
                        .expected(format!("{k}={want}"))
                        .detail(match other {
                            None => format!("no input `{k}`"),
                            Some(v) => format!("input `{k}` is not a string: {v}"),
                        }));
                }
            }
        }
        self.done(Check::WorkflowInputs);
        Ok(())
    }

    /// `gh --deny-self-hosted-runners`: the certificate's (or the statement's) runner
    /// environment must be `github-hosted`; unknown fails.
    fn runner(&mut self, prov: &Provenance) -> Result<(), Violation> {
        if !self.policy.deny_self_hosted_runners {
            return Ok(());
        }
        let env = match self.ev.signer {
            Some(id) => id.runner_environment.as_deref(),
            None => prov.runner_environment(),
        };
        if env != Some("github-hosted") {
            return Err(Violation::mismatch(
                Check::Runner,
                "github-hosted",
                env.unwrap_or("(not recorded)"),
            ));
        }
        self.done(Check::Runner);
        Ok(())
    }

    /// slsa-verifier's verifyProvenanceMatchesCertificate, for provenance signed by a workflow
    /// that is not a trusted builder: every claim it can check against the certificate must
    /// agree, and claims it cannot check must be absent.
    fn matches_certificate(
        &mut self,
        prov: &Provenance,
        id: &SignerIdentity,
    ) -> Result<(), Violation> {
        crate::slsa::certificate::matches_certificate(prov, id)?;
        self.done(Check::Certificate);
        Ok(())
    }

    /// npm: the publish attestation (subject digest, name, version) and the provenance subject.
    fn npm(&mut self, prov: &Provenance, npm_mode: bool) -> Result<Option<NpmPackage>, Violation> {
        if !npm_mode {
            return Ok(None);
        }
        let publish = match self.ev.npm_publish {
            Some(st) => {
                let pa = PublishAttestation::from_statement(st).map_err(|e| {
                    Violation::new(Check::PublishAttestation, Reason::MalformedPredicate).detail(e)
                })?;
                let want = DigestSet::from_digests(&self.policy.digest);
                if !st.subjects.iter().any(|s| s.digest.matches(&want)) {
                    return Err(Violation::mismatch(
                        Check::PublishAttestation,
                        digests_text(&self.policy.digest),
                        st.subjects
                            .iter()
                            .map(|s| format!("{:?}", s.digest.entries()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                    .detail("the artefact is not a subject of the publish attestation"));
                }
                self.done(Check::PublishAttestation);
                Some(pa)
            }
            None => None,
        };
        let subject = || -> Result<NpmPackage, Violation> {
            if prov.subjects.len() != 1 {
                return Err(
                    Violation::new(Check::PackageName, Reason::MalformedPredicate)
                        .detail(format!("expected 1 subject, got {}", prov.subjects.len())),
                );
            }
            package_from_purl(&prov.subjects[0].name).map_err(|e| {
                Violation::new(Check::PackageName, Reason::InvalidPackageName).detail(e)
            })
        };
        // The subject must name the package only when the policy asks about it
        // (slsa-verifier's verifyPackageName / verifyPackageVersion).
        let asked = self.policy.package_name.is_some() || self.policy.package_version.is_some();
        let package = if asked {
            subject()?
        } else {
            match subject() {
                Ok(p) => p,
                Err(_) => return Ok(None),
            }
        };
        let publish = publish.as_ref();
        let name = [
            (package.name.as_str(), "provenance subject"),
            (
                publish.map_or("", |p| p.name.as_str()),
                "publish attestation",
            ),
        ];
        let version = [
            (package.version.as_str(), "provenance subject"),
            (
                publish.map_or("", |p| p.version.as_str()),
                "publish attestation",
            ),
        ];
        let n = if publish.is_some() { 2 } else { 1 };
        for (want, check, have) in [
            (&self.policy.package_name, Check::PackageName, name),
            (&self.policy.package_version, Check::PackageVersion, version),
        ] {
            let Some(want) = want else { continue };
            if let Some((h, whence)) = have[..n].iter().find(|(h, _)| h != want) {
                return Err(Violation::mismatch(check, want.clone(), *h).detail(*whence));
            }
            self.done(check);
        }
        Ok(Some(package))
    }
}

fn build_type_mismatch(prov: &Provenance, signer: &str) -> Violation {
    Violation::new(Check::BuildType, Reason::InvalidBuildType)
        .actual(prov.build_type().to_owned())
        .detail(format!("not a build type that {signer} produces"))
}

fn digests_text(d: &[Digest]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn subjects_text(prov: &Provenance) -> String {
    prov.subjects
        .iter()
        .flat_map(|s| s.digest.entries().iter().map(|(a, h)| format!("{a}:{h}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Is `predicate_type` SLSA provenance this module evaluates?
pub fn is_slsa_provenance(predicate_type: &str) -> bool {
    matches!(predicate_type, PROVENANCE_V02 | PROVENANCE_V1)
}

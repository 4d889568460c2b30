//! SLSA provenance predicates: typed views of v0.2 and v1, and the facts a policy needs from
//! them (builder, source, ref, commit, workflow, inputs, trigger event), per build type.
//!
//! The typed views reject unknown fields (as slsa-verifier's strict decoding does): a field this
//! verifier does not know may carry a claim it would silently ignore. Free-form fields
//! (`parameters`, `environment`, `externalParameters`, `internalParameters`) stay JSON values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::slsa::git::{RefKind, parse_git_uri, ref_kind};
use crate::slsa::violation::{Check, Reason, Violation};
use crate::statement::{Statement, Subject};

/// `predicateType` of SLSA provenance v0.2.
pub const PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// `predicateType` of SLSA provenance v1.
pub const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// Build types this verifier understands.
pub mod build_type {
    /// slsa-github-generator's BYOB delegator (v0.2 and v1).
    pub const BYOB_V0: &str =
        "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0";
    /// The container-based builder (v1).
    pub const CONTAINER_BASED_V01_DRAFT: &str = "https://slsa.dev/container-based-build/v0.1?draft";
    /// The Go builder (v0.2).
    pub const GO_V1: &str = "https://github.com/slsa-framework/slsa-github-generator/go@v1";
    /// The generic generator (v0.2).
    pub const GENERIC_V1: &str =
        "https://github.com/slsa-framework/slsa-github-generator/generic@v1";
    /// The container generator (v0.2).
    pub const CONTAINER_V1: &str =
        "https://github.com/slsa-framework/slsa-github-generator/container@v1";
    /// Legacy Go builder build type (v0.2).
    pub const LEGACY_GO_V1: &str = "https://github.com/slsa-framework/slsa-github-generator-go@v1";
    /// Legacy generic build type (v0.2).
    pub const LEGACY_BUILDER_V1: &str =
        "https://github.com/slsa-framework/slsa-github-generator@v1";
    /// The npm CLI, pre-GA (v0.2).
    pub const NPM_CLI_V1: &str = "https://github.com/npm/cli/gha@v1";
    /// The npm CLI (v0.2).
    pub const NPM_CLI_V2: &str = "https://github.com/npm/cli/gha/v2";
    /// The npm CLI on GitHub Actions (v1).
    pub const NPM_CLI_GITHUB_ACTIONS_V1: &str =
        "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
    /// GitHub artifact attestations (`actions/attest-build-provenance`, `gh attestation`), v1.
    pub const GITHUB_ACTIONS_WORKFLOW_V1: &str = "https://actions.github.io/buildtypes/workflow/v1";
}

/// SLSA provenance v0.2 predicate.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PredicateV02 {
    /// `builder`.
    pub builder: BuilderV02,
    /// `buildType`.
    pub build_type: String,
    /// `invocation`.
    #[serde(default)]
    pub invocation: InvocationV02,
    /// `buildConfig`.
    #[serde(default)]
    pub build_config: Option<Value>,
    /// `metadata`.
    #[serde(default)]
    pub metadata: Option<MetadataV02>,
    /// `materials`.
    #[serde(default)]
    pub materials: Vec<MaterialV02>,
}

/// v0.2 `builder`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuilderV02 {
    /// `id`.
    pub id: String,
}

/// v0.2 `invocation`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InvocationV02 {
    /// `configSource`: the workflow that triggered the build.
    #[serde(default)]
    pub config_source: ConfigSourceV02,
    /// `parameters`.
    #[serde(default)]
    pub parameters: Option<Value>,
    /// `environment`: the GitHub context (`github_ref`, `github_event_name`, …).
    #[serde(default)]
    pub environment: Option<Value>,
}

/// v0.2 `invocation.configSource`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigSourceV02 {
    /// `uri`: `git+https://github.com/o/r@refs/…`.
    #[serde(default)]
    pub uri: String,
    /// `digest`.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
    /// `entryPoint`: the workflow path.
    #[serde(default)]
    pub entry_point: String,
}

/// v0.2 `metadata`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetadataV02 {
    /// `buildInvocationID` (also spelt `buildInvocationId`).
    #[serde(default, rename = "buildInvocationID", alias = "buildInvocationId")]
    pub build_invocation_id: Option<String>,
    /// `buildStartedOn`.
    #[serde(default)]
    pub build_started_on: Option<String>,
    /// `buildFinishedOn`.
    #[serde(default)]
    pub build_finished_on: Option<String>,
    /// `completeness`.
    #[serde(default)]
    pub completeness: CompletenessV02,
    /// `reproducible`.
    #[serde(default)]
    pub reproducible: bool,
}

/// v0.2 `metadata.completeness`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompletenessV02 {
    /// `parameters`.
    #[serde(default)]
    pub parameters: bool,
    /// `environment`.
    #[serde(default)]
    pub environment: bool,
    /// `materials`.
    #[serde(default)]
    pub materials: bool,
}

/// v0.2 `materials[]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialV02 {
    /// `uri`.
    #[serde(default)]
    pub uri: String,
    /// `digest`.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

/// SLSA provenance v1 predicate.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PredicateV1 {
    /// `buildDefinition`.
    pub build_definition: BuildDefinitionV1,
    /// `runDetails`.
    pub run_details: RunDetailsV1,
}

/// v1 `buildDefinition`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BuildDefinitionV1 {
    /// `buildType`.
    pub build_type: String,
    /// `externalParameters` (shape defined by the build type).
    #[serde(default)]
    pub external_parameters: Value,
    /// `internalParameters` (shape defined by the build type).
    #[serde(default)]
    pub internal_parameters: Option<Value>,
    /// `resolvedDependencies`; the first is the source by the GitHub builders' convention.
    #[serde(default)]
    pub resolved_dependencies: Vec<ResourceDescriptorV1>,
}

/// v1 `runDetails`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunDetailsV1 {
    /// `builder`.
    pub builder: BuilderV1,
    /// `metadata`.
    #[serde(default)]
    pub metadata: Option<BuildMetadataV1>,
    /// `byproducts`.
    #[serde(default)]
    pub byproducts: Vec<ResourceDescriptorV1>,
}

/// v1 `runDetails.builder`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BuilderV1 {
    /// `id`.
    pub id: String,
    /// `version`.
    #[serde(default)]
    pub version: Option<BTreeMap<String, String>>,
    /// `builderDependencies`.
    #[serde(default)]
    pub builder_dependencies: Vec<ResourceDescriptorV1>,
}

/// v1 `runDetails.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BuildMetadataV1 {
    /// `invocationId`.
    #[serde(default)]
    pub invocation_id: Option<String>,
    /// `startedOn`.
    #[serde(default)]
    pub started_on: Option<String>,
    /// `finishedOn`.
    #[serde(default)]
    pub finished_on: Option<String>,
}

/// v1 ResourceDescriptor.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceDescriptorV1 {
    /// `uri`.
    #[serde(default)]
    pub uri: String,
    /// `digest`.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `downloadLocation`.
    #[serde(default)]
    pub download_location: Option<String>,
    /// `mediaType`.
    #[serde(default)]
    pub media_type: Option<String>,
    /// `content`.
    #[serde(default)]
    pub content: Option<Value>,
    /// `annotations`.
    #[serde(default)]
    pub annotations: Option<Value>,
}

/// A SLSA provenance predicate of either version.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// v0.2.
    V02(PredicateV02),
    /// v1.
    V1(PredicateV1),
}

/// The kind of build, from the build type (and predicate version): it decides where each fact
/// lives in the predicate and which builders may have produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildKind {
    /// slsa-github-generator's generic generator (v0.2).
    GenericGenerator,
    /// slsa-github-generator's Go builder (v0.2).
    GoBuilder,
    /// slsa-github-generator's container generator (v0.2).
    ContainerGenerator,
    /// slsa-github-generator's container-based builder (v1).
    ContainerBased,
    /// A BYOB builder behind slsa-github-generator's delegator (v0.2, v1).
    Byob,
    /// The npm CLI's own provenance (`npm publish --provenance`; v0.2, v1).
    NpmCli,
    /// A GitHub artifact attestation (`actions/attest-build-provenance`; v1).
    GitHubWorkflow,
}

impl BuildKind {
    fn of(predicate_type: &str, build: &str) -> Option<BuildKind> {
        use build_type as bt;
        Some(match (predicate_type, build) {
            (_, bt::BYOB_V0) => BuildKind::Byob,
            (PROVENANCE_V02, bt::GO_V1 | bt::LEGACY_GO_V1 | bt::LEGACY_BUILDER_V1) => {
                BuildKind::GoBuilder
            }
            (PROVENANCE_V02, bt::GENERIC_V1) => BuildKind::GenericGenerator,
            (PROVENANCE_V02, bt::CONTAINER_V1) => BuildKind::ContainerGenerator,
            (PROVENANCE_V02, bt::NPM_CLI_V1 | bt::NPM_CLI_V2) => BuildKind::NpmCli,
            (PROVENANCE_V1, bt::CONTAINER_BASED_V01_DRAFT) => BuildKind::ContainerBased,
            (PROVENANCE_V1, bt::NPM_CLI_GITHUB_ACTIONS_V1) => BuildKind::NpmCli,
            (PROVENANCE_V1, bt::GITHUB_ACTIONS_WORKFLOW_V1) => BuildKind::GitHubWorkflow,
            _ => return None,
        })
    }

    /// The only builder (name) that produces this kind, for the slsa-github-generator builders.
    pub fn sole_builder(self) -> Option<&'static str> {
        use crate::slsa::builder as b;
        match self {
            BuildKind::GenericGenerator => Some(b::GENERIC_GENERATOR),
            BuildKind::GoBuilder => Some(b::GO_BUILDER),
            BuildKind::ContainerGenerator => Some(b::CONTAINER_GENERATOR),
            BuildKind::ContainerBased => Some(b::CONTAINER_BASED_BUILDER),
            _ => None,
        }
    }

    /// Kinds whose facts come from the workflow description (`externalParameters.workflow`)
    /// rather than a recorded GitHub context.
    fn is_workflow_type(self, p: &Predicate) -> bool {
        matches!(p, Predicate::V1(_))
            && matches!(self, BuildKind::NpmCli | BuildKind::GitHubWorkflow)
    }
}

/// A fact the policy needs is missing or malformed in the predicate; the caller names the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// `MalformedPredicate` or `MalformedUri`.
    pub reason: Reason,
    /// What is wrong.
    pub detail: String,
}

impl Malformed {
    fn predicate(detail: impl Into<String>) -> Malformed {
        Malformed {
            reason: Reason::MalformedPredicate,
            detail: detail.into(),
        }
    }

    fn uri(detail: impl Into<String>) -> Malformed {
        Malformed {
            reason: Reason::MalformedUri,
            detail: detail.into(),
        }
    }

    /// The violation of `check` this causes.
    pub fn at(self, check: Check) -> Violation {
        Violation::new(check, self.reason).detail(self.detail)
    }
}

/// The ref a build ran on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRef {
    /// Branch or tag.
    pub kind: RefKind,
    /// The full ref (`refs/tags/v1.2.3`).
    pub full: String,
}

/// A SLSA provenance statement, interpreted: the subjects, the typed predicate and its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// `predicateType`.
    pub predicate_type: String,
    /// The subjects.
    pub subjects: Vec<Subject>,
    /// The typed predicate.
    pub predicate: Predicate,
    /// The build kind (from the build type).
    pub kind: BuildKind,
}

/// The facts of a provenance, for reports (absent when the predicate does not record them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenanceSummary {
    /// `predicateType`.
    pub predicate_type: String,
    /// The build type.
    pub build_type: String,
    /// The builder id.
    pub builder_id: String,
    /// The source repository and ref (`git+https://github.com/o/r@refs/tags/v1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The source commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The workflow that ran the build (path in the source repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// The event that triggered it (`push`, `release`, `workflow_dispatch`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

impl Provenance {
    /// Interprets a statement as SLSA provenance (v0.2 or v1, a known build type).
    pub fn from_statement(st: &Statement) -> Result<Provenance, Violation> {
        let bad =
            |d: String| Violation::new(Check::Predicate, Reason::MalformedPredicate).detail(d);
        let predicate = match st.predicate_type.as_str() {
            PROVENANCE_V02 => Predicate::V02(
                PredicateV02::deserialize(&st.predicate)
                    .map_err(|e| bad(format!("SLSA v0.2 predicate: {e}")))?,
            ),
            PROVENANCE_V1 => Predicate::V1(
                PredicateV1::deserialize(&st.predicate)
                    .map_err(|e| bad(format!("SLSA v1 predicate: {e}")))?,
            ),
            other => {
                return Err(bad(format!(
                    "predicate type `{other}` is not SLSA provenance ({PROVENANCE_V02} or {PROVENANCE_V1})"
                )));
            }
        };
        let build = match &predicate {
            Predicate::V02(p) => &p.build_type,
            Predicate::V1(p) => &p.build_definition.build_type,
        };
        let kind = BuildKind::of(&st.predicate_type, build).ok_or_else(|| {
            Violation::new(Check::BuildType, Reason::InvalidBuildType)
                .actual(build.clone())
                .detail(format!(
                    "not a build type this verifier knows for {}",
                    st.predicate_type
                ))
        })?;
        Ok(Provenance {
            predicate_type: st.predicate_type.clone(),
            subjects: st.subjects.clone(),
            predicate,
            kind,
        })
    }

    /// The builder id (`builder.id` / `runDetails.builder.id`).
    pub fn builder_id(&self) -> &str {
        match &self.predicate {
            Predicate::V02(p) => &p.builder.id,
            Predicate::V1(p) => &p.run_details.builder.id,
        }
    }

    /// The build type.
    pub fn build_type(&self) -> &str {
        match &self.predicate {
            Predicate::V02(p) => &p.build_type,
            Predicate::V1(p) => &p.build_definition.build_type,
        }
    }

    /// The recorded GitHub context: v0.2 `invocation.environment`, v1 `internalParameters`.
    fn context(&self) -> Option<&Map<String, Value>> {
        match &self.predicate {
            Predicate::V02(p) => p.invocation.environment.as_ref()?.as_object(),
            Predicate::V1(p) => p.build_definition.internal_parameters.as_ref()?.as_object(),
        }
    }

    /// A GitHub context variable by its lower-case name; the upper-case spelling
    /// (`GITHUB_REF`) is accepted too, as the BYOB and npm builders write it. Both spellings
    /// with different values is a malformed predicate.
    fn var(&self, name: &str) -> Result<Option<&Value>, Malformed> {
        let Some(ctx) = self.context() else {
            return Ok(None);
        };
        let upper = name.to_ascii_uppercase();
        match (ctx.get(name), ctx.get(&upper)) {
            (Some(a), Some(b)) if a != b => Err(Malformed::predicate(format!(
                "`{name}` and `{upper}` disagree"
            ))),
            (Some(v), _) | (None, Some(v)) => Ok(Some(v)),
            (None, None) => Ok(None),
        }
    }

    /// A GitHub context variable that must be a string.
    fn var_str(&self, name: &str) -> Result<&str, Malformed> {
        match self.var(name)? {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(Malformed::predicate(format!("`{name}` is not a string"))),
            None => Err(Malformed::predicate(format!(
                "`{name}` is not recorded in the {}",
                self.context_name()
            ))),
        }
    }

    fn context_name(&self) -> &'static str {
        match self.predicate {
            Predicate::V02(_) => "invocation environment",
            Predicate::V1(_) => "internal parameters",
        }
    }

    /// `externalParameters.workflow` of the workflow build types.
    fn workflow_param(&self, field: &str) -> Result<&str, Malformed> {
        let Predicate::V1(p) = &self.predicate else {
            return Err(Malformed::predicate("no workflow parameters in v0.2"));
        };
        p.build_definition
            .external_parameters
            .get("workflow")
            .and_then(|w| w.get(field))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Malformed::predicate(format!(
                    "`externalParameters.workflow.{field}` is missing or not a string"
                ))
            })
    }

    /// The URI (with ref) of the workflow run that triggered the build.
    pub fn trigger_uri(&self) -> Result<String, Malformed> {
        match &self.predicate {
            Predicate::V02(p) => {
                let uri = &p.invocation.config_source.uri;
                if uri.is_empty() {
                    return Err(Malformed::uri("empty `invocation.configSource.uri`"));
                }
                Ok(uri.clone())
            }
            Predicate::V1(_) if self.kind.is_workflow_type(&self.predicate) => Ok(format!(
                "git+{}@{}",
                self.workflow_param("repository")?,
                self.workflow_param("ref")?
            )),
            Predicate::V1(_) => {
                let (repo, git_ref, _) = self.workflow_ref()?;
                if repo.is_empty() || git_ref.is_empty() {
                    return Err(Malformed::uri("repository or ref is empty"));
                }
                Ok(format!("git+https://github.com/{repo}@{git_ref}"))
            }
        }
    }

    /// `GITHUB_WORKFLOW_REF` (`o/r/.github/workflows/x.yml@refs/heads/main`) split into repository,
    /// ref and path.
    fn workflow_ref(&self) -> Result<(String, String, String), Malformed> {
        let wr = self.var_str("github_workflow_ref")?;
        let mut at = wr.split('@');
        let (Some(repo_path), Some(git_ref), None) = (at.next(), at.next(), at.next()) else {
            return Err(Malformed::predicate(format!(
                "`GITHUB_WORKFLOW_REF` `{wr}` is not REPO/PATH@REF"
            )));
        };
        let parts: Vec<&str> = repo_path.split('/').collect();
        if parts.len() < 2 {
            return Err(Malformed::predicate(format!(
                "`GITHUB_WORKFLOW_REF` `{wr}` has no repository"
            )));
        }
        Ok((
            parts[..2].join("/"),
            git_ref.to_owned(),
            parts[2..].join("/"),
        ))
    }

    /// The URI (with ref) of the source: the first material / resolved dependency.
    pub fn source_uri(&self) -> Result<&str, Malformed> {
        let first = match &self.predicate {
            Predicate::V02(p) => p.materials.first().map(|m| &m.uri),
            Predicate::V1(p) => p
                .build_definition
                .resolved_dependencies
                .first()
                .map(|r| &r.uri),
        };
        match first {
            None => Err(Malformed::predicate("no materials / resolved dependencies")),
            Some(u) if u.is_empty() => Err(Malformed::uri("empty source URI")),
            Some(u) => Ok(u),
        }
    }

    /// The source commit: the first material's `sha1` or `gitCommit` digest.
    pub fn source_commit(&self) -> Option<&str> {
        let digest = match &self.predicate {
            Predicate::V02(p) => &p.materials.first()?.digest,
            Predicate::V1(p) => &p.build_definition.resolved_dependencies.first()?.digest,
        };
        digest
            .get("gitCommit")
            .or_else(|| digest.get("sha1"))
            .map(String::as_str)
    }

    /// The event that triggered the build (`push`, `release`, `workflow_dispatch`…).
    pub fn trigger_event(&self) -> Option<&str> {
        if self.kind.is_workflow_type(&self.predicate) {
            return self.context()?.get("github")?.get("event_name")?.as_str();
        }
        self.var("github_event_name").ok()??.as_str()
    }

    /// The workflow file that ran the build (path in the source repository).
    pub fn workflow_path(&self) -> Option<String> {
        match &self.predicate {
            Predicate::V02(p) => {
                Some(p.invocation.config_source.entry_point.clone()).filter(|s| !s.is_empty())
            }
            Predicate::V1(_) if self.kind.is_workflow_type(&self.predicate) => {
                self.workflow_param("path").ok().map(str::to_owned)
            }
            Predicate::V1(_) => self.workflow_ref().ok().map(|(_, _, p)| p),
        }
    }

    /// The runner environment recorded by GitHub artifact attestations (`github-hosted`,
    /// `self-hosted`).
    pub fn runner_environment(&self) -> Option<&str> {
        self.context()?
            .get("github")?
            .get("runner_environment")?
            .as_str()
    }

    /// The ref the build ran on, by build kind: BYOB builders record it in the source URI,
    /// workflow build types in `externalParameters.workflow.ref`, the others in the GitHub
    /// context (`github_ref_type` + `github_ref`; without `github_ref_type`, as the npm CLI's
    /// v0.2 provenance, the ref's own prefix decides).
    pub fn build_ref(&self) -> Result<BuildRef, Malformed> {
        let full = if self.kind == BuildKind::Byob {
            let uri = self.source_uri()?;
            let g = parse_git_uri(uri).map_err(|e| Malformed::uri(e.to_string()))?;
            if g.git_ref.is_empty() {
                return Err(Malformed::predicate(format!(
                    "unable to get the ref of source `{uri}`"
                )));
            }
            g.git_ref.to_owned()
        } else if self.kind.is_workflow_type(&self.predicate) {
            self.workflow_param("ref")?.to_owned()
        } else {
            let git_ref = self.var_str("github_ref")?.to_owned();
            match self.var("github_ref_type")? {
                None => git_ref,
                Some(Value::String(t)) => {
                    let declared = match t.as_str() {
                        "branch" => RefKind::Branch,
                        "tag" => RefKind::Tag,
                        other => {
                            return Err(Malformed::predicate(format!(
                                "unknown ref type `{other}`"
                            )));
                        }
                    };
                    // The declared kind wins; a ref that says otherwise yields no name later.
                    return Ok(BuildRef {
                        kind: declared,
                        full: git_ref,
                    });
                }
                Some(_) => return Err(Malformed::predicate("`github_ref_type` is not a string")),
            }
        };
        let kind = ref_kind(&full)
            .ok_or_else(|| Malformed::predicate(format!("unknown ref type for ref `{full}`")))?;
        Ok(BuildRef { kind, full })
    }

    /// The branch (full ref, `refs/heads/…`) the build ran from; for a tag build, the branch the
    /// tag was pushed from when the event records it, else empty.
    pub fn branch(&self) -> Result<String, Malformed> {
        let r = self.build_ref()?;
        if r.kind == RefKind::Branch {
            return Ok(r.full);
        }
        if self.kind.is_workflow_type(&self.predicate) {
            return Ok(String::new());
        }
        let base = self.var_str("github_base_ref")?;
        if !base.is_empty() {
            return Ok(base.to_owned());
        }
        let event = self.var_str("github_event_name")?;
        let payload = || -> Result<&Map<String, Value>, Malformed> {
            self.var("github_event_payload")?
                .and_then(Value::as_object)
                .ok_or_else(|| Malformed::predicate("no event payload"))
        };
        match event {
            "push" => match payload()?.get("base_ref") {
                None => Err(Malformed::predicate(
                    "`base_ref` absent from the push payload",
                )),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Ok(String::new()),
            },
            "release" => payload()?
                .get("release")
                .and_then(|r| r.get("target_commitish"))
                .and_then(Value::as_str)
                .map(|b| format!("refs/heads/{b}"))
                .ok_or_else(|| Malformed::predicate("`release.target_commitish` absent")),
            _ => Ok(String::new()),
        }
    }

    /// The tag (full ref, `refs/tags/…`) the build ran from, or empty for a branch build.
    pub fn tag(&self) -> Result<String, Malformed> {
        let r = self.build_ref()?;
        Ok(if r.kind == RefKind::Tag {
            r.full
        } else {
            String::new()
        })
    }

    /// The `workflow_dispatch` inputs. Any other trigger has none: `Err` with the event.
    pub fn workflow_inputs(&self) -> Result<&Map<String, Value>, Violation> {
        let at = |m: Malformed| m.at(Check::WorkflowInputs);
        let event = self.trigger_event().unwrap_or("");
        if event != "workflow_dispatch" {
            return Err(
                Violation::mismatch(Check::WorkflowInputs, "workflow_dispatch", event)
                    .detail("inputs exist only for a workflow_dispatch trigger"),
            );
        }
        if self.kind.is_workflow_type(&self.predicate) {
            return Err(Violation::new(Check::WorkflowInputs, Reason::Missing)
                .detail("this build type does not record the workflow inputs"));
        }
        self.var("github_event_payload")
            .map_err(at)?
            .and_then(|p| p.get("inputs"))
            .and_then(Value::as_object)
            .ok_or_else(|| at(Malformed::predicate("no `inputs` in the event payload")))
    }

    /// The facts, for reports.
    pub fn summary(&self) -> ProvenanceSummary {
        ProvenanceSummary {
            predicate_type: self.predicate_type.clone(),
            build_type: self.build_type().to_owned(),
            builder_id: self.builder_id().to_owned(),
            source: self.source_uri().ok().map(str::to_owned),
            commit: self.source_commit().map(str::to_owned),
            workflow: self.workflow_path(),
            event: self.trigger_event().map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statement::STATEMENT_V1;

    fn stmt(predicate_type: &str, predicate: Value) -> Statement {
        Statement::from_value(&serde_json::json!({
            "_type": STATEMENT_V1,
            "subject": [{"name": "a", "digest": {"sha256": "00"}}],
            "predicateType": predicate_type,
            "predicate": predicate,
        }))
        .unwrap()
    }

    fn v02(env: Value) -> Provenance {
        Provenance::from_statement(&stmt(
            PROVENANCE_V02,
            serde_json::json!({
                "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0"},
                "buildType": build_type::GENERIC_V1,
                "invocation": {
                    "configSource": {"uri": "git+https://github.com/o/r@refs/tags/v1.2.3", "digest": {"sha1": "abc"}, "entryPoint": ".github/workflows/release.yml"},
                    "environment": env,
                },
                "materials": [{"uri": "git+https://github.com/o/r@refs/tags/v1.2.3", "digest": {"sha1": "abc"}}],
            }),
        ))
        .unwrap()
    }

    #[test]
    fn accepts_v02_generic_facts() {
        let p = v02(serde_json::json!({
            "github_ref": "refs/tags/v1.2.3", "github_ref_type": "tag", "github_base_ref": "",
            "github_event_name": "push", "github_event_payload": {"base_ref": "refs/heads/main"},
        }));
        assert_eq!(p.kind, BuildKind::GenericGenerator);
        assert_eq!(
            p.trigger_uri().unwrap(),
            "git+https://github.com/o/r@refs/tags/v1.2.3"
        );
        assert_eq!(p.source_commit(), Some("abc"));
        assert_eq!(p.tag().unwrap(), "refs/tags/v1.2.3");
        assert_eq!(p.branch().unwrap(), "refs/heads/main");
        assert_eq!(
            p.workflow_path().as_deref(),
            Some(".github/workflows/release.yml")
        );
        assert_eq!(p.trigger_event(), Some("push"));
    }

    #[test]
    fn accepts_upper_case_context_and_infers_ref_kind_without_ref_type() {
        let p =
            v02(serde_json::json!({"GITHUB_REF": "refs/heads/dev", "GITHUB_EVENT_NAME": "push"}));
        assert_eq!(p.branch().unwrap(), "refs/heads/dev");
        assert_eq!(p.tag().unwrap(), "");
    }

    #[test]
    fn rejects_conflicting_spellings_and_unknown_ref_types() {
        let p =
            v02(serde_json::json!({"github_ref": "refs/heads/a", "GITHUB_REF": "refs/heads/b"}));
        assert!(p.branch().is_err());
        let p = v02(serde_json::json!({"github_ref": "refs/heads/a", "github_ref_type": "pr"}));
        assert!(p.tag().is_err());
        let p = v02(serde_json::json!({"github_ref": "refs/pull/1/merge"}));
        assert!(p.tag().is_err());
    }

    #[test]
    fn accepts_v1_github_workflow_facts() {
        let p = Provenance::from_statement(&stmt(
            PROVENANCE_V1,
            serde_json::json!({
                "buildDefinition": {
                    "buildType": build_type::GITHUB_ACTIONS_WORKFLOW_V1,
                    "externalParameters": {"workflow": {"ref": "refs/tags/v1", "repository": "https://github.com/o/r", "path": ".github/workflows/r.yml"}},
                    "internalParameters": {"github": {"event_name": "push", "runner_environment": "github-hosted"}},
                    "resolvedDependencies": [{"uri": "git+https://github.com/o/r@refs/tags/v1", "digest": {"gitCommit": "def"}}],
                },
                "runDetails": {"builder": {"id": "https://github.com/o/r/.github/workflows/r.yml@refs/tags/v1"}, "metadata": {"invocationId": "x"}},
            }),
        ))
        .unwrap();
        assert_eq!(p.kind, BuildKind::GitHubWorkflow);
        assert_eq!(
            p.trigger_uri().unwrap(),
            "git+https://github.com/o/r@refs/tags/v1"
        );
        assert_eq!(p.tag().unwrap(), "refs/tags/v1");
        assert_eq!(p.branch().unwrap(), "");
        assert_eq!(p.source_commit(), Some("def"));
        assert_eq!(p.runner_environment(), Some("github-hosted"));
        assert_eq!(
            p.workflow_path().as_deref(),
            Some(".github/workflows/r.yml")
        );
        assert!(p.workflow_inputs().is_err());
    }

    #[test]
    fn rejects_unknown_fields_types_and_build_types() {
        let e = Provenance::from_statement(&stmt(
            PROVENANCE_V02,
            serde_json::json!({"builder": {"id": "x"}, "buildType": build_type::GENERIC_V1, "extra": 1}),
        ))
        .unwrap_err();
        assert_eq!(e.reason, Reason::MalformedPredicate);
        assert!(e.to_string().contains("extra"), "{e}");
        let e = Provenance::from_statement(&stmt(
            PROVENANCE_V02,
            serde_json::json!({"builder": {"id": "x"}, "buildType": "https://example.com/custom"}),
        ))
        .unwrap_err();
        assert_eq!(e.slsa_verifier_error(), Some("ErrorInvalidBuildType"));
        let e = Provenance::from_statement(&stmt("https://slsa.dev/provenance/v0.1", Value::Null))
            .unwrap_err();
        assert_eq!(e.check, Check::Predicate);
        // A v1 build type under a v0.2 predicate type is not accepted.
        assert!(
            Provenance::from_statement(&stmt(
                PROVENANCE_V02,
                serde_json::json!({"builder": {"id": "x"}, "buildType": build_type::GITHUB_ACTIONS_WORKFLOW_V1}),
            ))
            .is_err()
        );
    }
}

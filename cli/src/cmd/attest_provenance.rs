//! `tollgate attest verify-provenance`: SLSA provenance (or a GitHub artifact attestation) in a
//! Sigstore bundle, verified offline (signature, certificate, log, the artefact as a subject) and
//! then checked against slsa-verifier's `verify-artifact` policy flags. Logic lives in
//! `tollgate_attest::sigstore::ProvenanceVerifier` and `tollgate_attest::slsa`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use tollgate_attest::digest::{DigestAlgorithm, digest_file};
use tollgate_attest::sigstore::{MAX_BUNDLE_SIZE, ProvenanceVerifier, SigstoreError, Verifier};
use tollgate_attest::slsa::{
    PolicyError, ProvenanceError, ProvenancePolicy, StatementVerifier, verify_provenance,
};

use super::attest::{read_capped, report_failure};
use crate::Outcome;
use crate::args::GlobalArgs;
use crate::output::Output;

const EXAMPLES: &str = "\
Examples:
  tollgate attest verify-provenance --provenance app.intoto.jsonl --artifact app \\
      --source-uri github.com/o/app --source-versioned-tag v2
  tollgate attest verify-provenance --provenance MODULE.bazel.intoto.jsonl \\
      --artifact MODULE.bazel --source-uri github.com/o/rules \\
      --builder-id https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml

slsa-verifier verify-artifact semantics, offline: the bundle's signature, certificate and
transparency-log entry are verified against the trusted root, then the provenance policy.
Exit codes: 0 verified, 1 not verified or policy violated, 2 usage or input error.";

/// `tollgate attest verify-provenance`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct VerifyProvenanceArgs {
    /// The provenance: a Sigstore bundle (JSON, or a one-line `.intoto.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub provenance: PathBuf,
    /// The artefact the provenance must be about.
    #[arg(long, value_name = "FILE")]
    pub artifact: PathBuf,
    /// Expected source repository: github.com/o/r, https://github.com/o/r or git+https://….
    #[arg(long, value_name = "URI")]
    pub source_uri: String,
    /// Expected builder: NAME, NAME@refs/tags/vX.Y.Z or NAME@vX.Y.Z (default: any trusted
    /// builder).
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,
    /// Expected source branch.
    #[arg(long, value_name = "BRANCH")]
    pub source_branch: Option<String>,
    /// Expected source tag (exact).
    #[arg(long, value_name = "TAG", conflicts_with = "source_versioned_tag")]
    pub source_tag: Option<String>,
    /// Expected source tag as a semver prefix: v13 and v13.0 match v13.0.30.
    #[arg(long, value_name = "TAG")]
    pub source_versioned_tag: Option<String>,
    /// The Sigstore trusted_root.json (default: the embedded Sigstore production root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// `--explain`.
    #[command(flatten)]
    pub explain: super::attest::ExplainArg,
    /// Receipts: `--attest-result`, `--audit-log`, `--attest-key`.
    #[command(flatten)]
    pub receipts: super::evidence::VerifyEvidenceArgs,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate attest verify-provenance`.
pub fn verify(a: &VerifyProvenanceArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let digests = digest_file(&a.artifact)
        .with_context(|| format!("{}: cannot read the artefact", a.artifact.display()))?;
    let supported = digests.supported();
    let sha256: [u8; 32] = supported
        .iter()
        .find(|d| d.algorithm == DigestAlgorithm::Sha256)
        .and_then(|d| d.bytes.as_slice().try_into().ok())
        .context("no SHA-256 of the artefact")?;
    let policy = ProvenancePolicy {
        source_uri: Some(a.source_uri.clone()),
        builder_id: a.builder_id.clone(),
        source_branch: a.source_branch.clone(),
        source_tag: a.source_tag.clone(),
        source_versioned_tag: a.source_versioned_tag.clone(),
        digest: supported.clone(),
        ..ProvenancePolicy::default()
    };
    policy.validate()?;
    let root = super::attest_bundle::trusted_root(a.trusted_root.as_deref())?;
    let verifier = Verifier::new(&root).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = read_capped(&a.provenance, MAX_BUNDLE_SIZE)?;
    let (art, prov) = (
        a.artifact.display().to_string(),
        a.provenance.display().to_string(),
    );
    let mut rechecks = vec![tollgate_attest::explain::slsa_verify_artifact(
        &art, &prov, &policy,
    )];
    if let Some(repo) = tollgate_attest::slsa::git::github_repo(&a.source_uri) {
        rechecks.push(tollgate_attest::explain::gh_attestation_verify(
            &art, &prov, repo,
        ));
    }
    verify_and_render(
        &ProvenanceVerifier::new(verifier, sha256),
        &bytes,
        &policy,
        &a.provenance,
        g,
        out,
        (a.explain, &rechecks),
    )
}

/// Verifies a keyless attestation against a policy and renders the outcome: the signature
/// layer's input errors are exit 2, its failed checks exit 1 (reported like `attest verify`), a
/// policy violation exit 1. Shared by `verify-provenance` and `verify-npm`.
pub(super) fn verify_and_render(
    v: &impl StatementVerifier<Error = SigstoreError>,
    bytes: &[u8],
    policy: &ProvenancePolicy,
    file: &Path,
    g: &GlobalArgs,
    out: &Output,
    explain: (
        super::attest::ExplainArg,
        &[tollgate_attest::explain::Recheck],
    ),
) -> anyhow::Result<Outcome> {
    let shown = file.display().to_string();
    let mut w = out.report();
    let outcome = match verify_provenance(v, bytes, policy) {
        Ok(report) => Ok(report.into_inner()),
        Err(ProvenanceError::Signature(e)) if e.is_input_error() => bail!("{shown}: {e}"),
        Err(ProvenanceError::Signature(e)) => {
            report_failure(&mut w, g, file, e.check(), &e.to_string(), out)?;
            return Ok(Outcome::Fail);
        }
        Err(ProvenanceError::Policy(PolicyError::Violated(v))) => Err(v),
        Err(ProvenanceError::Policy(e)) => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    let passed = outcome.is_ok();
    let r = super::attest_policy::render_outcome(&shown, &outcome, g, out, &mut w)?;
    if passed {
        super::attest::print_rechecks(explain.0, explain.1, g, &mut w)?;
    }
    Ok(r)
}

/// What `attest verify-provenance` checked, for its receipts.
pub fn receipt_scope(a: &VerifyProvenanceArgs) -> anyhow::Result<super::evidence::VerifyScope> {
    use super::evidence::key_digest;
    Ok(super::evidence::VerifyScope {
        command: "attest verify-provenance",
        subjects: vec![a.provenance.clone(), a.artifact.clone()],
        policy_file: None,
        expected: serde_json::json!({
            "sourceUri": a.source_uri,
            "builderId": a.builder_id,
            "sourceBranch": a.source_branch,
            "sourceTag": a.source_tag,
            "sourceVersionedTag": a.source_versioned_tag,
            "trustedRoot": a.trusted_root.as_deref().map(key_digest).transpose()?,
        }),
    })
}

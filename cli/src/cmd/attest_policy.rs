//! `tollgate attest policy-check`: a verified in-toto statement (SLSA provenance v0.2/v1, a VSA)
//! against a provenance policy. The policy comes from `--policy FILE` and/or flags named after
//! slsa-verifier's and `gh attestation verify`'s. Logic lives in `tollgate_attest::slsa`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use tollgate_attest::Statement;
use tollgate_attest::digest::{Digest, digest_file};
use tollgate_attest::slsa::npm::PUBLISH_PREDICATE_PREFIX;
use tollgate_attest::slsa::policy::is_slsa_provenance;
use tollgate_attest::slsa::{
    Evidence, PolicyError, PolicyReport, ProvenancePolicy, Violation, VsaPolicy, evaluate,
};

use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// Largest statement file read.
const MAX_STATEMENT_BYTES: u64 = 16 << 20;

const EXAMPLES: &str = "\
Examples:
  tollgate attest policy-check --statement prov.json --artifact app.tar.gz \\
      --source-uri github.com/o/app --source-versioned-tag v2
  tollgate attest policy-check --statement prov.json --policy release.toml --artifact app.tar.gz
  tollgate attest policy-check --statement prov.json --statement publish.json \\
      --artifact pkg.tgz --source-uri github.com/o/pkg \\
      --builder-id https://github.com/actions/runner/github-hosted --package-name @o/pkg

The statement must already be verified (its signature checked): this command checks what the
statement says, not who signed it. Exit codes: 0 satisfied, 1 violated, 2 usage or input error.";

/// `tollgate attest policy-check`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct PolicyCheckArgs {
    /// The verified in-toto statement (JSON). Give it twice for an npm package: the SLSA
    /// provenance and the registry's publish attestation.
    #[arg(long, value_name = "FILE", required = true)]
    pub statement: Vec<PathBuf>,
    /// Provenance policy file (TOML or JSON; docs/reference/provenance-policy.md). Flags
    /// override its values.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The artefact: one subject must have its digest (sha256, sha384 or sha512).
    #[arg(long, value_name = "FILE")]
    pub artifact: Option<PathBuf>,
    /// The artefact's digest, ALG:HEX (sha256/sha384/sha512; repeat for several algorithms).
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Vec<String>,
    /// Expected source repository: github.com/o/r, https://github.com/o/r or git+https://….
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,
    /// Expected source repository as OWNER/REPO (gh --repo).
    #[arg(long, value_name = "OWNER/REPO")]
    pub repo: Option<String>,
    /// Expected owner of the source repository (gh --owner).
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// Expected builder: NAME, NAME@refs/tags/vX.Y.Z or NAME@vX.Y.Z.
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,
    /// Expected signing workflow, [HOST/]OWNER/REPO/PATH/TO/WORKFLOW[@REF] (gh --signer-workflow).
    #[arg(long, value_name = "WORKFLOW")]
    pub signer_workflow: Option<String>,
    /// Expected repository of the signing workflow, OWNER/REPO (gh --signer-repo).
    #[arg(long, value_name = "OWNER/REPO")]
    pub signer_repo: Option<String>,
    /// Expected source branch.
    #[arg(long, value_name = "BRANCH")]
    pub source_branch: Option<String>,
    /// Expected source tag (exact).
    #[arg(long, value_name = "TAG", conflicts_with = "source_versioned_tag")]
    pub source_tag: Option<String>,
    /// Expected source tag as a semver prefix: v13 and v13.0 match v13.0.30.
    #[arg(long, value_name = "TAG")]
    pub source_versioned_tag: Option<String>,
    /// Expected full source ref, refs/heads/NAME or refs/tags/NAME (gh --source-ref).
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,
    /// Expected source commit (gh --source-digest).
    #[arg(long, value_name = "SHA")]
    pub source_digest: Option<String>,
    /// A workflow_dispatch input that must have this value (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub build_workflow_input: Vec<String>,
    /// Expected npm package name (@scope/name or name).
    #[arg(long, value_name = "NAME")]
    pub package_name: Option<String>,
    /// Expected npm package version.
    #[arg(long, value_name = "VERSION")]
    pub package_version: Option<String>,
    /// Reject builds whose runner is not recorded as GitHub-hosted (gh --deny-self-hosted-runners).
    #[arg(long)]
    pub deny_self_hosted_runners: bool,
    /// VSA: the resource the summary must be about.
    #[arg(long, value_name = "URI")]
    pub resource_uri: Option<String>,
    /// VSA: the verifier that must have issued it.
    #[arg(long, value_name = "ID")]
    pub verifier_id: Option<String>,
    /// VSA: a level that must be verified, e.g. SLSA_BUILD_LEVEL_2 (repeatable).
    #[arg(long, value_name = "LEVEL")]
    pub verified_level: Vec<String>,
    /// Receipts: `--attest-result`, `--audit-log`, `--attest-key`.
    #[command(flatten)]
    pub receipts: super::evidence::VerifyEvidenceArgs,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// The policy of the file, with the flags applied over it.
pub(crate) fn build_policy(a: &PolicyCheckArgs) -> anyhow::Result<ProvenancePolicy> {
    let mut p = match &a.policy {
        Some(path) => tollgate_verifier::policy::provenance::load_policy_file(path)?,
        None => ProvenancePolicy::default(),
    };
    let set = |field: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            field.clone_from(v);
        }
    };
    set(&mut p.source_uri, &a.source_uri);
    set(&mut p.repo, &a.repo);
    set(&mut p.owner, &a.owner);
    set(&mut p.builder_id, &a.builder_id);
    set(&mut p.signer_workflow, &a.signer_workflow);
    set(&mut p.signer_repo, &a.signer_repo);
    set(&mut p.source_branch, &a.source_branch);
    set(&mut p.source_ref, &a.source_ref);
    set(&mut p.source_digest, &a.source_digest);
    set(&mut p.package_name, &a.package_name);
    set(&mut p.package_version, &a.package_version);
    // A tag flag replaces the file's tag rule of either kind.
    if a.source_tag.is_some() || a.source_versioned_tag.is_some() {
        p.source_tag.clone_from(&a.source_tag);
        p.source_versioned_tag.clone_from(&a.source_versioned_tag);
    }
    p.deny_self_hosted_runners |= a.deny_self_hosted_runners;
    for kv in &a.build_workflow_input {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--build-workflow-input {kv:?}: expected KEY=VALUE"))?;
        p.workflow_inputs.insert(k.to_owned(), v.to_owned());
    }
    for d in &a.digest {
        p.digest.push(
            d.parse::<Digest>()
                .with_context(|| format!("--digest {d:?}"))?,
        );
    }
    if let Some(f) = &a.artifact {
        let set =
            digest_file(f).with_context(|| format!("{}: cannot read the artefact", f.display()))?;
        p.digest.extend(set.supported());
    }
    if a.resource_uri.is_some() || a.verifier_id.is_some() || !a.verified_level.is_empty() {
        let v = p.vsa.get_or_insert_with(VsaPolicy::default);
        set(&mut v.verifier_id, &a.verifier_id);
        if let Some(r) = &a.resource_uri {
            v.resource_uri.clone_from(r);
        }
        v.verified_levels.extend(a.verified_level.iter().cloned());
    }
    p.validate()?;
    Ok(p)
}

/// What a file that is not a statement looks like, for the error.
fn signed_kind(v: &serde_json::Value) -> Option<&'static str> {
    if v.get("dsseEnvelope").is_some() {
        Some("a Sigstore bundle")
    } else if v.get("payloadType").is_some() && v.get("payload").is_some() {
        Some("a DSSE envelope")
    } else if v.get("attestations").is_some() {
        Some("an npm attestations document")
    } else {
        None
    }
}

/// Reads one statement file.
fn read_statement(path: &Path) -> anyhow::Result<Statement> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("{shown}: cannot read"))?;
    if meta.len() > MAX_STATEMENT_BYTES {
        bail!(
            "{shown}: {} bytes: a statement is at most 16 MiB",
            meta.len()
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("{shown}: cannot read"))?;
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let signed = serde_json::from_slice::<serde_json::Value>(&bytes)
        .or_else(|_| serde_json::from_slice(first_line))
        .ok();
    if let Some(kind) = signed.as_ref().and_then(signed_kind) {
        let hint = if kind == "a DSSE envelope" {
            format!(
                "verify it first and pass the statement it prints: \
                 tollgate attest verify --envelope {shown} --key KEY --print-statement > statement.json"
            )
        } else {
            "verify its signature first and pass the verified statement (for a key-signed DSSE \
             envelope: tollgate attest verify --envelope FILE --key KEY --print-statement > statement.json)"
                .to_owned()
        };
        bail!(
            "{shown} is {kind}, not a statement: policy-check reads a statement whose signature is \
             already verified\nhint: {hint}"
        );
    }
    Statement::parse(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not an in-toto statement: {e}",
            super::attest::located(path, e.place_in(&bytes))
        )
    })
}

/// `tollgate attest policy-check`.
pub fn policy_check(a: &PolicyCheckArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    if a.statement.len() > 2 {
        bail!("--statement: at most two (the provenance and an npm publish attestation)");
    }
    let mut main: Option<(PathBuf, Statement)> = None;
    let mut publish: Option<Statement> = None;
    for path in &a.statement {
        let st = read_statement(path)?;
        if st.predicate_type.starts_with(PUBLISH_PREDICATE_PREFIX) && publish.is_none() {
            publish = Some(st);
        } else if (is_slsa_provenance(&st.predicate_type)
            || st.predicate_type == tollgate_attest::slsa::vsa::PREDICATE_TYPE)
            && main.is_none()
        {
            main = Some((path.clone(), st));
        } else {
            bail!(
                "{}: predicate type `{}`: expected SLSA provenance (v0.2, v1), a VSA, or one npm publish attestation next to the provenance",
                path.display(),
                st.predicate_type
            );
        }
    }
    let Some((path, statement)) = main else {
        bail!("no SLSA provenance or VSA among the statements");
    };
    let policy = build_policy(a)?;
    let ev = Evidence {
        statement: &statement,
        npm_publish: publish.as_ref(),
        signer: None,
    };
    let outcome = match evaluate(&ev, &policy) {
        Ok(report) => Ok(report),
        Err(PolicyError::Violated(v)) => Err(v),
        Err(e) => return Err(e.into()),
    };
    let mut w = out.report();
    let shown = path.display().to_string();
    match g.format {
        OutputFormat::Json => render_json(&shown, &outcome, &mut w)?,
        _ => render_human(&shown, &outcome, out, &mut w)?,
    }
    if outcome.is_ok() {
        out.warn(
            "policy-check does not verify signatures: it checks what the statement says, not who signed it",
        );
        Ok(Outcome::Pass)
    } else {
        Ok(Outcome::Fail)
    }
}

/// Renders a policy outcome in the chosen format and maps it to the exit outcome (a violation
/// is exit 1). Shared by `verify-provenance`, `verify-npm` and `verify-vsa`.
pub(super) fn render_outcome(
    path: &str,
    outcome: &Result<PolicyReport, Violation>,
    g: &crate::args::GlobalArgs,
    out: &Output,
    w: &mut dyn Write,
) -> anyhow::Result<crate::Outcome> {
    match g.format {
        crate::args::OutputFormat::Json => render_json(path, outcome, w)?,
        _ => render_human(path, outcome, out, w)?,
    }
    Ok(if outcome.is_ok() {
        crate::Outcome::Pass
    } else {
        crate::Outcome::Fail
    })
}

/// The `attest-policy-check` JSON document of an outcome.
pub(super) fn render_json(
    path: &str,
    outcome: &Result<PolicyReport, Violation>,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let doc = match outcome {
        Ok(r) => json::PolicyCheck {
            schema_version: json::SCHEMA_VERSION,
            verdict: "pass",
            statement: path,
            report: Some(r),
            violation: None,
        },
        Err(v) => json::PolicyCheck {
            schema_version: json::SCHEMA_VERSION,
            verdict: "fail",
            statement: path,
            report: None,
            violation: Some(json::PolicyViolation {
                violation: v,
                slsa_verifier_error: v.slsa_verifier_error(),
                message: v.to_string(),
            }),
        },
    };
    json::write(w, &doc)
}

/// The human report of an outcome.
pub(super) fn render_human(
    path: &str,
    outcome: &Result<PolicyReport, Violation>,
    out: &Output,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let s = &out.report_style();
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut row = |k: &'static str, v: String| rows.push((k, v));
    match outcome {
        Ok(r) => {
            writeln!(w, "{} provenance policy satisfied", s.green("PASSED:"))?;
            row("statement", path.to_owned());
            row("predicate", r.predicate_type.clone());
            if let Some(p) = &r.provenance {
                row("build type", p.build_type.clone());
                row(
                    "builder",
                    r.builder.clone().unwrap_or_else(|| p.builder_id.clone()),
                );
                for (k, v) in [
                    ("source", &p.source),
                    ("commit", &p.commit),
                    ("workflow", &p.workflow),
                    ("event", &p.event),
                ] {
                    if let Some(v) = v {
                        row(k, v.clone());
                    }
                }
            }
            if let Some(pkg) = &r.package {
                row("package", format!("{}@{}", pkg.name, pkg.version));
            }
            if let Some(v) = &r.vsa {
                row("verifier", v.verifier_id.clone());
                row("resource", v.resource_uri.clone());
                row("levels", v.verified_levels.join(", "));
            }
            let checks: Vec<&str> = r.checks.iter().map(|c| c.name()).collect();
            row("checked", checks.join(", "));
        }
        Err(v) => {
            writeln!(w, "{} {v}", s.red("FAILED:"))?;
            row("statement", path.to_owned());
            row("check", v.check.name().to_owned());
            if let Some(e) = &v.expected {
                row("expected", e.clone());
            }
            if let Some(a) = &v.actual {
                row("actual", a.clone());
            }
            if let Some(n) = v.slsa_verifier_error() {
                row("slsa-verifier", n.to_owned());
            }
        }
    }
    for (k, v) in &rows {
        writeln!(w, "  {:<14} {v}", format!("{k}:"))?;
    }
    Ok(())
}

/// What `attest policy-check` checked, for its receipts: the statements and the artefact,
/// against the effective policy (the file with the flags applied).
pub fn receipt_scope(a: &PolicyCheckArgs) -> anyhow::Result<super::evidence::VerifyScope> {
    let mut subjects = a.statement.clone();
    subjects.extend(a.artifact.iter().cloned());
    Ok(super::evidence::VerifyScope {
        command: "attest policy-check",
        subjects,
        policy_file: None,
        expected: serde_json::json!({
            "policy": serde_json::to_value(build_policy(a)?)?,
            "digest": a.digest,
        }),
    })
}

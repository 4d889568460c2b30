//! `tollgate attest verify | sign`: key-signed DSSE attestations (in-toto statements). Logic
//! lives in `tollgate_attest::attestation`; this file parses arguments and prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tollgate_attest::attestation::{artifact_digests, sign_statement, verify_attestation};
use tollgate_attest::digest::{Digest, DigestAlgorithm, DigestSet, digest_reader};
use tollgate_attest::dsse::{self, Envelope, MAX_ENVELOPE_SIZE};
use tollgate_attest::json::{Place, parse_strict};
use tollgate_attest::statement::PAYLOAD_TYPE;

use super::evidence::{VerifyScope, key_digest, with_receipts};
use super::key::{read_private_key, read_public_key};
use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// `tollgate attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The attestation command.
    #[command(subcommand)]
    pub command: AttestCommand,
}

/// Attestation commands.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Verify a DSSE envelope with public keys, or a Sigstore bundle offline (keyless or with a
    /// key); exit 1 when it does not verify. With --artifact or --digest, the payload must be
    /// about that artefact.
    Verify(Box<VerifyArgs>),
    /// Sign an in-toto Statement v1 about ARTIFACTs as a DSSE envelope.
    Sign(SignArgs),
    /// Check a verified in-toto statement (SLSA provenance v0.2/v1, a VSA) against a provenance
    /// policy: builder, source, branch, tag, workflow inputs, subject digest, npm package.
    PolicyCheck(Box<super::attest_policy::PolicyCheckArgs>),
    /// Verify SLSA provenance (or a GitHub artifact attestation) in a Sigstore bundle, offline,
    /// and check it like slsa-verifier verify-artifact: source, builder, branch, tag.
    VerifyProvenance(Box<super::attest_provenance::VerifyProvenanceArgs>),
    /// Verify a Verification Summary Attestation with a pinned key and key id, and check it like
    /// slsa-verifier verify-vsa: the resource and the verified levels.
    VerifyVsa(Box<super::attest_vsa::VerifyVsaArgs>),
    /// Verify an npm package version's attestations (SLSA provenance and the registry's publish
    /// attestation) offline against its tarball, and check them like slsa-verifier
    /// verify-npm-package.
    VerifyNpm(Box<super::attest_npm::VerifyNpmArgs>),
    /// Compare two independent builds (directories, files, or statements' subjects) digest by
    /// digest; exit 1 on any mismatch; --key signs an in-toto statement of the result.
    Compare(Box<super::attest_compare::CompareArgs>),
}

/// `tollgate attest verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The DSSE envelope (JSON).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "bundle",
        conflicts_with = "bundle"
    )]
    pub envelope: Option<PathBuf>,
    /// A Sigstore bundle (v0.1, v0.2, v0.3 JSON; message signature or DSSE), verified offline
    /// against the trusted root: keyless with --certificate-identity[-regexp] and
    /// --certificate-oidc-issuer, or key-based with --key.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// A trusted public key (PEM; repeatable). With --bundle: the one key of a key-based bundle.
    #[arg(long = "key", value_name = "KEY", required_unless_present = "bundle")]
    pub keys: Vec<PathBuf>,
    /// Distinct trusted keys that must have signed.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub threshold: usize,
    /// The artefact the statement must be about (hashed with SHA-256 and SHA-512).
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub artifact: Option<PathBuf>,
    /// The artefact digest the statement must name (sha256:HEX, sha384:HEX or sha512:HEX; a
    /// bundle needs sha256).
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,
    /// The payload type the envelope must have. With the in-toto type (the default) the payload
    /// must be an in-toto statement; with another type only the signatures are checked.
    #[arg(long, value_name = "TYPE", default_value = PAYLOAD_TYPE)]
    pub payload_type: String,
    /// After a successful verification, write the verified in-toto statement (the payload as
    /// signed) to stdout, for `attest policy-check --statement`; the report goes to stderr (or
    /// to --output's file).
    #[arg(long, conflicts_with = "statement_out")]
    pub print_statement: bool,
    /// After a successful verification, write the verified in-toto statement to FILE.
    #[arg(long, value_name = "FILE")]
    pub statement_out: Option<PathBuf>,
    /// With --bundle: the Sigstore trusted_root.json to verify against (default: the embedded
    /// Sigstore production root).
    #[arg(long, value_name = "FILE", requires = "bundle")]
    pub trusted_root: Option<PathBuf>,
    /// With --bundle: the certificate's SAN (email or URI) must equal this.
    #[arg(
        long,
        value_name = "IDENTITY",
        requires = "bundle",
        conflicts_with = "certificate_identity_regexp"
    )]
    pub certificate_identity: Option<String>,
    /// With --bundle: the certificate's SAN must match this regular expression (unanchored, as
    /// in cosign: write ^…$ to match the whole identity).
    #[arg(long, value_name = "REGEXP", requires = "bundle")]
    pub certificate_identity_regexp: Option<String>,
    /// With --bundle: the certificate's OIDC issuer must equal this.
    #[arg(long, value_name = "URL", requires = "bundle")]
    pub certificate_oidc_issuer: Option<String>,
    /// With --bundle: the GitHub repository (owner/name) the certificate must name.
    #[arg(long, value_name = "OWNER/NAME", requires = "bundle")]
    pub certificate_github_workflow_repository: Option<String>,
    /// With --bundle: the git ref (refs/heads/main, refs/tags/v1) the certificate must name.
    #[arg(long, value_name = "REF", requires = "bundle")]
    pub certificate_github_workflow_ref: Option<String>,
    /// With --bundle: the commit the certificate must name.
    #[arg(long, value_name = "SHA", requires = "bundle")]
    pub certificate_github_workflow_sha: Option<String>,
    /// With --bundle: the triggering event (push, release, …) the certificate must name.
    #[arg(long, value_name = "EVENT", requires = "bundle")]
    pub certificate_github_workflow_trigger: Option<String>,
    /// With --bundle: the workflow's display name the certificate must name.
    #[arg(long, value_name = "NAME", requires = "bundle")]
    pub certificate_github_workflow_name: Option<String>,
    /// With --bundle: the runner environment (github-hosted, self-hosted) the certificate must
    /// name.
    #[arg(long, value_name = "ENV", requires = "bundle")]
    pub certificate_runner_environment: Option<String>,
    /// With --bundle: judge signing times against this time too (RFC 3339 or YYYY-MM-DD); a
    /// bundle signed after it fails. The system clock is always read as well.
    #[arg(long, value_name = "TIME", requires = "bundle", value_parser = crate::clock::parse_now)]
    pub now: Option<tollgate_verifier::time::Timestamp>,
    /// `--explain`.
    #[command(flatten)]
    pub explain: ExplainArg,
    /// Receipts: `--attest-result`, `--audit-log`, `--attest-key`.
    #[command(flatten)]
    pub receipts: super::evidence::VerifyEvidenceArgs,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate attest sign`.
#[derive(Debug, Args)]
#[command(mut_arg("output", |a| a.help(
    "Where to write the envelope (default and `-`: standard output); replaced whole, only when \
     signing succeeds"
)))]
pub struct SignArgs {
    /// A private key (PKCS#8 PEM; repeatable: one signature per key).
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys: Vec<PathBuf>,
    /// The predicate type (a URI).
    #[arg(long, value_name = "URI")]
    pub predicate_type: String,
    /// The predicate: a JSON object.
    #[arg(long, value_name = "FILE")]
    pub predicate: PathBuf,
    /// `-o/--output`: the envelope.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
    /// Files the statement is about (subjects: name as given, SHA-256).
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,
}

/// Runs an `attest` command.
pub fn run(a: &AttestArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.command {
        AttestCommand::Verify(a) => {
            with_receipts(&a.receipts, || verify_scope(a), || verify(a, g, out), out)
        }
        AttestCommand::Sign(a) => sign(a, out),
        AttestCommand::PolicyCheck(p) => with_receipts(
            &p.receipts,
            || super::attest_policy::receipt_scope(p),
            || super::attest_policy::policy_check(p, g, out),
            out,
        ),
        AttestCommand::VerifyProvenance(p) => with_receipts(
            &p.receipts,
            || super::attest_provenance::receipt_scope(p),
            || super::attest_provenance::verify(p, g, out),
            out,
        ),
        AttestCommand::VerifyVsa(p) => with_receipts(
            &p.receipts,
            || super::attest_vsa::receipt_scope(p),
            || super::attest_vsa::verify(p, g, out),
            out,
        ),
        AttestCommand::VerifyNpm(p) => with_receipts(
            &p.receipts,
            || super::attest_npm::receipt_scope(p),
            || super::attest_npm::verify(p, g, out),
            out,
        ),
        AttestCommand::Compare(p) => super::attest_compare::run(p, g, out),
    }
}

/// What `attest verify` checked, for its receipts.
fn verify_scope(a: &VerifyArgs) -> anyhow::Result<VerifyScope> {
    let mut subjects: Vec<PathBuf> = a.envelope.iter().chain(&a.bundle).cloned().collect();
    subjects.extend(a.artifact.iter().cloned());
    let keys = a
        .keys
        .iter()
        .map(|k| key_digest(k))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(VerifyScope {
        command: "attest verify",
        subjects,
        policy_file: None,
        expected: serde_json::json!({
            "keys": keys,
            "threshold": a.threshold,
            "digest": a.digest,
            "payloadType": a.payload_type,
            "certificateIdentity": a.certificate_identity,
            "certificateIdentityRegexp": a.certificate_identity_regexp,
            "certificateOidcIssuer": a.certificate_oidc_issuer,
            "certificateGithubWorkflowRepository": a.certificate_github_workflow_repository,
            "certificateGithubWorkflowRef": a.certificate_github_workflow_ref,
            "certificateGithubWorkflowSha": a.certificate_github_workflow_sha,
            "certificateGithubWorkflowTrigger": a.certificate_github_workflow_trigger,
            "certificateGithubWorkflowName": a.certificate_github_workflow_name,
            "certificateRunnerEnvironment": a.certificate_runner_environment,
            "trustedRoot": a.trusted_root.as_deref().map(key_digest).transpose()?,
        }),
    })
}

/// `FILE:LINE:COLUMN` when the place is known, else `FILE`.
pub fn located(path: &Path, place: Option<Place>) -> String {
    match place {
        Some(p) => format!("{}:{p}", path.display()),
        None => path.display().to_string(),
    }
}

/// Reads a file of at most `max` bytes, naming it on error.
pub fn read_capped(path: &Path, max: usize) -> anyhow::Result<Vec<u8>> {
    use tollgate_attest::capped::{CappedError, read_capped};
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    match read_capped(f, max as u64) {
        Ok(buf) => Ok(buf),
        Err(CappedError::TooLarge { .. }) => {
            bail!("{}: larger than the {max}-byte limit", path.display())
        }
        Err(CappedError::Io(e)) => {
            Err(anyhow::Error::new(e).context(format!("cannot read {}", path.display())))
        }
    }
}

fn verify(a: &VerifyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let envelope = match (&a.envelope, &a.bundle) {
        (_, Some(bundle)) => return super::attest_bundle::verify_bundle(a, bundle, g, out),
        (Some(e), None) => e,
        (None, None) => bail!("--envelope FILE or --bundle FILE is required"),
    };
    if a.print_statement && g.format == OutputFormat::Json && out.report_file().is_none() {
        bail!(
            "--print-statement writes the statement to stdout, where --format json writes the report; use --statement-out FILE"
        );
    }
    let wants_statement = a.print_statement || a.statement_out.is_some();
    if wants_statement && a.payload_type != PAYLOAD_TYPE {
        bail!(
            "--print-statement/--statement-out need in-toto statements (--payload-type {PAYLOAD_TYPE})"
        );
    }
    let keys = a
        .keys
        .iter()
        .map(|p| read_public_key(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bytes = read_capped(envelope, MAX_ENVELOPE_SIZE)?;
    let env = Envelope::parse(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", located(envelope, e.place())))?;
    let wanted: Option<DigestSet> = match (&a.artifact, &a.digest) {
        (Some(f), _) => {
            Some(artifact_digests(f).with_context(|| format!("cannot hash {}", f.display()))?)
        }
        (None, Some(d)) => {
            let d: Digest = d.parse().map_err(|e| anyhow::anyhow!("--digest: {e}"))?;
            Some(DigestSet::from_digests(&[d]))
        }
        (None, None) => None,
    };
    let mut out_lock = crate::output::stdout();
    let mut report = out.report();
    let stderr = std::io::stderr();
    let mut err_lock = stderr.lock();
    // With --print-statement stdout carries the statement only; the report moves to stderr
    // (unless it goes to --output's file).
    let w: &mut dyn Write = if a.print_statement && out.report_file().is_none() {
        &mut err_lock
    } else {
        &mut report
    };
    if a.payload_type != PAYLOAD_TYPE {
        if wanted.is_some() {
            bail!("--artifact/--digest need in-toto statements (--payload-type {PAYLOAD_TYPE})");
        }
        return verify_other_payload(a, envelope, g, out, &env, &keys, w);
    }
    let res = verify_attestation(&env, &keys, a.threshold, wanted.as_ref());
    match res {
        Ok(v) => {
            let signers: Vec<String> = v.signers.iter().map(|&i| keys[i].keyid()).collect();
            let st = &v.statement;
            if g.format == OutputFormat::Json {
                let report = json::AttestVerified {
                    schema_version: json::SCHEMA_VERSION,
                    verified: true,
                    envelope: envelope.display().to_string(),
                    payload_type: env.payload_type(),
                    threshold: a.threshold,
                    signers: &signers,
                    predicate_type: &st.predicate_type,
                    subjects: st
                        .subjects
                        .iter()
                        .map(|s| json::Subject {
                            name: &s.name,
                            digest: s.digest.entries(),
                        })
                        .collect(),
                    matched_subjects: v.matched.iter().map(|s| s.name.as_str()).collect(),
                };
                json::write(w, &report)?;
            } else {
                writeln!(
                    w,
                    "verified: {} signed by {} of {} required key(s): {}",
                    envelope.display(),
                    signers.len(),
                    a.threshold,
                    signers
                        .iter()
                        .map(|k| &k[..16.min(k.len())])
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
                writeln!(w, "  predicate type: {}", st.predicate_type)?;
                for s in &v.matched {
                    writeln!(w, "  subject matches: {}", s.name)?;
                }
            }
            // Only a verified statement is written, as signed (plus a final newline).
            let mut statement = v.payload.clone();
            if !statement.ends_with(b"\n") {
                statement.push(b'\n');
            }
            if a.print_statement {
                out_lock.write_all(&statement)?;
            } else if let Some(p) = &a.statement_out {
                std::fs::write(p, &statement)
                    .with_context(|| format!("cannot write {}", p.display()))?;
                out.info(&format!("wrote the verified statement to {}", p.display()));
            }
            Ok(Outcome::Pass)
        }
        Err(e) if e.is_input_error() => Err(e).with_context(|| format!("{}", envelope.display())),
        Err(e) => {
            report_failure(w, g, envelope, e.check(), &e.to_string(), out)?;
            Ok(Outcome::Fail)
        }
    }
}

/// Verifies an envelope of a payload type other than in-toto: signatures and type only.
fn verify_other_payload(
    a: &VerifyArgs,
    envelope: &Path,
    g: &GlobalArgs,
    out: &Output,
    env: &Envelope,
    keys: &[tollgate_attest::PublicKey],
    w: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    match dsse::verify_detailed(env, Some(&a.payload_type), keys, a.threshold) {
        Ok(v) => {
            let signers: Vec<String> = v.signers.iter().map(|&i| keys[i].keyid()).collect();
            if g.format == OutputFormat::Json {
                let report = json::AttestVerifiedPayload {
                    schema_version: json::SCHEMA_VERSION,
                    verified: true,
                    envelope: envelope.display().to_string(),
                    payload_type: env.payload_type(),
                    payload_bytes: v.payload.len(),
                    threshold: a.threshold,
                    signers: &signers,
                };
                json::write(w, &report)?;
            } else {
                writeln!(
                    w,
                    "verified: {} ({}, {} bytes) signed by {} of {} required key(s)",
                    envelope.display(),
                    env.payload_type(),
                    v.payload.len(),
                    signers.len(),
                    a.threshold
                )?;
            }
            Ok(Outcome::Pass)
        }
        Err(e) => {
            let e = tollgate_attest::attestation::AttestationError::from(e);
            if e.is_input_error() {
                bail!("{}: {e}", envelope.display());
            }
            report_failure(w, g, envelope, e.check(), &e.to_string(), out)?;
            Ok(Outcome::Fail)
        }
    }
}

/// Prints a failed verification: JSON on stdout (with --format json), the message on stderr.
pub fn report_failure(
    w: &mut dyn Write,
    g: &GlobalArgs,
    file: &Path,
    check: &str,
    msg: &str,
    out: &Output,
) -> anyhow::Result<()> {
    if g.format == OutputFormat::Json {
        let v = json::NotVerified {
            schema_version: json::SCHEMA_VERSION,
            verified: false,
            file: file.display().to_string(),
            check,
            error: msg,
        };
        json::write(w, &v)?;
    }
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "{} {}: {msg}",
        out.err_style.red("not verified:"),
        file.display()
    )?;
    Ok(())
}

fn sign(a: &SignArgs, out: &Output) -> anyhow::Result<Outcome> {
    let keys = a
        .keys
        .iter()
        .map(|p| read_private_key(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pbytes = read_capped(&a.predicate, MAX_ENVELOPE_SIZE)?;
    let predicate = parse_strict(&pbytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid JSON: {}",
            located(&a.predicate, Some(e.place())),
            e.message()
        )
    })?;
    if !predicate.is_object() {
        bail!(
            "{}: the predicate must be a JSON object",
            a.predicate.display()
        );
    }
    if a.predicate_type.trim().is_empty() {
        bail!("--predicate-type must not be empty");
    }
    let mut subjects = Vec::new();
    for p in &a.artifacts {
        let f = std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
        let d = digest_reader(f, &[DigestAlgorithm::Sha256])
            .with_context(|| format!("cannot hash {}", p.display()))?;
        let name = p.to_string_lossy().trim_start_matches("./").to_owned();
        subjects.extend(d.into_iter().map(|d| (name.clone(), d)));
    }
    let key_refs: Vec<_> = keys.iter().collect();
    let env = sign_statement(&subjects, &a.predicate_type, predicate, &key_refs)?;
    let mut text = serde_json::to_string_pretty(&env.to_json())?;
    text.push('\n');
    let mut w = out.report();
    w.write_all(text.as_bytes())?;
    w.flush()?;
    if let Some(p) = out.report_file() {
        out.info(&format!("wrote {}", p.display()));
    }
    Ok(Outcome::Pass)
}

/// `--explain` on the `attest verify*` commands.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct ExplainArg {
    /// After a successful verification, print the off-the-shelf command that checks the same
    /// thing (cosign, slsa-verifier, gh attestation verify), so an auditor can re-check without
    /// tollgate. Printed with the report (stdout, --output's file, or stderr beside
    /// --print-statement), or on stderr beside a JSON document.
    #[arg(long)]
    pub explain: bool,
}

/// Prints `--explain`'s commands when asked: into `w`, the writer the human report went to
/// (stdout, `--output`'s file, or stderr when `--print-statement` holds stdout), or on stderr
/// beside a JSON document.
pub fn print_rechecks(
    e: ExplainArg,
    list: &[tollgate_attest::explain::Recheck],
    g: &GlobalArgs,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    if !e.explain {
        return Ok(());
    }
    let mut text = String::from("re-check without tollgate:\n");
    for r in list {
        text.push_str(&format!("  {}\n", r.command_line()));
        if let Some(n) = &r.note {
            text.push_str(&format!("  # {n}\n"));
        }
    }
    if g.format == OutputFormat::Json {
        eprint!("{text}");
    } else {
        w.write_all(text.as_bytes())?;
        w.flush()?;
    }
    Ok(())
}

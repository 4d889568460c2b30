//! `tollgate attest verify --bundle`: a Sigstore bundle verified offline, keyless (identity and
//! issuer) or with a key. Logic lives in `tollgate_attest::sigstore`; this file checks the flag
//! combinations, reads the inputs and prints.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use tollgate_attest::digest::{Digest, DigestAlgorithm};
use tollgate_attest::sigstore::root::MAX_TRUSTED_ROOT_SIZE;
use tollgate_attest::sigstore::{
    Artifact, BundleContent, BundlePolicy, GithubClaims, KeylessPolicy, MAX_BUNDLE_SIZE, Signer,
    SigstoreError, TrustRoot, VerifiedBundle, Verifier,
};
use tollgate_attest::statement::{PAYLOAD_TYPE, Statement};
use tollgate_attest::time::format_rfc3339;

use super::attest::{VerifyArgs, read_capped, report_failure};
use super::key::read_public_key;
use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// Artefacts up to this size are read whole (Ed25519 message signatures need the bytes); larger
/// ones are hashed as a stream and verified by their SHA-256.
const READ_WHOLE_ARTIFACT: u64 = 64 * 1024 * 1024;

/// The flags that only keyless verification takes.
fn keyless_flags(a: &VerifyArgs) -> bool {
    a.certificate_identity.is_some()
        || a.certificate_identity_regexp.is_some()
        || a.certificate_oidc_issuer.is_some()
        || !github_claims(a).is_empty()
}

fn github_claims(a: &VerifyArgs) -> GithubClaims {
    GithubClaims {
        repository: a.certificate_github_workflow_repository.clone(),
        git_ref: a.certificate_github_workflow_ref.clone(),
        sha: a.certificate_github_workflow_sha.clone(),
        trigger: a.certificate_github_workflow_trigger.clone(),
        workflow_name: a.certificate_github_workflow_name.clone(),
        runner_environment: a.certificate_runner_environment.clone(),
    }
}

/// The policy the flags ask for (usage errors are exit 2).
fn policy(a: &VerifyArgs) -> anyhow::Result<BundlePolicy> {
    match a.keys.as_slice() {
        [] => {}
        [key] => {
            if keyless_flags(a) {
                bail!(
                    "--key verifies a key-based bundle; --certificate-* flags are for keyless bundles: give one or the other"
                );
            }
            let k = read_public_key(key)?;
            return Ok(BundlePolicy::Key(k.spki_der().to_vec()));
        }
        _ => bail!("--bundle takes one --key (a bundle carries one signature)"),
    }
    let Some(issuer) = &a.certificate_oidc_issuer else {
        bail!(
            "a keyless bundle needs --certificate-oidc-issuer URL and --certificate-identity or --certificate-identity-regexp (or --key for a key-based bundle)"
        );
    };
    let p = match (&a.certificate_identity, &a.certificate_identity_regexp) {
        (Some(i), _) => KeylessPolicy::exact(i, issuer),
        (None, Some(r)) => KeylessPolicy::regexp(r, issuer),
        (None, None) => {
            bail!("a keyless bundle needs --certificate-identity or --certificate-identity-regexp")
        }
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(BundlePolicy::Keyless(p.with_github(github_claims(a))))
}

/// The artefact bytes (or their SHA-256 when large, or given by --digest).
enum Input {
    Bytes(Vec<u8>),
    Sha256([u8; 32]),
}

fn input(a: &VerifyArgs) -> anyhow::Result<Input> {
    match (&a.artifact, &a.digest) {
        (Some(f), _) => {
            let file =
                std::fs::File::open(f).with_context(|| format!("cannot read {}", f.display()))?;
            let len = file
                .metadata()
                .with_context(|| format!("cannot read {}", f.display()))?
                .len();
            if len <= READ_WHOLE_ARTIFACT {
                let mut buf = Vec::with_capacity(len as usize);
                file.take(READ_WHOLE_ARTIFACT + 1)
                    .read_to_end(&mut buf)
                    .with_context(|| format!("cannot read {}", f.display()))?;
                return Ok(Input::Bytes(buf));
            }
            let d = tollgate_attest::digest::digest_reader(file, &[DigestAlgorithm::Sha256])
                .with_context(|| format!("cannot hash {}", f.display()))?;
            let d = d
                .into_iter()
                .next()
                .context("no SHA-256 computed for the artefact")?;
            sha256_of(&d)
        }
        (None, Some(d)) => {
            let d: Digest = d.parse().map_err(|e| anyhow::anyhow!("--digest: {e}"))?;
            if d.algorithm != DigestAlgorithm::Sha256 {
                bail!("--digest: a Sigstore bundle is verified against a sha256:HEX digest");
            }
            sha256_of(&d)
        }
        (None, None) => bail!("--bundle needs --artifact FILE or --digest sha256:HEX"),
    }
}

fn sha256_of(d: &Digest) -> anyhow::Result<Input> {
    let b: [u8; 32] = d
        .bytes
        .as_slice()
        .try_into()
        .context("a SHA-256 digest is 32 bytes")?;
    Ok(Input::Sha256(b))
}

/// `tollgate attest verify --bundle B`.
pub fn verify_bundle(
    a: &VerifyArgs,
    bundle: &Path,
    g: &GlobalArgs,
    out: &Output,
) -> anyhow::Result<Outcome> {
    if a.threshold != 1 {
        bail!("--threshold applies to DSSE envelopes; a bundle carries one signature");
    }
    if a.payload_type != PAYLOAD_TYPE {
        bail!("--payload-type applies to DSSE envelopes (--envelope)");
    }
    if a.print_statement && g.format == OutputFormat::Json && out.report_file().is_none() {
        bail!(
            "--print-statement writes the statement to stdout, where --format json writes the report; use --statement-out FILE"
        );
    }
    let policy = policy(a)?;
    let input = input(a)?;
    let root = trusted_root(a.trusted_root.as_deref())?;
    let bytes = read_capped(bundle, MAX_BUNDLE_SIZE)?;

    let mut out_lock = crate::output::stdout();
    let mut report = out.report();
    let stderr = std::io::stderr();
    let mut err_lock = stderr.lock();
    let w: &mut dyn Write = if a.print_statement && out.report_file().is_none() {
        &mut err_lock
    } else {
        &mut report
    };
    let verifier = Verifier::new(&root).map_err(|e| match &a.trusted_root {
        Some(p) => anyhow::anyhow!("{}: {e}", p.display()),
        None => anyhow::anyhow!("{e}"),
    })?;
    let verifier = match a.now {
        Some(t) => verifier.with_clock(t.0),
        None => verifier,
    };
    let artifact = match &input {
        Input::Bytes(b) => Artifact::Bytes(b),
        Input::Sha256(d) => Artifact::Sha256(*d),
    };
    let v = match verifier.verify(&bytes, artifact, &policy) {
        Ok(v) => v,
        Err(e) if e.is_input_error() => bail!("{}: {e}", bundle.display()),
        Err(e) => {
            report_failure(w, g, bundle, e.check(), &e.to_string(), out)?;
            return Ok(Outcome::Fail);
        }
    };
    let statement = match &v.content {
        BundleContent::DsseEnvelope {
            payload_type,
            payload,
        } if payload_type == PAYLOAD_TYPE => Some((Statement::parse(payload).ok(), payload)),
        _ => None,
    };
    if (a.print_statement || a.statement_out.is_some())
        && statement.as_ref().is_none_or(|(s, _)| s.is_none())
    {
        report_failure(
            w,
            g,
            bundle,
            "payload-type",
            &SigstoreError::Unsupported(
                "--print-statement/--statement-out need a DSSE bundle with an in-toto statement"
                    .into(),
            )
            .to_string(),
            out,
        )?;
        return Ok(Outcome::Fail);
    }
    let st = statement.as_ref().and_then(|(s, _)| s.as_ref());
    if g.format == OutputFormat::Json {
        write_json(w, a, bundle, &v, st)?;
    } else {
        write_human(w, a, bundle, &v, st)?;
    }
    super::attest::print_rechecks(a.explain, &[recheck(a, bundle, &v)], g, w)?;
    if let Some((Some(_), payload)) = &statement {
        let mut text = payload.to_vec();
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
        if a.print_statement {
            out_lock.write_all(&text)?;
        } else if let Some(p) = &a.statement_out {
            std::fs::write(p, &text).with_context(|| format!("cannot write {}", p.display()))?;
            out.info(&format!("wrote the verified statement to {}", p.display()));
        }
    }
    Ok(Outcome::Pass)
}

/// The cosign command that checks what this verification did.
fn recheck(a: &VerifyArgs, bundle: &Path, v: &VerifiedBundle) -> tollgate_attest::explain::Recheck {
    use tollgate_attest::explain::{Identity, cosign_key, cosign_keyless};
    let artifact = a
        .artifact
        .as_ref()
        .map_or_else(|| "ARTIFACT".to_owned(), |p| p.display().to_string());
    let dsse = matches!(v.content, BundleContent::DsseEnvelope { .. });
    let b = bundle.display().to_string();
    let mut r = match (
        &a.keys.first(),
        &a.certificate_identity,
        &a.certificate_identity_regexp,
    ) {
        (Some(k), _, _) => cosign_key(
            &artifact,
            &b,
            &k.display().to_string(),
            dsse,
            v.tlog_verified,
        ),
        (None, Some(i), _) => cosign_keyless(
            &artifact,
            &b,
            dsse,
            Identity::Exact(i),
            a.certificate_oidc_issuer.as_deref().unwrap_or_default(),
        ),
        (None, None, re) => cosign_keyless(
            &artifact,
            &b,
            dsse,
            Identity::Regexp(re.as_deref().unwrap_or_default()),
            a.certificate_oidc_issuer.as_deref().unwrap_or_default(),
        ),
    };
    // cosign's flags of the same names, before the artefact.
    let at = r.args.len() - 1;
    let mut extra: Vec<String> = Vec::new();
    for (flag, v) in [
        (
            "--certificate-github-workflow-repository",
            &a.certificate_github_workflow_repository,
        ),
        (
            "--certificate-github-workflow-ref",
            &a.certificate_github_workflow_ref,
        ),
        (
            "--certificate-github-workflow-sha",
            &a.certificate_github_workflow_sha,
        ),
        (
            "--certificate-github-workflow-trigger",
            &a.certificate_github_workflow_trigger,
        ),
        (
            "--certificate-github-workflow-name",
            &a.certificate_github_workflow_name,
        ),
    ] {
        if let Some(v) = v {
            extra.push(flag.to_owned());
            extra.push(v.clone());
        }
    }
    if a.trusted_root.is_some() {
        extra.push("--trusted-root".into());
        extra.push(root_name(a));
    }
    r.args.splice(at..at, extra);
    if a.artifact.is_none() {
        r.note = Some(
            "cosign needs the artefact itself (--digest was given): put its path for ARTIFACT"
                .into(),
        );
    }
    r
}

fn root_name(a: &VerifyArgs) -> String {
    match &a.trusted_root {
        Some(p) => p.display().to_string(),
        None => "embedded:sigstore-production".to_owned(),
    }
}

fn write_json(
    w: &mut dyn Write,
    a: &VerifyArgs,
    bundle: &Path,
    v: &VerifiedBundle,
    st: Option<&Statement>,
) -> anyhow::Result<()> {
    let (content, payload_type) = match &v.content {
        BundleContent::MessageSignature => ("message-signature", None),
        BundleContent::DsseEnvelope { payload_type, .. } => {
            ("dsse-envelope", Some(payload_type.as_str()))
        }
    };
    let signer = match &v.signer {
        Signer::Certificate(c) => json::BundleSigner {
            kind: "certificate",
            identity: Some(&c.identity),
            issuer: Some(&c.issuer),
            claims: Some(serde_json::to_value(&c.claims)?),
        },
        Signer::Key => json::BundleSigner {
            kind: "key",
            identity: None,
            issuer: None,
            claims: None,
        },
    };
    let report = json::AttestBundleVerified {
        schema_version: json::SCHEMA_VERSION,
        verified: true,
        bundle: bundle.display().to_string(),
        media_type: &v.media_type,
        content,
        payload_type,
        signer,
        trusted_root: root_name(a),
        checks: json::BundleChecks {
            certificate: v.certificate_verified,
            sct: v.sct_verified,
            tlog: v.tlog_verified,
        },
        integrated_time: v.integrated_time.map(format_rfc3339),
        signing_times: v.signing_times.iter().map(|t| format_rfc3339(*t)).collect(),
        predicate_type: st.map(|s| s.predicate_type.as_str()),
        subjects: st.map(|s| {
            s.subjects
                .iter()
                .map(|s| json::Subject {
                    name: &s.name,
                    digest: s.digest.entries(),
                })
                .collect()
        }),
    };
    json::write(w, &report)
}

fn write_human(
    w: &mut dyn Write,
    a: &VerifyArgs,
    bundle: &Path,
    v: &VerifiedBundle,
    st: Option<&Statement>,
) -> anyhow::Result<()> {
    let content = match &v.content {
        BundleContent::MessageSignature => "message signature".to_owned(),
        BundleContent::DsseEnvelope { payload_type, .. } => format!("DSSE, {payload_type}"),
    };
    writeln!(
        w,
        "verified: {} (Sigstore bundle, {content})",
        bundle.display()
    )?;
    match &v.signer {
        Signer::Certificate(c) => {
            writeln!(w, "  signer: {} (issuer {})", c.identity, c.issuer)?;
            if let Some(r) = &c.claims.source_repository {
                let at = c.claims.source_ref.as_deref().unwrap_or("?");
                let commit = c.claims.source_digest.as_deref().unwrap_or("?");
                writeln!(w, "  source: {r} {at} ({commit})")?;
            }
            if let Some(r) = &c.claims.runner_environment {
                writeln!(w, "  runner: {r}")?;
            }
        }
        Signer::Key => writeln!(w, "  signer: the given key")?,
    }
    let times: Vec<String> = v.signing_times.iter().map(|t| format_rfc3339(*t)).collect();
    if !times.is_empty() {
        writeln!(w, "  signed at: {}", times.join(", "))?;
    }
    writeln!(
        w,
        "  checked: {}transparency log{}",
        if v.certificate_verified {
            "certificate chain, "
        } else {
            ""
        },
        if v.sct_verified { ", SCT" } else { "" }
    )?;
    writeln!(w, "  trusted root: {}", root_name(a))?;
    if let Some(s) = st {
        writeln!(w, "  predicate type: {}", s.predicate_type)?;
    }
    Ok(())
}

/// `--trusted-root FILE` (size-capped, named on error), else the embedded production root: the
/// one loader of every `attest verify*` command that checks Sigstore bundles.
pub(super) fn trusted_root(given: Option<&std::path::Path>) -> anyhow::Result<TrustRoot> {
    match given {
        Some(p) => {
            let bytes = read_capped(p, MAX_TRUSTED_ROOT_SIZE)?;
            TrustRoot::from_json(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
        None => TrustRoot::production().map_err(|e| anyhow::anyhow!("{e}")),
    }
}

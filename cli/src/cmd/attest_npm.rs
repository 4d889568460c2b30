//! `tollgate attest verify-npm`: an npm package version's attestations (SLSA provenance and the
//! registry's publish attestation) verified offline and bound to the tarball, then checked like
//! slsa-verifier `verify-npm-package`. Logic lives in
//! `tollgate_attest::sigstore::NpmAttestationsVerifier` and `tollgate_attest::slsa`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use tollgate_attest::digest::digest_file;
use tollgate_attest::sigstore::npm::{NPM_KEYS, parse_npm_keys};
use tollgate_attest::sigstore::{MAX_BUNDLE_SIZE, NpmAttestationsVerifier, Verifier};
use tollgate_attest::slsa::ProvenancePolicy;

use super::attest::read_capped;
use crate::Outcome;
use crate::args::GlobalArgs;
use crate::output::Output;

/// The largest tarball read.
const MAX_TARBALL: usize = 256 * 1024 * 1024;

/// `tollgate attest verify-npm`.
#[derive(Debug, Args)]
pub struct VerifyNpmArgs {
    /// The attestations document of the version (`{"attestations": [...]}`).
    #[arg(long, value_name = "FILE")]
    pub attestations: PathBuf,
    /// The package tarball (.tgz): its sha512 must be a subject of every attestation.
    #[arg(long, value_name = "FILE")]
    pub tarball: PathBuf,
    /// Expected source repository: github.com/o/r, https://github.com/o/r or git+https://….
    #[arg(long, value_name = "URI")]
    pub source_uri: String,
    /// Expected package name (@scope/name or name), which the attestations must name.
    #[arg(long, value_name = "NAME")]
    pub package_name: Option<String>,
    /// Expected package version, which the attestations must name.
    #[arg(long, value_name = "VERSION")]
    pub package_version: Option<String>,
    /// Expected builder (default: any trusted builder).
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,
    /// The npm registry keys file (default: the embedded copy of the registry's keys).
    #[arg(long, value_name = "FILE")]
    pub npm_keys: Option<PathBuf>,
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

/// `tollgate attest verify-npm`.
pub fn verify(a: &VerifyNpmArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let digests = digest_file(&a.tarball)
        .with_context(|| format!("{}: cannot read the tarball", a.tarball.display()))?;
    let tarball = read_capped(&a.tarball, MAX_TARBALL)?;
    let policy = ProvenancePolicy {
        source_uri: Some(a.source_uri.clone()),
        builder_id: a.builder_id.clone(),
        package_name: a.package_name.clone(),
        package_version: a.package_version.clone(),
        digest: digests.supported(),
        ..ProvenancePolicy::default()
    };
    policy.validate()?;
    let keys = match &a.npm_keys {
        Some(p) => parse_npm_keys(&read_capped(p, 1 << 20)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        None => parse_npm_keys(NPM_KEYS.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let root = super::attest_bundle::trusted_root(a.trusted_root.as_deref())?;
    let verifier = Verifier::new(&root).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = read_capped(&a.attestations, MAX_BUNDLE_SIZE)?;
    let v = NpmAttestationsVerifier::new(&verifier, &tarball, &keys);
    let recheck = tollgate_attest::explain::slsa_verify_npm_package(
        &a.tarball.display().to_string(),
        &a.attestations.display().to_string(),
        a.package_name.as_deref().unwrap_or("NAME"),
        a.package_version.as_deref().unwrap_or("VERSION"),
        &policy,
    );
    super::attest_provenance::verify_and_render(
        &v,
        &bytes,
        &policy,
        &a.attestations,
        g,
        out,
        (a.explain, std::slice::from_ref(&recheck)),
    )
}

/// What `attest verify-npm` checked, for its receipts.
pub fn receipt_scope(a: &VerifyNpmArgs) -> anyhow::Result<super::evidence::VerifyScope> {
    use super::evidence::key_digest;
    Ok(super::evidence::VerifyScope {
        command: "attest verify-npm",
        subjects: vec![a.attestations.clone(), a.tarball.clone()],
        policy_file: None,
        expected: serde_json::json!({
            "sourceUri": a.source_uri,
            "packageName": a.package_name,
            "packageVersion": a.package_version,
            "builderId": a.builder_id,
            "npmKeys": a.npm_keys.as_deref().map(key_digest).transpose()?,
            "trustedRoot": a.trusted_root.as_deref().map(key_digest).transpose()?,
        }),
    })
}

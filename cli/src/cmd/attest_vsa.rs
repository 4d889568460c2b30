//! `tollgate attest verify-vsa`: a Verification Summary Attestation (DSSE, key-signed) verified
//! with a pinned key and key id, then checked like slsa-verifier `verify-vsa`: the resource and
//! the verified levels. Logic lives in `tollgate_attest::dsse` and `tollgate_attest::slsa::vsa`.

use std::path::PathBuf;

use clap::Args;
use tollgate_attest::Statement;
use tollgate_attest::dsse::{Envelope, MAX_ENVELOPE_SIZE, verify_with_keyid};
use tollgate_attest::slsa::{Evidence, PolicyError, ProvenancePolicy, VsaPolicy, evaluate};

use super::attest::{located, read_capped, report_failure};
use super::key::read_public_key;
use crate::Outcome;
use crate::args::GlobalArgs;
use crate::output::Output;

/// `tollgate attest verify-vsa`.
#[derive(Debug, Args)]
pub struct VerifyVsaArgs {
    /// The VSA: a DSSE envelope (JSON, or a one-line `.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub attestation: PathBuf,
    /// The verifier's public key (PEM).
    #[arg(long, value_name = "KEY")]
    pub public_key: PathBuf,
    /// The key id the envelope's signature must carry.
    #[arg(long, value_name = "ID")]
    pub public_key_id: String,
    /// The resource the VSA must be about.
    #[arg(long, value_name = "URI")]
    pub resource_uri: String,
    /// A level that must be verified, e.g. SLSA_BUILD_LEVEL_2 (repeatable).
    #[arg(long, value_name = "LEVEL")]
    pub verified_level: Vec<String>,
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

/// `tollgate attest verify-vsa`.
pub fn verify(a: &VerifyVsaArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let key = read_public_key(&a.public_key)?;
    let policy = ProvenancePolicy {
        vsa: Some(VsaPolicy {
            resource_uri: a.resource_uri.clone(),
            verified_levels: a.verified_level.clone(),
            ..VsaPolicy::default()
        }),
        ..ProvenancePolicy::default()
    };
    policy.validate()?;
    let bytes = read_capped(&a.attestation, MAX_ENVELOPE_SIZE)?;
    let env = Envelope::parse(bytes.trim_ascii())
        .map_err(|e| anyhow::anyhow!("{}: {e}", located(&a.attestation, e.place())))?;
    let mut w = out.report();
    let payload = match verify_with_keyid(&env, &key, &a.public_key_id) {
        Ok(p) => p,
        Err(e) => {
            report_failure(&mut w, g, &a.attestation, "signature", &e.to_string(), out)?;
            return Ok(Outcome::Fail);
        }
    };
    let statement = match Statement::parse(&payload) {
        Ok(s) => s,
        Err(e) => {
            let msg = format!("not an in-toto statement: {e}");
            report_failure(&mut w, g, &a.attestation, "payload", &msg, out)?;
            return Ok(Outcome::Fail);
        }
    };
    let ev = Evidence {
        statement: &statement,
        npm_publish: None,
        signer: None,
    };
    let outcome = match evaluate(&ev, &policy) {
        Ok(r) => Ok(r),
        Err(PolicyError::Violated(v)) => Err(v),
        Err(e) => return Err(e.into()),
    };
    let shown = a.attestation.display().to_string();
    let passed = outcome.is_ok();
    let r = super::attest_policy::render_outcome(&shown, &outcome, g, out, &mut w)?;
    if passed {
        let recheck = tollgate_attest::explain::slsa_verify_vsa(
            &shown,
            &a.resource_uri,
            &a.public_key.display().to_string(),
            &a.public_key_id,
            &a.verified_level,
        );
        super::attest::print_rechecks(a.explain, &[recheck], g, &mut w)?;
    }
    Ok(r)
}

/// What `attest verify-vsa` checked, for its receipts.
pub fn receipt_scope(a: &VerifyVsaArgs) -> anyhow::Result<super::evidence::VerifyScope> {
    Ok(super::evidence::VerifyScope {
        command: "attest verify-vsa",
        subjects: vec![a.attestation.clone()],
        policy_file: None,
        expected: serde_json::json!({
            "publicKey": super::evidence::key_digest(&a.public_key)?,
            "publicKeyId": a.public_key_id,
            "resourceUri": a.resource_uri,
            "verifiedLevels": a.verified_level,
        }),
    })
}

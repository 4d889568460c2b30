//! The JSON documents of `attest verify`, `attest policy-check`, `intoto verify`, `key` and
//! `db` (`--format json`). `check --format json` has its own (`tollgate_verifier::render::json`).
//!
//! These structs *are* those contracts: every field a document writes is named here and nowhere
//! else. Each document carries `schema_version` ([`SCHEMA_VERSION`]); changing or removing a
//! field is a breaking change of it, adding one is not. The schemas are in `docs/reference/`
//! (`attest-verify.schema.json`, …); the cli tests (`json_doc` in `cli/tests/it/main.rs`)
//! validate real output against them.
//!
//! Documents are written through [`write`], which goes by a `serde_json::Value`: its objects
//! sort their keys, so each document keeps the key order it has always had (`db status`, which
//! was always written in field order, goes through [`write_in_order`]).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

/// Version of every document of this module.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes a document, pretty-printed, with a final newline.
pub fn write(w: &mut dyn Write, doc: &impl Serialize) -> anyhow::Result<()> {
    let v = serde_json::to_value(doc)?;
    serde_json::to_writer_pretty(&mut *w, &v)?;
    writeln!(w)?;
    Ok(())
}

/// Writes a document in its fields' order, pretty-printed, with a final newline.
pub fn write_in_order(w: &mut dyn Write, doc: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *w, doc)?;
    writeln!(w)?;
    Ok(())
}

/// `attest verify` of an in-toto statement that verified.
#[derive(Debug, Serialize)]
pub struct AttestVerified<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `true`.
    pub verified: bool,
    /// The envelope file, as given.
    pub envelope: String,
    /// The envelope's payload type.
    pub payload_type: &'a str,
    /// Signatures required.
    pub threshold: usize,
    /// Key ids of the keys whose signatures verified.
    pub signers: &'a [String],
    /// The statement's predicate type.
    pub predicate_type: &'a str,
    /// The statement's subjects.
    pub subjects: Vec<Subject<'a>>,
    /// Names of the subjects that matched `--artifact` / `--digest`.
    pub matched_subjects: Vec<&'a str>,
}

/// One subject of a statement.
#[derive(Debug, Serialize)]
pub struct Subject<'a> {
    /// Name.
    pub name: &'a str,
    /// Algorithm → hex digest.
    pub digest: &'a BTreeMap<String, String>,
}

/// `attest verify` of an envelope of another payload type that verified.
#[derive(Debug, Serialize)]
pub struct AttestVerifiedPayload<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `true`.
    pub verified: bool,
    /// The envelope file, as given.
    pub envelope: String,
    /// The envelope's payload type.
    pub payload_type: &'a str,
    /// Size of the payload.
    pub payload_bytes: usize,
    /// Signatures required.
    pub threshold: usize,
    /// Key ids of the keys whose signatures verified.
    pub signers: &'a [String],
}

/// `attest verify --bundle` of a Sigstore bundle that verified.
#[derive(Debug, Serialize)]
pub struct AttestBundleVerified<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `true`.
    pub verified: bool,
    /// The bundle file, as given.
    pub bundle: String,
    /// The bundle's media type.
    pub media_type: &'a str,
    /// `message-signature` or `dsse-envelope`.
    pub content: &'static str,
    /// The DSSE payload type (DSSE bundles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_type: Option<&'a str>,
    /// Who signed.
    pub signer: BundleSigner<'a>,
    /// `embedded:sigstore-production` or the `--trusted-root` file.
    pub trusted_root: String,
    /// What was verified.
    pub checks: BundleChecks,
    /// The Rekor v1 integrated time (RFC 3339), when the bundle has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrated_time: Option<String>,
    /// Every authenticated signing time (RFC 3339).
    pub signing_times: Vec<String>,
    /// The in-toto statement's predicate type (DSSE bundles of in-toto statements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<&'a str>,
    /// The in-toto statement's subjects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subjects: Option<Vec<Subject<'a>>>,
}

/// The signer of a verified bundle.
#[derive(Debug, Serialize)]
pub struct BundleSigner<'a> {
    /// `certificate` (keyless) or `key`.
    pub kind: &'static str,
    /// The certificate's SAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<&'a str>,
    /// The certificate's OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<&'a str>,
    /// The certificate's CI claims (source repository, ref, commit, trigger, runner, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<serde_json::Value>,
}

/// The checks a verified bundle passed.
#[derive(Debug, Serialize)]
pub struct BundleChecks {
    /// Certificate chain to the trusted root, validity at signing time, code-signing usage.
    pub certificate: bool,
    /// The certificate's Signed Certificate Timestamp.
    pub sct: bool,
    /// Transparency-log inclusion: SET, inclusion proof, checkpoint.
    pub tlog: bool,
}

/// A failed verification (`attest verify`, `intoto verify`).
#[derive(Debug, Serialize)]
pub struct NotVerified<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `false`.
    pub verified: bool,
    /// The file that failed (envelope or layout).
    pub file: String,
    /// The check that failed.
    pub check: &'a str,
    /// Why, in English.
    pub error: &'a str,
}

/// `attest policy-check`.
#[derive(Debug, Serialize)]
pub struct PolicyCheck<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `pass` or `fail`.
    pub verdict: &'static str,
    /// The statement file, as given.
    pub statement: &'a str,
    /// On a pass: what was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<&'a tollgate_attest::slsa::PolicyReport>,
    /// On a fail: the violation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<PolicyViolation<'a>>,
}

/// `violation` of [`PolicyCheck`]: the violation's own fields, plus two.
#[derive(Debug, Serialize)]
pub struct PolicyViolation<'a> {
    /// The violation (`check`, `reason`, …).
    #[serde(flatten)]
    pub violation: &'a tollgate_attest::slsa::Violation,
    /// The error name slsa-verifier reports for the same failure, if any.
    pub slsa_verifier_error: Option<&'static str>,
    /// The violation in English.
    pub message: String,
}

/// `intoto verify` that verified: the report's fields, plus three.
#[derive(Debug, Serialize)]
pub struct IntotoVerified<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// What the verification established (`layout_format`, `steps`, …).
    #[serde(flatten)]
    pub report: &'a tollgate_attest::intoto::IntotoReport,
    /// Always `true`.
    pub verified: bool,
    /// The layout file, as given.
    pub layout: String,
}

/// `db import` / `db update`: the index written.
#[derive(Debug, Serialize)]
pub struct DbWritten<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The index file.
    pub db: String,
    /// Its metadata.
    pub meta: &'a tollgate_verifier::advisory::DbMeta,
}

/// `db status`: the status's own fields (in their order), after `schema_version`.
#[derive(Debug, Serialize)]
pub struct DbStatusDoc<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Location, metadata, age, staleness.
    #[serde(flatten)]
    pub status: &'a tollgate_verifier::advisory::store::DbStatus,
}

/// `key generate` / `key id`.
#[derive(Debug, Serialize)]
pub struct KeyIds<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The key algorithm.
    pub algorithm: String,
    /// The primary key id.
    pub keyid: String,
    /// Every securesystemslib key id, primary first.
    pub keyids: &'a [String],
    /// The Sigstore bundle hint (base64 SHA-256 of the SPKI).
    pub sigstore_hint: String,
    /// Hex SHA-256 of the SPKI.
    pub spki_sha256: &'a str,
    /// `key generate`: the private key file written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// `key generate`: the public key file written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope of another payload type has no CLI fixture (`attest sign` writes in-toto
    /// statements only): its fields are checked here.
    #[test]
    fn a_verified_payload_names_its_fields() {
        let signers = vec!["ab".to_owned()];
        let doc = AttestVerifiedPayload {
            schema_version: SCHEMA_VERSION,
            verified: true,
            envelope: "e.json".into(),
            payload_type: "text/plain",
            payload_bytes: 3,
            threshold: 1,
            signers: &signers,
        };
        let mut out = Vec::new();
        write(&mut out, &doc).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "envelope",
                "payload_bytes",
                "payload_type",
                "schema_version",
                "signers",
                "threshold",
                "verified"
            ]
        );
    }
}

/// `sbom verify`.
#[derive(Debug, Serialize)]
pub struct SbomVerify {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `true` when every check verified.
    pub verified: bool,
    /// The SBOM, as given.
    pub file: String,
    /// The key id of the public key.
    pub keyid: String,
    /// One entry per piece of evidence checked.
    pub checks: Vec<SbomCheck>,
}

/// One piece of evidence of `sbom verify`.
#[derive(Debug, Serialize)]
pub struct SbomCheck {
    /// `signature` (detached), `envelope` (DSSE) or `bundle` (Sigstore).
    pub evidence: &'static str,
    /// Its file.
    pub file: String,
    /// Whether it verified.
    pub verified: bool,
    /// The failed check (`signature`, `envelope`, `attestation`, `subject`, `predicate-type`,
    /// `predicate`, `sbom`, `bundle`, `digest`), when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<&'static str>,
    /// Why it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The envelope's subjects.
    pub subjects: Vec<SbomSubject>,
}

/// A subject of the SBOM's envelope.
#[derive(Debug, Serialize)]
pub struct SbomSubject {
    /// Its name.
    pub name: String,
    /// `ALG:HEX` digests.
    pub digests: Vec<String>,
}

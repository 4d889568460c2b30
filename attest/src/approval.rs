//! Signed approvals of a waiver: an approver's signature over what is accepted (advisory id,
//! package, reason, expiry) and when (`approvedAt`), with a single-use `nonce`.
//!
//! The signed bytes are the RFC 8785 (JCS) form of
//! `{"type": APPROVAL_TYPE, "advisory", "package", "reason", "expires", "nonce", "approvedAt"}`
//! (absent package or expiry: empty strings); signatures are detached (ES256 DER, Ed25519,
//! RS256), as the audit log's. Which approvals count (freshness, replay, how many) is the
//! policy's business; this module signs and checks signatures.

use base64ct::{Base64, Encoding};
use rand_core::{OsRng, RngCore};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::digest::to_hex;
use crate::jcs;
use crate::keys::{KeyError, PrivateKey, PublicKey};

/// The `type` member of the signed bytes.
pub const APPROVAL_TYPE: &str = "https://tollgate.dev/waiver-approval/v1";

/// What an approval is about: a waiver's identity and the approval's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim<'a> {
    /// The waiver's advisory id (or finding kind).
    pub advisory: &'a str,
    /// The waiver's package, `""` when it has none.
    pub package: &'a str,
    /// The waiver's reason.
    pub reason: &'a str,
    /// The waiver's expiry (`YYYY-MM-DD`), `""` when it has none.
    pub expires: &'a str,
    /// Single-use nonce.
    pub nonce: &'a str,
    /// RFC 3339.
    pub approved_at: &'a str,
}

/// A signed approval, as stored beside its waiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The approver's key id.
    pub kid: String,
    /// The nonce.
    pub nonce: String,
    /// When it was approved (RFC 3339).
    pub approved_at: String,
    /// Base64 signature over [`message`].
    pub signature: String,
}

/// An approval whose signature does not check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApprovalError {
    /// No approver key has this id (a forged or unlisted approver).
    #[error("signed by key id {0}, which is not an approver of the policy")]
    UnknownApprover(String),
    /// The signature does not verify.
    #[error("the signature of approver key id {0} does not verify over this waiver")]
    BadSignature(String),
    /// The signature is not base64.
    #[error("the signature is not base64")]
    Encoding,
    /// No canonical form, or the key cannot sign.
    #[error("{0}")]
    Other(String),
}

impl From<KeyError> for ApprovalError {
    fn from(e: KeyError) -> Self {
        ApprovalError::Other(e.to_string())
    }
}

/// The bytes an approval signs.
pub fn message(c: &Claim<'_>) -> Result<Vec<u8>, ApprovalError> {
    jcs::to_jcs(&json!({
        "type": APPROVAL_TYPE,
        "advisory": c.advisory,
        "package": c.package,
        "reason": c.reason,
        "expires": c.expires,
        "nonce": c.nonce,
        "approvedAt": c.approved_at,
    }))
    .map_err(|e| ApprovalError::Other(e.to_string()))
}

/// The identity of a waiver (hex SHA-256 of the JCS form of its advisory, package, reason and
/// expiry): what a consumed nonce is bound to.
pub fn waiver_digest(advisory: &str, package: &str, reason: &str, expires: &str) -> String {
    let v = json!({"advisory": advisory, "package": package, "reason": reason, "expires": expires});
    // Strings only: the canonical form always exists.
    let bytes = jcs::to_jcs(&v).unwrap_or_default();
    to_hex(&Sha256::digest(bytes))
}

/// A fresh random nonce (128 bits, hex).
pub fn new_nonce() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    to_hex(&b)
}

/// Signs `claim` with `key`.
pub fn sign(claim: &Claim<'_>, key: &PrivateKey) -> Result<Approval, ApprovalError> {
    let sig = key.sign_detached(&message(claim)?)?;
    Ok(Approval {
        kid: key.public_key().keyid(),
        nonce: claim.nonce.to_owned(),
        approved_at: claim.approved_at.to_owned(),
        signature: Base64::encode_string(&sig),
    })
}

/// Checks the signature of `approval` (whose nonce and time are in `claim`) against the
/// approvers' keys; returns the index of the approver that signed.
pub fn verify(
    claim: &Claim<'_>,
    approval: &Approval,
    approvers: &[PublicKey],
) -> Result<usize, ApprovalError> {
    let i = approvers
        .iter()
        .position(|k| k.keyid() == approval.kid)
        .ok_or_else(|| ApprovalError::UnknownApprover(approval.kid.clone()))?;
    let sig = Base64::decode_vec(&approval.signature).map_err(|_| ApprovalError::Encoding)?;
    let k = &approvers[i];
    k.verify_scheme(k.detached_scheme(), &message(claim)?, &sig)
        .map_err(|_| ApprovalError::BadSignature(approval.kid.clone()))?;
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::GenerateAlgorithm;

    fn claim<'a>(nonce: &'a str) -> Claim<'a> {
        Claim {
            advisory: "RUSTSEC-2020-0071",
            package: "time",
            reason: "not reachable",
            expires: "2026-06-01",
            nonce,
            approved_at: "2026-03-01T00:00:00Z",
        }
    }

    #[test]
    fn approvals_verify_only_for_their_waiver_and_approver() {
        let alice = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let bob = PrivateKey::generate(GenerateAlgorithm::EcdsaP256).unwrap();
        let keys = [alice.public_key().clone(), bob.public_key().clone()];
        let n = new_nonce();
        assert_eq!(n.len(), 32);
        let a = sign(&claim(&n), &bob).unwrap();
        assert_eq!(verify(&claim(&n), &a, &keys), Ok(1));
        // Another waiver (reason), another nonce: the signature does not verify.
        let mut other = claim(&n);
        other.reason = "reachable after all";
        assert!(matches!(
            verify(&other, &a, &keys),
            Err(ApprovalError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&claim("x"), &a, &keys),
            Err(ApprovalError::BadSignature(_))
        ));
        // A key not listed: a forged approver.
        let mallory = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let f = sign(&claim(&n), &mallory).unwrap();
        assert_eq!(
            verify(&claim(&n), &f, &keys),
            Err(ApprovalError::UnknownApprover(mallory.public_key().keyid()))
        );
        assert_ne!(
            waiver_digest("a", "p", "r", ""),
            waiver_digest("a", "p", "r", "2026-01-01")
        );
    }
}

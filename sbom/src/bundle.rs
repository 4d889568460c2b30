//! A key-based Sigstore bundle (v0.3, message signature) of an SBOM: `bom.cdx.json.sigstore.json`,
//! what `cosign verify-blob --key K.pub --bundle FILE` reads.
//!
//! The bundle holds the detached signature over the SBOM's exact bytes (the same bytes as
//! `bom.cdx.json.sig`), the SBOM's digest, and a public-key hint (base64 of the SHA-256 of the
//! key's SubjectPublicKeyInfo DER, as sigstore-go's key pairs name themselves). It has no
//! transparency-log entry and no timestamp: signing is offline, with the release key, so
//! `cosign verify-blob` needs `--insecure-ignore-tlog=true` (the documented cosign flag for a
//! signature not uploaded to Rekor); its trust is the key's alone, as with the `.sig` file.
//!
//! Written and read by hand with typed serde structs rather than `sigstore-bundle`: that crate
//! refuses a bundle without a tlog entry or a timestamp (right for keyless bundles, whose
//! certificate is only valid at a logged time, but it rules out an offline key-signed SBOM), and
//! `sigstore-verify`'s key path requires the log as well.

use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};
use tollgate_attest::digest::DigestAlgorithm;
use tollgate_attest::keys::{PrivateKey, PublicKey, Scheme};

use crate::sign::{SignError, VerifyError, cyclonedx};

/// The media type of the bundles tollgate writes.
pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Media types accepted on reading (v0.1–v0.3; the older ones named by parameter).
const MEDIA_TYPES: [&str; 4] = [
    MEDIA_TYPE_V03,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
];

/// A Sigstore bundle, the fields a key-based message signature uses (protobuf JSON names).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    media_type: String,
    verification_material: VerificationMaterial,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_signature: Option<MessageSignature>,
    /// A DSSE bundle: read only to refuse it with a clear message.
    #[serde(default, skip_serializing)]
    dsse_envelope: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerificationMaterial {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key: Option<PublicKeyIdentifier>,
    /// A keyless bundle's certificate: read only to refuse it.
    #[serde(default, skip_serializing)]
    certificate: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    x509_certificate_chain: Option<serde_json::Value>,
    #[serde(default)]
    tlog_entries: Vec<serde_json::Value>,
    #[serde(default)]
    timestamp_verification_data: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PublicKeyIdentifier {
    #[serde(default)]
    hint: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageSignature {
    message_digest: HashOutput,
    signature: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct HashOutput {
    algorithm: String,
    digest: String,
}

/// What a verified bundle states besides "signed by this key".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBundle {
    /// The bundle's media type.
    pub media_type: String,
    /// The public-key hint (not authenticated: the key given to the verifier decides).
    pub hint: String,
    /// Transparency-log entries in the bundle. Not verified: a key-based check offline
    /// establishes the signature, not a logged time.
    pub tlog_entries: usize,
}

/// The protobuf name of the digest a key's signatures are made over, and its algorithm.
/// Ed25519 signs the message itself; its bundle digest is SHA-256, as cosign writes.
fn digest_of(scheme: Scheme) -> (&'static str, DigestAlgorithm) {
    match scheme {
        Scheme::EcdsaSha384 => ("SHA2_384", DigestAlgorithm::Sha384),
        Scheme::EcdsaSha512 => ("SHA2_512", DigestAlgorithm::Sha512),
        _ => ("SHA2_256", DigestAlgorithm::Sha256),
    }
}

/// The public-key hint of `key`: standard base64 of the SHA-256 of its SPKI DER.
pub fn hint(key: &PublicKey) -> String {
    Base64::encode_string(&DigestAlgorithm::Sha256.hash(key.spki_der()))
}

/// The bundle of the SBOM `bytes` signed by `key` with `signature` (the detached signature of
/// [`crate::sign::sign`]), as pretty JSON with a final newline.
pub fn bundle(bytes: &[u8], key: &PrivateKey, signature: &[u8]) -> Result<Vec<u8>, SignError> {
    cyclonedx(bytes).map_err(SignError::NotCycloneDx)?;
    let (name, alg) = digest_of(key.detached_scheme());
    let b = Bundle {
        media_type: MEDIA_TYPE_V03.to_owned(),
        verification_material: VerificationMaterial {
            public_key: Some(PublicKeyIdentifier {
                hint: hint(key.public_key()),
            }),
            certificate: None,
            x509_certificate_chain: None,
            tlog_entries: Vec::new(),
            timestamp_verification_data: serde_json::Map::new(),
        },
        message_signature: Some(MessageSignature {
            message_digest: HashOutput {
                algorithm: name.to_owned(),
                digest: Base64::encode_string(&alg.hash(bytes)),
            },
            signature: Base64::encode_string(signature),
        }),
        dsse_envelope: None,
    };
    let mut out = serde_json::to_vec_pretty(&b)?;
    out.push(b'\n');
    Ok(out)
}

/// Verifies a bundle against the SBOM `bytes` and `key`: a message-signature bundle with public
/// key material, whose digest is the SBOM's (in the key's hash) and whose signature verifies over
/// the SBOM's exact bytes. Keyless (certificate) and DSSE bundles are refused by name.
pub fn verify_bundle(
    bytes: &[u8],
    bundle: &[u8],
    key: &PublicKey,
) -> Result<VerifiedBundle, VerifyError> {
    let b: Bundle = serde_json::from_slice(bundle).map_err(|e| {
        VerifyError::Bundle(format!(
            "not a Sigstore bundle at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if !MEDIA_TYPES.contains(&b.media_type.as_str()) {
        return Err(VerifyError::Bundle(format!(
            "unknown mediaType `{}` (expected {MEDIA_TYPE_V03})",
            b.media_type
        )));
    }
    let vm = &b.verification_material;
    if vm.certificate.is_some() || vm.x509_certificate_chain.is_some() {
        return Err(VerifyError::Bundle(
            "a keyless bundle (certificate): verify it against a trusted root and an identity, \
             not a public key"
                .into(),
        ));
    }
    let pk = vm.public_key.as_ref().ok_or_else(|| {
        VerifyError::Bundle("verificationMaterial has no publicKey: not a key-based bundle".into())
    })?;
    if b.dsse_envelope.is_some() {
        return Err(VerifyError::Bundle(
            "a DSSE bundle: the SBOM's bundle is a message signature over its bytes".into(),
        ));
    }
    let ms = b
        .message_signature
        .as_ref()
        .ok_or_else(|| VerifyError::Bundle("the bundle has no messageSignature".into()))?;
    let (want_name, alg) = digest_of(key.detached_scheme());
    if ms.message_digest.algorithm != want_name {
        return Err(VerifyError::Bundle(format!(
            "messageDigest.algorithm is `{}`; this key signs over {want_name}",
            ms.message_digest.algorithm
        )));
    }
    let digest = Base64::decode_vec(&ms.message_digest.digest)
        .map_err(|e| VerifyError::Bundle(format!("messageDigest.digest is not base64: {e}")))?;
    let actual = alg.hash(bytes);
    if digest != actual {
        return Err(VerifyError::Digest(format!(
            "digest: the bundle's messageDigest is {}, the SBOM's {} is {}",
            hex(&digest),
            alg.name(),
            hex(&actual)
        )));
    }
    let sig = Base64::decode_vec(&ms.signature).map_err(|e| {
        VerifyError::Bundle(format!("messageSignature.signature is not base64: {e}"))
    })?;
    key.verify_scheme(key.detached_scheme(), bytes, &sig)
        .map_err(|e| VerifyError::Signature(e.0))?;
    cyclonedx(bytes).map_err(VerifyError::NotCycloneDx)?;
    Ok(VerifiedBundle {
        media_type: b.media_type.clone(),
        hint: pk.hint.clone(),
        tlog_entries: vm.tlog_entries.len(),
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_attest::keys::GenerateAlgorithm;

    const BOM: &[u8] = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}"#;

    fn signed(alg: GenerateAlgorithm) -> (PrivateKey, Vec<u8>) {
        let k = PrivateKey::generate(alg).unwrap();
        let sig = k.sign_detached(BOM).unwrap();
        let b = bundle(BOM, &k, &sig).unwrap();
        (k, b)
    }

    #[test]
    fn accepts_its_bundles_with_every_key_type() {
        for alg in [
            GenerateAlgorithm::Ed25519,
            GenerateAlgorithm::EcdsaP256,
            GenerateAlgorithm::EcdsaP384,
            GenerateAlgorithm::Rsa3072,
        ] {
            let (k, b) = signed(alg);
            let v = verify_bundle(BOM, &b, k.public_key()).unwrap();
            assert_eq!(v.media_type, MEDIA_TYPE_V03);
            assert_eq!(v.hint, hint(k.public_key()));
            assert_eq!(v.tlog_entries, 0);
            let doc: serde_json::Value = serde_json::from_slice(&b).unwrap();
            assert!(doc["verificationMaterial"]["publicKey"]["hint"].is_string());
            assert_eq!(
                doc["verificationMaterial"]["tlogEntries"],
                serde_json::json!([])
            );
        }
    }

    #[test]
    fn rejects_another_file_key_digest_and_signature() {
        let (k, b) = signed(GenerateAlgorithm::EcdsaP256);
        let mut changed = BOM.to_vec();
        changed[BOM.len() - 2] = b'2';
        assert_eq!(
            verify_bundle(&changed, &b, k.public_key())
                .unwrap_err()
                .check(),
            "digest"
        );
        let other = PrivateKey::generate(GenerateAlgorithm::EcdsaP256).unwrap();
        assert_eq!(
            verify_bundle(BOM, &b, other.public_key())
                .unwrap_err()
                .check(),
            "signature"
        );
        // A bundle whose digest was edited to the changed file's: the signature still fails.
        let mut doc: serde_json::Value = serde_json::from_slice(&b).unwrap();
        doc["messageSignature"]["messageDigest"]["digest"] =
            Base64::encode_string(&DigestAlgorithm::Sha256.hash(&changed)).into();
        let forged = serde_json::to_vec(&doc).unwrap();
        assert_eq!(
            verify_bundle(&changed, &forged, k.public_key())
                .unwrap_err()
                .check(),
            "signature"
        );
        // Another key's algorithm: the digest algorithm does not fit.
        let ed = PrivateKey::generate(GenerateAlgorithm::EcdsaP384).unwrap();
        assert_eq!(
            verify_bundle(BOM, &b, ed.public_key()).unwrap_err().check(),
            "bundle"
        );
    }

    #[test]
    fn refuses_keyless_dsse_truncated_and_unknown_bundles() {
        let (k, b) = signed(GenerateAlgorithm::Ed25519);
        let doc: serde_json::Value = serde_json::from_slice(&b).unwrap();
        let edit = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut d = doc.clone();
            f(&mut d);
            verify_bundle(BOM, &serde_json::to_vec(&d).unwrap(), k.public_key()).unwrap_err()
        };
        let e = edit(&|d| {
            d["verificationMaterial"]["certificate"] = serde_json::json!({"rawBytes": "AA=="})
        });
        assert!(e.to_string().contains("keyless"), "{e}");
        let e = edit(&|d| d["dsseEnvelope"] = serde_json::json!({}));
        assert!(e.to_string().contains("DSSE"), "{e}");
        let e = edit(&|d| d["mediaType"] = "application/json".into());
        assert!(e.to_string().contains("mediaType"), "{e}");
        let e = edit(&|d| {
            d["verificationMaterial"]
                .as_object_mut()
                .unwrap()
                .remove("publicKey");
        });
        assert!(e.to_string().contains("publicKey"), "{e}");
        let e = edit(&|d| {
            d.as_object_mut().unwrap().remove("messageSignature");
        });
        assert!(e.to_string().contains("messageSignature"), "{e}");
        for cut in [0, 1, b.len() / 2, b.len() - 3] {
            let e = verify_bundle(BOM, &b[..cut], k.public_key()).unwrap_err();
            assert_eq!(e.check(), "bundle", "cut at {cut}: {e}");
        }
    }
}

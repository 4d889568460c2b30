//! npm registry signatures (`versions[v].dist.signatures` of a packument), what
//! `npm audit signatures` checks: ECDSA P-256 / SHA-256 over `<name>@<version>:<integrity>`
//! (UTF-8), the signature DER in base64, by a registry key of usage `npm:signatures` chosen by
//! its `keyid`, from pinned key material ([`crate::sigstore::npm::NPM_KEYS`] or a keys file).
//!
//! Key validity is judged at the version's publish time, as the npm CLI does: a key that expired
//! (the registry rotated on 2025-01-29) still vouches for versions published before it expired.
//! Where npm takes an unknown publish time as "valid", this fails closed: a key with an end needs
//! a publish time to be judged. Every signature present must verify (npm's rule too): one with
//! an unknown key is a failure, not something to skip.

use base64ct::{Base64, Encoding};

use crate::keys::{PublicKey, Scheme};
use crate::sigstore::npm::NpmKey;
use crate::verified::Verified;

/// The key usage of registry signatures.
pub const SIGNATURES_USAGE: &str = "npm:signatures";

/// One entry of `dist.signatures`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySignature {
    /// `keyid` (`SHA256:…`).
    pub keyid: String,
    /// `sig`: base64 of the DER signature.
    pub sig: String,
}

/// The version a registry signature is about.
#[derive(Debug, Clone, Copy)]
pub struct SignedVersion<'a> {
    /// `@scope/name` or `name`.
    pub name: &'a str,
    /// The version.
    pub version: &'a str,
    /// `dist.integrity`, exactly as the registry serves it (`sha512-…`).
    pub integrity: &'a str,
    /// When the version was published (Unix seconds; the packument's `time[version]`).
    pub published: Option<i64>,
}

impl SignedVersion<'_> {
    /// The signed message: `<name>@<version>:<integrity>`.
    pub fn message(&self) -> String {
        format!("{}@{}:{}", self.name, self.version, self.integrity)
    }
}

/// What a verified set of registry signatures vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySigned {
    /// The keys that signed, in the packument's order.
    pub keyids: Vec<String>,
}

/// Why registry signatures did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrySignatureError {
    /// The version carries no signature.
    #[error("the registry's record of the version carries no signature (dist.signatures)")]
    Missing,
    /// A signature names a key that is not pinned.
    #[error(
        "a signature names registry key `{keyid}`, which is not among the pinned {SIGNATURES_USAGE} keys"
    )]
    UnknownKey {
        /// The key id.
        keyid: String,
    },
    /// The key had expired when the version was published.
    #[error(
        "registry key `{keyid}` expired at {expired}, before the version was published ({published})"
    )]
    KeyExpired {
        /// The key id.
        keyid: String,
        /// Its end (RFC 3339).
        expired: String,
        /// The publish time (RFC 3339).
        published: String,
    },
    /// The key has an end and the publish time is unknown: its validity cannot be judged.
    #[error(
        "registry key `{keyid}` has an expiry and the registry gives no publish time for the version: its validity cannot be judged"
    )]
    PublishTimeUnknown {
        /// The key id.
        keyid: String,
    },
    /// The signature does not verify over the message.
    #[error("the signature by `{keyid}` does not verify over `{message}`: {why}")]
    Invalid {
        /// The key id.
        keyid: String,
        /// The message.
        message: String,
        /// What the verifier said.
        why: String,
    },
    /// A pinned key is unusable (not an ECDSA P-256 SubjectPublicKeyInfo).
    #[error("pinned registry key `{keyid}` is unusable: {why}")]
    BadKey {
        /// The key id.
        keyid: String,
        /// Why.
        why: String,
    },
}

impl RegistrySignatureError {
    /// `true` for [`RegistrySignatureError::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, RegistrySignatureError::Missing)
    }
}

/// Verifies every signature of `sigs` over `v` with the pinned `keys` (usage `npm:signatures`).
pub fn verify_registry_signatures(
    keys: &[NpmKey],
    v: &SignedVersion<'_>,
    sigs: &[RegistrySignature],
) -> Result<Verified<RegistrySigned>, RegistrySignatureError> {
    if sigs.is_empty() {
        return Err(RegistrySignatureError::Missing);
    }
    let message = v.message();
    for s in sigs {
        let key = keys
            .iter()
            .find(|k| k.key_id == s.keyid && k.usage == SIGNATURES_USAGE)
            .ok_or_else(|| RegistrySignatureError::UnknownKey {
                keyid: s.keyid.clone(),
            })?;
        if let Some(end) = key.end {
            let published =
                v.published
                    .ok_or_else(|| RegistrySignatureError::PublishTimeUnknown {
                        keyid: s.keyid.clone(),
                    })?;
            // npm: `publishedTime < Date.parse(expires)`.
            if published >= end {
                return Err(RegistrySignatureError::KeyExpired {
                    keyid: s.keyid.clone(),
                    expired: crate::time::format_rfc3339(end),
                    published: crate::time::format_rfc3339(published),
                });
            }
        }
        let invalid = |why: String| RegistrySignatureError::Invalid {
            keyid: s.keyid.clone(),
            message: message.clone(),
            why,
        };
        let der = Base64::decode_vec(s.sig.trim())
            .map_err(|e| invalid(format!("the signature is not base64: {e}")))?;
        let pk =
            PublicKey::from_spki_der(&key.spki).map_err(|e| RegistrySignatureError::BadKey {
                keyid: s.keyid.clone(),
                why: e.to_string(),
            })?;
        pk.verify_scheme(Scheme::EcdsaSha256, message.as_bytes(), &der)
            .map_err(|e| invalid(e.0))?;
    }
    Ok(Verified::new(RegistrySigned {
        keyids: sigs.iter().map(|s| s.keyid.clone()).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::npm::{NPM_KEYS, parse_npm_keys};

    const INTEGRITY: &str = "sha512-Z6ncsWsbHkS1g3ncMrE5L/hFQaGcozqepQL1WTb8fYpOvH8yEhGaU3w3euEzLWiHGM14h8LpW8b6Lxq1OizaJg==";
    const SIG: &str = "MEQCIEIHUSPQz2bTfzirFEiEWPtBZsgy13v72S/99EAUO8abAiBhOKC+EFxCrbLJkOQGspAYzIDqGnj8yerBLKzFgBHNtA==";
    const CURRENT: &str = "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U";
    const OLD: &str = "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA";

    fn version(v: &str, published: Option<i64>) -> SignedVersion<'_> {
        SignedVersion {
            name: "@x402/stellar",
            version: v,
            integrity: INTEGRITY,
            published,
        }
    }

    fn sig(keyid: &str) -> Vec<RegistrySignature> {
        vec![RegistrySignature {
            keyid: keyid.into(),
            sig: SIG.into(),
        }]
    }

    #[test]
    fn a_real_signature_verifies_and_its_twins_fail() {
        let keys = parse_npm_keys(NPM_KEYS.as_bytes()).unwrap();
        let ok = verify_registry_signatures(&keys, &version("2.12.0", None), &sig(CURRENT));
        assert_eq!(ok.unwrap().keyids, vec![CURRENT.to_owned()]);
        let e = verify_registry_signatures(&keys, &version("2.12.1", None), &sig(CURRENT));
        assert!(
            matches!(e, Err(RegistrySignatureError::Invalid { .. })),
            "{e:?}"
        );
        let e = verify_registry_signatures(&keys, &version("2.12.0", None), &sig("SHA256:nope"));
        assert!(matches!(e, Err(RegistrySignatureError::UnknownKey { .. })));
        let e = verify_registry_signatures(&keys, &version("2.12.0", None), &[]);
        assert!(e.unwrap_err().is_missing());
        let mut bad = sig(CURRENT);
        bad[0].sig = "not base64!".into();
        let e = verify_registry_signatures(&keys, &version("2.12.0", None), &bad);
        assert!(matches!(e, Err(RegistrySignatureError::Invalid { .. })));
        // One good and one unknown: every signature must verify.
        let mut two = sig(CURRENT);
        two.extend(sig("SHA256:other"));
        assert!(verify_registry_signatures(&keys, &version("2.12.0", None), &two).is_err());
    }

    #[test]
    fn an_expiring_key_is_judged_at_the_publish_time() {
        let keys = parse_npm_keys(NPM_KEYS.as_bytes()).unwrap();
        // The old key ends 2025-01-29: a signature claiming it needs a publish time before that.
        let e = verify_registry_signatures(&keys, &version("2.12.0", None), &sig(OLD));
        assert!(
            matches!(e, Err(RegistrySignatureError::PublishTimeUnknown { .. })),
            "{e:?}"
        );
        let late = crate::time::parse_rfc3339("2026-05-01T00:00:00Z");
        let e = verify_registry_signatures(&keys, &version("2.12.0", late), &sig(OLD));
        assert!(
            matches!(e, Err(RegistrySignatureError::KeyExpired { .. })),
            "{e:?}"
        );
        // Published before the expiry, the window passes and the signature itself is judged
        // (this one was made by the other key, so it fails on the signature).
        let early = crate::time::parse_rfc3339("2024-12-02T00:00:00Z");
        let e = verify_registry_signatures(&keys, &version("2.12.0", early), &sig(OLD));
        assert!(
            matches!(e, Err(RegistrySignatureError::Invalid { .. })),
            "{e:?}"
        );
    }
}

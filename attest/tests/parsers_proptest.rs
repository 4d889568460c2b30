//! Parsers of untrusted input never panic: DSSE envelopes, in-toto metadata, rules, keys,
//! timestamps, patterns.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use proptest::prelude::*;
use tollgate_attest::dsse::Envelope;
use tollgate_attest::intoto::{Metadata, Rule, rules::fnmatch};
use tollgate_attest::keys::{PrivateKey, PublicKey};
use tollgate_attest::time::parse_rfc3339;

const ENVELOPE: &str = r#"{"payload":"eyJfdHlwZSI6ImxpbmsifQ==","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"abc","sig":"MEUCIQ=="}]}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn envelope_and_metadata_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Envelope::parse(&bytes);
        let _ = Metadata::parse(&bytes);
    }

    #[test]
    fn mutated_envelopes_never_panic(i in 0usize..ENVELOPE.len(), c in any::<char>()) {
        let mut s: Vec<char> = ENVELOPE.chars().collect();
        s[i] = c;
        let s: String = s.into_iter().collect();
        let _ = Envelope::parse(s.as_bytes());
        let _ = Metadata::parse(s.as_bytes());
    }

    #[test]
    fn rule_parser_never_panics(parts in proptest::collection::vec("(?i)(match|with|in|from|products|materials|allow|disallow|require|create|[a-z*/.]{0,6})", 0..12)) {
        if let Ok(r) = Rule::parse(&parts) {
            // A parsed rule prints back into one that parses to the same rule.
            let again: Vec<String> = r.to_string().split(' ').map(str::to_owned).collect();
            if !parts.iter().any(|p| p.is_empty() || p.contains(' ')) {
                prop_assert_eq!(Rule::parse(&again).ok(), Some(r));
            }
        }
    }

    #[test]
    fn keys_timestamps_and_patterns_never_panic(s in ".{0,200}", t in "[0-9TZ:+.-]{0,30}", p in "[a-z*?\\[\\]!/-]{0,12}", n in "[a-z/.\\[\\]-]{0,12}") {
        let _ = PublicKey::from_pem(&s);
        let _ = PrivateKey::from_pem(&s);
        let _ = PublicKey::from_pem(&format!("-----BEGIN PUBLIC KEY-----\n{s}\n-----END PUBLIC KEY-----\n"));
        let _ = parse_rfc3339(&t);
        let _ = fnmatch(&p, &n);
    }
}

/// A real npm attestations document (`../shared/attest-vectors/slsa-verifier/npm/gha/`) and its
/// tarball's sha512: what the registry serves to `check --verify-provenance`.
fn npm_doc() -> &'static (Vec<u8>, [u8; 64]) {
    static D: std::sync::OnceLock<(Vec<u8>, [u8; 64])> = std::sync::OnceLock::new();
    D.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/attest-vectors/slsa-verifier/npm/gha");
        let doc = std::fs::read(dir.join("gundam-visor-cli-v1-tag.tgz.json")).unwrap();
        let tgz = std::fs::read(dir.join("gundam-visor-cli-v1-tag.tgz")).unwrap();
        use sha2::Digest as _;
        (doc, sha2::Sha512::digest(&tgz).into())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// An attestations document from the network, altered anywhere: never a panic, and a pass
    /// only with the signed statements unchanged (an alteration outside what is signed — spacing,
    /// a DSSE signature's unauthenticated `keyid` hint — may verify; a changed statement may not).
    #[test]
    fn mutated_npm_attestations_never_panic(i in 0usize..14_000, c in any::<char>()) {
        use tollgate_attest::sigstore::npm::{NPM_KEYS, parse_npm_keys};
        use tollgate_attest::sigstore::{NpmAttestationsVerifier, TrustRoot, Verifier};
        use tollgate_attest::slsa::StatementVerifier;
        let (doc, sha512) = npm_doc();
        let mut text = String::from_utf8(doc.clone()).unwrap();
        let at = (0..=i.min(text.len())).rev().find(|j| text.is_char_boundary(*j)).unwrap_or(0);
        text.insert(at, c);
        let keys = parse_npm_keys(NPM_KEYS.as_bytes()).unwrap();
        let v = Verifier::new(&TrustRoot::production().unwrap()).unwrap();
        let nv = NpmAttestationsVerifier::for_sha512(&v, *sha512, &keys);
        let original = nv.verify(doc).unwrap();
        if let Ok(p) = nv.verify(text.as_bytes()) {
            prop_assert!(
                p.statement == original.statement && p.npm_publish == original.npm_publish,
                "a mutation by {c:?} at {at} verified with other statements"
            );
        }
    }

    /// Registry signatures from a packument: any keyid and signature text, never a panic, and a
    /// pass only for the real one.
    #[test]
    fn registry_signatures_never_panic(keyid in ".{0,60}", sig in "[A-Za-z0-9+/=]{0,120}") {
        use tollgate_attest::registry_signature::{RegistrySignature, SignedVersion, verify_registry_signatures};
        use tollgate_attest::sigstore::npm::{NPM_KEYS, parse_npm_keys};
        let keys = parse_npm_keys(NPM_KEYS.as_bytes()).unwrap();
        let v = SignedVersion { name: "a", version: "1.0.0", integrity: "sha512-AAAA", published: None };
        let got = verify_registry_signatures(&keys, &v, &[RegistrySignature { keyid, sig }]);
        prop_assert!(got.is_err());
    }
}

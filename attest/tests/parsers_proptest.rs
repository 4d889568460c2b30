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

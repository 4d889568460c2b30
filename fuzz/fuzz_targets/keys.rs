//! Key files: PEM (SPKI, PKCS#1, certificates), DER and securesystemslib JSON keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate_attest::keys::{PublicKey, parse_sslib_key};

fuzz_target!(|data: &[u8]| {
    let _ = PublicKey::from_spki_der(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(k) = PublicKey::from_pem(text) {
            let _ = k.keyid_forms();
        }
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = parse_sslib_key(&v);
    }
});

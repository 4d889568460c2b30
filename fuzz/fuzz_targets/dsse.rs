//! DSSE envelopes: parsing hostile JSON and verifying against a fixed Ed25519 key never panics,
//! and never verifies (nobody holds the private key of the fixed key).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate_attest::dsse::{Envelope, verify};
use tollgate_attest::keys::PublicKey;

const KEY: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAZOC3b28VtBs4McrkS1G8dDArOsVfBglySG0uiw5R1ms=
-----END PUBLIC KEY-----
";

fuzz_target!(|data: &[u8]| {
    let Ok(key) = PublicKey::from_pem(KEY) else {
        return;
    };
    if let Ok(env) = Envelope::parse(data) {
        assert!(verify(&env, None, &[key], 1).is_err());
    }
});

//! `tollgate.toml`, the policy file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::decode;
use tollgate_verifier::policy::Config;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/tollgate.toml");
    let Some(text) = decode(path, data) else {
        return;
    };
    if let Err(e) = Config::parse(path, &text) {
        let msg = e.to_string();
        assert!(msg.starts_with("fuzz/tollgate.toml:"), "{msg}");
        assert!(e.line >= 1, "config error names no line: {msg}");
    }
});

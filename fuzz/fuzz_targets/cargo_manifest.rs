//! The `Cargo.toml` reader that types the edges leaving workspace members.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::decode;
use tollgate_verifier::lockfile::cargo_manifest;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/Cargo.toml");
    let Some(text) = decode(path, data) else {
        return;
    };
    match cargo_manifest::parse_manifest(path, &text, None) {
        Ok(m) => {
            let _ = m.kind_of("serde");
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz/Cargo.toml:"), "{msg}");
            assert!(e.place.as_ref().is_some_and(|p| p.line >= 1), "{msg}");
        }
    }
});

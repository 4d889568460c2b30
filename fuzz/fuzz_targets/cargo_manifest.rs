//! The `Cargo.toml` reader that types the edges leaving workspace members.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{assert_names_file_and_place, decode};
use tollgate_verifier::lockfile::cargo_manifest;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/Cargo.toml");
    let Some(text) = decode(path, data) else {
        return;
    };
    match cargo_manifest::read_manifest(path, &text) {
        Ok(m) => {
            let _ = m.kind_of("serde");
        }
        Err(e) => assert_names_file_and_place(&e, path),
    }
});

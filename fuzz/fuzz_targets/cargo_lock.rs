//! `Cargo.lock`: the fast path and the `toml` path must agree on every input.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{assert_names_file_and_place, assert_well_formed, decode, summary};
use tollgate_verifier::lockfile::cargo;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/Cargo.lock");
    let Some(text) = decode(path, data) else {
        return;
    };
    let auto = cargo::parse(path, "fuzz/Cargo.lock", &text, 0);
    let toml = cargo::parse_with_toml(path, "fuzz/Cargo.lock", &text, 0);
    assert_eq!(
        summary(&auto),
        summary(&toml),
        "fast path and toml path disagree"
    );
    match &auto {
        Ok(p) => assert_well_formed(p),
        Err(e) => assert_names_file_and_place(e, path),
    }
});

//! npm `package-lock.json` v1–v3 and `npm-shrinkwrap.json`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{assert_names_file_and_place, assert_well_formed, decode};
use tollgate_verifier::lockfile::{Format, npm};

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/package-lock.json");
    let Some(text) = decode(path, data) else {
        return;
    };
    match npm::parse(
        path,
        "fuzz/package-lock.json",
        &text,
        0,
        Format::PackageLock,
    ) {
        Ok(p) => assert_well_formed(&p),
        Err(e) => assert_names_file_and_place(&e, path),
    }
});

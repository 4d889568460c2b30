//! CycloneDX JSON SBOMs as `check --sbom` and `rescan` read them (with their VEX statements).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{assert_names_file_and_place, assert_well_formed, decode};
use tollgate_verifier::lockfile::cyclonedx;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/bom.cdx.json");
    let Some(text) = decode(path, data) else {
        return;
    };
    match cyclonedx::parse(path, "fuzz/bom.cdx.json", &text, 0) {
        Ok(p) => assert_well_formed(&p),
        Err(e) => assert_names_file_and_place(&e, path),
    }
    let _ = tollgate_verifier::vex::parse_document("fuzz/vex.json", &text);
});

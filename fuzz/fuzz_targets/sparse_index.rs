//! crates.io sparse-index files and registry `config.json` (`--verify-registry`).
//! The oracle is `verifier/tests/support/untrusted.rs`, shared with the proptests.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tollgate_fuzz::untrusted::sparse_index(data));

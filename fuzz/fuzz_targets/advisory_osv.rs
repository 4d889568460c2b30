//! OSV advisory JSON (`<ecosystem>/<id>.json`), as `db update` imports it.
//! The oracle is `verifier/tests/support/untrusted.rs`, shared with the proptests.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tollgate_fuzz::untrusted::osv(data));

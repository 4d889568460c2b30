//! What arrives inside or beside a signature: in-toto statements, SLSA provenance predicates,
//! in-toto layouts and links (Metablock or DSSE) and Fulcio certificates. Hostile input gives an
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate_attest::Statement;
use tollgate_attest::intoto::Metadata;
use tollgate_attest::slsa::{Provenance, SignerIdentity};

fuzz_target!(|data: &[u8]| {
    if let Ok(st) = Statement::parse(data) {
        if let Ok(p) = Provenance::from_statement(&st) {
            let _ = p.builder_id();
            let _ = p.source_uri();
            let _ = p.trigger_uri();
        }
    }
    let _ = Metadata::parse(data);
    let _ = SignerIdentity::from_certificate_der(data);
});

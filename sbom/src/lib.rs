//! # tollgate-sbom
//!
//! CycloneDX SBOMs from a tollgate dependency graph: [`build`] turns a
//! [`tollgate_verifier::graph::Graph`] into a [`model::Bom`] (one component per distinct package
//! URL, hashes from the lockfile, the complete dependency graph), and [`to_json`] writes it
//! byte-reproducibly: the same graph and options always give the same bytes (sorted components
//! and dependencies, a serial number derived from the content, the timestamp the caller passes —
//! `SOURCE_DATE_EPOCH` when set).
//!
//! - [`model`]: the CycloneDX 1.5/1.6 JSON subset, as typed serde structs;
//! - [`build`]: graph → BOM; [`plan`]: the BOM as a plan over the graph, materialised while
//!   it is written (what `tollgate sbom` streams); [`purl`]: component purls with registry qualifiers;
//!   [`uuid`]: content-derived serial numbers;
//! - [`sign`]: a detached signature and a DSSE/in-toto envelope over the SBOM, and their
//!   verification (what `tollgate sbom sign` / `sbom verify` run);
//! - [`vex`]: the waived findings of a gate run as a CycloneDX VEX document (`sbom vex`).

#![forbid(unsafe_code)]

pub mod build;
pub mod bundle;
mod emit;
pub mod model;
pub mod plan;
pub mod purl;
pub mod sign;
pub mod uuid;
pub mod vex;
pub mod write;

pub use build::{Options, SpecVersion, build};
pub use model::Bom;
pub use plan::Plan;
pub use write::{Written, write_json_to};

/// The CycloneDX specification version written by default.
pub const CYCLONEDX_SPEC_VERSION: &str = "1.6";

/// Why a BOM could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// `--serial-number` is not `urn:uuid:` and a lower-case UUID.
    #[error(
        "invalid serial number `{0}`: expected urn:uuid: and a lower-case UUID (urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79)"
    )]
    SerialNumber(String),
    /// Serialisation failed (not expected for these types).
    #[error("cannot serialise the SBOM: {0}")]
    Json(#[from] serde_json::Error),
    /// A broken internal assumption.
    #[error("internal error building the SBOM: {0}")]
    Internal(&'static str),
    /// The output could not be written.
    #[error("cannot write the SBOM: {0}")]
    Io(#[from] std::io::Error),
}

/// The namespace of tollgate's content-derived serial numbers (a fixed, random UUID).
pub(crate) const SERIAL_NAMESPACE: [u8; 16] = [
    0x6b, 0x1f, 0x3e, 0x52, 0x9a, 0x0c, 0x4d, 0x7e, 0xb3, 0x41, 0x25, 0x8f, 0xd6, 0x90, 0x1a, 0xc7,
];

/// The BOM as pretty-printed JSON with a final newline.
///
/// A serial number still to be derived is the UUID v5 of the document written with
/// [`model::SERIAL_PLACEHOLDER`] in its place — everything else in the document, so the same
/// inputs give the same number and any change to the content another — and replaces the
/// placeholder in the bytes and in `bom`. One serialisation, then one hash.
pub fn to_json(bom: &mut Bom) -> Result<Vec<u8>, SbomError> {
    // About 1.5 KB a component pretty-printed: one allocation instead of a doubling Vec that
    // copies the document over and over (a 100,000-package SBOM is ~150 MB).
    let mut v =
        Vec::with_capacity(4096 + 1600 * (bom.components.len() + bom.dependencies.len() / 4));
    serde_json::to_writer_pretty(&mut v, &*bom)?;
    v.push(b'\n');
    if let Some(serial) = derive_serial_in_place(&mut v, bom.derive_serial)? {
        bom.serial_number = serial;
        bom.derive_serial = false;
    }
    Ok(v)
}

/// When `derive`: the serial number of the document `v` (written with the placeholder), put in
/// the placeholder's place.
pub(crate) fn derive_serial_in_place(
    v: &mut [u8],
    derive: bool,
) -> Result<Option<String>, SbomError> {
    if !derive {
        return Ok(None);
    }
    let serial = format!("urn:uuid:{}", uuid::uuid_v5(&SERIAL_NAMESPACE, v));
    let at = placeholder_at(v)?;
    v[at..at + model::SERIAL_PLACEHOLDER.len()].copy_from_slice(serial.as_bytes());
    Ok(Some(serial))
}

/// The first bytes of a document that hold its serial number (`serialNumber` is the third
/// field: the placeholder is within the first lines).
pub(crate) const SERIAL_HEAD: usize = 256;

/// Where the serial number placeholder starts in a document (only its first
/// [`SERIAL_HEAD`] bytes are searched).
pub(crate) fn placeholder_at(doc: &[u8]) -> Result<usize, SbomError> {
    let needle = model::SERIAL_PLACEHOLDER.as_bytes();
    doc[..doc.len().min(SERIAL_HEAD)]
        .windows(needle.len())
        .position(|w| w == needle)
        .ok_or(SbomError::Internal(
            "the serial number placeholder is written",
        ))
}

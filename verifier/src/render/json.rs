//! `--format json`: the versioned report (schema: `docs/reference/report.schema.json`). The
//! wire types live in [`wire`]; this module only writes them.

pub mod wire;

use std::io::{self, Write};

use crate::report::Report;

pub use wire::REPORT_SCHEMA_VERSION;

/// Renders the report as one JSON object.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let doc = wire::JsonReport::new(r);
    // Into a local buffer first: the pretty printer writes many small pieces, and each would be
    // a dynamic call on `w`.
    let buf = serde_json::to_vec_pretty(&doc)?;
    w.write_all(&buf)?;
    writeln!(w)
}

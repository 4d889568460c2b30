//! `tollgate sbom`: the graph as a CycloneDX SBOM.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use tollgate_sbom::{Options, SpecVersion};
use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::args::InputArgs;
use crate::output::Output;

/// `tollgate sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to write the SBOM (`-`: standard output, the default).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CycloneDX version: 1.6 or 1.5.
    #[arg(long, value_name = "VERSION", default_value = "1.6", value_parser = parse_spec)]
    pub spec_version: SpecVersion,
    /// `serialNumber` (`urn:uuid:…`); default: derived from the content, so the same inputs
    /// give the same SBOM.
    #[arg(long, value_name = "URN")]
    pub serial_number: Option<String>,
    /// The project's name when the graph has several roots (a workspace, several lockfiles);
    /// default: the searched directory's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

fn parse_spec(s: &str) -> Result<SpecVersion, String> {
    SpecVersion::parse(s).ok_or_else(|| format!("unsupported CycloneDX version `{s}`: 1.6 or 1.5"))
}

/// `metadata.timestamp`: `SOURCE_DATE_EPOCH` (seconds since the epoch) when set, as
/// reproducible builds define it; else the clock.
fn timestamp() -> anyhow::Result<Timestamp> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => match v.trim().parse::<i64>() {
            Ok(secs) if (0..=253_402_300_799).contains(&secs) => Ok(Timestamp(secs)),
            _ => bail!(
                "SOURCE_DATE_EPOCH=`{v}` is not a number of seconds since 1970-01-01 (0 to 253402300799)"
            ),
        },
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("SOURCE_DATE_EPOCH is not a number of seconds since 1970-01-01")
        }
        Err(std::env::VarError::NotPresent) => Ok(crate::clock::now(None)),
    }
}

/// The searched directory's name (a lockfile's: its directory's).
fn default_name(input: &InputArgs) -> String {
    let p = input
        .path
        .clone()
        .or_else(|| input.lockfiles.first().cloned())
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = if p.is_file() {
        p.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        p
    };
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "project".to_owned())
}

/// `tollgate sbom`.
pub fn sbom(a: &SbomArgs, out: &Output) -> anyhow::Result<Outcome> {
    let config = super::check::load_config(&a.input, out)?;
    let graph = super::graph::load(&a.input, &config, out)?;
    let opts = Options {
        spec_version: a.spec_version,
        timestamp: timestamp()?,
        serial_number: a.serial_number.clone(),
        name: a.name.clone().unwrap_or_else(|| default_name(&a.input)),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let bom = tollgate_sbom::build(&graph, &opts)?;
    let bytes = tollgate_sbom::to_json(&bom)?;
    match a.output.as_deref() {
        None => {
            let mut w = crate::output::stdout();
            w.write_all(&bytes)?;
            w.flush()?;
        }
        Some(p) if p == Path::new("-") => {
            let mut w = crate::output::stdout();
            w.write_all(&bytes)?;
            w.flush()?;
        }
        Some(p) => {
            write_atomically(p, &bytes)?;
            out.info(&format!(
                "wrote {} (CycloneDX {}, {} components)",
                p.display(),
                bom.spec_version,
                bom.components.len()
            ));
        }
    }
    Ok(Outcome::Pass)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a reader (or
/// a signer) never sees half an SBOM.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("{}: cannot write: {e}", path.display())
    })
}

//! `tollgate release ARTEFACT... --key K`: what a release engineer ships beside the artefacts —
//! the SBOM, its detached signature and its envelope (the artefacts as subjects) — and the list
//! of files to upload with their digests.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::Args;
use tollgate_attest::digest::{DigestAlgorithm, digest_reader};
use tollgate_sbom::SpecVersion;

use crate::Outcome;
use crate::args::InputArgs;
use crate::output::Output;

/// `tollgate release`.
#[derive(Debug, Args)]
// `-o` is --output-dir here (as it always was): the report file has the long flag only.
#[command(mut_arg("output", |a| a.short(None)))]
pub struct ReleaseArgs {
    /// The release artefacts (tarballs, binaries): subjects of the SBOM's envelope.
    #[arg(required = true, value_name = "ARTEFACT")]
    pub artefacts: Vec<PathBuf>,
    /// Private key to sign with (PEM).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Where to write (default: the first artefact's directory).
    #[arg(short, long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// The project: a lockfile or a directory to search (default: the current directory).
    #[arg(long, value_name = "PATH")]
    pub project: Option<PathBuf>,
    /// A lockfile to read (repeatable); combines with --project.
    #[arg(long = "lockfile", value_name = "FILE")]
    pub lockfiles: Vec<PathBuf>,
    /// Policy file (default: tollgate.toml beside the project, else in the current directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The SBOM's file name (default: the first artefact's name + `.cdx.json`).
    #[arg(long, value_name = "NAME")]
    pub sbom_name: Option<String>,
    /// CycloneDX version: 1.6 or 1.5.
    #[arg(long, value_name = "VERSION", default_value = "1.6", value_parser = super::sbom::parse_spec)]
    pub spec_version: SpecVersion,
    /// Also write the SBOM's Sigstore bundle (`.sigstore.json`), as `sbom sign --bundle`.
    #[arg(long)]
    pub bundle: bool,
    /// `--output`: the list of files written and their digests.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate release`.
pub fn release(a: &ReleaseArgs, out: &Output) -> anyhow::Result<Outcome> {
    for p in &a.artefacts {
        if !p.is_file() {
            bail!("{}: not a file (release artefacts are files)", p.display());
        }
    }
    let dir = match &a.output_dir {
        Some(d) => d.clone(),
        None => a.artefacts[0]
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    if !dir.is_dir() {
        bail!("{}: not a directory", dir.display());
    }
    let name = match &a.sbom_name {
        Some(n) if n.contains('/') || n.contains('\\') || n.is_empty() || n == "." || n == ".." => {
            bail!("--sbom-name `{n}`: a file name, not a path")
        }
        Some(n) => n.clone(),
        None => format!(
            "{}.cdx.json",
            a.artefacts[0]
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "release".to_owned())
        ),
    };
    let input = InputArgs {
        path: a.project.clone(),
        lockfiles: a.lockfiles.clone(),
        max_file_size: tollgate_verifier::lockfile::DEFAULT_MAX_FILE_SIZE,
        config: a.config.clone(),
    };
    let (bytes, components) = super::sbom::sbom_bytes(&input, a.spec_version, None, None, out)?;
    let sbom = dir.join(&name);
    super::sbom::write_atomically(&sbom, &bytes)?;
    let signed = super::sbom::sign_file(&sbom, &bytes, &a.key, &a.artefacts, a.bundle)?;

    let mut w = out.report();
    writeln!(
        w,
        "wrote {} (CycloneDX {}, {components} components)",
        sbom.display(),
        a.spec_version.as_str()
    )?;
    super::sbom::print_signed(&mut w, &sbom, &signed)?;
    writeln!(w, "upload beside the artefacts:")?;
    for p in a
        .artefacts
        .iter()
        .chain([&sbom, &signed.signature, &signed.envelope])
        .chain(signed.bundle.as_ref())
    {
        let f = std::fs::File::open(p)?;
        let d = digest_reader(f, &[DigestAlgorithm::Sha256])?;
        let hex = d.first().map(|d| d.hex()).unwrap_or_default();
        writeln!(w, "  {hex}  {}", p.display())?;
    }
    w.flush()?;
    Ok(Outcome::Pass)
}

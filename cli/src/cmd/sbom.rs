//! `tollgate sbom`: the graph as a CycloneDX SBOM; `sbom sign` and `sbom verify`: its
//! detached signature and DSSE envelope (the logic is `tollgate_sbom::sign`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tollgate_attest::digest::{DigestAlgorithm, digest_reader};
use tollgate_attest::keys::Scheme;
use tollgate_sbom::sign::{self, VerifyError};
use tollgate_sbom::{Options, SpecVersion};
use tollgate_verifier::time::Timestamp;

use crate::Outcome;
use crate::args::{GlobalArgs, InputArgs, OutputFormat};
use crate::output::Output;

/// Largest SBOM, envelope or signature file read (256 MiB: an SBOM of 300,000 packages is well
/// below).
const MAX_SBOM_SIZE: usize = 256 << 20;

/// `tollgate sbom`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SbomArgs {
    /// `sign` or `verify` an SBOM; without one, write the SBOM.
    #[command(subcommand)]
    pub action: Option<SbomAction>,
    /// Writing the SBOM.
    #[command(flatten)]
    pub write: WriteArgs,
}

/// `tollgate sbom sign|verify`.
#[derive(Debug, Subcommand)]
pub enum SbomAction {
    /// Sign an SBOM: FILE.sig (detached, over the exact bytes) and FILE.intoto.jsonl (a DSSE
    /// envelope with an in-toto statement, predicate type https://cyclonedx.org/bom) beside it.
    Sign(SignArgs),
    /// Verify an SBOM's detached signature and/or envelope (those beside it, or those named):
    /// exit 0 verified, 1 not verified (naming what failed), 2 input error.
    Verify(VerifyArgs),
    /// Run the gate (as `check`) and write its waived findings as a CycloneDX VEX document:
    /// VEX waivers keep their analysis, tollgate.toml waivers are `exploitable` +
    /// `will_not_fix` with the waiver as the detail.
    Vex(VexArgs),
}

/// `tollgate sbom vex`.
#[derive(Debug, Args)]
#[command(mut_arg("output", |a| a.help(
    "Where to write the VEX document (`-`: standard output, the default); replaced whole, only \
     when the command ends with exit 0"
)))]
pub struct VexArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// A CycloneDX SBOM to check (repeatable), as `check --sbom`.
    #[arg(long = "sbom", value_name = "FILE")]
    pub sboms: Vec<PathBuf>,
    /// A CycloneDX VEX document whose statements waive findings (repeatable), as `check --vex`.
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Advisory database, as `check --db`.
    #[arg(long, value_name = "DB", env = "TOLLGATE_DB")]
    pub db: Option<PathBuf>,
    /// Evaluate waivers at this time instead of now (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
    /// `-o/--output`: the VEX document.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
    /// CycloneDX version: 1.6 or 1.5.
    #[arg(long, value_name = "VERSION", default_value = "1.6", value_parser = parse_spec)]
    pub spec_version: SpecVersion,
}

/// `tollgate sbom sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The SBOM.
    pub file: PathBuf,
    /// Private key (PEM: PKCS#8 Ed25519, ECDSA P-256/P-384, RSA; `tollgate key generate`).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// A release artefact to name as a subject of the envelope too (repeatable; SHA-256).
    #[arg(long = "subject", value_name = "FILE")]
    pub subjects: Vec<PathBuf>,
    /// Also write FILE.sigstore.json: a Sigstore bundle v0.3 (message signature, public-key
    /// hint) for `cosign verify-blob --key K.pub --bundle FILE.sigstore.json
    /// --insecure-ignore-tlog=true` (offline signing: no transparency-log entry).
    #[arg(long)]
    pub bundle: bool,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate sbom verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The SBOM.
    pub file: PathBuf,
    /// Public key (PEM).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The detached signature (default: FILE.sig, when it exists).
    #[arg(long, value_name = "FILE")]
    pub signature: Option<PathBuf>,
    /// The envelope (default: FILE.intoto.jsonl, when it exists).
    #[arg(long, value_name = "FILE")]
    pub envelope: Option<PathBuf>,
    /// The Sigstore bundle (default: FILE.sigstore.json, when it exists).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Receipts: `--attest-result`, `--audit-log`, `--attest-key`.
    #[command(flatten)]
    pub receipts: super::evidence::VerifyEvidenceArgs,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// Writing the SBOM.
#[derive(Debug, Args)]
#[command(mut_arg("output", |a| a.help(
    "Where to write the SBOM (`-`: standard output, the default); replaced whole, only when the \
     command ends with exit 0"
)))]
pub struct WriteArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// `-o/--output`: the SBOM.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
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

/// The clap value parser of `--spec-version`.
pub fn parse_spec(s: &str) -> Result<SpecVersion, String> {
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

/// Reads a file of at most [`MAX_SBOM_SIZE`] bytes, naming it on error.
fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    tollgate_attest::capped::read_capped(f, MAX_SBOM_SIZE as u64)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// `FILE` + `suffix` (`bom.cdx.json` → `bom.cdx.json.sig`).
fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The off-the-shelf command that checks a detached signature of `scheme`.
fn openssl_command(scheme: Scheme, key: &str, sig: &Path, file: &Path) -> String {
    let (sig, file) = (sig.display(), file.display());
    match scheme {
        Scheme::Ed25519 => {
            format!("openssl pkeyutl -verify -pubin -inkey {key} -rawin -in {file} -sigfile {sig}")
        }
        Scheme::EcdsaSha384 => {
            format!("openssl dgst -sha384 -verify {key} -signature {sig} {file}")
        }
        Scheme::EcdsaSha512 => {
            format!("openssl dgst -sha512 -verify {key} -signature {sig} {file}")
        }
        _ => format!("openssl dgst -sha256 -verify {key} -signature {sig} {file}"),
    }
}

/// What [`sign_file`] wrote.
pub struct SignedFiles {
    /// `FILE.sig`.
    pub signature: PathBuf,
    /// `FILE.intoto.jsonl`.
    pub envelope: PathBuf,
    /// `FILE.sigstore.json`, when asked for.
    pub bundle: Option<PathBuf>,
    /// The detached signature's scheme.
    pub scheme: Scheme,
    /// The signing key's id.
    pub keyid: String,
    /// Subjects of the envelope.
    pub subjects: usize,
}

/// Signs the SBOM `bytes` of `file` with the key at `key` (artefacts as extra subjects) and
/// writes `FILE.sig` and `FILE.intoto.jsonl` beside it.
pub fn sign_file(
    file: &Path,
    bytes: &[u8],
    key: &Path,
    subjects: &[PathBuf],
    with_bundle: bool,
) -> anyhow::Result<SignedFiles> {
    let key = super::key::read_private_key(key)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut artefacts = Vec::new();
    for p in subjects {
        let f = std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
        let d = digest_reader(f, &[DigestAlgorithm::Sha256])
            .with_context(|| format!("cannot hash {}", p.display()))?;
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        artefacts.extend(d.into_iter().map(|d| (n.clone(), d)));
    }
    let signed = sign::sign(bytes, &name, &key, &artefacts)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let files = SignedFiles {
        signature: beside(file, ".sig"),
        envelope: beside(file, ".intoto.jsonl"),
        bundle: with_bundle.then(|| beside(file, ".sigstore.json")),
        scheme: signed.scheme,
        keyid: signed.keyid,
        subjects: 1 + artefacts.len(),
    };
    write_atomically(&files.signature, &signed.signature)?;
    write_atomically(&files.envelope, &signed.envelope)?;
    if let Some(p) = &files.bundle {
        let b = tollgate_sbom::bundle::bundle(bytes, &key, &signed.signature)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        write_atomically(p, &b)?;
    }
    Ok(files)
}

/// Prints what [`sign_file`] wrote and the openssl command that checks it.
pub fn print_signed(w: &mut dyn Write, file: &Path, s: &SignedFiles) -> anyhow::Result<()> {
    writeln!(
        w,
        "wrote {} ({}, key {})",
        s.signature.display(),
        s.scheme.sslib_name(),
        s.keyid
    )?;
    writeln!(
        w,
        "wrote {} (in-toto statement, {} subject(s))",
        s.envelope.display(),
        s.subjects
    )?;
    if let Some(b) = &s.bundle {
        writeln!(
            w,
            "wrote {} (Sigstore bundle v0.3, public-key hint, no transparency-log entry)",
            b.display()
        )?;
    }
    writeln!(
        w,
        "verify with: {}",
        openssl_command(s.scheme, "KEY.pub", &s.signature, file)
    )?;
    if let Some(b) = &s.bundle {
        writeln!(
            w,
            "         or: cosign verify-blob --key KEY.pub --bundle {} --insecure-ignore-tlog=true {}",
            b.display(),
            file.display()
        )?;
    }
    Ok(())
}

/// `tollgate sbom sign FILE --key K`.
fn sign_cmd(a: &SignArgs, out: &Output) -> anyhow::Result<Outcome> {
    let bytes = read(&a.file)?;
    let s = sign_file(&a.file, &bytes, &a.key, &a.subjects, a.bundle)?;
    // What was written and how an auditor checks it: the command's report.
    let mut w = out.report();
    print_signed(&mut w, &a.file, &s)?;
    w.flush()?;
    Ok(Outcome::Pass)
}

/// `tollgate sbom verify FILE --key K.pub`, with its receipts when asked.
fn verify_cmd(a: &VerifyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    super::evidence::with_receipts(
        &a.receipts,
        || verify_scope(a),
        || verify_files(a, g, out),
        out,
    )
}

/// What `sbom verify` checks, for its receipts: the SBOM, its signature, envelope and bundle.
fn verify_scope(a: &VerifyArgs) -> anyhow::Result<super::evidence::VerifyScope> {
    let mut subjects = vec![a.file.clone()];
    for (given, suffix) in [
        (&a.signature, ".sig"),
        (&a.envelope, ".intoto.jsonl"),
        (&a.bundle, ".sigstore.json"),
    ] {
        match given {
            Some(p) => subjects.push(p.clone()),
            None => {
                let p = beside(&a.file, suffix);
                if p.is_file() {
                    subjects.push(p);
                }
            }
        }
    }
    Ok(super::evidence::VerifyScope {
        command: "sbom verify",
        subjects,
        policy_file: None,
        expected: serde_json::json!({"key": super::evidence::key_digest(&a.key)?}),
    })
}

/// `tollgate sbom verify`: the signature and the envelope checked against the SBOM.
fn verify_files(a: &VerifyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let key = super::key::read_public_key(&a.key)?;
    let bytes = read(&a.file)?;
    let pick = |given: &Option<PathBuf>, suffix: &str| -> anyhow::Result<Option<PathBuf>> {
        match given {
            Some(p) => Ok(Some(p.clone())),
            None => {
                let p = beside(&a.file, suffix);
                Ok(p.is_file().then_some(p))
            }
        }
    };
    let sig_path = pick(&a.signature, ".sig")?;
    let env_path = pick(&a.envelope, ".intoto.jsonl")?;
    let bundle_path = pick(&a.bundle, ".sigstore.json")?;
    if sig_path.is_none() && env_path.is_none() && bundle_path.is_none() {
        bail!(
            "{}: nothing to verify: none of {}, {}, {} exists (or name one with --signature / --envelope / --bundle)",
            a.file.display(),
            beside(&a.file, ".sig").display(),
            beside(&a.file, ".intoto.jsonl").display(),
            beside(&a.file, ".sigstore.json").display()
        );
    }
    let mut checks: Vec<crate::json::SbomCheck> = Vec::new();
    if let Some(p) = &sig_path {
        let sig = read(p)?;
        let r = sign::verify_signature(&bytes, &sig, &key);
        checks.push(check_result("signature", p, r.map(|()| Vec::new())));
    }
    if let Some(p) = &env_path {
        let env = read(p)?;
        let r = sign::verify_envelope(&bytes, &env, &key);
        checks.push(check_result("envelope", p, r));
    }
    if let Some(p) = &bundle_path {
        let b = read(p)?;
        let r = tollgate_sbom::bundle::verify_bundle(&bytes, &b, &key);
        checks.push(check_result("bundle", p, r.map(|_| Vec::new())));
    }
    let verified = checks.iter().all(|c| c.verified);
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => crate::json::write(
            &mut w,
            &crate::json::SbomVerify {
                schema_version: crate::json::SCHEMA_VERSION,
                verified,
                file: a.file.display().to_string(),
                keyid: key.keyid(),
                checks,
            },
        )?,
        OutputFormat::Human => {
            for c in &checks {
                if c.verified {
                    writeln!(w, "verified: {} {}", c.evidence, c.file)?;
                    for s in &c.subjects {
                        writeln!(w, "  subject {} {}", s.name, s.digests.join(","))?;
                    }
                } else {
                    let mut err = std::io::stderr().lock();
                    writeln!(
                        err,
                        "{} {}: {}",
                        out.err_style.red("not verified:"),
                        c.file,
                        c.error.as_deref().unwrap_or("")
                    )?;
                }
            }
        }
        other => bail!("`sbom verify` supports --format human or json, not {other}"),
    }
    Ok(if verified {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

fn check_result(
    evidence: &'static str,
    file: &Path,
    r: Result<Vec<(String, Vec<String>)>, VerifyError>,
) -> crate::json::SbomCheck {
    match r {
        Ok(subjects) => crate::json::SbomCheck {
            evidence,
            file: file.display().to_string(),
            verified: true,
            check: None,
            error: None,
            subjects: subjects
                .into_iter()
                .map(|(name, digests)| crate::json::SbomSubject { name, digests })
                .collect(),
        },
        Err(e) => crate::json::SbomCheck {
            evidence,
            file: file.display().to_string(),
            verified: false,
            check: Some(e.check()),
            error: Some(e.to_string()),
            subjects: Vec::new(),
        },
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

/// `tollgate sbom …`.
pub fn run(a: &SbomArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    match &a.action {
        None => write(&a.write, out),
        Some(SbomAction::Sign(s)) => sign_cmd(s, out),
        Some(SbomAction::Verify(v)) => verify_cmd(v, g, out),
        Some(SbomAction::Vex(v)) => vex_cmd(v, out),
    }
}

/// `tollgate sbom vex`: the gate's run (the same `gate::check` as `tollgate check`), then its
/// waived findings through `tollgate_sbom::vex`.
fn vex_cmd(a: &VexArgs, out: &Output) -> anyhow::Result<Outcome> {
    let config = super::check::load_config(&a.input, out)?;
    let input = tollgate_verifier::gate::CheckInput {
        path: a.input.path.clone(),
        lockfiles: a.input.lockfiles.clone(),
        sboms: a.sboms.clone(),
        max_file_size: a.input.max_file_size,
        config,
        db: a.db.clone(),
        allow_empty_db: false,
        max_db_age_days: None,
        fail_on_stale_db: false,
        registry: None,
        provenance: Default::default(),
        consumed_nonces: None,
        vex: a.vex.clone(),
    };
    let now = crate::clock::now(a.now);
    let run = tollgate_verifier::gate::check(
        &input,
        &|k: &str| std::env::var(k).ok(),
        &tollgate_verifier::registry::NoProgress,
        now,
    )?;
    let mut doc = tollgate_sbom::vex::export(
        &run.report,
        a.spec_version,
        timestamp()?,
        env!("CARGO_PKG_VERSION"),
    );
    let bytes = tollgate_sbom::vex::to_json(&mut doc)?;
    let mut w = out.report();
    w.write_all(&bytes)?;
    w.flush()?;
    if let Some(p) = out.report_file() {
        out.info(&format!(
            "wrote {} ({} statement(s) of {} waived finding(s))",
            p.display(),
            doc.vulnerabilities.len(),
            run.report.summary.waived
        ));
    }
    Ok(Outcome::Pass)
}

/// The SBOM of the graph named by `input`, as bytes, with its component count.
pub fn sbom_bytes(
    input: &InputArgs,
    spec_version: SpecVersion,
    serial_number: Option<String>,
    name: Option<String>,
    out: &Output,
) -> anyhow::Result<(Vec<u8>, usize)> {
    with_plan(input, spec_version, serial_number, name, out, |plan| {
        let (bytes, _serial) = plan.to_json()?;
        Ok((bytes, plan.components_len()))
    })
}

/// Runs `f` on the BOM plan of the graph named by `input`.
fn with_plan<T>(
    input: &InputArgs,
    spec_version: SpecVersion,
    serial_number: Option<String>,
    name: Option<String>,
    out: &Output,
    f: impl FnOnce(&tollgate_sbom::Plan<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let config = super::check::load_config(input, out)?;
    let graph = super::graph::load(input, &config, out)?;
    let opts = Options {
        spec_version,
        timestamp: timestamp()?,
        serial_number,
        name: name.unwrap_or_else(|| default_name(input)),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let plan = tollgate_sbom::Plan::new(&graph, &opts)?;
    let r = f(&plan);
    // The graph and the plan are hundreds of thousands of small allocations that the process
    // is about to return to the OS anyway: freeing them one by one was a fifth of the run on a
    // 100,000-package lock. Only their memory is leaked (no file handles, no locks), once per
    // process.
    std::mem::forget(plan);
    std::mem::forget(graph);
    r
}

/// `tollgate sbom [PATH] -o FILE`.
fn write(a: &WriteArgs, out: &Output) -> anyhow::Result<Outcome> {
    let Some(p) = out.report_file() else {
        let (bytes, _) = sbom_bytes(
            &a.input,
            a.spec_version,
            a.serial_number.clone(),
            a.name.clone(),
            out,
        )?;
        let mut w = out.report();
        w.write_all(&bytes)?;
        w.flush()?;
        return Ok(Outcome::Pass);
    };
    // Streamed to the report file (renamed over FILE when the command ends): the document is
    // never held in memory whole, nor the BOM beside the graph.
    let components = with_plan(
        &a.input,
        a.spec_version,
        a.serial_number.clone(),
        a.name.clone(),
        out,
        |plan| {
            plan.write_json_to(out.report())?;
            Ok(plan.components_len())
        },
    )?;
    out.info(&format!(
        "wrote {} (CycloneDX {}, {} components)",
        p.display(),
        a.spec_version.as_str(),
        components,
    ));
    Ok(Outcome::Pass)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a reader (or
/// a signer) never sees half an SBOM.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_file_atomically(path, |f| f.write_all(bytes))
}

/// [`write_atomically`] with the content written by `fill` (synced before the rename).
pub fn write_file_atomically(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> anyhow::Result<()> {
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
        fill(&mut f)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("{}: cannot write: {e}", path.display())
    })
}

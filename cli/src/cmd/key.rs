//! `tollgate key generate | id`: signing keys. Logic lives in `tollgate_attest::keys`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey, PublicKey, sigstore_hint};

use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// `tollgate key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The key command.
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// Key commands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair: NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM).
    Generate(GenerateArgs),
    /// Print the ids of a public (or private) key: securesystemslib keyids and Sigstore hints.
    Id(IdArgs),
}

/// Algorithms offered by `key generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Algorithm {
    /// Ed25519.
    Ed25519,
    /// ECDSA on NIST P-256 (SHA-256).
    EcdsaP256,
    /// ECDSA on NIST P-384 (SHA-384).
    EcdsaP384,
    /// RSA 3072 bits (RSASSA-PSS, SHA-256).
    #[value(name = "rsa-3072")]
    Rsa3072,
}

/// `tollgate key generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = Algorithm::Ed25519)]
    pub algorithm: Algorithm,
    /// Where the key pair goes: writes NAME.key and NAME.pub (cosign's name for it; `--out`
    /// works too). The report, if asked for, goes to -o/--output.
    #[arg(long = "output-key-prefix", visible_alias = "out", value_name = "NAME")]
    pub out: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// `tollgate key id`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// A PEM key (public, private or certificate).
    #[arg(value_name = "KEY")]
    pub key: PathBuf,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

/// Runs a `key` command.
pub fn run(a: &KeyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    // --format is checked before anything is written (`cmd::run`).
    match &a.command {
        KeyCommand::Generate(a) => generate(a, g, out),
        KeyCommand::Id(a) => id(a, g, out),
    }
}

fn with_ext(p: &Path, ext: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

fn write_new(path: &Path, data: &str, mode: u32, force: bool) -> anyhow::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = o
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        // An overwritten file keeps its old mode: set it explicitly.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    }
    f.write_all(data.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn generate(a: &GenerateArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let key_path = with_ext(&a.out, ".key");
    let pub_path = with_ext(&a.out, ".pub");
    if !a.force {
        for p in [&key_path, &pub_path] {
            if p.exists() {
                bail!("{} already exists (use --force to overwrite)", p.display());
            }
        }
    }
    let alg = match a.algorithm {
        Algorithm::Ed25519 => GenerateAlgorithm::Ed25519,
        Algorithm::EcdsaP256 => GenerateAlgorithm::EcdsaP256,
        Algorithm::EcdsaP384 => GenerateAlgorithm::EcdsaP384,
        Algorithm::Rsa3072 => GenerateAlgorithm::Rsa3072,
    };
    let key = PrivateKey::generate(alg).context("key generation failed")?;
    write_new(&key_path, &key.to_pkcs8_pem()?, 0o600, a.force)?;
    write_new(&pub_path, &key.public_key().to_pem(), 0o644, a.force)?;
    out.info(&format!(
        "wrote {} and {}",
        key_path.display(),
        pub_path.display()
    ));
    print_ids(key.public_key(), g, Some((&key_path, &pub_path)), out)?;
    Ok(Outcome::Pass)
}

fn id(a: &IdArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let text = read_small(&a.key)?;
    let key = match PublicKey::from_pem(&text) {
        Ok(k) => k,
        Err(pub_err) => match PrivateKey::from_pem(&text) {
            Ok(k) => k.public_key().clone(),
            Err(_) => bail!("{}: cannot load the key: {pub_err}", a.key.display()),
        },
    };
    print_ids(&key, g, None, out)?;
    Ok(Outcome::Pass)
}

fn print_ids(
    key: &PublicKey,
    g: &GlobalArgs,
    files: Option<(&Path, &Path)>,
    out: &Output,
) -> anyhow::Result<()> {
    let forms = key.keyid_forms();
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => {
            let v = json::KeyIds {
                schema_version: json::SCHEMA_VERSION,
                algorithm: key.algorithm().to_string(),
                keyid: key.keyid(),
                keyids: &forms.sslib,
                sigstore_hint: sigstore_hint(key),
                spki_sha256: &forms.spki_sha256_hex,
                private_key: files.map(|(k, _)| k.display().to_string()),
                public_key: files.map(|(_, p)| p.display().to_string()),
            };
            json::write(&mut w, &v)?;
        }
        OutputFormat::Human => {
            if let Some((k, p)) = files {
                writeln!(
                    w,
                    "wrote {} (private, mode 0600) and {}",
                    k.display(),
                    p.display()
                )?;
            }
            writeln!(w, "algorithm:     {}", key.algorithm())?;
            writeln!(w, "keyid:         {}", key.keyid())?;
            writeln!(w, "sigstore hint: {}", sigstore_hint(key))?;
        }
        _ => bail!("`key` supports --format human or json"),
    }
    Ok(())
}

/// Reads a PEM public key file (SPKI, PKCS#1 or certificate), naming the file on error.
pub fn read_public_key(path: &Path) -> anyhow::Result<PublicKey> {
    let text = read_small(path)?;
    PublicKey::from_pem(&text)
        .with_context(|| format!("{}: cannot load the public key", path.display()))
}

/// Reads a PEM private key file, naming the file on error.
pub fn read_private_key(path: &Path) -> anyhow::Result<PrivateKey> {
    let text = read_small(path)?;
    PrivateKey::from_pem(&text)
        .with_context(|| format!("{}: cannot load the private key", path.display()))
}

/// Reads a key file (at most 1 MiB).
fn read_small(path: &Path) -> anyhow::Result<String> {
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes = tollgate_attest::capped::read_capped(f, 1 << 20)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("cannot read {} (not UTF-8 text)", path.display()))
}

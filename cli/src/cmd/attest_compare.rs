//! `tollgate attest compare A B`: two independent builds compared subject by subject (files,
//! directories, or the subjects of an in-toto statement); exit 1 on any difference; with `--key`
//! a signed in-toto statement of the result. Logic lives in `tollgate_attest::compare`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;
use tollgate_attest::compare::{self, Entry, Outcome as Cmp, Side};
use tollgate_attest::dsse::{self, Envelope, MAX_ENVELOPE_SIZE};
use tollgate_attest::{DigestSet, PublicKey, Statement};
use tollgate_verifier::time::Timestamp;

use super::attest::read_capped;
use super::key::{read_private_key, read_public_key};
use crate::Outcome;
use crate::args::{GlobalArgs, OutputFormat};
use crate::json;
use crate::output::Output;

/// `tollgate attest compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first build: a directory, a file, or an in-toto statement / DSSE envelope.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second build.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Compare JSON files as files, not as the statements they hold.
    #[arg(long)]
    pub as_files: bool,
    /// Verify DSSE envelopes among A and B with this public key before reading their subjects.
    #[arg(long, value_name = "KEY.pub")]
    pub public_key: Option<PathBuf>,
    /// Sign an in-toto statement of the result with this private key.
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Where the signed statement goes (default: tollgate.compare.intoto.jsonl).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub attest_out: Option<PathBuf>,
    /// The comparison's time in the statement instead of now.
    #[arg(long, value_name = "TIME", env = "TOLLGATE_NOW", value_parser = crate::clock::parse_now)]
    pub now: Option<Timestamp>,
    /// `-o/--output`.
    #[command(flatten)]
    pub report: crate::args::ReportArgs,
}

#[derive(Serialize)]
struct Compared<'a> {
    schema_version: u32,
    reproducible: bool,
    a: String,
    b: String,
    subjects: Vec<SubjectDoc<'a>>,
}

#[derive(Serialize)]
struct SubjectDoc<'a> {
    name: &'a str,
    result: &'static str,
    a: Option<&'a std::collections::BTreeMap<String, String>>,
    b: Option<&'a std::collections::BTreeMap<String, String>>,
}

fn load(path: &Path, a: &CompareArgs, key: Option<&PublicKey>) -> anyhow::Result<Side> {
    let meta = std::fs::symlink_metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_file() && !a.as_files && meta.len() <= MAX_ENVELOPE_SIZE as u64 {
        let bytes = read_capped(path, MAX_ENVELOPE_SIZE)?;
        let text = bytes.trim_ascii();
        if let Ok(v) = tollgate_attest::json::parse_strict(text) {
            let payload = if v.get("payloadType").is_some() {
                let env = Envelope::parse(text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let Some(k) = key else {
                    bail!(
                        "{}: a DSSE envelope: pass --public-key to verify it before its subjects are compared (or --as-files)",
                        path.display()
                    );
                };
                match dsse::verify(&env, None, std::slice::from_ref(k), 1) {
                    Ok(p) => Some(p.into_inner()),
                    Err(e) => bail!("{}: the envelope does not verify: {e}", path.display()),
                }
            } else if v.get("_type").is_some() {
                Some(text.to_vec())
            } else {
                None
            };
            if let Some(p) = payload {
                let st = Statement::parse(&p).map_err(|e| {
                    anyhow::anyhow!("{}: not an in-toto statement: {e}", path.display())
                })?;
                return Side::from_statement(&st)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
            }
        }
    }
    Ok(Side::from_path(path)?)
}

fn short(d: &Option<DigestSet>) -> String {
    d.as_ref()
        .and_then(|d| d.entries().iter().next().map(|(k, v)| format!("{k}:{v}")))
        .unwrap_or_else(|| "-".into())
}

/// `tollgate attest compare`.
pub fn run(a: &CompareArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let public = a.public_key.as_deref().map(read_public_key).transpose()?;
    let signer = a.key.as_deref().map(read_private_key).transpose()?;
    let side_a = load(&a.a, a, public.as_ref())?;
    let side_b = load(&a.b, a, public.as_ref())?;
    let entries: Vec<Entry> = compare::compare(&side_a, &side_b);
    let reproducible = !entries.is_empty() && entries.iter().all(|e| e.outcome == Cmp::Match);
    let (sa, sb) = (a.a.display().to_string(), a.b.display().to_string());
    if let Some(k) = &signer {
        let time = crate::clock::now(a.now).rfc3339();
        let st = compare::statement(&entries, &sa, &sb, &time);
        let env = Envelope::sign(
            "application/vnd.in-toto+json",
            serde_json::to_vec(&st)?,
            &[k],
        )?;
        let path = a
            .attest_out
            .clone()
            .unwrap_or_else(|| PathBuf::from("tollgate.compare.intoto.jsonl"));
        let mut line = serde_json::to_vec(&env.to_json())?;
        line.push(b'\n');
        std::fs::write(&path, line).with_context(|| format!("cannot write {}", path.display()))?;
        out.info(&format!(
            "wrote the signed comparison to {}",
            path.display()
        ));
    }
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => {
            let doc = Compared {
                schema_version: json::SCHEMA_VERSION,
                reproducible,
                a: sa,
                b: sb,
                subjects: entries
                    .iter()
                    .map(|e| SubjectDoc {
                        name: &e.name,
                        result: e.outcome.as_str(),
                        a: e.a.as_ref().map(DigestSet::entries),
                        b: e.b.as_ref().map(DigestSet::entries),
                    })
                    .collect(),
            };
            json::write(&mut w, &doc)?;
        }
        _ => {
            for e in &entries {
                match e.outcome {
                    Cmp::Match => writeln!(w, "match      {}  {}", e.name, short(&e.a))?,
                    Cmp::Mismatch => writeln!(
                        w,
                        "MISMATCH   {}  A {}  B {}",
                        e.name,
                        short(&e.a),
                        short(&e.b)
                    )?,
                    Cmp::OnlyInA => writeln!(w, "ONLY IN A  {}  {}", e.name, short(&e.a))?,
                    Cmp::OnlyInB => writeln!(w, "ONLY IN B  {}  {}", e.name, short(&e.b))?,
                }
            }
            let n = entries.iter().filter(|e| e.outcome == Cmp::Match).count();
            writeln!(
                w,
                "{sa} vs {sb}: {n} of {} subject(s) match: {}",
                entries.len(),
                if reproducible {
                    "REPRODUCIBLE"
                } else {
                    "NOT REPRODUCIBLE"
                }
            )?;
        }
    }
    w.flush()?;
    Ok(if reproducible {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

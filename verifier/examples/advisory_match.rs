//! Loads lockfiles and an advisory database and prints the advisory findings, one per line
//! (`kind<TAB>ids<TAB>name@version<TAB>severity<TAB>fix`), or, with `--json`, the JSON report
//! (`check --format json`) of those findings under the default policy.
//! Used by `bench/differential-cargo-audit.sh` and `bench/advisory-timing.sh`.
//!
//! `cargo run --release -p tollgate-verifier --example advisory_match -- [--json] [--db DB] LOCKFILE...`

// Measurement and demonstration code: a failure may panic (the workspace denies it elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tollgate_verifier::advisory;
use tollgate_verifier::finding::FixHint;

fn main() -> ExitCode {
    let mut db: Option<PathBuf> = None;
    let mut json = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => db = args.next().map(PathBuf::from),
            "--json" => json = true,
            _ => files.push(PathBuf::from(a)),
        }
    }
    let now = tollgate_verifier::time::Timestamp::now();
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let timing = std::env::var_os("TOLLGATE_TIMING").is_some();
        let t0 = std::time::Instant::now();
        let graph = tollgate_verifier::load_graph(&files, &Default::default())?;
        let t1 = std::time::Instant::now();
        let db = advisory::open_or_embedded(db.as_deref(), now)?;
        let t2 = std::time::Instant::now();
        let findings = advisory::match_graph(&db, &graph)?;
        let t3 = std::time::Instant::now();
        if timing {
            eprintln!(
                "graph {:?}  open db {:?}  match {:?}  ({} packages, {} findings)",
                t1 - t0,
                t2 - t1,
                t3 - t2,
                graph.len(),
                findings.len()
            );
        }
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        if json {
            let config = tollgate_verifier::policy::Config::default();
            let now = tollgate_verifier::time::Timestamp::now();
            let report = tollgate_verifier::policy::evaluate(&config, findings, now);
            tollgate_verifier::render::json::render(&report, &mut w)?;
            return Ok(w.flush()?);
        }
        for f in &findings {
            let p = f
                .package
                .as_ref()
                .map(|p| format!("{}@{}", p.name, p.version));
            let fix = match &f.fix {
                Some(FixHint::Upgrade { to }) => format!("upgrade to {to}"),
                Some(FixHint::NoFix) => "no fix".into(),
                _ => String::new(),
            };
            writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}",
                f.code.kind(),
                f.ids.join(","),
                p.unwrap_or_default(),
                f.severity,
                fix
            )?;
        }
        Ok(w.flush()?)
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

//! Inspections: commands the layout asks the verifier to run.
//!
//! They run only when the caller opts in. The reference tools run them in the verifier's
//! working directory (normally the link directory, next to the final product); we run them in a
//! fresh temporary directory holding a *copy* of the link directory's regular files (symlinks
//! are not followed), so an inspection cannot change the caller's files. Materials are recorded
//! before the command, products after, as SHA-256 of every file there, excluding the reference's
//! default patterns `*.link*`, `.git`, `*.pyc`, `*~`. The command runs without a shell, with a
//! time limit; a non-zero exit fails the inspection.
//!
//! The time limit covers everything the command starts ([`crate::process::run`]): it runs in its
//! own process group, its output counts as complete only when its pipes close (a background
//! child holding them keeps the inspection running), and at the deadline the whole group is
//! killed and the inspection fails. When it finishes in time, whatever is left of its group is
//! killed too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use super::model::{Artifacts, HashObj, Inspection, Link};
use super::rules::fnmatch;
use crate::digest::{DigestAlgorithm, digest_reader};
use crate::process::RunError;

/// Most output kept per stream.
const MAX_OUTPUT: u64 = 1 << 20;
/// Deepest directory level copied or recorded.
const MAX_DEPTH: usize = 32;

/// The scratch directory inspections run in.
pub(crate) struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// Creates the directory and copies `link_dir` into it (at most `max_bytes`).
    pub(crate) fn new(link_dir: &Path, max_bytes: u64) -> Result<Scratch, String> {
        let dir = tempfile::Builder::new()
            .prefix("tollgate-inspect-")
            .tempdir()
            .map_err(|e| format!("cannot create a scratch directory: {e}"))?;
        let mut budget = max_bytes;
        copy_dir(link_dir, dir.path(), &mut budget, 0)?;
        Ok(Scratch { dir })
    }

    /// Runs one inspection and returns its link.
    pub(crate) fn run(&self, insp: &Inspection, timeout: Duration) -> Result<Link, String> {
        let Some((prog, args)) = insp.run.split_first() else {
            return Err("`run` is empty".into());
        };
        let materials = record(self.dir.path())?;
        let mut cmd = Command::new(prog);
        cmd.args(args).current_dir(self.dir.path());
        let timed_out = || format!("{:?} did not finish within {timeout:?}", insp.run);
        let finished = crate::process::run(&mut cmd, timeout, MAX_OUTPUT).map_err(|e| match e {
            RunError::TimedOut(_) => timed_out(),
            RunError::OutputHeldOpen(_) => format!(
                "{} (processes it started kept its output open)",
                timed_out()
            ),
            RunError::Wait(e) => format!("waiting for {:?}: {e}", insp.run),
            e @ (RunError::NotFound | RunError::Spawn(_)) => {
                format!("cannot run {:?}: {e}", insp.run)
            }
        })?;
        let status = finished.status;
        let stdout = String::from_utf8_lossy(&finished.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&finished.stderr).into_owned();
        let code = status.code();
        if code != Some(0) {
            return Err(format!(
                "{:?} exited with {} (stderr: {})",
                insp.run,
                code.map_or_else(|| "a signal".to_owned(), |c| c.to_string()),
                stderr.trim()
            ));
        }
        let products = record(self.dir.path())?;
        Ok(Link {
            name: insp.name.clone(),
            materials,
            products,
            command: insp.run.clone(),
            byproducts: json!({"return-value": code, "stdout": stdout, "stderr": stderr}),
        })
    }
}

fn copy_dir(from: &Path, to: &Path, budget: &mut u64, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let rd = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for e in rd {
        let e = e.map_err(|e| format!("{}: {e}", from.display()))?;
        let ft = e
            .file_type()
            .map_err(|err| format!("{}: {err}", e.path().display()))?;
        let src = e.path();
        let dst = to.join(e.file_name());
        if ft.is_dir() {
            std::fs::create_dir(&dst).map_err(|e| format!("{}: {e}", dst.display()))?;
            copy_dir(&src, &dst, budget, depth + 1)?;
        } else if ft.is_file() {
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            if len > *budget {
                return Err(format!(
                    "the link directory holds more than the copy limit for inspections (at {})",
                    src.display()
                ));
            }
            *budget -= len;
            std::fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}

fn excluded(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    rel.split('/').any(|c| c == ".git")
        || ["*.link*", "*.pyc", "*~"].iter().any(|p| fnmatch(p, name))
}

/// SHA-256 of every regular file under `root`, by relative path with `/` separators.
fn record(root: &Path) -> Result<Artifacts, String> {
    let mut out = Artifacts::new();
    let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_owned(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in rd.filter_map(Result::ok) {
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            let Ok(rel) = p.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if excluded(&rel) {
                continue;
            }
            if ft.is_dir() && depth < MAX_DEPTH {
                stack.push((p, depth + 1));
            } else if ft.is_file() {
                let f = std::fs::File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                let d = digest_reader(f, &[DigestAlgorithm::Sha256])
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                let mut h = HashObj::new();
                for x in d {
                    h.insert(x.algorithm.name().to_owned(), x.hex());
                }
                out.insert(rel, h);
            }
        }
    }
    Ok(out)
}

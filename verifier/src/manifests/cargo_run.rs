//! Asking cargo itself: `cargo metadata --locked --offline --format-version 1`.
//!
//! The output is parsed with serde into the one field we read rather than with the
//! `cargo_metadata` crate: that crate turns on serde_json's `unbounded_depth` feature, which
//! would apply to every JSON document tollgate parses (hostile lockfiles included) and trade a
//! clean error for a stack overflow on deep nesting.
//!
//! The checked repository is not trusted: cargo runs from a neutral directory (so that neither a
//! `rust-toolchain.toml` of the repository, which can name a toolchain *path*, nor its
//! `.cargo/config.toml`, which can name a `rustc` wrapper, takes effect), with wrappers
//! disabled, offline, without toolchain auto-install, and under a time limit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tollgate_attest::process::{self, Finished, RunError};

use super::CargoVerdict;

/// Longest a `cargo metadata` run may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Largest output read from cargo (metadata of a big workspace is a few MiB).
const MAX_OUTPUT: u64 = 256 * 1024 * 1024;

/// What cargo prints when `--locked` forbids the change the resolution needs.
const LOCKED_REFUSAL: &str = "--locked was passed to prevent this";

/// Runs `cargo metadata --locked --offline` on the workspace whose root manifest is in `dir`.
pub(super) fn cargo_metadata(dir: &Path) -> CargoVerdict {
    let manifest = dir.join("Cargo.toml");
    let mut cmd = Command::new("cargo");
    cmd.args([
        "metadata",
        "--format-version",
        "1",
        "--locked",
        "--offline",
        "--color",
        "never",
        "--manifest-path",
    ])
    .arg(&manifest)
    .current_dir(neutral_dir())
    .env("CARGO_NET_OFFLINE", "true")
    .env("CARGO_TERM_COLOR", "never")
    .env("RUSTUP_AUTO_INSTALL", "0")
    .env("RUSTC_WRAPPER", "")
    .env("RUSTC_WORKSPACE_WRAPPER", "")
    .env("CARGO_BUILD_RUSTC_WRAPPER", "")
    .env("CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER", "");
    let Finished {
        status,
        stdout,
        stderr,
    } = match process::run(&mut cmd, TIMEOUT, MAX_OUTPUT) {
        Ok(f) => f,
        Err(RunError::NotFound) => return CargoVerdict::NotOnPath,
        Err(RunError::Spawn(e)) => return CargoVerdict::Failed(format!("cannot start cargo: {e}")),
        Err(RunError::Wait(e)) => {
            return CargoVerdict::Failed(format!("cannot wait for cargo: {e}"));
        }
        Err(RunError::TimedOut(_) | RunError::OutputHeldOpen(_)) => {
            return CargoVerdict::Failed(format!("timed out after {} s", TIMEOUT.as_secs()));
        }
    };
    let stderr = String::from_utf8_lossy(&stderr);
    if status.success() {
        return judge_output(dir, &stdout);
    }
    judge_failure(&stderr)
}

/// An accepted run: cargo must have used *this* lockfile (the manifest beside it may belong to
/// an enclosing workspace, whose lock is another file).
fn judge_output(dir: &Path, stdout: &[u8]) -> CargoVerdict {
    #[derive(serde::Deserialize)]
    struct Metadata {
        workspace_root: PathBuf,
    }
    match serde_json::from_slice::<Metadata>(stdout) {
        Ok(m) => {
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if canon(&m.workspace_root) == canon(dir) {
                CargoVerdict::InSync
            } else {
                CargoVerdict::Failed(format!(
                    "the Cargo.toml beside this lockfile belongs to the workspace at {}, so cargo does not use this lockfile",
                    m.workspace_root.display()
                ))
            }
        }
        Err(e) => CargoVerdict::Failed(format!("unreadable `cargo metadata` output: {e}")),
    }
}

/// A refused run: `--locked` refusing is drift; anything else means cargo could not decide.
fn judge_failure(stderr: &str) -> CargoVerdict {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if stderr.contains(LOCKED_REFUSAL) {
        let msg: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| {
                !l.trim_start().starts_with("Updating") && !l.trim_start().starts_with("Locking")
            })
            .take(12)
            .collect();
        return CargoVerdict::NeedsUpdate(msg.join("\n"));
    }
    let first = lines
        .iter()
        .find(|l| l.starts_with("error"))
        .or_else(|| lines.last())
        .copied()
        .unwrap_or("cargo failed without a message");
    let mut why = first.trim().to_owned();
    if why.len() > 300 {
        let mut cut = 300;
        while !why.is_char_boundary(cut) {
            cut -= 1;
        }
        why.truncate(cut);
        why.push('…');
    }
    CargoVerdict::Failed(why)
}

/// A directory without repository-controlled cargo or rustup configuration.
fn neutral_dir() -> PathBuf {
    if cfg!(unix) {
        PathBuf::from("/")
    } else {
        std::env::temp_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_refusal_is_drift_and_other_errors_are_not() {
        let refused = "    Updating crates.io index\nerror: the lock file /r/Cargo.lock needs to be updated but --locked was passed to prevent this\nIf you want to try to generate the lock file without accessing the network, remove the --locked flag and use --offline instead.\n";
        match judge_failure(refused) {
            CargoVerdict::NeedsUpdate(m) => {
                assert!(m.starts_with("error: the lock file"), "{m}");
                assert!(!m.contains("Updating"));
            }
            v => panic!("{v:?}"),
        }
        // cargo ≥ 1.84 words it differently.
        let newer = "error: cannot update the lock file /r/Cargo.lock because --locked was passed to prevent this\nhelp: to generate the lock file without accessing the network, remove the --locked flag and use --offline instead.\n";
        assert!(
            matches!(judge_failure(newer), CargoVerdict::NeedsUpdate(m) if m.starts_with("error: cannot update"))
        );
        let offline = "error: no matching package named `serde` found\nlocation searched: crates.io index\nAs a reminder, you're using offline mode (--offline) which can sometimes cause surprising resolution failures.\n";
        assert_eq!(
            judge_failure(offline),
            CargoVerdict::Failed("error: no matching package named `serde` found".into())
        );
    }

    #[test]
    fn accepted_runs_must_use_this_lockfile() {
        let dir = tempfile::tempdir().unwrap();
        let json = format!(
            "{{\"packages\": [], \"workspace_root\": {:?}}}",
            dir.path().to_string_lossy()
        );
        assert_eq!(
            judge_output(dir.path(), json.as_bytes()),
            CargoVerdict::InSync
        );
        let other = "{\"workspace_root\": \"/elsewhere\"}";
        assert!(matches!(
            judge_output(dir.path(), other.as_bytes()),
            CargoVerdict::Failed(m) if m.contains("/elsewhere")
        ));
    }
}

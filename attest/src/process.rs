//! The workspace's one way to run a subprocess with a deadline: layout inspections (here),
//! `cargo metadata` (drift's deep mode) and `git` (advisory updates) all go through [`run`].
//! (It lives in this crate because it is the one every other tollgate crate depends on.)
//!
//! The deadline covers everything the command starts: it runs in its own process group, its
//! output counts as complete only when its pipes close (a background child holding them keeps
//! the run going), and at the deadline the whole group is killed. When it finishes in time,
//! whatever is left of its group is killed too. Each stream keeps at most `max_output` bytes
//! and the rest is drained, so a chatty child never blocks on a full pipe.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a finished command left.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Its standard output (at most `max_output` bytes).
    pub stdout: Vec<u8>,
    /// Its standard error (at most `max_output` bytes).
    pub stderr: Vec<u8>,
}

/// Why a command did not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The program is not on `PATH`.
    #[error("not found on PATH")]
    NotFound,
    /// It could not be started.
    #[error("{0}")]
    Spawn(std::io::Error),
    /// Waiting for it failed.
    #[error("cannot wait for it: {0}")]
    Wait(std::io::Error),
    /// It ran past the deadline (and was killed, with its process group).
    #[error("did not finish within {0:?}")]
    TimedOut(Duration),
    /// It exited, but processes it started kept its output open past the deadline.
    #[error("did not finish within {0:?} (processes it started kept its output open)")]
    OutputHeldOpen(Duration),
}

/// Runs `cmd` (stdin from `/dev/null`, stdout and stderr captured) and waits at most `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration, max_output: u64) -> Result<Finished, RunError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that the deadline reaches everything it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RunError::NotFound,
        _ => RunError::Spawn(e),
    })?;
    let group = Group(child.id());
    let deadline = Instant::now() + timeout;
    let out = child.stdout.take().map(|r| reader_thread(r, max_output));
    let err = child.stderr.take().map(|r| reader_thread(r, max_output));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                group.kill();
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                group.kill();
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Wait(e));
            }
        }
    };
    // The command has exited, but what it started in the background may still hold its
    // output pipes open: the output is complete only at their end of file, and that must
    // come before the deadline too.
    let stdout = collect(out, deadline);
    let stderr = collect(err, deadline);
    // Whatever is left of the group is killed (stragglers must not outlive the command).
    group.kill();
    match (stdout, stderr) {
        (Some(stdout), Some(stderr)) => Ok(Finished {
            status,
            stdout,
            stderr,
        }),
        _ => Err(RunError::OutputHeldOpen(timeout)),
    }
}

/// The process group of one command (its id is the leader's pid).
struct Group(u32);

impl Group {
    /// Sends SIGKILL to every process of the group (a no-op when none is left).
    fn kill(&self) {
        #[cfg(unix)]
        if let Some(pgid) = i32::try_from(self.0)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            // The group's id is its leader's pid (the command was spawned with
            // `process_group(0)`); an error means no process of it is left.
            let _ = rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL);
        }
    }
}

/// Reads a stream to its end on a thread (keeping at most `max` bytes); the bytes arrive on
/// the returned channel.
fn reader_thread(mut r: impl Read + Send + 'static, max: u64) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut r).take(max).read_to_end(&mut buf);
        // Drain the rest so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
        let _ = tx.send(buf);
    });
    rx
}

/// The bytes of a reader thread, or `None` when its stream is still open at `deadline` (the
/// thread is then left to end when the stream closes).
fn collect(rx: Option<mpsc::Receiver<Vec<u8>>>, deadline: Instant) -> Option<Vec<u8>> {
    let Some(rx) = rx else {
        return Some(Vec::new());
    };
    let left = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(left) {
        Ok(s) => Some(s),
        // The thread ended without sending: nothing was read.
        Err(mpsc::RecvTimeoutError::Disconnected) => Some(Vec::new()),
        Err(mpsc::RecvTimeoutError::Timeout) => None,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn captures_output_and_status() {
        let f = run(
            &mut sh("echo out; echo err >&2; exit 3"),
            Duration::from_secs(10),
            1 << 20,
        )
        .unwrap();
        assert_eq!(f.status.code(), Some(3));
        assert_eq!(f.stdout, b"out\n");
        assert_eq!(f.stderr, b"err\n");
    }

    #[test]
    fn kills_a_command_past_its_deadline_and_a_background_child_holding_the_pipes() {
        let e = run(&mut sh("sleep 30"), Duration::from_millis(300), 1024).unwrap_err();
        assert!(matches!(e, RunError::TimedOut(_)), "{e}");
        assert!(e.to_string().starts_with("did not finish within"), "{e}");
        let e = run(
            &mut sh("sleep 30 & echo started"),
            Duration::from_millis(300),
            1024,
        )
        .unwrap_err();
        assert!(matches!(e, RunError::OutputHeldOpen(_)), "{e}");
        assert!(
            e.to_string()
                .ends_with("(processes it started kept its output open)"),
            "{e}"
        );
    }

    #[test]
    fn bounds_the_output_kept_and_reports_a_missing_program() {
        let f = run(&mut sh("yes | head -c 100000"), Duration::from_secs(10), 10).unwrap();
        assert_eq!(f.stdout.len(), 10);
        let e = run(
            &mut Command::new("tollgate-no-such-program"),
            Duration::from_secs(1),
            10,
        )
        .unwrap_err();
        assert!(matches!(e, RunError::NotFound), "{e}");
    }
}

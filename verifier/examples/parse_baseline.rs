//! Benchmark baseline for `bench/graph-timing.sh`: read a lockfile and parse it into a generic
//! `serde_json::Value` (JSON) or `toml::Table` (anything else), and nothing more. `tollgate graph`
//! is measured against this program: it must stay within 2× its time and below its peak memory.
//!
//! ```sh
//! cargo run --release -p tollgate-verifier --example parse_baseline -- Cargo.lock
//! ```

// Measurement and demonstration code: a failure may panic (the workspace denies it elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_baseline FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    // Print a number that depends on the parsed value, so nothing is optimised away.
    let items = if text.trim_start().starts_with('{') {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => ["packages", "dependencies"]
                .iter()
                .filter_map(|k| v.get(k).and_then(|p| p.as_object()).map(|o| o.len()))
                .sum::<usize>(),
            Err(e) => {
                eprintln!("{}: {e}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        }
    } else {
        match toml::from_str::<toml::Table>(&text) {
            Ok(t) => t
                .get("package")
                .and_then(|p| p.as_array())
                .map_or(0, Vec::len),
            Err(e) => {
                eprintln!("{}: {e}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        }
    };
    println!("{items}");
    ExitCode::SUCCESS
}

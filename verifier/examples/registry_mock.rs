//! A mock registry for the `--verify-registry` benchmark (`bench/registry-timing.sh`): serves,
//! on 127.0.0.1, packuments and sparse index entries whose hashes are exactly the pins of the
//! given lockfiles, so every package verifies. Prints its base URL, then serves until killed.
//! `GET /__requests` returns the number of requests served.
//!
//!     cargo run --release -p tollgate-verifier --example registry_mock -- LOCKFILE...

// Measurement and demonstration code: a failure may panic (the workspace denies it elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/fixtures.rs"]
mod fixtures;
#[path = "../tests/support/server.rs"]
mod server;

use std::io::Write;
use std::path::PathBuf;

use tollgate_verifier::{LoadOptions, load_graph};

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: registry_mock LOCKFILE...");
        std::process::exit(2);
    }
    let graph = match load_graph(&paths, &LoadOptions::default()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let s = server::Server::start();
    let (packuments, index_files) = fixtures::serve_pins(&s, &graph, None);
    println!("{}", s.url());
    let _ = std::io::stdout().flush();
    eprintln!("serving {packuments} packuments and {index_files} index files");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

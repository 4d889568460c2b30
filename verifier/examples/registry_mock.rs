//! A mock registry for the `--verify-registry` benchmark (`bench/registry-timing.sh`): serves,
//! on 127.0.0.1, packuments and sparse index entries whose hashes are exactly the pins of the
//! given lockfiles, so every package verifies. Prints its base URL, then serves until killed.
//! `GET /__requests` returns the number of requests served.
//!
//!     cargo run --release -p tollgate-verifier --example registry_mock -- LOCKFILE...

#[path = "../tests/support/server.rs"]
mod server;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde_json::json;
use server::{Reply, Server};
use tollgate_verifier::{Ecosystem, LoadOptions, load_graph};

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
    let s = Server::start();
    let mut npm: BTreeMap<String, serde_json::Map<String, serde_json::Value>> = BTreeMap::new();
    let mut crates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, p) in graph.packages() {
        if p.is_root || !p.source.is_registry() {
            continue;
        }
        let Some(sum) = p.checksum.clone() else {
            continue;
        };
        match p.ecosystem {
            Ecosystem::Npm => {
                npm.entry(p.name.clone()).or_default().insert(
                    p.version.clone(),
                    json!({"name": p.name, "version": p.version, "dist": {"integrity": sum}}),
                );
            }
            Ecosystem::Cargo => crates.entry(p.name.to_lowercase()).or_default().push(
                json!({"name": p.name, "vers": p.version, "deps": [], "cksum": sum, "features": {}, "yanked": false})
                    .to_string(),
            ),
        }
    }
    for (name, versions) in &npm {
        let doc = json!({"name": name, "versions": versions}).to_string();
        s.set(
            &format!("/{}", name.replacen('/', "%2f", 1)),
            Reply::ok(doc).header("ETag", &format!("\"{}\"", versions.len())),
        );
    }
    for (name, lines) in &crates {
        let path = tollgate_verifier::registry::crates::index_path(name);
        s.set(
            &format!("/{path}"),
            Reply::ok(lines.join("\n") + "\n").header("ETag", &format!("\"{}\"", lines.len())),
        );
    }
    s.set(
        "/config.json",
        Reply::ok(json!({"dl": format!("{}/dl", s.base)}).to_string()),
    );
    println!("{}", s.url());
    let _ = std::io::stdout().flush();
    eprintln!(
        "serving {} packuments and {} index entries",
        npm.len(),
        crates.len()
    );
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

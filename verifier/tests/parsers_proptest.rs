//! Property tests for every parser of untrusted input: `Cargo.lock` (the fast path and the `toml`
//! path, which must agree), npm `package-lock.json` v1/v2/v3, the `Cargo.toml` reader and
//! `tollgate.toml`. Garbage, token soup, random JSON shapes and mutated real corpus files
//! (truncated at random offsets, flipped bytes, deleted / duplicated / swapped lines, inserted
//! syntax) must never panic, and must either parse into a well-formed result or fail with an
//! error that names the file and a place.
//!
//! The `fuzz/` directory holds cargo-fuzz targets for the same parsers (run with nightly:
//! `cargo +nightly fuzz run cargo_lock`).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use tollgate_verifier::LockfileError;
use tollgate_verifier::lockfile::{self, Format, ParsedLockfile, cargo, cargo_manifest, npm};
use tollgate_verifier::policy::Config;

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(rel)
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// Small real files of every shape the parsers know (v1 `[root]` + `[metadata]`, git sources,
/// `[[patch.unused]]`, trimmed files; npm v1 trees, aliases, links, workspaces, bundles).
const CARGO_SAMPLES: &[&str] = &[
    "lockfiles/ripgrep-2016-v1-root/Cargo.lock",
    "lockfiles/ripgrep-v4/Cargo.lock",
    "fixtures/cargo-lock-crate/Cargo.lock.v4",
    "fixtures/cargo-lock-crate/Cargo.lock.git-ref",
    "fixtures/cargo-lock-crate/Cargo.lock.same-git",
    "fixtures/cargo-lock-crate/Cargo.lock.unused-patch",
    "fixtures/osv-scanner/cargo/two-packages-with-local.lock",
];

const NPM_SAMPLES: &[&str] = &[
    "fixtures/osv-scanner/npm/alias.v1.json",
    "fixtures/osv-scanner/npm/alias.v2.json",
    "fixtures/osv-scanner/npm/commits.v1.json",
    "fixtures/osv-scanner/npm/optional-package.v2.json",
    "fixtures/npm-cli-arborist/install-types/package-lock.json",
    "fixtures/npm-cli-arborist/workspaces-not-root/package-lock.json",
    "fixtures/npm-cli-arborist/external-link/root/package-lock.json",
    "fixtures/npm-cli-arborist/pnpm/package-lock.json",
    "fixtures/npm-cli-arborist/testing-bundledeps-sw/package-lock.json",
    "fixtures/npm-cli-arborist/link-dep-nested/root/package-lock.json",
];

const MANIFEST_SAMPLE: &str = r#"[package]
name = "app"
version = "0.1.0"
edition = "2024"

[dependencies]
serde = { version = "1", features = ["derive"] }
opt = { version = "1", optional = true }
renamed = { package = "real-name", version = "0.3" }
local = { path = "../local" }

[dev-dependencies]
insta = "1"

[build-dependencies]
cc = "1"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[target.'cfg(windows)'.dev-dependencies]
winapi = { version = "0.3", features = ["std"] }
"#;

const CONFIG_SAMPLE: &str = r#"fail-on = "medium"
fail-on-overdue = true
unknown-severity = "critical"
yanked = "warn"
include-dev = false
exclude = ["testdata", "fuzz"]

[sla]
critical = "12h"
high = "3d"

[kinds]
install-script = "deny"

[severity]
weak-hash = "high"

[advisories]
max-age-days = 3

[[waiver]]
id = "RUSTSEC-2020-0071"
package = "time"
version = "<0.2"
reason = "not reachable"
owner = "security@example.com"
expires = 2026-12-31

[[waiver]]
id = "missing-hash"
reason = "vendored"
expires = "2026-01-01"
"#;

fn load(rels: &[&str]) -> Vec<Vec<u8>> {
    rels.iter()
        .map(|r| std::fs::read(corpus(r)).unwrap_or_else(|e| panic!("{r}: {e}")))
        .collect()
}

fn cargo_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| load(CARGO_SAMPLES))
}

fn npm_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| load(NPM_SAMPLES))
}

fn manifest_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = vec![MANIFEST_SAMPLE.as_bytes().to_vec()];
        for rel in ["Cargo.toml", "verifier/Cargo.toml", "cli/Cargo.toml"] {
            v.push(std::fs::read(repo(rel)).unwrap());
        }
        v
    })
}

fn config_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        vec![
            CONFIG_SAMPLE.as_bytes().to_vec(),
            tollgate_verifier::policy::config::DEFAULT_CONFIG_TEMPLATE
                .as_bytes()
                .to_vec(),
            std::fs::read(repo("tollgate.toml")).unwrap(),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations of real files.

/// One edit of a file's bytes; positions are scaled to the current length.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    FlipByte(Index, u8),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    Insert(Index, &'static str),
    DeleteRange(Index, u8),
}

/// Fragments that matter to TOML or JSON syntax, or to the lockfile semantics above it.
const FRAGMENTS: &[&str] = &[
    "\"",
    "\\",
    "\\u0000",
    "\\\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "=",
    " = ",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\0",
    "\u{7f}",
    "\u{feff}",
    "é",
    "#",
    "# comment\n",
    "[[package]]\n",
    "[root]\n",
    "[metadata]\n",
    "[[patch.unused]]\n",
    "version = 3\n",
    "version = 03\n",
    "name = \"a\"\n",
    "version = \"1.0.0\"\n",
    "dependencies = [\n \"a\",\n]\n",
    " (",
    ")",
    "<<<<<<< HEAD\n",
    "=======\n",
    "null",
    "true",
    "1e999",
    "-1",
    "\"lockfileVersion\": 4,",
    "\"link\": true,",
    "\"version\": \"npm:\",",
    "\"version\": \"npm:@\",",
    "\"resolved\": \"git+ssh://git@x/y.git#abc\",",
    "\"integrity\": \"sha512-\",",
    "\"node_modules/a\": {},",
    "\"node_modules/\": {},",
    "\"\": {},",
    "\".\": {},",
    "\"requires\": true,",
    "\"dependencies\": {\"a\": \"1\"},",
    "[dependencies]\n",
    "[[waiver]]\n",
    "reason = \"\"\n",
    "expires = 2026-13-40\n",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        // Line edits mostly keep the syntax valid and reach the semantic checks; byte edits
        // mostly break it and reach the error paths.
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::FlipByte(i, x)),
        3 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        3 => (any::<Index>(), prop::sample::select(FRAGMENTS)).prop_map(|(i, f)| Mutation::Insert(i, f)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, n)| Mutation::DeleteRange(i, n)),
    ]
}

/// Line start offsets (the last element is the length).
fn line_bounds(b: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        b.iter()
            .enumerate()
            .filter(|(_, c)| **c == b'\n')
            .map(|(i, _)| i + 1),
    );
    if *v.last().unwrap_or(&0) != b.len() {
        v.push(b.len());
    }
    v
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: &Index| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Truncate(i) => bytes.truncate(at(i)),
        Mutation::FlipByte(i, x) => {
            if len > 0 {
                bytes[i.index(len)] ^= x;
            }
        }
        Mutation::Insert(i, f) => {
            let p = at(i);
            bytes.splice(p..p, f.bytes());
        }
        Mutation::DeleteRange(i, n) => {
            let p = at(i);
            let end = (p + *n as usize).min(len);
            bytes.drain(p..end);
        }
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
            let lb = line_bounds(bytes);
            if lb.len() < 2 {
                return;
            }
            let k = i.index(lb.len() - 1);
            let (s, e) = (lb[k], lb[k + 1]);
            if matches!(m, Mutation::DeleteLine(_)) {
                bytes.drain(s..e);
            } else {
                let line = bytes[s..e].to_vec();
                bytes.splice(e..e, line);
            }
        }
        Mutation::SwapLines(a, b) => {
            let lb = line_bounds(bytes);
            if lb.len() < 3 {
                return;
            }
            let (mut x, mut y) = (a.index(lb.len() - 1), b.index(lb.len() - 1));
            if x == y {
                return;
            }
            if x > y {
                std::mem::swap(&mut x, &mut y);
            }
            let lx = bytes[lb[x]..lb[x + 1]].to_vec();
            let ly = bytes[lb[y]..lb[y + 1]].to_vec();
            let mut out = bytes[..lb[x]].to_vec();
            out.extend_from_slice(&ly);
            out.extend_from_slice(&bytes[lb[x + 1]..lb[y]]);
            out.extend_from_slice(&lx);
            out.extend_from_slice(&bytes[lb[y + 1]..]);
            *bytes = out;
        }
    }
}

/// A sample (chosen by index) with one to three mutations applied.
fn mutated(samples: fn() -> &'static [Vec<u8>]) -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..4)).prop_map(move |(i, ms)| {
        let s = samples();
        let mut b = s[i.index(s.len())].clone();
        for m in &ms {
            apply(&mut b, m);
        }
        b
    })
}

fn garbage() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        ".{0,200}".prop_map(String::into_bytes),
    ]
}

/// Lines drawn from a vocabulary, joined by newlines: reaches past the first syntax error.
fn soup(vocab: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vocab), 0..40)
        .prop_map(|v| v.join("\n").into_bytes())
}

const CARGO_LINES: &[&str] = &[
    "version = 3",
    "version = 4",
    "version = 1",
    "version = 9",
    "[[package]]",
    "[root]",
    "[metadata]",
    "[[patch.unused]]",
    "",
    "# This file is automatically @generated by Cargo.",
    "name = \"a\"",
    "name = \"b\"",
    "name = \"a\\u0041\"",
    "version = \"1.0.0\"",
    "version = \"2.0.0-rc.1+build\"",
    "version = \"1.0\"",
    "source = \"registry+https://github.com/rust-lang/crates.io-index\"",
    "source = \"sparse+https://example.com/index/\"",
    "source = \"git+https://example.com/a?branch=main#0123456789abcdef0123456789abcdef01234567\"",
    "source = \"git+https://example.com/a?rev=0123456#0123456789abcdef0123456789abcdef01234567\"",
    "source = \"weird+thing\"",
    "source = \"\"",
    "checksum = \"0000000000000000000000000000000000000000000000000000000000000000\"",
    "checksum = \"zz\"",
    "dependencies = [",
    " \"a\",",
    " \"b 1.0.0\",",
    " \"a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\",",
    " \"a 1.0.0 (git+https://example.com/a?branch=main)\",",
    " \"a 1.0.0 (bad\",",
    "]",
    "dependencies = [\"a\", \"b 1.0.0\"]",
    "dependencies = []",
    "\"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"1111111111111111111111111111111111111111111111111111111111111111\"",
    "\"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"<none>\"",
    "replace = \"a 1.0.0\"",
    "package = 5",
    "[package]",
];

const MANIFEST_LINES: &[&str] = &[
    "[package]",
    "name = \"app\"",
    "name = 5",
    "version = \"0.1.0\"",
    "[workspace]",
    "members = [\"a\"]",
    "[dependencies]",
    "[dev-dependencies]",
    "[dev_dependencies]",
    "[build-dependencies]",
    "[target.'cfg(unix)'.dependencies]",
    "[target.x86_64-unknown-linux-gnu.build-dependencies]",
    "serde = \"1\"",
    "serde = { version = \"1\", optional = true }",
    "alias = { package = \"real\", version = \"1\" }",
    "alias = { package = 7 }",
    "dependencies = 5",
    "target = \"x\"",
    "x = [",
    "]",
    "",
];

const CONFIG_LINES: &[&str] = &[
    "fail-on = \"high\"",
    "fail-on = \"severe\"",
    "fail-on-overdue = true",
    "unknown-severity = \"low\"",
    "yanked = \"ignore\"",
    "include-dev = 1",
    "exclude = [\"testdata\"]",
    "exclude = \"x\"",
    "[sla]",
    "high = \"7d\"",
    "high = \"7 days\"",
    "critical = \"0h\"",
    "[kinds]",
    "install-script = \"warn\"",
    "missing-hsh = \"warn\"",
    "[severity]",
    "weak-hash = \"critical\"",
    "[[waiver]]",
    "id = \"RUSTSEC-2020-0071\"",
    "id = \"\"",
    "reason = \"r\"",
    "reason = \" \"",
    "version = \"<0.2\"",
    "version = \"not a range\"",
    "expires = 2026-12-31",
    "expires = \"soon\"",
    "expires = 2026-12-31T00:00:00Z",
    "[advisories]",
    "max-age-days = -1",
    "[registries]",
    "npm = [\"https://npm.example/\"]",
    "[pinning.missing-hash]",
    "ignore = [\"a@1\"]",
    "unknown = 1",
    "",
];

// ---------------------------------------------------------------------------------------------
// Random JSON shapes for npm: keys and values an npm lockfile uses, nested at random.

const JSON_KEYS: &[&str] = &[
    "lockfileVersion",
    "packages",
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "requires",
    "name",
    "version",
    "resolved",
    "integrity",
    "link",
    "dev",
    "optional",
    "devOptional",
    "peer",
    "inBundle",
    "bundled",
    "hasInstallScript",
    "extraneous",
    "",
    ".",
    "a",
    "@s/a",
    "node_modules/a",
    "node_modules/@s/a",
    "node_modules/a/node_modules/b",
    "node_modules/",
    "packages/w",
    "node_modules/w",
];

const JSON_STRINGS: &[&str] = &[
    "",
    "1.0.0",
    "npm:",
    "npm:@",
    "npm:b@2.0.0",
    "npm:@s/b@1",
    "packages/w",
    "../outside",
    "file:../x",
    "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
    "https://example.com/a.tgz",
    "git+ssh://git@github.com/a/b.git#0123456789abcdef0123456789abcdef01234567",
    "github:a/b#main",
    "sha512-AAAA",
    "sha1-notActuallyTheSha=",
    "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
    "true",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u64..5).prop_map(|n| Value::Number(n.into())),
        prop::sample::select(JSON_STRINGS).prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(JSON_KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A top-level object with the keys npm lockfiles have, so the parser gets past its first check.
fn npm_shaped() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::option::of(0u64..5),
        prop::option::of(json_value()),
        prop::option::of(json_value()),
    )
        .prop_map(|(v, packages, deps)| {
            let mut o = serde_json::Map::new();
            if let Some(v) = v {
                o.insert("lockfileVersion".into(), v.into());
            }
            if let Some(p) = packages {
                o.insert("packages".into(), p);
            }
            if let Some(d) = deps {
                o.insert("dependencies".into(), d);
            }
            serde_json::to_vec_pretty(&serde_json::Value::Object(o)).unwrap()
        })
}

// ---------------------------------------------------------------------------------------------
// Structured generators: well-formed syntax with random semantics (duplicate packages, missing
// and ambiguous dependencies, cycles, links to nowhere, aliases, nested installs).

const NAMES: &[&str] = &["a", "b", "c", "a-b"];
const VERSIONS: &[&str] = &["1.0.0", "2.0.0", "0.1.0-rc.1", "1.0.0+build"];
/// Not semantic versions: Cargo refuses them.
const BAD_VERSIONS: &[&str] = &["1.0", "x", "1.0.0 (path)"];

fn cargo_version() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        12 => prop::sample::select(VERSIONS),
        1 => prop::sample::select(BAD_VERSIONS),
    ]
}
const SOURCES: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://example.com/index/",
    "git+https://example.com/a?branch=main#0123456789abcdef0123456789abcdef01234567",
    "git+https://example.com/a#fedcba9876543210fedcba9876543210fedcba98",
    "git+https://user:secret@example.com/a?rev=0123456#0123456789abcdef0123456789abcdef01234567",
    "directory+file:///vendor",
    "nonsense",
];
const CHECKSUMS: &[&str] = &[
    "0000000000000000000000000000000000000000000000000000000000000000",
    "abc",
    "",
];
const DEP_STRINGS: &[&str] = &[
    "a",
    "b",
    "c",
    "a 1.0.0",
    "a 2.0.0",
    "b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
    "a 1.0.0 (git+https://example.com/a?branch=main)",
    "a 1.0.0 (sparse+https://example.com/index/)",
    "c 9.9.9",
    "a (registry+https://github.com/rust-lang/crates.io-index)",
    "a 1.0.0 (unclosed",
    "",
];

type CargoBlock = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Vec<&'static str>,
);

fn cargo_block() -> impl Strategy<Value = CargoBlock> {
    (
        prop::sample::select(NAMES),
        cargo_version(),
        prop::option::of(prop::sample::select(SOURCES)),
        prop::option::of(prop::sample::select(CHECKSUMS)),
        prop::collection::vec(prop::sample::select(DEP_STRINGS), 0..4),
    )
}

/// A `Cargo.lock` in Cargo's own layout (so the fast path takes it) with random content: any
/// version header, an optional v1 `[root]`, packages, `[metadata]` checksums.
fn cargo_structured() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::option::of(0u8..6),
        prop::option::of(cargo_block()),
        prop::collection::vec(cargo_block(), 0..8),
        any::<bool>(),
        prop::collection::vec((cargo_block(), prop::sample::select(CHECKSUMS)), 0..3),
    )
        .prop_map(|(version, root, packages, inline, metadata)| {
            let mut out = String::from("# This file is automatically @generated by Cargo.\n");
            if let Some(v) = version {
                out.push_str(&format!("version = {v}\n"));
            }
            let block = |out: &mut String, header: &str, b: &CargoBlock| {
                let (name, version, source, checksum, deps) = b;
                out.push_str(&format!(
                    "\n{header}\nname = \"{name}\"\nversion = \"{version}\"\n"
                ));
                if let Some(s) = source {
                    out.push_str(&format!("source = \"{s}\"\n"));
                }
                if let Some(c) = checksum {
                    out.push_str(&format!("checksum = \"{c}\"\n"));
                }
                if !deps.is_empty() {
                    if inline {
                        let items: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
                        out.push_str(&format!("dependencies = [{}]\n", items.join(", ")));
                    } else {
                        out.push_str("dependencies = [\n");
                        for d in deps {
                            out.push_str(&format!(" \"{d}\",\n"));
                        }
                        out.push_str("]\n");
                    }
                }
            };
            if let Some(r) = &root {
                block(&mut out, "[root]", r);
            }
            for p in &packages {
                block(&mut out, "[[package]]", p);
            }
            if !metadata.is_empty() {
                out.push_str("\n[metadata]\n");
                let mut seen = HashSet::new();
                for ((name, version, source, _, _), sum) in &metadata {
                    let key = format!("checksum {name} {version} ({})", source.unwrap_or(""));
                    if seen.insert(key.clone()) {
                        out.push_str(&format!("\"{key}\" = \"{sum}\"\n"));
                    }
                }
            }
            out.into_bytes()
        })
}

const NPM_KEYS: &[&str] = &[
    "",
    ".",
    "node_modules/a",
    "node_modules/b",
    "node_modules/@s/a",
    "node_modules/a/node_modules/b",
    "node_modules/b/node_modules/a",
    "node_modules/@s/a/node_modules/b",
    "node_modules/w",
    "packages/w",
    "../outside",
    "node_modules/",
];
const NPM_DEP_NAMES: &[&str] = &["a", "b", "@s/a", "w", "missing"];

fn npm_entry() -> impl Strategy<Value = serde_json::Value> {
    (
        prop::option::of(prop::sample::select(JSON_STRINGS)),
        prop::option::of(prop::sample::select(JSON_STRINGS)),
        prop::option::of(prop::sample::select(JSON_STRINGS)),
        prop::option::of(prop::sample::select(&["a", "b", "real"][..])),
        any::<[bool; 6]>(),
        prop::collection::vec((prop::sample::select(NPM_DEP_NAMES), 0usize..5), 0..4),
    )
        .prop_map(|(version, resolved, integrity, name, flags, deps)| {
            let mut e = serde_json::Map::new();
            let mut put = |k: &str, v: Option<&str>| {
                if let Some(v) = v {
                    e.insert(k.into(), v.into());
                }
            };
            put("version", version);
            put("resolved", resolved);
            put("integrity", integrity);
            put("name", name);
            for (k, on) in ["link", "dev", "optional", "devOptional", "peer", "inBundle"]
                .iter()
                .zip(flags)
            {
                if on {
                    e.insert((*k).into(), true.into());
                }
            }
            let groups = [
                "dependencies",
                "optionalDependencies",
                "peerDependencies",
                "devDependencies",
                "peerDependenciesMeta",
            ];
            for (dep, group) in deps {
                let m = e
                    .entry(groups[group])
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
                if let Some(m) = m.as_object_mut() {
                    let v = if group == 4 {
                        serde_json::json!({"optional": true})
                    } else {
                        "^1".into()
                    };
                    m.insert(dep.into(), v);
                }
            }
            serde_json::Value::Object(e)
        })
}

/// A v1 tree node: version fields plus `requires` and nested `dependencies`.
fn npm_v1_tree() -> impl Strategy<Value = serde_json::Value> {
    let node = (
        prop::option::of(prop::sample::select(JSON_STRINGS)),
        prop::option::of(prop::sample::select(JSON_STRINGS)),
        any::<[bool; 3]>(),
        prop::collection::vec(prop::sample::select(NPM_DEP_NAMES), 0..3),
    )
        .prop_map(|(version, integrity, flags, requires)| {
            let mut n = serde_json::Map::new();
            if let Some(v) = version {
                n.insert("version".into(), v.into());
            }
            if let Some(i) = integrity {
                n.insert("integrity".into(), i.into());
            }
            for (k, on) in ["dev", "optional", "bundled"].iter().zip(flags) {
                if on {
                    n.insert((*k).into(), true.into());
                }
            }
            if !requires.is_empty() {
                let r: serde_json::Map<String, serde_json::Value> = requires
                    .into_iter()
                    .map(|d| (d.to_owned(), "^1".into()))
                    .collect();
                n.insert("requires".into(), r.into());
            }
            n
        });
    node.prop_map(serde_json::Value::Object)
        .prop_recursive(4, 32, 4, |inner| {
            (
                inner.clone(),
                prop::collection::vec((prop::sample::select(NPM_DEP_NAMES), inner), 0..4),
            )
                .prop_map(|(mut node, children)| {
                    if let Some(o) = node.as_object_mut() {
                        let deps: serde_json::Map<String, serde_json::Value> = children
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect();
                        o.insert("dependencies".into(), deps.into());
                    }
                    node
                })
        })
}

/// A syntactically valid npm lockfile with random entries: a `packages` map (v2/v3) or a legacy
/// tree (v1).
fn npm_structured() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (
            2u64..4,
            prop::collection::vec((prop::sample::select(NPM_KEYS), npm_entry()), 0..8),
        )
            .prop_map(|(v, entries)| {
                // Build the text by hand: a JSON object may repeat a key, and the parser must
                // notice.
                let body: Vec<String> = entries
                    .iter()
                    .map(|(k, e)| format!("    {}: {e}", serde_json::Value::from(*k)))
                    .collect();
                format!(
                    "{{\n  \"lockfileVersion\": {v},\n  \"packages\": {{\n{}\n  }}\n}}\n",
                    body.join(",\n")
                )
                .into_bytes()
            }),
        npm_v1_tree().prop_map(|tree| {
            let deps = tree.get("dependencies").cloned().unwrap_or_default();
            let doc =
                serde_json::json!({"name": "root", "lockfileVersion": 1, "dependencies": deps});
            serde_json::to_vec_pretty(&doc).unwrap()
        }),
    ]
}

// ---------------------------------------------------------------------------------------------
// The properties.

/// An error must name the file and a place (a line, or a JSON pointer).
fn assert_names_file_and_place(e: &LockfileError, path: &Path) -> Result<(), TestCaseError> {
    assert_message_names_file_and_place(&e.to_string(), e.place.as_ref(), path)
}

/// [`assert_names_file_and_place`] for any error with a message and a place.
fn assert_message_names_file_and_place(
    msg: &str,
    place: Option<&tollgate_verifier::error::Place>,
    path: &Path,
) -> Result<(), TestCaseError> {
    prop_assert!(
        msg.starts_with(&format!("{}:", path.display())),
        "error does not start with the file: {msg}"
    );
    prop_assert!(
        place.is_some_and(|p| p.line >= 1 || p.pointer.is_some()),
        "error names no place: {msg} ({place:?})"
    );
    Ok(())
}

/// A parse result must be a well-formed graph fragment: ids unique, edges and roots in range,
/// a root whenever there is a package.
fn assert_well_formed(p: &ParsedLockfile) -> Result<(), TestCaseError> {
    let n = p.packages.len();
    let mut ids = HashSet::new();
    for pkg in &p.packages {
        prop_assert!(ids.insert(pkg.id.as_str()), "duplicate id {}", pkg.id);
    }
    for &(f, t, _) in &p.edges {
        prop_assert!(
            (f as usize) < n && (t as usize) < n,
            "edge {f}->{t} out of range {n}"
        );
    }
    for &r in &p.roots {
        prop_assert!(r < n, "root {r} out of range {n}");
    }
    prop_assert!(n == 0 || !p.roots.is_empty(), "{n} packages and no root");
    Ok(())
}

fn decode(path: &Path, bytes: &[u8]) -> Result<Option<String>, TestCaseError> {
    match lockfile::decode_text(path, bytes.to_vec()) {
        Ok(t) => Ok(Some(t)),
        Err(e) => {
            assert_names_file_and_place(&e, path)?;
            Ok(None)
        }
    }
}

fn summary(r: &Result<ParsedLockfile, LockfileError>) -> String {
    match r {
        Ok(p) => format!(
            "{}|{:?}|{:?}|{:?}|{:?}",
            p.version, p.packages, p.edges, p.roots, p.warnings
        ),
        Err(e) => format!("error: {e}"),
    }
}

fn check_cargo_lock(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz/Cargo.lock");
    let Some(text) = decode(path, bytes)? else {
        return Ok(());
    };
    let auto = cargo::parse(path, "fuzz/Cargo.lock", &text, 0);
    let toml = cargo::parse_with_toml(path, "fuzz/Cargo.lock", &text, 0);
    prop_assert_eq!(
        summary(&auto),
        summary(&toml),
        "the fast path and the toml path disagree"
    );
    match &auto {
        Ok(p) => assert_well_formed(p),
        Err(e) => assert_names_file_and_place(e, path),
    }
}

fn check_npm_lock(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz/package-lock.json");
    let Some(text) = decode(path, bytes)? else {
        return Ok(());
    };
    let parsed = npm::parse(
        path,
        "fuzz/package-lock.json",
        &text,
        0,
        Format::PackageLock,
    );
    match parsed {
        Ok(p) => assert_well_formed(&p),
        Err(e) => assert_names_file_and_place(&e, path),
    }
}

fn check_manifest(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz/Cargo.toml");
    let Some(text) = decode(path, bytes)? else {
        return Ok(());
    };
    match cargo_manifest::parse_manifest(path, &text, None) {
        Ok(m) => {
            for k in ["serde", "real", "app", ""] {
                let _ = m.kind_of(k);
            }
            Ok(())
        }
        Err(e) => assert_message_names_file_and_place(&e.to_string(), e.place.as_ref(), path),
    }
}

fn check_config(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz/tollgate.toml");
    let Some(text) = decode(path, bytes)? else {
        return Ok(());
    };
    if let Err(e) = Config::parse(path, &text) {
        let msg = e.to_string();
        prop_assert!(msg.starts_with("fuzz/tollgate.toml:"), "{msg}");
        prop_assert!(e.line >= 1, "config error names no line: {msg}");
    }
    Ok(())
}

#[test]
fn samples_parse_before_mutation() {
    // The mutations start from valid input; a sample that no longer parses would make the
    // mutated properties vacuous.
    for b in cargo_samples() {
        let t = std::str::from_utf8(b).unwrap();
        assert!(cargo::parse(Path::new("Cargo.lock"), "Cargo.lock", t, 0).is_ok());
    }
    for b in npm_samples() {
        let t = std::str::from_utf8(b).unwrap();
        let p = npm::parse(Path::new("p.json"), "p.json", t, 0, Format::PackageLock);
        assert!(p.is_ok());
    }
    for b in manifest_samples() {
        let t = std::str::from_utf8(b).unwrap();
        assert!(cargo_manifest::parse_manifest(Path::new("Cargo.toml"), t, None).is_ok());
    }
    for b in config_samples() {
        let t = std::str::from_utf8(b).unwrap();
        assert!(Config::parse(Path::new("tollgate.toml"), t).is_ok(), "{t}");
    }
}

#[test]
fn rejects_what_the_properties_must_catch() {
    // The negative twin: the checks above fail on an error without a place and on a duplicate id.
    let e = LockfileError::new(
        "fuzz/Cargo.lock",
        None,
        tollgate_verifier::error::LockfileErrorKind::Syntax("x".into()),
    );
    assert!(assert_names_file_and_place(&e, Path::new("fuzz/Cargo.lock")).is_err());
    let mut p = cargo::parse(
        Path::new("Cargo.lock"),
        "Cargo.lock",
        "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n",
        0,
    )
    .unwrap();
    assert!(assert_well_formed(&p).is_ok());
    p.packages.push(p.packages[0].clone());
    assert!(assert_well_formed(&p).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn cargo_lock_garbage_never_panics(b in garbage()) {
        check_cargo_lock(&b)?;
    }

    #[test]
    fn cargo_lock_soup_never_panics_and_both_paths_agree(b in soup(CARGO_LINES)) {
        check_cargo_lock(&b)?;
    }

    #[test]
    fn cargo_lock_structured_never_panics_and_both_paths_agree(b in cargo_structured()) {
        check_cargo_lock(&b)?;
    }

    #[test]
    fn cargo_lock_mutated_corpus_never_panics_and_both_paths_agree(b in mutated(cargo_samples)) {
        check_cargo_lock(&b)?;
    }

    #[test]
    fn npm_lock_garbage_never_panics(b in garbage()) {
        check_npm_lock(&b)?;
    }

    #[test]
    fn npm_lock_random_shapes_never_panic(b in npm_shaped()) {
        check_npm_lock(&b)?;
    }

    #[test]
    fn npm_lock_structured_never_panics(b in npm_structured()) {
        check_npm_lock(&b)?;
    }

    #[test]
    fn npm_lock_mutated_corpus_never_panics(b in mutated(npm_samples)) {
        check_npm_lock(&b)?;
    }

    #[test]
    fn cargo_manifest_garbage_and_soup_never_panic(
        b in prop_oneof![garbage(), soup(MANIFEST_LINES)]
    ) {
        check_manifest(&b)?;
    }

    #[test]
    fn cargo_manifest_mutated_never_panics(b in mutated(manifest_samples)) {
        check_manifest(&b)?;
    }

    #[test]
    fn config_garbage_and_soup_never_panic(b in prop_oneof![garbage(), soup(CONFIG_LINES)]) {
        check_config(&b)?;
    }

    #[test]
    fn config_mutated_never_panics(b in mutated(config_samples)) {
        check_config(&b)?;
    }
}

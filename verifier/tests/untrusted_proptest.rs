//! Property tests for the parsers of what arrives from the network or a database update: RustSec
//! advisory Markdown, OSV JSON, npm packuments, crates.io sparse-index lines and `config.json`,
//! `.npmrc` and `package.json`. Garbage, token soup, random JSON shapes and mutated real samples
//! (truncated, flipped bytes, deleted / duplicated lines, inserted syntax) must never panic, and
//! must parse into a well-formed result or fail with an error that says what and where. The
//! oracles live in `support/untrusted.rs`, shared with the cargo-fuzz targets in `fuzz/`
//! (`advisory_rustsec`, `advisory_osv`, `packument`, `sparse_index`, `npmrc`, `package_json`).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[path = "support/untrusted.rs"]
mod untrusted;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;

fn repo(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const RUSTSEC_SAMPLE: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "fuzz"
date = "2099-01-01"
url = "https://example.com/advisory"
aliases = ["CVE-2099-0001", "GHSA-aaaa-bbbb-cccc"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
informational = "unsound"
source = "https://example.com/index"
references = ["https://example.com/a"]

[affected]
arch = ["x86_64"]
os = ["linux"]
functions = { "fuzz::f" = ["< 1.2.0"] }

[versions]
patched = [">= 1.2.0", "^0.9.3"]
unaffected = ["< 0.5.0"]
```

# A title

Some text.
"#;

const OSV_SAMPLE: &str = r#"{
  "schema_version": "1.6.0",
  "id": "RUSTSEC-2099-0002",
  "modified": "2099-01-02T00:00:00Z",
  "published": "2099-01-01T00:00:00Z",
  "withdrawn": null,
  "aliases": ["CVE-2099-0002"],
  "summary": "A summary",
  "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
  "affected": [
    {
      "package": {"ecosystem": "crates.io", "name": "fuzz"},
      "ranges": [
        {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]},
        {"type": "ECOSYSTEM", "events": [{"introduced": "2.0.0-rc.1"}, {"last_affected": "2.1.0"}]},
        {"type": "GIT", "repo": "https://example.com/r", "events": [{"introduced": "abc"}]}
      ],
      "versions": ["0.1.0"],
      "ecosystem_specific": {"affects": {"functions": ["fuzz::f"], "os": ["linux"]}},
      "database_specific": {"informational": "unmaintained"}
    }
  ],
  "references": [{"type": "ADVISORY", "url": "https://example.com/a"}],
  "database_specific": {"severity": "HIGH"}
}
"#;

const PACKUMENT_SAMPLE: &str = r#"{
  "name": "left-pad",
  "dist-tags": {"latest": "1.3.0"},
  "versions": {
    "1.3.0": {"name": "left-pad", "version": "1.3.0", "deprecated": "use String.prototype.padStart()",
      "dist": {"integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEkmdRdV1d9XnCH/N0zCH27ynbE38pSxYZTyVwHjoIBwFmg==",
               "shasum": "5b8a3a7765dfe001261dde915589e782f8c94d1e",
               "tarball": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
               "signatures": [{"keyid": "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U", "sig": "MEQCIEIHUSPQz2bTfzirFEiEWPtBZsgy13v72S/99EAUO8abAiBhOKC+EFxCrbLJkOQGspAYzIDqGnj8yerBLKzFgBHNtA=="}],
               "attestations": {"url": "https://registry.npmjs.org/-/npm/v1/attestations/left-pad@1.3.0", "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}}},
    "1.2.0": {"dist": {"shasum": "d30a73c6b8201d8f7d8e7956ba9616087a68e0ee"}, "deprecated": true},
    "1.1.0": {"dist": {}}
  },
  "time": {"created": "2014-03-25T00:00:00Z", "1.3.0": "2018-04-09T01:14:59.785Z"}
}
"#;

const SPARSE_SAMPLE: &str = concat!(
    r#"{"name":"serde","vers":"1.0.0","deps":[],"cksum":"5b8a3a7765dfe001261dde915589e782f8c94d1e5b8a3a7765dfe001261dde91","features":{},"yanked":false}"#,
    "\n",
    r#"{"name":"serde","vers":"1.0.1","deps":[{"name":"serde_derive","req":"=1.0.1","features":[],"optional":true,"default_features":true,"target":null,"kind":"normal"}],"cksum":"d30a73c6b8201d8f7d8e7956ba9616087a68e0eed30a73c6b8201d8f7d8e7956","features":{"derive":["serde_derive"]},"yanked":true,"v":2}"#,
    "\n",
);

const CONFIG_JSON_SAMPLE: &str = r#"{"dl":"https://static.crates.io/crates/{crate}/{crate}-{version}.crate","api":"https://crates.io","auth-required":false}"#;

const NPMRC_SAMPLE: &str = "; comment\n# comment\nregistry = \"https://npm.corp.example/npm\"\n@corp:registry=https://npm.corp.example/corp/\n//npm.corp.example/corp/:_authToken=${NPM_TOKEN}\n//Other.example:8443/:_auth=dXNlcjpwYXNz\nfund=false\n";

fn samples(cell: &'static OnceLock<Vec<Vec<u8>>>, f: fn() -> Vec<Vec<u8>>) -> &'static [Vec<u8>] {
    cell.get_or_init(f)
}

fn rustsec_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    samples(&S, || {
        vec![
            RUSTSEC_SAMPLE.as_bytes().to_vec(),
            repo("testdata/check/advisories/crates/time/RUSTSEC-2020-0071.md"),
            repo("testdata/check/advisories/crates/ansi_term/RUSTSEC-2021-0139.md"),
        ]
    })
}

fn osv_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    samples(&S, || {
        vec![
            OSV_SAMPLE.as_bytes().to_vec(),
            repo("testdata/check/advisories/npm/NSWG-ECO-516.json"),
        ]
    })
}

fn packument_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    samples(&S, || vec![PACKUMENT_SAMPLE.as_bytes().to_vec()])
}

fn sparse_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    samples(&S, || {
        vec![
            SPARSE_SAMPLE.as_bytes().to_vec(),
            CONFIG_JSON_SAMPLE.as_bytes().to_vec(),
        ]
    })
}

fn npmrc_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    samples(&S, || vec![NPMRC_SAMPLE.as_bytes().to_vec()])
}

fn package_json_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    samples(&S, || {
        vec![
            repo("testdata/drift/npm-ws/package.json"),
            repo("testdata/drift/npm-ws/packages/a/package.json"),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// Generators.

/// Fragments inserted by mutations: syntax of every format here, and values that reach edge
/// cases (empty, huge, non-ASCII, `${VAR}` expansion, bad hex and base64).
const FRAGMENTS: &[&str] = &[
    "\n",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "```",
    "```toml\n",
    "\n```\n",
    "[advisory]\n",
    "[versions]\n",
    "patched = [\"\"]\n",
    "patched = [\">= 1.0.0, < 0.1\"]\n",
    "unaffected = [\"*\"]\n",
    "withdrawn = 2099-01-01\n",
    "informational = \"\"\n",
    "cvss = \"CVSS:3.1/AV:N\"\n",
    "\"withdrawn\": \"2099-01-01\",",
    "{\"introduced\": \"\"},",
    "{\"fixed\": \"x\"},",
    "{\"limit\": \"*\"},",
    "{\"unknown\": \"1\"},",
    "\"type\": \"SEMVER\",",
    "\"ecosystem\": \"npm\",",
    "\"integrity\": \"sha512-\",",
    "\"integrity\": \"sha1-AAAA sha512-!!\",",
    "\"shasum\": \"zz\",",
    "\"unpublished\": {},",
    "\"cksum\": \"00\",",
    "\"name\": \"SERDE\",",
    "registry=",
    "registry=${NPM_TOKEN}\n",
    "registry=ftp://x\n",
    "@x:registry=${NPM_TOKEN}\n",
    "//h/:_authToken=${NPM_TOKEN}\n",
    "//H:1/p:_auth=${UNSET}\n",
    "${",
    "${NPM_TOKEN?}",
    "'",
    "\u{feff}",
    "é",
    "null",
    "true",
    "1e999",
    "-1",
    "\"dependencies\": {\"a\": 1},",
    "\"workspaces\": {\"packages\": [\"*\"]},",
    "\"overrides\": {\"a\": {\".\": \"1\"}},",
];

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    FlipByte(Index, u8),
    Insert(Index, &'static str),
    DeleteLine(Index),
    DuplicateLine(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::FlipByte(i, x)),
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        4 => (any::<Index>(), prop::sample::select(FRAGMENTS)).prop_map(|(i, f)| Mutation::Insert(i, f)),
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
    }
}

/// A sample (chosen by index) with one to four mutations applied.
fn mutated(samples: fn() -> &'static [Vec<u8>]) -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..5)).prop_map(move |(i, ms)| {
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

/// Fragments joined by newlines: reaches past the first syntax error.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40)
        .prop_map(|v| v.join("\n").into_bytes())
}

const JSON_KEYS: &[&str] = &[
    "id",
    "modified",
    "published",
    "withdrawn",
    "aliases",
    "summary",
    "details",
    "severity",
    "type",
    "score",
    "affected",
    "package",
    "ecosystem",
    "name",
    "ranges",
    "events",
    "introduced",
    "fixed",
    "last_affected",
    "limit",
    "versions",
    "ecosystem_specific",
    "database_specific",
    "affects",
    "functions",
    "informational",
    "references",
    "url",
    "dist",
    "integrity",
    "shasum",
    "tarball",
    "deprecated",
    "time",
    "unpublished",
    "vers",
    "cksum",
    "yanked",
    "dl",
    "version",
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "optional",
    "workspaces",
    "overrides",
];

const JSON_STRINGS: &[&str] = &[
    "",
    "0",
    "1.0.0",
    "1.3.0",
    "2.0.0-rc.1",
    "*",
    ">=1 <2",
    "x",
    "npm",
    "crates.io",
    "SEMVER",
    "ECOSYSTEM",
    "GIT",
    "left-pad",
    "serde",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:4.0/AV:N",
    "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEkmdRdV1d9XnCH/N0zCH27ynbE38pSxYZTyVwHjoIBwFmg==",
    "sha1-W4o6d2Xf4AEmHd6RVYnngvjJTR4=",
    "5b8a3a7765dfe001261dde915589e782f8c94d1e",
    "5b8a3a7765dfe001261dde915589e782f8c94d1e5b8a3a7765dfe001261dde91",
    "https://example.com/{crate}/{version}",
    "npm:ms@^2",
    "file:../x",
    "unsound",
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

/// A JSON object with the keys of the documents above, so the parsers get past their first
/// check; as one line when `line` (for the sparse index).
fn json_shaped() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((prop::sample::select(JSON_KEYS), json_value()), 0..8),
        any::<bool>(),
    )
        .prop_map(|(kv, line)| {
            let o: serde_json::Map<_, _> = kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let v = serde_json::Value::Object(o);
            if line {
                serde_json::to_vec(&v).expect("a Value serialises")
            } else {
                serde_json::to_vec_pretty(&v).expect("a Value serialises")
            }
        })
}

// ---------------------------------------------------------------------------------------------
// The properties.

#[test]
fn samples_parse_before_mutation() {
    use tollgate_verifier::advisory::import::{FileClass, classify};
    use tollgate_verifier::advisory::parse::{Parsed, parse_osv, parse_rustsec};
    // The mutations start from valid input; a sample that no longer parses would make the
    // mutated properties vacuous.
    for b in rustsec_samples() {
        let t = std::str::from_utf8(b).unwrap();
        let c = classify(Path::new("crates/x/RUSTSEC-2099-0001.md"), t).unwrap();
        assert!(matches!(c, FileClass::RustSec));
        assert!(matches!(parse_rustsec(t, "s"), Ok(Parsed::Records(r)) if r.len() == 1));
    }
    for b in osv_samples() {
        let t = std::str::from_utf8(b).unwrap();
        let FileClass::Osv(v) = classify(Path::new("npm/X-1.json"), t).unwrap() else {
            panic!("not OSV: {t}");
        };
        assert!(matches!(parse_osv(v, "s"), Ok(Parsed::Records(r)) if !r.is_empty()));
    }
    let p =
        tollgate_verifier::registry::npm::parse_packument(PACKUMENT_SAMPLE.as_bytes(), "left-pad")
            .unwrap();
    assert!(matches!(
        p.version("1.3.0"),
        Ok(tollgate_verifier::registry::npm::VersionLookup::Found(v)) if v.digests.len() == 2
    ));
    let v = tollgate_verifier::registry::crates::parse_entry(SPARSE_SAMPLE.as_bytes(), "serde")
        .unwrap();
    assert_eq!(v.len(), 2);
    assert!(
        tollgate_verifier::registry::crates::parse_config(CONFIG_JSON_SAMPLE.as_bytes()).is_ok()
    );
    let env = |k: &str| (k == "NPM_TOKEN").then(|| untrusted::ENV_SECRET.to_owned());
    let rc = tollgate_verifier::registry::npmrc::Npmrc::parse(
        Path::new("fuzz/.npmrc"),
        NPMRC_SAMPLE,
        &env,
    )
    .unwrap();
    assert_eq!(rc.auth.len(), 2);
    for b in package_json_samples() {
        let t = std::str::from_utf8(b).unwrap();
        let m = tollgate_verifier::lockfile::npm_manifest::parse_package_json(
            Path::new("package.json"),
            t,
        )
        .unwrap();
        assert!(!m.deps.is_empty());
    }
    // And the oracles accept them.
    for b in rustsec_samples() {
        untrusted::rustsec(b);
    }
    for b in osv_samples() {
        untrusted::osv(b);
    }
    untrusted::packument(PACKUMENT_SAMPLE.as_bytes());
    untrusted::sparse_index(SPARSE_SAMPLE.as_bytes());
    untrusted::npmrc(NPMRC_SAMPLE.as_bytes());
    for b in package_json_samples() {
        untrusted::package_json(b);
    }
}

#[test]
fn npmrc_registry_from_a_token_is_not_echoed() {
    // A token put where a registry URL belongs is not a URL: the error must say so without
    // showing the token (the oracle panics when the message carries it).
    untrusted::npmrc(b"registry=${NPM_TOKEN}\n");
    untrusted::npmrc(b"@corp:registry=${NPM_TOKEN}\n");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rustsec_never_panics(b in prop_oneof![garbage(), soup(), mutated(rustsec_samples)]) {
        untrusted::rustsec(&b);
    }

    #[test]
    fn osv_never_panics(b in prop_oneof![garbage(), json_shaped(), mutated(osv_samples)]) {
        untrusted::osv(&b);
    }

    #[test]
    fn packument_never_panics(b in prop_oneof![garbage(), json_shaped(), mutated(packument_samples)]) {
        untrusted::packument(&b);
    }

    #[test]
    fn sparse_index_never_panics(b in prop_oneof![garbage(), json_shaped(), mutated(sparse_samples)]) {
        untrusted::sparse_index(&b);
    }

    #[test]
    fn npmrc_never_panics_nor_shows_the_secret(b in prop_oneof![garbage(), soup(), mutated(npmrc_samples)]) {
        untrusted::npmrc(&b);
    }

    #[test]
    fn package_json_never_panics(b in prop_oneof![garbage(), json_shaped(), mutated(package_json_samples)]) {
        untrusted::package_json(&b);
    }
}

//! Generated registries for tests: artifacts, their hashes, lockfiles that pin them, and the
//! registry documents (packuments, sparse index entries, `config.json`) served for them.

#![allow(dead_code)]

use serde_json::json;
use tollgate_verifier::package::{HashAlgorithm, encode_hex};
use tollgate_verifier::registry::compare::{MultiHasher, encode_base64};

use super::server::{Reply, Server};

/// The bytes of a package's artifact (what would be a `.tgz` or `.crate`).
pub fn artifact(name: &str, version: &str) -> Vec<u8> {
    format!("artifact of {name}@{version}\n")
        .repeat(8)
        .into_bytes()
}

fn digest(b: &[u8], alg: HashAlgorithm) -> Vec<u8> {
    let mut h = MultiHasher::new(&[alg]);
    h.update(b);
    h.finish().remove(0).bytes.to_vec()
}

/// `sha512-BASE64`.
pub fn sri512(b: &[u8]) -> String {
    format!(
        "sha512-{}",
        encode_base64(&digest(b, HashAlgorithm::Sha512))
    )
}

/// `sha1-BASE64`.
pub fn sri1(b: &[u8]) -> String {
    format!("sha1-{}", encode_base64(&digest(b, HashAlgorithm::Sha1)))
}

/// SHA-1 in hex (npm `shasum`).
pub fn sha1_hex(b: &[u8]) -> String {
    encode_hex(&digest(b, HashAlgorithm::Sha1))
}

/// SHA-256 in hex (Cargo `checksum` / `cksum`).
pub fn sha256_hex(b: &[u8]) -> String {
    encode_hex(&digest(b, HashAlgorithm::Sha256))
}

/// One npm lock entry.
#[derive(Debug, Clone)]
pub struct NpmEntry {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `resolved` (None: omitted).
    pub resolved: Option<String>,
    /// `integrity` (None: omitted).
    pub integrity: Option<String>,
}

impl NpmEntry {
    /// A registry entry pinned by sha512 of [`artifact`], resolved under `registry`.
    pub fn new(registry: &str, name: &str, version: &str) -> NpmEntry {
        let basename = name.rsplit('/').next().unwrap_or(name);
        NpmEntry {
            name: name.into(),
            version: version.into(),
            resolved: Some(format!(
                "{}/{name}/-/{basename}-{version}.tgz",
                registry.trim_end_matches('/')
            )),
            integrity: Some(sri512(&artifact(name, version))),
        }
    }

    /// With another integrity.
    pub fn integrity(mut self, i: &str) -> NpmEntry {
        self.integrity = Some(i.into());
        self
    }
}

/// A `package-lock.json` v3. Two versions of one name are installed at two paths.
pub fn npm_lock(entries: &[NpmEntry]) -> String {
    let mut packages = serde_json::Map::new();
    let mut deps = serde_json::Map::new();
    let mut seen: Vec<&str> = Vec::new();
    for e in entries {
        deps.insert(e.name.clone(), json!("*"));
    }
    packages.insert(
        String::new(),
        json!({"name": "app", "version": "1.0.0", "dependencies": deps}),
    );
    for e in entries {
        let key = if seen.contains(&e.name.as_str()) {
            format!("node_modules/nested-{}/node_modules/{}", seen.len(), e.name)
        } else {
            format!("node_modules/{}", e.name)
        };
        seen.push(&e.name);
        let mut v = json!({"version": e.version});
        if let Some(r) = &e.resolved {
            v["resolved"] = json!(r);
        }
        if let Some(i) = &e.integrity {
            v["integrity"] = json!(i);
        }
        packages.insert(key, v);
    }
    serde_json::to_string_pretty(&json!({
        "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
        "packages": packages,
    }))
    .unwrap()
}

/// One version in a packument.
#[derive(Debug, Clone, Default)]
pub struct NpmVersion {
    /// Version.
    pub version: String,
    /// `dist.integrity`.
    pub integrity: Option<String>,
    /// `dist.shasum`.
    pub shasum: Option<String>,
    /// `deprecated`.
    pub deprecated: Option<String>,
    /// `dist.tarball`.
    pub tarball: Option<String>,
}

impl NpmVersion {
    /// A version as the public registry publishes it: sha512 integrity and sha1 shasum of
    /// [`artifact`].
    pub fn published(name: &str, version: &str) -> NpmVersion {
        let a = artifact(name, version);
        NpmVersion {
            version: version.into(),
            integrity: Some(sri512(&a)),
            shasum: Some(sha1_hex(&a)),
            deprecated: None,
            tarball: None,
        }
    }
}

/// A packument.
pub fn packument(name: &str, versions: &[NpmVersion]) -> String {
    let mut vs = serde_json::Map::new();
    for v in versions {
        let mut dist = serde_json::Map::new();
        if let Some(i) = &v.integrity {
            dist.insert("integrity".into(), json!(i));
        }
        if let Some(s) = &v.shasum {
            dist.insert("shasum".into(), json!(s));
        }
        if let Some(t) = &v.tarball {
            dist.insert("tarball".into(), json!(t));
        }
        let mut doc = json!({"name": name, "version": v.version, "dist": dist});
        if let Some(d) = &v.deprecated {
            doc["deprecated"] = json!(d);
        }
        vs.insert(v.version.clone(), doc);
    }
    json!({"name": name, "dist-tags": {}, "versions": vs}).to_string()
}

/// The packument path of a name (`/@s%2fa`).
pub fn packument_path(name: &str) -> String {
    format!("/{}", name.replacen('/', "%2f", 1))
}

/// The tarball path of a package (`/@s/a/-/a-1.0.0.tgz`).
pub fn tarball_path(name: &str, version: &str) -> String {
    let basename = name.rsplit('/').next().unwrap_or(name);
    format!("/{name}/-/{basename}-{version}.tgz")
}

/// Serves packuments (with an ETag) and tarballs for `pkgs` (name, versions) on `s`.
pub fn serve_npm(s: &Server, pkgs: &[(&str, &[&str])]) {
    for (name, versions) in pkgs {
        let vs: Vec<NpmVersion> = versions
            .iter()
            .map(|v| NpmVersion::published(name, v))
            .collect();
        s.set(
            &packument_path(name),
            Reply::ok(packument(name, &vs)).header("ETag", &format!("\"{name}-1\"")),
        );
        for v in *versions {
            s.set(&tarball_path(name, v), Reply::ok(artifact(name, v)));
        }
    }
}

/// crates.io's git index as `Cargo.lock` names it.
pub const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// A `Cargo.lock` v3 with a root `app` depending on every crate, each from `source` and pinned
/// by the sha256 of [`artifact`] unless `checksum` says otherwise.
pub fn cargo_lock(crates: &[(&str, &str)], source: &str) -> String {
    cargo_lock_with(
        &crates
            .iter()
            .map(|(n, v)| (*n, *v, sha256_hex(&artifact(n, v))))
            .collect::<Vec<_>>(),
        source,
    )
}

/// Like [`cargo_lock`] with explicit checksums.
pub fn cargo_lock_with(crates: &[(&str, &str, String)], source: &str) -> String {
    let mut s = String::from(
        "# This file is automatically @generated by Cargo.\nversion = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n",
    );
    for (n, v, _) in crates {
        s.push_str(&format!(" \"{n} {v}\",\n"));
    }
    s.push_str("]\n");
    for (n, v, ck) in crates {
        s.push_str(&format!(
            "\n[[package]]\nname = \"{n}\"\nversion = \"{v}\"\nsource = \"{source}\"\nchecksum = \"{ck}\"\n"
        ));
    }
    s
}

/// An index file line.
pub fn index_line(name: &str, version: &str, cksum: &str, yanked: bool) -> String {
    json!({"name": name, "vers": version, "deps": [], "cksum": cksum, "features": {}, "yanked": yanked, "v": 2})
        .to_string()
}

/// The index path of a crate (`/se/rd/serde`).
pub fn index_path(name: &str) -> String {
    format!("/{}", tollgate_verifier::registry::crates::index_path(name))
}

/// Serves a sparse index (`config.json` with a `dl` template, entries with an ETag) and the
/// `.crate` files for `crates` (name, versions) on `s`.
pub fn serve_cargo(s: &Server, crates: &[(&str, &[&str])]) {
    s.set(
        "/config.json",
        Reply::ok(
            json!({"dl": format!("{}/dl/{{lowerprefix}}/{{crate}}/{{crate}}-{{version}}.crate", s.base), "api": s.base})
                .to_string(),
        ),
    );
    for (name, versions) in crates {
        let lines: Vec<String> = versions
            .iter()
            .map(|v| index_line(name, v, &sha256_hex(&artifact(name, v)), false))
            .collect();
        s.set(
            &index_path(name),
            Reply::ok(lines.join("\n") + "\n").header("ETag", &format!("W/\"{name}\"")),
        );
        for v in *versions {
            s.set(&crate_path(name, v), Reply::ok(artifact(name, v)));
        }
    }
}

/// The download path [`serve_cargo`]'s template gives.
pub fn crate_path(name: &str, version: &str) -> String {
    let lower = name.to_lowercase();
    let prefix = tollgate_verifier::registry::crates::prefix(&lower);
    format!("/dl/{prefix}/{name}/{name}-{version}.crate")
}

/// Serves a registry whose records are exactly the pins of `graph`'s registry packages
/// (packuments with the lockfile's `integrity`, index entries with its `checksum`), so that every
/// pinned package verifies, except `tamper`, whose record carries another hash. Returns
/// (packuments, index files) served.
pub fn serve_pins(
    s: &Server,
    graph: &tollgate_verifier::Graph,
    tamper: Option<tollgate_verifier::PackageId>,
) -> (usize, usize) {
    use std::collections::BTreeMap;
    use tollgate_verifier::Ecosystem;
    let mut npm: BTreeMap<String, serde_json::Map<String, serde_json::Value>> = BTreeMap::new();
    let mut crates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, p) in graph.packages() {
        let bundled = p.npm.as_ref().is_some_and(|n| n.in_bundle || n.workspace);
        if p.is_root || !p.source.is_registry() || bundled {
            continue;
        }
        let sum = if Some(id) == tamper {
            Some(match p.ecosystem {
                Ecosystem::Npm => sri512(b"tampered"),
                Ecosystem::Cargo => sha256_hex(b"tampered"),
            })
        } else {
            p.checksum_str().map(|c| c.into_owned())
        };
        match p.ecosystem {
            Ecosystem::Npm => {
                let mut v = json!({"name": p.name, "version": p.version, "dist": {}});
                if let Some(i) = sum {
                    v["dist"]["integrity"] = json!(i);
                }
                let versions = npm.entry(p.name.clone()).or_default();
                // One record per version: a pinned entry over an unpinned one (npm leaves some
                // entries without integrity), the tampered one over any.
                let pinned = |x: &serde_json::Value| x["dist"].get("integrity").is_some();
                let replace = match versions.get(&p.version) {
                    None => true,
                    Some(old) => Some(id) == tamper || (!pinned(old) && pinned(&v)),
                };
                if replace
                    && !versions
                        .get(&p.version)
                        .is_some_and(|o| o["tampered"] == true)
                {
                    let mut v = v;
                    if Some(id) == tamper {
                        v["tampered"] = json!(true);
                    }
                    versions.insert(p.version.clone(), v);
                }
            }
            Ecosystem::Cargo => {
                // An entry without a checksum cannot be served as a valid index line.
                let ck = sum.unwrap_or_else(|| "00".repeat(32));
                crates.entry(p.name.to_lowercase()).or_default().push(
                    json!({"name": p.name, "vers": p.version, "deps": [], "cksum": ck, "features": {}, "yanked": false})
                        .to_string(),
                );
            }
        }
    }
    for (name, versions) in &npm {
        let doc = json!({"name": name, "versions": versions}).to_string();
        s.set(
            &packument_path(name),
            Reply::ok(doc).header("ETag", &format!("\"{}\"", versions.len())),
        );
    }
    for (name, lines) in &crates {
        s.set(
            &index_path(name),
            Reply::ok(lines.join("\n") + "\n").header("ETag", &format!("\"{}\"", lines.len())),
        );
    }
    s.set(
        "/config.json",
        Reply::ok(json!({"dl": format!("{}/dl", s.base)}).to_string()),
    );
    (npm.len(), crates.len())
}

//! Cargo sparse registries: index file paths, index entries (`cksum`, `yanked`) and the
//! `config.json` download template.
//!
//! Reference: the Cargo book, "Registry index" (index format, index files, `config.json`).

use serde::Deserialize;

use crate::package::{Digest, HashAlgorithm, decode_hex};

/// The directory prefix of a crate name, case preserved: `1`, `2`, `3/a`, `ab/cd`.
pub fn prefix(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "1".into(),
        2 => "2".into(),
        3 => format!("3/{}", chars[0]),
        _ => format!(
            "{}/{}",
            chars[..2].iter().collect::<String>(),
            chars[2..4].iter().collect::<String>()
        ),
    }
}

/// The path of a crate's index file (lower-cased, as Cargo requests it): `1/a`, `3/s/syn`,
/// `se/rd/serde`.
pub fn index_path(name: &str) -> String {
    let lower = name.to_lowercase();
    format!("{}/{lower}", prefix(&lower))
}

/// `config.json` of a registry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexConfig {
    /// Download URL or template.
    pub dl: String,
    /// Web API base, if any.
    #[serde(default)]
    pub api: Option<String>,
    /// Whether every request needs a token.
    #[serde(default, rename = "auth-required")]
    pub auth_required: bool,
}

/// Parses `config.json`.
pub fn parse_config(bytes: &[u8]) -> Result<IndexConfig, String> {
    let c: IndexConfig = serde_json::from_slice(bytes).map_err(|e| format!("config.json: {e}"))?;
    if c.dl.trim().is_empty() {
        return Err("config.json: `dl` is empty".into());
    }
    Ok(c)
}

/// The download URL of a crate from the `dl` setting: markers `{crate}`, `{version}`,
/// `{prefix}`, `{lowerprefix}`, `{sha256-checksum}` are replaced; without any marker,
/// `/{crate}/{version}/download` is appended.
pub fn download_url(dl: &str, name: &str, version: &str, sha256_hex: Option<&str>) -> String {
    const MARKERS: [&str; 5] = [
        "{crate}",
        "{version}",
        "{prefix}",
        "{lowerprefix}",
        "{sha256-checksum}",
    ];
    if !MARKERS.iter().any(|m| dl.contains(m)) {
        return format!("{}/{name}/{version}/download", dl.trim_end_matches('/'));
    }
    dl.replace("{crate}", name)
        .replace("{version}", version)
        .replace("{prefix}", &prefix(name))
        .replace("{lowerprefix}", &prefix(&name.to_lowercase()))
        .replace("{sha256-checksum}", sha256_hex.unwrap_or(""))
}

/// One version of a crate in its index file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexVersion {
    /// Name as published (case preserved).
    pub name: String,
    /// Version.
    pub vers: String,
    /// SHA-256 of the `.crate` file.
    pub cksum: Digest,
    /// Yanked.
    pub yanked: bool,
}

#[derive(Deserialize)]
struct RawLine {
    name: String,
    vers: String,
    cksum: String,
    #[serde(default)]
    yanked: Option<bool>,
}

/// Parses an index file (one JSON object per line). `name` is the crate asked for: lines of
/// another crate mean the registry served the wrong file.
pub fn parse_entry(bytes: &[u8], name: &str) -> Result<Vec<IndexVersion>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawLine =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        if !raw.name.eq_ignore_ascii_case(name) {
            return Err(format!(
                "line {}: entry for crate {:?}, expected {name:?}",
                n + 1,
                raw.name
            ));
        }
        let cksum = decode_hex(&raw.cksum)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| format!("line {}: cksum is not 64 hex digits", n + 1))?;
        out.push(IndexVersion {
            name: raw.name,
            vers: raw.vers,
            cksum: Digest {
                algorithm: HashAlgorithm::Sha256,
                bytes: cksum.into(),
            },
            yanked: raw.yanked.unwrap_or(false),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_follow_the_cargo_rules() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("syn"), "3/s/syn");
        assert_eq!(index_path("serde"), "se/rd/serde");
        assert_eq!(index_path("Inflector"), "in/fl/inflector");
        assert_eq!(index_path("MD5"), "3/m/md5");
    }

    #[test]
    fn download_urls_replace_markers() {
        let ck = "ab".repeat(32);
        assert_eq!(
            download_url("https://static.crates.io/crates", "serde", "1.0.0", None),
            "https://static.crates.io/crates/serde/1.0.0/download"
        );
        assert_eq!(
            download_url(
                "https://dl.example/{prefix}/{lowerprefix}/{crate}-{version}.crate?sum={sha256-checksum}",
                "Inflector",
                "0.11.4",
                Some(&ck)
            ),
            format!("https://dl.example/In/fl/in/fl/Inflector-0.11.4.crate?sum={ck}")
        );
    }

    #[test]
    fn accepts_index_lines_and_yanked_flags() {
        let ck = "00".repeat(32);
        let body = format!(
            "{{\"name\":\"Serde\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"{ck}\",\"features\":{{}},\"yanked\":false}}\n\n{{\"name\":\"serde\",\"vers\":\"1.0.1\",\"deps\":[],\"cksum\":\"{ck}\",\"features\":{{}},\"yanked\":true,\"v\":2}}\n"
        );
        let v = parse_entry(body.as_bytes(), "serde").unwrap();
        assert_eq!(v.len(), 2);
        assert!(!v[0].yanked && v[1].yanked);
    }

    #[test]
    fn rejects_bad_lines_naming_the_line() {
        let e = parse_entry(b"{\"name\":\"a\",\"vers\":\"1\",\"cksum\":\"xyz\"}", "a").unwrap_err();
        assert!(e.starts_with("line 1: cksum"), "{e}");
        let e = parse_entry(b"\n{not json", "a").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        let ck = "00".repeat(32);
        let body = format!("{{\"name\":\"b\",\"vers\":\"1\",\"cksum\":\"{ck}\"}}");
        assert!(parse_entry(body.as_bytes(), "a").is_err());
    }
}

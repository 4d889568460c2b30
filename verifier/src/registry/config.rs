//! `[registries]`: the registries packages may come from (read by the `unknown-source` check
//! and by the registry stage), and `[registries.http]`: how `--verify-registry` and
//! `--verify-artifacts` talk to them.

use serde::{Deserialize, Serialize};

use crate::time::Duration;

use super::http::HttpOptions;

/// Default cap on one metadata document (packument, index file): 64 MiB.
pub const DEFAULT_MAX_METADATA_SIZE: u64 = 64 * 1024 * 1024;
/// Default cap on one artifact (`.crate`, `.tgz`): 512 MiB.
pub const DEFAULT_MAX_ARTIFACT_SIZE: u64 = 512 * 1024 * 1024;

/// The most retries `[registries.http] retries` may ask for: with backoff and `Retry-After`, more
/// would let one failing registry hold the gate for hours.
pub const MAX_RETRIES: u32 = 10;

fn bounded_retries<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n > MAX_RETRIES {
        return Err(serde::de::Error::custom(format!(
            "retries = {n} is above the limit of {MAX_RETRIES}"
        )));
    }
    Ok(n)
}

/// `[registries.http]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct HttpConfig {
    /// Requests in flight at most (default 16).
    pub concurrency: usize,
    /// Connect timeout (default `10s`).
    pub connect_timeout: Duration,
    /// Longest pause between two reads of a response (default `30s`).
    pub read_timeout: Duration,
    /// Deadline of one request, body included (default `120s`): also stops a server that
    /// drips bytes.
    pub request_timeout: Duration,
    /// Retries after a 429, 500, 502, 503, 504 or a connection failure (default 3, at most
    /// [`MAX_RETRIES`]).
    #[serde(deserialize_with = "bounded_retries")]
    pub retries: u32,
    /// Longest `Retry-After` honoured (default `60s`).
    pub max_retry_after: Duration,
    /// Largest metadata document (packument, index file, `config.json`) in bytes (default 64 MiB).
    pub max_metadata_size: u64,
    /// Largest artifact (`.crate`, `.tgz`) in bytes (default 512 MiB).
    pub max_artifact_size: u64,
    /// Hosts a redirect may lead to (e.g. a mirror's CDN). Default: none: a redirect to another
    /// host is an error.
    pub redirect_hosts: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            concurrency: 16,
            connect_timeout: Duration(10),
            read_timeout: Duration(30),
            request_timeout: Duration(120),
            retries: 3,
            max_retry_after: Duration(60),
            max_metadata_size: DEFAULT_MAX_METADATA_SIZE,
            max_artifact_size: DEFAULT_MAX_ARTIFACT_SIZE,
            redirect_hosts: Vec::new(),
        }
    }
}

fn secs(d: Duration) -> std::time::Duration {
    std::time::Duration::from_secs(d.0.max(0) as u64)
}

impl HttpConfig {
    /// The client options this config describes (timeouts of `0s` mean one millisecond, never
    /// "no timeout").
    pub fn options(&self) -> HttpOptions {
        let t = |d: Duration| secs(d).max(std::time::Duration::from_millis(1));
        HttpOptions {
            concurrency: self.concurrency.max(1),
            connect_timeout: t(self.connect_timeout),
            read_timeout: t(self.read_timeout),
            request_timeout: t(self.request_timeout),
            retries: self.retries,
            max_retry_after: secs(self.max_retry_after),
            redirect_hosts: self.redirect_hosts.clone(),
            ..HttpOptions::default()
        }
    }
}

/// `[registries]`: the registries packages may come from (and that `--verify-registry` asks).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RegistriesConfig {
    /// Allow each ecosystem's public registry (crates.io's git and sparse index,
    /// `registry.npmjs.org`). Default `true`.
    pub public: bool,
    /// Further allowed npm registries (base URLs, e.g. `https://npm.corp.example/`).
    pub npm: Vec<String>,
    /// Further allowed Cargo registries (index URLs as the lockfile writes them, with or without
    /// the `registry+` / `sparse+` prefix).
    pub cargo: Vec<String>,
    /// npm scoped registries (`"@corp" = "https://npm.corp.example/"`), as in `.npmrc`
    /// (`@corp:registry=…`). A package of such a scope must resolve from its registry
    /// (dependency confusion); the registry is allowed for that scope.
    pub scopes: std::collections::BTreeMap<String, String>,
    // --- where `--verify-registry` / `--verify-artifacts` fetch from (see crate::registry) ---
    /// The npm registry asked for unscoped packages (and scopes without a registry of their
    /// own). Beats `.npmrc`'s `registry=` and the lockfile's `resolved` URLs; the
    /// `--registry-url-npm` flag beats it.
    pub npm_url: Option<String>,
    /// The sparse index asked for crates.io packages (default `https://index.crates.io/`); the
    /// `--registry-url-cargo` flag beats it.
    pub cargo_url: Option<String>,
    /// Mirrors: a registry as the lockfile names it → where to fetch it instead
    /// (`"https://registry.npmjs.org/" = "https://npm.mirror.example/"`,
    /// `"registry+https://git.corp/index" = "sparse+https://cargo.corp/index/"`).
    pub mirrors: std::collections::BTreeMap<String, String>,
    /// HTTP cache directory (default: the user cache directory, `tollgate/registry`).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Local artifact caches read before downloading: plain directories of `.crate` / `.tgz`
    /// files, Cargo's `~/.cargo/registry/cache`, npm's `~/.npm/_cacache`.
    pub artifact_caches: Vec<std::path::PathBuf>,
    /// `[registries.http]`: concurrency, timeouts, retries, size caps, redirects.
    pub http: HttpConfig,
}

impl Default for RegistriesConfig {
    fn default() -> Self {
        RegistriesConfig {
            public: true,
            npm: Vec::new(),
            cargo: Vec::new(),
            scopes: Default::default(),
            npm_url: None,
            cargo_url: None,
            mirrors: Default::default(),
            cache_dir: None,
            artifact_caches: Vec::new(),
            http: Default::default(),
        }
    }
}

/// The public registries allowed by default.
pub mod public {
    /// crates.io's git index, as `Cargo.lock` names it (without `registry+`).
    pub const CRATES_IO_GIT: &str = "https://github.com/rust-lang/crates.io-index";
    /// crates.io's sparse index, as `Cargo.lock` names it (without `sparse+`).
    pub const CRATES_IO_SPARSE: &str = "https://index.crates.io/";
    /// The public npm registry.
    pub const NPM: &str = "https://registry.npmjs.org/";
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::policy::Config;
    use crate::policy::config::DEFAULT_CONFIG_TEMPLATE;

    /// The registry keys the `tollgate init` template shows, uncommented, parse.
    #[test]
    fn accepts_the_template_keys_uncommented() {
        let start = DEFAULT_CONFIG_TEMPLATE
            .find("# Where `check --verify-registry`")
            .unwrap();
        let end = DEFAULT_CONFIG_TEMPLATE.find("# redirect-hosts").unwrap();
        let mut text = String::from("[registries]\n");
        for line in DEFAULT_CONFIG_TEMPLATE[start..].lines() {
            let l = line.trim_start_matches("# ");
            if l.contains('=') || l.starts_with('[') {
                text.push_str(l);
                text.push('\n');
            }
            if line.starts_with("# redirect-hosts") {
                break;
            }
        }
        assert!(end > start);
        let c = Config::parse(Path::new("t.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let r = &c.registries;
        assert_eq!(r.npm_url.as_deref(), Some("https://npm.mirror.example/"));
        assert_eq!(r.http.request_timeout, crate::time::Duration(120));
        assert_eq!(r.http.concurrency, 16);
        assert_eq!(r.mirrors.len(), 1);
        assert_eq!(r.artifact_caches.len(), 1);
    }

    #[test]
    fn rejects_unknown_http_keys_and_bad_durations() {
        let e = Config::parse(Path::new("t.toml"), "[registries.http]\nretry = 1\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            Config::parse(
                Path::new("t.toml"),
                "[registries.http]\nread-timeout = \"soon\"\n"
            )
            .is_err()
        );
        let c = Config::parse(
            Path::new("t.toml"),
            "[registries.http]\nconcurrency = 0\nread-timeout = \"0s\"\n",
        )
        .unwrap();
        let o = c.registries.http.options();
        assert_eq!(o.concurrency, 1, "0 means 1, not unbounded");
        assert!(
            o.read_timeout > std::time::Duration::ZERO,
            "0s means 1 ms, not no timeout"
        );
    }

    #[test]
    fn retries_are_bounded() {
        let e =
            Config::parse(Path::new("t.toml"), "[registries.http]\nretries = 1000\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 11), "{e}");
        assert!(e.message.contains("above the limit of 10"), "{e}");
        let c = Config::parse(Path::new("t.toml"), "[registries.http]\nretries = 10\n").unwrap();
        assert_eq!(c.registries.http.retries, 10);
    }
}

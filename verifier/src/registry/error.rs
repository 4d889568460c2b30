//! Errors of registry and artifact verification: "we could not look" (exit 2), never a finding.
//!
//! Which faults are errors and which are findings (the documented contract):
//! - a 404 / 410 / 451 for a package, or a version missing from its record → `not-found` finding;
//! - a 5xx or 429 after the retries, a connection failure, a timeout (connect, read, or the whole
//!   request), a truncated or oversized body, invalid JSON or UTF-8, a redirect to another host,
//!   a 401 / 403, or a record missing from the cache with `--offline` → an error naming the
//!   package and the URL. The run stops: a verification that could not be made is never a pass.

use std::fmt;
use std::path::PathBuf;

/// What went wrong with one HTTP exchange (or one local read standing in for it).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// The server answered with this status after every retry (5xx, 429) or with a status that
    /// is never retried (401, 403, other 4xx, 3xx without `Location`).
    Status(u16),
    /// No connection could be made, or it broke before a response arrived.
    Connect(String),
    /// The request took longer than the configured timeout (connect, read or total).
    Timeout(String),
    /// The body ended before `Content-Length` bytes, or the connection broke mid-body.
    Truncated(String),
    /// The body is larger than the cap (`Content-Length` or bytes received).
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The body is not valid JSON (or not the expected shape), with the place.
    InvalidJson(String),
    /// A redirect to another host (or a downgrade to `http://`) was refused.
    Redirect {
        /// The redirect target (redacted).
        to: String,
    },
    /// Too many redirects.
    TooManyRedirects,
    /// `--offline` and the record is not in the cache.
    Offline,
    /// A local artifact cache file could not be read.
    Io(String),
    /// Not attempted: another fetch failed first and the run stopped.
    Cancelled,
}

impl fmt::Display for FetchErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchErrorKind::Status(s) => match s {
                401 | 403 => write!(
                    f,
                    "HTTP {s}: the registry refused access (private registry? set a token in .npmrc)"
                ),
                429 => write!(f, "HTTP 429 Too Many Requests after every retry"),
                500..=599 => write!(f, "HTTP {s} after every retry"),
                _ => write!(f, "unexpected HTTP {s}"),
            },
            FetchErrorKind::Connect(m) => write!(f, "connection failed: {m}"),
            FetchErrorKind::Timeout(m) => write!(f, "timed out: {m}"),
            FetchErrorKind::Truncated(m) => write!(f, "truncated response: {m}"),
            FetchErrorKind::TooLarge { limit } => write!(
                f,
                "response larger than the {limit}-byte limit (raise it in [registries.http])"
            ),
            FetchErrorKind::InvalidJson(m) => write!(f, "invalid response: {m}"),
            FetchErrorKind::Redirect { to } => write!(
                f,
                "refused a redirect to {to} (another host, or https to http); allow the host with [registries.http] redirect-hosts if it is trusted"
            ),
            FetchErrorKind::TooManyRedirects => write!(f, "too many redirects"),
            FetchErrorKind::Offline => write!(f, "not in the cache and --offline is set"),
            FetchErrorKind::Io(m) => write!(f, "{m}"),
            FetchErrorKind::Cancelled => write!(f, "not attempted: another fetch failed first"),
        }
    }
}

/// One failed fetch: which package, which URL (redacted), what happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{package}: {url}: {kind}")]
pub struct FetchError {
    /// The package (or packages: `serde@1.0.0, serde@1.0.1`) the fetch was for.
    pub package: String,
    /// The URL (credentials redacted) or local path.
    pub url: String,
    /// What went wrong.
    pub kind: FetchErrorKind,
}

/// An error of the registry stage. Every variant means "could not verify": exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// One or more fetches failed (sorted by package); the first is shown, with a count.
    #[error("registry verification failed: {}", describe(errors))]
    Fetch {
        /// Every failure, at least one.
        errors: Vec<FetchError>,
    },
    /// A registry URL from flags, environment, `tollgate.toml` or `.npmrc` is not usable.
    #[error("{origin}: {message}")]
    Config {
        /// Where the setting came from (`--registry-url-npm`, `tollgate.toml [registries] npm-url`, a `.npmrc` path and line).
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A local file (`.npmrc`, the cache directory) could not be read.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The HTTP client or runtime could not start.
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

fn describe(errors: &[FetchError]) -> String {
    match errors {
        [] => "no fetch error recorded".into(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more failed fetch(es))", rest.len()),
    }
}

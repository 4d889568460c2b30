//! The HTTP client of the registry stage: bounded concurrency, timeouts, retries with backoff
//! and jitter, size caps, same-host redirects only, credentials only to their own host, and the
//! ETag / Last-Modified cache.
//!
//! Policy, in one place:
//! - **Concurrency**: at most `concurrency` requests in flight (a semaphore held per attempt,
//!   released while backing off).
//! - **Timeouts**: connect, read (idle between two reads) and a whole-request deadline that also
//!   bounds a server dripping bytes slowly. A timeout is not retried.
//! - **Retries**: only 429, 500, 502, 503, 504 and connection failures before a response, up to
//!   `retries` times, after `min(Retry-After, max-retry-after)` (delta-seconds) or an
//!   exponential backoff with equal jitter. Nothing is retried once a body has started: a
//!   truncated body is an error.
//! - **Sizes**: a `Content-Length` over the cap fails at once; bytes beyond the cap fail while
//!   streaming. A body shorter than its `Content-Length` is an error, never a partial success.
//! - **Redirects** are followed by hand (at most 5) only within the same scheme, host and port,
//!   or to a host listed in `redirect-hosts`; never from https to http. Anything else is an error.
//! - **Credentials** (`.npmrc`) are attached per hop, only to URLs under their own prefix, and
//!   only over https (or to a loopback address).
//! - **Cache**: see [`super::cache`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use super::cache::{CachedEntry, HttpCache};
use super::error::FetchErrorKind;
use super::npmrc::{AuthEntry, Credential, credential_for};

/// Tuning of the HTTP client (see `[registries.http]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOptions {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest pause between two reads.
    pub read_timeout: Duration,
    /// Deadline of one attempt, body included.
    pub request_timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff delay (doubled per retry).
    pub backoff_base: Duration,
    /// Longest backoff delay.
    pub backoff_max: Duration,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: Duration,
    /// Hosts a redirect may lead to besides the requested one.
    pub redirect_hosts: Vec<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            concurrency: 16,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(120),
            retries: 3,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            redirect_hosts: Vec::new(),
        }
    }
}

/// Counters of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpStats {
    /// Requests sent (every attempt and every redirect hop).
    pub requests: u64,
    /// Retries after 429 / 5xx / connection failures.
    pub retries: u64,
    /// The delays waited before each retry, in order of occurrence.
    pub retry_delays: Vec<Duration>,
    /// Cache entries revalidated by a `304`.
    pub not_modified: u64,
    /// Cache entries used without asking (`--offline`).
    pub offline_hits: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Cache writes that failed (the run goes on without caching).
    pub cache_write_errors: Vec<String>,
}

/// The outcome of a successful exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got<T> {
    /// The record.
    Found(T),
    /// The server says there is no such record (404, 410, 451): the status.
    NotFound(u16),
}

use crate::net::{MAX_REDIRECTS, describe};

/// The client.
pub struct Client {
    inner: reqwest::Client,
    opts: HttpOptions,
    auth: Vec<AuthEntry>,
    cache: Option<HttpCache>,
    offline: bool,
    permits: tokio::sync::Semaphore,
    stats: Mutex<HttpStats>,
    cancelled: AtomicBool,
    seed: u64,
}

enum Failure {
    Retry(FetchErrorKind, Option<Duration>),
    Fatal(FetchErrorKind),
}

enum Exchange {
    Body {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    NotModified,
    NotFound(u16),
}

fn is_loopback(u: &Url) -> bool {
    let Some(h) = u.host_str() else { return false };
    let h = h.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// `Retry-After` as delta-seconds. HTTP-dates are not honoured (that would need the clock);
/// the exponential backoff applies instead.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

impl Client {
    /// Builds a client. `cache: None` disables caching; `offline` answers from the cache only.
    pub fn new(
        opts: HttpOptions,
        auth: Vec<AuthEntry>,
        cache: Option<HttpCache>,
        offline: bool,
    ) -> Result<Client, String> {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.connect_timeout)
            .read_timeout(opts.read_timeout)
            .pool_max_idle_per_host(opts.concurrency.max(1))
            .user_agent(crate::net::USER_AGENT)
            .build()
            .map_err(describe)?;
        let seed = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(0x746f_6c6c_6761_7465);
            h.finish() | 1
        };
        Ok(Client {
            inner,
            permits: tokio::sync::Semaphore::new(opts.concurrency.max(1)),
            opts,
            auth,
            cache,
            offline,
            stats: Mutex::new(HttpStats::default()),
            cancelled: AtomicBool::new(false),
            seed,
        })
    }

    /// Stops every exchange that has not started (after a fatal error elsewhere).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// `true` once [`Client::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// `--offline`.
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// The counters so far.
    pub fn stats(&self) -> HttpStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn stat(&self, f: impl FnOnce(&mut HttpStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .opts
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.opts.backoff_max);
        // Equal jitter: half fixed, half pseudo-random (xorshift over a per-run random seed).
        let mut x = self.seed ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let half = exp / 2;
        let nanos = half.as_nanos().max(1) as u64;
        half + Duration::from_nanos(x % nanos)
    }

    /// GETs a metadata document (JSON or index lines) of at most `max` bytes, through the cache.
    pub async fn get_document(
        &self,
        url: &str,
        accept: &str,
        max: u64,
    ) -> Result<Got<Vec<u8>>, FetchErrorKind> {
        let cached = self.cache.as_ref().and_then(|c| c.load(url, accept, max));
        if self.offline {
            return match cached {
                Some(e) => {
                    self.stat(|s| s.offline_hits += 1);
                    Ok(Got::Found(e.body))
                }
                None => Err(FetchErrorKind::Offline),
            };
        }
        let mut body = Vec::new();
        let outcome = self
            .fetch(url, Some(accept), cached.as_ref(), max, &mut |b| {
                body.extend_from_slice(b)
            })
            .await?;
        match outcome {
            Exchange::NotModified => match cached {
                Some(e) => {
                    self.stat(|s| s.not_modified += 1);
                    Ok(Got::Found(e.body))
                }
                None => Err(FetchErrorKind::Status(304)),
            },
            Exchange::NotFound(s) => {
                if let Some(c) = &self.cache {
                    c.remove(url, accept);
                }
                Ok(Got::NotFound(s))
            }
            Exchange::Body {
                etag,
                last_modified,
            } => {
                if let Some(c) = &self.cache {
                    let entry = CachedEntry {
                        etag,
                        last_modified,
                        body,
                    };
                    if let Err(e) = c.store(url, accept, &entry) {
                        self.stat(|s| s.cache_write_errors.push(e));
                    }
                    return Ok(Got::Found(entry.body));
                }
                Ok(Got::Found(body))
            }
        }
    }

    /// Streams a file of at most `max` bytes into `sink`; returns its length. Never cached.
    pub async fn stream(
        &self,
        url: &str,
        max: u64,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<Got<u64>, FetchErrorKind> {
        if self.offline {
            return Err(FetchErrorKind::Offline);
        }
        let mut len = 0u64;
        let outcome = self
            .fetch(url, None, None, max, &mut |b| {
                len += b.len() as u64;
                sink(b)
            })
            .await?;
        match outcome {
            Exchange::Body { .. } => Ok(Got::Found(len)),
            Exchange::NotFound(s) => Ok(Got::NotFound(s)),
            Exchange::NotModified => Err(FetchErrorKind::Status(304)),
        }
    }

    async fn fetch(
        &self,
        url: &str,
        accept: Option<&str>,
        cached: Option<&CachedEntry>,
        max: u64,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<Exchange, FetchErrorKind> {
        let start =
            Url::parse(url).map_err(|e| FetchErrorKind::Connect(format!("bad URL: {e}")))?;
        if !matches!(start.scheme(), "http" | "https") {
            return Err(FetchErrorKind::Connect(format!(
                "unsupported URL scheme {:?}",
                start.scheme()
            )));
        }
        let mut attempt: u32 = 0;
        loop {
            if self.is_cancelled() {
                return Err(FetchErrorKind::Cancelled);
            }
            let result = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| FetchErrorKind::Cancelled)?;
                match tokio::time::timeout(
                    self.opts.request_timeout,
                    self.attempt(&start, accept, cached, max, sink),
                )
                .await
                {
                    Ok(r) => r,
                    Err(_) => Err(Failure::Fatal(FetchErrorKind::Timeout(format!(
                        "no complete response within {:?}",
                        self.opts.request_timeout
                    )))),
                }
            };
            match result {
                Ok(x) => return Ok(x),
                Err(Failure::Fatal(k)) => return Err(k),
                Err(Failure::Retry(k, after)) => {
                    if attempt >= self.opts.retries {
                        return Err(k);
                    }
                    let delay = match after {
                        Some(d) => d.min(self.opts.max_retry_after),
                        None => self.backoff(attempt),
                    };
                    self.stat(|s| {
                        s.retries += 1;
                        s.retry_delays.push(delay);
                    });
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    fn redirect_allowed(&self, from: &Url, to: &Url) -> bool {
        crate::net::redirect_allowed(from, to, &self.opts.redirect_hosts)
    }

    async fn attempt(
        &self,
        start: &Url,
        accept: Option<&str>,
        cached: Option<&CachedEntry>,
        max: u64,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<Exchange, Failure> {
        let mut url = start.clone();
        let mut hops = 0usize;
        let mut resp = loop {
            let mut req = self.inner.get(url.clone());
            if let Some(a) = accept {
                req = req.header(header::ACCEPT, a);
            }
            if let Some(c) = cached {
                if let Some(e) = c
                    .etag
                    .as_deref()
                    .and_then(|v| HeaderValue::from_str(v).ok())
                {
                    req = req.header(header::IF_NONE_MATCH, e);
                }
                if let Some(l) = c
                    .last_modified
                    .as_deref()
                    .and_then(|v| HeaderValue::from_str(v).ok())
                {
                    req = req.header(header::IF_MODIFIED_SINCE, l);
                }
            }
            if (url.scheme() == "https" || is_loopback(&url))
                && let Some(cred) = credential_for(&self.auth, &url)
            {
                let value = match cred {
                    Credential::Bearer(s) => format!("Bearer {}", s.expose()),
                    Credential::Basic(s) => format!("Basic {}", s.expose()),
                };
                if let Ok(mut v) = HeaderValue::from_str(&value) {
                    v.set_sensitive(true);
                    req = req.header(header::AUTHORIZATION, v);
                }
            }
            self.stat(|s| s.requests += 1);
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => {
                    return Err(Failure::Fatal(FetchErrorKind::Timeout(describe(e))));
                }
                Err(e) => return Err(Failure::Retry(FetchErrorKind::Connect(describe(e)), None)),
            };
            if !resp.status().is_redirection() || resp.status() == StatusCode::NOT_MODIFIED {
                break resp;
            }
            let status = resp.status().as_u16();
            let Some(loc) = header_str(resp.headers(), header::LOCATION) else {
                return Err(Failure::Fatal(FetchErrorKind::Status(status)));
            };
            let next = url.join(&loc).map_err(|_| {
                Failure::Fatal(FetchErrorKind::Redirect {
                    to: crate::redact::redact_url(&loc),
                })
            })?;
            if !self.redirect_allowed(&url, &next) {
                return Err(Failure::Fatal(FetchErrorKind::Redirect {
                    to: crate::redact::redact_url(next.as_str()),
                }));
            }
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Failure::Fatal(FetchErrorKind::TooManyRedirects));
            }
            url = next;
        };
        let status = resp.status();
        match status.as_u16() {
            200 | 203 => {}
            304 if cached.is_some() => return Ok(Exchange::NotModified),
            404 | 410 | 451 => return Ok(Exchange::NotFound(status.as_u16())),
            429 | 500 | 502 | 503 | 504 => {
                return Err(Failure::Retry(
                    FetchErrorKind::Status(status.as_u16()),
                    retry_after(resp.headers()),
                ));
            }
            s => return Err(Failure::Fatal(FetchErrorKind::Status(s))),
        }
        let etag = header_str(resp.headers(), header::ETAG);
        let last_modified = header_str(resp.headers(), header::LAST_MODIFIED);
        let declared = resp.content_length();
        if declared.is_some_and(|n| n > max) {
            return Err(Failure::Fatal(FetchErrorKind::TooLarge { limit: max }));
        }
        let mut got = 0u64;
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    got += c.len() as u64;
                    if got > max {
                        return Err(Failure::Fatal(FetchErrorKind::TooLarge { limit: max }));
                    }
                    sink(&c);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Err(Failure::Fatal(FetchErrorKind::Timeout(describe(e))));
                }
                Err(e) => {
                    return Err(Failure::Fatal(FetchErrorKind::Truncated(format!(
                        "after {got} bytes: {}",
                        describe(e)
                    ))));
                }
            }
        }
        if let Some(n) = declared
            && n != got
        {
            return Err(Failure::Fatal(FetchErrorKind::Truncated(format!(
                "{got} of {n} bytes"
            ))));
        }
        self.stat(|s| s.bytes += got);
        Ok(Exchange::Body {
            etag,
            last_modified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_retry_after_seconds_only() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        let c = Client::new(HttpOptions::default(), Vec::new(), None, false).unwrap();
        for a in 0..20 {
            let d = c.backoff(a);
            assert!(d <= c.opts.backoff_max, "{a}: {d:?}");
            let exp = c
                .opts
                .backoff_base
                .saturating_mul(1 << a.min(16))
                .min(c.opts.backoff_max);
            assert!(d >= exp / 2, "{a}: {d:?}");
        }
    }

    #[test]
    fn refuses_cross_host_and_downgrade_redirects() {
        let o = HttpOptions {
            redirect_hosts: vec!["cdn.example".into()],
            ..HttpOptions::default()
        };
        let c = Client::new(o, Vec::new(), None, false).unwrap();
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(c.redirect_allowed(&u("https://r.example/a"), &u("https://r.example/b")));
        assert!(c.redirect_allowed(&u("https://r.example/a"), &u("https://cdn.example/b")));
        assert!(!c.redirect_allowed(&u("https://r.example/a"), &u("https://evil.example/b")));
        assert!(!c.redirect_allowed(&u("https://r.example/a"), &u("http://r.example/b")));
        assert!(!c.redirect_allowed(&u("http://127.0.0.1:1/a"), &u("http://127.0.0.1:2/a")));
    }
}

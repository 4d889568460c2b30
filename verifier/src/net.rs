//! One HTTP policy for every download tollgate makes — registry records and artefacts
//! (`registry::http`) and advisory archives (`advisory::update`): the same redirect rule, the same
//! redirect limit, the same user agent and the same error text.
//!
//! Redirects: never from https to anything else, only to http(s), and only to the host (scheme,
//! host and port) that was asked, unless the user listed the target host. reqwest's default
//! (ten hops to any host, https to http allowed) would let a compromised mirror hand a download
//! to a host nobody trusted.

use reqwest::Url;

/// Redirect hops followed at most.
pub const MAX_REDIRECTS: usize = 5;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!(
    "tollgate/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/tollgate-dev/tollgate)"
);

/// `true` when a redirect from `from` to `to` may be followed: same scheme, host and port (or an
/// upgrade to https on the default port of the same host), or a host in `extra_hosts`
/// (compared case-insensitively); never https → http.
pub fn redirect_allowed(from: &Url, to: &Url, extra_hosts: &[String]) -> bool {
    if from.scheme() == "https" && to.scheme() != "https" {
        return false;
    }
    if !matches!(to.scheme(), "http" | "https") {
        return false;
    }
    let same_host = from.host_str() == to.host_str();
    let same = same_host
        && ((from.scheme() == to.scheme()
            && from.port_or_known_default() == to.port_or_known_default())
            // An upgrade to https on the same host (the usual `http://` → `https://` hop).
            || (from.scheme() == "http" && to.scheme() == "https" && to.port().is_none()));
    same || to
        .host_str()
        .is_some_and(|h| extra_hosts.iter().any(|a| a.eq_ignore_ascii_case(h)))
}

/// The redirect policy for a reqwest client that follows redirects itself (the blocking
/// download of advisory archives): [`redirect_allowed`] at every hop, at most
/// [`MAX_REDIRECTS`] hops. A refusal names the target, redacted.
pub fn reqwest_policy(extra_hosts: Vec<String>) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(RedirectRefused(format!(
                "more than {MAX_REDIRECTS} redirects"
            )));
        }
        let allowed = attempt
            .previous()
            .last()
            .is_some_and(|from| redirect_allowed(from, attempt.url(), &extra_hosts));
        if allowed {
            attempt.follow()
        } else {
            let to = crate::redact::redact_url(attempt.url().as_str());
            attempt.error(RedirectRefused(format!(
                "refused a redirect to {to} (another host, or https to http); allow the host with --redirect-host if it is trusted"
            )))
        }
    })
}

/// Why a redirect was not followed (the error reqwest's policy reports).
#[derive(Debug)]
struct RedirectRefused(String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// A reqwest error as one line with its causes, without the URL (the caller names it,
/// redacted).
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn same_host_only_unless_listed_and_never_downgraded() {
        let none: &[String] = &[];
        assert!(redirect_allowed(
            &u("https://a.example/x"),
            &u("https://a.example/y"),
            none
        ));
        assert!(redirect_allowed(
            &u("http://a.example/x"),
            &u("https://a.example/y"),
            none
        ));
        assert!(!redirect_allowed(
            &u("https://a.example/x"),
            &u("https://b.example/y"),
            none
        ));
        assert!(!redirect_allowed(
            &u("https://a.example/x"),
            &u("http://a.example/y"),
            none
        ));
        assert!(!redirect_allowed(
            &u("https://a.example/"),
            &u("https://a.example:8443/"),
            none
        ));
        assert!(!redirect_allowed(
            &u("https://a.example/"),
            &u("file:///etc/passwd"),
            none
        ));
        let listed = ["B.example".to_owned()];
        assert!(redirect_allowed(
            &u("https://a.example/x"),
            &u("https://b.example/y"),
            &listed
        ));
        assert!(!redirect_allowed(
            &u("https://a.example/x"),
            &u("http://b.example/y"),
            &listed
        ));
    }
}

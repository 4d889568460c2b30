//! Redaction of credentials in URLs: every output goes through here before showing a URL, and
//! `gate::scrub_finding` runs [`redact_all`] over every finding of a gate run, whatever stage
//! made it.

/// Replaces user-info passwords and token-like query parameters with `***`.
pub fn redact_url(s: &str) -> String {
    // Without user-info (an `@` before the path) or a `key=value` there is nothing to redact:
    // the common case (`https://registry.npmjs.org/@scope/a/-/a-1.0.0.tgz`), kept cheap because
    // renderers call this for every package.
    let authority = s.find("://").map_or("", |i| {
        let rest = &s[i + 3..];
        &rest[..authority_end(rest)]
    });
    if !authority.contains('@') && !s.contains('=') {
        return s.to_owned();
    }
    let mut out = s.to_owned();
    // user:password@host  (also user@host where "user" is a token)
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = rest_start + authority_end(&out[rest_start..]);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let at = rest_start + at;
            out.replace_range(rest_start..at, "***");
        }
    }
    // ?token=…, &_authToken=…, access_token, password, secret, key, sig …
    if !out.contains('=') {
        return out; // no key=value: nothing more to redact (and the common case: keep it cheap)
    }
    let lower = out.to_ascii_lowercase();
    let keys = [
        "_authtoken=",
        "authtoken=",
        "token=",
        "access_token=",
        "password=",
        "passwd=",
        "secret=",
        "api_key=",
        "apikey=",
        "sig=",
        "signature=",
        "auth=",
        "_auth=",
    ];
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for k in keys {
        let mut from = 0;
        while let Some(i) = lower[from..].find(k) {
            let start = from + i;
            let boundary = start == 0
                || matches!(
                    lower.as_bytes()[start - 1],
                    b'?' | b'&' | b';' | b'/' | b':' | b'#'
                );
            let vstart = start + k.len();
            let vend = lower[vstart..]
                .find(['&', '#', ';', ' ', '/'])
                .map(|j| vstart + j)
                .unwrap_or(lower.len());
            if boundary && vend > vstart {
                ranges.push((vstart, vend));
            }
            from = vstart;
        }
    }
    ranges.sort_unstable();
    ranges.dedup();
    for (a, b) in ranges.into_iter().rev() {
        out.replace_range(a..b, "***");
    }
    out
}

/// Query and fragment keys whose value is a secret.
const SECRET_KEYS: [&str; 13] = [
    "_authtoken",
    "authtoken",
    "token",
    "access_token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "sig",
    "signature",
    "auth",
    "_auth",
];

/// The index of the first `://` (found through the `:`s, with `memchr`: this runs for every URL
/// of every package).
pub(crate) fn scheme_end(s: &str) -> Option<usize> {
    memchr::memchr_iter(b':', s.as_bytes()).find(|&i| s[i..].starts_with("://"))
}

/// The end of a URL's authority in `rest` (the text after `://`): the first `/`, `?` or `#`.
pub(crate) fn authority_end(rest: &str) -> usize {
    memchr::memchr3(b'/', b'?', b'#', rest.as_bytes()).unwrap_or(rest.len())
}

/// Splits `rest` (the text after `://`) into `host[:port]` without user-info and the path
/// without query or fragment. One place for the URL pieces the checks compare.
pub(crate) fn split_authority(rest: &str) -> (&str, &str) {
    let end = authority_end(rest);
    let authority = &rest[..end];
    let hostport =
        memchr::memrchr(b'@', authority.as_bytes()).map_or(authority, |i| &authority[i + 1..]);
    let tail = &rest[end..];
    let path = &tail[..memchr::memchr2(b'?', b'#', tail.as_bytes()).unwrap_or(tail.len())];
    (hostport, path)
}

/// What kind of credential a URL carries, if any: `"password"` (`user:password@`), `"token"`
/// (`https://TOKEN@host`: a user name on an HTTP URL is how tokens are usually passed) or
/// `"query"` (`?token=…`, `_authToken=…`, …). An `ssh://git@host` user name is not a secret.
pub fn credential_kind(s: &str) -> Option<&'static str> {
    // Called for every URL of every package: no allocation unless a query may hold a secret.
    if let Some(scheme_end) = scheme_end(s) {
        let scheme = &s[..scheme_end];
        let rest = &s[scheme_end + 3..];
        let authority = &rest[..authority_end(rest)];
        if let Some(at) = memchr::memrchr(b'@', authority.as_bytes()) {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((_, pw)) if !pw.is_empty() => return Some("password"),
                _ => {
                    let ends_ssh = scheme.len() >= 3
                        && scheme.is_char_boundary(scheme.len() - 3)
                        && scheme[scheme.len() - 3..].eq_ignore_ascii_case("ssh");
                    let ssh = ends_ssh || scheme.eq_ignore_ascii_case("git");
                    if !ssh && !userinfo.is_empty() {
                        return Some("token");
                    }
                }
            }
        }
    }
    // A query secret needs an `=`: most URLs have none.
    memchr::memchr(b'=', s.as_bytes())?;
    // Over bytes, keys compared case-insensitively in place: no lower-cased copy of the URL and
    // no per-character decoding (this runs for every URL of every package).
    let has_query_secret = s
        .as_bytes()
        .split(|b| matches!(b, b'?' | b'&' | b';' | b'#'))
        .skip(1)
        .filter_map(|kv| {
            let eq = memchr::memchr(b'=', kv)?;
            Some((&kv[..eq], &kv[eq + 1..]))
        })
        .any(|(k, v)| {
            let k = k.rsplit(|&b| b == b':').next().unwrap_or(k);
            !v.is_empty()
                && SECRET_KEYS
                    .iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(k))
        });
    has_query_secret.then_some("query")
}

/// Redacts every URL inside free text (whitespace- and quote-separated words).
pub fn redact_all(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&redact_word(word));
            word.clear();
        }
    };
    for c in s.chars() {
        if c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '(' | ')' | '<' | '>' | ',') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn redact_word(w: &str) -> String {
    // `name@https://u:p@host/…`: redact from the first URL on.
    match w.find("://") {
        Some(i) => {
            let start = w[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
                .map_or(0, |j| j + 1);
            format!("{}{}", &w[..start], redact_url(&w[start..]))
        }
        None => redact_url(w),
    }
}

#[cfg(test)]
mod tests {
    use super::{credential_kind, redact_all, redact_url};

    #[test]
    fn redacts_words_in_text() {
        let s = redact_all("from git+https://user:hunter2@h/x.git (see https://h/?token=abc)");
        assert!(!s.contains("hunter2") && !s.contains("abc"), "{s}");
        assert_eq!(redact_all("plain text a=b"), "plain text a=b");
    }

    #[test]
    fn detects_query_secrets_whatever_the_case_rejects_near_misses() {
        // Keys are compared case-insensitively and may carry a `scope:` prefix.
        for url in [
            "https://h/x.tgz?TOKEN=abc",
            "https://h/x.tgz?a=1&Password=hunter2",
            "https://h/x.tgz#sig=abc",
            "https://h/x.tgz?npm:_authToken=abc",
            "git+https://h/r.git?branch=main;secret=s3",
        ] {
            assert_eq!(credential_kind(url), Some("query"), "{url}");
        }
        // Near misses: an empty value, a key that only starts like a secret, a key in the path,
        // an `@` only in the path (npm scopes).
        for url in [
            "https://h/x.tgz?token=",
            "https://h/x.tgz?tokenizer=abc",
            "https://h/token=abc/x.tgz",
            "https://registry.npmjs.org/@scope/a/-/a-1.0.0.tgz",
            "git+https://github.com/o/r?branch=main#0123abcd",
        ] {
            assert_eq!(credential_kind(url), None, "{url}");
        }
    }

    #[test]
    fn splits_authority_without_user_info_query_or_fragment() {
        use super::split_authority;
        assert_eq!(split_authority("u:p@h:8080/a/b?x=1#f"), ("h:8080", "/a/b"));
        assert_eq!(split_authority("h?x=1"), ("h", ""));
        assert_eq!(split_authority("a@b@h/p"), ("h", "/p"));
        assert_eq!(split_authority("h/@scope/a"), ("h", "/@scope/a"));
    }

    #[test]
    fn detects_credentials() {
        assert_eq!(credential_kind("https://u:p@h/x"), Some("password"));
        assert_eq!(
            credential_kind("https://ghp_abc@github.com/x"),
            Some("token")
        );
        assert_eq!(
            credential_kind("git+ssh://git@github.com/a/b.git#abc"),
            None
        );
        assert_eq!(credential_kind("https://h/x.tgz?token=abc"), Some("query"));
        assert_eq!(
            credential_kind("https://h/x.tgz?_authToken=abc&a=1"),
            Some("query")
        );
        assert_eq!(credential_kind("https://h/x.tgz?a=1"), None);
        assert_eq!(
            credential_kind("https://registry.npmjs.org/a/-/a-1.tgz"),
            None
        );
    }

    #[test]
    fn redacts_userinfo_and_tokens() {
        assert_eq!(redact_url("https://u:p@h/x"), "https://***@h/x");
        assert_eq!(
            redact_url("https://h/x?token=abc&y=1"),
            "https://h/x?token=***&y=1"
        );
        assert_eq!(
            redact_url("https://h/x?_authToken=abc"),
            "https://h/x?_authToken=***"
        );
        assert_eq!(redact_url("https://h/x"), "https://h/x");
        assert_eq!(
            redact_url("https://h/@scope/a/-/a-1.0.0.tgz"),
            "https://h/@scope/a/-/a-1.0.0.tgz"
        );
        assert_eq!(
            redact_url("git+https://tok@h/@scope/a.git"),
            "git+https://***@h/@scope/a.git"
        );
    }
}

//! Redaction of credentials in URLs: every output goes through here before showing a URL.

/// Replaces user-info passwords and token-like query parameters with `***`.
pub fn redact_url(s: &str) -> String {
    let mut out = s.to_owned();
    // user:password@host  (also user@host where "user" is a token)
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?', '#'])
            .map(|i| rest_start + i)
            .unwrap_or(out.len());
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let at = rest_start + at;
            out.replace_range(rest_start..at, "***");
        }
    }
    // ?token=…, &_authToken=…, access_token, password, secret, key, sig …
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

#[cfg(test)]
mod tests {
    use super::redact_url;

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
    }
}

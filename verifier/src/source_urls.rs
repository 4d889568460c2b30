//! URL pieces of package sources, shared by the checks and the registry stage (pure string
//! work, no IO): registry URLs normalised for comparison, npm registry bases, schemes, hosts.

use crate::package::{Package, Source};

/// Every URL-like string the lockfile holds for a package (raw source first), deduplicated, in
/// a fixed array (`.into_iter().flatten()` to walk them). Arrays compare: the packages of one
/// registry hold the same strings, so a check whose verdict depends on the URLs alone need not
/// look at the same set twice in a row.
pub(crate) fn url_set(p: &Package) -> [Option<&str>; 3] {
    // At most three, in a fixed array: this runs for every package in several checks.
    let mut v: [Option<&str>; 3] = [None; 3];
    let raw = p.source_raw.as_deref();
    v[0] = raw;
    let extra = match &p.source {
        Source::Registry { url: Some(u), .. } => Some(&**u),
        Source::Git(g) => Some(g.url.as_str()),
        Source::Tarball { url } => Some(url.as_str()),
        Source::Other(s) => Some(s.as_str()),
        _ => None,
    };
    if let Some(e) = extra
        && !raw.is_some_and(|x| contains_short(x, e))
    {
        v[1] = Some(e);
    }
    // npm v1 may hold a URL in `version`.
    if p.version.contains("://") && !v.contains(&Some(p.version.as_str())) {
        v[2] = Some(p.version.as_str());
    }
    v
}

/// `haystack.contains(needle)` for the short strings of one package: a plain scan (the source id
/// usually ends with the URL), without the substring searcher `str::contains` sets up on every
/// call, which showed in profiles as the most expensive part of the URL checks.
fn contains_short(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.ends_with(n) || (h.len() > n.len() && h.windows(n.len()).any(|w| w == n))
}

/// Strips Cargo's `registry+` / `sparse+` / `git+` prefixes.
pub(crate) fn strip_kind_prefix(u: &str) -> &str {
    for pre in ["registry+", "sparse+", "git+"] {
        if let Some(r) = u.strip_prefix(pre) {
            return r;
        }
    }
    u
}

/// The scheme of a URL (lower-case), after Cargo-style `kind+` prefixes.
pub(crate) fn scheme(u: &str) -> Option<String> {
    scheme_str(u).map(str::to_ascii_lowercase)
}

/// The scheme of a URL as written (no allocation: checks call this for every URL).
pub(crate) fn scheme_str(u: &str) -> Option<&str> {
    let u = strip_kind_prefix(u);
    let i = crate::redact::scheme_end(u)?;
    Some(&u[..i])
}

/// Host (lower-case, without user-info and port) and path of a URL.
pub(crate) fn host_and_path(u: &str) -> Option<(String, &str)> {
    let u = strip_kind_prefix(u);
    let rest = &u[crate::redact::scheme_end(u)? + 3..];
    let (hostport, path) = crate::redact::split_authority(rest);
    let host = if hostport.starts_with('[') {
        hostport
            .split_once(']')
            .map_or(hostport, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        hostport.split(':').next().unwrap_or(hostport)
    };
    Some((host.to_ascii_lowercase(), path))
}

/// A registry URL normalised for comparison: `host[:port]/path` without scheme, user-info,
/// query, `kind+` prefix or trailing slash, lower-cased host. Scheme is ignored on purpose:
/// `insecure-url` reports plain-text transports on its own.
pub(crate) fn normalize_registry(u: &str) -> String {
    let (hostport, path) = registry_parts(u);
    let mut out = hostport.to_ascii_lowercase();
    out.push_str(path);
    out
}

/// A registry base parsed once, to test many URLs against (see [`under_registry`]).
pub(crate) struct RegistryBase {
    host: String,
    path: String,
}

impl RegistryBase {
    /// `None` for an empty base, which contains nothing.
    pub(crate) fn new(base: &str) -> Option<RegistryBase> {
        let (h, p) = registry_parts(base);
        (!(h.is_empty() && p.is_empty())).then(|| RegistryBase {
            host: h.to_owned(),
            path: p.to_owned(),
        })
    }

    /// `true` when the URL whose [`registry_parts`] are `u` lies under this base.
    pub(crate) fn contains(&self, (uh, up): (&str, &str)) -> bool {
        let bp = self.path.as_str();
        uh.eq_ignore_ascii_case(&self.host)
            && (up == bp || (up.starts_with(bp) && up.as_bytes().get(bp.len()) == Some(&b'/')))
    }
}

/// `host[:port]` and path (without trailing `/`) of a registry URL, as [`normalize_registry`]
/// sees them, without allocating.
pub(crate) fn registry_parts(u: &str) -> (&str, &str) {
    let s = strip_kind_prefix(u.trim());
    let rest = match crate::redact::scheme_end(s) {
        Some(i) => &s[i + 3..],
        None => s,
    };
    let (hostport, path) = crate::redact::split_authority(rest);
    (hostport, path.trim_end_matches('/'))
}

/// `true` when registry URL `u` lies under `base` (both normalised as by
/// [`normalize_registry`]). Called for every package against every allowed registry: it
/// compares in place rather than building the normalised strings.
pub(crate) fn under_registry(u: &str, base: &str) -> bool {
    RegistryBase::new(base).is_some_and(|b| b.contains(registry_parts(u)))
}

/// The registry base of an npm tarball URL: everything before `/<name>/-/`.
pub(crate) fn npm_registry_base<'u>(resolved: &'u str, name: &str) -> &'u str {
    // The first `/{name}/-/`, found without allocating (this runs for every npm package).
    for i in memchr::memmem::find_iter(resolved.as_bytes(), b"/-/") {
        if let Some(head) = resolved[..i].strip_suffix(name)
            && head.ends_with('/')
        {
            return head;
        }
    }
    // Scoped packages are sometimes written `@scope%2fname`.
    let enc = format!("/{}/-/", name.replace('/', "%2f"));
    if let Some(i) = resolved.to_ascii_lowercase().find(&enc) {
        return &resolved[..i + 1];
    }
    match resolved.find("/-/") {
        Some(i) => resolved[..i]
            .rsplit_once('/')
            .map_or(resolved, |(b, _)| &resolved[..b.len() + 1]),
        None => resolved,
    }
}

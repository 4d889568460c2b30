//! Package URLs (purl, <https://github.com/package-url/purl-spec>) for graph nodes.

use crate::package::{Ecosystem, Package, Source};

/// Percent-encodes a purl component (name, version, qualifier value).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xf)] as char);
            }
        }
    }
    out
}

/// The purl of a name and version (empty: none) without qualifiers.
pub fn purl_of(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    let mut s = String::from("pkg:");
    s.push_str(ecosystem.as_str());
    s.push('/');
    match ecosystem {
        Ecosystem::Npm => match name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => {
                s.push_str(&encode(scope));
                s.push('/');
                s.push_str(&encode(n));
            }
            _ => s.push_str(&encode(name)),
        },
        Ecosystem::Cargo => s.push_str(&encode(name)),
    }
    if !version.is_empty() {
        s.push('@');
        s.push_str(&encode(version));
    }
    s
}

/// The purl of a package: `pkg:cargo/serde@1.0.0`, `pkg:npm/%40scope/name@1.0.0`; git sources
/// carry a `vcs_url` qualifier.
pub fn purl(p: &Package) -> String {
    let mut s = purl_of(p.ecosystem, &p.name, &p.version);
    if let Source::Git(g) = &p.source {
        let mut v = format!("git+{}", g.url);
        if let Some(c) = &g.precise {
            v.push('@');
            v.push_str(c);
        }
        s.push_str("?vcs_url=");
        s.push_str(&encode(&v));
    }
    s
}

/// A parsed package URL (<https://github.com/package-url/purl-spec>): the parts tollgate maps.
///
/// Parsed by hand rather than with the `packageurl` crate: tollgate maps only the `cargo` and
/// `npm` types and three qualifiers, and the inverse of [`crate::purl::encode`] is a few lines;
/// an error here is placed in the SBOM by the caller either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// `cargo`, `npm`, … (lower case).
    pub kind: String,
    /// The namespace (`@scope` for npm), decoded.
    pub namespace: Option<String>,
    /// The name, decoded.
    pub name: String,
    /// The version, decoded.
    pub version: Option<String>,
    /// Qualifiers, keys lower case, values decoded, in the order written.
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`; the error says what is
    /// wrong.
    pub fn parse(s: &str) -> Result<Purl, String> {
        let rest = s
            .strip_prefix("pkg:")
            .ok_or_else(|| "does not start with `pkg:`".to_owned())?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
        let (rest, quals) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (kind, path) = rest
            .split_once('/')
            .ok_or_else(|| "has no name after its type".to_owned())?;
        if kind.is_empty() {
            return Err("has an empty type".into());
        }
        let path = path.trim_end_matches('/');
        // The version follows the last `@` after the last `/` (an npm scope may be written as a
        // raw `@`).
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match path[last_slash..].rfind('@') {
            Some(at) => (
                &path[..last_slash + at],
                Some(decode(&path[last_slash + at + 1..])?),
            ),
            None => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (Some(decode(ns)?), decode(n)?),
            None => (None, decode(path)?),
        };
        if name.is_empty() {
            return Err("has an empty name".into());
        }
        let mut qualifiers = Vec::new();
        for q in quals.into_iter().flat_map(|q| q.split('&')) {
            if q.is_empty() {
                continue;
            }
            let (k, v) = q
                .split_once('=')
                .ok_or_else(|| format!("qualifier `{q}` has no `=`"))?;
            qualifiers.push((k.to_ascii_lowercase(), decode(v)?));
        }
        Ok(Purl {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.filter(|n| !n.is_empty()),
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }

    /// The value of a qualifier.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decodes a purl segment; the result must be UTF-8.
fn decode(s: &str) -> Result<String, String> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let v = s
                .get(i + 1..i + 3)
                .and_then(crate::package::decode_hex)
                .ok_or_else(|| format!("bad percent-encoding in `{s}`"))?;
            out.push(v[0]);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{s}` does not decode to UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::*;

    fn pkg(eco: Ecosystem, name: &str, version: &str) -> Package {
        Package {
            id: String::new(),
            ecosystem: eco,
            name: name.into(),
            version: version.into(),
            source: Source::Registry {
                url: None,
                sparse: false,
            },
            source_raw: None,
            checksum: None,
            integrity: None,
            scopes: Scopes::default(),
            is_root: false,
            location: Location::default(),
            npm: None,
        }
    }

    #[test]
    fn npm_scope_is_encoded() {
        assert_eq!(
            purl(&pkg(Ecosystem::Npm, "@babel/core", "7.0.0")),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl(&pkg(Ecosystem::Cargo, "serde", "1.0.0+x")),
            "pkg:cargo/serde@1.0.0%2Bx"
        );
    }

    #[test]
    fn purls_parse_into_their_parts() {
        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0?foo=b%20r#sub").unwrap();
        assert_eq!(p.kind, "npm");
        assert_eq!(p.namespace.as_deref(), Some("@babel"));
        assert_eq!(p.name, "core");
        assert_eq!(p.version.as_deref(), Some("7.0.0"));
        assert_eq!(p.qualifier("foo"), Some("b r"));
        let p = Purl::parse("pkg:npm/@babel/core").unwrap();
        assert_eq!((p.namespace.as_deref(), p.version), (Some("@babel"), None));
        let p = Purl::parse("pkg:cargo/serde@1.0.0+build%2B1").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("serde", Some("1.0.0+build+1"))
        );
        let p =
            Purl::parse("pkg:cargo/a@0.1.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fx%2Fa%40abc")
                .unwrap();
        assert_eq!(
            p.qualifier("vcs_url"),
            Some("git+https://github.com/x/a@abc")
        );
        for bad in [
            "npm/a@1",
            "pkg:",
            "pkg:npm",
            "pkg:/a",
            "pkg:npm/a@%zz",
            "pkg:npm/a?x",
        ] {
            assert!(Purl::parse(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn purls_of_the_graph_round_trip(
            scope in proptest::option::of("[a-z@][a-z0-9._-]{0,8}"),
            name in "[^/]{1,12}",
            version in "[^/]{0,12}",
        ) {
            let full = match &scope {
                Some(s) => format!("@{s}/{name}"),
                None => name.clone(),
            };
            let s = crate::purl::purl_of(Ecosystem::Npm, &full, &version);
            let p = Purl::parse(&s).unwrap();
            let got = match &p.namespace {
                Some(ns) => format!("{ns}/{}", p.name),
                None => p.name.clone(),
            };
            proptest::prop_assert_eq!(got, full);
            proptest::prop_assert_eq!(p.version.unwrap_or_default(), version);
        }

    }
}

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
}

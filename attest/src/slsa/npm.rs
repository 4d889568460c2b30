//! npm packages: the package named by a provenance subject (`pkg:npm/%40scope/name@1.0.3`) and the
//! npm registry's publish attestation (`https://github.com/npm/attestation/tree/main/specs/publish/v0.1`).

use serde::Serialize;
use serde_json::Value;

use crate::statement::Statement;

/// Predicate type prefix of npm publish attestations (any version).
pub const PUBLISH_PREDICATE_PREFIX: &str =
    "https://github.com/npm/attestation/tree/main/specs/publish/";

/// An npm package name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NpmPackage {
    /// `@scope/name` or `name`.
    pub name: String,
    /// Version (empty when the purl has none).
    pub version: String,
}

/// Reads the package from an npm purl subject name: `pkg:npm/` then the percent-encoded
/// `[@scope/]name[@version]` (decoded like Go's `url.QueryUnescape`, as slsa-verifier does).
pub fn package_from_purl(subject_name: &str) -> Result<NpmPackage, String> {
    let rest = subject_name
        .strip_prefix("pkg:npm/")
        .ok_or_else(|| format!("subject `{subject_name}` is not an npm purl (pkg:npm/…)"))?;
    let decoded = query_unescape(rest)
        .ok_or_else(|| format!("subject `{subject_name}` has a malformed percent-encoding"))?;
    split_name_version(&decoded)
}

/// Splits `[@scope/]name[@version]` (slsa-verifier's `getPackageNameAndVersion`).
pub fn split_name_version(s: &str) -> Result<NpmPackage, String> {
    let (scoped, body) = match s.strip_prefix('@') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let mut parts = body.split('@');
    let name = parts.next().unwrap_or_default();
    let version = parts.next().unwrap_or_default();
    if parts.next().is_some() || name.is_empty() {
        return Err(format!("`{s}` is not an npm package name[@version]"));
    }
    Ok(NpmPackage {
        name: if scoped {
            format!("@{name}")
        } else {
            name.to_owned()
        },
        version: version.to_owned(),
    })
}

/// Go's `url.QueryUnescape`: `%XX` escapes and `+` for a space; `None` on a bad escape or
/// invalid UTF-8.
fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The facts of an npm publish attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishAttestation {
    /// `predicate.name`.
    pub name: String,
    /// `predicate.version`.
    pub version: String,
}

impl PublishAttestation {
    /// Reads a publish attestation statement (predicate type `…/specs/publish/…`).
    pub fn from_statement(st: &Statement) -> Result<PublishAttestation, String> {
        if !st.predicate_type.starts_with(PUBLISH_PREDICATE_PREFIX) {
            return Err(format!(
                "predicate type `{}` is not an npm publish attestation",
                st.predicate_type
            ));
        }
        let field = |k: &str| match st.predicate.get(k) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Ok(String::new()),
            Some(_) => Err(format!(
                "publish attestation `predicate.{k}` is not a string"
            )),
        };
        Ok(PublishAttestation {
            name: field("name")?,
            version: field("version")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_scoped_and_plain_purls() {
        assert_eq!(
            package_from_purl("pkg:npm/%40laurentsimon/provenance-npm-test@1.0.3").unwrap(),
            NpmPackage {
                name: "@laurentsimon/provenance-npm-test".into(),
                version: "1.0.3".into()
            }
        );
        assert_eq!(
            package_from_purl("pkg:npm/gundam-visor@1.0.1").unwrap(),
            NpmPackage {
                name: "gundam-visor".into(),
                version: "1.0.1".into()
            }
        );
        // The unencoded form is read the same way.
        assert_eq!(
            package_from_purl("pkg:npm/@s/n@2.0.0").unwrap().name,
            "@s/n"
        );
        assert_eq!(package_from_purl("pkg:npm/n").unwrap().version, "");
    }

    #[test]
    fn rejects_malformed_purls() {
        for bad in [
            "pkg:pypi/x@1",
            "npm/x@1",
            "pkg:npm/%4",
            "pkg:npm/%zz",
            "pkg:npm/a@1@2",
            "pkg:npm/%ff",
            "pkg:npm/",
        ] {
            assert!(package_from_purl(bad).is_err(), "{bad}");
        }
    }
}

//! Graph → [`Bom`]: one component per distinct package URL, the complete dependency graph, and
//! everything sorted, so that the same graph always gives the same document.
use tollgate_verifier::graph::Graph;
use tollgate_verifier::package::{Ecosystem, HashAlgorithm, Package, Source};
use tollgate_verifier::redact::redact_url;
use tollgate_verifier::time::Timestamp;

use crate::SbomError;
use crate::model::{Bom, Component, ExternalReference, Hash, License, LicenseName, Property, Ref};
use crate::plan::Plan;

/// The CycloneDX versions tollgate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpecVersion {
    /// CycloneDX 1.5.
    V1_5,
    /// CycloneDX 1.6 (the default).
    #[default]
    V1_6,
}

impl SpecVersion {
    /// `1.5` / `1.6`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
        }
    }

    /// Parses `1.5` or `1.6`.
    pub fn parse(s: &str) -> Option<SpecVersion> {
        match s {
            "1.5" => Some(SpecVersion::V1_5),
            "1.6" => Some(SpecVersion::V1_6),
            _ => None,
        }
    }
}

/// How to write the BOM.
#[derive(Debug, Clone)]
pub struct Options {
    /// Specification version.
    pub spec_version: SpecVersion,
    /// `metadata.timestamp` (the caller passes `SOURCE_DATE_EPOCH` when set, else its clock).
    pub timestamp: Timestamp,
    /// `serialNumber` (`urn:uuid:…`); `None`: derived from the content.
    pub serial_number: Option<String>,
    /// The described component's name when the graph has no single root (several lockfiles, a
    /// Cargo workspace): usually the scanned directory's name.
    pub name: String,
    /// tollgate's version, for `metadata.tools`.
    pub tool_version: String,
}

/// A component under construction: the packages that share one purl merged.
#[derive(Default)]
pub(crate) struct Acc {
    pub(crate) ecosystem: Option<Ecosystem>,
    pub(crate) name: String,
    pub(crate) version: String,
    /// 0 excluded, 1 optional, 2 required: the widest scope of the merged packages wins.
    pub(crate) scope: u8,
    /// The sets below are vectors, sorted and deduplicated when the component is finished
    /// (a `BTreeSet` of one or two elements costs a node allocation each).
    pub(crate) hashes: Vec<Hash>,
    pub(crate) licenses: Vec<License>,
    pub(crate) refs: Vec<ExternalReference>,
    pub(crate) props: Vec<Property>,
    pub(crate) purl: Option<Ref>,
}

/// Builds the BOM of `graph`, whole (to write it, [`Plan`] materialises one component at a
/// time instead).
pub fn build(graph: &Graph, opts: &Options) -> Result<Bom, SbomError> {
    Ok(Plan::new(graph, opts)?.to_bom())
}

/// Folds one package into the component of its purl.
pub(crate) fn merge_package(acc: &mut Acc, graph: &Graph, p: &Package) {
    acc.ecosystem = Some(p.ecosystem);
    acc.name.clone_from(&p.name);
    acc.version.clone_from(&p.version);
    let scope = if p.scopes.dev {
        0
    } else if p.scopes.optional || p.scopes.dev_optional {
        1
    } else {
        2
    };
    acc.scope = acc.scope.max(scope);

    // Hashes: the lockfile's digests; SHA-1 only when nothing stronger is written, MD5 never.
    let digests = p.integrity.as_ref().map(|i| &i.digests[..]).unwrap_or(&[]);
    let strong = digests.iter().any(|d| d.algorithm.is_strong());
    for d in digests {
        let alg = match d.algorithm {
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
            HashAlgorithm::Sha1 if !strong => "SHA-1",
            HashAlgorithm::Sha1 | HashAlgorithm::Md5 => continue,
        };
        acc.hashes.push(Hash {
            alg,
            content: tollgate_verifier::package::encode_hex(&d.bytes),
        });
    }

    // External references: where the package is fetched from.
    match &p.source {
        Source::Registry { url: Some(u), .. } if p.ecosystem == Ecosystem::Npm => {
            acc.refs.push(reference("distribution", u));
        }
        Source::Registry { url: Some(u), .. } if is_crates_io(u) && !p.version.is_empty() => {
            acc.refs.push(reference(
                "distribution",
                &format!(
                    "https://static.crates.io/crates/{0}/{0}-{1}.crate",
                    p.name, p.version
                ),
            ));
        }
        Source::Git(git) => {
            acc.refs.push(reference("vcs", &git.url));
        }
        Source::Tarball { url } if url.starts_with("https://") || url.starts_with("http://") => {
            acc.refs.push(reference("distribution", url));
        }
        _ => {}
    }

    // What CycloneDX has no field for.
    let mut prop = |name: &'static str, value: String| {
        acc.props.push(Property { name, value });
    };
    if let Some(l) = graph.lockfiles.get(p.location.lockfile as usize) {
        prop("tollgate:lockfile", l.display.clone());
    }
    prop("tollgate:source", p.source.kind().to_owned());
    if digests.is_empty() {
        let why = match &p.source {
            Source::Path => "absent: a local path package has no registry digest",
            Source::Git { .. } => "absent: a git package is pinned by its commit",
            _ if p.is_root => "absent: the project itself",
            _ if p.npm.as_ref().is_some_and(|n| n.in_bundle) => {
                "absent: bundled inside its parent's tarball"
            }
            _ => "missing",
        };
        prop("tollgate:hash", why.to_owned());
    }
    let scopes = p.scopes.names();
    if !scopes.is_empty() {
        prop("tollgate:scope", scopes.join(","));
    }
    if let Some(npm) = &p.npm {
        if !npm.path.is_empty() {
            prop("tollgate:npm-path", npm.path.clone());
        }
        if npm.has_install_script {
            prop("tollgate:install-script", "true".to_owned());
        }
        if npm.in_bundle {
            prop("tollgate:bundled", "true".to_owned());
        }
        if let Some(l) = &npm.license {
            acc.licenses.push(license(l));
        }
    }
}

/// The finished component.
pub(crate) fn component(bom_ref: Ref, acc: Acc, kind: &'static str, with_scope: bool) -> Component {
    let scoped = match (acc.ecosystem, acc.name.split_once('/')) {
        (Some(Ecosystem::Npm), Some((scope, n))) if scope.starts_with('@') => {
            Some((scope.to_owned(), n.to_owned()))
        }
        _ => None,
    };
    let (group, name) = match scoped {
        Some((scope, n)) => (Some(scope), n),
        None => (None, acc.name),
    };
    Component {
        kind,
        bom_ref,
        group,
        name,
        version: (!acc.version.is_empty()).then_some(acc.version),
        scope: with_scope.then_some(match acc.scope {
            0 => "excluded",
            1 => "optional",
            _ => "required",
        }),
        hashes: sorted_set(acc.hashes),
        licenses: one_expression_or_names(sorted_set(acc.licenses)),
        purl: acc.purl,
        external_references: sorted_set(acc.refs),
        properties: sorted_set(acc.props),
    }
}

/// A license as written in a lockfile: an SPDX expression when it looks like one (ids of
/// letters, digits, `.`, `-`, `+`, joined by `AND`, `OR`, `WITH` and parentheses), else a name.
fn license(text: &str) -> License {
    let spdx_like = !text.is_empty()
        && text
            .split([' ', '(', ')'])
            .filter(|t| !t.is_empty())
            .all(|t| {
                matches!(t, "AND" | "OR" | "WITH")
                    || (t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                        && t.chars().all(|c| {
                            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':')
                        }))
            })
        && !text.starts_with("SEE ")
        && text.split_whitespace().count() % 2 == 1;
    if spdx_like {
        License::Expression {
            expression: text.to_owned(),
        }
    } else {
        License::Named {
            license: LicenseName {
                name: text.to_owned(),
            },
        }
    }
}

/// `v` sorted, without duplicates: what a `BTreeSet` of it would iterate.
fn sorted_set<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v.dedup();
    v
}

/// CycloneDX allows one expression, or any number of named licenses: copies of one purl that
/// name different licenses (`licenses` sorted, without duplicates) are all written as names.
fn one_expression_or_names(licenses: Vec<License>) -> Vec<License> {
    if licenses.len() <= 1 {
        return licenses;
    }
    sorted_set(
        licenses
            .into_iter()
            .map(|l| match l {
                License::Expression { expression } => License::Named {
                    license: LicenseName { name: expression },
                },
                named => named,
            })
            .collect(),
    )
}

fn reference(kind: &'static str, url: &str) -> ExternalReference {
    ExternalReference {
        kind,
        url: redact_url(url),
    }
}

/// crates.io's index, git or sparse.
fn is_crates_io(index: &str) -> bool {
    use tollgate_verifier::checks::public::{CRATES_IO_GIT, CRATES_IO_SPARSE};
    let i = index.trim_end_matches('/');
    i == CRATES_IO_GIT.trim_end_matches('/') || i == CRATES_IO_SPARSE.trim_end_matches('/')
}

/// `urn:uuid:` and a UUID in lower-case hex, as the CycloneDX schema's pattern wants.
pub(crate) fn valid_serial(s: &str) -> bool {
    let Some(u) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let b = u.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_follow_the_schema_pattern() {
        assert!(valid_serial(
            "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
        ));
        assert!(!valid_serial(
            "urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79"
        ));
        assert!(!valid_serial("3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!valid_serial("urn:uuid:3e671687395b41f5a30fa58921a69b79"));
    }

    #[test]
    fn licenses_are_expressions_when_they_look_like_spdx() {
        for (text, expression) in [
            ("MIT", true),
            ("(MIT OR Apache-2.0)", true),
            ("Apache-2.0 WITH LLVM-exception", true),
            ("BSD-3-Clause AND MIT", true),
            ("SEE LICENSE IN LICENSE.md", false),
            ("MIT License", false),
            ("UNLICENSED", true),
            ("MIT OR", false),
        ] {
            assert_eq!(
                matches!(license(text), License::Expression { .. }),
                expression,
                "{text}"
            );
        }
    }

    #[test]
    fn several_licenses_of_one_purl_are_names() {
        let set = sorted_set(vec![license("MIT"), license("ISC")]);
        let out = one_expression_or_names(set);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|l| matches!(l, License::Named { .. })));
        let one = vec![license("MIT")];
        assert!(matches!(
            one_expression_or_names(one)[0],
            License::Expression { .. }
        ));
    }

    #[test]
    fn crates_io_in_either_protocol() {
        assert!(is_crates_io("https://github.com/rust-lang/crates.io-index"));
        assert!(is_crates_io("https://index.crates.io/"));
        assert!(!is_crates_io("https://my.registry.example/index"));
    }
}

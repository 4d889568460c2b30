//! The component purl: the graph's purl (name, version, `vcs_url` for git) plus the
//! `repository_url` qualifier for packages of a registry other than the ecosystem's public one,
//! as the purl specification asks (`pkg:cargo/foo@1.0.0?repository_url=…`).

use tollgate_verifier::checks::public::{CRATES_IO_GIT, CRATES_IO_SPARSE, NPM};
use tollgate_verifier::checks::unknown_source::registry_of;
use tollgate_verifier::package::{Ecosystem, Package, Source};
use tollgate_verifier::purl::{encode, purl};
use tollgate_verifier::redact::redact_url;

/// The purl of a package, or `None` when it has no name or no version (a purl needs both: an
/// npm folder, a project without `name` or `version`).
pub fn component_purl(p: &Package) -> Option<String> {
    if p.version.is_empty() || p.name.is_empty() {
        return None;
    }
    let mut s = purl(p);
    if let Some(repo) = alternative_registry(p) {
        // `vcs_url` (git) and `repository_url` (registries) never meet: one source each.
        s.push_str("?repository_url=");
        s.push_str(&encode(&redact_url(repo)));
    }
    Some(s)
}

/// The registry a package comes from, when it is not its ecosystem's public one.
fn alternative_registry(p: &Package) -> Option<&str> {
    if !matches!(p.source, Source::Registry { url: Some(_), .. }) {
        return None;
    }
    let reg = registry_of(p)?;
    let r = reg.trim_end_matches('/');
    let public = match p.ecosystem {
        Ecosystem::Cargo => [CRATES_IO_GIT, CRATES_IO_SPARSE]
            .iter()
            .any(|u| u.trim_end_matches('/') == r),
        Ecosystem::Npm => NPM.trim_end_matches('/') == r,
    };
    (!public).then_some(reg)
}

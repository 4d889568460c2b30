//! `unknown-source`: a package resolves from a source the policy does not allow.
//!
//! Allowed by default: each ecosystem's public registry as the lockfiles name it (crates.io's
//! `registry+https://github.com/rust-lang/crates.io-index` and `sparse+https://index.crates.io/`,
//! npm's `https://registry.npmjs.org/`), plus `[registries] npm`/`cargo`, scoped registries
//! (`[registries.scopes]`, `.npmrc`) and `internal-registries`.
//!
//! Dependency confusion is reported both ways: an internal package (`internal` globs, or a
//! scope with a scoped registry) resolved from anywhere but its internal registry, and (unless
//! `internal-mirrors-public`) a public package resolved from an internal registry.
//!
//! npm entries with no `resolved` URL use whatever registry is configured at install time: not
//! reported here (nothing names a source), but `--verify-registry` checks them.

mod config;

pub use config::Config;

use std::collections::HashMap;

use crate::finding::{Code, Finding, FixHint};
use crate::package::{Ecosystem, Package, Source};
use crate::redact::redact_url;

use super::support::{finding, glob_match, normalize_registry, npm_registry_base, under_registry};
use super::{CheckCx, RegistriesConfig, public};

/// The registry URL a package names (Cargo index URL or npm registry base), if any.
pub fn registry_of(p: &Package) -> Option<&str> {
    match &p.source {
        Source::Registry { url: Some(u), .. } => Some(match p.ecosystem {
            Ecosystem::Cargo => u.as_str(),
            Ecosystem::Npm => npm_registry_base(u, &p.name),
        }),
        _ => None,
    }
}

/// The scope of an npm name (`@corp` of `@corp/x`).
fn scope_of(name: &str) -> Option<&str> {
    name.starts_with('@')
        .then(|| name.split('/').next())
        .flatten()
}

fn public_allows(eco: Ecosystem, reg: &str) -> bool {
    match eco {
        Ecosystem::Cargo => {
            under_registry(reg, public::CRATES_IO_GIT)
                || under_registry(reg, public::CRATES_IO_SPARSE)
        }
        Ecosystem::Npm => under_registry(reg, public::NPM),
    }
}

fn configured_allows(regs: &RegistriesConfig, eco: Ecosystem, reg: &str) -> bool {
    let list = match eco {
        Ecosystem::Cargo => &regs.cargo,
        Ecosystem::Npm => &regs.npm,
    };
    list.iter().any(|b| under_registry(reg, b))
}

/// A public package served by an internal registry that does not mirror the public one.
fn reverse_confusion(
    internal: bool,
    cfg: &Config,
    regs: &RegistriesConfig,
    eco: Ecosystem,
    reg: &str,
) -> bool {
    let from_internal = cfg
        .internal_registries
        .iter()
        .any(|b| under_registry(reg, b));
    let public = regs.public && public_allows(eco, reg);
    from_internal && !internal && !cfg.internal_mirrors_public && !public
}

/// What the policy says of a registry source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegistryVerdict {
    Allowed,
    /// An internal package resolved from anywhere but its internal registry.
    InternalElsewhere,
    /// A public package resolved from an internal registry that does not mirror the public one.
    PublicFromInternal,
    /// A registry no rule allows.
    Unknown,
}

fn registry_verdict(
    cfg: &Config,
    regs: &RegistriesConfig,
    eco: Ecosystem,
    reg: &str,
    internal: bool,
    scope_registry: Option<&String>,
) -> RegistryVerdict {
    let in_internal = cfg
        .internal_registries
        .iter()
        .any(|b| under_registry(reg, b))
        || scope_registry.is_some_and(|b| under_registry(reg, b));
    if internal && !in_internal {
        RegistryVerdict::InternalElsewhere
    } else if reverse_confusion(internal, cfg, regs, eco, reg) {
        RegistryVerdict::PublicFromInternal
    } else if in_internal
        || (regs.public && public_allows(eco, reg))
        || configured_allows(regs, eco, reg)
    {
        RegistryVerdict::Allowed
    } else {
        RegistryVerdict::Unknown
    }
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, out: &mut Vec<Finding>) {
    let cfg = &cx.config.sources.unknown_source;
    let regs = &cx.config.registries;
    if !cfg.enabled {
        return;
    }
    let mut memo: HashMap<(Ecosystem, &str, bool, Option<&str>), RegistryVerdict> = HashMap::new();
    for (id, p) in cx.graph.packages() {
        let scope_registry = (p.ecosystem == Ecosystem::Npm)
            .then(|| scope_of(&p.name).and_then(|s| regs.scopes.get(s)))
            .flatten();
        let internal =
            scope_registry.is_some() || cfg.internal.iter().any(|g| glob_match(g, &p.name));
        let problem: Option<(String, String)> = match &p.source {
            Source::Registry { url: None, .. } => None,
            Source::Registry { .. } => {
                let reg = registry_of(p).unwrap_or_default();
                // Most packages share a handful of registries: decide once per registry.
                let verdict = *memo
                    .entry((
                        p.ecosystem,
                        reg,
                        internal,
                        scope_registry.map(String::as_str),
                    ))
                    .or_insert_with(|| {
                        registry_verdict(cfg, regs, p.ecosystem, reg, internal, scope_registry)
                    });
                match verdict {
                    RegistryVerdict::Allowed => None,
                    RegistryVerdict::InternalElsewhere => Some((
                        format!(
                            "internal package {} resolves from {}",
                            p.name,
                            redact_url(reg)
                        ),
                        format!(
                            "{} is an internal package but the lockfile resolves it from {}, not from its internal registry: possible dependency confusion (someone published the name elsewhere).",
                            p.display_name(),
                            redact_url(reg)
                        ),
                    )),
                    RegistryVerdict::PublicFromInternal => Some((
                        format!(
                            "public package {} resolves from an internal registry",
                            p.name
                        ),
                        format!(
                            "{} is not an internal package but resolves from the internal registry {}: a package shadowing a public name (reverse dependency confusion). Set internal-mirrors-public if the registry proxies the public one.",
                            p.display_name(),
                            redact_url(reg)
                        ),
                    )),
                    RegistryVerdict::Unknown => Some((
                        format!("{} resolves from an unknown registry", p.display_name()),
                        format!(
                            "{} resolves from {}, which is not an allowed {} registry; allow it in [registries] {} if it is yours.",
                            p.display_name(),
                            redact_url(reg),
                            p.ecosystem,
                            p.ecosystem
                        ),
                    )),
                }
            }
            Source::Tarball { url } | Source::Other(url) => {
                let norm = normalize_registry(url);
                if cfg
                    .allow_urls
                    .iter()
                    .any(|g| glob_match(g, &norm) || glob_match(g, url))
                {
                    None
                } else {
                    Some((
                        format!(
                            "{} comes from a URL outside every registry",
                            p.display_name()
                        ),
                        format!(
                            "{} is fetched from {}, which is not an allowed registry; allow it in [sources.unknown-source] allow-urls if it is expected.",
                            p.display_name(),
                            redact_url(url)
                        ),
                    ))
                }
            }
            Source::Git { url, .. } if cfg.check_git => {
                let norm = normalize_registry(url);
                let norm = norm.trim_end_matches(".git");
                if cfg.allow_git.iter().any(|g| glob_match(g, norm)) {
                    None
                } else {
                    Some((
                        format!(
                            "{} comes from a git repository not allowed",
                            p.display_name()
                        ),
                        format!(
                            "{} is fetched from the git repository {}, which [sources.unknown-source] allow-git does not list.",
                            p.display_name(),
                            redact_url(url)
                        ),
                    ))
                }
            }
            Source::Git { .. } | Source::Path => None,
        };
        if let Some((title, message)) = problem {
            out.push(finding(
                cx,
                id,
                Code::UnknownSource,
                cfg.severity,
                title,
                message,
                Some(FixHint::Advice(
                    "resolve the package from an allowed registry, or allow the source in tollgate.toml".into(),
                )),
            ));
        }
    }
}

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

pub use config::{Config, Options};

use crate::finding::{Code, Finding, FixHint};
use crate::package::{Ecosystem, Package, Source};
use crate::redact::redact_url;

use super::support::{
    RegistryBase, finding, glob_match, normalize_registry, npm_registry_base, registry_parts,
    under_registry,
};
use super::{CheckCx, RegistriesConfig, public};

/// The registry URL a package names (Cargo index URL or npm registry base), if any.
pub fn registry_of(p: &Package) -> Option<&str> {
    match &p.source {
        Source::Registry { url: Some(u), .. } => Some(match p.ecosystem {
            Ecosystem::Cargo => u,
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

/// The allowed registries, parsed once per run (the check tests every package against them).
struct Allowed {
    public_cargo: Vec<RegistryBase>,
    public_npm: Vec<RegistryBase>,
    cargo: Vec<RegistryBase>,
    npm: Vec<RegistryBase>,
    internal: Vec<RegistryBase>,
}

fn bases<'a>(list: impl IntoIterator<Item = &'a str>) -> Vec<RegistryBase> {
    list.into_iter().filter_map(RegistryBase::new).collect()
}

impl Allowed {
    fn new(cfg: &Config, regs: &RegistriesConfig) -> Allowed {
        Allowed {
            public_cargo: bases([public::CRATES_IO_GIT, public::CRATES_IO_SPARSE]),
            public_npm: bases([public::NPM]),
            cargo: bases(regs.cargo.iter().map(String::as_str)),
            npm: bases(regs.npm.iter().map(String::as_str)),
            internal: bases(cfg.internal_registries.iter().map(String::as_str)),
        }
    }

    fn any(list: &[RegistryBase], reg: (&str, &str)) -> bool {
        list.iter().any(|b| b.contains(reg))
    }

    fn public(&self, eco: Ecosystem, reg: (&str, &str)) -> bool {
        match eco {
            Ecosystem::Cargo => Self::any(&self.public_cargo, reg),
            Ecosystem::Npm => Self::any(&self.public_npm, reg),
        }
    }

    fn configured(&self, eco: Ecosystem, reg: (&str, &str)) -> bool {
        match eco {
            Ecosystem::Cargo => Self::any(&self.cargo, reg),
            Ecosystem::Npm => Self::any(&self.npm, reg),
        }
    }

    fn internal(&self, reg: (&str, &str)) -> bool {
        Self::any(&self.internal, reg)
    }
}

/// A public package served by an internal registry that does not mirror the public one.
fn reverse_confusion(
    internal: bool,
    cfg: &Config,
    regs: &RegistriesConfig,
    allowed: &Allowed,
    eco: Ecosystem,
    reg: (&str, &str),
) -> bool {
    let from_internal = allowed.internal(reg);
    let public = regs.public && allowed.public(eco, reg);
    from_internal && !internal && !cfg.internal_mirrors_public && !public
}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, cfg: &Config, out: &mut Vec<Finding>) {
    let regs = &cx.config.registries;
    let allowed = Allowed::new(cfg, regs);
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
                let parts = registry_parts(reg);
                let in_internal = allowed.internal(parts)
                    || scope_registry.is_some_and(|b| under_registry(reg, b));
                if internal && !in_internal {
                    Some((
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
                    ))
                } else if reverse_confusion(internal, cfg, regs, &allowed, p.ecosystem, parts) {
                    Some((
                        format!(
                            "public package {} resolves from an internal registry",
                            p.name
                        ),
                        format!(
                            "{} is not an internal package but resolves from the internal registry {}: a package shadowing a public name (reverse dependency confusion). Set internal-mirrors-public if the registry proxies the public one.",
                            p.display_name(),
                            redact_url(reg)
                        ),
                    ))
                } else if in_internal
                    || (regs.public && allowed.public(p.ecosystem, parts))
                    || allowed.configured(p.ecosystem, parts)
                {
                    None
                } else {
                    Some((
                        format!("{} resolves from an unknown registry", p.display_name()),
                        format!(
                            "{} resolves from {}, which is not an allowed {} registry; allow it in [registries] {} if it is yours.",
                            p.display_name(),
                            redact_url(reg),
                            p.ecosystem,
                            p.ecosystem
                        ),
                    ))
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
            Source::Git(git) if cfg.check_git => {
                let url = &git.url;
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
            Source::Git(_) | Source::Path => None,
        };
        if let Some((title, message)) = problem {
            out.push(finding(
                cx,
                id,
                Code::UnknownSource,
                cfg.settings.severity,
                title,
                message,
                Some(FixHint::UseAllowedSource),
            ));
        }
    }
}

//! Where each package's record is fetched from, and which packages are out of scope.
//!
//! npm, for a package of lockfile L:
//! 1. a scoped package whose scope has a registry: `[registries.scopes]`, else L's `.npmrc`
//!    (`@scope:registry=`);
//! 2. otherwise the first of: `--registry-url-npm` (or `TOLLGATE_REGISTRY_URL_NPM`),
//!    `[registries] npm-url`, `npm_config_registry` from the environment, L's `.npmrc`
//!    `registry=`, the registry of the entry's `resolved` URL (through `[registries.mirrors]`),
//!    and finally `https://registry.npmjs.org/`.
//!
//! The tarball is the `resolved` URL, re-based onto the chosen registry when that differs from
//! the registry `resolved` names (as npm's `replace-registry-host` does), else
//! `{registry}{name}/-/{basename}-{version}.tgz`.
//!
//! Cargo: crates.io packages (git index or sparse) use `--registry-url-cargo` (or
//! `TOLLGATE_REGISTRY_URL_CARGO`), else `[registries] cargo-url`, else a mirror, else
//! `https://index.crates.io/`. Another registry uses its mirror, else its own URL when it is a
//! sparse index; a git index without a mirror cannot be read over HTTP and is unverifiable.

use std::collections::BTreeMap;

use super::config::{RegistriesConfig, public};
use crate::coverage::CoverageCode;
use crate::package::{Digests, Ecosystem, Package, Source};

use super::error::RegistryError;
use super::npmrc::{Npmrc, registry_url};

/// Registry URLs given on the command line (or through their environment variables).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlOverrides {
    /// `--registry-url-npm`.
    pub npm: Option<String>,
    /// `--registry-url-cargo`.
    pub cargo: Option<String>,
}

/// The resolved registry settings of a run.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    npm_override: Option<String>,
    cargo_crates_io: String,
    scopes: BTreeMap<String, String>,
    mirrors: Vec<(String, String)>,
    env_npm: Option<String>,
    npmrc: Vec<Option<Npmrc>>,
}

/// What to fetch for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An npm registry package.
    Npm {
        /// Registry base (ends with `/`).
        registry: String,
        /// Tarball URL.
        tarball: String,
    },
    /// A Cargo registry package.
    Cargo {
        /// Sparse index base (ends with `/`), or why there is none.
        index: Result<String, String>,
    },
    /// A remote tarball outside every registry (npm `resolved` to another URL).
    Tarball {
        /// The URL.
        url: String,
    },
}

/// A package the registry stage looks at, or why it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Checked.
    Check {
        /// Where from.
        target: Target,
        /// The lockfile's digests (empty: the lockfile pins no usable hash).
        expected: Digests,
    },
    /// Out of scope, with the reason (a skip code: [`CoverageCode::skip_text`] words it).
    Skip(CoverageCode),
}

fn normalized(u: &str) -> String {
    crate::source_urls::normalize_registry(u)
}

fn is_crates_io(u: &str) -> bool {
    let n = normalized(u);
    n == normalized(public::CRATES_IO_GIT) || n == normalized(public::CRATES_IO_SPARSE)
}

impl Resolver {
    /// Resolves the settings. `npmrc` holds the `.npmrc` of each lockfile (by index), `env`
    /// is the process environment.
    pub fn new(
        cfg: &RegistriesConfig,
        overrides: &UrlOverrides,
        npmrc: Vec<Option<Npmrc>>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Resolver, RegistryError> {
        let npm_override = match (&overrides.npm, &cfg.npm_url) {
            (Some(u), _) => Some(registry_url(u, "--registry-url-npm")?),
            (None, Some(u)) => Some(registry_url(u, "tollgate.toml [registries] npm-url")?),
            (None, None) => None,
        };
        let cargo_crates_io = match (&overrides.cargo, &cfg.cargo_url) {
            (Some(u), _) => registry_url(u, "--registry-url-cargo")?,
            (None, Some(u)) => registry_url(u, "tollgate.toml [registries] cargo-url")?,
            (None, None) => match cfg
                .mirrors
                .iter()
                .find(|(k, _)| is_crates_io(k))
                .map(|(_, v)| v)
            {
                Some(m) => registry_url(m, "tollgate.toml [registries.mirrors]")?,
                None => public::CRATES_IO_SPARSE.to_owned(),
            },
        };
        let mut scopes = BTreeMap::new();
        for (s, u) in &cfg.scopes {
            scopes.insert(
                s.clone(),
                registry_url(u, &format!("tollgate.toml [registries.scopes] {s:?}"))?,
            );
        }
        let mut mirrors = Vec::new();
        for (k, v) in &cfg.mirrors {
            mirrors.push((
                normalized(k),
                registry_url(v, &format!("tollgate.toml [registries.mirrors] {k:?}"))?,
            ));
        }
        let env_npm = ["npm_config_registry", "NPM_CONFIG_REGISTRY"]
            .iter()
            .find_map(|k| env(k).filter(|v| !v.trim().is_empty()))
            .map(|v| registry_url(&v, "environment npm_config_registry"))
            .transpose()?;
        Ok(Resolver {
            npm_override,
            cargo_crates_io,
            scopes,
            mirrors,
            env_npm,
            npmrc,
        })
    }

    /// Every credential of every `.npmrc` read.
    pub fn auth(&self) -> Vec<super::npmrc::AuthEntry> {
        self.npmrc
            .iter()
            .flatten()
            .flat_map(|rc| rc.auth.iter().cloned())
            .collect()
    }

    /// Warnings from the `.npmrc` files.
    pub fn warnings(&self) -> Vec<String> {
        self.npmrc
            .iter()
            .flatten()
            .flat_map(|rc| rc.warnings.iter().cloned())
            .collect()
    }

    fn mirror(&self, u: &str) -> Option<&str> {
        let n = normalized(u);
        self.mirrors
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.as_str())
    }

    fn npm_registry(&self, p: &Package, resolved_base: Option<&str>) -> String {
        let rc = self
            .npmrc
            .get(p.location.lockfile as usize)
            .and_then(Option::as_ref);
        if let Some(scope) = p
            .name
            .starts_with('@')
            .then(|| p.name.split('/').next())
            .flatten()
            && let Some(u) = self
                .scopes
                .get(scope)
                .or_else(|| rc.and_then(|rc| rc.scopes.get(scope)))
        {
            return u.clone();
        }
        if let Some(u) = self
            .npm_override
            .as_ref()
            .or(self.env_npm.as_ref())
            .or_else(|| rc.and_then(|rc| rc.registry.as_ref()))
        {
            return u.clone();
        }
        match resolved_base {
            Some(b) => match self.mirror(b) {
                Some(m) => m.to_owned(),
                None => with_slash(b),
            },
            None => public::NPM.to_owned(),
        }
    }

    fn cargo_index(&self, url: &str, sparse: bool) -> Result<String, String> {
        if is_crates_io(url) {
            return Ok(self.cargo_crates_io.clone());
        }
        if let Some(m) = self.mirror(url) {
            return Ok(m.to_owned());
        }
        if sparse {
            return registry_url(url, "Cargo.lock").map_err(|e| e.to_string());
        }
        Err(format!(
            "git index {}: map it to a sparse index in [registries.mirrors]",
            crate::redact::redact_url(url)
        ))
    }

    /// What the registry stage does with a package (roots are not asked about).
    pub fn scope(&self, p: &Package) -> Scope {
        if let Some(n) = &p.npm {
            if n.in_bundle {
                return Scope::Skip(CoverageCode::Bundled);
            }
            if n.workspace {
                return Scope::Skip(CoverageCode::LocalFolder);
            }
        }
        let expected = p
            .integrity
            .as_ref()
            .map(|i| i.digests.clone())
            .unwrap_or_default();
        let target = match &p.source {
            Source::Path => return Scope::Skip(CoverageCode::LocalPath),
            Source::Git(_) => return Scope::Skip(CoverageCode::Git),
            Source::Other(_) => return Scope::Skip(CoverageCode::LocalCopy),
            Source::Tarball { url } => {
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return Scope::Skip(CoverageCode::LocalTarball);
                }
                Target::Tarball { url: url.clone() }
            }
            Source::Registry { url, sparse } => match p.ecosystem {
                Ecosystem::Npm => {
                    let base = url
                        .as_deref()
                        .map(|u| crate::source_urls::npm_registry_base(u, &p.name));
                    let registry = self.npm_registry(p, base);
                    let tarball = match (url, base) {
                        (Some(u), Some(b)) if normalized(b) == normalized(&registry) => {
                            u.to_string()
                        }
                        (Some(u), Some(b)) => {
                            format!("{registry}{}", &u[b.len()..].trim_start_matches('/'))
                        }
                        _ => super::npm::tarball_url(&registry, &p.name, &p.version),
                    };
                    Target::Npm { registry, tarball }
                }
                Ecosystem::Cargo => Target::Cargo {
                    index: match url {
                        Some(u) => self.cargo_index(u, *sparse),
                        None => Ok(self.cargo_crates_io.clone()),
                    },
                },
            },
        };
        Scope::Check { target, expected }
    }
}

fn with_slash(u: &str) -> String {
    if u.ends_with('/') {
        u.to_owned()
    } else {
        format!("{u}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::{Location, Scopes};

    fn npm(name: &str, resolved: Option<&str>) -> Package {
        Package {
            id: "x".into(),
            ecosystem: Ecosystem::Npm,
            name: name.into(),
            version: "1.0.0".into(),
            source: Source::Registry {
                url: resolved.map(Into::into),
                sparse: false,
            },
            source_raw: resolved.map(Into::into),
            checksum: None,
            integrity: None,
            scopes: Scopes::default(),
            is_root: false,
            location: Location::default(),
            npm: Some(Box::default()),
        }
    }

    fn cargo(url: &str, sparse: bool) -> Package {
        Package {
            ecosystem: Ecosystem::Cargo,
            source: Source::Registry {
                url: Some(url.into()),
                sparse,
            },
            npm: None,
            ..npm("serde", None)
        }
    }

    fn target(r: &Resolver, p: &Package) -> Target {
        match r.scope(p) {
            Scope::Check { target, .. } => target,
            Scope::Skip(s) => panic!("skipped: {s:?}"),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn npm_uses_the_lockfile_registry_by_default_and_rebases_tarballs_on_overrides() {
        let cfg = RegistriesConfig::default();
        let r = Resolver::new(&cfg, &UrlOverrides::default(), vec![], &no_env).unwrap();
        let p = npm(
            "@s/a",
            Some("https://registry.npmjs.test/@s/a/-/a-1.0.0.tgz"),
        );
        assert_eq!(
            target(&r, &p),
            Target::Npm {
                registry: "https://registry.npmjs.test/".into(),
                tarball: "https://registry.npmjs.test/@s/a/-/a-1.0.0.tgz".into()
            }
        );
        let o = UrlOverrides {
            npm: Some("http://127.0.0.1:9/npm".into()),
            cargo: None,
        };
        let r = Resolver::new(&cfg, &o, vec![], &no_env).unwrap();
        assert_eq!(
            target(&r, &p),
            Target::Npm {
                registry: "http://127.0.0.1:9/npm/".into(),
                tarball: "http://127.0.0.1:9/npm/@s/a/-/a-1.0.0.tgz".into()
            }
        );
        // No resolved URL: the public registry and the conventional tarball.
        let r = Resolver::new(&cfg, &UrlOverrides::default(), vec![], &no_env).unwrap();
        assert_eq!(
            target(&r, &npm("a", None)),
            Target::Npm {
                registry: public::NPM.into(),
                tarball: "https://registry.npmjs.org/a/-/a-1.0.0.tgz".into()
            }
        );
    }

    #[test]
    fn npm_scopes_beat_the_registry_override_and_npmrc_applies_per_lockfile() {
        let mut cfg = RegistriesConfig::default();
        cfg.scopes
            .insert("@corp".into(), "https://npm.corp.example/".into());
        let rc = Npmrc::parse(
            std::path::Path::new(".npmrc"),
            "registry=https://rc.example/\n@other:registry=https://other.example/\n",
            &no_env,
        )
        .unwrap();
        let o = UrlOverrides {
            npm: Some("https://flag.example/".into()),
            cargo: None,
        };
        let r = Resolver::new(&cfg, &o, vec![Some(rc.clone())], &no_env).unwrap();
        let reg = |p: &Package| match target(&r, p) {
            Target::Npm { registry, .. } => registry,
            t => panic!("{t:?}"),
        };
        assert_eq!(reg(&npm("@corp/x", None)), "https://npm.corp.example/");
        assert_eq!(reg(&npm("@other/x", None)), "https://other.example/");
        assert_eq!(reg(&npm("x", None)), "https://flag.example/");
        let r = Resolver::new(&cfg, &UrlOverrides::default(), vec![Some(rc)], &no_env).unwrap();
        let reg = |p: &Package| match target(&r, p) {
            Target::Npm { registry, .. } => registry,
            t => panic!("{t:?}"),
        };
        assert_eq!(
            reg(&npm(
                "x",
                Some("https://registry.npmjs.org/x/-/x-1.0.0.tgz")
            )),
            "https://rc.example/"
        );
    }

    #[test]
    fn cargo_maps_crates_io_to_the_sparse_index_and_needs_a_mirror_for_git_indexes() {
        let mut cfg = RegistriesConfig::default();
        let r = Resolver::new(&cfg, &UrlOverrides::default(), vec![], &no_env).unwrap();
        let idx = |r: &Resolver, p: &Package| match target(r, p) {
            Target::Cargo { index } => index,
            t => panic!("{t:?}"),
        };
        assert_eq!(
            idx(&r, &cargo(public::CRATES_IO_GIT, false)),
            Ok("https://index.crates.io/".into())
        );
        assert_eq!(
            idx(&r, &cargo("https://cargo.corp/index/", true)),
            Ok("https://cargo.corp/index/".into())
        );
        assert!(idx(&r, &cargo("https://git.corp/index", false)).is_err());
        cfg.mirrors.insert(
            "registry+https://git.corp/index".into(),
            "sparse+https://cargo.corp/index".into(),
        );
        let o = UrlOverrides {
            npm: None,
            cargo: Some("http://127.0.0.1:9/".into()),
        };
        let r = Resolver::new(&cfg, &o, vec![], &no_env).unwrap();
        assert_eq!(
            idx(&r, &cargo("https://git.corp/index", false)),
            Ok("https://cargo.corp/index/".into())
        );
        assert_eq!(
            idx(&r, &cargo(public::CRATES_IO_SPARSE, true)),
            Ok("http://127.0.0.1:9/".into())
        );
    }

    #[test]
    fn rejects_a_registry_flag_that_is_not_a_url() {
        let o = UrlOverrides {
            npm: Some("registry.example".into()),
            cargo: None,
        };
        let e = Resolver::new(&RegistriesConfig::default(), &o, vec![], &no_env).unwrap_err();
        assert!(e.to_string().starts_with("--registry-url-npm:"), "{e}");
    }
}

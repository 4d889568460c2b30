//! `[provenance]`: the section `check --verify-provenance` enforces (package rules) and that
//! `attest policy-check` reads (artefact policies). The policy itself is [`ProvenancePolicy`]
//! (attest). Here, beside the check that applies it (as every check's config lives), so the
//! check does not depend on `policy`; `policy::provenance` re-exports it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tollgate_attest::slsa::ProvenancePolicy;

/// `[provenance]`: which provenance each package or artefact must have.
///
/// `tollgate check --verify-provenance` enforces the package policies (a key may be a glob,
/// `@myorg/*`), `require` and `require-signatures`; artefact policies are enforced by
/// `tollgate attest policy-check`.
///
/// ```toml
/// [provenance]
/// require = ["@myorg/*"]          # must have verified provenance (policy or not)
/// require-signatures = true       # a missing registry signature is a finding (default)
///
/// [provenance.packages."@scope/name"]
/// source-uri = "github.com/scope/name"
/// builder-id = "https://github.com/actions/runner/github-hosted"
///
/// [provenance.artifacts."dist/tool-linux-amd64"]
/// source-uri = "github.com/o/tool"
/// source-versioned-tag = "v2"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ProvenanceConfig {
    /// Packages (names or globs: `@myorg/*`, `*`) that must have verified provenance, whether or
    /// not a policy table names them. Every package a policy table names must have it too.
    pub require: Vec<String>,
    /// A registry that signs (pinned keys) and a version without a signature: a
    /// `signature-missing` finding (default `true`); `false` reports it as unsigned coverage.
    pub require_signatures: bool,
    /// The npm registry keys file (`{"keys": [...]}`); default: the embedded copy of the public
    /// registry's keys, which apply to registry.npmjs.org only. A file given applies to every npm
    /// registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub npm_keys: Option<std::path::PathBuf>,
    /// The Sigstore trusted root; default: the embedded production root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<std::path::PathBuf>,
    /// Policies by package name (`@scope/name`, `serde`) or glob (`@scope/*`).
    pub packages: BTreeMap<String, ProvenancePolicy>,
    /// Policies by artefact path (relative to the configuration file).
    pub artifacts: BTreeMap<String, ProvenancePolicy>,
}

impl Default for ProvenanceConfig {
    fn default() -> Self {
        ProvenanceConfig {
            require: Vec::new(),
            require_signatures: true,
            npm_keys: None,
            trusted_root: None,
            packages: BTreeMap::new(),
            artifacts: BTreeMap::new(),
        }
    }
}

impl ProvenanceConfig {
    /// The policy for a package: the table named exactly, else the first glob (in key order)
    /// that matches the name.
    pub fn for_package(&self, name: &str) -> Option<&ProvenancePolicy> {
        self.packages.get(name).or_else(|| {
            self.packages
                .iter()
                .find(|(k, _)| k.contains('*') && crate::checks::glob_match(k, name))
                .map(|(_, p)| p)
        })
    }

    /// `true` when the package must have verified provenance: a policy names it, or `require`
    /// matches it.
    pub fn requires(&self, name: &str) -> bool {
        self.for_package(name).is_some()
            || self
                .require
                .iter()
                .any(|p| crate::checks::glob_match(p, name))
    }

    /// `true` when a section sets anything `check --verify-provenance` enforces.
    pub fn has_package_rules(&self) -> bool {
        !self.packages.is_empty() || !self.require.is_empty()
    }

    /// The policy for an artefact path, if one is configured.
    pub fn for_artifact(&self, path: &str) -> Option<&ProvenancePolicy> {
        self.artifacts.get(path)
    }

    /// Checks every policy; the error names the table (`provenance.packages."x"`) and the key
    /// to look for in the text.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (kind, map) in [("packages", &self.packages), ("artifacts", &self.artifacts)] {
            for (name, p) in map {
                p.validate()
                    .map_err(|e| (name.clone(), format!("[provenance.{kind}.\"{name}\"]: {e}")))?;
                if kind == "packages" {
                    package_policy_complete(p).map_err(|e| {
                        (name.clone(), format!("[provenance.{kind}.\"{name}\"]: {e}"))
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// What a package policy must name to be evaluated: the source repository and, for npm
/// packages, the builder (slsa-verifier's `verify-npm-package` needs both).
pub fn package_policy_complete(p: &ProvenancePolicy) -> Result<(), String> {
    if p.source_uri.is_none() && p.repo.is_none() && p.owner.is_none() {
        return Err("a package policy names its source: set source-uri, repo or owner".into());
    }
    if p.builder_id.is_none() {
        return Err("a package policy names its builder: set builder-id (npm publish --provenance on GitHub-hosted runners: https://github.com/actions/runner/github-hosted)".into());
    }
    if !p.digest.is_empty() || p.package_name.is_some() || p.package_version.is_some() {
        return Err("digest, package-name and package-version come from the lockfile: remove them from a package policy".into());
    }
    Ok(())
}

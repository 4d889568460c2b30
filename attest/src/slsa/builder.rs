//! Builder ids (`https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1.2.3`) and the
//! builders trusted by default, as slsa-verifier knows them.

use std::fmt;

/// slsa-github-generator's reusable workflows live here.
pub const SLSA_GITHUB_GENERATOR_WORKFLOWS: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";

/// The generic generator (`generator_generic_slsa3.yml`).
pub const GENERIC_GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
/// The container generator (`generator_container_slsa3.yml`).
pub const CONTAINER_GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml";
/// The Go builder (`builder_go_slsa3.yml`).
pub const GO_BUILDER: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml";
/// The container-based builder (`builder_container-based_slsa3.yml`).
pub const CONTAINER_BASED_BUILDER: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml";
/// The BYOB delegator (`delegator_generic_slsa3.yml`): it signs for the builder named in the
/// provenance.
pub const GENERIC_DELEGATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml";
/// The low-permission BYOB delegator (`delegator_lowperms-generic_slsa3.yml`).
pub const LOW_PERMS_DELEGATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml";
/// The npm CLI's builder id before it recorded the runner kind (treated as GitHub-hosted).
pub const NPM_CLI_LEGACY: &str = "https://github.com/actions/runner";
/// The npm CLI on a GitHub-hosted runner.
pub const NPM_CLI_HOSTED: &str = "https://github.com/actions/runner/github-hosted";
/// The npm CLI on a self-hosted runner (never accepted: a self-hosted runner proves nothing).
pub const NPM_CLI_SELF_HOSTED: &str = "https://github.com/actions/runner/self-hosted";
/// JReleaser's release action (BYOB builder with `vX.Y.Z-java` tags).
pub const JRELEASER: &str = "https://github.com/jreleaser/release-action";

/// Builders trusted when a policy names none: slsa-verifier's defaults for artefacts
/// (generic, Go, container-based) and images (container generator). BYOB builders are trusted
/// when they live in slsa-github-generator's workflow directory.
pub const DEFAULT_TRUSTED_BUILDERS: [&str; 4] = [
    GENERIC_GENERATOR,
    GO_BUILDER,
    CONTAINER_BASED_BUILDER,
    CONTAINER_GENERATOR,
];

/// The BYOB delegators (their signature vouches for the builder in the provenance).
pub const DELEGATORS: [&str; 2] = [GENERIC_DELEGATOR, LOW_PERMS_DELEGATOR];

/// A builder id split into name and version (the part after `@`, often `refs/tags/vX.Y.Z`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuilderId {
    /// Everything before `@`.
    pub name: String,
    /// Everything after `@`, or empty.
    pub version: String,
}

/// A builder id with more than one `@`, or an empty version after `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedBuilderId(pub String);

impl fmt::Display for MalformedBuilderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed builder id `{}` (expected NAME or NAME@REF)",
            self.0
        )
    }
}

/// Why two builder ids do not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuilderMismatch {
    /// Different names.
    Name,
    /// Same name, different versions.
    Version,
}

impl BuilderId {
    /// Parses `NAME` or `NAME@VERSION` (slsa-verifier's `ParseBuilderID`).
    pub fn parse(id: &str) -> Result<BuilderId, MalformedBuilderId> {
        let mut parts = id.split('@');
        let name = parts.next().unwrap_or_default();
        let version = parts.next();
        if parts.next().is_some() || version == Some("") {
            return Err(MalformedBuilderId(id.to_owned()));
        }
        Ok(BuilderId {
            name: name.to_owned(),
            version: version.unwrap_or_default().to_owned(),
        })
    }

    /// `expected` names this builder; when it carries a version, that version too, in either
    /// form: `v2.1.0` matches `refs/tags/v2.1.0` (slsa-verifier's `MatchesLoose`).
    pub fn matches_loose(&self, expected: &BuilderId) -> Result<(), BuilderMismatch> {
        if expected.name != self.name {
            return Err(BuilderMismatch::Name);
        }
        if expected.version.is_empty() || self.version_matches(&expected.version) {
            Ok(())
        } else {
            Err(BuilderMismatch::Version)
        }
    }

    /// Name and version both equal (`v2.1.0` still matches `refs/tags/v2.1.0`), slsa-verifier's
    /// `MatchesFull`.
    pub fn matches_full(&self, expected: &BuilderId) -> Result<(), BuilderMismatch> {
        if expected.name != self.name {
            return Err(BuilderMismatch::Name);
        }
        if self.version_matches(&expected.version) {
            Ok(())
        } else {
            Err(BuilderMismatch::Version)
        }
    }

    fn version_matches(&self, v: &str) -> bool {
        v == self.version || format!("refs/tags/{v}") == self.version
    }
}

impl fmt::Display for BuilderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.version.is_empty() {
            write!(f, "@{}", self.version)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> BuilderId {
        BuilderId::parse(s).unwrap()
    }

    const CERT: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0";

    #[test]
    fn accepts_builder_id_forms() {
        let cert = id(CERT);
        for ok in [
            GENERIC_GENERATOR.to_owned(),
            format!("{GENERIC_GENERATOR}@refs/tags/v2.1.0"),
            format!("{GENERIC_GENERATOR}@v2.1.0"),
        ] {
            assert_eq!(cert.matches_loose(&id(&ok)), Ok(()), "{ok}");
        }
        assert_eq!(cert.matches_full(&id(CERT)), Ok(()));
        assert_eq!(
            cert.matches_full(&id(&format!("{GENERIC_GENERATOR}@v2.1.0"))),
            Ok(())
        );
    }

    #[test]
    fn rejects_builder_id_near_misses() {
        let cert = id(CERT);
        assert_eq!(
            cert.matches_loose(&id(&format!("{GENERIC_GENERATOR}@refs/tags/v2.0.0"))),
            Err(BuilderMismatch::Version)
        );
        assert_eq!(
            cert.matches_loose(&id(&format!("{GENERIC_GENERATOR}@2.1.0"))),
            Err(BuilderMismatch::Version)
        );
        assert_eq!(
            cert.matches_loose(&id(&format!("{GENERIC_GENERATOR}x"))),
            Err(BuilderMismatch::Name)
        );
        // Full matching needs the version.
        assert_eq!(
            cert.matches_full(&id(GENERIC_GENERATOR)),
            Err(BuilderMismatch::Version)
        );
        // The short form does not match the other way round.
        assert_eq!(
            id(&format!("{GENERIC_GENERATOR}@v2.1.0"))
                .matches_loose(&id(&format!("{GENERIC_GENERATOR}@refs/tags/v2.1.0"))),
            Err(BuilderMismatch::Version)
        );
    }

    #[test]
    fn rejects_malformed_builder_ids() {
        assert!(BuilderId::parse("a@b@c").is_err());
        assert!(BuilderId::parse("a@").is_err());
        assert_eq!(id("a").version, "");
        assert_eq!(id(CERT).to_string(), CERT);
    }
}

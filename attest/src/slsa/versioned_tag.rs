//! Versioned-tag matching (`--source-versioned-tag`): a semver *prefix* of the tag the build ran on.
//!
//! `v13` and `v13.0` match a build from tag `v13.0.30`; `v13.1`, `v13.0.31` and `v2` do not. A short
//! provenance tag is completed first (`v14` is `v14.0.0`), so `v14.0` matches a build from `v14`.
//! Prerelease is part of the patch component and must be equal; build metadata is ignored.
//!
//! Why by hand: slsa-verifier follows Go's `golang.org/x/mod/semver`, which accepts the `v` prefix
//! and the shorthands `vMAJOR` and `vMAJOR.MINOR` that the `semver` crate rejects; the few
//! functions below reproduce it exactly (validity, `Canonical`, `Major`, `Prerelease`, `Build`).
//!
//! One deliberate difference from slsa-verifier's `VerifyVersionedTag`: it compares the text after
//! the second `.` up to the build metadata, so for dotted prereleases it only sees the first
//! identifier (`v1.2.3-rc.1` would satisfy an expected `v1.2.3-rc.2`). Here the whole prerelease
//! must be equal. Every case of slsa-verifier's own test table gives the same answer.

use std::fmt;

/// A parsed Go-style semantic version (`vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSemver {
    /// Major component (decimal text, no leading zero).
    pub major: String,
    /// Minor component (`"0"` when the shorthand `vMAJOR` was given).
    pub minor: String,
    /// Patch component (`"0"` for the shorthands).
    pub patch: String,
    /// Prerelease identifiers without the leading `-` (empty when absent).
    pub prerelease: String,
    /// Build metadata without the leading `+` (empty when absent).
    pub build: String,
    /// How many numeric components were written (1, 2 or 3).
    pub components: u8,
}

impl GoSemver {
    /// Parses like `golang.org/x/mod/semver` (`None` where Go's `IsValid` is false).
    pub fn parse(v: &str) -> Option<GoSemver> {
        let rest = v.strip_prefix('v')?;
        let (major, rest) = parse_int(rest)?;
        let mut out = GoSemver {
            major: major.to_owned(),
            minor: "0".to_owned(),
            patch: "0".to_owned(),
            prerelease: String::new(),
            build: String::new(),
            components: 1,
        };
        if rest.is_empty() {
            return Some(out);
        }
        let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
        out.minor = minor.to_owned();
        out.components = 2;
        if rest.is_empty() {
            return Some(out);
        }
        let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
        out.patch = patch.to_owned();
        out.components = 3;
        if let Some(pre) = rest.strip_prefix('-') {
            let end = pre.find('+').unwrap_or(pre.len());
            if !valid_identifiers(&pre[..end], true) {
                return None;
            }
            out.prerelease = pre[..end].to_owned();
            rest = &pre[end..];
        }
        if let Some(build) = rest.strip_prefix('+') {
            if !valid_identifiers(build, false) {
                return None;
            }
            out.build = build.to_owned();
            rest = "";
        }
        rest.is_empty().then_some(out)
    }

    /// Go's `semver.Canonical`: `vMAJOR.MINOR.PATCH[-PRERELEASE]`, build metadata dropped.
    pub fn canonical(&self) -> String {
        let mut s = format!("v{}.{}.{}", self.major, self.minor, self.patch);
        if !self.prerelease.is_empty() {
            s.push('-');
            s.push_str(&self.prerelease);
        }
        s
    }
}

impl fmt::Display for GoSemver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())?;
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

/// A decimal number without a leading zero, and the rest of the text.
fn parse_int(v: &str) -> Option<(&str, &str)> {
    let n = v.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && v.starts_with('0')) {
        return None;
    }
    Some(v.split_at(n))
}

/// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`; in a prerelease, numeric identifiers
/// have no leading zero.
fn valid_identifiers(s: &str, prerelease: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(prerelease
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Why a versioned tag does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionedTagError {
    /// The expected tag is not a valid semantic version (`v1`, `v1.2`, `v1.2.3[-pre][+build]`).
    InvalidExpected(String),
    /// The provenance tag is not a valid semantic version.
    InvalidProvenanceTag(String),
    /// A component differs: which one, expected, actual.
    Mismatch {
        /// `major`, `minor`, `patch` or `prerelease`.
        component: &'static str,
        /// Expected value.
        expected: String,
        /// Value in the provenance.
        actual: String,
    },
}

impl fmt::Display for VersionedTagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionedTagError::InvalidExpected(t) => {
                write!(
                    f,
                    "`{t}` is not a semantic version (vX, vX.Y or vX.Y.Z[-pre][+build])"
                )
            }
            VersionedTagError::InvalidProvenanceTag(t) => {
                write!(f, "the provenance tag `{t}` is not a semantic version")
            }
            VersionedTagError::Mismatch {
                component,
                expected,
                actual,
            } => write!(f, "{component} version {expected} ≠ {actual}"),
        }
    }
}

/// Checks that `provenance_tag` (the tag name, e.g. `v13.0.30`) is covered by `expected`
/// (e.g. `v13`, `v13.0`, `v13.0.30`): major always equal; minor when given; patch and
/// prerelease when a patch is given; build metadata ignored.
pub fn verify_versioned_tag(provenance_tag: &str, expected: &str) -> Result<(), VersionedTagError> {
    let want = GoSemver::parse(expected)
        .ok_or_else(|| VersionedTagError::InvalidExpected(expected.to_owned()))?;
    let have = GoSemver::parse(provenance_tag)
        .ok_or_else(|| VersionedTagError::InvalidProvenanceTag(provenance_tag.to_owned()))?;
    let mismatch = |component, expected: &str, actual: &str| VersionedTagError::Mismatch {
        component,
        expected: expected.to_owned(),
        actual: actual.to_owned(),
    };
    if want.major != have.major {
        return Err(mismatch("major", &want.major, &have.major));
    }
    if want.components >= 2 && want.minor != have.minor {
        return Err(mismatch("minor", &want.minor, &have.minor));
    }
    if want.components == 3 {
        if want.patch != have.patch {
            return Err(mismatch("patch", &want.patch, &have.patch));
        }
        if want.prerelease != have.prerelease {
            let show = |p: &str| {
                if p.is_empty() {
                    "(none)".to_owned()
                } else {
                    format!("-{p}")
                }
            };
            return Err(mismatch(
                "prerelease",
                &show(&want.prerelease),
                &show(&have.prerelease),
            ));
        }
    }
    Ok(())
}

/// Is `tag` a release tag `vX.Y.Z` (all three components, no prerelease, no build metadata)?
/// The rule slsa-verifier applies to builder refs (`IsValidBuilderTag`).
pub fn is_release_tag(tag: &str) -> bool {
    GoSemver::parse(tag)
        .is_some_and(|v| v.components == 3 && v.prerelease.is_empty() && v.build.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go_semver() {
        for ok in [
            "v1",
            "v1.2",
            "v1.2.3",
            "v0.0.0",
            "v1.2.3-alpha",
            "v1.2.3-alpha.1+b.2",
            "v1.2.3+123",
            "v10.20.30-x-y.0",
        ] {
            assert!(GoSemver::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "1.2.3",
            "v",
            "v01",
            "v1.02",
            "v1.2.03",
            "v1.2-alpha",
            "v1-alpha",
            "v1+123",
            "v1.2+123",
            "v1.2.3-",
            "v1.2.3-01",
            "v1.2.3-a..b",
            "v1.2.3+",
            "v1.2.3+a..b",
            "v1.2.3.4",
            "vslsa1",
            "v1.2.3-a_b",
            "V1.2.3",
            "v1.2.3 ",
        ] {
            assert!(GoSemver::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(GoSemver::parse("v14").unwrap().canonical(), "v14.0.0");
        assert_eq!(
            GoSemver::parse("v1.2.3-rc.1+b").unwrap().canonical(),
            "v1.2.3-rc.1"
        );
        // Numeric identifiers with a leading zero are fine in build metadata.
        assert!(GoSemver::parse("v1.2.3+007").is_some());
    }

    /// slsa-verifier's `Test_VerifyVersionedTag` table (verifiers/internal/gha/provenance_test.go),
    /// minus the cases about refs, which live with the policy.
    #[test]
    fn agrees_with_slsa_verifier_table() {
        use VersionedTagError as E;
        let ok = |prov: &str, want: &str| {
            assert_eq!(verify_versioned_tag(prov, want), Ok(()), "{prov} vs {want}");
        };
        let mismatch = |prov: &str, want: &str| {
            assert!(
                matches!(verify_versioned_tag(prov, want), Err(E::Mismatch { .. })),
                "{prov} vs {want}: {:?}",
                verify_versioned_tag(prov, want)
            );
        };
        let invalid = |prov: &str, want: &str| {
            assert!(
                matches!(
                    verify_versioned_tag(prov, want),
                    Err(E::InvalidExpected(_) | E::InvalidProvenanceTag(_))
                ),
                "{prov} vs {want}"
            );
        };
        invalid("v1.2", "1.2");
        invalid("vslsa1", "vslsa1");
        invalid("vslsa1", "v1.2.3");
        ok("v1.2.3", "v1.2.3");
        ok("v1.2.3", "v1.2");
        ok("v1.2.3", "v1");
        mismatch("v1.2.3", "v2");
        mismatch("v1.2.3", "v1.3");
        mismatch("v1.2.3", "v1.2.4");
        mismatch("v1.2.3", "v1.2.2");
        ok("v1.2", "v1.2");
        ok("v1.2", "v1");
        mismatch("v1.3", "v1.1");
        mismatch("v1.3", "v0");
        mismatch("v1.2", "v1.3");
        mismatch("v1.2", "v1.2.3");
        ok("v1.2", "v1.2.0");
        ok("v1.2", "v1.2.0+123");
        for bad in [
            "v1.2+123",
            "v1.2-alpha",
            "v1-alpha",
            "v1+123",
            "v1-alpha+123",
            "v1.2-alpha+123",
        ] {
            invalid("v1.2", bad);
        }
        ok("v1.2.3-alpha", "v1.2.3-alpha");
        mismatch("v1.2.3-alpha", "v1.2.3");
        ok("v1.2.3-alpha+123", "v1.2.3-alpha");
        ok("v1.2.3-alpha+123", "v1.2.3-alpha+123");
        ok("v1.2.3-alpha+123", "v1.2.3-alpha+456");
        ok("v1.2.3-alpha", "v1.2.3-alpha+123");
        mismatch("v1.2.3-alpha", "v1.2.3-beta+123");
        mismatch("v1.2.3+123", "v1.2.3-alpha+123");
        mismatch("v1.2.3+123", "v1.2.3-alpha");
        ok("v1.2.3+123", "v1.2.3+123");
        ok("v1.2.3+123", "v1.2.3");
        ok("v1.2.3+123", "v1.2.3+456");
        mismatch("v1.2.3", "v1.2.3-alpha");
        mismatch("v1.2.3-alpha", "v1.2.3-beta");
        mismatch("v1.2", "v1.2.3-beta");
        ok("v1.2.3", "v1.2.3+123");
        mismatch("v1.2", "v1.2.0-alpha+123");
        mismatch("v1.2", "v2");
        ok("v1", "v1");
        mismatch("v1", "v2");
        mismatch("v1", "v1.2");
        mismatch("v1", "v0");
        mismatch("v1", "v1.2.3");
        ok("v1", "v1.0");
        ok("v1", "v1.0.0");
        invalid("v1", "v1-alpha");
    }

    #[test]
    fn accepts_prefixes_of_the_issue_examples() {
        for want in ["v13", "v13.0", "v13.0.30"] {
            assert_eq!(verify_versioned_tag("v13.0.30", want), Ok(()), "{want}");
        }
    }

    #[test]
    fn rejects_near_misses_of_the_issue_examples() {
        for want in ["v13.1", "v13.0.31", "v2", "v13.0.3", "v1"] {
            assert!(verify_versioned_tag("v13.0.30", want).is_err(), "{want}");
        }
    }

    #[test]
    fn rejects_a_different_dotted_prerelease_unlike_slsa_verifier() {
        // Deliberate difference: slsa-verifier compares only up to the first `.` of the prerelease.
        assert_eq!(verify_versioned_tag("v1.2.3-rc.1", "v1.2.3-rc.1"), Ok(()));
        let e = verify_versioned_tag("v1.2.3-rc.1", "v1.2.3-rc.2").unwrap_err();
        assert_eq!(e.to_string(), "prerelease version -rc.2 ≠ -rc.1");
        // A prefix without a patch still covers prereleases, as in slsa-verifier.
        assert_eq!(verify_versioned_tag("v1.2.3-rc.1", "v1.2"), Ok(()));
    }

    #[test]
    fn release_tags_need_three_components_and_nothing_else() {
        assert!(is_release_tag("v2.1.0"));
        for bad in ["v2.1", "v2", "v2.1.0-rc.1", "v2.1.0+b", "2.1.0", "main"] {
            assert!(!is_release_tag(bad), "{bad}");
        }
    }
}

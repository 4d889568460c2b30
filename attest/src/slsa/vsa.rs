//! Verification Summary Attestations (`https://slsa.dev/verification_summary/v1`): another
//! verifier's verdict about a resource, checked as `slsa-verifier verify-vsa` does.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, DigestSet};
use crate::slsa::policy::InvalidPolicy;
use crate::slsa::violation::{Check, Reason, Violation};
use crate::statement::Statement;

/// `predicateType` of a VSA v1.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";

/// What a VSA must say (`slsa-verifier verify-vsa` flags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VsaPolicy {
    /// The resource the verdict is about (`--resource-uri`), required.
    #[serde(alias = "resource_uri")]
    pub resource_uri: String,
    /// The verifier (`--verifier-id`); without it, the key that signed the VSA is the only
    /// statement of who verified.
    #[serde(
        default,
        alias = "verifier_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub verifier_id: Option<String>,
    /// Levels that must be verified (`--verified-level`): `SLSA_<TRACK>_LEVEL_<n>` at least that
    /// level on the track, any other string exactly.
    #[serde(
        default,
        alias = "verified_levels",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub verified_levels: Vec<String>,
    /// Subject digests as `TYPE:VALUE`, matched as text (`--subject-digest`). VSAs name resources
    /// by identifiers such as `gce_image_id`, which are not content digests; a content digest
    /// belongs in the policy's `digest`.
    #[serde(
        default,
        alias = "subject_digests",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subject_digests: Vec<String>,
}

/// The facts of a VSA that passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VsaSummary {
    /// `predicate.verifier.id`.
    pub verifier_id: String,
    /// `predicate.resourceUri`.
    pub resource_uri: String,
    /// `predicate.verifiedLevels`.
    pub verified_levels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VsaPredicate {
    #[serde(default)]
    verifier: VsaVerifier,
    #[serde(default)]
    resource_uri: String,
    #[serde(default)]
    verification_result: String,
    #[serde(default)]
    verified_levels: Vec<String>,
}

#[derive(Deserialize, Default)]
struct VsaVerifier {
    #[serde(default)]
    id: String,
}

impl VsaPolicy {
    /// Checks the policy itself.
    pub fn validate(&self) -> Result<(), InvalidPolicy> {
        if self.resource_uri.is_empty() {
            return Err(InvalidPolicy("vsa.resource-uri is empty".into()));
        }
        slsa_levels(&self.verified_levels).map_err(|v| InvalidPolicy(v.to_string()))?;
        if let Some(d) = self.subject_digests.iter().find(|d| !d.contains(':')) {
            return Err(InvalidPolicy(format!(
                "vsa.subject-digests `{d}`: expected TYPE:VALUE"
            )));
        }
        Ok(())
    }
}

/// `SLSA_<TRACK>_LEVEL_<n>` → track → highest level.
fn slsa_levels(levels: &[String]) -> Result<BTreeMap<String, u32>, Violation> {
    let mut out = BTreeMap::new();
    for l in levels.iter().filter(|l| l.starts_with("SLSA_")) {
        let parts: Vec<&str> = l.splitn(4, '_').collect();
        let level = match parts[..] {
            [_, track, "LEVEL", n] => n.parse::<u32>().ok().map(|n| (track, n)),
            _ => None,
        };
        let (track, n) = level.ok_or_else(|| {
            Violation::new(Check::VerifiedLevels, Reason::MalformedPredicate)
                .detail(format!("invalid SLSA level `{l}`"))
        })?;
        let e = out.entry(track.to_owned()).or_insert(n);
        *e = (*e).max(n);
    }
    Ok(out)
}

/// Evaluates a VSA statement (its signature is the caller's business).
pub fn evaluate_vsa(
    st: &Statement,
    policy: &VsaPolicy,
    digests: &[Digest],
) -> Result<(VsaSummary, Vec<Check>), Violation> {
    let p = VsaPredicate::deserialize(&st.predicate).map_err(|e| {
        Violation::new(Check::Predicate, Reason::MalformedPredicate).detail(format!("VSA: {e}"))
    })?;
    let mut checks = vec![Check::Predicate];
    let mut have: BTreeSet<String> = BTreeSet::new();
    for s in &st.subjects {
        for (alg, v) in s.digest.entries() {
            have.insert(format!("{alg}:{v}"));
        }
    }
    if let Some(missing) = policy.subject_digests.iter().find(|d| !have.contains(*d)) {
        return Err(Violation::new(Check::SubjectDigest, Reason::Missing).expected(missing.clone()));
    }
    if !digests.is_empty() {
        let want = DigestSet::from_digests(digests);
        if !st.subjects.iter().any(|s| s.digest.matches(&want)) {
            return Err(
                Violation::new(Check::SubjectDigest, Reason::Missing).expected(
                    digests
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            );
        }
    }
    if !policy.subject_digests.is_empty() || !digests.is_empty() {
        checks.push(Check::SubjectDigest);
    }
    if p.verifier.id.is_empty() {
        return Err(
            Violation::new(Check::VerifierId, Reason::Missing).detail("no verifier id in the VSA")
        );
    }
    if let Some(want) = &policy.verifier_id {
        if *want != p.verifier.id {
            return Err(Violation::mismatch(
                Check::VerifierId,
                want.clone(),
                p.verifier.id,
            ));
        }
        checks.push(Check::VerifierId);
    }
    if p.resource_uri.is_empty() {
        return Err(Violation::new(Check::ResourceUri, Reason::Missing)
            .detail("no resource URI in the VSA"));
    }
    if policy.resource_uri != p.resource_uri {
        return Err(Violation::mismatch(
            Check::ResourceUri,
            policy.resource_uri.clone(),
            p.resource_uri,
        ));
    }
    checks.push(Check::ResourceUri);
    if p.verification_result != "PASSED" {
        return Err(Violation::new(Check::VerificationResult, Reason::NotPassed)
            .expected("PASSED")
            .actual(p.verification_result));
    }
    checks.push(Check::VerificationResult);
    let want = slsa_levels(&policy.verified_levels)?;
    let got = slsa_levels(&p.verified_levels)?;
    for (track, min) in &want {
        match got.get(track) {
            Some(l) if l >= min => {}
            other => {
                return Err(Violation::mismatch(
                    Check::VerifiedLevels,
                    format!("SLSA_{track}_LEVEL_{min}"),
                    other.map_or("(none)".to_owned(), |l| format!("SLSA_{track}_LEVEL_{l}")),
                ));
            }
        }
    }
    if let Some(l) = policy
        .verified_levels
        .iter()
        .find(|l| !l.starts_with("SLSA_") && !p.verified_levels.contains(l))
    {
        return Err(Violation::mismatch(
            Check::VerifiedLevels,
            l.clone(),
            p.verified_levels.join(", "),
        ));
    }
    if !policy.verified_levels.is_empty() {
        checks.push(Check::VerifiedLevels);
    }
    Ok((
        VsaSummary {
            verifier_id: p.verifier.id,
            resource_uri: p.resource_uri,
            verified_levels: p.verified_levels,
        },
        checks,
    ))
}

/// What a verifier says in the VSA it issues ([`issue`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VsaIssue {
    /// The artefacts the verdict is about: name and digests.
    pub subjects: Vec<(String, DigestSet)>,
    /// `verifier.id`.
    pub verifier_id: String,
    /// `verifier.version`: component → version.
    pub verifier_version: BTreeMap<String, String>,
    /// `timeVerified` (RFC 3339).
    pub time_verified: String,
    /// `resourceUri`.
    pub resource_uri: String,
    /// `policy.uri`.
    pub policy_uri: String,
    /// `policy.digest`.
    pub policy_digest: DigestSet,
    /// `verificationResult`: `true` for `PASSED`.
    pub passed: bool,
    /// `verifiedLevels`.
    pub verified_levels: Vec<String>,
    /// Further predicate members (the issuer's own, under names the VSA does not define).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The in-toto Statement v1 of a VSA v1 (`https://slsa.dev/verification_summary/v1`), as JSON,
/// ready to be signed in a DSSE envelope.
pub fn issue(v: &VsaIssue) -> serde_json::Value {
    let subjects: Vec<serde_json::Value> = v
        .subjects
        .iter()
        .map(|(name, d)| serde_json::json!({"name": name, "digest": d.entries()}))
        .collect();
    let mut predicate = serde_json::json!({
        "verifier": {"id": v.verifier_id, "version": v.verifier_version},
        "timeVerified": v.time_verified,
        "resourceUri": v.resource_uri,
        "policy": {"uri": v.policy_uri, "digest": v.policy_digest.entries()},
        "inputAttestations": [],
        "verificationResult": if v.passed { "PASSED" } else { "FAILED" },
        "verifiedLevels": v.verified_levels,
        "slsaVersion": "1.0",
    });
    if let Some(m) = predicate.as_object_mut() {
        for (k, x) in &v.extra {
            m.entry(k.clone()).or_insert_with(|| x.clone());
        }
    }
    serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vsa(result: &str, levels: &[&str]) -> Statement {
        Statement::from_value(&serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "_", "digest": {"gce_image_id": "8970095005306000053"}}],
            "predicateType": PREDICATE_TYPE,
            "predicate": {"verifier": {"id": "https://v.example/1"}, "resourceUri": "gce_image://x",
                "verificationResult": result, "verifiedLevels": levels},
        }))
        .unwrap()
    }

    fn policy(levels: &[&str]) -> VsaPolicy {
        VsaPolicy {
            resource_uri: "gce_image://x".into(),
            verifier_id: Some("https://v.example/1".into()),
            verified_levels: levels.iter().map(|s| s.to_string()).collect(),
            subject_digests: vec!["gce_image_id:8970095005306000053".into()],
        }
    }

    #[test]
    fn issued_vsas_evaluate_as_issued() {
        let mut v = VsaIssue {
            subjects: vec![(
                "Cargo.lock".into(),
                DigestSet::from_entries(BTreeMap::from([("sha256".into(), "ab".repeat(32))])),
            )],
            verifier_id: "https://v.example/1".into(),
            verifier_version: BTreeMap::from([("v".into(), "1.0".into())]),
            time_verified: "2026-03-01T00:00:00Z".into(),
            resource_uri: "gce_image://x".into(),
            policy_uri: "file:tollgate.toml".into(),
            policy_digest: DigestSet::default(),
            passed: true,
            verified_levels: vec![],
            extra: serde_json::Map::new(),
        };
        let st = Statement::from_value(&issue(&v)).unwrap();
        let mut p = policy(&[]);
        p.subject_digests = vec![format!("sha256:{}", "ab".repeat(32))];
        assert!(evaluate_vsa(&st, &p, &[]).is_ok());
        // Negative twin: a FAILED verdict does not pass.
        v.passed = false;
        let st = Statement::from_value(&issue(&v)).unwrap();
        assert_eq!(
            evaluate_vsa(&st, &p, &[]).unwrap_err().check,
            Check::VerificationResult
        );
    }

    #[test]
    fn accepts_a_passed_vsa_at_or_above_the_levels() {
        let st = vsa("PASSED", &["BCID_L1", "SLSA_BUILD_LEVEL_2"]);
        for l in [
            &["SLSA_BUILD_LEVEL_1"][..],
            &["SLSA_BUILD_LEVEL_2", "BCID_L1"],
            &[],
        ] {
            assert!(evaluate_vsa(&st, &policy(l), &[]).is_ok(), "{l:?}");
        }
    }

    #[test]
    fn rejects_failed_vsa_low_levels_and_other_resources() {
        let st = vsa("FAILED", &["SLSA_BUILD_LEVEL_2"]);
        let e = evaluate_vsa(&st, &policy(&[]), &[]).unwrap_err();
        assert_eq!(
            e.slsa_verifier_error(),
            Some("ErrorInvalidVerificationResult")
        );
        let st = vsa("PASSED", &["SLSA_BUILD_LEVEL_2"]);
        let e = evaluate_vsa(&st, &policy(&["SLSA_BUILD_LEVEL_3"]), &[]).unwrap_err();
        assert_eq!(e.slsa_verifier_error(), Some("ErrorMismatchVerifiedLevels"));
        let e = evaluate_vsa(&st, &policy(&["SLSA_SOURCE_LEVEL_1"]), &[]).unwrap_err();
        assert_eq!(e.check, Check::VerifiedLevels);
        let e = evaluate_vsa(&st, &policy(&["BCID_L1"]), &[]).unwrap_err();
        assert_eq!(e.check, Check::VerifiedLevels);
        let mut p = policy(&[]);
        p.resource_uri = "gce_image://y".into();
        let e = evaluate_vsa(&st, &p, &[]).unwrap_err();
        assert_eq!(e.slsa_verifier_error(), Some("ErrorMismatchResourceURI"));
        let mut p = policy(&[]);
        p.subject_digests = vec!["gce_image_id:1".into()];
        let e = evaluate_vsa(&st, &p, &[]).unwrap_err();
        assert_eq!(e.slsa_verifier_error(), Some("ErrorMissingSubjectDigest"));
        let mut p = policy(&[]);
        p.verifier_id = Some("https://other".into());
        assert_eq!(
            evaluate_vsa(&st, &p, &[])
                .unwrap_err()
                .slsa_verifier_error(),
            Some("ErrorMismatchVerifierID")
        );
    }
}

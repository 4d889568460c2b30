//! `hash-mismatch`, `yanked`, `deprecated`, `not-found`: the lockfile against the registry's own
//! record (`--verify-registry`) and against the artifact itself (`--verify-artifacts`).
//!
//! Pure: it reads what [`crate::registry::load`] fetched before checks ran. Besides findings it
//! returns the [`CheckCoverage`] of each verification that ran: every package is verified,
//! failed (a finding), unverifiable (with the reason) or skipped (with the reason).
//!
//! Hashes: see [`crate::registry::compare`]: the strongest algorithm both sides have decides,
//! and every common algorithm must agree. When the lockfile and the registry share none, the
//! artifact bridges them (hashed with both); without it the package gets a `hash-mismatch`
//! finding of severity `high` saying the hashes could not be compared: never a pass.

use crate::coverage::{CheckCoverage, CoverageCode, CoverageStatus};
use crate::finding::{Code, Finding, FixHint, PackageRef, Severity};
use crate::graph::PackageId;
use crate::package::{Digest, HashAlgorithm};
use crate::registry::compare::{HashComparison, algorithm_name, compare, display_digest};
use crate::registry::{
    ArtifactRecord, Lookup, PackageData, RegistryData, Scope, Target, VersionRecord, artifact_word,
};

use super::CheckCx;
use super::support::finding;

const ARTIFACT_SUFFIX: &str = ":artifact";

/// Runs the check: findings into `out`, coverage returned (one entry per verification run).
pub fn run(cx: &CheckCx<'_>, data: &RegistryData, out: &mut Vec<Finding>) -> Vec<CheckCoverage> {
    let mut found = Vec::new();
    let mut coverage = Vec::new();
    let mut reg = CheckCoverage::new("registry");
    let mut art = CheckCoverage::new("artifacts");
    for (id, p) in cx.graph.packages() {
        if p.is_root {
            continue;
        }
        let Some(pd) = data.packages.get(&id) else {
            continue;
        };
        let pref = PackageRef::of(cx.graph, id);
        if data.verify_registry {
            let before = found.len();
            let status = registry_status(cx, id, pd, &mut found);
            reg.push(pref.clone(), failed_if_found(status, &found[before..]));
        }
        if data.verify_artifacts {
            let before = found.len();
            let status = artifact_status(cx, id, pd, &mut found);
            art.push(pref, failed_if_found(status, &found[before..]));
        }
    }
    if data.verify_registry {
        coverage.push(reg);
    }
    if data.verify_artifacts {
        coverage.push(art);
    }
    out.extend(found);
    coverage
}

/// A status with integrity findings (not yanked / deprecated, which are about the version, not
/// the verification) becomes `failed`.
fn failed_if_found(status: CoverageStatus, new: &[Finding]) -> CoverageStatus {
    let mut kinds: Vec<&'static str> = new
        .iter()
        .filter(|f| matches!(f.code, Code::HashMismatch | Code::NotFound))
        .map(|f| f.code.kind())
        .collect();
    kinds.dedup();
    if kinds.is_empty() {
        status
    } else {
        CoverageStatus::Failed { kinds }
    }
}

fn algs(d: &[Digest]) -> String {
    let mut v: Vec<HashAlgorithm> = d.iter().map(|d| d.algorithm).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    if v.is_empty() {
        return "none".into();
    }
    v.into_iter()
        .map(algorithm_name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn unverifiable(code: CoverageCode, reason: impl Into<String>) -> CoverageStatus {
    CoverageStatus::Unverifiable {
        code,
        reason: reason.into(),
    }
}

fn registry_status(
    cx: &CheckCx<'_>,
    id: PackageId,
    pd: &PackageData,
    out: &mut Vec<Finding>,
) -> CoverageStatus {
    let p = cx.graph.package(id);
    let expected = match &pd.scope {
        Scope::Skip(code) => return code.skipped(),
        Scope::Check {
            target: Target::Tarball { .. },
            ..
        } => return CoverageCode::RemoteTarball.skipped(),
        Scope::Check { expected, .. } => expected,
    };
    let rec = match &pd.record {
        None => return unverifiable(CoverageCode::NotLookedUp, "not looked up"),
        Some(Lookup::Unavailable(r)) => return unverifiable(CoverageCode::Unavailable, r.clone()),
        Some(Lookup::NotFound { url, detail }) => {
            out.push(not_found(cx, id, url, detail, ""));
            return unverifiable(CoverageCode::NotFound, "not found");
        }
        Some(Lookup::Found(r)) => r,
    };
    if rec.yanked {
        out.push(finding(
            cx,
            id,
            Code::Yanked,
            None,
            format!("{} is yanked from its registry", p.display_name()),
            format!(
                "The registry index ({}) marks {} as yanked: its authors withdrew it, often for a serious bug or a security problem. New lockfiles cannot select it.",
                rec.url,
                p.display_name()
            ),
            Some(FixHint::UpgradeFromYanked),
        ));
    }
    if let Some(msg) = &rec.deprecated {
        let said = if msg.is_empty() {
            String::new()
        } else {
            format!(": \"{}\"", msg.replace(['\n', '\r'], " "))
        };
        out.push(finding(
            cx,
            id,
            Code::Deprecated,
            None,
            format!("{} is deprecated", p.display_name()),
            format!(
                "The registry ({}) marks {} deprecated{said}",
                rec.url,
                p.display_name()
            ),
            Some(FixHint::ReplaceDeprecated),
        ));
    }
    if expected.is_empty() {
        return unverifiable(
            CoverageCode::NoUsableHash,
            "the lockfile pins no usable hash (see missing-hash, weak-hash)",
        );
    }
    match compare(expected, &rec.digests) {
        HashComparison::Match { algorithm } => CoverageStatus::Verified {
            code: CoverageCode::RegistryHash,
            how: format!("{} matches {}", algorithm_name(algorithm), rec.url),
        },
        c @ HashComparison::Mismatch { .. } => {
            out.extend(mismatch(
                cx,
                id,
                &c,
                Side("the lockfile".into(), "the lockfile".into()),
                Side("the registry".into(), format!("the registry ({})", rec.url)),
            ));
            unverifiable(CoverageCode::HashMismatch, "hash mismatch")
        }
        HashComparison::NoCommon { .. } => bridge(cx, id, expected, rec, pd.artifact.as_ref(), out),
    }
}

/// The lockfile and the registry share no algorithm: the artifact, hashed with both, decides.
fn bridge(
    cx: &CheckCx<'_>,
    id: PackageId,
    expected: &[Digest],
    rec: &VersionRecord,
    art: Option<&Lookup<ArtifactRecord>>,
    out: &mut Vec<Finding>,
) -> CoverageStatus {
    let p = cx.graph.package(id);
    let word = artifact_word(p.ecosystem);
    let why_not = match art {
        Some(Lookup::Found(a)) => {
            let registry_vs_artifact = compare(&rec.digests, &a.digests);
            let lock_vs_artifact = compare(expected, &a.digests);
            if let (
                HashComparison::Match { algorithm: ra },
                HashComparison::Match { algorithm: la },
            ) = (&registry_vs_artifact, &lock_vs_artifact)
            {
                return CoverageStatus::Verified {
                    code: CoverageCode::ArtifactBridge,
                    how: format!(
                        "{} of the {word} ({}), whose {} matches {}",
                        algorithm_name(*la),
                        a.origin,
                        algorithm_name(*ra),
                        rec.url
                    ),
                };
            }
            let served = || {
                Side(
                    format!("the {word}"),
                    format!("the {word} it serves ({})", a.origin),
                )
            };
            let found = mismatch(
                cx,
                id,
                &registry_vs_artifact,
                Side(
                    "the registry".into(),
                    format!("the registry's record ({})", rec.url),
                ),
                served(),
            )
            .or_else(|| {
                mismatch(
                    cx,
                    id,
                    &lock_vs_artifact,
                    Side("the lockfile".into(), "the lockfile".into()),
                    served(),
                )
            });
            match found {
                Some(f) => {
                    out.push(f);
                    return unverifiable(CoverageCode::HashMismatch, "hash mismatch");
                }
                None => "the artifact could not be hashed with a common algorithm".to_owned(),
            }
        }
        Some(Lookup::NotFound { url, detail }) => format!("{detail} ({url})"),
        Some(Lookup::Unavailable(r)) => r.clone(),
        None => "the artifact was not fetched".to_owned(),
    };
    let mut f = finding(
        cx,
        id,
        Code::HashMismatch,
        Some(Severity::High),
        format!(
            "{}: the lockfile and the registry share no hash algorithm",
            p.display_name()
        ),
        format!(
            "The lockfile pins {} ({}) but the registry ({}) publishes only {}: the hashes cannot be compared, and the {word} that would bridge them could not be hashed: {why_not}. Unverified is not verified.",
            p.display_name(),
            algs(expected),
            rec.url,
            algs(&rec.digests)
        ),
        Some(FixHint::HashArtifact),
    );
    f.id.push_str(":no-common-algorithm");
    out.push(f);
    unverifiable(CoverageCode::NoCommonAlgorithm, "no common hash algorithm")
}

fn artifact_status(
    cx: &CheckCx<'_>,
    id: PackageId,
    pd: &PackageData,
    out: &mut Vec<Finding>,
) -> CoverageStatus {
    let p = cx.graph.package(id);
    let word = artifact_word(p.ecosystem);
    let expected = match &pd.scope {
        Scope::Skip(code) => return code.skipped(),
        Scope::Check { expected, .. } => expected,
    };
    match &pd.artifact {
        None => unverifiable(CoverageCode::NotLookedUp, "not looked up"),
        Some(Lookup::Unavailable(r)) => unverifiable(CoverageCode::Unavailable, r.clone()),
        Some(Lookup::NotFound { url, detail }) => {
            out.push(not_found(cx, id, url, detail, ARTIFACT_SUFFIX));
            unverifiable(CoverageCode::NotFound, "not found")
        }
        Some(Lookup::Found(a)) => match compare(expected, &a.digests) {
            HashComparison::Match { algorithm } => CoverageStatus::Verified {
                code: CoverageCode::ArtifactHash,
                how: format!(
                    "{} of the {word} ({}, {} bytes)",
                    algorithm_name(algorithm),
                    a.origin,
                    a.size
                ),
            },
            c @ HashComparison::Mismatch { .. } => {
                let theirs = Side(
                    format!("the {word}"),
                    format!("the {word} ({}, {} bytes)", a.origin, a.size),
                );
                out.extend(
                    mismatch(
                        cx,
                        id,
                        &c,
                        Side("the lockfile".into(), "the lockfile".into()),
                        theirs,
                    )
                    .map(|mut f| {
                        f.id.push_str(ARTIFACT_SUFFIX);
                        f
                    }),
                );
                unverifiable(CoverageCode::HashMismatch, "hash mismatch")
            }
            HashComparison::NoCommon { .. } => unverifiable(
                CoverageCode::NoCommonAlgorithm,
                format!(
                    "the lockfile's algorithms ({}) cannot be computed",
                    algs(expected)
                ),
            ),
        },
    }
}

/// One side of a hash comparison: a short name for the title, a long one (with its URL or
/// file) for the message.
struct Side(String, String);

/// A `hash-mismatch` finding when `c` is a mismatch between `ours` and `theirs`.
fn mismatch(
    cx: &CheckCx<'_>,
    id: PackageId,
    c: &HashComparison,
    ours: Side,
    theirs: Side,
) -> Option<Finding> {
    let HashComparison::Mismatch {
        algorithm,
        expected,
        actual,
    } = c
    else {
        return None;
    };
    let p = cx.graph.package(id);
    let alg = algorithm_name(*algorithm);
    Some(finding(
        cx,
        id,
        Code::HashMismatch,
        None,
        format!(
            "{}: {alg} mismatch between {} and {}",
            p.display_name(),
            ours.0,
            theirs.0
        ),
        format!(
            "For {}, {} has {} but {} has {}. The package was republished or tampered with, or the lockfile was edited: do not release until this is explained.",
            p.display_name(),
            ours.1,
            display_digest(expected),
            theirs.1,
            display_digest(actual)
        ),
        Some(FixHint::InvestigateHashMismatch),
    ))
}

fn not_found(cx: &CheckCx<'_>, id: PackageId, url: &str, detail: &str, suffix: &str) -> Finding {
    let p = cx.graph.package(id);
    let mut f = finding(
        cx,
        id,
        Code::NotFound,
        None,
        format!("{} is not in its registry", p.display_name()),
        format!(
            "{detail} ({url}). The locked version cannot be installed from there: it was unpublished or never existed (a typo, or dependency confusion), or the registry URL is wrong."
        ),
        Some(FixHint::CheckRegistryUrl),
    );
    f.id.push_str(suffix);
    f
}

//! `provenance-missing`, `provenance-invalid`, `provenance-policy`, `signature-missing`,
//! `signature-invalid`: what [`crate::provenance::verify`] decided about each npm package's
//! attestations and registry signatures, judged under `[provenance]`.
//!
//! Pure: the cryptography ran in the provenance stage; this check only reads its outcome, binds
//! the verified statements to the locked package (the subject's purl names this package and
//! version) and evaluates the package's policy (`[provenance.packages."NAME"]`, a name or glob)
//! with the lockfile's sha512 as the digest. Besides findings it returns two coverages,
//! `provenance` and `signatures`: every package is verified, failed, unsigned, unverifiable or
//! skipped, with the reason — crates are unverifiable (crates.io publishes no attestations or
//! registry signatures), never dropped.
//!
//! What fails: an invalid attestation or signature always; a verified provenance that violates
//! its policy; a package the policy requires (`require`, or a policy table) without verified
//! provenance; a missing signature where the registry signs, unless `require-signatures =
//! false`. Unsigned packages the policy does not name are coverage, not findings.

use tollgate_attest::slsa::npm::package_from_purl;
use tollgate_attest::slsa::{PolicyError, ProvenancePolicy, evaluate_verified};

pub mod config;

use tollgate_attest::explain;

use crate::coverage::{CheckCoverage, CoverageCode, CoverageStatus};
use crate::finding::{Code, Finding, FixHint, PackageRef};
use crate::graph::PackageId;
use crate::package::{Digest, Ecosystem, HashAlgorithm};
use crate::provenance::{AttestationState, PackageProvenance, ProvenanceData, SignatureState};
use crate::registry::{RegistryData, Scope, Target};
use crate::report::Recheck;
use config::ProvenanceConfig;

use super::CheckCx;
use super::support::finding;

/// What the check returns besides findings.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The `provenance` and `signatures` coverages.
    pub coverage: Vec<CheckCoverage>,
    /// The off-the-shelf commands that re-check what verified.
    pub rechecks: Vec<Recheck>,
}

/// Runs the check: findings into `out`; coverages and re-check commands returned.
pub fn run(
    cx: &CheckCx<'_>,
    registry: &RegistryData,
    data: &ProvenanceData,
    cfg: &ProvenanceConfig,
    out: &mut Vec<Finding>,
) -> Outcome {
    let mut prov = CheckCoverage::new("provenance");
    let mut sigs = CheckCoverage::new("signatures");
    let mut rechecks = Vec::new();
    let mut signed_dirs: Vec<String> = Vec::new();
    for (id, p) in cx.graph.packages() {
        if p.is_root {
            continue;
        }
        let pref = PackageRef::of(cx.graph, id);
        let (ps, ss) = match out_of_scope(registry, id, p.ecosystem) {
            Some(status) => (status.clone(), status),
            None => match data.packages.get(&id) {
                Some(pp) => {
                    let before = out.len();
                    let ps = provenance_status(cx, id, pp, cfg, out);
                    let ps = failed_if(ps, &out[before..]);
                    let before = out.len();
                    let ss = signature_status(cx, id, pp, cfg, out);
                    let ss = failed_if(ss, &out[before..]);
                    if matches!(ps, CoverageStatus::Verified { .. })
                        && let AttestationState::Verified { origin, provenance } = &pp.attestation
                    {
                        rechecks.push(Recheck {
                            check: "provenance",
                            package: Some(pref.clone()),
                            command: npm_recheck(p, origin, provenance, cfg),
                        });
                    }
                    if matches!(ss, CoverageStatus::Verified { .. }) {
                        let dir = cx
                            .graph
                            .lockfiles
                            .get(p.location.lockfile as usize)
                            .and_then(|l| {
                                std::path::Path::new(&l.display)
                                    .parent()
                                    .map(|d| d.display().to_string())
                            })
                            .filter(|d| !d.is_empty())
                            .unwrap_or_else(|| ".".into());
                        if !signed_dirs.contains(&dir) {
                            signed_dirs.push(dir);
                        }
                    }
                    (ps, ss)
                }
                None => {
                    let s = CoverageStatus::Unverifiable {
                        code: CoverageCode::NotLookedUp,
                        reason: "not looked up".into(),
                    };
                    (s.clone(), s)
                }
            },
        };
        prov.push(pref.clone(), ps);
        sigs.push(pref, ss);
    }
    for dir in signed_dirs {
        rechecks.push(Recheck {
            check: "signatures",
            package: None,
            command: explain::npm_audit_signatures(&dir),
        });
    }
    Outcome {
        coverage: vec![prov, sigs],
        rechecks,
    }
}

/// `slsa-verifier verify-npm-package` for a verified package: the tarball as `npm pack` names
/// it, the attestations document (a URL is to be saved to a file first), the policy's source and
/// builder, else the verified signer's and the statement's.
fn npm_recheck(
    p: &crate::package::Package,
    origin: &str,
    v: &tollgate_attest::Verified<tollgate_attest::slsa::VerifiedProvenance>,
    cfg: &ProvenanceConfig,
) -> explain::Recheck {
    let base = p.name.trim_start_matches('@').replace('/', "-");
    let tarball = format!("{base}-{}.tgz", p.version);
    let is_url = origin.starts_with("http://") || origin.starts_with("https://");
    let file = if is_url {
        format!("{base}-{}.attestations.json", p.version)
    } else {
        origin.to_owned()
    };
    let mut policy = cfg.for_package(&p.name).cloned().unwrap_or_default();
    if policy.source_uri.is_none()
        && let Some(s) = &v.signer
    {
        policy.source_uri = Some(format!("github.com/{}", s.source_repository));
    }
    if policy.builder_id.is_none() {
        let pr = &v.statement.predicate;
        policy.builder_id = pr
            .pointer("/runDetails/builder/id")
            .or_else(|| pr.pointer("/builder/id"))
            .and_then(serde_json::Value::as_str)
            // npm CLI provenance v0.2 names the runner; slsa-verifier calls it github-hosted.
            .map(|b| match b {
                "https://github.com/actions/runner" => {
                    "https://github.com/actions/runner/github-hosted".to_owned()
                }
                b => b.to_owned(),
            });
    }
    let mut r = explain::slsa_verify_npm_package(&tarball, &file, &p.name, &p.version, &policy);
    let fetch = format!("`npm pack {}@{}` fetches the tarball", p.name, p.version);
    r.note = Some(if is_url {
        format!("{fetch}; save {origin} as {file}")
    } else {
        fetch
    });
    r
}

/// Crates, and npm packages the registry stage does not check (path, git, bundled, remote
/// tarballs), with their status.
fn out_of_scope(registry: &RegistryData, id: PackageId, eco: Ecosystem) -> Option<CoverageStatus> {
    if eco == Ecosystem::Cargo {
        return Some(CoverageStatus::Unverifiable {
            code: CoverageCode::NoRegistryAttestations,
            reason: "crates.io publishes no attestations or registry signatures".into(),
        });
    }
    match registry.packages.get(&id).map(|pd| &pd.scope) {
        Some(Scope::Skip(code)) => Some(code.skipped()),
        Some(Scope::Check {
            target: Target::Tarball { .. },
            ..
        }) => Some(CoverageCode::RemoteTarball.skipped()),
        _ => None,
    }
}

/// A status whose package got a finding of this check becomes `failed` (with the kinds).
fn failed_if(status: CoverageStatus, new: &[Finding]) -> CoverageStatus {
    let mut kinds: Vec<&'static str> = new.iter().map(|f| f.code.kind()).collect();
    kinds.dedup();
    if kinds.is_empty() {
        status
    } else {
        CoverageStatus::Failed { kinds }
    }
}

fn provenance_status(
    cx: &CheckCx<'_>,
    id: PackageId,
    pp: &PackageProvenance,
    cfg: &ProvenanceConfig,
    out: &mut Vec<Finding>,
) -> CoverageStatus {
    let p = cx.graph.package(id);
    let required = cfg.requires(&p.name);
    let name = p.display_name();
    let missing = |out: &mut Vec<Finding>, why: &str| {
        if required {
            out.push(finding(
                cx,
                id,
                Code::ProvenanceMissing,
                None,
                format!("{name} has no verified provenance"),
                format!(
                    "The policy requires provenance for {} and {why}. Without it nothing ties the tarball to a source repository and a build.",
                    p.name
                ),
                Some(FixHint::RequestProvenance),
            ));
        }
    };
    match &pp.attestation {
        AttestationState::Absent { detail } => {
            missing(out, detail);
            CoverageStatus::Unsigned {
                code: CoverageCode::NoAttestations,
                reason: detail.clone(),
            }
        }
        AttestationState::Unavailable { code, reason } => {
            missing(out, reason);
            CoverageStatus::Unverifiable {
                code: *code,
                reason: reason.clone(),
            }
        }
        AttestationState::Invalid {
            origin,
            check,
            reason,
        } => {
            out.push(invalid(cx, id, origin, check, reason));
            CoverageStatus::Failed {
                kinds: vec![Code::ProvenanceInvalid.kind()],
            }
        }
        AttestationState::Verified { origin, provenance } => {
            // Both attestations, as slsa-verifier's verify-npm-package demands: the registry's
            // publish attestation is what ties the provenance to this registry's copy.
            if provenance.npm_publish.is_none() {
                out.push(invalid(
                    cx,
                    id,
                    origin,
                    "bundle",
                    "the document has a provenance attestation but no registry publish attestation",
                ));
                return CoverageStatus::Failed {
                    kinds: vec![Code::ProvenanceInvalid.kind()],
                };
            }
            // The statements must be about this package and version, not only this tarball.
            if let Err(why) = names_package(provenance, &p.name, &p.version) {
                out.push(invalid(cx, id, origin, "subject", &why));
                return CoverageStatus::Failed {
                    kinds: vec![Code::ProvenanceInvalid.kind()],
                };
            }
            let builder = provenance
                .signer
                .as_ref()
                .map(|s| s.workflow.clone())
                .unwrap_or_default();
            let repo = provenance
                .signer
                .as_ref()
                .map(|s| s.source_repository.clone())
                .unwrap_or_default();
            let Some(policy) = cfg.for_package(&p.name) else {
                return CoverageStatus::Verified {
                    code: CoverageCode::Attestations,
                    how: format!(
                        "provenance signed by {builder} (github.com/{repo}){}",
                        if provenance.npm_publish.is_some() {
                            ", publish attestation by the registry"
                        } else {
                            ""
                        }
                    ),
                };
            };
            let policy = bound_policy(policy, p);
            match evaluate_verified(provenance, &policy) {
                Ok(r) => CoverageStatus::Verified {
                    code: CoverageCode::Attestations,
                    how: format!(
                        "provenance by {} from github.com/{repo} meets its policy",
                        r.builder.clone().unwrap_or(builder)
                    ),
                },
                Err(e) => {
                    let why = match &e {
                        PolicyError::Violated(v) => v.to_string(),
                        other => other.to_string(),
                    };
                    out.push(finding(
                        cx,
                        id,
                        Code::ProvenancePolicy,
                        None,
                        format!("{name}'s provenance violates its policy"),
                        format!(
                            "The provenance of {name} ({origin}) verifies, but {why}. Built by {builder} from github.com/{repo}."
                        ),
                        Some(FixHint::ReviewProvenancePolicy),
                    ));
                    CoverageStatus::Failed {
                        kinds: vec![Code::ProvenancePolicy.kind()],
                    }
                }
            }
        }
    }
}

/// The package policy with what the lockfile says: the tarball's sha512, the name and version.
fn bound_policy(policy: &ProvenancePolicy, p: &crate::package::Package) -> ProvenancePolicy {
    let mut policy = policy.clone();
    policy.package_name = Some(p.name.clone());
    policy.package_version = Some(p.version.clone());
    policy.digest = p
        .integrity
        .iter()
        .flat_map(|i| i.digests.iter())
        .filter(|d| d.algorithm == HashAlgorithm::Sha512)
        .map(to_attest_digest)
        .collect();
    policy
}

fn to_attest_digest(d: &Digest) -> tollgate_attest::Digest {
    tollgate_attest::Digest {
        algorithm: tollgate_attest::DigestAlgorithm::Sha512,
        bytes: d.bytes.to_vec(),
    }
}

/// `Ok` when the provenance statement (and the publish attestation) name the package by an npm
/// purl with this name and version.
fn names_package(
    v: &tollgate_attest::Verified<tollgate_attest::slsa::VerifiedProvenance>,
    name: &str,
    version: &str,
) -> Result<(), String> {
    let statements = std::iter::once(&v.statement).chain(v.npm_publish.as_ref());
    for st in statements {
        let ok = st.subjects.iter().any(|s| {
            package_from_purl(&s.name).is_ok_and(|pk| pk.name == name && pk.version == version)
        });
        if !ok {
            let names: Vec<&str> = st.subjects.iter().map(|s| s.name.as_str()).collect();
            return Err(format!(
                "the statement ({}) is about {}, not {name}@{version}",
                st.predicate_type,
                names.join(", ")
            ));
        }
    }
    Ok(())
}

fn invalid(cx: &CheckCx<'_>, id: PackageId, origin: &str, check: &str, reason: &str) -> Finding {
    let name = cx.graph.package(id).display_name();
    finding(
        cx,
        id,
        Code::ProvenanceInvalid,
        None,
        format!("{name}'s attestations do not verify"),
        format!(
            "The attestations of {name} ({origin}) fail the {check} check: {reason}. A forged, replayed or altered attestation, or attestations about another tarball."
        ),
        Some(FixHint::InvestigateTampering),
    )
}

fn signature_status(
    cx: &CheckCx<'_>,
    id: PackageId,
    pp: &PackageProvenance,
    cfg: &ProvenanceConfig,
    out: &mut Vec<Finding>,
) -> CoverageStatus {
    let name = cx.graph.package(id).display_name();
    match &pp.signature {
        SignatureState::Verified { keyids } => CoverageStatus::Verified {
            code: CoverageCode::RegistrySignature,
            how: format!("signed by registry key {}", keyids.join(", ")),
        },
        SignatureState::Missing => {
            if cfg.require_signatures {
                out.push(finding(
                    cx,
                    id,
                    Code::SignatureMissing,
                    None,
                    format!("{name} carries no registry signature"),
                    format!(
                        "The registry signs the versions it serves, and its record of {name} has no dist.signatures: the copy was not published through it, or the record was altered."
                    ),
                    Some(FixHint::ResolveFromSigningRegistry),
                ));
            }
            CoverageStatus::Unsigned {
                code: CoverageCode::NoSignature,
                reason: "the registry's record carries no signature".into(),
            }
        }
        SignatureState::Invalid { reason } => {
            out.push(finding(
                cx,
                id,
                Code::SignatureInvalid,
                None,
                format!("{name}'s registry signature does not verify"),
                format!("{reason}. The record or the lockfile was altered."),
                Some(FixHint::InvestigateTampering),
            ));
            CoverageStatus::Failed {
                kinds: vec![Code::SignatureInvalid.kind()],
            }
        }
        SignatureState::NoPinnedKeys { registry } => CoverageStatus::Unverifiable {
            code: CoverageCode::NoPinnedKeys,
            reason: format!(
                "no signing keys are pinned for {registry} (give the registry's keys with --npm-keys)"
            ),
        },
        SignatureState::Unavailable { code, reason } => CoverageStatus::Unverifiable {
            code: *code,
            reason: reason.clone(),
        },
    }
}

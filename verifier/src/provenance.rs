//! The provenance stage (`--verify-provenance`): what the registry stage fetched for each npm
//! package — its attestations document and its record's `dist.signatures` — verified offline,
//! before checks run. [`crate::checks::provenance`] turns the outcome into findings and coverage
//! under the `[provenance]` policy, without IO or cryptography.
//!
//! For every npm registry package whose record was read:
//! - **attestations**: the SLSA provenance (keyless, Fulcio, transparency log) and the npm
//!   publish attestation (the registry key its hint names, valid at the signing time) verify
//!   against the pinned trusted root, and each statement names the tarball whose sha512 is the
//!   lockfile's `integrity` ([`NpmAttestationsVerifier::for_sha512`]);
//! - **registry signature**: ECDSA P-256 over `name@version:integrity` with the pinned registry
//!   keys, judged at the publish time ([`verify_registry_signatures`]); the signed integrity must
//!   be the lockfile's.
//!
//! Which keys: `--npm-keys` / `[provenance] npm-keys` applies to every npm registry; without one,
//! the embedded keys of the public registry apply to packages resolved from registry.npmjs.org,
//! and packages of other registries have no pinned keys (unverifiable, not failed).
//!
//! Bundles are verified on two threads (the machine CI runs on has two cores): each one is a
//! few milliseconds of signature and certificate checks.

use std::collections::HashMap;
use std::path::PathBuf;

use tollgate_attest::registry_signature::{
    RegistrySignatureError, SignedVersion, verify_registry_signatures,
};
use tollgate_attest::sigstore::npm::{NPM_KEYS, NpmKey, parse_npm_keys};
use tollgate_attest::sigstore::{NpmAttestationsVerifier, SigstoreError, TrustRoot, Verifier};
use tollgate_attest::slsa::{StatementVerifier, VerifiedProvenance};
use tollgate_attest::verified::Verified;

use crate::coverage::CoverageCode;
use crate::graph::{Graph, PackageId};
use crate::package::{Ecosystem, HashAlgorithm, Source};
use crate::registry::{Lookup, RegistryData, Scope, Target};
use crate::time::Timestamp;

/// The public npm registry's host: the embedded keys are its keys.
pub const PUBLIC_NPM_HOST: &str = "registry.npmjs.org";

/// The largest keys file or trusted root read.
const MAX_TRUST_FILE: u64 = 4 * 1024 * 1024;

/// Where the stage's trust comes from (`[provenance]` and the command line, merged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvenanceSettings {
    /// A registry keys file applying to every npm registry (`--npm-keys`, `[provenance]
    /// npm-keys`); `None`: the embedded keys, for the public registry only.
    pub npm_keys: Option<PathBuf>,
    /// The Sigstore trusted root (`--trusted-root`, `[provenance] trusted-root`); `None`: the
    /// embedded production root.
    pub trusted_root: Option<PathBuf>,
}

/// Why the stage could not run (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvenanceError {
    /// The keys file cannot be read or parsed.
    #[error("{}: npm registry keys: {message}", path.display())]
    Keys {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The trusted root cannot be read or used.
    #[error("{origin}: Sigstore trusted root: {message}")]
    TrustedRoot {
        /// The file, or `embedded`.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// The outcome of a version's registry signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    /// Every signature verifies over the locked name, version and integrity.
    Verified {
        /// The keys that signed.
        keyids: Vec<String>,
    },
    /// The registry signs (its keys are pinned) and the version carries no signature.
    Missing,
    /// A signature does not verify, names an unknown or expired key, or is over another
    /// integrity than the lockfile's.
    Invalid {
        /// Why.
        reason: String,
    },
    /// No keys are pinned for the package's registry: nothing to verify against.
    NoPinnedKeys {
        /// The registry host.
        registry: String,
    },
    /// Not decided: no registry record, no sha512 in the lockfile.
    Unavailable {
        /// Why, as a code (`unavailable`, `no-sha512`).
        code: CoverageCode,
        /// Why.
        reason: String,
    },
}

/// The outcome of a version's attestations.
#[derive(Debug, Clone)]
pub enum AttestationState {
    /// The attestations verify and are about the locked tarball.
    Verified {
        /// Where the document was read.
        origin: String,
        /// What verified: the provenance statement, the publish attestation, the signer.
        provenance: Box<Verified<VerifiedProvenance>>,
    },
    /// The registry serves none for the version.
    Absent {
        /// Why, as the registry stage saw it.
        detail: String,
    },
    /// The document does not verify (signature, certificate, log, subject).
    Invalid {
        /// Where the document was read.
        origin: String,
        /// The check that failed (`signature`, `tlog`, `subject`, …).
        check: &'static str,
        /// Why.
        reason: String,
    },
    /// Not decided (not fetched, another host, no sha512).
    Unavailable {
        /// Why, as a code (`unavailable`, `not-looked-up`, `no-sha512`).
        code: CoverageCode,
        /// Why.
        reason: String,
    },
}

/// Both outcomes for one package.
#[derive(Debug, Clone)]
pub struct PackageProvenance {
    /// The registry signatures.
    pub signature: SignatureState,
    /// The attestations.
    pub attestation: AttestationState,
}

/// What the stage returns: input of [`crate::checks::provenance::run`].
#[derive(Debug, Clone, Default)]
pub struct ProvenanceData {
    /// Every npm registry package in scope of the registry stage.
    pub packages: HashMap<PackageId, PackageProvenance>,
    /// `true` when the keys came from a file (and apply to every registry).
    pub keys_from_file: bool,
}

/// The keys: the file given, or the embedded copy.
fn load_keys(s: &ProvenanceSettings) -> Result<Vec<NpmKey>, ProvenanceError> {
    match &s.npm_keys {
        Some(path) => {
            let bytes = crate::fsio::read_regular(path, MAX_TRUST_FILE).map_err(|e| {
                ProvenanceError::Keys {
                    path: path.clone(),
                    message: e.reason(),
                }
            })?;
            parse_npm_keys(&bytes).map_err(|e| ProvenanceError::Keys {
                path: path.clone(),
                message: e.to_string(),
            })
        }
        None => parse_npm_keys(NPM_KEYS.as_bytes()).map_err(|e| ProvenanceError::Keys {
            path: PathBuf::from("embedded"),
            message: e.to_string(),
        }),
    }
}

fn load_root(s: &ProvenanceSettings) -> Result<TrustRoot, ProvenanceError> {
    let (origin, root) = match &s.trusted_root {
        Some(path) => {
            let bytes = crate::fsio::read_regular(path, MAX_TRUST_FILE).map_err(|e| {
                ProvenanceError::TrustedRoot {
                    origin: path.display().to_string(),
                    message: e.reason(),
                }
            })?;
            (path.display().to_string(), TrustRoot::from_json(&bytes))
        }
        None => ("embedded".to_owned(), TrustRoot::production()),
    };
    root.map_err(|e| ProvenanceError::TrustedRoot {
        origin,
        message: e.to_string(),
    })
}

/// The host of the registry a package was resolved from (its lockfile URL), lower-case; the
/// public registry when the lockfile names none.
fn origin_host(source: &Source) -> String {
    match source {
        Source::Registry { url: Some(u), .. } => reqwest::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default(),
        _ => PUBLIC_NPM_HOST.to_owned(),
    }
}

/// One package's work, gathered before the threads start.
struct Job<'a> {
    id: PackageId,
    name: &'a str,
    version: &'a str,
    sha512: Option<[u8; 64]>,
    host: String,
    record: Option<&'a crate::registry::VersionRecord>,
    doc: Option<&'a Lookup<crate::registry::AttestationsDoc>>,
}

/// Name, version and sha512: what jobs that may share a result have in common.
type WorkKey<'a> = (&'a str, &'a str, Option<[u8; 64]>);

impl Job<'_> {
    /// `true` when `other` would compute the same outcome (its id aside).
    fn same_work(&self, other: &Job<'_>) -> bool {
        self.name == other.name
            && self.version == other.version
            && self.sha512 == other.sha512
            && self.host == other.host
            && self.record == other.record
            && self.doc == other.doc
    }
}

/// Verifies what the registry stage fetched, at `now` (signing times after it are rejected).
pub fn verify(
    graph: &Graph,
    data: &RegistryData,
    settings: &ProvenanceSettings,
    now: Timestamp,
) -> Result<ProvenanceData, ProvenanceError> {
    let keys = load_keys(settings)?;
    let keys_from_file = settings.npm_keys.is_some();
    let root = load_root(settings)?;
    let verifier = Verifier::new(&root)
        .map_err(|e| ProvenanceError::TrustedRoot {
            origin: "trusted root".into(),
            message: e.to_string(),
        })?
        .with_clock(now.0);
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let mut ids: Vec<&PackageId> = data.packages.keys().collect();
    ids.sort();
    for id in ids {
        let pd = &data.packages[id];
        if !matches!(
            pd.scope,
            Scope::Check {
                target: Target::Npm { .. },
                ..
            }
        ) {
            continue;
        }
        let p = graph.package(*id);
        if p.ecosystem != Ecosystem::Npm {
            continue;
        }
        let sha512 = p
            .integrity
            .iter()
            .flat_map(|i| i.digests.iter())
            .find(|d| d.algorithm == HashAlgorithm::Sha512)
            .and_then(|d| <[u8; 64]>::try_from(&d.bytes[..]).ok());
        let record = match &pd.record {
            Some(Lookup::Found(r)) => Some(r),
            _ => None,
        };
        jobs.push(Job {
            id: *id,
            name: &p.name,
            version: &p.version,
            sha512,
            host: origin_host(&p.source),
            record,
            doc: pd.attestations.as_ref(),
        });
    }
    let cx = Cx {
        keys: &keys,
        keys_from_file,
        verifier: &verifier,
    };
    // A version nested many times in an npm tree is one verification: jobs that would compute
    // the same (same package, tarball, record and document) share one result.
    let mut unique: Vec<usize> = Vec::new();
    let mut of: Vec<usize> = Vec::with_capacity(jobs.len());
    let mut by_key: HashMap<WorkKey<'_>, Vec<usize>> = HashMap::new();
    for (i, j) in jobs.iter().enumerate() {
        let cands = by_key.entry((j.name, j.version, j.sha512)).or_default();
        match cands.iter().find(|&&u| jobs[unique[u]].same_work(j)) {
            Some(&u) => of.push(u),
            None => {
                cands.push(unique.len());
                of.push(unique.len());
                unique.push(i);
            }
        }
    }
    let work: Vec<&Job<'_>> = unique.iter().map(|&i| &jobs[i]).collect();
    let half = work.len().div_ceil(2);
    let (a, b) = work.split_at(half);
    let done: Vec<PackageProvenance> = std::thread::scope(|s| {
        let side = std::thread::Builder::new()
            .name("tollgate-provenance".into())
            .spawn_scoped(s, || b.iter().map(|j| cx.one(j)).collect::<Vec<_>>());
        let mut here: Vec<_> = a.iter().map(|j| cx.one(j)).collect();
        let there = match side {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => b.iter().map(|j| cx.one(j)).collect(),
        };
        here.extend(there);
        here
    });
    let results: Vec<(PackageId, PackageProvenance)> = jobs
        .iter()
        .zip(&of)
        .map(|(j, &u)| (j.id, done[u].clone()))
        .collect();
    Ok(ProvenanceData {
        packages: results.into_iter().collect(),
        keys_from_file,
    })
}

struct Cx<'a> {
    keys: &'a [NpmKey],
    keys_from_file: bool,
    verifier: &'a Verifier,
}

impl Cx<'_> {
    fn one(&self, j: &Job<'_>) -> PackageProvenance {
        PackageProvenance {
            signature: self.signature(j),
            attestation: self.attestation(j),
        }
    }

    fn signature(&self, j: &Job<'_>) -> SignatureState {
        if !self.keys_from_file && j.host != PUBLIC_NPM_HOST {
            return SignatureState::NoPinnedKeys {
                registry: j.host.clone(),
            };
        }
        let Some(record) = j.record else {
            return SignatureState::Unavailable {
                code: CoverageCode::Unavailable,
                reason: "no registry record of the version".into(),
            };
        };
        let Some(facts) = &record.npm else {
            return SignatureState::Unavailable {
                code: CoverageCode::Unavailable,
                reason: "the registry record carries no npm metadata".into(),
            };
        };
        if facts.signatures.is_empty() {
            return SignatureState::Missing;
        }
        let Some(integrity) = facts.integrity.as_deref() else {
            return SignatureState::Invalid {
                reason: "the version is signed but its record has no dist.integrity to check the signature over".into(),
            };
        };
        let signed = crate::package::Integrity::from_sri(integrity);
        let signed_sha512 = signed
            .digests
            .iter()
            .find(|d| d.algorithm == HashAlgorithm::Sha512);
        match (signed_sha512, j.sha512) {
            (Some(d), Some(lock)) if d.bytes[..] != lock[..] => {
                return SignatureState::Invalid {
                    reason: format!(
                        "the registry signed integrity {integrity}, which is not the lockfile's sha512"
                    ),
                };
            }
            (None, _) | (_, None) => {
                return SignatureState::Unavailable {
                    code: CoverageCode::NoSha512,
                    reason: "no sha512 on both sides: the signed integrity cannot be compared with the lockfile's".into(),
                };
            }
            _ => {}
        }
        let v = SignedVersion {
            name: j.name,
            version: j.version,
            integrity,
            published: facts.published,
        };
        match verify_registry_signatures(self.keys, &v, &facts.signatures) {
            Ok(ok) => SignatureState::Verified {
                keyids: ok.into_inner().keyids,
            },
            Err(RegistrySignatureError::Missing) => SignatureState::Missing,
            Err(e) => SignatureState::Invalid {
                reason: e.to_string(),
            },
        }
    }

    fn attestation(&self, j: &Job<'_>) -> AttestationState {
        let doc = match j.doc {
            Some(Lookup::Found(d)) => d,
            Some(Lookup::NotFound { detail, .. }) => {
                return AttestationState::Absent {
                    detail: detail.clone(),
                };
            }
            Some(Lookup::Unavailable(why)) => {
                return AttestationState::Unavailable {
                    code: CoverageCode::Unavailable,
                    reason: why.clone(),
                };
            }
            None => {
                let (code, reason) = if j.record.is_some() {
                    (CoverageCode::NotLookedUp, "not looked up")
                } else {
                    (
                        CoverageCode::Unavailable,
                        "no registry record of the version",
                    )
                };
                return AttestationState::Unavailable {
                    code,
                    reason: reason.into(),
                };
            }
        };
        let Some(sha512) = j.sha512 else {
            return AttestationState::Unavailable {
                code: CoverageCode::NoSha512,
                reason: "the lockfile pins no sha512: attestations name the tarball by its sha512"
                    .into(),
            };
        };
        let v = NpmAttestationsVerifier::for_sha512(self.verifier, sha512, self.keys);
        match v.verify(&doc.bytes) {
            Ok(p) => AttestationState::Verified {
                origin: doc.origin.clone(),
                provenance: Box::new(p),
            },
            Err(e) => AttestationState::Invalid {
                origin: doc.origin.clone(),
                check: failed_check(&e),
                reason: e.to_string(),
            },
        }
    }
}

/// The check a verification failed, as the JSON and coverage name it.
fn failed_check(e: &SigstoreError) -> &'static str {
    e.check()
}

//! Provenance against its signing certificate, for provenance signed by a workflow that is not a
//! trusted builder (the npm CLI's `npm publish --provenance`): the workflow could write anything,
//! so every claim must either be vouched for by the Fulcio certificate or be absent
//! (slsa-verifier's `verifyProvenanceMatchesCertificate`, `provenance_forgeable.go`).

use serde_json::{Map, Value};

use crate::slsa::identity::SignerIdentity;
use crate::slsa::predicate::{Predicate, Provenance};
use crate::slsa::violation::{Check, Reason, Violation};

fn differs(name: &str, cert: Option<&str>, prov: &str) -> Violation {
    match cert {
        None => Violation::new(Check::Certificate, Reason::Mismatch)
            .actual(prov.to_owned())
            .detail(format!(
                "`{name}`: the certificate has no value to check it against"
            )),
        Some(c) => Violation::mismatch(Check::Certificate, c, prov).detail(name.to_owned()),
    }
}

fn unverifiable(what: impl Into<String>) -> Violation {
    Violation::new(Check::Certificate, Reason::NonVerifiableClaim).detail(what.into())
}

/// A parameter present in the provenance must be a string equal to the certificate's value.
fn param(params: &Map<String, Value>, name: &str, cert: Option<&str>) -> Result<(), Violation> {
    let Some(v) = params.get(name) else {
        return Ok(());
    };
    let v = v.as_str().ok_or_else(|| {
        Violation::new(Check::Certificate, Reason::MalformedPredicate)
            .detail(format!("`{name}` is not a string"))
    })?;
    if cert != Some(v) {
        return Err(differs(name, cert, v));
    }
    Ok(())
}

/// Run id and attempt from the certificate's `123/attempts/1`.
fn cert_run(id: &SignerIdentity) -> Result<(String, String), Violation> {
    let Some(r) = &id.run_id else {
        return Ok((String::new(), String::new()));
    };
    match r.split('/').collect::<Vec<_>>()[..] {
        [run, _, attempt] => Ok((run.to_owned(), attempt.to_owned())),
        _ => Err(
            Violation::new(Check::Certificate, Reason::MalformedPredicate)
                .detail(format!("certificate run id `{r}`")),
        ),
    }
}

/// Checks the provenance against the certificate.
pub fn matches_certificate(prov: &Provenance, id: &SignerIdentity) -> Result<(), Violation> {
    let malformed = |d: &str| {
        Violation::new(Check::Certificate, Reason::MalformedPredicate).detail(d.to_owned())
    };
    // System parameters.
    match &prov.predicate {
        Predicate::V1(p) => {
            let github = p
                .build_definition
                .internal_parameters
                .as_ref()
                .and_then(|i| i.get("github"))
                .and_then(Value::as_object)
                .ok_or_else(|| malformed("no `internalParameters.github`"))?;
            for k in github.keys() {
                let cert = match k.as_str() {
                    "event_name" => Some(id.build_trigger.as_str()),
                    "repository_id" => id.source_repository_id.as_deref(),
                    "repository_owner_id" => id.source_owner_id.as_deref(),
                    _ => {
                        return Err(Violation::mismatch(Check::Certificate, "", k.clone())
                            .detail(format!("unknown parameter `{k}`")));
                    }
                };
                param(github, k, cert)?;
            }
        }
        Predicate::V02(p) => {
            let env = match &p.invocation.environment {
                None => Map::new(),
                Some(Value::Object(m)) => m.clone(),
                Some(_) => return Err(malformed("`invocation.environment` is not an object")),
            };
            const SUPPORTED: [&str; 10] = [
                "GITHUB_EVENT_NAME",
                "GITHUB_REF",
                "GITHUB_REPOSITORY",
                "GITHUB_REPOSITORY_ID",
                "GITHUB_REPOSITORY_OWNER_ID",
                "GITHUB_RUN_ATTEMPT",
                "GITHUB_RUN_ID",
                "GITHUB_SHA",
                "GITHUB_WORKFLOW_REF",
                "GITHUB_WORKFLOW_SHA",
            ];
            if let Some(k) = env.keys().find(|k| !SUPPORTED.contains(&k.as_str())) {
                return Err(Violation::mismatch(Check::Certificate, "", k.clone())
                    .detail(format!("unknown parameter `{k}`")));
            }
            let workflow_path = id
                .workflow
                .strip_prefix("https://github.com/")
                .unwrap_or(&id.workflow);
            param(&env, "GITHUB_EVENT_NAME", Some(&id.build_trigger))?;
            param(&env, "GITHUB_REPOSITORY", Some(&id.source_repository))?;
            param(&env, "GITHUB_REF", id.source_ref.as_deref())?;
            param(
                &env,
                "GITHUB_REPOSITORY_ID",
                id.source_repository_id.as_deref(),
            )?;
            param(
                &env,
                "GITHUB_REPOSITORY_OWNER_ID",
                id.source_owner_id.as_deref(),
            )?;
            param(&env, "GITHUB_SHA", Some(&id.source_digest))?;
            param(&env, "GITHUB_WORKFLOW_REF", Some(workflow_path))?;
            param(
                &env,
                "GITHUB_WORKFLOW_SHA",
                id.build_signer_digest.as_deref(),
            )?;
            if env.contains_key("GITHUB_RUN_ID") || env.contains_key("GITHUB_RUN_ATTEMPT") {
                if id.run_id.is_none() {
                    return Err(differs("GITHUB_RUN_*", None, ""));
                }
                let (run, attempt) = cert_run(id)?;
                param(&env, "GITHUB_RUN_ID", Some(&run))?;
                param(&env, "GITHUB_RUN_ATTEMPT", Some(&attempt))?;
            }
            // v0.2 parameters and build config: nothing the certificate could vouch for.
            match &p.invocation.parameters {
                None => {}
                Some(Value::Object(m)) if m.is_empty() => {}
                Some(v) => return Err(unverifiable(format!("parameters: {v}"))),
            }
            match &p.build_config {
                None => {}
                Some(Value::Object(m)) if m.is_empty() => {}
                Some(v) => return Err(unverifiable(format!("buildConfig: {v}"))),
            }
        }
    }
    // Metadata: the invocation id is the certificate's run; times cannot be vouched for.
    let (invocation, started, finished) = match &prov.predicate {
        Predicate::V02(p) => {
            let m = p.metadata.clone().unwrap_or_default();
            if m.reproducible {
                return Err(unverifiable("reproducible: true"));
            }
            let c = &m.completeness;
            if c.parameters || c.environment || c.materials {
                return Err(unverifiable("completeness claims"));
            }
            (
                m.build_invocation_id,
                m.build_started_on,
                m.build_finished_on,
            )
        }
        Predicate::V1(p) => {
            let m = p.run_details.metadata.clone().unwrap_or_default();
            (m.invocation_id, m.started_on, m.finished_on)
        }
    };
    if let Some(inv) = invocation.filter(|s| !s.is_empty()) {
        let (run, attempt) = match &prov.predicate {
            Predicate::V1(_) => {
                let parts: Vec<&str> = inv
                    .strip_prefix("https://github.com/")
                    .unwrap_or(&inv)
                    .split('/')
                    .collect();
                if parts.len() != 7 {
                    return Err(malformed(&format!("invocation id `{inv}`")));
                }
                (parts[4].to_owned(), parts[6].to_owned())
            }
            Predicate::V02(_) => match inv.split('-').collect::<Vec<_>>()[..] {
                [r, a] => (r.to_owned(), a.to_owned()),
                _ => return Err(malformed(&format!("invocation id `{inv}`"))),
            },
        };
        let (cert_run, cert_attempt) = cert_run(id)?;
        if run != cert_run {
            return Err(differs("run id", Some(&cert_run), &run));
        }
        if attempt != cert_attempt {
            return Err(differs("run attempt", Some(&cert_attempt), &attempt));
        }
    }
    if let Some(t) = started {
        return Err(unverifiable(format!("build start time {t}")));
    }
    if let Some(t) = finished {
        return Err(unverifiable(format!("build finish time {t}")));
    }
    // One subject, with the sha512 the registry uses.
    if prov.subjects.len() != 1 || !prov.subjects[0].digest.entries().contains_key("sha512") {
        return Err(unverifiable(
            "expected exactly one subject with a sha512 digest",
        ));
    }
    // The triggering workflow.
    let path = match &prov.predicate {
        Predicate::V02(p) => p.invocation.config_source.entry_point.clone(),
        Predicate::V1(_) => prov
            .workflow_path()
            .ok_or_else(|| malformed("no `externalParameters.workflow.path`"))?,
    };
    if id.build_config_path.as_deref() != Some(path.as_str()) {
        return Err(differs(
            "trigger workflow",
            id.build_config_path.as_deref(),
            &path,
        ));
    }
    // One resolved dependency: the source.
    let n = match &prov.predicate {
        Predicate::V02(p) => p.materials.len(),
        Predicate::V1(p) => p.build_definition.resolved_dependencies.len(),
    };
    if n != 1 {
        return Err(unverifiable(format!(
            "{n} resolved dependencies (expected the source only)"
        )));
    }
    Ok(())
}

//! npm attestations (`--verify-provenance`): for each npm registry package whose record was
//! read, the version's attestations document — from `--attestations-dir` when it holds one
//! (`DIR/[@scope/]name@version.json`), else from the URL the packument names
//! (`dist.attestations.url`), through the same client as the records (cache, retries, size caps,
//! `.npmrc` credentials, fail closed).
//!
//! The URL comes from the registry's own document, so it is held to the registry: on the
//! registry's host it is fetched as named; the public registry's path
//! (`/-/npm/v1/attestations/…`) on another host is re-based onto the registry in use (as
//! tarball URLs are, for a mirror that serves packuments unchanged); any other URL is not
//! fetched, and the package is unverifiable with that reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::http::{Client, Got};
use super::{
    AttestationsDoc, FetchError, FetchErrorKind, Job, Lookup, PackageData, Progress, Request,
    Scope, Settings, Target, fetch_error, host_of, run_jobs,
};
use crate::graph::{Graph, PackageId};
use crate::redact::redact_url;

/// The largest attestations document read (real ones are tens of kilobytes).
pub const MAX_ATTESTATIONS_SIZE: u64 = 32 * 1024 * 1024;

/// The path of the public registry's attestations endpoint.
const ATTESTATIONS_PATH: &str = "/-/npm/v1/attestations/";

type Docs = Vec<(PackageId, Lookup<AttestationsDoc>)>;

/// `DIR/[@scope/]name@version.json`, or `None` when the name could climb out of `dir` (`..`,
/// a leading `.`, a separator other than the scope's one `/`).
pub fn dir_file(dir: &Path, name: &str, version: &str) -> Option<PathBuf> {
    let safe = |seg: &str| {
        !seg.is_empty()
            && !seg.starts_with('.')
            && !seg.contains(['/', '\\', '\0'])
            && !seg.contains("..")
    };
    let (scope, base) = match name.strip_prefix('@') {
        Some(rest) => {
            let (s, b) = rest.split_once('/')?;
            (Some(format!("@{s}")), b)
        }
        None => (None, name),
    };
    if !safe(base) || !safe(version) || scope.as_deref().is_some_and(|s| !safe(&s[1..])) {
        return None;
    }
    let mut p = dir.to_path_buf();
    if let Some(s) = scope {
        p.push(s);
    }
    p.push(format!("{base}@{version}.json"));
    Some(p)
}

/// The URL to fetch for `named` (from the packument) when the registry in use is `registry`.
pub fn attestations_url(named: &str, registry: &str) -> Result<String, String> {
    let reg_host = host_of(registry);
    let url = reqwest::Url::parse(named)
        .map_err(|e| format!("the registry names a malformed attestations URL ({e})"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!(
            "the registry names attestations at a `{}:` URL",
            url.scheme()
        ));
    }
    if url.host_str().map(str::to_ascii_lowercase) == reg_host {
        return Ok(named.to_owned());
    }
    match url.path().split_once(ATTESTATIONS_PATH) {
        Some((_, rest)) if !rest.is_empty() => Ok(format!(
            "{}{}{rest}",
            registry.trim_end_matches('/'),
            ATTESTATIONS_PATH
        )),
        _ => Err(format!(
            "the registry names attestations on another host ({}): not fetched",
            redact_url(named)
        )),
    }
}

/// Reads or fetches the attestations of every npm registry package whose record was found.
pub(super) async fn fetch_attestations(
    graph: &Graph,
    packages: &HashMap<PackageId, PackageData>,
    req: &Request,
    client: &Arc<Client>,
    s: &Settings,
    progress: &dyn Progress,
) -> Result<Docs, Vec<FetchError>> {
    let mut out: Docs = Vec::new();
    let mut by_url: HashMap<String, Vec<PackageId>> = HashMap::new();
    let mut ids: Vec<&PackageId> = packages.keys().collect();
    ids.sort();
    for id in ids {
        let pd = &packages[id];
        let Scope::Check {
            target: Target::Npm { registry, .. },
            ..
        } = &pd.scope
        else {
            continue;
        };
        let Some(Lookup::Found(record)) = &pd.record else {
            continue;
        };
        let p = graph.package(*id);
        if let Some(dir) = &req.attestations_dir {
            let Some(file) = dir_file(dir, &p.name, &p.version) else {
                out.push((
                    *id,
                    Lookup::Unavailable(format!(
                        "`{}@{}` cannot name a file in --attestations-dir",
                        p.name, p.version
                    )),
                ));
                continue;
            };
            match crate::fsio::read_regular(&file, MAX_ATTESTATIONS_SIZE) {
                Ok(bytes) => {
                    out.push((
                        *id,
                        Lookup::Found(AttestationsDoc {
                            origin: file.display().to_string(),
                            bytes,
                        }),
                    ));
                    continue;
                }
                Err(crate::fsio::ReadError::NotFound { .. }) => {}
                Err(e) => {
                    return Err(vec![fetch_error(
                        &p.display_name(),
                        &file.display().to_string(),
                        FetchErrorKind::Io(e.reason()),
                    )]);
                }
            }
        }
        let named = record
            .npm
            .as_ref()
            .and_then(|n| n.attestations_url.as_deref());
        let Some(named) = named else {
            out.push((
                *id,
                Lookup::NotFound {
                    url: record.url.clone(),
                    detail: "the registry's record names no attestations (dist.attestations)"
                        .into(),
                },
            ));
            continue;
        };
        match attestations_url(named, registry) {
            Ok(u) => by_url.entry(u).or_default().push(*id),
            Err(why) => out.push((*id, Lookup::Unavailable(why))),
        }
    }
    let mut urls: Vec<(String, Vec<PackageId>)> = by_url.into_iter().collect();
    urls.sort();
    let mut jobs: Vec<Job<Docs>> = Vec::new();
    for (url, members) in urls {
        let client = client.clone();
        let max = s.max_metadata.min(MAX_ATTESTATIONS_SIZE);
        let who = {
            let mut v: Vec<String> = members
                .iter()
                .map(|id| graph.package(*id).display_name())
                .collect();
            v.sort();
            v.dedup();
            v.join(", ")
        };
        jobs.push(Box::pin(async move {
            let got = client
                .get_document(&url, "application/json", max)
                .await
                .map_err(|k| fetch_error(&who, &url, k))?;
            let lookup = match got {
                Got::Found(bytes) => Lookup::Found(AttestationsDoc {
                    origin: redact_url(&url),
                    bytes,
                }),
                Got::NotFound(status) => Lookup::NotFound {
                    url: redact_url(&url),
                    detail: format!(
                        "the registry names attestations but does not serve them (HTTP {status})"
                    ),
                },
            };
            Ok(members.iter().map(|id| (*id, lookup.clone())).collect())
        }));
    }
    let results = run_jobs(client, progress, jobs).await?;
    out.extend(results.into_iter().flatten());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_files_stay_inside_the_directory() {
        let d = Path::new("/a");
        assert_eq!(
            dir_file(d, "@s/n", "1.0.0"),
            Some(PathBuf::from("/a/@s/n@1.0.0.json"))
        );
        assert_eq!(
            dir_file(d, "left-pad", "1.3.0"),
            Some(PathBuf::from("/a/left-pad@1.3.0.json"))
        );
        for (n, v) in [
            ("../x", "1"),
            ("@../x", "1"),
            ("@s/../../x", "1"),
            (".hidden", "1"),
            ("a", "../1"),
            ("a\\b", "1"),
            ("@s", "1"),
            ("", "1"),
            ("a", ""),
        ] {
            assert_eq!(dir_file(d, n, v), None, "{n}@{v}");
        }
    }

    #[test]
    fn attestation_urls_are_held_to_the_registry() {
        let reg = "http://127.0.0.1:9/npm/";
        assert_eq!(
            attestations_url("http://127.0.0.1:9/npm/-/npm/v1/attestations/a@1", reg).unwrap(),
            "http://127.0.0.1:9/npm/-/npm/v1/attestations/a@1"
        );
        // The public registry's endpoint, named by a mirror's copy: re-based.
        assert_eq!(
            attestations_url(
                "https://registry.npmjs.org/-/npm/v1/attestations/@s%2fa@1.0.0",
                reg
            )
            .unwrap(),
            "http://127.0.0.1:9/npm/-/npm/v1/attestations/@s%2fa@1.0.0"
        );
        assert!(attestations_url("https://evil.example/x.json", reg).is_err());
        assert!(attestations_url("file:///etc/passwd", reg).is_err());
        assert!(attestations_url("not a url", reg).is_err());
    }
}

//! Project-level `.npmrc` (the file beside a `package-lock.json`): the registry, scoped registries
//! and per-registry credentials.
//!
//! Read: `registry=URL`, `@scope:registry=URL`, `//host[:port]/path/:_authToken=TOKEN` (sent as
//! `Authorization: Bearer`) and `//host[:port]/path/:_auth=BASE64` (sent as `Basic`). Values may
//! be quoted and may use `${VAR}` from the environment, as npm allows. Every other key is ignored.
//! Credentials are kept in [`Secret`], whose `Debug` prints `***`: they are never shown.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::error::RegistryError;

/// A credential value. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself: only for building a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How a credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer TOKEN` (`_authToken`).
    Bearer(Secret),
    /// `Authorization: Basic BASE64` (`_auth`).
    Basic(Secret),
}

/// A credential for every URL under a "nerf dart" prefix (`//host[:port]/path/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEntry {
    /// `//host[:port]/path/`, host lower-cased.
    pub prefix: String,
    /// The credential.
    pub credential: Credential,
}

/// A parsed `.npmrc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Npmrc {
    /// The file.
    pub path: PathBuf,
    /// `registry=`.
    pub registry: Option<String>,
    /// `@scope:registry=`.
    pub scopes: BTreeMap<String, String>,
    /// Credentials.
    pub auth: Vec<AuthEntry>,
    /// Problems that do not stop the run (a `${VAR}` that is not set), without secrets.
    pub warnings: Vec<String>,
}

/// `//host[:port]/path` of an http(s) URL (the "nerf dart" npm keys credentials by).
pub fn nerf_dart(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("//{host}{port}{}", url.path()))
}

/// The credential for a URL: the longest matching prefix wins.
pub fn credential_for<'a>(auth: &'a [AuthEntry], url: &reqwest::Url) -> Option<&'a Credential> {
    let dart = nerf_dart(url)?;
    auth.iter()
        .filter(|a| dart.starts_with(&a.prefix))
        .max_by_key(|a| a.prefix.len())
        .map(|a| &a.credential)
}

/// Checks that a registry setting is an absolute http(s) URL; returns it with a trailing `/`.
pub fn registry_url(value: &str, origin: &str) -> Result<String, RegistryError> {
    let v = value.trim();
    let v = v.strip_prefix("sparse+").unwrap_or(v);
    match reqwest::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            let mut s = u.to_string();
            if !s.ends_with('/') {
                s.push('/');
            }
            Ok(s)
        }
        _ => Err(RegistryError::Config {
            origin: origin.to_owned(),
            message: format!(
                "{:?} is not an http(s) registry URL",
                crate::redact::redact_url(v)
            ),
        }),
    }
}

/// [`registry_url`] of a value after `${VAR}` expansion. An error shows the value as written,
/// never the expansion: a variable may hold a token (`registry=${NPM_TOKEN}` by mistake).
fn expanded_registry_url(
    written: &str,
    expanded: &str,
    origin: &str,
) -> Result<String, RegistryError> {
    registry_url(expanded, origin).map_err(|e| {
        if written == expanded {
            return e;
        }
        RegistryError::Config {
            origin: origin.to_owned(),
            message: format!(
                "{:?} is not an http(s) registry URL once its variables are expanded",
                crate::redact::redact_url(written.trim())
            ),
        }
    })
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// The first `${VAR}` of a registry URL as written that lies neither in its user-info nor is
/// the whole value: there it would put a variable's value (a token, some registries' URL paths
/// carry one) where no redaction can tell it from the URL. `None` when every variable is safe.
fn misplaced_variable(written: &str) -> Option<&str> {
    let t = written.trim();
    if let Some(inner) = t.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
        && !inner.contains('}')
        && !inner.contains("${")
    {
        return None; // the whole value: the variable holds the URL
    }
    let userinfo = t.find("://").and_then(|s| {
        let start = s + 3;
        let end = t[start..].find('/').map_or(t.len(), |i| start + i);
        t[start..end].rfind('@').map(|at| start..start + at)
    });
    let mut from = 0;
    while let Some(i) = t[from..].find("${") {
        let at = from + i;
        let name_end = t[at..].find('}').map_or(t.len(), |e| at + e);
        if !userinfo.as_ref().is_some_and(|r| r.contains(&at)) {
            return Some(t[at + 2..name_end].trim_end_matches('?'));
        }
        from = name_end.min(t.len());
        if from == at {
            from += 2;
        }
    }
    None
}

/// Expands `${VAR}` (and npm's `${VAR?}`); a missing variable is reported by name.
fn expand(v: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let name = after[..end].trim_end_matches('?');
        match env(name) {
            Some(val) => out.push_str(&val),
            None => return Err(name.to_owned()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl Npmrc {
    /// Parses the text of an `.npmrc`.
    pub fn parse(
        path: &Path,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Npmrc, RegistryError> {
        let mut rc = Npmrc {
            path: path.to_path_buf(),
            ..Npmrc::default()
        };
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let origin = format!("{}:{}", path.display(), n + 1);
            let written = unquote(value);
            let value = match expand(written, env) {
                Ok(v) => v,
                Err(var) => {
                    rc.warnings.push(format!(
                        "{origin}: `{key}` uses ${{{var}}}, which is not set; the setting is ignored"
                    ));
                    continue;
                }
            };
            let is_registry = key == "registry"
                || key
                    .strip_suffix(":registry")
                    .is_some_and(|s| s.starts_with('@'));
            if is_registry && let Some(var) = misplaced_variable(written) {
                rc.warnings.push(format!(
                    "{origin}: `{key}` puts ${{{var}}} inside the URL's host or path; tollgate expands variables in a registry URL only as the whole value or in its user-info (a token in a URL path would show in reports); the setting is ignored"
                ));
                continue;
            }
            if key == "registry" {
                rc.registry = Some(expanded_registry_url(written, &value, &origin)?);
            } else if let Some(scope) = key.strip_suffix(":registry")
                && scope.starts_with('@')
            {
                rc.scopes.insert(
                    scope.to_owned(),
                    expanded_registry_url(written, &value, &origin)?,
                );
            } else if let Some(prefix) = key.strip_prefix("//") {
                let (dart, credential) = if let Some(d) = prefix.strip_suffix(":_authToken") {
                    (d, Credential::Bearer(Secret::new(value)))
                } else if let Some(d) = prefix.strip_suffix(":_auth") {
                    (d, Credential::Basic(Secret::new(value)))
                } else {
                    continue;
                };
                let (host, path) = dart.split_once('/').unwrap_or((dart, ""));
                let mut prefix = format!("//{}/{}", host.to_ascii_lowercase(), path);
                if !prefix.ends_with('/') {
                    prefix.push('/');
                }
                rc.auth.push(AuthEntry { prefix, credential });
            }
        }
        Ok(rc)
    }

    /// Reads `dir/.npmrc` when it exists.
    pub fn load(
        dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Npmrc>, RegistryError> {
        let path = dir.join(".npmrc");
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| RegistryError::Io {
            path: path.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Npmrc::parse(&path, &text, env).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_only_as_the_whole_registry_url_or_in_its_user_info() {
        assert_eq!(misplaced_variable("${NPM_REGISTRY}"), None);
        assert_eq!(
            misplaced_variable("https://${USER}:${PASS}@npm.corp.example/"),
            None
        );
        assert_eq!(misplaced_variable("https://npm.corp.example/"), None);
        assert_eq!(
            misplaced_variable("https://npm.corp.example/${NPM_TOKEN?}npm"),
            Some("NPM_TOKEN")
        );
        assert_eq!(misplaced_variable("https://${HOST}/npm/"), Some("HOST"));
        assert_eq!(misplaced_variable("${A}${B}"), Some("A"));
        assert_eq!(
            misplaced_variable("https://x/${unterminated"),
            Some("unterminated")
        );
        let env = |k: &str| (k == "NPM_TOKEN").then(|| "s3cr3t".to_owned());
        let rc = Npmrc::parse(
            Path::new(".npmrc"),
            "registry=https://npm.corp.example/${NPM_TOKEN}/\n@corp:registry=https://${NPM_TOKEN}@corp.example/\n",
            &env,
        )
        .unwrap();
        assert_eq!(rc.registry, None, "a variable in the path is not expanded");
        assert!(rc.warnings[0].contains("${NPM_TOKEN}") && !rc.warnings[0].contains("s3cr3t"));
        assert_eq!(
            rc.scopes.get("@corp").map(String::as_str),
            Some("https://s3cr3t@corp.example/"),
            "user-info may hold a token: redact_url hides it"
        );
    }

    fn env(k: &str) -> Option<String> {
        (k == "NPM_TOKEN").then(|| "s3cr3t".to_owned())
    }

    fn parse(text: &str) -> Npmrc {
        Npmrc::parse(Path::new("/p/.npmrc"), text, &env).unwrap()
    }

    #[test]
    fn a_registry_from_a_variable_is_never_echoed_expanded() {
        for text in [
            "registry=${NPM_TOKEN}\n",
            "@corp:registry=\"${NPM_TOKEN}\"\n",
        ] {
            let e = Npmrc::parse(Path::new("/p/.npmrc"), text, &env).unwrap_err();
            let msg = e.to_string();
            assert!(!msg.contains("s3cr3t"), "{msg}");
            assert!(msg.contains("${NPM_TOKEN}"), "{msg}");
        }
        // Negative twin: a value typed in the file is shown as typed.
        let e = Npmrc::parse(Path::new("/p/.npmrc"), "registry=ftp://x\n", &env).unwrap_err();
        assert!(e.to_string().contains("\"ftp://x\""), "{e}");
    }

    #[test]
    fn reads_registries_scopes_and_tokens() {
        let rc = parse(
            "; comment\n# comment\nregistry = \"https://npm.corp.example/npm\"\n@corp:registry=https://npm.corp.example/corp/\n//npm.corp.example/corp/:_authToken=${NPM_TOKEN}\n//Other.example:8443/:_auth=dXNlcjpwYXNz\nfund=false\n",
        );
        assert_eq!(
            rc.registry.as_deref(),
            Some("https://npm.corp.example/npm/")
        );
        assert_eq!(
            rc.scopes.get("@corp").map(String::as_str),
            Some("https://npm.corp.example/corp/")
        );
        assert_eq!(rc.auth.len(), 2);
        assert_eq!(rc.auth[0].prefix, "//npm.corp.example/corp/");
        assert_eq!(
            rc.auth[0].credential,
            Credential::Bearer(Secret::new("s3cr3t"))
        );
        assert_eq!(rc.auth[1].prefix, "//other.example:8443/");
        assert!(rc.warnings.is_empty());
        // The secret never shows in Debug output.
        assert!(!format!("{rc:?}").contains("s3cr3t"));
    }

    #[test]
    fn accepts_tokens_only_for_matching_urls() {
        let rc =
            parse("//npm.corp.example/corp/:_authToken=t1\n//npm.corp.example/:_authToken=t2\n");
        let at = |u: &str| {
            credential_for(&rc.auth, &reqwest::Url::parse(u).unwrap()).map(|c| match c {
                Credential::Bearer(s) | Credential::Basic(s) => s.expose().to_owned(),
            })
        };
        assert_eq!(at("https://npm.corp.example/corp/x").as_deref(), Some("t1"));
        assert_eq!(at("https://npm.corp.example/x").as_deref(), Some("t2"));
        assert_eq!(at("https://npm.corp.example.evil/x"), None);
        assert_eq!(at("https://evil.example/npm.corp.example/x"), None);
        assert_eq!(at("https://npm.corp.example:8443/x"), None);
    }

    #[test]
    fn rejects_a_registry_that_is_not_a_url_naming_file_and_line() {
        let e = Npmrc::parse(Path::new("/p/.npmrc"), "\nregistry=ftp://x\n", &env).unwrap_err();
        assert!(e.to_string().starts_with("/p/.npmrc:2:"), "{e}");
    }

    #[test]
    fn ignores_a_token_whose_variable_is_unset() {
        let rc = parse("//h/:_authToken=${MISSING}\n");
        assert!(rc.auth.is_empty());
        assert!(rc.warnings[0].contains("MISSING"), "{:?}", rc.warnings);
    }
}

//! Parsers: RustSec advisory-db Markdown and OSV JSON, into [`AdvisoryRecord`]s.
//!
//! RustSec front matter is parsed here with the `toml` crate, not with the `rustsec` crate:
//! `rustsec` 0.33 drags in `url`, `time`, `platforms`, `fs-err` and a second `toml` major,
//! validates fields we only display (and fails the whole database on any value it does not know,
//! e.g. a new `informational` kind or OS name), and has no API to keep the requirement strings
//! for a compact index. What we need from it, the interval semantics of `[versions]`, is in
//! [`super::version`], written to give the same answers (see the differential in
//! `docs/advisories.md`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::model::{AdvisoryKind, AdvisoryRecord, Affected, Format};
use super::version::{Event, OsvRange, RustSecRanges};

/// What reading one advisory file gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Records to index (one per affected package).
    Records(Vec<AdvisoryRecord>),
    /// A withdrawn advisory: skipped.
    Withdrawn(String),
}

#[derive(Deserialize)]
struct RsFront {
    advisory: RsAdvisory,
    #[serde(default)]
    affected: Option<RsAffected>,
    #[serde(default)]
    versions: Option<RsVersions>,
}

#[derive(Deserialize)]
struct RsAdvisory {
    id: String,
    package: String,
    date: Option<toml::Value>,
    url: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    cvss: Option<String>,
    informational: Option<String>,
    withdrawn: Option<toml::Value>,
    source: Option<String>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RsAffected {
    #[serde(default)]
    arch: Vec<String>,
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    functions: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
struct RsVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

fn toml_to_string(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `true` when the text looks like a RustSec advisory (a ```toml front matter first).
pub fn looks_like_rustsec(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("```toml")
}

/// Parses a RustSec advisory (Markdown with a ```toml front matter, then `# Title`).
/// Errors are messages; the caller adds the file name.
pub fn parse_rustsec(text: &str, source: &str) -> Result<Parsed, String> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let rest = body
        .strip_prefix("```toml")
        .ok_or("no ```toml front matter")?;
    let end = rest
        .find("\n```")
        .ok_or("front matter is not closed by ```")?;
    let front = &rest[..end];
    let after = &rest[end + 4..];
    let f: RsFront = toml::from_str(front).map_err(|e| format!("front matter: {e}"))?;
    let a = f.advisory;
    if let Some(w) = &a.withdrawn {
        return Ok(Parsed::Withdrawn(format!(
            "{} ({})",
            a.id,
            toml_to_string(w)
        )));
    }
    let title = after
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim().to_owned())
        .unwrap_or_default();
    let versions = f.versions.unwrap_or_default();
    // Validate now: a requirement the matcher cannot evaluate fails the import, not the check.
    RustSecRanges::new(&versions.patched, &versions.unaffected)
        .map_err(|e| format!("[versions]: {e}"))?;
    let affected = f.affected.unwrap_or_default();
    let url = a
        .url
        .clone()
        .or_else(|| a.references.first().cloned())
        .or_else(|| {
            a.id.starts_with("RUSTSEC-")
                .then(|| format!("https://rustsec.org/advisories/{}.html", a.id))
        });
    Ok(Parsed::Records(vec![AdvisoryRecord {
        kind: AdvisoryKind::from_informational(a.informational.as_deref().map(str::trim)),
        id: a.id,
        aliases: a.aliases,
        format: Format::RustSec,
        source: source.to_owned(),
        ecosystem: "crates.io".into(),
        package: a.package,
        title,
        published: a.date.as_ref().map(toml_to_string),
        modified: None,
        url,
        cvss: a.cvss,
        db_severity: None,
        affected: Affected::RustSec {
            patched: versions.patched,
            unaffected: versions.unaffected,
        },
        functions: affected.functions.into_keys().collect(),
        os: affected.os,
        arch: affected.arch,
        registry: a.source,
    }]))
}

#[derive(Deserialize)]
struct OsvDoc {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    published: Option<String>,
    modified: Option<String>,
    withdrawn: Option<String>,
    summary: Option<String>,
    details: Option<String>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
    #[serde(default)]
    references: Vec<OsvReference>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct OsvReference {
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

#[derive(Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    ranges: Vec<OsvRangeDoc>,
    #[serde(default)]
    versions: Vec<String>,
    ecosystem_specific: Option<serde_json::Value>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct OsvRangeDoc {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<BTreeMap<String, String>>,
}

/// `true` when the JSON value has the shape of an OSV record (`id` string and `modified` or
/// `affected`).
pub fn looks_like_osv(v: &serde_json::Value) -> bool {
    v.get("id").is_some_and(|i| i.is_string())
        && (v.get("modified").is_some() || v.get("affected").is_some())
}

fn str_list(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Picks the CVSS vector to score: v4 over v3.1 over v3.0 (v2 is not scored).
fn pick_cvss(sev: &[OsvSeverity]) -> Option<String> {
    let rank = |s: &OsvSeverity| match s.kind.as_str() {
        "CVSS_V4" => 3,
        "CVSS_V3" if s.score.starts_with("CVSS:3.1/") => 2,
        "CVSS_V3" => 1,
        _ => 0,
    };
    sev.iter()
        .filter(|s| rank(s) > 0)
        .max_by_key(|s| rank(s))
        .map(|s| s.score.clone())
}

/// Parses one OSV record. Withdrawn records are skipped; GIT ranges ignored; one record per
/// affected package (ranges of several `affected` entries for the same package are or-ed).
pub fn parse_osv(value: serde_json::Value, source: &str) -> Result<Parsed, String> {
    let doc: OsvDoc = serde_json::from_value(value).map_err(|e| format!("OSV record: {e}"))?;
    if let Some(w) = &doc.withdrawn {
        return Ok(Parsed::Withdrawn(format!("{} ({w})", doc.id)));
    }
    let top_db_sev = doc
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(str::to_owned);
    let title = doc
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            doc.details
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                .map(|l| l.trim().chars().take(120).collect())
        })
        .unwrap_or_else(|| doc.id.clone());
    let url = doc
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY")
        .or_else(|| doc.references.iter().find(|r| r.kind == "WEB"))
        .or_else(|| doc.references.first())
        .map(|r| r.url.clone());
    let mut by_pkg: BTreeMap<(String, String), AdvisoryRecord> = BTreeMap::new();
    for aff in doc.affected {
        let Some(pkg) = aff.package else { continue };
        let mut ranges = Vec::new();
        for r in aff.ranges {
            if r.kind != "SEMVER" && r.kind != "ECOSYSTEM" {
                continue; // GIT ranges name commits, not versions
            }
            let mut events = Vec::new();
            for e in r.events {
                for (k, v) in e {
                    events.push(match k.as_str() {
                        "introduced" => Event::Introduced(v),
                        "fixed" => Event::Fixed(v),
                        "last_affected" => Event::LastAffected(v),
                        "limit" => Event::Limit(v),
                        other => return Err(format!("unknown range event {other:?}")),
                    });
                }
            }
            ranges.push(OsvRange { events });
        }
        let eco_spec = aff.ecosystem_specific.as_ref();
        let affects = eco_spec.and_then(|e| e.get("affects"));
        let db_spec = aff.database_specific.as_ref();
        let informational = db_spec
            .and_then(|d| d.get("informational"))
            .and_then(|i| i.as_str())
            .map(str::to_owned);
        let cvss = pick_cvss(&aff.severity).or_else(|| pick_cvss(&doc.severity));
        let db_severity = db_spec
            .and_then(|d| d.get("severity"))
            .and_then(|s| s.as_str())
            .map(str::to_owned)
            .or_else(|| top_db_sev.clone());
        let ecosystem = pkg
            .ecosystem
            .split(':')
            .next()
            .unwrap_or(&pkg.ecosystem)
            .to_owned();
        let key = (ecosystem.clone(), pkg.name.clone());
        let rec = by_pkg.entry(key).or_insert_with(|| AdvisoryRecord {
            id: doc.id.clone(),
            aliases: doc.aliases.clone(),
            format: Format::Osv,
            source: source.to_owned(),
            ecosystem,
            package: pkg.name.clone(),
            kind: AdvisoryKind::from_informational(informational.as_deref()),
            title: title.clone(),
            published: doc.published.clone(),
            modified: doc.modified.clone(),
            url: url.clone(),
            cvss,
            db_severity,
            affected: Affected::Osv {
                ranges: Vec::new(),
                versions: Vec::new(),
            },
            functions: str_list(affects.and_then(|a| a.get("functions"))),
            os: str_list(affects.and_then(|a| a.get("os"))),
            arch: str_list(affects.and_then(|a| a.get("arch"))),
            registry: None,
        });
        if let Affected::Osv {
            ranges: rs,
            versions: vs,
        } = &mut rec.affected
        {
            rs.extend(ranges);
            vs.extend(aff.versions);
        }
    }
    Ok(Parsed::Records(by_pkg.into_values().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RS: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "demo"
date = "2099-01-02"
aliases = ["CVE-2099-1", "GHSA-aaaa-bbbb-cccc"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"

[affected]
os = ["linux"]
[affected.functions]
"demo::f" = ["< 1.2.3"]

[versions]
patched = [">= 1.2.3"]
unaffected = ["< 0.5"]
```

# Demo is broken

Text.
"#;

    #[test]
    fn accepts_rustsec_front_matter() {
        let Parsed::Records(r) = parse_rustsec(RS, "rustsec").unwrap() else {
            panic!()
        };
        assert_eq!(r.len(), 1);
        let r = &r[0];
        assert_eq!(r.id, "RUSTSEC-2099-0001");
        assert_eq!(r.title, "Demo is broken");
        assert_eq!(r.functions, vec!["demo::f"]);
        assert_eq!(r.os, vec!["linux"]);
        assert_eq!(r.published.as_deref(), Some("2099-01-02"));
        assert_eq!(r.kind, AdvisoryKind::Vulnerability);
        assert_eq!(
            r.url.as_deref(),
            Some("https://rustsec.org/advisories/RUSTSEC-2099-0001.html")
        );
    }

    #[test]
    fn rejects_rustsec_without_front_matter_or_bad_versions() {
        assert!(parse_rustsec("# README\n", "x").is_err());
        let bad = RS.replace("\">= 1.2.3\"", "\"*\"");
        assert!(parse_rustsec(&bad, "x").is_err());
        let overlap = RS.replace("\"< 0.5\"", "\"< 1.5\"");
        assert!(parse_rustsec(&overlap, "x").is_err());
    }

    #[test]
    fn rustsec_withdrawn_and_informational() {
        let w = RS.replace("date = ", "withdrawn = \"2099-02-01\"\ndate = ");
        assert!(matches!(
            parse_rustsec(&w, "x").unwrap(),
            Parsed::Withdrawn(_)
        ));
        let i = RS.replace("date = ", "informational = \"unmaintained\"\ndate = ");
        let Parsed::Records(r) = parse_rustsec(&i, "x").unwrap() else {
            panic!()
        };
        assert_eq!(r[0].kind, AdvisoryKind::Unmaintained);
    }

    #[test]
    fn osv_skips_git_and_withdrawn() {
        let doc = serde_json::json!({
            "id": "GHSA-x", "modified": "2020-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "npm", "name": "p"},
              "ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "abc"}]},
                         {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]
        });
        let Parsed::Records(r) = parse_osv(doc.clone(), "s").unwrap() else {
            panic!()
        };
        let Affected::Osv { ranges, .. } = &r[0].affected else {
            panic!()
        };
        assert_eq!(ranges.len(), 1);
        let mut w = doc;
        w["withdrawn"] = serde_json::json!("2021-01-01T00:00:00Z");
        assert!(matches!(parse_osv(w, "s").unwrap(), Parsed::Withdrawn(_)));
    }
}

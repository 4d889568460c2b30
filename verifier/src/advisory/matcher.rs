//! Matching a graph against the advisory index: findings for every affected package.
//!
//! Which packages are matched (following cargo-audit, `rustsec::Database::query_vulnerabilities`):
//! * Cargo: only packages from crates.io (the git or sparse index). Path packages (workspace
//!   members), git packages and packages of other registries are not matched: advisory-db is
//!   about crates.io releases, and a git checkout or another registry's crate of the same name is
//!   a different artifact. cargo-audit skips them the same way.
//! * npm: packages resolved from a registry (as `npm audit` does, whatever the registry URL).
//!   Root projects, workspace folders, links, git and tarball dependencies are not matched.
//!
//! Records that describe the same vulnerability (sharing an id or alias, e.g. a RustSec advisory
//! and its OSV export or a GHSA record naming the RUSTSEC id) become one finding listing every
//! id; the primary id is the RustSec one when there is one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use semver::Version;

use super::AdvisoryError;
use super::index::AdvisoryDb;
use super::model::{AdvisoryKind, AdvisoryRecord, Affected, Format};
use super::severity::advisory_severity;
use super::version::{RustSecRanges, osv_is_affected, parse_version};
use crate::finding::{AdvisoryDetails, Finding, FixHint, Severity};
use crate::graph::{Graph, PackageId};
use crate::package::{Ecosystem, Package, Source};

/// crates.io index URLs (git and sparse), as `cargo-lock` gives them without prefix.
const CRATES_IO: [&str; 2] = [
    "https://github.com/rust-lang/crates.io-index",
    "https://index.crates.io",
];

/// `true` when a package is eligible for advisory matching (see the module docs).
pub fn is_matchable(p: &Package) -> bool {
    if p.is_root || p.version.is_empty() {
        return false;
    }
    match (&p.source, p.ecosystem) {
        (Source::Registry { url, .. }, Ecosystem::Cargo) => url
            .as_deref()
            .is_some_and(|u| CRATES_IO.contains(&u.trim_end_matches('/'))),
        (Source::Registry { .. }, Ecosystem::Npm) => !p.npm.as_ref().is_some_and(|n| n.workspace),
        _ => false,
    }
}

/// The verdict of one record on one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordMatch {
    /// The version is affected.
    Affected,
    /// The version is not affected.
    NotAffected,
    /// The record could not be evaluated (a bound that does not parse): counted as affected.
    Undecidable,
}

/// Evaluates one record against a version.
pub fn record_matches(rec: &AdvisoryRecord, v: &Version) -> RecordMatch {
    let res = match &rec.affected {
        Affected::RustSec {
            patched,
            unaffected,
        } => RustSecRanges::new(patched, unaffected).map(|r| r.is_affected(v)),
        Affected::Osv { ranges, versions } => osv_is_affected(ranges, versions, v),
    };
    match res {
        Ok(true) => RecordMatch::Affected,
        Ok(false) => RecordMatch::NotAffected,
        Err(_) => RecordMatch::Undecidable,
    }
}

fn fix_candidates(rec: &AdvisoryRecord) -> Vec<Version> {
    match &rec.affected {
        Affected::RustSec {
            patched,
            unaffected,
        } => RustSecRanges::new(patched, unaffected)
            .map(|r| r.fix_candidates())
            .unwrap_or_default(),
        Affected::Osv { ranges, .. } => ranges.iter().flat_map(|r| r.fixed_versions()).collect(),
    }
}

/// Priority of a record as the primary of a merged finding (lower first).
fn primary_rank(r: &AdvisoryRecord) -> (u8, u8, &str) {
    let fmt = match r.format {
        Format::RustSec => 0,
        Format::Osv => 1,
    };
    let id = if r.id.starts_with("RUSTSEC-") {
        0
    } else if r.id.starts_with("GHSA-") {
        1
    } else {
        2
    };
    (id, fmt, r.id.as_str())
}

fn id_rank(id: &str) -> (u8, &str) {
    let r = if id.starts_with("RUSTSEC-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        2
    } else {
        3
    };
    (r, id)
}

/// Groups records that share an id or alias (union-find over ids).
fn group_records<'a>(recs: &[&'a AdvisoryRecord]) -> Vec<Vec<&'a AdvisoryRecord>> {
    let mut parent: Vec<usize> = (0..recs.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        let mut c = i;
        while p[c] != r {
            let n = p[c];
            p[c] = r;
            c = n;
        }
        r
    }
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, r) in recs.iter().enumerate() {
        for id in r.all_ids() {
            if let Some(&j) = by_id.get(id) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b {
                    parent[a] = b;
                }
            } else {
                by_id.insert(id, i);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&AdvisoryRecord>> = BTreeMap::new();
    for (i, r) in recs.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(r);
    }
    groups.into_values().collect()
}

fn kind_default_severity(k: AdvisoryKind) -> Severity {
    match k {
        AdvisoryKind::Vulnerability => Severity::Unknown,
        _ => Severity::None,
    }
}

/// Builds the finding for one package and one group of matching records.
fn build_finding(
    graph: &Graph,
    pkg: PackageId,
    version: &Version,
    mut group: Vec<&AdvisoryRecord>,
    all_for_pkg: &[AdvisoryRecord],
    undecidable: bool,
) -> Finding {
    group.sort_by(|a, b| primary_rank(a).cmp(&primary_rank(b)));
    let primary = group[0];
    let p = graph.package(pkg);
    let code = primary.kind.code();
    let mut f = Finding::for_package(graph, pkg, code, primary.title.clone());

    // Ids: primary first, then the rest by family (RUSTSEC, GHSA, CVE, others) and name.
    let mut rest: BTreeSet<(u8, &str)> = BTreeSet::new();
    for r in &group {
        for id in r.all_ids() {
            if id != primary.id {
                rest.insert(id_rank(id));
            }
        }
    }
    let mut ids = vec![primary.id.clone()];
    ids.extend(rest.into_iter().map(|(_, s)| s.to_owned()));
    f.id = format!("{}:{}:{}@{}", code.id(), primary.id, p.name, p.version);

    // Severity: the primary's, else the first known among the others.
    let default = kind_default_severity(primary.kind);
    let mut sev = (default, None);
    let mut cvss = None;
    for r in &group {
        let s = advisory_severity(r.cvss.as_deref(), r.db_severity.as_deref(), default);
        if s.0 != default || s.1.is_some() {
            sev = s;
            cvss = r.cvss.clone().filter(|_| s.1.is_some());
            break;
        }
    }
    f.severity = sev.0;

    // Fix: the smallest candidate above the current version that no record of the group (nor
    // any other record sharing the group's ids) still flags.
    let group_ids: BTreeSet<&str> = group.iter().flat_map(|r| r.all_ids()).collect();
    let related: Vec<&AdvisoryRecord> = all_for_pkg
        .iter()
        .filter(|r| r.all_ids().any(|i| group_ids.contains(i)))
        .collect();
    let mut cands: Vec<Version> = related
        .iter()
        .flat_map(|r| fix_candidates(r))
        .filter(|c| c > version)
        .collect();
    cands.sort();
    cands.dedup();
    let fix = cands
        .into_iter()
        .find(|c| {
            related
                .iter()
                .all(|r| record_matches(r, c) == RecordMatch::NotAffected)
        })
        .map(|c| c.to_string());
    f.fix = Some(match &fix {
        Some(to) => FixHint::Upgrade { to: to.clone() },
        None => FixHint::NoFix,
    });

    let mut patched: Vec<String> = Vec::new();
    let mut functions = BTreeSet::new();
    let mut os = BTreeSet::new();
    let mut arch = BTreeSet::new();
    let mut sources = BTreeSet::new();
    for r in &group {
        match &r.affected {
            Affected::RustSec { patched: ps, .. } => {
                for x in ps {
                    if !patched.contains(x) {
                        patched.push(x.clone());
                    }
                }
            }
            Affected::Osv { ranges, .. } => {
                for v in ranges.iter().flat_map(|r| r.fixed_versions()) {
                    let s = format!(">= {v}");
                    if !patched.contains(&s) && r.format == primary.format {
                        patched.push(s);
                    }
                }
            }
        }
        functions.extend(r.functions.iter().cloned());
        os.extend(r.os.iter().cloned());
        arch.extend(r.arch.iter().cloned());
        sources.insert(r.source.clone());
    }
    let published = primary
        .published
        .clone()
        .or_else(|| group.iter().filter_map(|r| r.published.clone()).min());
    let modified = group.iter().filter_map(|r| r.modified.clone()).max();
    f.message = {
        let mut m = format!(
            "{} ({}) affects {} {}",
            primary.title, primary.id, p.name, p.version
        );
        match &fix {
            Some(to) => m.push_str(&format!("; upgrade to {to} or later")),
            None if primary.kind == AdvisoryKind::Vulnerability => {
                m.push_str("; no fixed version is known")
            }
            None => {}
        }
        if undecidable {
            m.push_str(
                "; note: a version bound of this advisory could not be parsed, so it is reported as affecting this version (fail closed)",
            );
        }
        m
    };
    f.ids = ids;
    f.advisory = Some(AdvisoryDetails {
        published,
        modified,
        fixed_available: None,
        url: primary
            .url
            .clone()
            .or_else(|| group.iter().find_map(|r| r.url.clone())),
        cvss,
        score: sev.1,
        patched,
        functions: functions.into_iter().collect(),
        os: os.into_iter().collect(),
        arch: arch.into_iter().collect(),
        sources: sources.into_iter().collect(),
    });
    f
}

/// Matches every eligible package of the graph against the database; findings are sorted
/// deterministically ([`Finding::sort_key`]). Only the index entries of the graph's package
/// names are read. A package whose version does not parse as SemVer while advisories exist for
/// its name yields an `Unknown`-severity vulnerability finding (fail closed).
pub fn match_graph(db: &AdvisoryDb, graph: &Graph) -> Result<Vec<Finding>, AdvisoryError> {
    let mut cache: HashMap<(Ecosystem, &str), Vec<AdvisoryRecord>> = HashMap::new();
    let mut out = Vec::new();
    for (id, p) in graph.packages() {
        if !is_matchable(p) {
            continue;
        }
        let key = (p.ecosystem, p.name.as_str());
        if !cache.contains_key(&key) {
            let recs = db.records(p.ecosystem.osv_name(), &p.name)?;
            cache.insert(key, recs);
        }
        let recs = &cache[&key];
        if recs.is_empty() {
            continue;
        }
        let recs_eligible: Vec<&AdvisoryRecord> =
            recs.iter().filter(|r| r.registry.is_none()).collect();
        let version = match parse_version(&p.version) {
            Ok(v) => v,
            Err(e) => {
                // Cannot decide: one finding per advisory group, severity unknown.
                for group in group_records(&recs_eligible) {
                    let mut f = build_finding(graph, id, &Version::new(0, 0, 0), group, recs, true);
                    f.severity = Severity::Unknown;
                    f.fix = None;
                    f.message = format!(
                        "{}; the locked version cannot be compared ({e}), so the advisory is reported (fail closed)",
                        f.title
                    );
                    out.push(f);
                }
                continue;
            }
        };
        let mut matching = Vec::new();
        let mut undecidable = false;
        for r in &recs_eligible {
            match record_matches(r, &version) {
                RecordMatch::Affected => matching.push(*r),
                RecordMatch::Undecidable => {
                    undecidable = true;
                    matching.push(*r)
                }
                RecordMatch::NotAffected => {}
            }
        }
        for group in group_records(&matching) {
            let und = undecidable
                && group
                    .iter()
                    .any(|r| record_matches(r, &version) == RecordMatch::Undecidable);
            out.push(build_finding(graph, id, &version, group, recs, und));
        }
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(out)
}

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

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use foldhash::{HashMap, HashMapExt};
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

/// The ecosystems of the packages [`match_graph`] would look up: a database must hold advisories
/// for each of them (see [`super::store::require_ecosystems`]).
pub fn ecosystems_to_match(graph: &Graph) -> Vec<Ecosystem> {
    let mut out: Vec<Ecosystem> = Vec::new();
    for (_, p) in graph.packages() {
        if !out.contains(&p.ecosystem) && is_matchable(p) {
            out.push(p.ecosystem);
        }
    }
    out.sort_by_key(|e| e.as_str());
    out
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
    verdict(res)
}

fn verdict<E>(res: Result<bool, E>) -> RecordMatch {
    match res {
        Ok(true) => RecordMatch::Affected,
        Ok(false) => RecordMatch::NotAffected,
        Err(_) => RecordMatch::Undecidable,
    }
}

/// The records of one package name, with each RustSec record's requirements compiled once per
/// run: [`record_matches`] would parse them again for every locked version of the name and for
/// every fix candidate tried.
struct NameRecords {
    recs: Vec<AdvisoryRecord>,
    /// Per record: its compiled RustSec `[versions]` (`None` for an OSV record).
    rustsec: Vec<Option<Result<RustSecRanges, String>>>,
}

impl NameRecords {
    fn new(recs: Vec<AdvisoryRecord>) -> NameRecords {
        let rustsec = recs
            .iter()
            .map(|r| match &r.affected {
                Affected::RustSec {
                    patched,
                    unaffected,
                } => Some(RustSecRanges::new(patched, unaffected)),
                Affected::Osv { .. } => None,
            })
            .collect();
        NameRecords { recs, rustsec }
    }

    /// [`record_matches`] of record `i`, with its compiled ranges.
    fn matches(&self, i: usize, v: &Version) -> RecordMatch {
        match &self.rustsec[i] {
            Some(compiled) => verdict(compiled.as_ref().map(|r| r.is_affected(v))),
            None => record_matches(&self.recs[i], v),
        }
    }
}

fn fix_candidates(rec: &AdvisoryRecord) -> Vec<Version> {
    match &rec.affected {
        Affected::RustSec { patched, .. } => RustSecRanges::fix_candidates(patched),
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

/// Groups records that describe the same vulnerability: a record joins a group when they share
/// an id or alias, unless the group already holds a *different* advisory from the same source
/// (two RustSec advisories that cite the same CVE stay two findings, as in cargo-audit).
/// Records are taken in primary order; a group holding the record's own id is preferred over one
/// that only shares an alias.
fn group_records<'a>(recs: &[&'a AdvisoryRecord]) -> Vec<Vec<&'a AdvisoryRecord>> {
    let mut sorted: Vec<&AdvisoryRecord> = recs.to_vec();
    sorted.sort_by(|a, b| primary_rank(a).cmp(&primary_rank(b)));
    struct Group<'a> {
        ids: BTreeSet<&'a str>,
        members: Vec<&'a AdvisoryRecord>,
    }
    let mut groups: Vec<Group<'a>> = Vec::new();
    for r in sorted {
        let compatible = |g: &Group<'a>| {
            !g.members
                .iter()
                .any(|m| m.source == r.source && m.id != r.id)
        };
        let own = groups
            .iter()
            .position(|g| g.ids.contains(r.id.as_str()) && compatible(g));
        let alias = || {
            groups
                .iter()
                .position(|g| r.aliases.iter().any(|a| g.ids.contains(a.as_str())) && compatible(g))
        };
        match own.or_else(alias) {
            Some(i) => {
                groups[i].ids.extend(r.all_ids());
                groups[i].members.push(r);
            }
            None => groups.push(Group {
                ids: r.all_ids().collect(),
                members: vec![r],
            }),
        }
    }
    groups.into_iter().map(|g| g.members).collect()
}

/// Scores of the CVSS vectors seen so far (only vectors that score: the result of one that does
/// not depends on the record's other fields).
type SeverityMemo = HashMap<String, (Severity, Option<f64>)>;

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
    all_for_pkg: &NameRecords,
    undecidable: bool,
    severities: &mut SeverityMemo,
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
        // Memoised per vector: the severity of a vector that scores depends on nothing else.
        let s = match r.cvss.as_deref().and_then(|v| severities.get(v)) {
            Some(s) => *s,
            None => {
                let s = advisory_severity(r.cvss.as_deref(), r.db_severity.as_deref(), default);
                if let (Some(v), Some(_)) = (r.cvss.as_deref(), s.1) {
                    severities.insert(v.to_owned(), s);
                }
                s
            }
        };
        if s.0 != default || s.1.is_some() {
            sev = s;
            cvss = r.cvss.clone().filter(|_| s.1.is_some());
            break;
        }
    }
    f.severity = sev.0;

    // Fix: the smallest candidate above the current version that no record of the group (nor
    // any non-matching record with the same id, e.g. a disagreeing twin) still flags.
    let member_ids: BTreeSet<&str> = group.iter().map(|r| r.id.as_str()).collect();
    let related: Vec<(usize, &AdvisoryRecord)> = all_for_pkg
        .recs
        .iter()
        .enumerate()
        .filter(|(_, r)| member_ids.contains(r.id.as_str()) && r.registry.is_none())
        .collect();
    // Upgrade targets come from RustSec `patched` sets when the group has a RustSec record (its
    // OSV export turns `unaffected` ranges into `fixed` events, which are no upgrade targets),
    // else from OSV `fixed` events.
    let has_rustsec = related.iter().any(|(_, r)| r.format == Format::RustSec);
    let mut cands: Vec<Version> = related
        .iter()
        .filter(|(_, r)| !has_rustsec || r.format == Format::RustSec)
        .flat_map(|(_, r)| fix_candidates(r))
        .filter(|c| c > version)
        .collect();
    cands.sort();
    cands.dedup();
    let fix = cands
        .into_iter()
        .find(|c| {
            related
                .iter()
                .all(|&(i, _)| all_for_pkg.matches(i, c) == RecordMatch::NotAffected)
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
///
/// The same as one thread doing all of a [`MatchWork`].
pub fn match_graph(db: &AdvisoryDb, graph: &Graph) -> Result<Vec<Finding>, AdvisoryError> {
    let work = MatchWork::new(db, graph);
    MatchWork::finish([work.run()])
}

/// Packages matched per chunk of a [`MatchWork`]: small enough that two threads share the work
/// evenly, large enough that packages of one name (adjacent in a lockfile) mostly fall in one.
const CHUNK: usize = 32;

/// [`match_graph`] as work that several threads share: each calls [`MatchWork::run`], which
/// takes chunks of the eligible packages in turn until none is left, and [`MatchWork::finish`]
/// puts the parts together in package order. The result is the same whoever matched what: the
/// findings of one thread would be, in the same order, and of several errors the one of the
/// first package in graph order is returned (every chunk before a failing one was taken, and is
/// finished, before it).
#[derive(Debug)]
pub struct MatchWork<'a> {
    db: &'a AdvisoryDb,
    graph: &'a Graph,
    ids: Vec<PackageId>,
    next: AtomicUsize,
}

/// What one thread matched of a [`MatchWork`]: per chunk taken, its findings or its error.
#[derive(Debug, Default)]
pub struct MatchPart {
    chunks: Vec<(usize, Result<Vec<Finding>, AdvisoryError>)>,
}

impl<'a> MatchWork<'a> {
    /// The work of matching `graph` against `db`.
    pub fn new(db: &'a AdvisoryDb, graph: &'a Graph) -> MatchWork<'a> {
        MatchWork {
            db,
            graph,
            ids: graph
                .packages()
                .filter(|(_, p)| is_matchable(p))
                .map(|(id, _)| id)
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Matches chunks until none is left (or one fails: the others stop taking chunks after it).
    pub fn run(&self) -> MatchPart {
        let mut m = Matcher {
            db: self.db,
            graph: self.graph,
            cache: HashMap::new(),
            severities: HashMap::new(),
        };
        let mut part = MatchPart::default();
        let chunks = self.ids.len().div_ceil(CHUNK);
        loop {
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                break;
            }
            let ids = &self.ids[c * CHUNK..((c + 1) * CHUNK).min(self.ids.len())];
            let mut out = Vec::new();
            let res = ids.iter().try_for_each(|&id| m.package(id, &mut out));
            let failed = res.is_err();
            part.chunks.push((c, res.map(|()| out)));
            if failed {
                // Later chunks cannot change the outcome: the error of this one (or of an
                // earlier one) is returned.
                self.next.store(chunks, Ordering::Relaxed);
                break;
            }
        }
        part
    }

    /// The findings of every part, sorted; the error of the first failing package, if any.
    pub fn finish(
        parts: impl IntoIterator<Item = MatchPart>,
    ) -> Result<Vec<Finding>, AdvisoryError> {
        let mut chunks: Vec<(usize, Result<Vec<Finding>, AdvisoryError>)> =
            parts.into_iter().flat_map(|p| p.chunks).collect();
        chunks.sort_by_key(|(c, _)| *c);
        let mut out = Vec::new();
        for (_, res) in chunks {
            out.extend(res?);
        }
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(out)
    }
}

/// One thread's matcher: the records of each name read so far, and each CVSS vector's score
/// (a CVSS v4 score costs as much as the rest of a finding; vectors repeat across versions).
struct Matcher<'a> {
    db: &'a AdvisoryDb,
    graph: &'a Graph,
    cache: HashMap<(Ecosystem, &'a str), NameRecords>,
    severities: SeverityMemo,
}

impl<'a> Matcher<'a> {
    fn package(&mut self, id: PackageId, out: &mut Vec<Finding>) -> Result<(), AdvisoryError> {
        let graph = self.graph;
        let p = graph.package(id);
        let key = (p.ecosystem, p.name.as_str());
        let recs = match self.cache.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(NameRecords::new(
                self.db.records(p.ecosystem.osv_name(), &p.name)?,
            )),
        };
        let recs = &*recs;
        if recs.recs.is_empty() {
            return Ok(());
        }
        let sev = &mut self.severities;
        let version = match parse_version(&p.version) {
            Ok(v) => v,
            Err(e) => {
                // Cannot decide: one finding per advisory group, severity unknown.
                let eligible: Vec<&AdvisoryRecord> =
                    recs.recs.iter().filter(|r| r.registry.is_none()).collect();
                for group in group_records(&eligible) {
                    let mut f =
                        build_finding(graph, id, &Version::new(0, 0, 0), group, recs, true, sev);
                    f.severity = Severity::Unknown;
                    f.fix = None;
                    f.message = format!(
                        "{}; the locked version cannot be compared ({e}), so the advisory is reported (fail closed)",
                        f.title
                    );
                    out.push(f);
                }
                return Ok(());
            }
        };
        let mut matching = Vec::new();
        // The records that could not be evaluated: a group holding one says so (fail closed).
        let mut undecidable: Vec<&AdvisoryRecord> = Vec::new();
        for (i, r) in recs.recs.iter().enumerate() {
            if r.registry.is_some() {
                continue;
            }
            match recs.matches(i, &version) {
                RecordMatch::Affected => matching.push(r),
                RecordMatch::Undecidable => {
                    undecidable.push(r);
                    matching.push(r)
                }
                RecordMatch::NotAffected => {}
            }
        }
        for group in group_records(&matching) {
            let und = group
                .iter()
                .any(|r| undecidable.iter().any(|u| std::ptr::eq(*u, *r)));
            out.push(build_finding(graph, id, &version, group, recs, und, sev));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::path::Path;

    use super::*;
    use crate::advisory::index::{DbMeta, DbOrigin, encode};
    use crate::advisory::version::{Event, OsvRange};
    use crate::finding::Code;
    use crate::lockfile::{self, Format as LockFormat, LockfileInfo};

    const CRATES: &str = "registry+https://github.com/rust-lang/crates.io-index";

    /// A graph from `(name, version, source)` triples under one root `app`.
    fn cargo_graph(pkgs: &[(&str, &str, Option<&str>)]) -> Graph {
        let mut text = String::from(
            "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n",
        );
        for (n, v, _) in pkgs {
            text.push_str(&format!(" \"{n} {v}\",\n"));
        }
        text.push_str("]\n");
        for (n, v, s) in pkgs {
            text.push_str(&format!(
                "\n[[package]]\nname = \"{n}\"\nversion = \"{v}\"\n"
            ));
            if let Some(s) = s {
                text.push_str(&format!("source = \"{s}\"\n"));
            }
        }
        let p = Path::new("Cargo.lock");
        let parsed = lockfile::parse(p, "Cargo.lock", &text, LockFormat::CargoLock, 0).unwrap();
        let mut g = Graph::new();
        let info = LockfileInfo {
            path: p.into(),
            display: "Cargo.lock".into(),
            format: LockFormat::CargoLock,
            version: parsed.version,
            packages: parsed.packages.len(),
        };
        g.add_lockfile(info, parsed);
        g
    }

    fn npm_graph(pkgs: &[(&str, &str)]) -> Graph {
        let mut deps = serde_json::Map::new();
        let mut packages = serde_json::Map::new();
        packages.insert(
            "".into(),
            serde_json::json!({"name": "web", "version": "1.0.0", "dependencies": {}}),
        );
        for (n, v) in pkgs {
            deps.insert((*n).into(), serde_json::json!(v));
            packages.insert(
                format!("node_modules/{n}"),
                serde_json::json!({"version": v,
                    "resolved": format!("https://registry.npmjs.org/{n}/-/{n}-{v}.tgz"),
                    "integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="}),
            );
        }
        packages[""]["dependencies"] = serde_json::Value::Object(deps);
        let doc = serde_json::json!({"name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": packages});
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let p = Path::new("package-lock.json");
        let parsed =
            lockfile::parse(p, "package-lock.json", &text, LockFormat::PackageLock, 0).unwrap();
        let mut g = Graph::new();
        let info = LockfileInfo {
            path: p.into(),
            display: "package-lock.json".into(),
            format: LockFormat::PackageLock,
            version: parsed.version,
            packages: parsed.packages.len(),
        };
        g.add_lockfile(info, parsed);
        g
    }

    /// Issue 12 #6: matching shared between threads gives what one thread gives, in the same
    /// order, however the chunks fall (here: 200 packages, several chunks, two threads).
    #[test]
    fn shared_matching_equals_one_thread() {
        let names: Vec<(String, String)> = (0..200)
            .map(|i| (format!("p{:03}", i / 2), format!("1.{}.0", i % 2)))
            .collect();
        let pkgs: Vec<(&str, &str, Option<&str>)> = names
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str(), Some(CRATES)))
            .collect();
        let g = cargo_graph(&pkgs);
        let recs: Vec<AdvisoryRecord> = (0..100)
            .step_by(3)
            .map(|i| {
                let mut r = rustsec(
                    &format!("RUSTSEC-2024-{i:04}"),
                    &format!("p{i:03}"),
                    &[">= 1.1.0"],
                    &[],
                );
                r.cvss = Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into());
                r
            })
            .collect();
        let d = db(&recs);
        let serial = match_graph(&d, &g).unwrap();
        assert_eq!(serial.len(), 34, "one finding per affected 1.0.0");
        let work = MatchWork::new(&d, &g);
        let (a, b) = std::thread::scope(|s| {
            let h = s.spawn(|| work.run());
            let b = work.run();
            (h.join().unwrap(), b)
        });
        let shared = MatchWork::finish([b, a]).unwrap();
        let ids = |f: &[Finding]| f.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&shared), ids(&serial));
        assert!(serial.iter().all(|f| f.severity == Severity::Critical));
    }

    fn rustsec(id: &str, pkg: &str, patched: &[&str], unaffected: &[&str]) -> AdvisoryRecord {
        AdvisoryRecord {
            id: id.into(),
            aliases: vec![],
            format: Format::RustSec,
            source: "rustsec".into(),
            ecosystem: "crates.io".into(),
            package: pkg.into(),
            kind: AdvisoryKind::Vulnerability,
            title: format!("{id} title"),
            published: Some("2024-01-02".into()),
            modified: None,
            url: None,
            cvss: None,
            db_severity: None,
            affected: Affected::RustSec {
                patched: patched.iter().map(|s| s.to_string()).collect(),
                unaffected: unaffected.iter().map(|s| s.to_string()).collect(),
            },
            functions: vec![],
            os: vec![],
            arch: vec![],
            registry: None,
        }
    }

    fn osv(id: &str, eco: &str, pkg: &str, ranges: &[&[(&str, &str)]]) -> AdvisoryRecord {
        let ranges = ranges
            .iter()
            .map(|evs| OsvRange {
                events: evs
                    .iter()
                    .map(|(k, v)| match *k {
                        "introduced" => Event::Introduced(v.to_string()),
                        "fixed" => Event::Fixed(v.to_string()),
                        "last_affected" => Event::LastAffected(v.to_string()),
                        _ => Event::Limit(v.to_string()),
                    })
                    .collect(),
            })
            .collect();
        AdvisoryRecord {
            format: Format::Osv,
            source: "osv".into(),
            ecosystem: eco.into(),
            affected: Affected::Osv {
                ranges,
                versions: vec![],
            },
            ..rustsec(id, pkg, &[], &[])
        }
    }

    fn db(records: &[AdvisoryRecord]) -> AdvisoryDb {
        let meta = DbMeta {
            format: 1,
            created: "2026-01-01T00:00:00Z".into(),
            sources: vec![],
            advisories: 0,
            packages: 0,
            by_kind: Default::default(),
            by_ecosystem: Default::default(),
        };
        AdvisoryDb::from_bytes(
            Cow::Owned(encode(records, &meta).unwrap()),
            DbOrigin::Embedded,
        )
        .unwrap()
    }

    fn ids(f: &[Finding]) -> Vec<String> {
        f.iter().map(|f| f.id.clone()).collect()
    }

    #[test]
    fn accepts_affected_registry_crate_with_stable_id_and_fix() {
        let g = cargo_graph(&[("time", "0.1.45", Some(CRATES))]);
        let mut r = rustsec("RUSTSEC-2020-0071", "time", &[">= 0.2.23"], &["=0.2.0"]);
        r.cvss = Some("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into());
        r.functions = vec!["time::now".into()];
        let f = match_graph(&db(&[r]), &g).unwrap();
        assert_eq!(
            ids(&f),
            vec!["advisory/vulnerability:RUSTSEC-2020-0071:time@0.1.45"]
        );
        assert_eq!(f[0].code, Code::Vulnerability);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(
            f[0].fix,
            Some(FixHint::Upgrade {
                to: "0.2.23".into()
            })
        );
        let adv = f[0].advisory.as_ref().unwrap();
        assert_eq!(adv.score, Some(6.2));
        assert_eq!(adv.functions, vec!["time::now"]);
        assert_eq!(adv.patched, vec![">= 0.2.23"]);
        assert_eq!(f[0].path, vec!["app@0.1.0", "time@0.1.45"]);
    }

    #[test]
    fn rejects_patched_version() {
        let g = cargo_graph(&[("time", "0.2.23", Some(CRATES))]);
        let r = rustsec("RUSTSEC-2020-0071", "time", &[">= 0.2.23"], &[]);
        assert!(match_graph(&db(&[r]), &g).unwrap().is_empty());
    }

    #[test]
    fn path_and_git_crates_are_not_matched_registry_is() {
        let git = "git+https://github.com/x/time?rev=abc#0123456789012345678901234567890123456789";
        let r = rustsec("RUSTSEC-2020-0071", "time", &[">= 0.2.23"], &[]);
        for (src, expect) in [
            (None, 0usize),
            (Some(git), 0),
            (Some("registry+https://example.com/index"), 0),
            (Some("sparse+https://index.crates.io/"), 1),
            (Some(CRATES), 1),
        ] {
            let g = cargo_graph(&[("time", "0.1.0", src)]);
            assert_eq!(
                match_graph(&db(std::slice::from_ref(&r)), &g)
                    .unwrap()
                    .len(),
                expect,
                "{src:?}"
            );
        }
    }

    #[test]
    fn aliases_merge_into_one_finding_listing_every_id() {
        let g = cargo_graph(&[("demo", "1.0.0", Some(CRATES))]);
        let mut a = rustsec("RUSTSEC-2099-0001", "demo", &[">= 1.2.0"], &[]);
        a.aliases = vec!["CVE-2099-0001".into()];
        let mut b = osv(
            "GHSA-aaaa-bbbb-cccc",
            "crates.io",
            "demo",
            &[&[("introduced", "0"), ("fixed", "1.1.0")]],
        );
        b.aliases = vec!["CVE-2099-0001".into()];
        b.db_severity = Some("HIGH".into());
        let f = match_graph(&db(&[a.clone(), b.clone()]), &g).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].ids,
            vec!["RUSTSEC-2099-0001", "GHSA-aaaa-bbbb-cccc", "CVE-2099-0001"]
        );
        assert_eq!(f[0].severity, Severity::High, "severity from the OSV twin");
        // the fix must clear both records: 1.1.0 clears GHSA but not RustSec
        assert_eq!(f[0].fix, Some(FixHint::Upgrade { to: "1.2.0".into() }));
        assert_eq!(
            f[0].advisory.as_ref().unwrap().sources,
            vec!["osv", "rustsec"]
        );
        // negative twin: no shared id → two findings
        b.aliases = vec!["CVE-2099-9999".into()];
        let f = match_graph(&db(&[a, b]), &g).unwrap();
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn two_rustsec_advisories_citing_the_same_cve_stay_two_findings() {
        let g = cargo_graph(&[("wasmtime", "0.19.0", Some(CRATES))]);
        let mut a = rustsec("RUSTSEC-2022-0075", "wasmtime", &[">= 0.38.2"], &[]);
        a.aliases = vec!["CVE-2022-31169".into()];
        let mut b = rustsec("RUSTSEC-2022-0101", "wasmtime", &[">= 0.38.2"], &[]);
        b.aliases = vec!["CVE-2022-31169".into(), "GHSA-88xq-w8cq-xfg7".into()];
        // the OSV export of each joins its own RustSec advisory, not the other one
        let mut c = osv(
            "RUSTSEC-2022-0101",
            "crates.io",
            "wasmtime",
            &[&[("introduced", "0"), ("fixed", "0.38.2")]],
        );
        c.aliases = b.aliases.clone();
        let f = match_graph(&db(&[a, b, c]), &g).unwrap();
        let primaries: Vec<&str> = f.iter().map(|f| f.ids[0].as_str()).collect();
        assert_eq!(primaries, vec!["RUSTSEC-2022-0075", "RUSTSEC-2022-0101"]);
        assert_eq!(
            f[1].advisory.as_ref().unwrap().sources,
            vec!["osv", "rustsec"]
        );
        assert_eq!(f[0].advisory.as_ref().unwrap().sources, vec!["rustsec"]);
    }

    #[test]
    fn same_id_in_rustsec_and_osv_export_is_one_finding() {
        let g = cargo_graph(&[("demo", "1.0.0", Some(CRATES))]);
        let a = rustsec("RUSTSEC-2099-0001", "demo", &[">= 1.2.0"], &[]);
        let b = osv(
            "RUSTSEC-2099-0001",
            "crates.io",
            "demo",
            &[&[("introduced", "0.0.0-0"), ("fixed", "1.2.0")]],
        );
        let f = match_graph(&db(&[a, b]), &g).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].ids, vec!["RUSTSEC-2099-0001"]);
    }

    #[test]
    fn informational_kinds_are_their_own_codes() {
        let g = cargo_graph(&[("old", "1.0.0", Some(CRATES))]);
        for (kind, code) in [
            (AdvisoryKind::Unmaintained, Code::Unmaintained),
            (AdvisoryKind::Unsound, Code::Unsound),
            (AdvisoryKind::Notice, Code::Notice),
        ] {
            let mut r = rustsec("RUSTSEC-2099-0002", "old", &[], &[]);
            r.kind = kind;
            let f = match_graph(&db(&[r]), &g).unwrap();
            assert_eq!(f[0].code, code);
            assert_eq!(f[0].severity, Severity::None);
            assert_eq!(f[0].fix, Some(FixHint::NoFix));
            assert!(f[0].id.starts_with(code.id()));
        }
    }

    #[test]
    fn npm_ranges_edge_cases() {
        // (version, affected?) against: introduced 0 / fixed 1.6.5 ; introduced 2.1.1-0 /
        // last_affected 2.3.0 ; introduced 5.0.0 / limit 5.2.0
        let r = osv(
            "NSWG-ECO-1",
            "npm",
            "pkg",
            &[
                &[("introduced", "0"), ("fixed", "1.6.5")],
                &[("introduced", "2.1.1-0"), ("last_affected", "2.3.0")],
                &[("introduced", "5.0.0"), ("limit", "5.2.0")],
            ],
        );
        let d = db(&[r]);
        for (v, hit) in [
            ("0.0.1", true),
            ("1.6.5-beta.1", true),
            ("1.6.5", false),
            ("2.1.0", false),
            ("2.1.1-alpha", true),
            ("2.3.0", true),
            ("2.3.1-0", false),
            ("2.3.1", false),
            ("5.1.9", true),
            ("5.2.0", false),
            ("4.9.9", false),
        ] {
            let g = npm_graph(&[("pkg", v)]);
            assert_eq!(!match_graph(&d, &g).unwrap().is_empty(), hit, "pkg@{v}");
        }
    }

    #[test]
    fn osv_fix_is_smallest_fixed_above_current() {
        let r = osv(
            "GHSA-fhjf-83wg-r2j9",
            "npm",
            "mixin-deep",
            &[&[
                ("introduced", "0"),
                ("introduced", "2.0.0"),
                ("fixed", "2.0.1"),
                ("fixed", "1.3.2"),
            ]],
        );
        let d = db(&[r]);
        let f = match_graph(&d, &npm_graph(&[("mixin-deep", "1.3.1")])).unwrap();
        assert_eq!(f[0].fix, Some(FixHint::Upgrade { to: "1.3.2".into() }));
        let f = match_graph(&d, &npm_graph(&[("mixin-deep", "2.0.0")])).unwrap();
        assert_eq!(f[0].fix, Some(FixHint::Upgrade { to: "2.0.1".into() }));
        assert!(
            match_graph(&d, &npm_graph(&[("mixin-deep", "1.3.2")]))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn last_affected_without_fix_has_no_fix() {
        let r = osv(
            "X-1",
            "npm",
            "p",
            &[&[("introduced", "0"), ("last_affected", "3.0.0")]],
        );
        let f = match_graph(&db(&[r]), &npm_graph(&[("p", "2.0.0")])).unwrap();
        assert_eq!(f[0].fix, Some(FixHint::NoFix));
    }

    #[test]
    fn undecidable_bound_fails_closed() {
        let r = osv(
            "X-2",
            "npm",
            "p",
            &[&[("introduced", "0"), ("fixed", "banana")]],
        );
        let f = match_graph(&db(std::slice::from_ref(&r)), &npm_graph(&[("p", "2.0.0")])).unwrap();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("fail closed"));
        // twin: a parseable bound clears the version
        let ok = osv(
            "X-2",
            "npm",
            "p",
            &[&[("introduced", "0"), ("fixed", "1.0.0")]],
        );
        assert!(
            match_graph(&db(&[ok]), &npm_graph(&[("p", "2.0.0")]))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn ecosystems_do_not_cross() {
        let r = osv("X-3", "npm", "time", &[&[("introduced", "0")]]);
        let g = cargo_graph(&[("time", "0.1.0", Some(CRATES))]);
        assert!(
            match_graph(&db(std::slice::from_ref(&r)), &g)
                .unwrap()
                .is_empty()
        );
        let r2 = AdvisoryRecord {
            ecosystem: "crates.io".into(),
            ..r
        };
        assert_eq!(match_graph(&db(&[r2]), &g).unwrap().len(), 1);
    }

    #[test]
    fn other_registry_advisories_do_not_match_crates_io() {
        let g = cargo_graph(&[("demo", "1.0.0", Some(CRATES))]);
        let mut r = rustsec("RUSTSEC-2099-0003", "demo", &[], &[]);
        r.registry = Some("https://example.com/index".into());
        assert!(
            match_graph(&db(std::slice::from_ref(&r)), &g)
                .unwrap()
                .is_empty()
        );
        r.registry = None;
        assert_eq!(match_graph(&db(&[r]), &g).unwrap().len(), 1);
    }
}

//! Version semantics of advisories: RustSec requirement sets and OSV ranges.
//!
//! Both are evaluated under SemVer 2.0 *precedence* over [`semver::Version`] (prereleases
//! included), which is what cargo-audit (`rustsec` 0.33, `osv::ranges_for_advisory`), OSV and
//! `npm audit` (`semver.satisfies(v, range, {includePrerelease: true})`) do:
//!
//! * RustSec `patched` + `unaffected` requirements are turned into intervals exactly as the
//!   `rustsec` crate does (a requirement is one interval; missing minor/patch are `0`, so
//!   `<= 1.2` means `<= 1.2.0`, not Cargo's `< 1.3.0`; `^`/`~` end at `x.y.z-0`), the intervals
//!   must not overlap, and a version is affected iff it lies in one of the gaps between them.
//!   Plain `VersionReq::matches` would differ on prereleases (it hides them unless the
//!   comparator names the same `x.y.z`) and on partial `<=`: we follow cargo-audit, whose
//!   results we are compared with.
//! * OSV `SEMVER`/`ECOSYSTEM` ranges (for `crates.io` and `npm` the ecosystem order is SemVer)
//!   follow the OSV schema's evaluation: events sorted by version (`introduced: "0"` first), a
//!   walk that sets "affected" on `introduced`, clears it on `fixed` (`v >= fixed`) and
//!   `last_affected` (`v > last_affected`); `limit` events bound the range from above (the range
//!   applies only below some limit; `"*"` is no limit). Several ranges and the `versions` list
//!   are or-ed. `GIT` ranges are ignored.

use std::cmp::Ordering;

use semver::{Comparator, Op, Prerelease, Version, VersionReq};
use serde::{Deserialize, Serialize};

/// A bound of an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// No bound.
    Unbounded,
    /// Bound excluded.
    Exclusive(Version),
    /// Bound included.
    Inclusive(Version),
}

impl Bound {
    fn version(&self) -> Option<&Version> {
        match self {
            Bound::Unbounded => None,
            Bound::Exclusive(v) | Bound::Inclusive(v) => Some(v),
        }
    }

    /// `start <= end` in the sense of a non-empty interval (`rustsec`'s `less_or_equal`).
    fn less_or_equal(&self, end: &Bound) -> bool {
        match (self.version(), end.version()) {
            (None, _) | (_, None) => true,
            (Some(a), Some(b)) if a < b => true,
            _ => matches!((self, end), (Bound::Inclusive(a), Bound::Inclusive(b)) if a == b),
        }
    }
}

/// One unaffected interval of a RustSec advisory (from one `patched` or `unaffected` requirement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// Lower bound.
    pub start: Bound,
    /// Upper bound.
    pub end: Bound,
}

impl Interval {
    fn overlaps(&self, other: &Interval) -> bool {
        self.start.less_or_equal(&other.end) && other.start.less_or_equal(&self.end)
    }

    /// `true` when `v` lies in the interval.
    pub fn contains(&self, v: &Version) -> bool {
        let lo = match &self.start {
            Bound::Unbounded => true,
            Bound::Inclusive(s) => v >= s,
            Bound::Exclusive(s) => v > s,
        };
        let hi = match &self.end {
            Bound::Unbounded => true,
            Bound::Inclusive(e) => v <= e,
            Bound::Exclusive(e) => v < e,
        };
        lo && hi
    }
}

fn comp_to_ver(c: &Comparator) -> Version {
    Version {
        major: c.major,
        minor: c.minor.unwrap_or(0),
        patch: c.patch.unwrap_or(0),
        pre: c.pre.clone(),
        build: semver::BuildMetadata::EMPTY,
    }
}

fn pre_zero() -> Prerelease {
    // "0" is a valid prerelease identifier; EMPTY is the fallback that cannot happen.
    Prerelease::new("0").unwrap_or(Prerelease::EMPTY)
}

/// Converts one RustSec requirement (`">= 1.2.3"`, `"^0.1"`, `">= 1, < 1.5"`) to an interval,
/// with the rules of the `rustsec` crate (at most two comparators, one lower and one upper bound;
/// `=`, `^` and `~` alone; `*` and `x`-wildcards rejected).
pub fn requirement_interval(req: &str) -> Result<Interval, String> {
    let parsed =
        VersionReq::parse(req).map_err(|e| format!("invalid version requirement {req:?}: {e}"))?;
    if parsed.comparators.len() > 2 {
        return Err(format!("too many comparators in {req:?}"));
    }
    let alone = parsed.comparators.len() == 1;
    let mut start = Bound::Unbounded;
    let mut end = Bound::Unbounded;
    for c in &parsed.comparators {
        match c.op {
            Op::Greater | Op::GreaterEq => {
                if start != Bound::Unbounded {
                    return Err(format!("more than one lower bound in {req:?}"));
                }
                let v = comp_to_ver(c);
                start = if c.op == Op::Greater {
                    Bound::Exclusive(v)
                } else {
                    Bound::Inclusive(v)
                };
            }
            Op::Less | Op::LessEq => {
                if end != Bound::Unbounded {
                    return Err(format!("more than one upper bound in {req:?}"));
                }
                let v = comp_to_ver(c);
                end = if c.op == Op::Less {
                    Bound::Exclusive(v)
                } else {
                    Bound::Inclusive(v)
                };
            }
            Op::Exact => {
                if !alone {
                    return Err(format!("`=` must be alone in {req:?}"));
                }
                start = Bound::Inclusive(comp_to_ver(c));
                end = Bound::Inclusive(comp_to_ver(c));
            }
            Op::Caret => {
                if !alone {
                    return Err(format!("`^` must be alone in {req:?}"));
                }
                let s = comp_to_ver(c);
                let mut e = if s.major == 0 {
                    match (c.minor, c.patch) {
                        (Some(0), Some(patch)) => Version::new(0, 0, patch + 1),
                        (Some(minor), _) => Version::new(0, minor + 1, 0),
                        (None, _) => Version::new(1, 0, 0),
                    }
                } else {
                    Version::new(s.major + 1, 0, 0)
                };
                e.pre = pre_zero();
                start = Bound::Inclusive(s);
                end = Bound::Exclusive(e);
            }
            Op::Tilde => {
                if !alone {
                    return Err(format!("`~` must be alone in {req:?}"));
                }
                let s = comp_to_ver(c);
                let mut e = match c.minor {
                    None => Version::new(c.major + 1, 0, 0),
                    Some(minor) => Version::new(c.major, minor + 1, 0),
                };
                e.pre = pre_zero();
                start = Bound::Inclusive(s);
                end = Bound::Exclusive(e);
            }
            _ => return Err(format!("unsupported operator in {req:?}")),
        }
    }
    if !start.less_or_equal(&end) {
        return Err(format!("empty range {req:?}"));
    }
    Ok(Interval { start, end })
}

/// The smallest version above `v` under SemVer precedence (`rustsec`'s `increment`):
/// `1.2.3` → `1.2.4-0`, `1.2.3-rc.1` → `1.2.3-rc.1.0`.
pub fn increment(v: &Version) -> Version {
    let mut v = v.clone();
    v.build = semver::BuildMetadata::EMPTY;
    if v.pre.is_empty() {
        v.patch += 1;
        v.pre = pre_zero();
    } else {
        let next = format!("{}.0", v.pre);
        v.pre = Prerelease::new(&next).unwrap_or(Prerelease::EMPTY);
    }
    v
}

/// A compiled RustSec `[versions]` table: the affected `[introduced, fixed)` ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustSecRanges {
    /// The unaffected intervals (patched first, then unaffected), as parsed.
    pub unaffected: Vec<Interval>,
    /// Affected ranges `(introduced, fixed)`; `None` = unbounded.
    pub affected: Vec<(Option<Version>, Option<Version>)>,
}

impl RustSecRanges {
    /// Compiles `patched` and `unaffected` requirement lists; errors name the requirement.
    pub fn new(patched: &[String], unaffected: &[String]) -> Result<Self, String> {
        let mut ivs = Vec::new();
        for r in unaffected.iter().chain(patched) {
            ivs.push(requirement_interval(r)?);
        }
        for (i, a) in ivs.iter().enumerate() {
            for b in &ivs[i + 1..] {
                if a.overlaps(b) {
                    return Err("overlapping version ranges in patched/unaffected".into());
                }
            }
        }
        let mut sorted = ivs.clone();
        sorted.sort_by(|a, b| match (a.start.version(), b.start.version()) {
            (None, None) => Ordering::Equal,
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        });
        let mut affected = Vec::new();
        match sorted.first() {
            None => affected.push((None, None)),
            Some(first) => {
                match &first.start {
                    Bound::Unbounded => {}
                    Bound::Exclusive(v) => affected.push((None, Some(increment(v)))),
                    Bound::Inclusive(v) => affected.push((None, Some(v.clone()))),
                }
                for w in sorted.windows(2) {
                    let start = match &w[0].end {
                        Bound::Exclusive(v) => v.clone(),
                        Bound::Inclusive(v) => increment(v),
                        Bound::Unbounded => return Err("unbounded range before another".into()),
                    };
                    let end = match &w[1].start {
                        Bound::Exclusive(v) => increment(v),
                        Bound::Inclusive(v) => v.clone(),
                        Bound::Unbounded => return Err("unbounded range after another".into()),
                    };
                    affected.push((Some(start), Some(end)));
                }
                if let Some(last) = sorted.last() {
                    match &last.end {
                        Bound::Unbounded => {}
                        Bound::Exclusive(v) => affected.push((Some(v.clone()), None)),
                        Bound::Inclusive(v) => affected.push((Some(increment(v)), None)),
                    }
                }
            }
        }
        Ok(RustSecRanges {
            unaffected: ivs,
            affected,
        })
    }

    /// `true` when `v` is affected.
    pub fn is_affected(&self, v: &Version) -> bool {
        self.affected
            .iter()
            .any(|(i, f)| i.as_ref().is_none_or(|i| v >= i) && f.as_ref().is_none_or(|f| v < f))
    }

    /// Versions that could clear the advisory: the lower bound of every `patched` interval
    /// (for `> x`, the next patch release `x.y.(z+1)`). `unaffected` ranges are not upgrade
    /// targets (they never had the bug, e.g. an older series).
    pub fn fix_candidates(patched: &[String]) -> Vec<Version> {
        patched
            .iter()
            .filter_map(|r| requirement_interval(r).ok())
            .filter_map(|iv| match &iv.start {
                Bound::Inclusive(v) => Some(v.clone()),
                Bound::Exclusive(v) => {
                    let mut n = v.clone();
                    if n.pre.is_empty() {
                        n.patch += 1;
                    } else {
                        n.pre = Prerelease::EMPTY;
                    }
                    Some(n)
                }
                Bound::Unbounded => None,
            })
            .collect()
    }
}

/// One OSV range event, as stored in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// `introduced` (inclusive); `"0"` means "from the beginning".
    Introduced(String),
    /// `fixed` (exclusive upper bound).
    Fixed(String),
    /// `last_affected` (inclusive upper bound).
    LastAffected(String),
    /// `limit` (exclusive upper limit of the range; `"*"` = none).
    Limit(String),
}

/// One OSV range of type `SEMVER` or `ECOSYSTEM` (GIT ranges are dropped at import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvRange {
    /// Events in the order written (evaluation sorts them).
    pub events: Vec<Event>,
}

/// A version bound of an event: `Zero` is OSV's `"0"` (below everything).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Point {
    Zero,
    Infinity,
    V(Version),
}

impl Point {
    fn parse(s: &str) -> Result<Point, String> {
        match s {
            "0" => Ok(Point::Zero),
            "*" => Ok(Point::Infinity),
            _ => parse_version(s).map(Point::V),
        }
    }
}

impl PartialOrd for Point {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Point {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Point::Zero, Point::Zero) | (Point::Infinity, Point::Infinity) => Ordering::Equal,
            (Point::Zero, _) | (_, Point::Infinity) => Ordering::Less,
            (_, Point::Zero) | (Point::Infinity, _) => Ordering::Greater,
            (Point::V(a), Point::V(b)) => a.cmp(b),
        }
    }
}

/// Parses a version as an advisory or lockfile writes it (strict SemVer 2.0; a leading `v` or
/// `=` is tolerated, as node-semver's loose mode does).
pub fn parse_version(s: &str) -> Result<Version, String> {
    let t = s.trim();
    let t = t.strip_prefix('=').unwrap_or(t).trim_start();
    let t = t.strip_prefix('v').unwrap_or(t);
    Version::parse(t).map_err(|e| format!("invalid version {s:?}: {e}"))
}

impl OsvRange {
    /// `true` when `v` is in the range. An event whose version does not parse makes the range
    /// undecidable: `Err` (callers fail closed).
    pub fn is_affected(&self, v: &Version) -> Result<bool, String> {
        let mut evs: Vec<(Point, u8, &Event)> = Vec::with_capacity(self.events.len());
        let mut limits: Vec<Point> = Vec::new();
        for e in &self.events {
            match e {
                Event::Introduced(s) => evs.push((Point::parse(s)?, 0, e)),
                Event::Fixed(s) => evs.push((Point::parse(s)?, 1, e)),
                Event::LastAffected(s) => evs.push((Point::parse(s)?, 2, e)),
                Event::Limit(s) => limits.push(Point::parse(s)?),
            }
        }
        // Sort by version; at equal versions `introduced` first (stable for the rest).
        evs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let pv = Point::V(v.clone());
        let mut affected = false;
        for (p, _, e) in &evs {
            match e {
                Event::Introduced(_) => {
                    if pv >= *p {
                        affected = true;
                    }
                }
                Event::Fixed(_) => {
                    if pv >= *p {
                        affected = false;
                    }
                }
                Event::LastAffected(_) => {
                    if pv > *p {
                        affected = false;
                    }
                }
                Event::Limit(_) => {}
            }
        }
        let below_limit = limits.is_empty() || limits.iter().any(|l| pv < *l);
        Ok(affected && below_limit)
    }

    /// The `fixed` versions of the range (fix candidates).
    pub fn fixed_versions(&self) -> Vec<Version> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Fixed(s) => parse_version(s).ok(),
                _ => None,
            })
            .collect()
    }
}

/// `true` when `v` is affected by OSV ranges or an explicit `versions` list (or-ed).
pub fn osv_is_affected(
    ranges: &[OsvRange],
    versions: &[String],
    v: &Version,
) -> Result<bool, String> {
    for r in ranges {
        if r.is_affected(v)? {
            return Ok(true);
        }
    }
    Ok(versions
        .iter()
        .any(|s| parse_version(s).is_ok_and(|x| x == *v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn rs(p: &[&str], u: &[&str]) -> RustSecRanges {
        let p: Vec<String> = p.iter().map(|s| s.to_string()).collect();
        let u: Vec<String> = u.iter().map(|s| s.to_string()).collect();
        RustSecRanges::new(&p, &u).unwrap()
    }

    fn osv(events: &[(&str, &str)]) -> OsvRange {
        OsvRange {
            events: events
                .iter()
                .map(|(k, s)| match *k {
                    "introduced" => Event::Introduced(s.to_string()),
                    "fixed" => Event::Fixed(s.to_string()),
                    "last_affected" => Event::LastAffected(s.to_string()),
                    _ => Event::Limit(s.to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn rustsec_patched_and_unaffected() {
        // time RUSTSEC-2020-0071
        let r = rs(&[">= 0.2.23"], &["=0.2.0", "=0.2.1", "=0.2.6"]);
        assert!(r.is_affected(&v("0.1.45")));
        assert!(r.is_affected(&v("0.2.22")));
        assert!(r.is_affected(&v("0.2.7")));
        assert!(!r.is_affected(&v("0.2.23")));
        assert!(!r.is_affected(&v("0.3.0")));
        assert!(!r.is_affected(&v("0.2.0")));
        assert!(!r.is_affected(&v("0.2.6")));
        assert!(r.is_affected(&v("0.2.5")));
    }

    #[test]
    fn rustsec_no_patched_means_all_affected() {
        let r = rs(&[], &[]);
        assert!(r.is_affected(&v("0.0.0")));
        assert!(r.is_affected(&v("99.0.0")));
        // negative twin: an unaffected range clears its versions
        let r = rs(&[], &["< 1.0"]);
        assert!(!r.is_affected(&v("0.9.9")));
        assert!(r.is_affected(&v("1.0.0")));
    }

    #[test]
    fn rustsec_caret_sets() {
        let r = rs(&["^0.3.5", ">= 0.4.2"], &[]);
        assert!(r.is_affected(&v("0.3.4")));
        assert!(!r.is_affected(&v("0.3.5")));
        assert!(!r.is_affected(&v("0.3.99")));
        assert!(r.is_affected(&v("0.4.0")));
        assert!(r.is_affected(&v("0.4.1")));
        assert!(!r.is_affected(&v("0.4.2")));
        // 0.4.0-0 is the end of ^0.3.5 (exclusive): prereleases of 0.4.0 are affected
        assert!(r.is_affected(&v("0.4.0-alpha.1")));
    }

    #[test]
    fn rustsec_prerelease_precedence_like_cargo_audit() {
        // `>= 1.2.0` patched: 1.2.0-rc.1 precedes 1.2.0, so it is affected (cargo-audit); the
        // negative twin: 1.2.1-rc.1 is after 1.2.0, hence patched (VersionReq::matches would
        // say it does not match `>= 1.2.0` and wrongly flag it).
        let r = rs(&[">= 1.2.0"], &[]);
        assert!(r.is_affected(&v("1.2.0-rc.1")));
        assert!(!r.is_affected(&v("1.2.1-rc.1")));
        assert!(
            !VersionReq::parse(">= 1.2.0")
                .unwrap()
                .matches(&v("1.2.1-rc.1"))
        );
    }

    #[test]
    fn rustsec_partial_le_means_dot_zero() {
        // rustsec reads `<= 1.2` as `<= 1.2.0`
        let r = rs(&[], &["<= 1.2"]);
        assert!(!r.is_affected(&v("1.2.0")));
        assert!(r.is_affected(&v("1.2.1")));
    }

    #[test]
    fn rejects_overlapping_and_bad_requirements() {
        assert!(RustSecRanges::new(&[">= 1.0".into()], &["< 1.5".into()]).is_err());
        assert!(RustSecRanges::new(&["1.*".into()], &[]).is_err());
        // `*` (no comparator) is one unbounded interval, as in rustsec: nothing is affected
        assert!(
            !RustSecRanges::new(&["*".into()], &[])
                .unwrap()
                .is_affected(&v("1.0.0"))
        );
        assert!(RustSecRanges::new(&[">= 1, < 2, < 3".into()], &[]).is_err());
        assert!(RustSecRanges::new(&["nope".into()], &[]).is_err());
        // twin: adjacent ranges are fine
        assert!(RustSecRanges::new(&[">= 1.5".into()], &["< 1.0".into()]).is_ok());
    }

    #[test]
    fn rustsec_fix_candidates() {
        let p: Vec<String> = ["^0.3.5", ">= 0.4.2, < 0.5", "> 0.9.1"]
            .map(String::from)
            .to_vec();
        let c = RustSecRanges::fix_candidates(&p);
        assert!(c.contains(&v("0.3.5")));
        assert!(c.contains(&v("0.4.2")));
        assert!(c.contains(&v("0.9.2")));
        assert!(!c.contains(&v("0.0.0")));
    }

    #[test]
    fn increment_is_next_in_precedence() {
        assert_eq!(increment(&v("1.2.3")), v("1.2.4-0"));
        assert_eq!(increment(&v("1.2.3-rc.1")), v("1.2.3-rc.1.0"));
        assert!(increment(&v("1.2.3-9")) < v("1.2.3-10"));
    }

    #[test]
    fn osv_introduced_zero() {
        let r = osv(&[("introduced", "0"), ("fixed", "1.6.5")]);
        assert!(r.is_affected(&v("0.0.0")).unwrap());
        assert!(r.is_affected(&v("1.6.4")).unwrap());
        assert!(!r.is_affected(&v("1.6.5")).unwrap());
        assert!(!r.is_affected(&v("2.0.0")).unwrap());
    }

    #[test]
    fn osv_introduced_without_fix_is_open_ended() {
        let r = osv(&[("introduced", "2.0.0")]);
        assert!(r.is_affected(&v("2.0.0")).unwrap());
        assert!(r.is_affected(&v("99.0.0")).unwrap());
        assert!(!r.is_affected(&v("1.9.9")).unwrap());
    }

    #[test]
    fn osv_last_affected_is_inclusive() {
        let r = osv(&[("introduced", "0"), ("last_affected", "1.2.3")]);
        assert!(r.is_affected(&v("1.2.3")).unwrap());
        assert!(!r.is_affected(&v("1.2.4")).unwrap());
        // prerelease of the next patch is after 1.2.3: not affected
        assert!(!r.is_affected(&v("1.2.4-0")).unwrap());
        assert!(r.is_affected(&v("1.2.3-rc.1")).unwrap());
    }

    #[test]
    fn osv_limit_bounds_the_range() {
        let r = osv(&[("introduced", "1.0.0"), ("limit", "1.5.0")]);
        assert!(r.is_affected(&v("1.4.9")).unwrap());
        assert!(!r.is_affected(&v("1.5.0")).unwrap());
        assert!(!r.is_affected(&v("0.9.0")).unwrap());
        let star = osv(&[("introduced", "1.0.0"), ("limit", "*")]);
        assert!(star.is_affected(&v("9.0.0")).unwrap());
    }

    #[test]
    fn osv_unsorted_events_several_intervals() {
        // GHSA-fhjf-83wg-r2j9 (mixin-deep)
        let r = osv(&[
            ("introduced", "0"),
            ("introduced", "2.0.0"),
            ("fixed", "2.0.1"),
            ("fixed", "1.3.2"),
        ]);
        assert!(r.is_affected(&v("1.3.1")).unwrap());
        assert!(!r.is_affected(&v("1.3.2")).unwrap());
        assert!(!r.is_affected(&v("1.9.0")).unwrap());
        assert!(r.is_affected(&v("2.0.0")).unwrap());
        assert!(!r.is_affected(&v("2.0.1")).unwrap());
    }

    #[test]
    fn osv_prerelease_precedence_as_npm_audit() {
        // includePrerelease: 2.0.0-beta.1 < 2.0.0, so it is below the fix and affected;
        // 2.1.1-0 (from `> 2.1.0`) starts right after 2.1.0.
        let r = osv(&[("introduced", "0"), ("fixed", "2.0.0")]);
        assert!(r.is_affected(&v("2.0.0-beta.1")).unwrap());
        assert!(!r.is_affected(&v("2.0.1-beta.1")).unwrap());
        let gt = osv(&[("introduced", "2.1.1-0")]);
        assert!(!gt.is_affected(&v("2.1.0")).unwrap());
        assert!(gt.is_affected(&v("2.1.1-alpha")).unwrap());
    }

    #[test]
    fn osv_several_ranges_or_and_versions_list() {
        let a = osv(&[("introduced", "1.0.0"), ("fixed", "1.1.0")]);
        let b = osv(&[("introduced", "3.0.0"), ("fixed", "3.0.5")]);
        let ranges = vec![a, b];
        let versions = vec!["2.5.0".to_string()];
        assert!(osv_is_affected(&ranges, &versions, &v("1.0.5")).unwrap());
        assert!(osv_is_affected(&ranges, &versions, &v("3.0.4")).unwrap());
        assert!(osv_is_affected(&ranges, &versions, &v("2.5.0")).unwrap());
        assert!(!osv_is_affected(&ranges, &versions, &v("2.5.1")).unwrap());
        assert!(!osv_is_affected(&ranges, &versions, &v("1.1.0")).unwrap());
    }

    #[test]
    fn osv_unparseable_event_is_an_error() {
        let r = osv(&[("introduced", "0"), ("fixed", "not-a-version")]);
        assert!(r.is_affected(&v("1.0.0")).is_err());
    }
}

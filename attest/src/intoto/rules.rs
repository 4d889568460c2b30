//! Artefact rules and their queue semantics (in-toto spec §4.3.3, python `verify_item_rules`).
//!
//! All artefacts of a link (materials or products) start in a queue. Rules run in order; every
//! rule but DISALLOW and REQUIRE *consumes* the artefacts it applies to, and a rule that applies
//! to nothing is not a failure: a MATCH that finds no matching destination simply leaves the
//! artefact in the queue, for later rules. Only DISALLOW (a queued artefact matches its pattern)
//! and REQUIRE (the named artefact is not queued) fail verification. There is no implicit rule
//! at the end: artefacts left in the queue are allowed, as in the reference implementations.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::model::{Artifacts, Link};

/// MATCH destination: the other item's materials or products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestType {
    /// `WITH MATERIALS`.
    Materials,
    /// `WITH PRODUCTS`.
    Products,
}

/// One artefact rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `MATCH pattern [IN src] WITH (MATERIALS|PRODUCTS) [IN dst] FROM step`.
    Match {
        /// Pattern.
        pattern: String,
        /// Source prefix (may be empty).
        source_prefix: String,
        /// Destination prefix (may be empty).
        dest_prefix: String,
        /// Destination artefact type.
        dest_type: DestType,
        /// Destination step or inspection.
        dest_name: String,
    },
    /// `CREATE pattern`.
    Create(String),
    /// `DELETE pattern`.
    Delete(String),
    /// `MODIFY pattern`.
    Modify(String),
    /// `ALLOW pattern`.
    Allow(String),
    /// `DISALLOW pattern`.
    Disallow(String),
    /// `REQUIRE file` (a literal path, not a pattern).
    Require(String),
}

impl Rule {
    /// Parses a rule as the layout writes it (keywords case-insensitive).
    pub fn parse(parts: &[String]) -> Result<Rule, String> {
        let lower: Vec<String> = parts.iter().map(|p| p.to_lowercase()).collect();
        let quoted = || format!("{parts:?}");
        if parts.len() < 2 {
            return Err(format!(
                "rule {} must start with MATCH, CREATE, DELETE, MODIFY, ALLOW, DISALLOW or REQUIRE and a pattern",
                quoted()
            ));
        }
        let pattern = parts[1].clone();
        let generic = |ctor: fn(String) -> Rule| {
            if parts.len() == 2 {
                Ok(ctor(pattern.clone()))
            } else {
                Err(format!("rule {} must have exactly 2 elements", quoted()))
            }
        };
        match lower[0].as_str() {
            "create" => generic(Rule::Create),
            "delete" => generic(Rule::Delete),
            "modify" => generic(Rule::Modify),
            "allow" => generic(Rule::Allow),
            "disallow" => generic(Rule::Disallow),
            "require" => generic(Rule::Require),
            "match" => {
                let l = |i: usize| lower.get(i).map(String::as_str);
                let (src, ty, dst, name) = match parts.len() {
                    10 if l(2) == Some("in")
                        && l(4) == Some("with")
                        && l(6) == Some("in")
                        && l(8) == Some("from") =>
                    {
                        (
                            parts[3].clone(),
                            &lower[5],
                            parts[7].clone(),
                            parts[9].clone(),
                        )
                    }
                    8 if l(2) == Some("in") && l(4) == Some("with") && l(6) == Some("from") => {
                        (parts[3].clone(), &lower[5], String::new(), parts[7].clone())
                    }
                    8 if l(2) == Some("with") && l(4) == Some("in") && l(6) == Some("from") => {
                        (String::new(), &lower[3], parts[5].clone(), parts[7].clone())
                    }
                    6 if l(2) == Some("with") && l(4) == Some("from") => {
                        (String::new(), &lower[3], String::new(), parts[5].clone())
                    }
                    _ => {
                        return Err(format!(
                            "rule {} must be MATCH <pattern> [IN <prefix>] WITH (MATERIALS|PRODUCTS) [IN <prefix>] FROM <step>",
                            quoted()
                        ));
                    }
                };
                let dest_type = match ty.as_str() {
                    "materials" => DestType::Materials,
                    "products" => DestType::Products,
                    _ => {
                        return Err(format!(
                            "rule {}: destination must be MATERIALS or PRODUCTS",
                            quoted()
                        ));
                    }
                };
                Ok(Rule::Match {
                    pattern,
                    source_prefix: src,
                    dest_prefix: dst,
                    dest_type,
                    dest_name: name,
                })
            }
            _ => Err(format!(
                "rule {} must start with MATCH, CREATE, DELETE, MODIFY, ALLOW, DISALLOW or REQUIRE",
                quoted()
            )),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Match {
                pattern,
                source_prefix,
                dest_prefix,
                dest_type,
                dest_name,
            } => {
                write!(f, "MATCH {pattern}")?;
                if !source_prefix.is_empty() {
                    write!(f, " IN {source_prefix}")?;
                }
                let t = match dest_type {
                    DestType::Materials => "MATERIALS",
                    DestType::Products => "PRODUCTS",
                };
                write!(f, " WITH {t}")?;
                if !dest_prefix.is_empty() {
                    write!(f, " IN {dest_prefix}")?;
                }
                write!(f, " FROM {dest_name}")
            }
            Rule::Create(p) => write!(f, "CREATE {p}"),
            Rule::Delete(p) => write!(f, "DELETE {p}"),
            Rule::Modify(p) => write!(f, "MODIFY {p}"),
            Rule::Allow(p) => write!(f, "ALLOW {p}"),
            Rule::Disallow(p) => write!(f, "DISALLOW {p}"),
            Rule::Require(p) => write!(f, "REQUIRE {p}"),
        }
    }
}

/// Which artefacts a rule list applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    /// `expected_materials`.
    Materials,
    /// `expected_products`.
    Products,
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArtifactKind::Materials => "materials",
            ArtifactKind::Products => "products",
        })
    }
}

/// A failed rule: which one, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// Materials or products.
    pub kind: ArtifactKind,
    /// 1-based index of the rule in its list.
    pub index: usize,
    /// The rule, as written.
    pub rule: String,
    /// What went wrong.
    pub reason: String,
}

/// Python's `fnmatch.fnmatchcase`: `*` matches anything (including `/`), `?` one character,
/// `[seq]` / `[!seq]` a character class; no escapes.
///
/// Why by hand: the in-toto reference uses exactly these semantics (unlike shell globbing, `*`
/// crosses `/`); the `glob` crates implement shell semantics.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with backtracking on the last `*`.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class(&p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        // An unterminated `[` is a literal.
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Matches `c` against the class starting at `p[start] == '['`; returns (matched, index after
/// the class), or `None` for an unterminated class (then `[` is literal, as in Python).
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = p.get(i) == Some(&'!');
    if negate {
        i += 1;
    }
    // A `]` right after `[` or `[!` is part of the set.
    let set_start = i;
    if p.get(i) == Some(&']') {
        i += 1;
    }
    while i < p.len() && p[i] != ']' {
        i += 1;
    }
    if i >= p.len() {
        return None;
    }
    let set = &p[set_start..i];
    let mut matched = false;
    let mut j = 0;
    while j < set.len() {
        if j + 2 < set.len() && set[j + 1] == '-' {
            if set[j] <= c && c <= set[j + 2] {
                matched = true;
            }
            j += 3;
        } else {
            if set[j] == c {
                matched = true;
            }
            j += 1;
        }
    }
    Some((matched != negate, i + 1))
}

fn join_prefix(prefix: &str, path: &str) -> String {
    // os.path.join(prefix, path) on POSIX, with backslashes turned into slashes.
    if prefix.is_empty() {
        return path.to_owned();
    }
    let mut s = prefix.replace('\\', "/");
    if path.starts_with('/') {
        return path.to_owned();
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    s.push_str(path);
    s
}

/// Applies `rules` to the `kind` artefacts of `links[item]` (see the module docs). `links`
/// holds one (reduced) link per step and, for inspections, the inspection links too.
pub fn verify_item_rules(
    item: &str,
    kind: ArtifactKind,
    rules: &[Rule],
    links: &BTreeMap<String, Link>,
) -> Result<(), RuleFailure> {
    let Some(link) = links.get(item) else {
        return Err(RuleFailure {
            kind,
            index: 0,
            rule: String::new(),
            reason: format!("no link for `{item}`"),
        });
    };
    let materials: BTreeSet<&String> = link.materials.keys().collect();
    let products: BTreeSet<&String> = link.products.keys().collect();
    let artifacts: &Artifacts = match kind {
        ArtifactKind::Materials => &link.materials,
        ArtifactKind::Products => &link.products,
    };
    let mut queue: BTreeSet<String> = artifacts.keys().cloned().collect();
    for (i, rule) in rules.iter().enumerate() {
        let fail = |reason: String| RuleFailure {
            kind,
            index: i + 1,
            rule: rule.to_string(),
            reason,
        };
        let filtered = |pat: &str| -> BTreeSet<String> {
            queue.iter().filter(|a| fnmatch(pat, a)).cloned().collect()
        };
        let consumed: BTreeSet<String> = match rule {
            Rule::Match {
                pattern,
                source_prefix,
                dest_prefix,
                dest_type,
                dest_name,
            } => {
                let mut consumed = BTreeSet::new();
                if let Some(dest) = links.get(dest_name) {
                    let dest_artifacts = match dest_type {
                        DestType::Materials => &dest.materials,
                        DestType::Products => &dest.products,
                    };
                    let norm_src = if source_prefix.is_empty() {
                        String::new()
                    } else {
                        join_prefix(source_prefix, "")
                    };
                    for path in &queue {
                        let rel = if norm_src.is_empty() {
                            path.as_str()
                        } else if let Some(r) = path.strip_prefix(&norm_src) {
                            r
                        } else {
                            continue;
                        };
                        if !fnmatch(pattern, rel) {
                            continue;
                        }
                        let full_src = join_prefix(source_prefix, rel);
                        let full_dst = join_prefix(dest_prefix, rel);
                        let (Some(s), Some(d)) =
                            (artifacts.get(&full_src), dest_artifacts.get(&full_dst))
                        else {
                            continue;
                        };
                        if s == d {
                            consumed.insert(full_src);
                        }
                    }
                }
                consumed
            }
            Rule::Create(p) => filtered(p)
                .into_iter()
                .filter(|a| products.contains(a) && !materials.contains(a))
                .collect(),
            Rule::Delete(p) => filtered(p)
                .into_iter()
                .filter(|a| materials.contains(a) && !products.contains(a))
                .collect(),
            Rule::Modify(p) => filtered(p)
                .into_iter()
                .filter(|a| match (link.materials.get(a), link.products.get(a)) {
                    (Some(m), Some(pr)) => m != pr,
                    _ => false,
                })
                .collect(),
            Rule::Allow(p) => filtered(p),
            Rule::Disallow(p) => {
                let hit = filtered(p);
                if !hit.is_empty() {
                    let list: Vec<&str> = hit.iter().map(String::as_str).collect();
                    return Err(fail(format!(
                        "disallowed {kind}: {} (not consumed by an earlier rule)",
                        list.join(", ")
                    )));
                }
                BTreeSet::new()
            }
            Rule::Require(f) => {
                if !queue.contains(f) {
                    return Err(fail(format!("`{f}` is not among the queued {kind}")));
                }
                BTreeSet::new()
            }
        };
        queue.retain(|a| !consumed.contains(a));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Rule {
        Rule::parse(&s.split(' ').map(str::to_owned).collect::<Vec<_>>()).unwrap()
    }

    fn link(name: &str, m: &[(&str, &str)], p: &[(&str, &str)]) -> Link {
        let a = |x: &[(&str, &str)]| {
            x.iter()
                .map(|(k, h)| {
                    (
                        (*k).to_owned(),
                        [("sha256".to_owned(), (*h).to_owned())].into(),
                    )
                })
                .collect()
        };
        Link {
            name: name.into(),
            materials: a(m),
            products: a(p),
            command: vec![],
            byproducts: serde_json::Value::Null,
        }
    }

    #[test]
    fn fnmatch_follows_python() {
        assert!(fnmatch("*", "a/b/c"));
        assert!(fnmatch("demo-project/*", "demo-project/foo.py"));
        assert!(fnmatch("*.py", "dir/x.py"));
        assert!(fnmatch("f?o.[pq]y", "foo.py"));
        assert!(!fnmatch("f?o.[!pq]y", "foo.py"));
        assert!(fnmatch("[]]", "]"));
        assert!(fnmatch("a[", "a["));
        assert!(!fnmatch("foo", "foo.py"));
        assert!(fnmatch("*a*b", "xxaxxbxb"));
    }

    #[test]
    fn parses_and_prints_rules() {
        for s in [
            "MATCH foo.py WITH PRODUCTS FROM write-code",
            "MATCH * IN src WITH MATERIALS IN dst FROM a",
            "MATCH * IN src WITH MATERIALS FROM a",
            "MATCH * WITH MATERIALS IN dst FROM a",
            "DISALLOW *",
            "REQUIRE foo",
        ] {
            assert_eq!(r(s).to_string(), s);
        }
        assert_eq!(
            r("match x with products from y").to_string(),
            "MATCH x WITH PRODUCTS FROM y"
        );
        for bad in [
            "MATCH x FROM y",
            "ALLOW",
            "ALLOW a b",
            "FOO x",
            "MATCH x WITH STUFF FROM y",
        ] {
            assert!(
                Rule::parse(&bad.split(' ').map(str::to_owned).collect::<Vec<_>>()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_disallow_after_failed_match() {
        let mut links = BTreeMap::new();
        links.insert("a".into(), link("a", &[], &[("foo.py", "11")]));
        links.insert("b".into(), link("b", &[("foo.py", "22")], &[]));
        let rules = [r("MATCH foo.py WITH PRODUCTS FROM a"), r("DISALLOW *")];
        let e = verify_item_rules("b", ArtifactKind::Materials, &rules, &links).unwrap_err();
        assert_eq!(e.index, 2);
        assert_eq!(e.rule, "DISALLOW *");
        assert!(e.reason.contains("foo.py"), "{e:?}");
        // Twin: matching hashes are consumed by MATCH, DISALLOW finds nothing.
        links.insert("b".into(), link("b", &[("foo.py", "11")], &[]));
        verify_item_rules("b", ArtifactKind::Materials, &rules, &links).unwrap();
    }

    #[test]
    fn accepts_prefixed_match_and_create_modify_delete_require() {
        let mut links = BTreeMap::new();
        links.insert("a".into(), link("a", &[], &[("out/x", "1")]));
        links.insert(
            "b".into(),
            link(
                "b",
                &[("in/x", "1"), ("gone", "2"), ("m", "3")],
                &[("new", "4"), ("m", "5")],
            ),
        );
        let mats = [
            r("MATCH * IN in WITH PRODUCTS IN out FROM a"),
            r("REQUIRE gone"),
            r("DELETE gone"),
            r("ALLOW m"),
            r("DISALLOW *"),
        ];
        verify_item_rules("b", ArtifactKind::Materials, &mats, &links).unwrap();
        let prods = [r("CREATE new"), r("MODIFY m"), r("DISALLOW *")];
        verify_item_rules("b", ArtifactKind::Products, &prods, &links).unwrap();
        // REQUIRE after the artefact was consumed fails.
        let e = verify_item_rules(
            "b",
            ArtifactKind::Materials,
            &[r("ALLOW *"), r("REQUIRE gone")],
            &links,
        )
        .unwrap_err();
        assert_eq!(e.index, 2);
        // A MATCH against a missing step consumes nothing.
        let e = verify_item_rules(
            "b",
            ArtifactKind::Products,
            &[r("MATCH * WITH PRODUCTS FROM nope"), r("DISALLOW new")],
            &links,
        )
        .unwrap_err();
        assert_eq!(e.rule, "DISALLOW new");
    }
}

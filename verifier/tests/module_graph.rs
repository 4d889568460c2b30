//! The modules of `verifier` form a DAG that follows the data flow: no two top-level modules
//! (nor two checks) use each other, directly or through others. The test reads the sources,
//! collects `crate::<module>` (and, inside `checks/`, `super::<check>`) references outside
//! comments and test code, and fails on any cycle, naming it.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `(module, file text)` for every `.rs` file below `dir`; `module` is the first path component
/// below `base` (`checks/drift/npm.rs` → `checks`), or with `depth = 2` the first two.
fn sources(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(base, &p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

/// The code of a file without its `#[cfg(test)]` tail and comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
}

/// Names following `prefix` (`crate::` → `checks`, `graph`, …).
fn refs(line: &str, prefix: &str, out: &mut BTreeSet<String>) {
    let mut rest = line;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
}

/// A cycle of `edges`, if there is one (depth-first search).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut c = stack[at..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 if edges.contains_key(m.as_str()) => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, edges, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn graph_of(
    files: &[(String, String)],
    level: impl Fn(&str) -> Option<String>,
    prefixes: &[&str],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        let Some(module) = level(rel) else { continue };
        let entry = edges.entry(module.clone()).or_default();
        let mut found = BTreeSet::new();
        for line in code_lines(text) {
            for p in prefixes {
                refs(line, p, &mut found);
            }
        }
        found.remove(&module);
        entry.extend(found);
    }
    edges
}

#[test]
fn top_level_modules_form_no_cycle() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&base, &base, &mut files);
    let top = |rel: &str| {
        let first = rel.split('/').next()?.trim_end_matches(".rs").to_owned();
        (first != "lib").then_some(first)
    };
    let edges = graph_of(&files, top, &["crate::"]);
    assert!(edges.len() > 15, "read the modules: {:?}", edges.keys());
    assert_eq!(find_cycle(&edges), None, "module cycle");
}

#[test]
fn checks_do_not_use_each_other() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&base, &base.join("checks"), &mut files);
    let check = |rel: &str| {
        let mut parts = rel.split('/');
        (parts.next()? == "checks").then_some(())?;
        let second = parts.next()?;
        // `checks/mod.rs` and `checks/support.rs` are shared by every check.
        (!second.ends_with(".rs")).then(|| second.to_owned())
    };
    let mut edges = graph_of(&files, check, &["crate::checks::", "super::super::"]);
    // `super::x` inside `checks/<check>/mod.rs` names a sibling check.
    for (rel, text) in &files {
        let Some(m) = check(rel) else { continue };
        if !rel.ends_with("/mod.rs") {
            continue;
        }
        let mut found = BTreeSet::new();
        for line in code_lines(text) {
            refs(line, "super::", &mut found);
        }
        found.retain(|f| f != "support" && f != &m);
        edges.entry(m).or_default().extend(found);
    }
    let checks: BTreeSet<String> = edges.keys().cloned().collect();
    for targets in edges.values_mut() {
        targets.retain(|t| checks.contains(t));
    }
    assert!(edges.contains_key("drift") && edges.contains_key("path_outside_repo"));
    assert_eq!(find_cycle(&edges), None, "checks use each other");
}

/// The negative twin: a cycle is found and named.
#[test]
fn a_cycle_is_found() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    edges.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&edges), None);
    let mut found = BTreeSet::new();
    refs(
        "use crate::graph::Graph; use crate::lockfile::{a};",
        "crate::",
        &mut found,
    );
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["graph", "lockfile"]);
}

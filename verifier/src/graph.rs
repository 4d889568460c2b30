//! The dependency graph: packages from every lockfile, dependency edges, roots, and queries.

use std::collections::{BTreeMap, HashMap, VecDeque};

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use serde::Serialize;

use crate::lockfile::{Diagnostic, LockfileInfo, ParsedLockfile};
use crate::package::{Ecosystem, Package};

/// Index of a package in a [`Graph`]; stable for the graph's lifetime.
pub type PackageId = NodeIndex<u32>;

/// The kind of a dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    /// A normal (runtime) dependency.
    Normal,
    /// A development dependency.
    Dev,
    /// A build dependency (Cargo build scripts).
    Build,
    /// An optional dependency.
    Optional,
    /// An npm peer dependency.
    Peer,
}

/// One dependency graph over every lockfile read, with several roots.
#[derive(Debug, Default)]
pub struct Graph {
    inner: StableDiGraph<Package, DepKind, u32>,
    roots: Vec<PackageId>,
    /// The lockfiles the graph was built from, indexed by `Location::lockfile`.
    pub lockfiles: Vec<LockfileInfo>,
    /// Warnings from reading the lockfiles (unresolved dependency strings, malformed hashes, …).
    pub warnings: Vec<Diagnostic>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Graph::default()
    }

    /// Adds a parsed lockfile; its packages become nodes, its edges edges, its roots roots.
    pub fn add_lockfile(&mut self, info: LockfileInfo, parsed: ParsedLockfile) {
        let base = self.inner.node_count();
        self.inner.reserve_nodes(parsed.packages.len());
        self.inner.reserve_edges(parsed.edges.len());
        let ids: Vec<PackageId> = parsed
            .packages
            .into_iter()
            .map(|p| self.inner.add_node(p))
            .collect();
        debug_assert!(ids.iter().enumerate().all(|(i, id)| id.index() == base + i));
        for (f, t, k) in parsed.edges {
            self.inner.add_edge(ids[f], ids[t], k);
        }
        self.roots.extend(parsed.roots.iter().map(|&r| ids[r]));
        self.warnings.extend(parsed.warnings);
        self.lockfiles.push(info);
    }

    /// Number of packages.
    pub fn len(&self) -> usize {
        self.inner.node_count()
    }

    /// `true` when the graph has no package.
    pub fn is_empty(&self) -> bool {
        self.inner.node_count() == 0
    }

    /// Number of dependency edges.
    pub fn edge_count(&self) -> usize {
        self.inner.edge_count()
    }

    /// The package of an id.
    pub fn package(&self, id: PackageId) -> &Package {
        &self.inner[id]
    }

    /// Mutable access to a package (used by loaders that enrich packages after parsing).
    pub fn package_mut(&mut self, id: PackageId) -> &mut Package {
        &mut self.inner[id]
    }

    /// All packages with their ids, in insertion (file) order.
    pub fn packages(&self) -> impl Iterator<Item = (PackageId, &Package)> + '_ {
        self.inner.node_indices().map(move |i| (i, &self.inner[i]))
    }

    /// All edges `(from, to, kind)`.
    pub fn edges(&self) -> impl Iterator<Item = (PackageId, PackageId, DepKind)> + '_ {
        (&self.inner)
            .edge_references()
            .map(|e| (e.source(), e.target(), *e.weight()))
    }

    /// The roots: root projects and workspace members of every lockfile.
    pub fn roots(&self) -> &[PackageId] {
        &self.roots
    }

    /// Direct dependencies of a package.
    pub fn dependencies(&self, id: PackageId) -> impl Iterator<Item = (PackageId, DepKind)> + '_ {
        self.inner
            .edges_directed(id, Direction::Outgoing)
            .map(|e| (e.target(), *e.weight()))
    }

    /// Reverse dependencies: the packages that depend on `id` directly.
    pub fn dependents(&self, id: PackageId) -> impl Iterator<Item = (PackageId, DepKind)> + '_ {
        self.inner
            .edges_directed(id, Direction::Incoming)
            .map(|e| (e.source(), *e.weight()))
    }

    /// Finds packages by name and, optionally, exact version.
    pub fn find(&self, name: &str, version: Option<&str>) -> Vec<PackageId> {
        self.packages()
            .filter(|(_, p)| p.name == name && version.is_none_or(|v| p.version == v))
            .map(|(i, _)| i)
            .collect()
    }

    /// Shortest path from any root to `target` (breadth-first over edges of any kind), root first.
    pub fn path_from_root(&self, target: PackageId) -> Option<Vec<PackageId>> {
        self.shortest_paths_from_roots(target, |_| true)
    }

    /// Shortest path from a root to `target`, using only edges `allow` accepts.
    pub fn shortest_paths_from_roots(
        &self,
        target: PackageId,
        allow: impl Fn(DepKind) -> bool,
    ) -> Option<Vec<PackageId>> {
        // Search backwards from the target: cheaper than a BFS from every root.
        let mut prev: HashMap<PackageId, PackageId> = HashMap::new();
        let mut queue = VecDeque::from([target]);
        let is_root: std::collections::HashSet<PackageId> = self.roots.iter().copied().collect();
        let mut seen = std::collections::HashSet::from([target]);
        while let Some(n) = queue.pop_front() {
            if is_root.contains(&n) {
                let mut path = vec![n];
                let mut cur = n;
                while let Some(&next) = prev.get(&cur) {
                    path.push(next);
                    cur = next;
                }
                return Some(path);
            }
            let mut parents: Vec<(PackageId, DepKind)> =
                self.dependents(n).filter(|(_, k)| allow(*k)).collect();
            parents.sort_by_key(|(p, _)| p.index());
            for (p, _) in parents {
                if seen.insert(p) {
                    prev.insert(p, n);
                    queue.push_back(p);
                }
            }
        }
        None
    }

    /// Every distinct simple path from a root to `target`, shortest first, at most `limit`.
    pub fn paths_from_roots(&self, target: PackageId, limit: usize) -> Vec<Vec<PackageId>> {
        let is_root: std::collections::HashSet<PackageId> = self.roots.iter().copied().collect();
        let mut out = Vec::new();
        // BFS over partial reverse paths; bounded by `limit` results and a work budget.
        let mut queue: VecDeque<Vec<PackageId>> = VecDeque::from([vec![target]]);
        let mut budget = 200_000usize;
        while let Some(path) = queue.pop_front() {
            budget = budget.saturating_sub(1);
            if budget == 0 || out.len() >= limit {
                break;
            }
            let head = *path.last().unwrap_or(&target);
            if is_root.contains(&head) {
                out.push(path.iter().rev().copied().collect());
                continue;
            }
            let mut parents: Vec<PackageId> = self.dependents(head).map(|(p, _)| p).collect();
            parents.sort_by_key(|p| p.index());
            parents.dedup();
            for p in parents {
                if !path.contains(&p) {
                    let mut next = path.clone();
                    next.push(p);
                    queue.push_back(next);
                }
            }
        }
        out
    }

    /// Names present in more than one version, per ecosystem: `(ecosystem, name) -> versions`.
    pub fn duplicates(&self) -> BTreeMap<(Ecosystem, String), Vec<String>> {
        let mut by_name: BTreeMap<(Ecosystem, &str), Vec<&str>> = BTreeMap::new();
        for (_, p) in self.packages() {
            if p.is_root || p.version.is_empty() {
                continue;
            }
            by_name
                .entry((p.ecosystem, &p.name))
                .or_default()
                .push(&p.version);
        }
        by_name
            .into_iter()
            .filter_map(|((e, n), mut vs)| {
                vs.sort_unstable();
                vs.dedup();
                (vs.len() > 1).then(|| {
                    (
                        (e, n.to_owned()),
                        vs.into_iter().map(str::to_owned).collect(),
                    )
                })
            })
            .collect()
    }

    /// Marks the packages reachable from a root over edges `follow` accepts (linear time).
    fn reached_over(&self, follow: impl Fn(DepKind) -> bool) -> Vec<bool> {
        let mut reached = vec![false; self.inner.node_bound()];
        let mut queue: VecDeque<PackageId> = VecDeque::new();
        for r in &self.roots {
            if !std::mem::replace(&mut reached[r.index()], true) {
                queue.push_back(*r);
            }
        }
        while let Some(n) = queue.pop_front() {
            for (t, k) in self.dependencies(n) {
                if follow(k) && !reached[t.index()] {
                    reached[t.index()] = true;
                    queue.push_back(t);
                }
            }
        }
        reached
    }

    /// Packages reachable from a root, but only through paths that pass an edge `kind_in_path`
    /// accepts (e.g. dev-only: every path from a root passes a dev edge). Unreachable packages
    /// are not included. Two breadth-first walks: linear in packages + edges.
    pub fn reachable_only_via(&self, kind_in_path: impl Fn(DepKind) -> bool) -> Vec<PackageId> {
        let via_other = self.reached_over(|k| !kind_in_path(k));
        let any = self.reached_over(|_| true);
        self.inner
            .node_indices()
            .filter(|i| any[i.index()] && !via_other[i.index()])
            .collect()
    }

    /// Packages reached only through dev edges.
    pub fn dev_only(&self) -> Vec<PackageId> {
        self.reachable_only_via(|k| k == DepKind::Dev)
    }

    /// Packages reached only through optional edges.
    pub fn optional_only(&self) -> Vec<PackageId> {
        self.reachable_only_via(|k| k == DepKind::Optional)
    }

    /// Packages unreachable from any root.
    pub fn unreachable(&self) -> Vec<PackageId> {
        let any = self.reached_over(|_| true);
        self.inner
            .node_indices()
            .filter(|i| !any[i.index()])
            .collect()
    }
}

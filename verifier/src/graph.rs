//! The dependency graph: packages from every lockfile, dependency edges, roots, and queries.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::OnceLock;

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use crate::lockfile::{
    Diagnostic, LockfileInfo, ParsedLockfile, UnresolvedDep, UnsupportedLockfile,
};
use crate::package::{Ecosystem, Package};

/// Index of a package in a [`Graph`]; stable for the graph's lifetime.
pub type PackageId = NodeIndex<u32>;

pub use crate::package::DepKind;

/// One dependency graph over every lockfile read, with several roots.
#[derive(Debug, Default)]
pub struct Graph {
    /// The packages, indexed by node index (nodes are only ever added, so indices are dense).
    /// Kept beside the petgraph rather than as its node weights: the lockfile's package vector
    /// becomes the graph's as it is, instead of every package moving into a new array (a copy
    /// and fresh memory the size of the whole list).
    packages: Vec<Package>,
    /// The edges; node `i` is `packages[i]`.
    inner: StableDiGraph<(), DepKind, u32>,
    roots: Vec<PackageId>,
    /// The lockfiles the graph was built from, indexed by `Location::lockfile`.
    pub lockfiles: Vec<LockfileInfo>,
    /// Warnings from reading the lockfiles (malformed hashes, unrecognised sources, …).
    pub warnings: Vec<Diagnostic>,
    /// Dependencies that name no package of their lockfile, with the package that declares
    /// them (the `lockfile/inconsistent` check reports them).
    pub unresolved: Vec<(PackageId, UnresolvedDep)>,
    /// Lockfiles of formats tollgate does not read, found beside or under the searched
    /// directories (the report notes them).
    pub unsupported: Vec<UnsupportedLockfile>,
    /// VEX statements of the SBOMs read (`vulnerabilities[].analysis`), in lockfile order.
    pub vex: Vec<crate::vex::VexStatement>,
    /// The npm lockfiles' facts drift needs beyond the graph (folder entries, links), by
    /// lockfile index: collected by the parser, so the manifests stage never re-reads a lock.
    npm_facts: Vec<(u32, crate::lockfile::npm_manifest::LockFacts)>,
    /// Breadth-first tree from the roots: the parent of each node on a shortest path from a root
    /// (`NO_PARENT` when unreachable, the node itself for a root). Built once, on first use.
    root_tree: OnceLock<Vec<u32>>,
    /// Outgoing edges of every node in one flat array (compressed sparse rows), for traversals:
    /// petgraph keeps edges in linked lists, which a breadth-first walk over 10^5 nodes pays for
    /// in cache misses. Built once, on first use.
    adjacency: OnceLock<Adjacency>,
    /// Each package's display name and purl, computed once, on the first finding that names the
    /// package (findings name packages, and every package of a path, many times over; most
    /// packages are never named, and `tollgate graph` never asks).
    labels: OnceLock<Box<[OnceLock<Labels>]>>,
}

/// The strings a finding shows for a package, precomputed per package.
#[derive(Debug)]
struct Labels {
    display_name: Box<str>,
    purl: Box<str>,
}

const NO_PARENT: u32 = u32::MAX;

/// Outgoing edges, grouped by source node and sorted by target index.
#[derive(Debug, Default)]
struct Adjacency {
    /// `start[n]..start[n + 1]` indexes `to` and `kind` for node `n`.
    start: Vec<u32>,
    to: Vec<u32>,
    kind: Vec<DepKind>,
}

impl Adjacency {
    fn out(&self, n: usize) -> impl Iterator<Item = (usize, DepKind)> + '_ {
        let (a, b) = (self.start[n] as usize, self.start[n + 1] as usize);
        self.to[a..b]
            .iter()
            .zip(&self.kind[a..b])
            .map(|(&t, &k)| (t as usize, k))
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Graph::default()
    }

    /// Adds a parsed lockfile; its packages become nodes, its edges edges, its roots roots.
    pub fn add_lockfile(&mut self, info: LockfileInfo, mut parsed: ParsedLockfile) {
        if let Some(f) = parsed.npm_facts.take() {
            self.npm_facts.push((self.lockfiles.len() as u32, f));
        }
        let base = self.inner.node_count();
        debug_assert_eq!(base, self.packages.len());
        self.inner.reserve_nodes(parsed.packages.len());
        self.inner.reserve_edges(parsed.edges.len());
        let ids: Vec<PackageId> = (0..parsed.packages.len())
            .map(|_| self.inner.add_node(()))
            .collect();
        debug_assert!(ids.iter().enumerate().all(|(i, id)| id.index() == base + i));
        if self.packages.is_empty() {
            self.packages = parsed.packages;
        } else {
            self.packages.append(&mut parsed.packages);
        }
        for (f, t, k) in parsed.edges {
            self.inner.add_edge(ids[f as usize], ids[t as usize], k);
        }
        self.roots.extend(parsed.roots.iter().map(|&r| ids[r]));
        self.root_tree = OnceLock::new();
        self.adjacency = OnceLock::new();
        self.labels = OnceLock::new();
        self.warnings.extend(parsed.warnings);
        self.vex.append(&mut parsed.vex);
        self.unresolved.extend(
            parsed
                .unresolved
                .into_iter()
                .map(|(from, u)| (ids[from], u)),
        );
        self.lockfiles.push(info);
    }

    /// The facts of npm lockfile `lockfile` (an index into [`Graph::lockfiles`]) that drift
    /// needs beyond the graph; `None` for other lockfiles.
    pub fn npm_lock_facts(
        &self,
        lockfile: u32,
    ) -> Option<&crate::lockfile::npm_manifest::LockFacts> {
        self.npm_facts
            .iter()
            .find(|(i, _)| *i == lockfile)
            .map(|(_, f)| f)
    }

    /// Every warning of reading the lockfiles, with the unresolved dependencies as warnings too
    /// (as `graph -v` and `graph --format json` list them), in lockfile order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .warnings
            .iter()
            .cloned()
            .chain(
                self.unresolved
                    .iter()
                    .map(|(_, u)| Diagnostic::at(u.lockfile, u.line, u.message.clone())),
            )
            .collect();
        all.sort_by_key(|d| d.lockfile);
        all
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
        &self.packages[id.index()]
    }

    /// Mutable access to a package (used by loaders that enrich packages after parsing).
    pub fn package_mut(&mut self, id: PackageId) -> &mut Package {
        self.labels = OnceLock::new();
        &mut self.packages[id.index()]
    }

    /// [`Package::display_name`] of a package, computed once per package.
    pub fn display_name(&self, id: PackageId) -> &str {
        &self.labels(id).display_name
    }

    /// [`crate::purl::purl`] of a package, computed once per package.
    pub fn purl(&self, id: PackageId) -> &str {
        &self.labels(id).purl
    }

    fn labels(&self, id: PackageId) -> &Labels {
        // Node indices are dense (nodes are only ever added), so `id.index()` indexes the table.
        let table = self.labels.get_or_init(|| {
            (0..self.inner.node_bound())
                .map(|_| OnceLock::new())
                .collect()
        });
        table[id.index()].get_or_init(|| {
            let p = &self.packages[id.index()];
            Labels {
                display_name: p.display_name().into_boxed_str(),
                purl: crate::purl::purl(p).into_boxed_str(),
            }
        })
    }

    /// All packages with their ids, in insertion (file) order.
    pub fn packages(&self) -> impl Iterator<Item = (PackageId, &Package)> + '_ {
        self.packages
            .iter()
            .enumerate()
            .map(|(i, p)| (PackageId::new(i), p))
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
    /// The breadth-first tree is computed once per graph, so this is linear in the path length:
    /// checks call it for every finding.
    pub fn path_from_root(&self, target: PackageId) -> Option<Vec<PackageId>> {
        let tree = self.root_tree();
        let mut cur = target.index() as u32;
        if tree.get(cur as usize).is_none_or(|&p| p == NO_PARENT) {
            return None;
        }
        let mut path = vec![target];
        loop {
            let parent = tree[cur as usize];
            if parent == cur {
                break;
            }
            path.push(NodeIndex::new(parent as usize));
            cur = parent;
        }
        path.reverse();
        Some(path)
    }

    fn adjacency(&self) -> &Adjacency {
        self.adjacency.get_or_init(|| {
            let n = self.inner.node_bound();
            let mut start = vec![0u32; n + 1];
            for e in (&self.inner).edge_references() {
                start[e.source().index() + 1] += 1;
            }
            for i in 0..n {
                start[i + 1] += start[i];
            }
            let m = start[n] as usize;
            let mut fill = start.clone();
            let mut pairs = vec![(0u32, DepKind::Normal); m];
            for e in (&self.inner).edge_references() {
                let slot = &mut fill[e.source().index()];
                pairs[*slot as usize] = (e.target().index() as u32, *e.weight());
                *slot += 1;
            }
            for i in 0..n {
                pairs[start[i] as usize..start[i + 1] as usize].sort_unstable_by_key(|p| p.0);
            }
            let (to, kind) = pairs.into_iter().unzip();
            Adjacency { start, to, kind }
        })
    }

    fn root_tree(&self) -> &[u32] {
        self.root_tree.get_or_init(|| {
            let adj = self.adjacency();
            let mut parent = vec![NO_PARENT; self.inner.node_bound()];
            let mut queue: VecDeque<usize> = VecDeque::new();
            for &r in &self.roots {
                if parent[r.index()] == NO_PARENT {
                    parent[r.index()] = r.index() as u32;
                    queue.push_back(r.index());
                }
            }
            // Children in index order (the adjacency is sorted): the tree, and so every path a
            // finding shows, is deterministic.
            while let Some(n) = queue.pop_front() {
                for (t, _) in adj.out(n) {
                    if parent[t] == NO_PARENT {
                        parent[t] = n as u32;
                        queue.push_back(t);
                    }
                }
            }
            parent
        })
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

    /// Names present in more than one version, per ecosystem: `(ecosystem, name) -> versions`
    /// (sorted, distinct). Root projects and packages without a version are left out.
    pub fn duplicates(&self) -> BTreeMap<(Ecosystem, String), Vec<String>> {
        // One hash lookup per package; a list only for names that turn out to have a second
        // version (a few percent of them).
        let mut by_name: foldhash::HashMap<(Ecosystem, &str), (&str, Vec<&str>)> =
            foldhash::HashMap::default();
        by_name.reserve(self.len());
        for p in self.packages.iter() {
            if p.is_root || p.version.is_empty() {
                continue;
            }
            let (first, more) = by_name
                .entry((p.ecosystem, p.name.as_str()))
                .or_insert((p.version.as_str(), Vec::new()));
            if *first != p.version {
                more.push(&p.version);
            }
        }
        by_name
            .into_iter()
            .filter(|(_, (_, more))| !more.is_empty())
            .map(|((e, n), (first, more))| {
                let mut versions: Vec<String> = std::iter::once(first)
                    .chain(more)
                    .map(str::to_owned)
                    .collect();
                versions.sort_unstable();
                versions.dedup();
                ((e, n.to_owned()), versions)
            })
            .collect()
    }

    /// Marks the packages reachable from a root over edges `follow` accepts (linear time).
    fn reached_over(&self, follow: impl Fn(DepKind) -> bool) -> Vec<bool> {
        let adj = self.adjacency();
        let mut reached = vec![false; self.inner.node_bound()];
        let mut stack: Vec<usize> = Vec::new();
        for r in &self.roots {
            if !std::mem::replace(&mut reached[r.index()], true) {
                stack.push(r.index());
            }
        }
        while let Some(n) = stack.pop() {
            for (t, k) in adj.out(n) {
                if follow(k) && !reached[t] {
                    reached[t] = true;
                    stack.push(t);
                }
            }
        }
        reached
    }

    /// `true` for each package a root reaches (over edges of any kind).
    fn reached(&self) -> impl Fn(usize) -> bool + '_ {
        let tree = self.root_tree();
        move |i| tree.get(i).is_some_and(|&p| p != NO_PARENT)
    }

    /// Packages reachable from a root, but only through paths that pass an edge `kind_in_path`
    /// accepts (e.g. dev-only: every path from a root passes a dev edge). Unreachable packages
    /// are not included. Two graph walks: linear in packages + edges.
    pub fn reachable_only_via(&self, kind_in_path: impl Fn(DepKind) -> bool) -> Vec<PackageId> {
        let via_other = self.reached_over(|k| !kind_in_path(k));
        let any = self.reached();
        self.inner
            .node_indices()
            .filter(|i| any(i.index()) && !via_other[i.index()])
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

    /// Refines the kinds of the edges that leave the Cargo path packages (workspace members,
    /// path dependencies) of lockfile `lockfile`: `kind_of(from, to)` (package names) gives the
    /// kind its manifest declares, `None` keeps the lockfile's `normal`. A `Cargo.lock` does not
    /// record dev, build or optional dependencies; the manifests do. Recomputes the Cargo
    /// scopes when a kind changed. Returns the number of edges changed.
    pub fn refine_cargo_kinds(
        &mut self,
        lockfile: u32,
        kind_of: impl Fn(&str, &str) -> Option<DepKind>,
    ) -> usize {
        let mut changed = 0;
        let edges: Vec<_> = self.inner.edge_indices().collect();
        for e in edges {
            let Some((from, to)) = self.inner.edge_endpoints(e) else {
                continue;
            };
            let (f, t) = (&self.packages[from.index()], &self.packages[to.index()]);
            if f.ecosystem != Ecosystem::Cargo
                || f.location.lockfile != lockfile
                || !matches!(f.source, crate::package::Source::Path)
            {
                continue;
            }
            if let Some(k) = kind_of(&f.name, &t.name)
                && self.inner[e] != k
            {
                self.inner[e] = k;
                changed += 1;
            }
        }
        if changed > 0 {
            self.adjacency = OnceLock::new();
            for p in self.packages.iter_mut() {
                if p.ecosystem == Ecosystem::Cargo {
                    p.scopes.dev = false;
                    p.scopes.build = false;
                    p.scopes.optional = false;
                }
            }
            self.apply_cargo_scopes();
        }
        changed
    }

    /// Sets the scopes of Cargo packages from edge kinds: a package is `dev` (`build`, `optional`)
    /// when every path from a root to it passes a dev (build, optional) edge. npm packages keep
    /// the flags their lockfile records; unreachable packages get no scope.
    pub fn apply_cargo_scopes(&mut self) {
        if !self
            .packages
            .iter()
            .any(|p| p.ecosystem == Ecosystem::Cargo)
        {
            return;
        }
        // The three `reachable_only_via` walks in one: bit 0 (1, 2) of a node's mask says a
        // root reaches it by a path without a dev (build, optional) edge. Each bit spreads on
        // its own, so the masks equal the three separate walks; a node is pushed again only
        // when it gains a bit, at most three times.
        let bit = |k: DepKind| match k {
            DepKind::Dev => 1u8,
            DepKind::Build => 2,
            DepKind::Optional => 4,
            DepKind::Normal | DepKind::Peer => 0,
        };
        let adj = self.adjacency();
        let mut mask = vec![0u8; self.inner.node_bound()];
        let mut stack: Vec<usize> = Vec::new();
        for r in &self.roots {
            if std::mem::replace(&mut mask[r.index()], 7) != 7 {
                stack.push(r.index());
            }
        }
        while let Some(n) = stack.pop() {
            let m = mask[n];
            for (t, k) in adj.out(n) {
                let gained = m & !bit(k) & !mask[t];
                if gained != 0 {
                    mask[t] |= gained;
                    stack.push(t);
                }
            }
        }
        let scoped: Vec<(usize, u8)> = {
            let any = self.reached();
            mask.iter()
                .enumerate()
                .filter(|&(i, &m)| m != 7 && any(i))
                .map(|(i, &m)| (i, m))
                .collect()
        };
        for (i, m) in scoped {
            let p = &mut self.packages[i];
            if p.ecosystem == Ecosystem::Cargo {
                p.scopes.dev |= m & 1 == 0;
                p.scopes.build |= m & 2 == 0;
                p.scopes.optional |= m & 4 == 0;
            }
        }
    }

    /// Packages unreachable from any root.
    pub fn unreachable(&self) -> Vec<PackageId> {
        let any = self.reached();
        self.inner
            .node_indices()
            .filter(|i| !any(i.index()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::{Format, LockfileInfo, ParsedLockfile};
    use crate::package::{Location, Package, Scopes, Source};

    fn pkg(name: &str) -> Package {
        Package {
            id: name.to_owned(),
            ecosystem: Ecosystem::Cargo,
            name: name.to_owned(),
            version: "1.0.0".to_owned(),
            source: Source::Registry {
                url: None,
                sparse: false,
            },
            source_raw: None,
            checksum: None,
            integrity: None,
            scopes: Scopes::default(),
            is_root: false,
            location: Location::default(),
            npm: None,
        }
    }

    /// root -normal-> a -normal-> c ; root -dev-> b -normal-> c, b -normal-> d ;
    /// root -build-> e ; f unreachable.
    fn sample() -> Graph {
        let mut p = ParsedLockfile::new(Some(Ecosystem::Cargo), "Cargo.lock", 4);
        p.packages = ["root", "a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|n| pkg(n))
            .collect();
        p.edges = vec![
            (0, 1, DepKind::Normal),
            (1, 3, DepKind::Normal),
            (0, 2, DepKind::Dev),
            (2, 3, DepKind::Normal),
            (2, 4, DepKind::Normal),
            (0, 5, DepKind::Build),
        ];
        p.roots = vec![0];
        let mut g = Graph::new();
        g.add_lockfile(
            LockfileInfo {
                path: "Cargo.lock".into(),
                display: "Cargo.lock".into(),
                format: Format::CargoLock,
                version: 4,
                packages: 7,
            },
            p,
        );
        g
    }

    fn names(g: &Graph, ids: Vec<PackageId>) -> Vec<String> {
        let mut v: Vec<String> = ids.into_iter().map(|i| g.package(i).name.clone()).collect();
        v.sort();
        v
    }

    proptest::proptest! {
        /// `apply_cargo_scopes` walks once for the three kinds; it must set exactly the flags
        /// the three separate `reachable_only_via` walks give, on any graph.
        #[test]
        fn fused_scopes_equal_the_separate_walks(
            n in 1usize..24,
            edges in proptest::collection::vec((0usize..24, 0usize..24, 0u8..5), 0..60),
            roots in proptest::collection::vec(0usize..24, 1..3),
        ) {
            let kinds = [DepKind::Normal, DepKind::Dev, DepKind::Build, DepKind::Optional, DepKind::Peer];
            let mut p = ParsedLockfile::new(Some(Ecosystem::Cargo), "Cargo.lock", 4);
            p.packages = (0..n).map(|i| pkg(&format!("p{i}"))).collect();
            p.edges = edges
                .iter()
                .filter(|&&(a, b, _)| a < n && b < n)
                .map(|&(a, b, k)| (a as u32, b as u32, kinds[k as usize]))
                .collect();
            p.roots = roots.iter().map(|&r| r % n).collect();
            let mut g = Graph::new();
            g.add_lockfile(
                LockfileInfo {
                    path: "Cargo.lock".into(),
                    display: "Cargo.lock".into(),
                    format: Format::CargoLock,
                    version: 4,
                    packages: n,
                },
                p,
            );
            let only = |k: DepKind| g.reachable_only_via(|e| e == k);
            let (dev, build, optional) = (only(DepKind::Dev), only(DepKind::Build), only(DepKind::Optional));
            g.apply_cargo_scopes();
            for (id, pk) in g.packages() {
                proptest::prop_assert_eq!(pk.scopes.dev, dev.contains(&id));
                proptest::prop_assert_eq!(pk.scopes.build, build.contains(&id));
                proptest::prop_assert_eq!(pk.scopes.optional, optional.contains(&id));
            }
        }
    }

    #[test]
    fn reachability_queries() {
        let mut g = sample();
        assert_eq!(names(&g, g.dev_only()), ["b", "d"]);
        assert_eq!(names(&g, g.unreachable()), ["f"]);
        let c = g.find("c", None)[0];
        let path = g.path_from_root(c).unwrap();
        assert_eq!(names(&g, path.clone()).len(), 3);
        assert_eq!(g.paths_from_roots(c, 10).len(), 2);
        assert_eq!(g.dependents(c).count(), 2);
        g.apply_cargo_scopes();
        let d = g.find("d", None)[0];
        assert!(g.package(d).scopes.dev);
        assert!(
            !g.package(c).scopes.dev,
            "c is also reached through a normal path"
        );
        let e = g.find("e", None)[0];
        assert!(g.package(e).scopes.build && !g.package(e).scopes.dev);
        let f = g.find("f", None)[0];
        assert!(
            !g.package(f).scopes.dev,
            "unreachable packages get no scope"
        );
        assert!(g.path_from_root(f).is_none());
    }

    #[test]
    fn dep_kind_names_are_the_json_names() {
        for k in [
            DepKind::Normal,
            DepKind::Dev,
            DepKind::Build,
            DepKind::Optional,
            DepKind::Peer,
        ] {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::from(k.as_str())
            );
        }
    }

    #[test]
    fn duplicates_list_names_with_several_versions() {
        let mut g = sample();
        let mut p = ParsedLockfile::new(Some(Ecosystem::Cargo), "Cargo.lock", 4);
        let mut a2 = pkg("a");
        a2.version = "2.0.0".into();
        p.packages = vec![a2];
        g.add_lockfile(
            LockfileInfo {
                path: "x/Cargo.lock".into(),
                display: "x/Cargo.lock".into(),
                format: Format::CargoLock,
                version: 4,
                packages: 1,
            },
            p,
        );
        let d = g.duplicates();
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[&(Ecosystem::Cargo, "a".to_owned())],
            vec!["1.0.0", "2.0.0"]
        );
    }
}

//! The BOM as a *plan* over the graph: every distinct `bom-ref`, sorted once, with the graph
//! nodes that share it. Components and dependency entries are materialised one at a time while
//! the document is written ([`Plan::write_json_to`], [`Plan::to_json`]), through the model's own
//! types, so the bytes are those of the whole [`Bom`] ([`Plan::to_bom`]) without holding it
//! beside the graph (a 100,000-package BOM of owned strings and sets is ~200 MB).

use std::collections::BTreeSet;

use tollgate_verifier::graph::Graph;

use crate::build::{Acc, Options, SpecVersion, component, merge_package, valid_serial};
use crate::model::{
    Bom, Component, Dependency, Metadata, Property, Ref, SERIAL_PLACEHOLDER, ToolComponent, Tools,
};
use crate::purl::component_purl;
use crate::{SbomError, emit};

/// A dependency entry, in order.
#[derive(Debug, Clone, Copy)]
enum Entry {
    /// The described project's (not a package).
    Project,
    /// The component of this rank's.
    Rank(usize),
}

/// Where the document is written: a buffer, passed on when it has grown enough.
pub(crate) trait Out {
    /// The buffer to append to.
    fn buf(&mut self) -> &mut Vec<u8>;
    /// Called between entries: passes the buffer on when it is full.
    fn spill(&mut self) -> std::io::Result<()>;
}

impl Out for Vec<u8> {
    fn buf(&mut self) -> &mut Vec<u8> {
        self
    }
    fn spill(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the BOM describes.
#[derive(Debug)]
enum Described {
    /// The graph's single root: the component of this rank (not among `components`).
    Root(u32),
    /// A project component of its own (several roots, or none), depending on each root.
    Project {
        /// `tollgate:project:NAME`.
        reference: Ref,
        /// The roots' refs, sorted.
        depends_on: Vec<Ref>,
        /// Where its entry goes among the dependencies: before the component of this rank.
        position: usize,
    },
}

/// The BOM of a graph, components still to be materialised (see the module documentation).
#[derive(Debug)]
pub struct Plan<'g> {
    graph: &'g Graph,
    spec_version: SpecVersion,
    /// `--serial-number`, when given.
    serial_number: Option<String>,
    /// `metadata`, with the described component.
    metadata: Metadata,
    /// The distinct bom-refs, sorted: a component's *rank* is its index here.
    refs: Vec<Ref>,
    /// Whether the ref of each rank is a purl (then also the component's `purl`).
    has_purl: Vec<bool>,
    /// The rank of each graph node, by node index (`u32::MAX` for an index without a node).
    rank_of: Vec<u32>,
    /// Node indices grouped by rank, in graph order within a group.
    members: Vec<u32>,
    /// The members of rank `r`: `members[starts[r]..starts[r + 1]]`.
    starts: Vec<u32>,
    described: Described,
}

/// A node index as a `u32` (petgraph's indices of this graph are `u32`).
fn index(i: usize) -> Result<u32, SbomError> {
    u32::try_from(i).map_err(|_| SbomError::Internal("more than 2^32 packages"))
}

impl<'g> Plan<'g> {
    /// The plan of `graph`'s BOM.
    pub fn new(graph: &'g Graph, opts: &Options) -> Result<Plan<'g>, SbomError> {
        if let Some(s) = opts.serial_number.as_ref().filter(|s| !valid_serial(s)) {
            return Err(SbomError::SerialNumber(s.clone()));
        }
        // One bom-ref per package: its purl, or (no version, no purl) its graph id. Sorted by
        // text, then by node index (graph order), so a group's packages merge in graph order.
        let mut texts: Vec<(String, u32, bool)> = Vec::with_capacity(graph.len());
        for (id, p) in graph.packages() {
            let (text, is_purl) = match component_purl(p) {
                Some(u) => (u, true),
                None => (format!("tollgate:package:{}", p.id), false),
            };
            texts.push((text, index(id.index())?, is_purl));
        }
        // (Node indices are unique: the flag never decides the order.)
        texts.sort_unstable();
        let slots = texts.iter().map(|t| t.1 as usize + 1).max().unwrap_or(0);
        let mut rank_of = vec![u32::MAX; slots];
        let mut refs: Vec<Ref> = Vec::new();
        let mut has_purl = Vec::new();
        let mut members = Vec::with_capacity(texts.len());
        let mut starts = Vec::new();
        for (text, node, is_purl) in &texts {
            if refs.last().is_none_or(|r| r.as_str() != text) {
                starts.push(index(members.len())?);
                has_purl.push(*is_purl);
                refs.push(Ref::new(text));
            }
            rank_of[*node as usize] = index(refs.len() - 1)?;
            members.push(*node);
        }
        starts.push(index(members.len())?);
        drop(texts);

        let roots: BTreeSet<u32> = graph
            .roots()
            .iter()
            .filter_map(|id| rank_of.get(id.index()).copied())
            .filter(|&r| r != u32::MAX)
            .collect();
        let mut plan = Plan {
            graph,
            spec_version: opts.spec_version,
            serial_number: opts.serial_number.clone(),
            metadata: Metadata {
                timestamp: opts.timestamp.rfc3339(),
                tools: Tools {
                    components: vec![ToolComponent {
                        kind: "application",
                        name: "tollgate",
                        version: opts.tool_version.clone(),
                        external_references: Vec::new(),
                    }],
                },
                component: project(&opts.name, Ref::new("")),
                properties: graph
                    .lockfiles
                    .iter()
                    .map(|l| Property {
                        name: "tollgate:lockfile",
                        value: l.display.clone(),
                    })
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            },
            refs,
            has_purl,
            rank_of,
            members,
            starts,
            described: Described::Root(0),
        };
        if roots.len() == 1 {
            let Some(&root) = roots.iter().next() else {
                return Err(SbomError::Internal("one root expected"));
            };
            let mut acc = plan.acc(root as usize);
            if acc.name.is_empty() {
                // An npm project without `name`.
                acc.name.clone_from(&opts.name);
            }
            plan.metadata.component =
                component(plan.refs[root as usize].clone(), acc, "application", false);
            plan.described = Described::Root(root);
        } else {
            // Several roots (a workspace, several lockfiles) or none: the project is a
            // component of its own that depends on each root. Its ref never equals a
            // package's (`pkg:…` or `tollgate:package:…`).
            let reference = Ref::new(&format!("tollgate:project:{}", opts.name));
            let position = plan
                .refs
                .partition_point(|r| r.as_str() < reference.as_str());
            plan.metadata.component = project(&opts.name, reference.clone());
            plan.described = Described::Project {
                reference,
                depends_on: roots
                    .iter()
                    .map(|&r| plan.refs[r as usize].clone())
                    .collect(),
                position,
            };
        }
        Ok(plan)
    }

    /// The number of `components` (every distinct package but the described one).
    pub fn components_len(&self) -> usize {
        match self.described {
            Described::Root(_) => self.refs.len().saturating_sub(1),
            Described::Project { .. } => self.refs.len(),
        }
    }

    /// `true` unless a serial number was given: it is derived from the content when written.
    pub(crate) fn derive_serial(&self) -> bool {
        self.serial_number.is_none()
    }

    /// The serial number written first: the given one, or the placeholder.
    pub(crate) fn serial_or_placeholder(&self) -> &str {
        self.serial_number.as_deref().unwrap_or(SERIAL_PLACEHOLDER)
    }

    /// The whole BOM, materialised (what [`crate::build()`] returns).
    pub fn to_bom(&self) -> Bom {
        Bom {
            bom_format: "CycloneDX",
            spec_version: self.spec_version.as_str(),
            serial_number: self.serial_or_placeholder().to_owned(),
            derive_serial: self.derive_serial(),
            version: 1,
            metadata: self.metadata.clone(),
            components: self.components().collect(),
            dependencies: self.dependencies().collect(),
        }
    }

    /// The packages of rank `r` merged.
    fn acc(&self, r: usize) -> Acc {
        let mut acc = Acc::default();
        let purl = self.has_purl[r].then(|| self.refs[r].clone());
        for &node in self.group(r) {
            let p = self.graph.package(node_id(node));
            acc.purl.clone_from(&purl);
            merge_package(&mut acc, self.graph, p);
        }
        acc
    }

    /// The node indices of rank `r`.
    fn group(&self, r: usize) -> &[u32] {
        let (a, b) = (self.starts[r] as usize, self.starts[r + 1] as usize);
        &self.members[a..b]
    }

    /// The components, in order.
    fn components(&self) -> impl Iterator<Item = Component> + '_ {
        let skip = match self.described {
            Described::Root(r) => Some(r as usize),
            Described::Project { .. } => None,
        };
        (0..self.refs.len())
            .filter(move |&r| Some(r) != skip)
            .map(|r| component(self.refs[r].clone(), self.acc(r), "library", true))
    }

    /// The `dependsOn` of rank `r` into `scratch`: the ranks of its packages' dependencies but
    /// its own, sorted (as the refs are), without duplicates.
    fn dependency_ranks(&self, r: usize, scratch: &mut Vec<u32>) {
        scratch.clear();
        for &node in self.group(r) {
            for (dep, _kind) in self.graph.dependencies(node_id(node)) {
                match self.rank_of.get(dep.index()) {
                    Some(&d) if d as usize != r && d != u32::MAX => scratch.push(d),
                    _ => {}
                }
            }
        }
        scratch.sort_unstable();
        scratch.dedup();
    }

    /// The dependency entries in order (sorted by ref): the described project's (when it is
    /// not a package) sorted in among the ranks.
    fn dependency_order(&self) -> impl Iterator<Item = Entry> + '_ {
        let at = match &self.described {
            Described::Project { position, .. } => Some(*position),
            Described::Root(_) => None,
        };
        (0..=self.refs.len()).flat_map(move |r| {
            let project = (at == Some(r)).then_some(Entry::Project);
            let this = (r < self.refs.len()).then_some(Entry::Rank(r));
            project.into_iter().chain(this)
        })
    }

    /// Calls `f` with the `ref` and the `dependsOn` refs of entry `e` (`scratch`: room for a
    /// rank's dependencies); `None` for a project entry without a project (never in
    /// [`Plan::dependency_order`]).
    fn with_entry<T>(
        &self,
        e: Entry,
        scratch: &mut Vec<u32>,
        f: impl FnOnce(&Ref, &mut dyn ExactSizeIterator<Item = &Ref>) -> T,
    ) -> Option<T> {
        match (e, &self.described) {
            (
                Entry::Project,
                Described::Project {
                    reference,
                    depends_on,
                    ..
                },
            ) => Some(f(reference, &mut depends_on.iter())),
            (Entry::Project, Described::Root(_)) => None,
            (Entry::Rank(r), _) => {
                self.dependency_ranks(r, scratch);
                Some(f(
                    &self.refs[r],
                    &mut scratch.iter().map(|&d| &self.refs[d as usize]),
                ))
            }
        }
    }

    /// The dependency entries, materialised.
    fn dependencies(&self) -> impl Iterator<Item = Dependency> + '_ {
        let mut scratch = Vec::new();
        self.dependency_order().filter_map(move |e| {
            self.with_entry(e, &mut scratch, |reference, depends_on| Dependency {
                reference: reference.clone(),
                depends_on: depends_on.cloned().collect(),
            })
        })
    }

    /// Writes the document, pretty-printed with a final newline and `serial` as its serial
    /// number, to `out`, passing the buffer on between entries.
    pub(crate) fn write_document(&self, serial: &str, out: &mut impl Out) -> Result<(), SbomError> {
        // Everything before the components: the document with no components and no
        // dependencies, through serde, cut before its empty arrays.
        let head = Bom {
            bom_format: "CycloneDX",
            spec_version: self.spec_version.as_str(),
            serial_number: serial.to_owned(),
            derive_serial: false,
            version: 1,
            metadata: self.metadata.clone(),
            components: Vec::new(),
            dependencies: Vec::new(),
        };
        let mut h = serde_json::to_vec_pretty(&head)?;
        const TAIL: &[u8] = b"[],\n  \"dependencies\": []\n}";
        if !h.ends_with(TAIL) {
            return Err(SbomError::Internal("the document ends with its two arrays"));
        }
        h.truncate(h.len() - TAIL.len());
        out.buf().extend_from_slice(&h);

        out.buf().push(b'[');
        let mut first = true;
        for c in self.components() {
            let b = out.buf();
            emit::entry_start(b, first);
            emit::component(b, emit::ENTRY_DEPTH, &c);
            first = false;
            out.spill()?;
        }
        emit::entries_end(out.buf(), !first);

        out.buf().extend_from_slice(b",\n  \"dependencies\": [");
        let mut scratch = Vec::new();
        let mut first = true;
        for e in self.dependency_order() {
            let b = out.buf();
            emit::entry_start(b, first);
            first = false;
            self.with_entry(e, &mut scratch, |reference, depends_on| {
                emit::dependency(
                    b,
                    emit::ENTRY_DEPTH,
                    reference,
                    depends_on.map(|r| r.as_str()),
                );
            })
            .ok_or(SbomError::Internal("a project entry without a project"))?;
            out.spill()?;
        }
        emit::entries_end(out.buf(), !first);
        out.buf().extend_from_slice(b"\n}\n");
        Ok(())
    }
}

/// The graph id of a node index.
fn node_id(i: u32) -> tollgate_verifier::graph::PackageId {
    tollgate_verifier::graph::PackageId::new(i as usize)
}

/// The described component of a graph without a single root.
fn project(name: &str, bom_ref: Ref) -> Component {
    Component {
        kind: "application",
        bom_ref,
        group: None,
        name: name.to_owned(),
        version: None,
        scope: None,
        hashes: Vec::new(),
        licenses: Vec::new(),
        purl: None,
        external_references: Vec::new(),
        properties: Vec::new(),
    }
}

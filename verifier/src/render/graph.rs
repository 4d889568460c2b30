//! Rendering of `tollgate graph` and `tollgate why`. The human forms show every string from the
//! lockfiles through [`visible`]: control characters are printed as escapes; JSON keeps them.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Style;
use super::escape::visible;
use crate::graph::{Graph, PackageId};
use crate::package::{Ecosystem, Package};

/// Version of the `graph --format json` document.
pub const GRAPH_SCHEMA_VERSION: u32 = 1;

/// Counts shown by `tollgate graph`.
#[derive(Debug, Clone, Serialize)]
pub struct GraphSummary {
    /// Lockfiles: display path, format, version, package count.
    pub lockfiles: Vec<(String, String, u32, usize)>,
    /// Packages per ecosystem.
    pub packages: BTreeMap<Ecosystem, usize>,
    /// Edges.
    pub edges: usize,
    /// Root display names.
    pub roots: Vec<String>,
    /// Names with several versions: `ecosystem:name -> versions`.
    pub duplicates: BTreeMap<String, Vec<String>>,
    /// Packages per source kind and source.
    pub sources: BTreeMap<String, usize>,
    /// Dev-only packages.
    pub dev_only: usize,
    /// Optional-only packages.
    pub optional_only: usize,
    /// Warnings raised while reading.
    pub warnings: usize,
}

/// Computes the summary of a graph.
pub fn summarize(graph: &Graph) -> GraphSummary {
    let mut packages = BTreeMap::new();
    // Count by the raw source first and label each distinct source once: labels redact URLs,
    // which is too slow to do for every one of 10^5 packages.
    let mut by_source: foldhash::HashMap<SourceKey<'_>, (usize, &Package)> =
        foldhash::HashMap::default();
    for (_, p) in graph.packages() {
        *packages.entry(p.ecosystem).or_insert(0) += 1;
        by_source.entry(source_key(p)).or_insert((0, p)).0 += 1;
    }
    let mut sources = BTreeMap::new();
    for (n, p) in by_source.into_values() {
        *sources.entry(source_label(p)).or_insert(0) += n;
    }
    GraphSummary {
        lockfiles: graph
            .lockfiles
            .iter()
            .map(|l| {
                let f = l.format.as_str().to_owned();
                (l.display.clone(), f, l.version, l.packages)
            })
            .collect(),
        packages,
        edges: graph.edge_count(),
        roots: graph
            .roots()
            .iter()
            .map(|&r| root_label(graph, r))
            .collect(),
        duplicates: graph
            .duplicates()
            .into_iter()
            .map(|((e, n), v)| (format!("{e}:{n}"), v))
            .collect(),
        sources,
        dev_only: graph.dev_only().len(),
        optional_only: graph.optional_only().len(),
        warnings: graph.warnings.len() + graph.unresolved.len(),
    }
}

fn root_label(graph: &Graph, id: PackageId) -> String {
    let p = graph.package(id);
    let file = graph
        .lockfiles
        .get(p.location.lockfile as usize)
        .map(|l| l.display.as_str())
        .unwrap_or("");
    let name = if p.name.is_empty() {
        "(root project)".to_owned()
    } else {
        p.display_name()
    };
    format!("{name} ({file})")
}

/// What [`source_label`] depends on, borrowed: packages with equal keys get equal labels.
#[derive(PartialEq, Eq, Hash)]
enum SourceKey<'a> {
    CargoRegistry(&'a str),
    NpmRegistryHost(&'a str),
    Other(&'static str, Option<&'a str>),
}

fn source_key(p: &Package) -> SourceKey<'_> {
    use crate::package::Source;
    match &p.source {
        Source::Registry { url: Some(u), .. } if p.ecosystem == Ecosystem::Cargo => {
            SourceKey::CargoRegistry(u)
        }
        Source::Registry { url: Some(u), .. } => SourceKey::NpmRegistryHost(npm_registry_host(u)),
        Source::Git(g) => SourceKey::Other("git", Some(&g.url)),
        Source::Other(s) => SourceKey::Other("other", Some(s)),
        s => SourceKey::Other(s.kind(), None),
    }
}

/// The host of an npm tarball URL (user-info removed), or the whole string if it has none.
fn npm_registry_host(u: &str) -> &str {
    u.split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .map(|h| h.rsplit('@').next().unwrap_or(h))
        .unwrap_or(u)
}

/// A short label for a package's source, credentials removed.
pub fn source_label(p: &Package) -> String {
    use crate::package::Source;
    match &p.source {
        Source::Registry { url: Some(u), .. } if p.ecosystem == Ecosystem::Cargo => {
            format!("registry {}", crate::redact::redact_url(u))
        }
        Source::Registry { url: Some(u), .. } => format!("registry {}", npm_registry_host(u)),
        Source::Registry { url: None, .. } => "registry (default)".to_owned(),
        Source::Git(g) => format!("git {}", crate::redact::redact_url(&g.url)),
        Source::Path => "path".to_owned(),
        Source::Tarball { .. } => "tarball".to_owned(),
        Source::Other(s) => format!("other {}", crate::redact::redact_url(s)),
    }
}

/// Renders the human summary.
pub fn render_summary(s: &GraphSummary, style: Style, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}", style.bold("Lockfiles"))?;
    for (path, format, version, n) in &s.lockfiles {
        writeln!(w, "  {}  {format} v{version}  {n} packages", visible(path))?;
    }
    writeln!(w, "{}", style.bold("Packages"))?;
    for (eco, n) in &s.packages {
        writeln!(w, "  {eco:<6} {n}")?;
    }
    writeln!(w, "  edges  {}", s.edges)?;
    writeln!(
        w,
        "  dev-only {}  optional-only {}",
        s.dev_only, s.optional_only
    )?;
    writeln!(w, "{} ({})", style.bold("Roots"), s.roots.len())?;
    for r in &s.roots {
        writeln!(w, "  {}", visible(r))?;
    }
    writeln!(w, "{}", style.bold("Sources"))?;
    for (src, n) in &s.sources {
        writeln!(w, "  {n:>6}  {}", visible(src))?;
    }
    writeln!(
        w,
        "{} ({})",
        style.bold("Duplicate versions"),
        s.duplicates.len()
    )?;
    for (name, versions) in &s.duplicates {
        writeln!(w, "  {}: {}", visible(name), visible(&versions.join(", ")))?;
    }
    if s.warnings > 0 {
        writeln!(
            w,
            "{}",
            style.yellow(&format!(
                "{} warning(s) while reading lockfiles (shown with -v)",
                s.warnings
            ))
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonPackage<'a> {
    id: &'a str,
    ecosystem: Ecosystem,
    name: &'a str,
    version: &'a str,
    source: Option<String>,
    source_kind: &'static str,
    checksum: Option<std::borrow::Cow<'a, str>>,
    scopes: Vec<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dev_optional: bool,
    purl: String,
    root: bool,
    lockfile: &'a str,
    line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    npm: Option<JsonNpm<'a>>,
}

#[derive(Serialize)]
struct JsonNpm<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    has_install_script: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    in_bundle: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    workspace: bool,
}

/// The JSON source value: the lockfile's own source string (credentials redacted), `"registry"`
/// for an npm registry entry without `resolved`, `null` for path, workspace and link packages.
pub fn json_source(p: &Package) -> Option<String> {
    use crate::package::Source;
    match (&p.source, &p.source_raw) {
        (Source::Path, _) => None,
        (_, Some(raw)) => Some(crate::redact::redact_url(raw)),
        (Source::Registry { .. }, None) => Some("registry".to_owned()),
        (_, None) => None,
    }
}

/// Streams the whole graph as one JSON object.
pub fn render_json(graph: &Graph, w: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    write!(
        w,
        "{{\"schema_version\":{GRAPH_SCHEMA_VERSION},\"lockfiles\":"
    )?;
    serde_json::to_writer(&mut w, &graph.lockfiles)?;
    w.write_all(b",\"packages\":[")?;
    for (i, (_, p)) in graph.packages().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let jp = JsonPackage {
            id: &p.id,
            ecosystem: p.ecosystem,
            name: &p.name,
            version: &p.version,
            source: json_source(p),
            source_kind: p.source.kind(),
            checksum: p.checksum_str(),
            scopes: p.scopes.names(),
            dev_optional: p.scopes.dev_optional,
            purl: crate::purl::purl(p),
            root: p.is_root,
            lockfile: graph
                .lockfiles
                .get(p.location.lockfile as usize)
                .map(|l| l.display.as_str())
                .unwrap_or(""),
            line: p.location.line,
            npm: p.npm.as_ref().map(|n| JsonNpm {
                path: &n.path,
                alias: n.alias.as_deref(),
                has_install_script: n.has_install_script,
                in_bundle: n.in_bundle,
                workspace: n.workspace,
            }),
        };
        serde_json::to_writer(&mut w, &jp)?;
    }
    w.write_all(b"],\"edges\":[")?;
    // Every id is escaped once, not once per edge that names it: edges outnumber packages and
    // are nothing but ids.
    let ids = graph
        .packages()
        .map(|(_, p)| serde_json::to_string(&p.id))
        .collect::<Result<Vec<String>, _>>()?;
    for (i, (f, t, k)) in graph.edges().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        // `{"from":…,"to":…,"kind":…}`, as `#[derive(Serialize)]` would write it.
        w.write_all(b"{\"from\":")?;
        w.write_all(ids[f.index()].as_bytes())?;
        w.write_all(b",\"to\":")?;
        w.write_all(ids[t.index()].as_bytes())?;
        w.write_all(b",\"kind\":\"")?;
        w.write_all(k.as_str().as_bytes())?;
        w.write_all(b"\"}")?;
    }
    w.write_all(b"],\"roots\":")?;
    let roots: Vec<&str> = graph
        .roots()
        .iter()
        .map(|&r| graph.package(r).id.as_str())
        .collect();
    serde_json::to_writer(&mut w, &roots)?;
    w.write_all(b",\"warnings\":")?;
    serde_json::to_writer(&mut w, &graph.diagnostics())?;
    w.write_all(b"}\n")?;
    w.flush()
}

/// The answer to `tollgate why`.
#[derive(Debug, Serialize)]
pub struct WhyAnswer {
    /// The query as given.
    pub query: String,
    /// Every matching package with its paths from roots.
    pub matches: Vec<WhyMatch>,
}

/// One package matching a `why` query.
#[derive(Debug, Serialize)]
pub struct WhyMatch {
    /// Package id.
    pub id: String,
    /// `name@version`.
    pub package: String,
    /// Lockfile and line.
    pub lockfile: String,
    /// Line.
    pub line: u32,
    /// Scopes.
    pub scopes: Vec<&'static str>,
    /// Paths from roots, each root first; empty when unreachable.
    pub paths: Vec<Vec<String>>,
    /// `true` when more paths exist than shown.
    pub truncated: bool,
}

/// Answers `why NAME[@VERSION]`.
pub fn why(graph: &Graph, query: &str, limit: usize) -> WhyAnswer {
    let (name, version) = split_spec(query);
    let mut ids = graph.find(name, version);
    ids.sort_by(|a, b| graph.package(*a).id.cmp(&graph.package(*b).id));
    let matches = ids
        .into_iter()
        .map(|id| {
            let p = graph.package(id);
            let mut paths = graph.paths_from_roots(id, limit + 1);
            let truncated = paths.len() > limit;
            paths.truncate(limit);
            WhyMatch {
                id: p.id.clone(),
                package: p.display_name(),
                lockfile: graph
                    .lockfiles
                    .get(p.location.lockfile as usize)
                    .map(|l| l.display.clone())
                    .unwrap_or_default(),
                line: p.location.line,
                scopes: p.scopes.names(),
                paths: paths
                    .into_iter()
                    .map(|path| {
                        path.into_iter()
                            .map(|i| {
                                let q = graph.package(i);
                                if q.name.is_empty() {
                                    "(root)".to_owned()
                                } else {
                                    q.display_name()
                                }
                            })
                            .collect()
                    })
                    .collect(),
                truncated,
            }
        })
        .collect();
    WhyAnswer {
        query: query.to_owned(),
        matches,
    }
}

/// Splits `name@version`, keeping a leading `@scope/` in the name.
pub fn split_spec(spec: &str) -> (&str, Option<&str>) {
    let search_from = usize::from(spec.starts_with('@'));
    match spec[search_from..].find('@') {
        Some(i) => {
            let at = i + search_from;
            let v = &spec[at + 1..];
            (&spec[..at], (!v.is_empty()).then_some(v))
        }
        None => (spec, None),
    }
}

/// Renders a `why` answer for people.
pub fn render_why(a: &WhyAnswer, style: Style, w: &mut dyn Write) -> io::Result<()> {
    for m in &a.matches {
        let scopes = if m.scopes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", m.scopes.join(", "))
        };
        writeln!(
            w,
            "{}{}  {}",
            style.bold(&visible(&m.package)),
            scopes,
            style.dim(&if m.line > 0 {
                format!("{}:{}", visible(&m.lockfile), m.line)
            } else {
                visible(&m.lockfile).into_owned()
            })
        )?;
        if m.paths.is_empty() {
            writeln!(w, "  (not reachable from any root)")?;
        }
        for p in &m.paths {
            writeln!(w, "  {}", visible(&p.join(" → ")))?;
        }
        if m.truncated {
            writeln!(w, "  {}", style.dim("… more paths (raise --limit)"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_spec;

    #[test]
    fn spec_splitting() {
        assert_eq!(split_spec("serde"), ("serde", None));
        assert_eq!(split_spec("serde@1.0.0"), ("serde", Some("1.0.0")));
        assert_eq!(split_spec("@babel/core"), ("@babel/core", None));
        assert_eq!(
            split_spec("@babel/core@7.1.0"),
            ("@babel/core", Some("7.1.0"))
        );
    }
}

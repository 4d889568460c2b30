//! CycloneDX JSON SBOMs as input (`check --sbom`): tollgate's own, cargo-cyclonedx's,
//! cyclonedx-npm's and syft's. Components become packages by their purl (`pkg:cargo/…`,
//! `pkg:npm/…`: ecosystem, name, version, source from the `repository_url` / `vcs_url` /
//! `download_url` qualifiers), `hashes` their integrity, `scope` and tollgate's `tollgate:*`
//! properties their scopes; the `dependencies` graph gives the edges, and the described component
//! (`metadata.component`) the root.
//!
//! Unlike a lockfile, one SBOM can hold packages of several ecosystems: each package carries its
//! own [`Ecosystem`], and the [`ParsedLockfile`] of an SBOM has none (`ecosystem: None`).
//!
//! What cannot be mapped is an error naming the component (its JSON pointer, line, `bom-ref`):
//! a package of an ecosystem tollgate does not check, or a library without a purl, would
//! otherwise pass unchecked. Components that are not packages (files, operating systems,
//! devices, data, …) are skipped with a warning.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::npm::Str;
use super::{Diagnostic, ParsedLockfile, UnresolvedDep, UnresolvedReason};
use crate::error::{LineCursor, LockfileError, LockfileErrorKind, Place};
use crate::package::{
    ChecksumText, DepKind, Digest, Ecosystem, GitRef, GitSource, HashAlgorithm, Integrity,
    Location, NpmMeta, Package, Scopes, Source,
};
use crate::purl::Purl;

/// crates.io's index as Cargo.lock names it (`registry+…`): the registry of a `pkg:cargo` purl
/// without `repository_url`. (Equal to `registry::config::public::CRATES_IO_GIT`; a test keeps
/// them equal — the input stage does not depend on the registry stage.)
const CRATES_IO_INDEX: &str = "https://github.com/rust-lang/crates.io-index";

/// Component types that are not packages: skipped (with a warning), never an error.
const NOT_PACKAGES: [&str; 10] = [
    "file",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "data",
    "machine-learning-model",
    "cryptographic-asset",
    "platform",
    "container",
];

/// `true` when `text` (a JSON document) looks like a CycloneDX BOM: `"bomFormat"` near the start.
pub fn looks_like_cyclonedx(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(4096)];
    memchr::memmem::find(head, b"\"bomFormat\"").is_some()
}

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(rename = "bomFormat", borrow)]
    bom_format: Option<Str<'a>>,
    #[serde(rename = "specVersion", borrow)]
    spec_version: Option<Str<'a>>,
    #[serde(default, borrow)]
    metadata: Option<Meta<'a>>,
    #[serde(default, borrow)]
    components: Vec<Comp<'a>>,
    #[serde(default, borrow)]
    dependencies: Vec<Dep<'a>>,
    /// VEX statements inside the SBOM.
    #[serde(default)]
    vulnerabilities: Vec<crate::vex::RawVulnerability>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(default, borrow)]
    component: Option<Comp<'a>>,
}

#[derive(Deserialize)]
struct Comp<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Str<'a>>,
    #[serde(rename = "bom-ref", borrow)]
    bom_ref: Option<Str<'a>>,
    #[serde(borrow)]
    group: Option<Str<'a>>,
    #[serde(borrow)]
    name: Option<Str<'a>>,
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(borrow)]
    purl: Option<Str<'a>>,
    #[serde(borrow)]
    scope: Option<Str<'a>>,
    #[serde(default, borrow)]
    hashes: Vec<HashEntry<'a>>,
    #[serde(default, borrow)]
    properties: Vec<Prop<'a>>,
    #[serde(rename = "externalReferences", default, borrow)]
    external_references: Vec<ExtRef<'a>>,
    #[serde(default, borrow)]
    components: Vec<Comp<'a>>,
}

#[derive(Deserialize)]
struct HashEntry<'a> {
    #[serde(borrow)]
    alg: Str<'a>,
    #[serde(borrow)]
    content: Str<'a>,
}

#[derive(Deserialize)]
struct Prop<'a> {
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(default, borrow)]
    value: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ExtRef<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    url: Str<'a>,
}

#[derive(Deserialize)]
struct Dep<'a> {
    #[serde(rename = "ref", borrow)]
    reference: Str<'a>,
    #[serde(rename = "dependsOn", default, borrow)]
    depends_on: Vec<Str<'a>>,
}

/// The reading of one SBOM.
struct Reader<'t> {
    path: &'t Path,
    text: &'t str,
    lines: LineCursor<'t>,
    display: &'t str,
    lockfile: u32,
    out: ParsedLockfile,
    /// `bom-ref` → index into `out.packages`.
    by_ref: HashMap<String, usize>,
    /// The `bom-ref` of the described component when it is not a package (tollgate's
    /// `tollgate:project:NAME`, a project without a purl).
    described_ref: Option<String>,
}

/// One component to map, with where it is.
struct At<'c, 'a> {
    comp: &'c Comp<'a>,
    pointer: String,
    root: bool,
}

/// Parses a CycloneDX JSON SBOM into packages, edges and roots.
pub fn parse(
    path: &Path,
    display: &str,
    text: &str,
    lockfile: u32,
) -> Result<ParsedLockfile, LockfileError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Doc<'_> = serde_json::from_str(body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "not a CycloneDX SBOM",
            serde_json::error::Category::Eof => "truncated JSON",
            _ => "invalid JSON",
        };
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        LockfileError::new(
            path,
            Some(Place {
                line: e.line(),
                column: e.column(),
                ..Place::default()
            }),
            LockfileErrorKind::Syntax(format!("{what}: {msg}")),
        )
    })?;
    let at_top = |pointer: &str, why: String| {
        LockfileError::new(
            path,
            Some(Place {
                pointer: Some(pointer.to_owned()),
                ..Place::default()
            }),
            LockfileErrorKind::Invalid(why),
        )
    };
    if doc.bom_format.as_ref().map(Str::as_str) != Some("CycloneDX") {
        return Err(at_top(
            "/bomFormat",
            "not a CycloneDX SBOM: `bomFormat` is not \"CycloneDX\"".into(),
        ));
    }
    let spec = doc.spec_version.as_ref().map(Str::as_str).unwrap_or("");
    let version = match spec {
        "1.2" => 2,
        "1.3" => 3,
        "1.4" => 4,
        "1.5" => 5,
        "1.6" => 6,
        other => {
            return Err(at_top(
                "/specVersion",
                format!(
                    "CycloneDX specVersion `{other}`: tollgate reads 1.2 to 1.6 (JSON with a `dependencies` graph)"
                ),
            ));
        }
    };
    let mut r = Reader {
        path,
        text,
        lines: LineCursor::new(text),
        display,
        lockfile,
        out: ParsedLockfile::new(None, "CycloneDX", version),
        by_ref: HashMap::new(),
        described_ref: None,
    };
    // Components in document order (nested ones after their parent), the described one first.
    let mut todo: Vec<At<'_, '_>> = Vec::new();
    if let Some(c) = doc.metadata.as_ref().and_then(|m| m.component.as_ref()) {
        todo.push(At {
            comp: c,
            pointer: "/metadata/component".into(),
            root: true,
        });
    }
    fn flatten<'c, 'a>(cs: &'c [Comp<'a>], base: &str, out: &mut Vec<At<'c, 'a>>) {
        for (i, c) in cs.iter().enumerate() {
            let pointer = format!("{base}/{i}");
            out.push(At {
                comp: c,
                pointer: pointer.clone(),
                root: false,
            });
            flatten(&c.components, &format!("{pointer}/components"), out);
        }
    }
    flatten(&doc.components, "/components", &mut todo);
    for at in &todo {
        r.component(at)?;
    }
    if r.out.packages.is_empty() {
        r.out.no_entries = true;
        return Ok(r.out);
    }
    r.dependencies(&doc.dependencies)?;
    r.out.vex = crate::vex::statements(display, doc.vulnerabilities, true).map_err(|e| {
        LockfileError::new(
            path,
            Some(Place {
                pointer: e.source_name.split_once('#').map(|(_, p)| p.to_owned()),
                ..Place::default()
            }),
            LockfileErrorKind::Invalid(e.what),
        )
    })?;
    Ok(r.out)
}

impl Reader<'_> {
    /// The place of a component: its line (from the first of its strings read in place) and
    /// JSON pointer.
    fn place(&self, c: &Comp<'_>, pointer: &str) -> Place {
        let offset = [&c.bom_ref, &c.purl, &c.name]
            .into_iter()
            .flatten()
            .find_map(|s| self.offset_of(s));
        let (line, column) = offset.map_or((0, 0), |o| self.lines.line_col(o));
        Place {
            line,
            column,
            offset,
            pointer: Some(pointer.to_owned()),
        }
    }

    /// The byte offset of a string borrowed from the text (JSON without escapes).
    fn offset_of(&self, s: &Str<'_>) -> Option<usize> {
        let Cow::Borrowed(b) = &s.0 else {
            return None;
        };
        let start = self.text.as_ptr() as usize;
        let at = b.as_ptr() as usize;
        (at >= start && at <= start + self.text.len()).then(|| at - start)
    }

    fn error(&self, c: &Comp<'_>, pointer: &str, why: String) -> LockfileError {
        let who = match (&c.bom_ref, &c.name) {
            (Some(r), _) => format!("component `{}`", r.as_str()),
            (None, Some(n)) => format!("component `{}`", n.as_str()),
            (None, None) => "component".to_owned(),
        };
        LockfileError::new(
            self.path,
            Some(self.place(c, pointer)),
            LockfileErrorKind::Invalid(format!("{who}: {why}")),
        )
    }

    /// Maps one component to a package, or skips it when it is not a package.
    fn component(&mut self, at: &At<'_, '_>) -> Result<(), LockfileError> {
        let c = at.comp;
        let kind = c.kind.as_ref().map(Str::as_str).unwrap_or("library");
        let prop = |name: &str| {
            c.properties
                .iter()
                .find(|p| p.name.as_str() == name)
                .and_then(|p| p.value.as_ref())
                .map(Str::as_str)
        };
        let Some(purl_text) = c.purl.as_ref() else {
            // tollgate's own SBOM writes a package without a version (an npm folder, a project
            // without `version`) without a purl: its lockfile says the ecosystem.
            let eco = prop("tollgate:lockfile").and_then(|l| {
                super::Format::detect(Path::new(l), "").and_then(super::Format::ecosystem)
            });
            if at.root && eco.is_none() {
                // The described project without a purl (tollgate's `tollgate:project:NAME` of a
                // workspace or of several lockfiles): what it depends on are the roots.
                self.described_ref = c.bom_ref.as_ref().map(|r| r.as_str().to_owned());
                return Ok(());
            }
            if NOT_PACKAGES.contains(&kind) {
                self.out.warnings.push(Diagnostic::at(
                    self.lockfile,
                    self.place(c, &at.pointer).line as u32,
                    format!(
                        "{}: {} is a `{kind}` component, not a package: skipped",
                        at.pointer,
                        c.name.as_ref().map(Str::as_str).unwrap_or("(unnamed)")
                    ),
                ));
                return Ok(());
            }
            let (Some(eco), Some(name)) = (eco, c.name.as_ref()) else {
                return Err(self.error(
                    c,
                    &at.pointer,
                    "has no purl, so tollgate cannot tell its ecosystem, name and version; add a `purl` (pkg:cargo/… or pkg:npm/…)".into(),
                ));
            };
            let name = match c.group.as_ref() {
                Some(g) if eco == Ecosystem::Npm => format!("{}/{}", g.as_str(), name.as_str()),
                _ => name.as_str().to_owned(),
            };
            let version = c.version.as_ref().map(Str::as_str).unwrap_or("").to_owned();
            let source = match prop("tollgate:source") {
                Some("path") | None => Source::Path,
                Some(_) => Source::Other(String::new()),
            };
            return self.push(at, eco, name, version, source, None);
        };
        let purl = Purl::parse(purl_text.as_str()).map_err(|why| {
            self.error(
                c,
                &at.pointer,
                format!("purl `{}` {why}", purl_text.as_str()),
            )
        })?;
        let eco = match purl.kind.as_str() {
            "cargo" => Ecosystem::Cargo,
            "npm" => Ecosystem::Npm,
            other => {
                if at.root {
                    // A described component of another kind (a container image, a Python
                    // project): the packages below it are what is checked.
                    self.described_ref = c.bom_ref.as_ref().map(|r| r.as_str().to_owned());
                    return Ok(());
                }
                return Err(self.error(
                    c,
                    &at.pointer,
                    format!(
                        "purl `{}` is of type `{other}`: tollgate checks cargo and npm packages only, and would otherwise pass it unchecked",
                        purl_text.as_str()
                    ),
                ));
            }
        };
        let name = match (&purl.namespace, eco) {
            (Some(ns), Ecosystem::Npm) => format!("{ns}/{}", purl.name),
            (Some(ns), Ecosystem::Cargo) => {
                return Err(self.error(
                    c,
                    &at.pointer,
                    format!(
                        "purl `{}` has a namespace `{ns}`, which cargo purls do not have",
                        purl_text.as_str()
                    ),
                ));
            }
            (None, _) => purl.name.clone(),
        };
        let version = purl
            .version
            .clone()
            .or_else(|| c.version.as_ref().map(|v| v.as_str().to_owned()))
            .unwrap_or_default();
        let distribution = c
            .external_references
            .iter()
            .find(|e| e.kind.as_str() == "distribution")
            .map(|e| e.url.as_str());
        let source = if let Some(vcs) = purl.qualifier("vcs_url") {
            let v = vcs.strip_prefix("git+").unwrap_or(vcs);
            // `URL@COMMIT`: the `@` after the last `/` (a user-info `@` comes before the host).
            let last_slash = v.rfind('/').unwrap_or(0);
            let (url, precise) = match v[last_slash..].rfind('@') {
                Some(i) => (&v[..last_slash + i], Some(&v[last_slash + i + 1..])),
                None => (v, None),
            };
            Source::Git(Arc::new(GitSource {
                url: url.to_owned(),
                reference: match precise {
                    Some(p) => GitRef::Rev(p.to_owned()),
                    None => GitRef::DefaultBranch,
                },
                precise: precise.map(str::to_owned),
            }))
        } else if let Some(repo) = purl.qualifier("repository_url") {
            let (url, sparse) = match repo.strip_prefix("sparse+") {
                Some(u) => (u, true),
                None => (repo.strip_prefix("registry+").unwrap_or(repo), false),
            };
            Source::Registry {
                url: Some(Arc::from(match (eco, distribution) {
                    // npm's registry source is the tarball URL, as lockfiles write it.
                    (Ecosystem::Npm, Some(d)) => d,
                    _ => url,
                })),
                sparse,
            }
        } else if purl
            .qualifier("download_url")
            .is_some_and(|u| u.starts_with("file:"))
            || prop("tollgate:source") == Some("path")
        {
            Source::Path
        } else if prop("tollgate:source") == Some("tarball") {
            Source::Tarball {
                url: distribution.unwrap_or("").to_owned(),
            }
        } else {
            Source::Registry {
                url: Some(Arc::from(match eco {
                    Ecosystem::Cargo => CRATES_IO_INDEX,
                    Ecosystem::Npm => distribution.unwrap_or("https://registry.npmjs.org/"),
                })),
                sparse: false,
            }
        };
        let integrity = self.integrity(c, &at.pointer)?;
        self.push(at, eco, name, version, source, integrity)
    }

    /// The component's `hashes` as an integrity (`None` when it has none).
    fn integrity(
        &self,
        c: &Comp<'_>,
        pointer: &str,
    ) -> Result<Option<(Integrity, String)>, LockfileError> {
        if c.hashes.is_empty() {
            return Ok(None);
        }
        let mut digests = Vec::new();
        let mut text = Vec::new();
        for h in &c.hashes {
            let alg = match h.alg.as_str() {
                "MD5" => HashAlgorithm::Md5,
                "SHA-1" => HashAlgorithm::Sha1,
                "SHA-256" => HashAlgorithm::Sha256,
                "SHA-384" => HashAlgorithm::Sha384,
                "SHA-512" => HashAlgorithm::Sha512,
                // SHA-3, BLAKE2/3: digests tollgate does not compare; kept as written.
                _ => {
                    text.push(format!("{}:{}", h.alg.as_str(), h.content.as_str()));
                    continue;
                }
            };
            let content = h.content.as_str();
            text.push(format!("{}:{content}", h.alg.as_str()));
            match crate::package::decode_hex(content) {
                Some(bytes) if bytes.len() == alg.digest_len() => digests.push(Digest {
                    algorithm: alg,
                    bytes: bytes.into(),
                }),
                _ => {
                    return Err(self.error(
                        c,
                        pointer,
                        format!(
                            "hash {} `{content}` is not {} hex digits",
                            h.alg.as_str(),
                            2 * alg.digest_len()
                        ),
                    ));
                }
            }
        }
        let integrity = Integrity {
            digests: digests.into(),
            malformed: Box::default(),
        };
        Ok(Some((integrity, text.join(" "))))
    }

    fn push(
        &mut self,
        at: &At<'_, '_>,
        ecosystem: Ecosystem,
        name: String,
        version: String,
        source: Source,
        integrity: Option<(Integrity, String)>,
    ) -> Result<(), LockfileError> {
        let c = at.comp;
        let prop = |n: &str| {
            c.properties
                .iter()
                .find(|p| p.name.as_str() == n)
                .and_then(|p| p.value.as_ref())
                .map(Str::as_str)
        };
        let mut scopes = Scopes::default();
        match prop("tollgate:scope") {
            Some(list) => {
                for s in list.split(',') {
                    match s.trim() {
                        "dev" => scopes.dev = true,
                        "optional" => scopes.optional = true,
                        "peer" => scopes.peer = true,
                        "build" => scopes.build = true,
                        _ => {}
                    }
                }
            }
            None => match c.scope.as_ref().map(Str::as_str) {
                Some("excluded") => scopes.dev = true,
                Some("optional") => scopes.optional = true,
                _ => {}
            },
        }
        let place = self.place(c, &at.pointer);
        let index = self.out.packages.len();
        let local = c
            .bom_ref
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_else(|| at.pointer.clone());
        // Package ids are unique: a component without a bom-ref is named by its pointer, which
        // no bom-ref may take too.
        if self.by_ref.insert(local.clone(), index).is_some() {
            return Err(self.error(
                c,
                &at.pointer,
                "its bom-ref is used by another component (bom-refs are unique in a BOM)".into(),
            ));
        }
        let npm = (ecosystem == Ecosystem::Npm).then(|| {
            Box::new(NpmMeta {
                // Only install paths under `node_modules/`: a folder path is relative to a
                // project directory the SBOM does not come with.
                path: prop("tollgate:npm-path")
                    .filter(|p| p.starts_with("node_modules/"))
                    .unwrap_or("")
                    .to_owned(),
                has_install_script: prop("tollgate:install-script") == Some("true"),
                // Merged copies of one purl of which one is not bundled and has no hash: not
                // exempt from missing-hash.
                in_bundle: prop("tollgate:bundled") == Some("true")
                    && !c.properties.iter().any(|p| {
                        p.name.as_str() == "tollgate:hash"
                            && p.value.as_ref().map(Str::as_str) == Some("missing")
                    }),
                workspace: matches!(source, Source::Path),
                ..NpmMeta::default()
            })
        });
        let (integrity, checksum) = match integrity {
            Some((i, t)) => (Some(i), Some(ChecksumText::Verbatim(t.into()))),
            None => (None, None),
        };
        let source_raw = match &source {
            Source::Registry { url: Some(u), .. } => Some(u.clone()),
            Source::Tarball { url } => Some(Arc::from(url.as_str())),
            Source::Git(g) => Some(Arc::from(
                c.purl.as_ref().map(Str::as_str).unwrap_or(g.url.as_str()),
            )),
            _ => None,
        };
        self.out.packages.push(Package {
            id: format!("{}#{local}", self.display),
            ecosystem,
            name,
            version,
            source,
            source_raw,
            checksum,
            integrity,
            scopes,
            is_root: at.root,
            location: Location {
                lockfile: self.lockfile,
                line: place.line as u32,
                column: place.column as u32,
            },
            npm,
        });
        if at.root {
            self.out.roots.push(index);
        }
        Ok(())
    }

    /// The `dependencies` graph: edges between packages, the roots when the described component
    /// is not a package, and the references that name no component.
    fn dependencies(&mut self, deps: &[Dep<'_>]) -> Result<(), LockfileError> {
        let mut seen: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
        for (i, d) in deps.iter().enumerate() {
            let from_ref = d.reference.as_str();
            let described = self.described_ref.as_deref() == Some(from_ref);
            let from = self.by_ref.get(from_ref).copied();
            if from.is_none() && !described {
                // A dependency entry of a component that is not a package (a file, an
                // operating system): nothing to connect.
                continue;
            }
            for to_ref in &d.depends_on {
                let Some(&to) = self.by_ref.get(to_ref.as_str()) else {
                    let line = self
                        .offset_of(to_ref)
                        .map_or(0, |o| self.lines.line_col(o).0 as u32);
                    let why = "names no package component of the SBOM".to_owned();
                    let spec = to_ref.as_str().to_owned();
                    let message = format!(
                        "{}:{line}: /dependencies/{i}: `{from_ref}` depends on `{spec}`, which {why}",
                        self.display
                    );
                    if let Some(from) = from {
                        self.out.unresolved.push((
                            from,
                            UnresolvedDep {
                                lockfile: self.lockfile,
                                spec,
                                line,
                                reason: UnresolvedReason::Missing,
                                why,
                                message,
                            },
                        ));
                    } else {
                        self.out
                            .warnings
                            .push(Diagnostic::at(self.lockfile, line, message));
                    }
                    continue;
                };
                match from {
                    // Roots of the graph, but not root projects (`is_root`): a third-party
                    // SBOM's described component depends on real packages, which are checked.
                    None => {
                        if !self.out.roots.contains(&to) {
                            self.out.roots.push(to);
                        }
                    }
                    Some(from) if from != to => {
                        if !seen.insert((from as u32, to as u32)) {
                            continue;
                        }
                        let (a, b) = (&self.out.packages[from], &self.out.packages[to]);
                        let kind = if b.scopes.dev && !a.scopes.dev {
                            DepKind::Dev
                        } else if b.scopes.build && !a.scopes.build {
                            DepKind::Build
                        } else if b.scopes.optional && !a.scopes.optional {
                            DepKind::Optional
                        } else {
                            DepKind::Normal
                        };
                        self.out.edges.push((from as u32, to as u32, kind));
                    }
                    Some(_) => {}
                }
            }
        }
        // No described component, or one without a dependency entry (syft writes none): every
        // package that nothing depends on is a root too, so that paths start somewhere.
        let roots_have_edges = self
            .out
            .edges
            .iter()
            .any(|&(f, _, _)| self.out.roots.contains(&(f as usize)));
        if !roots_have_edges {
            let mut has_parent = vec![false; self.out.packages.len()];
            for &(_, t, _) in &self.out.edges {
                has_parent[t as usize] = true;
            }
            for (i, p) in has_parent.iter().enumerate() {
                if !p && !self.out.roots.contains(&i) {
                    self.out.roots.push(i);
                }
            }
        }
        // Every package in a dependency cycle and none described: the first one is the root.
        if self.out.roots.is_empty() {
            self.out.roots.push(0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_io_is_the_registry_stage_s() {
        assert_eq!(
            CRATES_IO_INDEX,
            crate::registry::config::public::CRATES_IO_GIT
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panicking(s in "\\PC{0,80}") {
            let _ = Purl::parse(&s);
            let _ = parse(Path::new("x.cdx.json"), "x.cdx.json", &s, 0);
        }
    }

    fn read(text: &str) -> Result<ParsedLockfile, LockfileError> {
        parse(Path::new("bom.cdx.json"), "bom.cdx.json", text, 0)
    }

    #[test]
    fn a_mixed_sbom_maps_packages_edges_and_roots() {
        let text = r#"{
  "bomFormat": "CycloneDX", "specVersion": "1.6",
  "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app"}},
  "components": [
    {"type": "library", "bom-ref": "a", "name": "serde", "version": "1.0.0",
     "purl": "pkg:cargo/serde@1.0.0",
     "hashes": [{"alg": "SHA-256", "content": "00000000000000000000000000000000000000000000000000000000000000ff"}]},
    {"type": "library", "bom-ref": "b", "group": "@x", "name": "y", "version": "2.0.0",
     "purl": "pkg:npm/%40x/y@2.0.0", "scope": "excluded"},
    {"type": "file", "name": "README"}
  ],
  "dependencies": [
    {"ref": "app", "dependsOn": ["a", "b"]},
    {"ref": "a", "dependsOn": ["b", "ghost"]}
  ]
}"#;
        let p = read(text).unwrap();
        assert_eq!(p.ecosystem, None);
        assert_eq!(p.packages.len(), 2);
        let (a, b) = (&p.packages[0], &p.packages[1]);
        assert_eq!((a.ecosystem, a.name.as_str()), (Ecosystem::Cargo, "serde"));
        assert_eq!((b.ecosystem, b.name.as_str()), (Ecosystem::Npm, "@x/y"));
        assert!(b.scopes.dev && !a.scopes.dev);
        assert_eq!(a.location.line, 5);
        assert!(a.integrity.as_ref().unwrap().has_strong());
        assert_eq!(p.roots, vec![0, 1]);
        assert!(!a.is_root && !b.is_root);
        assert_eq!(p.edges, vec![(0, 1, DepKind::Dev)]);
        assert_eq!(p.unresolved.len(), 1);
        assert_eq!(p.unresolved[0].1.spec, "ghost");
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    }

    #[test]
    fn ids_stay_unique_and_a_cycle_still_has_a_root() {
        let text = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
  {"type": "library", "bom-ref": "/components/1", "name": "a", "purl": "pkg:npm/a@1"},
  {"type": "library", "name": "b", "purl": "pkg:npm/b@1"}
]}"#;
        let e = read(text).unwrap_err().to_string();
        assert!(e.contains("used by another component"), "{e}");
        let cycle = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
  {"type": "library", "bom-ref": "a", "name": "a", "purl": "pkg:npm/a@1"},
  {"type": "library", "bom-ref": "b", "name": "b", "purl": "pkg:npm/b@1"}
], "dependencies": [{"ref": "a", "dependsOn": ["b"]}, {"ref": "b", "dependsOn": ["a"]}]}"#;
        let p = read(cycle).unwrap();
        assert_eq!(p.roots, vec![0]);
        assert_eq!(p.edges.len(), 2);
    }

    #[test]
    fn rejects_what_cannot_be_mapped_naming_the_component() {
        let doc = |comp: &str| {
            format!(
                "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\",\n\"components\": [\n{comp}\n]}}"
            )
        };
        for (comp, needle) in [
            (
                r#"{"type": "library", "bom-ref": "p1", "name": "requests", "purl": "pkg:pypi/requests@2.0.0"}"#,
                "bom.cdx.json:3:33 (at /components/0): component `p1`: purl `pkg:pypi/requests@2.0.0` is of type `pypi`",
            ),
            (
                r#"{"type": "library", "name": "mystery", "version": "1"}"#,
                "component `mystery`: has no purl",
            ),
            (
                r#"{"type": "library", "bom-ref": "x", "name": "a", "purl": "npm/a@1"}"#,
                "purl `npm/a@1` does not start with `pkg:`",
            ),
            (
                r#"{"type": "library", "bom-ref": "x", "name": "a", "purl": "pkg:npm/a@1", "hashes": [{"alg": "SHA-256", "content": "abc"}]}"#,
                "hash SHA-256 `abc` is not 64 hex digits",
            ),
        ] {
            let e = read(&doc(comp)).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}\nwanted: {needle}");
        }
        // Negative twin: the same component with a cargo purl maps.
        let ok = read(&doc(
            r#"{"type": "library", "bom-ref": "p1", "name": "requests", "purl": "pkg:cargo/requests@2.0.0"}"#,
        ))
        .unwrap();
        assert_eq!(ok.packages.len(), 1);
        let e = read(r#"{"bomFormat": "SPDX"}"#).unwrap_err().to_string();
        assert!(e.contains("not a CycloneDX SBOM"), "{e}");
        let e = read(r#"{"bomFormat": "CycloneDX", "specVersion": "1.1"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("specVersion `1.1`"), "{e}");
        let e = read(r#"{"bomFormat": "CycloneDX", "#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated JSON"), "{e}");
        assert!(
            read(r#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#)
                .unwrap()
                .no_entries
        );
    }
}

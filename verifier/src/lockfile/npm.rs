//! npm `package-lock.json` v1–v3, `npm-shrinkwrap.json` and `node_modules/.package-lock.json`.
//!
//! v2/v3 are read from the `packages` map (npm ≥ 7 ignores the legacy tree when that map exists);
//! v1 (and files that claim v2 but only carry the legacy tree) from the nested `dependencies`
//! tree, whose nesting is translated to the same `node_modules/a/node_modules/b` install paths.
//! A dependency resolves the way Node's `require` does: from the dependent's own `node_modules`
//! upwards to the root.
//!
//! Strings are borrowed from the input where JSON allows it (no escapes) via [`Str`], and the byte
//! offset of a borrowed key gives the entry's line without a second scan of the file.

use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::npm_manifest::{LockFacts, LockedFolder, NpmSection, is_installed, workspace_patterns};
use super::{Diagnostic, Format, ParsedLockfile, UnresolvedDep, UnresolvedReason};
use crate::error::{LineCursor, LockfileError, LockfileErrorKind, Place};
use crate::package::DepKind;
use crate::package::{
    ChecksumText, Ecosystem, GitRef, GitSource, Integrity, Location, NpmMeta, Package, Scopes,
    Source,
};

/// A string borrowed from the input when possible.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

impl Str<'_> {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A JSON object kept in file order.
#[derive(Debug)]
pub struct Ordered<'a, V>(pub Vec<(Str<'a>, V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Ordered<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a, V>(std::marker::PhantomData<(&'a (), V)>);
        impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for Vis<'a, V> {
            type Value = Ordered<'a, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(m.size_hint().unwrap_or(0));
                while let Some((k, val)) = m.next_entry::<Str<'a>, V>()? {
                    v.push((k, val));
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(Vis(std::marker::PhantomData))
    }
}

impl<V> Default for Ordered<'_, V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

/// A value that may be a string or anything else (old lockfiles put booleans where later ones
/// put strings); anything else is kept as "absent".
#[derive(Debug, Default)]
pub(crate) struct MaybeStr<'a>(pub(crate) Option<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for MaybeStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = MaybeStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Str(Cow::Borrowed(v)))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Str(Cow::Owned(v.to_owned())))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A boolean flag that is `true` only when the JSON says `true`; old npm versions sometimes wrote
/// `"true"` strings (arborist's `install-types` fixture), which npm itself does not treat as set.
#[derive(Debug, Default, Clone, Copy)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Flag(matches!(
            serde_json::Value::deserialize(d)?,
            serde_json::Value::Bool(true)
        )))
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    #[serde(default, borrow)]
    name: MaybeStr<'a>,
    #[serde(default, borrow)]
    version: MaybeStr<'a>,
    #[serde(default, borrow)]
    resolved: MaybeStr<'a>,
    #[serde(default, borrow)]
    integrity: MaybeStr<'a>,
    #[serde(default)]
    link: Flag,
    #[serde(default)]
    dev: Flag,
    #[serde(default)]
    optional: Flag,
    #[serde(default)]
    dev_optional: Flag,
    #[serde(default)]
    peer: Flag,
    #[serde(default)]
    in_bundle: Flag,
    #[serde(default)]
    has_install_script: Flag,
    #[serde(default)]
    extraneous: Flag,
    /// `license` as npm copies it from the package's manifest (v2/v3; a string, or the old
    /// `{type, url}` object, which is not kept).
    #[serde(default, borrow)]
    license: MaybeStr<'a>,
    #[serde(default, borrow)]
    dependencies: Option<Ordered<'a, MaybeStr<'a>>>,
    #[serde(default, borrow)]
    optional_dependencies: Option<Ordered<'a, MaybeStr<'a>>>,
    #[serde(default, borrow)]
    peer_dependencies: Option<Ordered<'a, MaybeStr<'a>>>,
    #[serde(default, borrow)]
    dev_dependencies: Option<Ordered<'a, MaybeStr<'a>>>,
    #[serde(default, borrow)]
    peer_dependencies_meta: Option<Ordered<'a, PeerMeta>>,
    /// `workspaces` (the root entry's, for drift).
    #[serde(default)]
    workspaces: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct PeerMeta {
    #[serde(default)]
    optional: bool,
}

#[derive(Deserialize, Default)]
struct V1Node<'a> {
    #[serde(default, borrow)]
    version: MaybeStr<'a>,
    #[serde(default, borrow)]
    resolved: MaybeStr<'a>,
    #[serde(default, borrow)]
    integrity: MaybeStr<'a>,
    #[serde(default)]
    dev: Flag,
    #[serde(default)]
    optional: Flag,
    #[serde(default)]
    bundled: Flag,
    #[serde(default, borrow)]
    requires: Option<Requires<'a>>,
    #[serde(default, borrow)]
    dependencies: Option<Ordered<'a, V1Node<'a>>>,
}

/// `requires` is a map in npm ≥ 5.1 and `true` in some npm 5.0 files.
enum Requires<'a> {
    Map(Ordered<'a, MaybeStr<'a>>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Requires<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Requires<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or a boolean")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Requires::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                Ordered::deserialize(de::value::MapAccessDeserializer::new(m)).map(Requires::Map)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

struct Ctx<'t> {
    path: &'t Path,
    text: &'t str,
    lines: LineCursor<'t>,
    lockfile: u32,
    display: String,
}

impl Ctx<'_> {
    /// Line and column of a string borrowed from the input (0, 0 for an owned copy).
    fn pos_of(&self, s: &Str<'_>) -> (u32, u32) {
        if let Cow::Borrowed(b) = &s.0 {
            let base = self.text.as_ptr() as usize;
            let p = b.as_ptr() as usize;
            if p >= base && p <= base + self.text.len() {
                // The key's opening quote is one byte before the borrowed slice.
                let off = (p - base).saturating_sub(1);
                let (l, c) = self.lines.line_col(off);
                return (l as u32, c as u32);
            }
        }
        (0, 0)
    }

    /// The error for a key that appears twice in one object: npm (`JSON.parse`) keeps only the
    /// last, so reading either would disagree with what npm installs.
    fn duplicate_key(&self, key: &Str<'_>, pointer: String, first_line: u32) -> LockfileError {
        let (line, column) = self.pos_of(key);
        LockfileError::new(
            self.path,
            Some(Place {
                line: line as usize,
                column: column as usize,
                offset: None,
                pointer: Some(pointer),
            }),
            LockfileErrorKind::Invalid(format!(
                "duplicate key \"{}\" (first at line {first_line}): JSON parsers disagree on which one counts, so the lockfile is ambiguous",
                key.as_str()
            )),
        )
    }
}

/// Escapes one JSON-pointer segment (RFC 6901).
fn pointer_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The top-level fields of a lockfile. `packages` is not kept: [`PackagesSeed`] turns each entry
/// into a package as it is read.
#[derive(Default)]
struct TopLevel<'a> {
    name: Option<Str<'a>>,
    version: Option<Str<'a>>,
    lockfile_version: Option<serde_json::Number>,
    packages_seen: bool,
    dependencies: Option<Ordered<'a, V1Node<'a>>>,
}

/// Reads the top-level object, streaming `packages` through [`Packages`].
struct TopSeed<'s, 't, 'a> {
    packages: &'s mut Packages<'t, 'a>,
}

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for TopSeed<'_, '_, 'a> {
    type Value = TopLevel<'a>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for TopSeed<'_, '_, 'a> {
    type Value = TopLevel<'a>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an npm lockfile object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut top = TopLevel::default();
        let mut seen = [false; 5];
        let mut once = |i: usize, field: &'static str| {
            if std::mem::replace(&mut seen[i], true) {
                Err(de::Error::duplicate_field(field))
            } else {
                Ok(())
            }
        };
        while let Some(key) = m.next_key::<Str<'a>>()? {
            match key.as_str() {
                "name" => {
                    once(0, "name")?;
                    top.name = m.next_value()?;
                }
                "version" => {
                    once(1, "version")?;
                    top.version = m.next_value()?;
                }
                "lockfileVersion" => {
                    once(2, "lockfileVersion")?;
                    top.lockfile_version = m.next_value()?;
                }
                "packages" => {
                    once(3, "packages")?;
                    top.packages_seen = m.next_value_seed(PackagesSeed {
                        packages: &mut *self.packages,
                    })?;
                }
                "dependencies" => {
                    once(4, "dependencies")?;
                    top.dependencies = m.next_value()?;
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

/// `"packages": {…}` (or `null`): each entry becomes a package as soon as it is read, so the
/// parsed entries never pile up beside the text and the packages. `true` when it was a map.
struct PackagesSeed<'s, 't, 'a> {
    packages: &'s mut Packages<'t, 'a>,
}

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for PackagesSeed<'_, '_, 'a> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for PackagesSeed<'_, '_, 'a> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        while let Some((key, entry)) = m.next_entry::<Str<'a>, Entry<'a>>()? {
            if let Err(e) = self.packages.add(key, entry) {
                // The lockfile error is kept; the serde error only stops the reader.
                self.packages.error = Some(e);
                return Err(de::Error::custom("invalid entry"));
            }
        }
        Ok(true)
    }
}

/// A dependency of a `packages` entry, kept (borrowed) until every entry is known.
struct Dep<'a> {
    from: u32,
    name: Str<'a>,
    kind: DepKind,
    /// npm does not install it either when it is missing (optional, peer, or a dev dependency of
    /// a workspace): no warning.
    missing_ok: bool,
}

/// The graph being built from a `packages` map.
struct Packages<'t, 'a> {
    cx: &'t Ctx<'t>,
    out: ParsedLockfile,
    /// Install path → node. Links are added once every node exists.
    index: HashMap<std::borrow::Cow<'a, str>, usize>,
    /// `(key, target)` of each `link: true` entry, in file order.
    links: Vec<(Str<'a>, Option<Str<'a>>)>,
    deps: Vec<Dep<'a>>,
    /// What drift needs beyond the graph: folder entries and links.
    facts: LockFacts,
    /// An error found while reading, reported instead of the reader's.
    error: Option<LockfileError>,
}

impl<'t, 'a> Packages<'t, 'a> {
    fn new(cx: &'t Ctx<'t>, out: ParsedLockfile) -> Self {
        Packages {
            cx,
            out,
            index: HashMap::new(),
            links: Vec::new(),
            deps: Vec::new(),
            facts: LockFacts::default(),
            error: None,
        }
    }

    /// Turns one entry into a node and records its dependencies.
    fn add(&mut self, key: Str<'a>, e: Entry<'a>) -> Result<(), LockfileError> {
        self.record_facts(&key, &e);
        let cx = self.cx;
        let out = &mut self.out;
        if e.link.0 {
            self.links.push((key, e.resolved.0));
            return Ok(());
        }
        let key_s = key.as_str();
        let is_project_root = key_s.is_empty();
        let in_node_modules =
            key_s.starts_with("node_modules/") || key_s.contains("/node_modules/");
        let installed_as = install_name(key_s);
        let real_name = e
            .name
            .0
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| {
                if in_node_modules {
                    installed_as.to_owned()
                } else if is_project_root {
                    String::new()
                } else {
                    key_s.rsplit('/').next().unwrap_or(key_s).to_owned()
                }
            });
        let version = e.version.0.as_ref().map(|s| s.as_str()).unwrap_or("");
        let (source, source_raw) = if is_project_root || !in_node_modules {
            (Source::Path, None)
        } else {
            classify_resolved(e.resolved.0.as_ref().map(Str::as_str), version)
        };
        let integrity = e
            .integrity
            .0
            .as_ref()
            .map(|s| Integrity::from_sri(s.as_str()));
        let checksum = e
            .integrity
            .0
            .as_ref()
            .map(|s| ChecksumText::Verbatim(s.as_str().into()));
        let (line, column) = cx.pos_of(&key);
        if let Some(i) = &integrity
            && !i.malformed.is_empty()
        {
            out.warnings.push(Diagnostic::at(
                cx.lockfile,
                line,
                format!(
                    "\"{key_s}\": malformed integrity {:?}",
                    i.malformed.join(" ")
                ),
            ));
        }
        let alias = (in_node_modules && e.name.0.is_some() && installed_as != real_name)
            .then(|| installed_as.to_owned());
        let local = if is_project_root { "." } else { key_s };
        let idx = out.packages.len();
        out.packages.push(Package {
            id: format!("{}#{}", cx.display, local),
            ecosystem: Ecosystem::Npm,
            name: real_name,
            version: version.to_owned(),
            source,
            source_raw,
            checksum,
            integrity,
            scopes: Scopes {
                dev: e.dev.0,
                optional: e.optional.0,
                dev_optional: e.dev_optional.0,
                peer: e.peer.0,
                build: false,
            },
            is_root: is_project_root || !in_node_modules,
            location: Location {
                lockfile: cx.lockfile,
                line,
                column,
            },
            npm: Some(Box::new(NpmMeta {
                path: key_s.to_owned(),
                has_install_script: e.has_install_script.0,
                in_bundle: e.in_bundle.0,
                alias,
                workspace: !is_project_root && !in_node_modules,
                extraneous: e.extraneous.0,
                license: e
                    .license
                    .0
                    .as_ref()
                    .map(|l| l.as_str().trim())
                    .filter(|l| !l.is_empty())
                    .map(Box::from),
            })),
        });
        if is_project_root || !in_node_modules {
            out.roots.push(idx);
        }
        // Dependencies, in the order edges are made: normal, optional, peer, dev (dev only for
        // the root project and workspaces: an installed package's dev dependencies are not).
        let is_local = !in_node_modules;
        // A link target outside the project (`../other`): npm installs its dependencies in its
        // own folder, not from this lockfile, so they need not resolve here.
        let outside = key_s == ".." || key_s.starts_with("../") || key_s.starts_with('/');
        let peer_optional = |name: &str| {
            e.peer_dependencies_meta
                .as_ref()
                .is_some_and(|m| m.0.iter().any(|(k, v)| k.as_str() == name && v.optional))
        };
        let groups = [
            (e.dependencies, DepKind::Normal),
            (e.optional_dependencies, DepKind::Optional),
            (e.peer_dependencies, DepKind::Peer),
            (e.dev_dependencies, DepKind::Dev),
        ];
        let is_optional = |name: &str| {
            groups[1]
                .0
                .as_ref()
                .is_some_and(|o| o.0.iter().any(|(k, _)| k.as_str() == name))
        };
        for (group, kind) in &groups {
            let Some(deps) = group else { continue };
            if *kind == DepKind::Dev && !is_local {
                continue;
            }
            for (dep, _range) in &deps.0 {
                let name = dep.as_str();
                // An optional dependency listed in both maps is recorded once, as optional.
                if *kind == DepKind::Normal && is_optional(name) {
                    continue;
                }
                self.deps.push(Dep {
                    from: idx as u32,
                    name: dep.clone(),
                    kind: *kind,
                    missing_ok: outside
                        || matches!(kind, DepKind::Optional | DepKind::Peer)
                        || peer_optional(name)
                        || (*kind == DepKind::Dev && !is_project_root),
                });
            }
        }
        // `.` is the root folder too: as a second key it would collide with `""`.
        let index_key = if key_s == "." {
            std::borrow::Cow::Borrowed("")
        } else {
            key.0.clone()
        };
        if let Some(first) = self.index.insert(index_key, idx) {
            return Err(cx.duplicate_key(
                &key,
                format!("/packages/{}", pointer_segment(key_s)),
                self.out.packages[first].location.line,
            ));
        }
        Ok(())
    }

    /// Resolves links, then every dependency, once all nodes exist.
    /// Records what drift needs of an entry (the same facts as [`npm_manifest::lock_facts`]):
    /// a link under `node_modules/` by its target, any other entry outside `node_modules/` as a
    /// folder with its declarations.
    fn record_facts(&mut self, key: &Str<'a>, e: &Entry<'a>) {
        let k = key.as_str();
        if is_installed(k) {
            if e.link.0 {
                let target = e.resolved.0.as_ref().map(Str::as_str).unwrap_or("");
                self.facts.links.insert(k.to_owned(), target.to_owned());
            }
            return;
        }
        let mut deps = Vec::new();
        for section in NpmSection::ALL {
            let map = match section {
                NpmSection::Peer => &e.peer_dependencies,
                NpmSection::Prod => &e.dependencies,
                NpmSection::Optional => &e.optional_dependencies,
                NpmSection::Dev => &e.dev_dependencies,
            };
            for (name, spec) in map.iter().flat_map(|m| m.0.iter()) {
                // A spec that is not a string is no spec npm reads: kept as `null`.
                let spec = spec.0.as_ref().map(Str::as_str).unwrap_or("null");
                deps.push((section, name.as_str().to_owned(), spec.to_owned()));
            }
        }
        let (line, _) = self.cx.pos_of(key);
        self.facts.folders.insert(
            k.to_owned(),
            LockedFolder {
                name: e.name.0.as_ref().map(|s| s.as_str().to_owned()),
                version: e.version.0.as_ref().map(|s| s.as_str().to_owned()),
                deps,
                workspaces: e.workspaces.as_ref().and_then(workspace_patterns),
                line,
            },
        );
    }

    fn finish(mut self) -> Result<ParsedLockfile, LockfileError> {
        let cx = self.cx;
        // Links: `node_modules/x` -> target folder (`packages/x`, `../x`).
        let mut link_keys: HashMap<&str, u32> = HashMap::with_capacity(self.links.len());
        for (key_str, target) in &self.links {
            let key = key_str.as_str();
            let target = target.as_ref().map(Str::as_str).unwrap_or("");
            let line = cx.pos_of(key_str).0;
            // A second link with this key, or a package entry with it.
            let first = link_keys.insert(key, line).or_else(|| {
                self.index
                    .get(key)
                    .map(|&i| self.out.packages[i].location.line)
            });
            if let Some(first) = first {
                return Err(cx.duplicate_key(
                    key_str,
                    format!("/packages/{}", pointer_segment(key)),
                    first,
                ));
            }
            match self.index.get(target).copied() {
                Some(t) => {
                    self.index.insert(key_str.0.clone(), t);
                }
                None => {
                    self.out.warnings.push(Diagnostic::at(
                        cx.lockfile,
                        line,
                        format!(
                            "link \"{key}\" points at \"{target}\", which has no entry in the lockfile"
                        ),
                    ));
                }
            }
        }
        let mut buf = String::new();
        let out = &mut self.out;
        for dep in &self.deps {
            let from = dep.from as usize;
            let from_key = out.packages[from]
                .npm
                .as_ref()
                .map_or("", |m| m.path.as_str());
            let name = dep.name.as_str();
            match resolve(|k| self.index.get(k).copied(), from_key, name, &mut buf) {
                Some(to) => out.edges.push((from as u32, to as u32, dep.kind)),
                None if dep.missing_ok => {}
                None => {
                    let from_shown = if from_key.is_empty() {
                        "(root)"
                    } else {
                        from_key
                    };
                    out.unresolved.push((
                        from,
                        UnresolvedDep {
                            lockfile: cx.lockfile,
                            spec: name.to_owned(),
                            line: cx.pos_of(&dep.name).0,
                            reason: UnresolvedReason::Missing,
                            why: format!("is not installed at or above \"{from_shown}\""),
                            message: format!(
                                "\"{from_shown}\" depends on \"{name}\", which is not installed at or above it"
                            ),
                        },
                    ));
                }
            }
        }
        connect_orphan_roots(&mut self.out);
        self.out.npm_facts = Some(std::mem::take(&mut self.facts));
        Ok(self.out)
    }
}

/// Parses an npm lockfile.
pub fn parse(
    path: &Path,
    display: &str,
    text: &str,
    lockfile: u32,
    format: Format,
) -> Result<ParsedLockfile, LockfileError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format_name = match format {
        Format::NpmShrinkwrap => "npm-shrinkwrap.json",
        _ => "package-lock.json",
    };
    let cx = Ctx {
        path,
        text,
        lines: LineCursor::new(text),
        lockfile,
        display: display.to_owned(),
    };
    // The version is set once the whole file is read.
    let mut packages = Packages::new(
        &cx,
        ParsedLockfile::new(Some(Ecosystem::Npm), format_name, 0),
    );
    let mut de = serde_json::Deserializer::from_str(body);
    let read = de::DeserializeSeed::deserialize(
        TopSeed {
            packages: &mut packages,
        },
        &mut de,
    )
    .and_then(|top| de.end().map(|()| top));
    let conflict = || crate::error::conflict_error(path, text);
    if let Some(e) = packages.error.take() {
        return Err(conflict().unwrap_or(e));
    }
    let top = match read {
        Ok(t) => t,
        Err(e) => {
            if let Some(c) = conflict() {
                return Err(c);
            }
            let what = match e.classify() {
                serde_json::error::Category::Data => "not an npm lockfile",
                serde_json::error::Category::Eof => "truncated JSON",
                _ => "invalid JSON",
            };
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            return Err(LockfileError::new(
                path,
                Some(Place {
                    line: e.line(),
                    column: e.column(),
                    ..Place::default()
                }),
                LockfileErrorKind::Syntax(format!("{what}: {msg}")),
            ));
        }
    };
    let version = match &top.lockfile_version {
        None => 1,
        Some(n) => match n.as_u64() {
            Some(v @ 1..=3) => v as u32,
            _ => {
                let off = text.find("\"lockfileVersion\"").unwrap_or(0);
                let (line, column) = cx.lines.line_col(off);
                return Err(LockfileError::new(
                    path,
                    Some(Place {
                        line,
                        column,
                        offset: Some(off),
                        pointer: Some("/lockfileVersion".into()),
                    }),
                    LockfileErrorKind::UnsupportedVersion(format!(
                        "`\"lockfileVersion\": {n}`; tollgate reads npm lockfile versions 1 to 3"
                    )),
                ));
            }
        },
    };
    if !top.packages_seen && top.dependencies.is_none() && top.lockfile_version.is_none() {
        return Err(LockfileError::new(
            path,
            Some(Place {
                line: 1,
                column: 1,
                pointer: Some("".into()),
                ..Place::default()
            }),
            LockfileErrorKind::Invalid(
                "not an npm lockfile: no \"lockfileVersion\", \"packages\" or \"dependencies\""
                    .into(),
            ),
        ));
    }
    // npm names the root project even without a package.json `name` (after its folder), and
    // writes `"packages": {}` for a `{}` package.json: such a file is the root and nothing else.
    let has_name = top.name.is_some();
    let mut out = if top.packages_seen {
        // npm ≥ 7 ignores the legacy tree when the `packages` map exists.
        drop(top.dependencies);
        let mut out = packages.finish()?;
        out.no_entries = out.packages.is_empty() && !has_name;
        out
    } else {
        let no_deps = top.dependencies.as_ref().is_none_or(|d| d.0.is_empty());
        let mut out = packages.out;
        parse_v1(
            &cx,
            top.name,
            top.version,
            top.dependencies.unwrap_or_default(),
            &mut out,
        )?;
        out.no_entries = no_deps && !has_name;
        out
    };
    out.version = version;
    out.npm_facts.get_or_insert_with(LockFacts::default).version = version;
    Ok(out)
}

/// The installed name at an install path: the part after the last `node_modules/`.
fn install_name(key: &str) -> &str {
    match key.rfind("node_modules/") {
        Some(i) => &key[i + "node_modules/".len()..],
        None => key,
    }
}

/// Resolves `dep` from the package at `from` like Node: `from/node_modules/dep`, then upwards.
fn resolve(
    lookup: impl Fn(&str) -> Option<usize>,
    from: &str,
    dep: &str,
    buf: &mut String,
) -> Option<usize> {
    resolve_with(lookup, from, dep, buf)
}

/// [`resolve`] over any lookup from install path (`node_modules/a/node_modules/b`) to a node.
pub(crate) fn resolve_with<T>(
    lookup: impl Fn(&str) -> Option<T>,
    from: &str,
    dep: &str,
    buf: &mut String,
) -> Option<T> {
    let mut dir = from;
    loop {
        buf.clear();
        if !dir.is_empty() {
            buf.push_str(dir);
            buf.push('/');
        }
        buf.push_str("node_modules/");
        buf.push_str(dep);
        if let Some(i) = lookup(buf.as_str()) {
            return Some(i);
        }
        if dir.is_empty() {
            return None;
        }
        dir = match dir.rfind('/') {
            Some(i) => &dir[..i],
            None => "",
        };
        // A scope directory (`node_modules/@scope`) is not a package directory: skip it.
        if let Some(i) = dir.rfind('/') {
            if dir[i + 1..].starts_with('@') && dir[..i].ends_with("node_modules") {
                dir = &dir[..i];
            }
        } else if dir.starts_with('@') {
            dir = "";
        }
        if dir == "node_modules" {
            dir = "";
        } else if let Some(stripped) = dir.strip_suffix("/node_modules") {
            dir = stripped;
        }
    }
}

/// Classifies an npm `resolved` value (or a v1 `version` that is a URL / spec).
fn classify_resolved(resolved: Option<&str>, version: &str) -> (Source, Option<Arc<str>>) {
    let spec = resolved.filter(|s| !s.is_empty());
    let Some(spec) = spec else {
        // No `resolved`: a registry package when the version is a plain version.
        if version.is_empty() {
            return (Source::Path, None);
        }
        if looks_like_spec(version) {
            return classify_resolved(Some(version), "");
        }
        return (
            Source::Registry {
                url: None,
                sparse: false,
            },
            None,
        );
    };
    let raw: Arc<str> = Arc::from(spec);
    // Scheme prefixes compare without case; no lower-cased copy of every URL.
    let has_prefix = |p: &str| {
        spec.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    if has_prefix("git+") || has_prefix("git://") || has_prefix("github:") {
        let body = spec.strip_prefix("git+").unwrap_or(spec);
        let (url, frag) = match body.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (body, None),
        };
        let precise = frag.filter(|f| f.len() >= 7 && f.bytes().all(|b| b.is_ascii_hexdigit()));
        let reference = match (frag, precise) {
            (Some(_), Some(p)) => GitRef::Rev(p.to_owned()),
            (Some(f), None) => GitRef::Branch(f.to_owned()),
            (None, _) => GitRef::DefaultBranch,
        };
        return (
            Source::Git(Arc::new(GitSource {
                url: url.to_owned(),
                reference,
                precise: precise.map(str::to_owned),
            })),
            Some(raw),
        );
    }
    if has_prefix("file:") || !spec.contains(':') {
        return (Source::Path, Some(raw));
    }
    if (has_prefix("https://") || has_prefix("http://")) && spec.contains("/-/") {
        return (
            Source::Registry {
                // The tarball URL is the raw source: one string for both.
                url: Some(raw.clone()),
                sparse: false,
            },
            Some(raw),
        );
    }
    (
        Source::Tarball {
            url: spec.to_owned(),
        },
        Some(raw),
    )
}

/// Splits the part of an alias after `npm:` (`@scope/real@1.2.3`, `real@1.2.3`, `real`) into the
/// real name and the version; a leading `@` belongs to the scope.
fn split_alias_spec(spec: &str) -> (&str, &str) {
    let from = usize::from(spec.starts_with('@'));
    match spec[from..].find('@') {
        Some(i) => (&spec[..from + i], &spec[from + i + 1..]),
        None => (spec, ""),
    }
}

fn looks_like_spec(v: &str) -> bool {
    v.contains(':') || v.contains('/')
}

/// Without a root entry (hidden lockfiles), every package nothing depends on is a root.
fn connect_orphan_roots(out: &mut ParsedLockfile) {
    if !out.roots.is_empty() || out.packages.is_empty() {
        return;
    }
    let mut has_parent = vec![false; out.packages.len()];
    for &(f, t, _) in &out.edges {
        if f != t {
            has_parent[t as usize] = true;
        }
    }
    out.roots = (0..out.packages.len())
        .filter(|&i| !has_parent[i])
        .collect();
    if out.roots.is_empty() {
        out.roots.push(0);
    }
}

fn parse_v1(
    cx: &Ctx<'_>,
    name: Option<Str<'_>>,
    version: Option<Str<'_>>,
    deps: Ordered<'_, V1Node<'_>>,
    out: &mut ParsedLockfile,
) -> Result<(), LockfileError> {
    // The root project is a node of its own.
    let root_name = name
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    out.packages.push(Package {
        id: format!("{}#.", cx.display),
        ecosystem: Ecosystem::Npm,
        name: root_name,
        version: version.map(|v| v.0.into_owned()).unwrap_or_default(),
        source: Source::Path,
        source_raw: None,
        checksum: None,
        integrity: None,
        scopes: Scopes::default(),
        is_root: true,
        location: Location {
            lockfile: cx.lockfile,
            line: 1,
            column: 1,
        },
        npm: Some(Box::default()),
    });
    out.roots.push(0);

    // Flatten the tree into install paths.
    struct Flat<'n, 'a> {
        path: String,
        key: &'n Str<'a>,
        node: &'n V1Node<'a>,
    }
    let mut flat: Vec<Flat<'_, '_>> = Vec::new();
    fn walk<'n, 'a>(prefix: &str, deps: &'n Ordered<'a, V1Node<'a>>, flat: &mut Vec<Flat<'n, 'a>>) {
        for (k, node) in &deps.0 {
            let path = if prefix.is_empty() {
                format!("node_modules/{}", k.as_str())
            } else {
                format!("{prefix}/node_modules/{}", k.as_str())
            };
            flat.push(Flat {
                path: path.clone(),
                key: k,
                node,
            });
            if let Some(d) = &node.dependencies {
                walk(&path, d, flat);
            }
        }
    }
    walk("", &deps, &mut flat);

    out.packages.reserve_exact(flat.len());
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(flat.len());
    for f in &flat {
        let n = f.node;
        let installed_as = f.key.as_str();
        let raw_version = n.version.0.as_ref().map(|s| s.as_str()).unwrap_or("");
        // Aliases: "npm:real-name@1.2.3".
        let (name, version, alias) = match raw_version.strip_prefix("npm:") {
            Some(spec) => {
                let (real, version) = split_alias_spec(spec);
                (
                    real.to_owned(),
                    version.to_owned(),
                    Some(installed_as.to_owned()),
                )
            }
            None => (installed_as.to_owned(), raw_version.to_owned(), None),
        };
        let (source, source_raw) =
            classify_resolved(n.resolved.0.as_ref().map(Str::as_str), &version);
        let integrity = n
            .integrity
            .0
            .as_ref()
            .map(|s| Integrity::from_sri(s.as_str()));
        let checksum = n
            .integrity
            .0
            .as_ref()
            .map(|s| ChecksumText::Verbatim(s.as_str().into()));
        let (line, column) = cx.pos_of(f.key);
        if let Some(i) = &integrity
            && !i.malformed.is_empty()
        {
            out.warnings.push(Diagnostic::at(
                cx.lockfile,
                line,
                format!(
                    "\"{}\": malformed integrity {:?}",
                    f.path,
                    i.malformed.join(" ")
                ),
            ));
        }
        // A local `file:` spec never has `resolved` in v1 (npm 6 writes links that way).
        if looks_like_spec(&version) && !version.starts_with("file:") && n.resolved.0.is_none() {
            out.warnings.push(Diagnostic::at(
                cx.lockfile,
                line,
                format!(
                    "\"{}\": version is a URL or spec ({version}) and no \"resolved\" is recorded",
                    f.path
                ),
            ));
        }
        let idx = out.packages.len();
        out.packages.push(Package {
            id: format!("{}#{}", cx.display, f.path),
            ecosystem: Ecosystem::Npm,
            name,
            version,
            source,
            source_raw,
            checksum,
            integrity,
            scopes: Scopes {
                dev: n.dev.0,
                optional: n.optional.0,
                ..Scopes::default()
            },
            is_root: false,
            location: Location {
                lockfile: cx.lockfile,
                line,
                column,
            },
            npm: Some(Box::new(NpmMeta {
                path: f.path.clone(),
                in_bundle: n.bundled.0,
                alias,
                ..NpmMeta::default()
            })),
        });
        if let Some(first) = index.insert(f.path.as_str(), idx) {
            let pointer: Vec<String> = f.path["node_modules/".len()..]
                .split("/node_modules/")
                .map(pointer_segment)
                .collect();
            return Err(cx.duplicate_key(
                f.key,
                format!("/dependencies/{}", pointer.join("/dependencies/")),
                out.packages[first].location.line,
            ));
        }
    }
    let mut buf = String::new();
    let mut has_parent = vec![false; out.packages.len()];
    for (fi, f) in flat.iter().enumerate() {
        let from = fi + 1;
        let Some(Requires::Map(req)) = &f.node.requires else {
            continue;
        };
        for (dep, _) in &req.0 {
            match resolve(|k| index.get(k).copied(), &f.path, dep.as_str(), &mut buf) {
                Some(to) => {
                    out.edges.push((from as u32, to as u32, DepKind::Normal));
                    if to != from {
                        has_parent[to] = true;
                    }
                }
                None => {
                    if !f.node.optional.0 {
                        out.unresolved.push((
                            from,
                            UnresolvedDep {
                                lockfile: cx.lockfile,
                                spec: dep.as_str().to_owned(),
                                line: cx.pos_of(dep).0,
                                reason: UnresolvedReason::Missing,
                                why: format!("is not installed at or above \"{}\"", f.path),
                                message: format!(
                                    "\"{}\" requires \"{}\", which is not installed at or above it",
                                    f.path,
                                    dep.as_str()
                                ),
                            },
                        ));
                    }
                }
            }
        }
    }
    // The v1 format does not record the root's own dependencies: top-level nodes nothing else
    // requires are taken as the root's direct dependencies.
    for (fi, f) in flat.iter().enumerate() {
        let idx = fi + 1;
        if !f.path["node_modules/".len()..].contains("/node_modules/") && !has_parent[idx] {
            let kind = match (f.node.dev.0, f.node.optional.0) {
                (true, _) => DepKind::Dev,
                (false, true) => DepKind::Optional,
                _ => DepKind::Normal,
            };
            out.edges.push((0, idx as u32, kind));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> ParsedLockfile {
        parse(
            Path::new("package-lock.json"),
            "package-lock.json",
            s,
            0,
            Format::PackageLock,
        )
        .expect("parses")
    }

    #[test]
    fn missing_dependencies_are_typed_except_those_of_external_link_targets() {
        let p = parse_str(
            r#"{"name":"r","lockfileVersion":3,"packages":{
  "": {"dependencies": {"a": "1", "ext": "../ext"}},
  "../ext": {"name": "ext", "dependencies": {"app": "file:./app"}},
  "node_modules/ext": {"resolved": "../ext", "link": true},
  "node_modules/a": {"version": "1.0.0", "dependencies": {"gone": "^1"}}
}}"#,
        );
        let got: Vec<(&str, &str, u32)> = p
            .unresolved
            .iter()
            .map(|(from, u)| (p.packages[*from].name.as_str(), u.spec.as_str(), u.line))
            .collect();
        assert_eq!(
            got,
            [("a", "gone", 5)],
            "not `app` of the external `../ext`"
        );
        assert_eq!(p.unresolved[0].1.reason, UnresolvedReason::Missing);
        assert!(!p.no_entries);
    }

    #[test]
    fn no_entries_only_without_any_entry_and_without_a_root_name() {
        for (text, none) in [
            (r#"{"lockfileVersion":3}"#, true),
            (
                r#"{"lockfileVersion":3,"packages":{},"dependencies":{}}"#,
                true,
            ),
            (r#"{"lockfileVersion":1,"dependencies":{}}"#, true),
            (
                r#"{"name":"b","lockfileVersion":3,"requires":true,"packages":{}}"#,
                false,
            ),
            (
                r#"{"name":"c","version":"1.0.0","lockfileVersion":1}"#,
                false,
            ),
            (r#"{"lockfileVersion":3,"packages":{"":{}}}"#, false),
        ] {
            assert_eq!(parse_str(text).no_entries, none, "{text}");
        }
    }

    #[test]
    fn node_resolution_walks_up() {
        let p = parse_str(
            r#"{"lockfileVersion": 3, "packages": {
  "": {"name": "root", "dependencies": {"a": "^1"}, "devDependencies": {"d": "1"}},
  "node_modules/a": {"version": "1.0", "dependencies": {"b": "^2", "c": "1"}},
  "node_modules/a/node_modules/b": {"version": "2.0", "dependencies": {"c": "1"}},
  "node_modules/b": {"version": "1.0"},
  "node_modules/c": {"version": "1.0"},
  "node_modules/d": {"version": "1.0", "dev": true}
}}"#,
        );
        assert_eq!(p.packages.len(), 6);
        let id = |k: &str| {
            p.packages
                .iter()
                .position(|x| x.npm.as_ref().unwrap().path == k)
                .unwrap() as u32
        };
        let has = |f: &str, t: &str| p.edges.iter().any(|e| e.0 == id(f) && e.1 == id(t));
        assert!(has("node_modules/a", "node_modules/a/node_modules/b"));
        assert!(!has("node_modules/a", "node_modules/b"));
        assert!(has("node_modules/a/node_modules/b", "node_modules/c"));
        assert!(
            p.edges
                .iter()
                .any(|e| e.0 == id("") && e.1 == id("node_modules/d") && e.2 == DepKind::Dev)
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages[1].location.line, 3);
    }

    #[test]
    fn scoped_nested_resolution() {
        let p = parse_str(
            r#"{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"@s/a": "1"}},
  "node_modules/@s/a": {"version": "1.0", "dependencies": {"b": "1"}},
  "node_modules/b": {"version": "1.0"}
}}"#,
        );
        assert_eq!(p.edges.len(), 2, "{:?}", p.warnings);
    }

    #[test]
    fn links_and_aliases() {
        let p = parse_str(
            r#"{"lockfileVersion": 2, "packages": {
  "": {"workspaces": ["packages/*"], "dependencies": {"w": "*", "al": "npm:real@1.0"}},
  "packages/w": {"name": "w", "version": "0.1.0"},
  "node_modules/w": {"resolved": "packages/w", "link": true},
  "node_modules/al": {"name": "real", "version": "1.0", "resolved": "https://registry.npmjs.test/real/-/real-1.0.tgz", "integrity": "sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA="}
}}"#,
        );
        assert_eq!(p.packages.len(), 3);
        let al = &p.packages[2];
        assert_eq!(al.name, "real");
        assert_eq!(al.npm.as_ref().unwrap().alias.as_deref(), Some("al"));
        assert_eq!(p.edges.len(), 2, "{:?}", p.warnings);
        assert!(p.packages[1].is_root);
    }

    #[test]
    fn v1_tree_is_flattened() {
        let p = parse_str(
            r#"{"name": "r", "version": "1.0", "lockfileVersion": 1, "requires": true, "dependencies": {
  "a": {"version": "1.0", "requires": {"b": "^1"}, "dependencies": {"b": {"version": "1.5.0"}}},
  "b": {"version": "2.0", "dev": true},
  "x": {"version": "npm:y@3.0"}
}}"#,
        );
        assert_eq!(p.packages.len(), 5);
        assert_eq!(p.packages[4].name, "y");
        assert_eq!(p.packages[4].version, "3.0");
        // a -> a/b (nested), root -> a, b, x
        assert_eq!(p.edges.len(), 4);
    }

    #[test]
    fn alias_specs_split_at_the_version_at() {
        assert_eq!(split_alias_spec("@s/real@1.0.0"), ("@s/real", "1.0.0"));
        assert_eq!(split_alias_spec("real@1.0.0"), ("real", "1.0.0"));
        assert_eq!(split_alias_spec("real"), ("real", ""));
        // Degenerate specs (hand-edited or fuzzed files) must not panic.
        assert_eq!(split_alias_spec(""), ("", ""));
        assert_eq!(split_alias_spec("@"), ("@", ""));
        assert_eq!(split_alias_spec("é@1"), ("é", "1"));
        let p = parse_str(
            r#"{"lockfileVersion": 1, "dependencies": {"a": {"version": "npm:"}, "b": {"version": "npm:é"}}}"#,
        );
        assert_eq!(p.packages.len(), 3);
        assert_eq!(p.packages[2].name, "é");
    }

    fn parse_err(s: &str) -> LockfileError {
        parse(
            Path::new("package-lock.json"),
            "package-lock.json",
            s,
            0,
            Format::PackageLock,
        )
        .unwrap_err()
    }

    #[test]
    fn accepts_distinct_keys_at_different_depths() {
        let p = parse_str(
            r#"{"lockfileVersion": 3, "packages": {
  "node_modules/a": {"version": "1.0.0"},
  "node_modules/b/node_modules/a": {"version": "2.0.0"},
  "node_modules/b": {"version": "1.0.0", "dependencies": {"a": "2"}}
}}"#,
        );
        assert_eq!(p.packages.len(), 3);
    }

    #[test]
    fn rejects_duplicate_package_keys_naming_both_lines() {
        // npm keeps the last of two equal keys; a reader that kept the first would check a
        // package npm never installs.
        let e = parse_err(
            "{\"lockfileVersion\": 3, \"packages\": {\n  \"node_modules/@s/a\": {\"version\": \"1.0.0\"},\n  \"node_modules/@s/a\": {\"version\": \"6.6.6\"}\n}}",
        );
        let place = e.place.as_ref().unwrap();
        assert_eq!(place.line, 3);
        assert_eq!(
            place.pointer.as_deref(),
            Some("/packages/node_modules~1@s~1a")
        );
        assert!(e.to_string().contains("first at line 2"), "{e}");
        // A link and a package under one key, and `.` beside `""`.
        let e = parse_err(
            "{\"lockfileVersion\": 3, \"packages\": {\n\"packages/w\": {},\n\"node_modules/w\": {\"version\": \"1.0.0\"},\n\"node_modules/w\": {\"resolved\": \"packages/w\", \"link\": true}}}",
        );
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(4), "{e}");
        let e = parse_err("{\"lockfileVersion\": 3, \"packages\": {\"\": {}, \".\": {}}}");
        assert!(e.to_string().contains("duplicate key \".\""), "{e}");
    }

    #[test]
    fn rejects_duplicate_v1_tree_keys() {
        let e = parse_err(
            "{\"lockfileVersion\": 1, \"dependencies\": {\"a\": {\"version\": \"1.0.0\", \"dependencies\": {\n\"b\": {\"version\": \"1.0.0\"},\n\"b\": {\"version\": \"2.0.0\"}}}}}",
        );
        let place = e.place.as_ref().unwrap();
        assert_eq!(place.line, 3);
        assert_eq!(
            place.pointer.as_deref(),
            Some("/dependencies/a/dependencies/b")
        );
    }

    #[test]
    fn accepts_v1_file_specs_without_resolved() {
        let p = parse_str(
            r#"{"lockfileVersion": 1, "dependencies": {"linked": {"version": "file:target"}}}"#,
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages[1].source, Source::Path);
    }

    #[test]
    fn rejects_v1_url_versions_without_resolved_with_a_warning() {
        let p = parse_str(
            r#"{"lockfileVersion": 1, "dependencies": {"x": {"version": "https://registry.npmjs.test/x/-/x-1.2.3.tgz"}}}"#,
        );
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(p.warnings[0].message.contains("no \"resolved\""));
    }

    #[test]
    fn rejects_conflict_markers_with_line() {
        let e = parse(
            Path::new("package-lock.json"),
            "package-lock.json",
            "{\n<<<<<<< HEAD\n\"a\": 1\n=======\n\"a\": 2\n>>>>>>> x\n}\n",
            0,
            Format::PackageLock,
        )
        .unwrap_err();
        assert_eq!(e.kind, LockfileErrorKind::MergeConflict);
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(2));
    }

    #[test]
    fn rejects_wrong_types_with_line() {
        let e = parse(
            Path::new("package-lock.json"),
            "package-lock.json",
            "{\"lockfileVersion\": 3,\n \"packages\": []}",
            0,
            Format::PackageLock,
        )
        .unwrap_err();
        assert_eq!(e.place.as_ref().map(|p| p.line), Some(2));
        assert!(e.to_string().contains("not an npm lockfile"), "{e}");
    }
}

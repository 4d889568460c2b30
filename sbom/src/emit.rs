//! The pretty-printed JSON of `components[]` and `dependencies[]` entries, written by hand:
//! byte for byte what `serde_json::to_writer_pretty` writes for [`Component`] and
//! [`crate::model::Dependency`] at their depth in the document (two-space indent, `"key": value`, `,\n`
//! between members, `[]` for an empty array), at a fraction of the cost (serde_json escapes
//! strings a byte at a time and writes the indentation a level at a time; these are ~95 % of a
//! large SBOM). Field order and omissions follow the serde attributes of [`crate::model`]; the
//! unit tests and the corpus test hold the two equal (a field added to the model needs adding
//! here too).

use crate::model::{Component, License};

/// Indentation of the `components` / `dependencies` entries (inside the top-level object).
pub(crate) const ENTRY_DEPTH: usize = 2;

/// Spaces enough for the deepest line written here.
const SPACES: &[u8; 32] = b"                                ";

/// Whether JSON needs any of `b` escaped (a control character, `"` or `\\`).
fn needs_escape(b: &[u8]) -> bool {
    let escaped = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    // Sixteen bytes at a time without an early exit inside: the inner loop vectorises.
    let mut chunks = b.chunks_exact(16);
    for c in &mut chunks {
        if c.iter().fold(false, |e, &b| e | escaped(b)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| escaped(b))
}

/// A JSON string, escaped exactly as serde_json escapes it.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // serde_json's own escaping for the rare string that needs it (writing to a Vec does
        // not fail).
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Before an entry of a top-level array (`components`, `dependencies`): `,` unless it is the
/// first, a line break and the entry's indentation.
pub(crate) fn entry_start(out: &mut Vec<u8>, first: bool) {
    if !first {
        out.push(b',');
    }
    newline(out, ENTRY_DEPTH);
}

/// The end of a top-level array of entries (`any`: not empty).
pub(crate) fn entries_end(out: &mut Vec<u8>, any: bool) {
    if any {
        newline(out, ENTRY_DEPTH - 1);
    }
    out.push(b']');
}

/// A line break and the indentation of `depth`.
fn newline(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.extend_from_slice(&SPACES[..(2 * depth).min(SPACES.len())]);
}

/// A JSON object being written at `depth` (its members at `depth + 1`).
struct Object<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    first: bool,
}

impl<'o> Object<'o> {
    fn new(out: &'o mut Vec<u8>, depth: usize) -> Self {
        out.push(b'{');
        Object {
            out,
            depth,
            first: true,
        }
    }

    /// Starts member `key` (a plain key: no escaping needed), up to its value.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        newline(self.out, self.depth + 1);
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self.out
    }

    /// A string member.
    fn str(&mut self, key: &str, value: &str) {
        let out = self.key(key);
        string(out, value);
    }

    /// An array member of `items`, each written by `item` at the array's depth + 1.
    fn array<T>(&mut self, key: &str, items: &[T], item: impl Fn(&mut Vec<u8>, usize, &T)) {
        let depth = self.depth + 1;
        let out = self.key(key);
        array(out, depth, items, item);
    }

    fn end(self) {
        if !self.first {
            newline(self.out, self.depth);
        }
        self.out.push(b'}');
    }
}

/// An array at `depth` of `items`, each written by `item` at `depth + 1`.
fn array<T>(out: &mut Vec<u8>, depth: usize, items: &[T], item: impl Fn(&mut Vec<u8>, usize, &T)) {
    out.push(b'[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        newline(out, depth + 1);
        item(out, depth + 1, x);
    }
    if !items.is_empty() {
        newline(out, depth);
    }
    out.push(b']');
}

/// A `{"name": …, "value": …}`-shaped object of two string members.
fn pair(out: &mut Vec<u8>, depth: usize, a: (&str, &str), b: (&str, &str)) {
    let mut o = Object::new(out, depth);
    o.str(a.0, a.1);
    o.str(b.0, b.1);
    o.end();
}

/// One `components[]` entry at `depth`.
pub(crate) fn component(out: &mut Vec<u8>, depth: usize, c: &Component) {
    let mut o = Object::new(out, depth);
    o.str("type", c.kind);
    o.str("bom-ref", &c.bom_ref);
    if let Some(g) = &c.group {
        o.str("group", g);
    }
    o.str("name", &c.name);
    if let Some(v) = &c.version {
        o.str("version", v);
    }
    if let Some(s) = c.scope {
        o.str("scope", s);
    }
    if !c.hashes.is_empty() {
        o.array("hashes", &c.hashes, |out, d, h| {
            pair(out, d, ("alg", h.alg), ("content", &h.content));
        });
    }
    if !c.licenses.is_empty() {
        o.array("licenses", &c.licenses, |out, d, l| {
            let mut lo = Object::new(out, d);
            match l {
                License::Expression { expression } => lo.str("expression", expression),
                License::Named { license } => {
                    let out = lo.key("license");
                    let mut n = Object::new(out, d + 1);
                    n.str("name", &license.name);
                    n.end();
                }
            }
            lo.end();
        });
    }
    if let Some(p) = &c.purl {
        o.str("purl", p);
    }
    if !c.external_references.is_empty() {
        o.array("externalReferences", &c.external_references, |out, d, r| {
            pair(out, d, ("type", r.kind), ("url", &r.url));
        });
    }
    if !c.properties.is_empty() {
        o.array("properties", &c.properties, |out, d, p| {
            pair(out, d, ("name", p.name), ("value", &p.value));
        });
    }
    o.end();
}

/// One `dependencies[]` entry at `depth`: `reference` and the `dependsOn` refs.
pub(crate) fn dependency<'r>(
    out: &mut Vec<u8>,
    depth: usize,
    reference: &str,
    depends_on: impl ExactSizeIterator<Item = &'r str>,
) {
    let mut o = Object::new(out, depth);
    o.str("ref", reference);
    let out = o.key("dependsOn");
    out.push(b'[');
    let any = depends_on.len() > 0;
    for (i, r) in depends_on.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        newline(out, depth + 2);
        string(out, r);
    }
    if any {
        newline(out, depth + 1);
    }
    out.push(b']');
    o.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dependency, ExternalReference, Hash, LicenseName, Property, Ref};

    /// [`dependency`] of a model [`Dependency`].
    fn dependency_entry(out: &mut Vec<u8>, depth: usize, d: &Dependency) {
        dependency(
            out,
            depth,
            &d.reference,
            d.depends_on.iter().map(|r| r.as_str()),
        );
    }

    /// serde_json's bytes of `x` as an entry at [`ENTRY_DEPTH`]: the element of a one-element
    /// array that is a member of the top-level object.
    fn serde_entry<T: serde::Serialize>(x: &T) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Doc<'a, T> {
            a: [&'a T; 1],
        }
        let s = serde_json::to_string_pretty(&Doc { a: [x] }).unwrap();
        let start = s.find("[\n    ").unwrap() + 6;
        let end = s.rfind("\n  ]").unwrap();
        s.as_bytes()[start..end].to_vec()
    }

    fn full() -> Component {
        Component {
            kind: "library",
            bom_ref: Ref::new("pkg:npm/%40a/b@1.0.0"),
            group: Some("@a".into()),
            name: "b \"quoted\" \\ \u{1}\t\n\u{7f} é".into(),
            version: Some("1.0.0".into()),
            scope: Some("required"),
            hashes: vec![
                Hash {
                    alg: "SHA-512",
                    content: "ab".into(),
                },
                Hash {
                    alg: "SHA-1",
                    content: "cd".into(),
                },
            ],
            licenses: vec![
                License::Expression {
                    expression: "MIT".into(),
                },
                License::Named {
                    license: LicenseName {
                        name: "SEE LICENSE IN x".into(),
                    },
                },
            ],
            purl: Some(Ref::new("pkg:npm/%40a/b@1.0.0")),
            external_references: vec![ExternalReference {
                kind: "vcs",
                url: "git+https://x/y".into(),
            }],
            properties: vec![Property {
                name: "tollgate:lockfile",
                value: "a/package-lock.json".into(),
            }],
        }
    }

    #[test]
    fn components_are_written_as_serde_json_writes_them() {
        let mut minimal = full();
        minimal.group = None;
        minimal.version = None;
        minimal.scope = None;
        minimal.hashes.clear();
        minimal.licenses.clear();
        minimal.purl = None;
        minimal.external_references.clear();
        minimal.properties.clear();
        for c in [full(), minimal] {
            let mut out = Vec::new();
            component(&mut out, ENTRY_DEPTH, &c);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(serde_entry(&c)).unwrap()
            );
        }
    }

    #[test]
    fn dependencies_are_written_as_serde_json_writes_them() {
        for on in [vec![], vec!["a"], vec!["a", "b\"c"]] {
            let d = Dependency {
                reference: Ref::new("x"),
                depends_on: on.iter().map(|s| Ref::new(s)).collect(),
            };
            let mut out = Vec::new();
            dependency_entry(&mut out, ENTRY_DEPTH, &d);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(serde_entry(&d)).unwrap()
            );
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain",
            "a\"b",
            "\\",
            "\u{0}\u{1f}\u{7f}",
            "é€😀",
            "\r\n\t\u{8}\u{c}",
            "sixteen bytes ok and then a \" past the first chunk",
            "0123456789abcdef\\",
            "0123456789abcde\n",
            "0123456789abcdef0123456789abcdef",
        ] {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}

//! Packages: the nodes of the dependency graph, with their source, integrity and scopes.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// The package ecosystem a lockfile belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Rust crates (`Cargo.lock`).
    Cargo,
    /// npm packages (`package-lock.json`, `npm-shrinkwrap.json`).
    Npm,
}

impl Ecosystem {
    /// Every ecosystem.
    pub const ALL: [Ecosystem; 2] = [Ecosystem::Cargo, Ecosystem::Npm];

    /// Lower-case name used in JSON, purls and ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
        }
    }

    /// The ecosystem name used by OSV (`crates.io`, `npm`).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A git reference as written in a lockfile source. Floating references are visible in the type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "value")]
pub enum GitRef {
    /// `?branch=NAME`: floating.
    Branch(String),
    /// `?tag=NAME`: movable.
    Tag(String),
    /// `?rev=REV`: a commit-ish, maybe abbreviated.
    Rev(String),
    /// No reference: the default branch (floating).
    DefaultBranch,
}

/// A git source: the repository, the reference asked for and the commit pinned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GitSource {
    /// Repository URL without query and fragment.
    pub url: String,
    /// The reference the manifest asked for.
    pub reference: GitRef,
    /// The commit the lockfile pinned (`#commit` for Cargo, `#sha` for npm), if any.
    pub precise: Option<String>,
}

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A package registry. `url` is the registry's index URL (Cargo, with its `registry+` or
    /// `sparse+` prefix stripped) or the tarball URL from npm's `resolved`; `None` when an npm lock
    /// entry names no `resolved` URL (the configured registry is implied).
    Registry {
        /// Index or tarball URL, if the lockfile names one. Shared: every package of one Cargo
        /// registry holds the same string, and an npm tarball URL is also the package's
        /// `source_raw`.
        url: Option<Arc<str>>,
        /// `true` for Cargo's sparse protocol (`sparse+`).
        sparse: bool,
    },
    /// A git repository (behind a pointer: git packages are few, and every package pays for the
    /// largest variant; shared, because the packages of one repository and commit have one
    /// source, and a `Cargo.lock` parse clones it per package).
    Git(Arc<GitSource>),
    /// A local path: workspace member, `path =` dependency, npm folder, link target.
    Path,
    /// A tarball URL that is not a registry tarball (npm `resolved` to an arbitrary URL or `file:`).
    Tarball {
        /// The URL or `file:` spec.
        url: String,
    },
    /// Any other source kind (`directory+`, `local-registry+`, …), verbatim.
    Other(String),
}

impl Source {
    /// Short name of the source kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Registry { .. } => "registry",
            Source::Git(_) => "git",
            Source::Path => "path",
            Source::Tarball { .. } => "tarball",
            Source::Other(_) => "other",
        }
    }

    /// `true` for registry packages.
    pub fn is_registry(&self) -> bool {
        matches!(self, Source::Registry { .. })
    }
}

/// Hash algorithms seen in lockfile checksums and SRI strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    /// MD5 (broken).
    Md5,
    /// SHA-1 (broken for collision resistance).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Md5 => 16,
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// `true` for algorithms that still resist collisions.
    pub fn is_strong(self) -> bool {
        matches!(
            self,
            HashAlgorithm::Sha256 | HashAlgorithm::Sha384 | HashAlgorithm::Sha512
        )
    }

    fn from_sri_prefix(s: &str) -> Option<Self> {
        Some(match s {
            "md5" => HashAlgorithm::Md5,
            "sha1" => HashAlgorithm::Sha1,
            "sha256" => HashAlgorithm::Sha256,
            "sha384" => HashAlgorithm::Sha384,
            "sha512" => HashAlgorithm::Sha512,
            _ => return None,
        })
    }
}

/// One parsed digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// The raw digest bytes.
    pub bytes: DigestBytes,
}

/// The bytes of a digest: up to 32 (SHA-256, Cargo's checksums) held inline, longer ones
/// (SHA-512, npm's) on the heap. A `Vec<u8>` cost an allocation (48 bytes of heap for 32 of
/// digest) per package of a Cargo graph.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DigestBytes(smallvec::SmallVec<[u8; 32]>);

impl std::ops::Deref for DigestBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for DigestBytes {
    fn from(v: Vec<u8>) -> Self {
        DigestBytes(smallvec::SmallVec::from_vec(v))
    }
}

impl From<&[u8]> for DigestBytes {
    fn from(v: &[u8]) -> Self {
        DigestBytes(smallvec::SmallVec::from_slice(v))
    }
}

impl std::fmt::Debug for DigestBytes {
    /// As the byte list it is (`[1, 2, …]`), like the `Vec<u8>` it replaced.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

/// A package's digests: a boxed slice, 8 bytes smaller than a `Vec` in every `Package`. (A
/// `SmallVec` holding one inline would save the list's allocation, but grow every `Package` by
/// 40 bytes, which costs a large graph more than it saves.)
pub type Digests = Box<[Digest]>;

/// The parsed checksum or integrity of a package: never a raw string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Integrity {
    /// Well-formed digests, in the order written.
    pub digests: Digests,
    /// Tokens that could not be parsed (unknown algorithm, bad base64, wrong length).
    pub malformed: Box<[String]>,
}

impl Integrity {
    /// Parses a Cargo checksum: 64 hex digits of SHA-256.
    pub fn from_cargo_checksum(s: &str) -> Integrity {
        // Decoded on the stack and kept inline: no allocation per package.
        let mut bytes = [0u8; 32];
        if tollgate_attest::digest::from_hex_into(s, &mut bytes) {
            Integrity {
                digests: Box::new([Digest {
                    algorithm: HashAlgorithm::Sha256,
                    bytes: bytes.as_slice().into(),
                }]),
                malformed: Box::default(),
            }
        } else {
            Integrity {
                digests: Box::default(),
                malformed: Box::new([s.to_owned()]),
            }
        }
    }

    /// Parses a Subresource Integrity string (`sha512-BASE64 sha1-BASE64 …`), as npm writes it.
    pub fn from_sri(s: &str) -> Integrity {
        let (mut digests, mut malformed) = (Vec::new(), Vec::new());
        for token in s.split_ascii_whitespace() {
            // An SRI token may carry `?options` after the digest.
            let token_core = token.split('?').next().unwrap_or(token);
            let parsed = token_core.split_once('-').and_then(|(alg, b64)| {
                let algorithm = HashAlgorithm::from_sri_prefix(alg)?;
                let bytes = decode_base64(b64)?;
                (bytes.len() == algorithm.digest_len()).then(|| Digest {
                    algorithm,
                    bytes: bytes.into(),
                })
            });
            match parsed {
                Some(d) => digests.push(d),
                None => malformed.push(token.to_owned()),
            }
        }
        if digests.is_empty() && malformed.is_empty() {
            malformed.push(s.to_owned());
        }
        Integrity {
            digests: digests.into(),
            malformed: malformed.into(),
        }
    }

    /// The strongest well-formed digest.
    pub fn strongest(&self) -> Option<&Digest> {
        self.digests.iter().max_by_key(|d| d.algorithm)
    }

    /// `true` when at least one well-formed digest uses a collision-resistant algorithm.
    pub fn has_strong(&self) -> bool {
        self.digests.iter().any(|d| d.algorithm.is_strong())
    }
}

/// Decodes hex (either case); `None` on odd length or a non-hex character. (The attestation
/// crate's codec: one implementation for checksums and digests.)
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    tollgate_attest::digest::from_hex(s)
}

/// Encodes bytes as lower-case hex.
pub fn encode_hex(bytes: &[u8]) -> String {
    tollgate_attest::digest::to_hex(bytes)
}

/// Decodes standard base64 (padded or not), as SRI strings use it. Hand-written rather than with
/// `base64ct` (which attest uses for DSSE): SRI hashes are public, so its constant-time decoding
/// buys nothing on this path, which every npm package's integrity goes through, and padded and
/// unpadded input would need two of its decoders. Table-driven.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    const INVALID: u8 = 0xff;
    const TABLE: [u8; 256] = {
        let mut t = [INVALID; 256];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut i = 0;
        while i < 64 {
            t[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        t
    };
    let trimmed = s
        .strip_suffix("==")
        .or_else(|| s.strip_suffix('='))
        .unwrap_or(s);
    if trimmed.is_empty()
        || trimmed.len() % 4 == 1
        || (trimmed.len() != s.len() && !s.len().is_multiple_of(4))
    {
        return None;
    }
    let bytes = trimmed.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let mut chunks = bytes.chunks_exact(4);
    for c in &mut chunks {
        let (a, b, cc, d) = (
            TABLE[c[0] as usize],
            TABLE[c[1] as usize],
            TABLE[c[2] as usize],
            TABLE[c[3] as usize],
        );
        if (a | b | cc | d) == INVALID || (a | b | cc | d) & 0xc0 != 0 {
            return None;
        }
        let n = (a as u32) << 18 | (b as u32) << 12 | (cc as u32) << 6 | d as u32;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let rest = chunks.remainder();
    let mut acc = 0u32;
    for &c in rest {
        let v = TABLE[c as usize];
        if v == INVALID {
            return None;
        }
        acc = acc << 6 | v as u32;
    }
    match rest.len() {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
    Some(out)
}

/// How a package keeps its lockfile checksum string ([`Package::checksum`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChecksumText {
    /// The lower-case hex of the package's one integrity digest, as Cargo writes checksums: the
    /// text is derived from [`Package::integrity`] rather than stored a second time (64 bytes and
    /// an allocation per package of a large `Cargo.lock`).
    LowerHex,
    /// Any other text (upper-case or malformed hex, an npm SRI string), verbatim.
    Verbatim(Box<str>),
}

impl ChecksumText {
    /// The text of a Cargo checksum `s` whose parse is `integrity`: [`ChecksumText::LowerHex`]
    /// exactly when `s` is the lower-case hex of `integrity`'s one digest.
    pub fn cargo(s: &str, integrity: &Integrity) -> ChecksumText {
        let lower_hex = s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        match &integrity.digests[..] {
            [d] if integrity.malformed.is_empty() && lower_hex && s.len() == 2 * d.bytes.len() => {
                ChecksumText::LowerHex
            }
            _ => ChecksumText::Verbatim(s.into()),
        }
    }
}

/// Scope flags of a package: how it is reached from the roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scopes {
    /// Only needed for development (npm `dev`, Cargo dev-dependencies).
    pub dev: bool,
    /// Only reached through optional dependencies (npm `optional`).
    pub optional: bool,
    /// npm `devOptional`: pruned only when both dev and optional dependencies are omitted.
    pub dev_optional: bool,
    /// An npm peer dependency (`peer`).
    pub peer: bool,
    /// Only needed at build time (Cargo build-dependencies).
    pub build: bool,
}

impl Scopes {
    /// The JSON names of the set flags (`dev_optional` is reported separately).
    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.dev {
            v.push("dev");
        }
        if self.optional {
            v.push("optional");
        }
        if self.peer {
            v.push("peer");
        }
        if self.build {
            v.push("build");
        }
        v
    }
}

/// npm-only facts about a lock entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NpmMeta {
    /// The install path key (`node_modules/a/node_modules/b`), `""` for the root project.
    pub path: String,
    /// `hasInstallScript: true`.
    pub has_install_script: bool,
    /// `inBundle: true` (v2/v3) or `bundled: true` (v1): shipped inside its parent's tarball.
    pub in_bundle: bool,
    /// For an alias (`"foo": "npm:bar@1"`), the name the package is installed under.
    pub alias: Option<String>,
    /// `true` for workspace members and other local folders.
    pub workspace: bool,
    /// `extraneous: true`.
    pub extraneous: bool,
    /// `license` (v2/v3 lockfiles copy it from the package's manifest), as written.
    pub license: Option<Box<str>>,
}

/// A place in a lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Location {
    /// Index of the lockfile in [`crate::graph::Graph::lockfiles`].
    pub lockfile: u32,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
}

/// A package: one node of the dependency graph.
#[derive(Debug, Clone)]
pub struct Package {
    /// Stable, unique id (`<lockfile>#<local id>`).
    pub id: String,
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name (for npm aliases: the real package name).
    pub name: String,
    /// Version as written (semver for Cargo; npm may hold a git spec or be empty for folders).
    pub version: String,
    /// Where it comes from.
    pub source: Source,
    /// The source exactly as the lockfile writes it (`None` for path packages). Shared between
    /// the packages of one source (a `Cargo.lock` names its registry once per package).
    pub source_raw: Option<Arc<str>>,
    /// The lock's checksum or integrity string, exactly as written: [`Package::checksum_str`]
    /// gives the text (a Cargo checksum in lower-case hex is not stored twice).
    pub checksum: Option<ChecksumText>,
    /// `checksum`, parsed.
    pub integrity: Option<Integrity>,
    /// Scope flags.
    pub scopes: Scopes,
    /// `true` for a root project or workspace member.
    pub is_root: bool,
    /// Where the entry is written.
    pub location: Location,
    /// npm-only facts (boxed: a Cargo package pays one pointer for them).
    pub npm: Option<Box<NpmMeta>>,
}

impl Package {
    /// The lock's checksum or integrity string, exactly as written.
    pub fn checksum_str(&self) -> Option<Cow<'_, str>> {
        match self.checksum.as_ref()? {
            ChecksumText::Verbatim(s) => Some(Cow::Borrowed(s)),
            ChecksumText::LowerHex => {
                let d = self.integrity.as_ref()?.digests.first()?;
                Some(Cow::Owned(encode_hex(&d.bytes)))
            }
        }
    }

    /// Whether the lock records a non-blank checksum or integrity string: the same answer as
    /// `checksum_str().is_some_and(|c| !c.trim().is_empty())`, without re-encoding the digest
    /// of a lower-case hex checksum (`missing-hash` asks this of every package).
    pub fn has_checksum_text(&self) -> bool {
        match self.checksum.as_ref() {
            None => false,
            Some(ChecksumText::Verbatim(s)) => !s.trim().is_empty(),
            // The hex of a digest is never blank, and present exactly when the digest is.
            Some(ChecksumText::LowerHex) => self
                .integrity
                .as_ref()
                .and_then(|i| i.digests.first())
                .is_some_and(|d| !d.bytes.is_empty()),
        }
    }

    /// `name@version`.
    pub fn display_name(&self) -> String {
        if self.version.is_empty() {
            self.name.clone()
        } else {
            format!("{}@{}", self.name, self.version)
        }
    }
}

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

impl DepKind {
    /// The name used in JSON (`normal`, `dev`, `build`, `optional`, `peer`).
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Normal => "normal",
            DepKind::Dev => "dev",
            DepKind::Build => "build",
            DepKind::Optional => "optional",
            DepKind::Peer => "peer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    /// A Cargo checksum's digest sits inside the integrity (no allocation); an npm SHA-512 is
    /// held too, on the heap; both read back as the bytes they were, and print as a byte list.
    #[test]
    fn digests_hold_their_bytes_inline_up_to_32() {
        let hex = "ab".repeat(32);
        let i = super::Integrity::from_cargo_checksum(&hex);
        assert!(!i.digests[0].bytes.0.spilled(), "32 bytes, inline");
        assert_eq!(&i.digests[0].bytes[..], &[0xab; 32][..]);
        let long = super::DigestBytes::from(vec![7u8; 64]);
        assert!(long.0.spilled());
        assert_eq!(&long[..], &[7u8; 64][..]);
        assert_eq!(
            format!("{:?}", super::DigestBytes::from(&[1u8, 2][..])),
            "[1, 2]"
        );
        // Twin: a malformed checksum has no digest at all.
        assert!(
            super::Integrity::from_cargo_checksum("xyz")
                .digests
                .is_empty()
        );
    }

    #[test]
    fn base64_decodes_like_the_standard() {
        for (b64, raw) in [
            ("", None),
            ("QQ==", Some(&b"A"[..])),
            ("QQ", Some(&b"A"[..])),
            ("QUI=", Some(&b"AB"[..])),
            ("QUI", Some(&b"AB"[..])),
            ("QUJD", Some(&b"ABC"[..])),
            ("QUJDRA==", Some(&b"ABCD"[..])),
            ("+/+/", Some(&[0xfb, 0xff, 0xbf][..])),
        ] {
            if let Some(raw) = raw {
                assert_eq!(decode_base64(b64).as_deref(), Some(raw), "{b64}");
            } else {
                assert_eq!(decode_base64(b64), None, "{b64:?}");
            }
        }
    }

    fn encode(bytes: &[u8], pad: bool) -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..=c.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
            if pad {
                out.push_str(&"=".repeat(3 - c.len()));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn base64_round_trips(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..80), pad: bool) {
            proptest::prop_assert_eq!(decode_base64(&encode(&bytes, pad)), Some(bytes));
        }
    }

    #[test]
    fn cargo_checksums_keep_their_exact_text() {
        use super::{ChecksumText, Integrity};
        let lower = "0123456789abcdef".repeat(4);
        let upper = lower.to_uppercase();
        for (text, derived) in [
            (lower.as_str(), true),
            (upper.as_str(), false),
            ("zz", false),
            ("", false),
            ("  ", false),
            (&lower[..62], false),
        ] {
            let integrity = Integrity::from_cargo_checksum(text);
            let kept = ChecksumText::cargo(text, &integrity);
            assert_eq!(kept == ChecksumText::LowerHex, derived, "{text:?}");
            let p = super::Package {
                id: String::new(),
                ecosystem: super::Ecosystem::Cargo,
                name: "a".into(),
                version: "1.0.0".into(),
                source: super::Source::Path,
                source_raw: None,
                checksum: Some(kept),
                integrity: Some(integrity),
                scopes: super::Scopes::default(),
                is_root: false,
                location: super::Location::default(),
                npm: None,
            };
            assert_eq!(p.checksum_str().as_deref(), Some(text));
            assert_eq!(p.has_checksum_text(), !text.trim().is_empty(), "{text:?}");
            let none = super::Package {
                checksum: None,
                ..p
            };
            assert!(!none.has_checksum_text());
            assert_eq!(none.checksum_str(), None);
        }
    }

    #[test]
    fn rejects_malformed_base64() {
        for bad in [
            "Q",
            "QUJDR",
            "QU-D",
            "QU_D",
            "QUJD=",
            "QQ===",
            "notActuallyTheSha=",
            "é",
        ] {
            assert_eq!(decode_base64(bad), None, "{bad}");
        }
    }
}

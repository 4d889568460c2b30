//! Digest sets (`{"sha256": "…"}`) and streaming file hashing.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::str::FromStr;

use sha2::{Digest as _, Sha256, Sha384, Sha512};

/// A digest algorithm this crate computes and accepts as evidence.
///
/// in-toto digest sets may name many more algorithms (`sha1`, `md5`, `gitCommit`, `dirHash`…);
/// those are kept in [`DigestSet`] as data but never satisfy a match: an algorithm we cannot
/// compute, or one that is broken, proves nothing about an artefact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// Every supported algorithm, strongest last.
    pub const ALL: [DigestAlgorithm; 3] = [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ];

    /// The name used in digest sets and `ALG:HEX` strings.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// Looks an algorithm up by its digest-set name (case-insensitive; `sha-256` accepted).
    pub fn from_name(s: &str) -> Option<DigestAlgorithm> {
        match s.to_ascii_lowercase().replace('-', "").as_str() {
            "sha256" => Some(DigestAlgorithm::Sha256),
            "sha384" => Some(DigestAlgorithm::Sha384),
            "sha512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Hashes bytes.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One digest: algorithm and value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    /// Algorithm.
    pub algorithm: DigestAlgorithm,
    /// Raw digest bytes.
    pub bytes: Vec<u8>,
}

/// A malformed `ALG:HEX` digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid digest `{input}`: {reason}")]
pub struct DigestParseError {
    /// What was given (truncated).
    pub input: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

impl Digest {
    /// Hex of the digest (lower case).
    pub fn hex(&self) -> String {
        to_hex(&self.bytes)
    }
}

impl FromStr for Digest {
    type Err = DigestParseError;

    /// Parses `sha256:HEX` (also `sha384:`, `sha512:`).
    fn from_str(s: &str) -> Result<Digest, DigestParseError> {
        let err = |reason| DigestParseError {
            input: s.chars().take(80).collect(),
            reason,
        };
        let (alg, hex) = s.split_once(':').ok_or(err("expected ALGORITHM:HEX"))?;
        let algorithm = DigestAlgorithm::from_name(alg)
            .ok_or(err("unsupported algorithm (sha256, sha384, sha512)"))?;
        let bytes = from_hex(hex).ok_or(err("not hexadecimal"))?;
        if bytes.len() != algorithm.output_len() {
            return Err(err("wrong length for the algorithm"));
        }
        Ok(Digest { algorithm, bytes })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex())
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    /// From `ALG:HEX`, as [`FromStr`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An in-toto digest set: algorithm name → hex value, as received.
///
/// Entries under algorithms we do not support are kept (for display) but never match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestSet {
    entries: BTreeMap<String, String>,
}

impl DigestSet {
    /// A digest set from raw entries.
    pub fn from_entries(entries: BTreeMap<String, String>) -> Self {
        DigestSet { entries }
    }

    /// A digest set of computed digests.
    pub fn from_digests<'a>(digests: impl IntoIterator<Item = &'a Digest>) -> Self {
        DigestSet {
            entries: digests
                .into_iter()
                .map(|d| (d.algorithm.name().to_owned(), d.hex()))
                .collect(),
        }
    }

    /// The raw entries.
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.entries
    }

    /// `true` when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The supported, well-formed digests of the set.
    pub fn supported(&self) -> Vec<Digest> {
        self.entries
            .iter()
            .filter_map(|(alg, hex)| {
                let algorithm = DigestAlgorithm::from_name(alg)?;
                let bytes = from_hex(hex)?;
                (bytes.len() == algorithm.output_len()).then_some(Digest { algorithm, bytes })
            })
            .collect()
    }

    /// `true` when the set holds `d` under a supported algorithm.
    pub fn contains(&self, d: &Digest) -> bool {
        self.supported().iter().any(|x| x == d)
    }

    /// `true` when both sets share at least one supported algorithm and agree on every supported
    /// algorithm they share. Sets with no supported algorithm in common never match.
    pub fn matches(&self, other: &DigestSet) -> bool {
        let (a, b) = (self.supported(), other.supported());
        let mut common = 0;
        for x in &a {
            for y in b.iter().filter(|y| y.algorithm == x.algorithm) {
                if x.bytes != y.bytes {
                    return false;
                }
                common += 1;
            }
        }
        common > 0
    }
}

/// Hashes a stream with every algorithm in `algorithms` in one pass.
pub fn digest_reader(
    mut r: impl Read,
    algorithms: &[DigestAlgorithm],
) -> std::io::Result<Vec<Digest>> {
    let (mut s256, mut s384, mut s512) = (Sha256::new(), Sha384::new(), Sha512::new());
    let want = |a| algorithms.contains(&a);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        if want(DigestAlgorithm::Sha256) {
            s256.update(chunk);
        }
        if want(DigestAlgorithm::Sha384) {
            s384.update(chunk);
        }
        if want(DigestAlgorithm::Sha512) {
            s512.update(chunk);
        }
    }
    let mut out = Vec::new();
    for a in DigestAlgorithm::ALL {
        if !want(a) {
            continue;
        }
        let bytes = match a {
            DigestAlgorithm::Sha256 => s256.clone().finalize().to_vec(),
            DigestAlgorithm::Sha384 => s384.clone().finalize().to_vec(),
            DigestAlgorithm::Sha512 => s512.clone().finalize().to_vec(),
        };
        out.push(Digest {
            algorithm: a,
            bytes,
        });
    }
    Ok(out)
}

/// Hashes a file (streaming; line endings and bytes untouched) with every supported algorithm.
pub fn digest_file(path: &std::path::Path) -> std::io::Result<DigestSet> {
    let f = std::fs::File::open(path)?;
    Ok(DigestSet::from_digests(&digest_reader(
        f,
        &DigestAlgorithm::ALL,
    )?))
}

/// Lower-case hex.
pub fn to_hex(b: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(HEX[(x >> 4) as usize] as char);
        s.push(HEX[(x & 15) as usize] as char);
    }
    s
}

/// Parses hex (either case); `None` on odd length or a non-hex character.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = vec![0u8; s.len() / 2];
    from_hex_into(s, &mut out).then_some(out)
}

/// Decodes hex (either case) into `out`, which must be exactly half as long as `s`: `false`
/// when the lengths disagree or a character is not hex. For a caller that knows the digest's
/// length and keeps it off the heap (every checksum of a `Cargo.lock`).
pub fn from_hex_into(s: &str, out: &mut [u8]) -> bool {
    let b = s.as_bytes();
    if b.len() != out.len() * 2 {
        return false;
    }
    // A 256-entry table (0xff = not hex) and an error flag or-ed across the loop: one load per
    // character and no early exit in the loop body, which is what callers that hash every
    // checksum of a lockfile through here need (a `match` per character with an early return
    // was ~16 instructions a byte in the profile of `check`).
    const BAD: u8 = 0xff;
    const TABLE: [u8; 256] = {
        let mut t = [BAD; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            t[b'A' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    let mut bad = 0u8;
    for (o, p) in out.iter_mut().zip(b.chunks_exact(2)) {
        let (hi, lo) = (TABLE[p[0] as usize], TABLE[p[1] as usize]);
        bad |= (hi | lo) & 0xf0;
        *o = hi << 4 | (lo & 0x0f);
    }
    bad == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn hex_decodes_into_a_slice_of_half_its_length_only() {
        let mut out = [0u8; 32];
        assert!(from_hex_into(ABC256, &mut out));
        assert_eq!(out.to_vec(), DigestAlgorithm::Sha256.hash(b"abc"));
        assert!(from_hex_into(&ABC256.to_uppercase(), &mut out));
        // Negative twins: a wrong length either way, a character that is not hex.
        assert!(!from_hex_into(&ABC256[2..], &mut out));
        assert!(!from_hex_into(&format!("{ABC256}00"), &mut out));
        assert!(!from_hex_into(&format!("{}zz", &ABC256[2..]), &mut out));
        assert_eq!(from_hex("0g"), None);
        assert_eq!(from_hex("abc"), None);
    }

    #[test]
    fn parses_and_prints_digests() {
        let d: Digest = format!("sha256:{ABC256}").parse().unwrap();
        assert_eq!(d.bytes, DigestAlgorithm::Sha256.hash(b"abc"));
        assert_eq!(d.to_string(), format!("sha256:{ABC256}"));
        assert!(
            format!("sha256:{}", &ABC256[2..])
                .parse::<Digest>()
                .is_err()
        );
        assert!(format!("md5:{ABC256}").parse::<Digest>().is_err());
        assert!("sha256:zz".parse::<Digest>().is_err());
        assert!(ABC256.parse::<Digest>().is_err());
    }

    /// The straightforward reading `from_hex` must agree with (it was the implementation).
    fn from_hex_reference(s: &str) -> Option<Vec<u8>> {
        if !s.len().is_multiple_of(2) {
            return None;
        }
        s.as_bytes()
            .chunks_exact(2)
            .map(|p| {
                // `from_str_radix` alone would take a sign ("+f").
                p.iter().all(u8::is_ascii_hexdigit).then_some(())?;
                u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok()
            })
            .collect()
    }

    #[test]
    fn from_hex_rejects_every_non_hex_byte_and_odd_lengths() {
        assert_eq!(from_hex(""), Some(vec![]));
        assert_eq!(from_hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(from_hex("abc"), None);
        for c in (0u8..=255).filter(|c| !c.is_ascii_hexdigit()) {
            let text = String::from_utf8_lossy(&[b'a', c]).into_owned();
            assert_eq!(from_hex(&text), None, "{c:#x}");
        }
    }

    proptest::proptest! {
        #[test]
        fn from_hex_agrees_with_the_reference(s in "[0-9a-fA-Fg+ ]{0,70}") {
            proptest::prop_assert_eq!(from_hex(&s), from_hex_reference(&s));
        }

        #[test]
        fn from_hex_round_trips(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            proptest::prop_assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes.clone()));
            proptest::prop_assert_eq!(from_hex(&to_hex(&bytes).to_uppercase()), Some(bytes));
        }
    }

    #[test]
    fn accepts_streamed_digest_equal_to_one_shot() {
        let data = vec![7u8; 200_000];
        let ds = digest_reader(&data[..], &DigestAlgorithm::ALL).unwrap();
        for d in ds {
            assert_eq!(d.bytes, d.algorithm.hash(&data));
        }
    }

    #[test]
    fn rejects_match_on_unknown_or_weak_algorithms_only() {
        let mut m = BTreeMap::new();
        m.insert(
            "sha1".to_owned(),
            "a9993e364706816aba3e25717850c26c9cd0d89d".to_owned(),
        );
        m.insert(
            "gitCommit".to_owned(),
            "a9993e364706816aba3e25717850c26c9cd0d89d".to_owned(),
        );
        let a = DigestSet::from_entries(m.clone());
        let b = DigestSet::from_entries(m);
        assert!(!a.matches(&b), "no supported algorithm in common");
    }

    #[test]
    fn accepts_match_on_common_algorithm_rejects_disagreement() {
        let abc =
            DigestSet::from_digests(&digest_reader(&b"abc"[..], &DigestAlgorithm::ALL).unwrap());
        let mut only256 = BTreeMap::new();
        only256.insert("sha256".to_owned(), ABC256.to_uppercase());
        let only256 = DigestSet::from_entries(only256);
        assert!(abc.matches(&only256));
        let abd =
            DigestSet::from_digests(&digest_reader(&b"abd"[..], &DigestAlgorithm::ALL).unwrap());
        assert!(!abd.matches(&only256));
        // One algorithm agrees, another disagrees: no match.
        let mut mixed = abc.entries().clone();
        mixed.insert("sha512".to_owned(), abd.entries()["sha512"].clone());
        assert!(!DigestSet::from_entries(mixed).matches(&abc));
    }
}

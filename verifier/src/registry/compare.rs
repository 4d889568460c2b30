//! Comparing two sets of digests (the lockfile's against the registry's or an artifact's), and
//! hashing a byte stream with several algorithms at once.
//!
//! A lockfile integrity may hold several digests (SRI: `sha512-… sha1-…`); so may a registry
//! record (npm `dist.integrity` plus `dist.shasum`). They match only through an algorithm both
//! sides have, and the strongest common one decides. A weaker common algorithm that disagrees
//! is a mismatch too: both sides must describe the same bytes. No common algorithm is not a
//! match: the caller reports it (or bridges it by hashing the artifact).

use sha1::Digest as _;

use crate::package::{Digest, HashAlgorithm, encode_hex};

/// The outcome of comparing two sets of digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashComparison {
    /// Every common algorithm agrees; `algorithm` is the strongest of them.
    Match {
        /// The strongest common algorithm.
        algorithm: HashAlgorithm,
    },
    /// A common algorithm disagrees (the strongest disagreeing one).
    Mismatch {
        /// The algorithm.
        algorithm: HashAlgorithm,
        /// The expected side's digest of that algorithm (the lockfile's).
        expected: Digest,
        /// The other side's digest of that algorithm.
        actual: Digest,
    },
    /// The two sides share no algorithm.
    NoCommon {
        /// Algorithms of the expected side.
        expected: Vec<HashAlgorithm>,
        /// Algorithms of the other side.
        actual: Vec<HashAlgorithm>,
    },
}

fn algorithms(d: &[Digest]) -> Vec<HashAlgorithm> {
    let mut v: Vec<HashAlgorithm> = d.iter().map(|d| d.algorithm).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    v
}

/// Compares `expected` (the lockfile's digests) with `actual`.
pub fn compare(expected: &[Digest], actual: &[Digest]) -> HashComparison {
    let (ea, aa) = (algorithms(expected), algorithms(actual));
    let common: Vec<HashAlgorithm> = ea.iter().copied().filter(|a| aa.contains(a)).collect();
    let Some(&strongest) = common.first() else {
        return HashComparison::NoCommon {
            expected: ea,
            actual: aa,
        };
    };
    for alg in common {
        let ours: Vec<&Digest> = expected.iter().filter(|d| d.algorithm == alg).collect();
        let theirs: Vec<&Digest> = actual.iter().filter(|d| d.algorithm == alg).collect();
        let agree = ours
            .iter()
            .any(|o| theirs.iter().any(|t| o.bytes == t.bytes));
        if !agree {
            return HashComparison::Mismatch {
                algorithm: alg,
                expected: ours[0].clone(),
                actual: theirs[0].clone(),
            };
        }
    }
    HashComparison::Match {
        algorithm: strongest,
    }
}

/// Lower-case name of an algorithm (`sha512`).
pub fn algorithm_name(a: HashAlgorithm) -> &'static str {
    match a {
        HashAlgorithm::Md5 => "md5",
        HashAlgorithm::Sha1 => "sha1",
        HashAlgorithm::Sha256 => "sha256",
        HashAlgorithm::Sha384 => "sha384",
        HashAlgorithm::Sha512 => "sha512",
    }
}

/// A digest as the lockfiles write it: hex for SHA-256 (Cargo), SRI (`sha512-BASE64`) otherwise.
pub fn display_digest(d: &Digest) -> String {
    match d.algorithm {
        HashAlgorithm::Sha256 => encode_hex(&d.bytes),
        a => format!("{}-{}", algorithm_name(a), encode_base64(&d.bytes)),
    }
}

/// Standard padded base64. Hand-written like `package::decode_base64`: SRI needs only this.
pub fn encode_base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Hashes a stream with several algorithms at once (MD5 is not computed: nothing should rely on
/// it, and `weak-hash` reports lockfiles that do).
pub struct MultiHasher {
    sha1: Option<sha1::Sha1>,
    sha256: Option<sha2::Sha256>,
    sha384: Option<sha2::Sha384>,
    sha512: Option<sha2::Sha512>,
    len: u64,
}

impl MultiHasher {
    /// A hasher for these algorithms (MD5 is ignored).
    pub fn new(algs: &[HashAlgorithm]) -> Self {
        let has = |a| algs.contains(&a);
        MultiHasher {
            sha1: has(HashAlgorithm::Sha1).then(sha1::Sha1::new),
            sha256: has(HashAlgorithm::Sha256).then(sha2::Sha256::new),
            sha384: has(HashAlgorithm::Sha384).then(sha2::Sha384::new),
            sha512: has(HashAlgorithm::Sha512).then(sha2::Sha512::new),
            len: 0,
        }
    }

    /// `true` when at least one algorithm is computed.
    pub fn is_useful(&self) -> bool {
        self.sha1.is_some()
            || self.sha256.is_some()
            || self.sha384.is_some()
            || self.sha512.is_some()
    }

    /// Feeds bytes.
    pub fn update(&mut self, b: &[u8]) {
        self.len += b.len() as u64;
        if let Some(h) = &mut self.sha1 {
            h.update(b);
        }
        if let Some(h) = &mut self.sha256 {
            h.update(b);
        }
        if let Some(h) = &mut self.sha384 {
            h.update(b);
        }
        if let Some(h) = &mut self.sha512 {
            h.update(b);
        }
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// `true` when nothing was fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digests, strongest first.
    pub fn finish(self) -> Vec<Digest> {
        let mut v = Vec::new();
        let mut push = |algorithm, bytes: Vec<u8>| {
            v.push(Digest {
                algorithm,
                bytes: bytes.into(),
            })
        };
        if let Some(h) = self.sha512 {
            push(HashAlgorithm::Sha512, h.finalize().to_vec());
        }
        if let Some(h) = self.sha384 {
            push(HashAlgorithm::Sha384, h.finalize().to_vec());
        }
        if let Some(h) = self.sha256 {
            push(HashAlgorithm::Sha256, h.finalize().to_vec());
        }
        if let Some(h) = self.sha1 {
            push(HashAlgorithm::Sha1, h.finalize().to_vec());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::Integrity;

    fn sri(s: &str) -> Vec<Digest> {
        let i = Integrity::from_sri(s);
        assert!(i.malformed.is_empty(), "{s}");
        i.digests.into_vec()
    }

    fn hashes(body: &[u8]) -> Vec<Digest> {
        let mut h = MultiHasher::new(&[
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]);
        h.update(body);
        h.finish()
    }

    #[test]
    fn base64_round_trips() {
        for n in 0..70u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let enc = encode_base64(&bytes);
            if n > 0 {
                assert_eq!(crate::package::decode_base64(&enc).unwrap(), bytes);
            }
            assert_eq!(enc.len() % 4, 0);
        }
        assert_eq!(encode_base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode_base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(encode_base64(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn hashes_known_vectors() {
        let d = hashes(b"abc");
        let hex: Vec<String> = d.iter().map(|d| encode_hex(&d.bytes)).collect();
        assert!(hex[0].starts_with("ddaf35a193617aba"));
        assert!(hex[1].starts_with("cb00753f45a35e8b"));
        assert_eq!(
            hex[2],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex[3], "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn accepts_the_strongest_common_algorithm() {
        let body = hashes(b"tarball");
        let lock: Vec<Digest> = body
            .iter()
            .filter(|d| d.algorithm == HashAlgorithm::Sha512 || d.algorithm == HashAlgorithm::Sha1)
            .cloned()
            .collect();
        assert_eq!(
            compare(&lock, &body),
            HashComparison::Match {
                algorithm: HashAlgorithm::Sha512
            }
        );
        // A registry with only sha1 still matches through sha1.
        let sha1_only: Vec<Digest> = body
            .iter()
            .filter(|d| d.algorithm == HashAlgorithm::Sha1)
            .cloned()
            .collect();
        assert_eq!(
            compare(&lock, &sha1_only),
            HashComparison::Match {
                algorithm: HashAlgorithm::Sha1
            }
        );
    }

    #[test]
    fn rejects_a_mismatch_on_the_strongest_even_if_a_weak_one_matches() {
        let good = hashes(b"tarball");
        let evil = hashes(b"evil");
        // The lock's sha1 matches (a collision), its sha512 does not.
        let lock = vec![good[3].clone(), evil[0].clone()];
        match compare(&lock, &good) {
            HashComparison::Mismatch { algorithm, .. } => {
                assert_eq!(algorithm, HashAlgorithm::Sha512)
            }
            other => panic!("{other:?}"),
        }
        // And a weaker common algorithm that disagrees is a mismatch too.
        let lock = vec![good[0].clone(), evil[3].clone()];
        match compare(&lock, &good) {
            HashComparison::Mismatch { algorithm, .. } => {
                assert_eq!(algorithm, HashAlgorithm::Sha1)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejects_no_common_algorithm() {
        let lock = sri(
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
        );
        let reg = sri("sha1-qUqP5cyxm6YcTAhz05Hph5gvu9M=");
        assert_eq!(
            compare(&lock, &reg),
            HashComparison::NoCommon {
                expected: vec![HashAlgorithm::Sha512],
                actual: vec![HashAlgorithm::Sha1]
            }
        );
        assert!(matches!(
            compare(&lock, &[]),
            HashComparison::NoCommon { .. }
        ));
    }

    #[test]
    fn accepts_any_of_several_digests_of_one_algorithm() {
        let a = hashes(b"a");
        let b = hashes(b"b");
        let lock = vec![a[0].clone(), b[0].clone()];
        assert!(matches!(
            compare(&lock, &b[..1]),
            HashComparison::Match { .. }
        ));
    }

    #[test]
    fn displays_digests_as_lockfiles_write_them() {
        let d = hashes(b"abc");
        assert!(display_digest(&d[0]).starts_with("sha512-3a81oZNherrMQXNJriBBMRLm"));
        assert_eq!(display_digest(&d[2]).len(), 64);
    }
}

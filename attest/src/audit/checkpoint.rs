//! Checkpoints of an audit log's head in the C2SP signed-note format (`c2sp.org/signed-note`,
//! with the body of `c2sp.org/tlog-checkpoint`, as Rekor v2 and the Go checksum database
//! publish them):
//!
//! ```text
//! <origin>
//! <size>
//! <base64 of the head's thisHash>
//! time <RFC 3339>
//!
//! — <origin> <base64 of key id (4 bytes, big-endian) ‖ signature>
//! ```
//!
//! The "root hash" of a tollgate checkpoint is the `thisHash` of record `size`, which commits to
//! every record before it through the chain. Signatures: Ed25519 (type 0x01, key id =
//! SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]) and ECDSA P-256 (type 0x02, key id = SHA-256(SPKI
//! DER)[:4], DER signature over SHA-256), as the signed-note specification assigns them.
//!
//! Why by hand: the Rust signed-note crates (`signed-note`, `tlog_tiles`) bring their own
//! Ed25519 stack and do not do ECDSA; the format is a few lines of text.

use base64ct::{Base64, Encoding};
use sha2::{Digest as _, Sha256};

use crate::digest::{from_hex, to_hex};
use crate::keys::{KeyAlgorithm, KeyError, PrivateKey, PublicKey, Scheme};

/// The longest checkpoint read.
pub const MAX_CHECKPOINT: usize = 64 * 1024;

/// A log head: what a signed checkpoint says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name, also the key name of its signature.
    pub origin: String,
    /// Number of records.
    pub size: u64,
    /// `thisHash` of record `size` (lowercase hex).
    pub hash: String,
    /// When it was sealed (RFC 3339), from the `time` extension line.
    pub time: Option<String>,
}

/// A checkpoint that cannot be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Not a signed note / checkpoint.
    #[error("checkpoint: malformed: {0}")]
    Malformed(String),
    /// No signature by one of the given keys verifies.
    #[error("checkpoint: {0}")]
    Unverified(String),
    /// A key that cannot sign notes.
    #[error("checkpoint: {0}")]
    Key(String),
}

impl From<KeyError> for CheckpointError {
    fn from(e: KeyError) -> Self {
        CheckpointError::Key(e.to_string())
    }
}

fn note_key(name: &str, k: &PublicKey) -> Result<[u8; 4], CheckpointError> {
    let mut h = Sha256::new();
    match k.algorithm() {
        KeyAlgorithm::Ed25519 => {
            let raw = k
                .ed25519_bytes()
                .ok_or_else(|| CheckpointError::Key("Ed25519 key without its bytes".into()))?;
            h.update(name.as_bytes());
            h.update([0x0a, 0x01]);
            h.update(raw);
        }
        KeyAlgorithm::EcdsaP256 => h.update(k.spki_der()),
        other => {
            return Err(CheckpointError::Key(format!(
                "a {other} key cannot sign a checkpoint (signed notes use Ed25519 or ECDSA P-256)"
            )));
        }
    }
    let d = h.finalize();
    Ok([d[0], d[1], d[2], d[3]])
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

impl Checkpoint {
    /// The note text (ends with a newline).
    pub fn text(&self) -> Result<String, CheckpointError> {
        if !valid_name(&self.origin) {
            return Err(CheckpointError::Malformed(format!(
                "origin `{}` must be non-empty, without spaces or `+`",
                self.origin
            )));
        }
        let hash = from_hex(&self.hash)
            .filter(|h| h.len() == 32)
            .ok_or_else(|| {
                CheckpointError::Malformed(format!("hash `{}` is not SHA-256 hex", self.hash))
            })?;
        let mut t = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            Base64::encode_string(&hash)
        );
        if let Some(time) = &self.time {
            t.push_str(&format!("time {time}\n"));
        }
        Ok(t)
    }

    /// The signed note, signed by `key` under the origin as key name.
    pub fn sign(&self, key: &PrivateKey) -> Result<String, CheckpointError> {
        let text = self.text()?;
        let id = note_key(&self.origin, key.public_key())?;
        let sig = key.sign(text.as_bytes())?;
        let mut blob = id.to_vec();
        blob.extend_from_slice(&sig);
        Ok(format!(
            "{text}\n\u{2014} {} {}\n",
            self.origin,
            Base64::encode_string(&blob)
        ))
    }

    /// Parses a signed checkpoint and verifies it: a signature line whose name and key id are
    /// those of one of `keys` must verify (and every such line must).
    pub fn open(note: &str, keys: &[PublicKey]) -> Result<Checkpoint, CheckpointError> {
        let bad = |s: &str| CheckpointError::Malformed(s.to_owned());
        if note.len() > MAX_CHECKPOINT {
            return Err(bad("larger than 64 KiB"));
        }
        if note.chars().any(|c| c.is_control() && c != '\n') {
            return Err(bad("a control character other than newline"));
        }
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| bad("no blank line before the signatures"))?;
        let text = &note[..split + 1];
        let sigs = &note[split + 2..];
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(bad("no signature lines, or no final newline"));
        }
        let mut verified = 0;
        for l in sigs.lines() {
            let rest = l.strip_prefix("\u{2014} ").ok_or_else(|| {
                bad("a signature line does not start with an em dash and a space")
            })?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| bad("a signature line without a signature"))?;
            let blob = Base64::decode_vec(b64).map_err(|_| bad("a signature is not base64"))?;
            if blob.len() < 5 || !valid_name(name) {
                return Err(bad("a signature line is malformed"));
            }
            for k in keys {
                let Ok(id) = note_key(name, k) else { continue };
                if blob[..4] != id {
                    continue;
                }
                let scheme = match k.algorithm() {
                    KeyAlgorithm::Ed25519 => Scheme::Ed25519,
                    _ => Scheme::EcdsaSha256,
                };
                k.verify_scheme(scheme, text.as_bytes(), &blob[4..])
                    .map_err(|e| {
                        CheckpointError::Unverified(format!(
                            "the signature of `{name}` (key id {}) does not verify: {e}",
                            to_hex(&id)
                        ))
                    })?;
                verified += 1;
            }
        }
        if verified == 0 {
            return Err(CheckpointError::Unverified(
                "no signature by one of the given keys".into(),
            ));
        }
        let mut lines = text.lines();
        let origin = lines.next().unwrap_or_default().to_owned();
        let size = lines
            .next()
            .and_then(|s| {
                s.parse::<u64>()
                    .ok()
                    .filter(|_| !s.starts_with('+') && (s == "0" || !s.starts_with('0')))
            })
            .ok_or_else(|| bad("line 2 is not a tree size"))?;
        let hash = lines
            .next()
            .and_then(|s| Base64::decode_vec(s).ok())
            .filter(|h| h.len() == 32)
            .ok_or_else(|| bad("line 3 is not a base64 SHA-256 hash"))?;
        let time = lines
            .find_map(|l| l.strip_prefix("time "))
            .map(str::to_owned);
        Ok(Checkpoint {
            origin,
            size,
            hash: to_hex(&hash),
            time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::GenerateAlgorithm;
    use proptest::prelude::*;

    fn cp() -> Checkpoint {
        Checkpoint {
            origin: "tollgate.dev/audit".into(),
            size: 3,
            hash: "ab".repeat(32),
            time: Some("2026-03-01T00:00:00Z".into()),
        }
    }

    #[test]
    fn signs_and_opens_with_ed25519_and_p256() {
        for alg in [GenerateAlgorithm::Ed25519, GenerateAlgorithm::EcdsaP256] {
            let k = PrivateKey::generate(alg).unwrap();
            let note = cp().sign(&k).unwrap();
            assert!(note.starts_with("tollgate.dev/audit\n3\nq6ur"), "{note}");
            assert!(note.contains("\n\n\u{2014} tollgate.dev/audit "), "{note}");
            assert_eq!(
                Checkpoint::open(&note, &[k.public_key().clone()]).unwrap(),
                cp()
            );
            // Negative twins: another key; an edited size.
            let other = PrivateKey::generate(alg).unwrap();
            let e = Checkpoint::open(&note, &[other.public_key().clone()]).unwrap_err();
            assert!(
                e.to_string()
                    .contains("no signature by one of the given keys"),
                "{e}"
            );
            let edited = note.replacen("\n3\n", "\n4\n", 1);
            let e = Checkpoint::open(&edited, &[k.public_key().clone()]).unwrap_err();
            assert!(e.to_string().contains("does not verify"), "{e}");
        }
    }

    #[test]
    fn ed25519_key_id_follows_the_signed_note_spec() {
        // golang.org/x/mod/sumdb/note's example verifier key
        // `PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`: 0x01 ‖ key.
        let raw = Base64::decode_vec("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").unwrap();
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&raw[1..].try_into().unwrap()).unwrap();
        let k = PublicKey::from_ed25519(vk);
        assert_eq!(to_hex(&note_key("PeterNeumann", &k).unwrap()), "c74f20a3");
        // The note the same package signs with that key verifies here.
        let note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let e = Checkpoint::open(note, std::slice::from_ref(&k)).unwrap_err();
        // It is a note but not a checkpoint: the signature verified, the body is not a size.
        assert_eq!(
            e,
            CheckpointError::Malformed("line 2 is not a tree size".into())
        );
    }

    proptest! {
        /// Opening never panics, whatever the text.
        #[test]
        fn open_never_panics(s in "\\PC{0,200}(\n\n\u{2014} [a-z]{1,5} [A-Za-z0-9+/=]{0,20}\n)?") {
            let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
            let _ = Checkpoint::open(&s, &[k.public_key().clone()]);
        }
    }
}

//! Verifying a whole log: every record's hash, signature and link, in order; the first break is
//! reported exactly (line, what was expected, what was found).
//!
//! Signatures are checked in batches across the available cores (Ed25519 verification is most
//! of the cost); the result, and which break is reported, do not depend on the threads.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use super::checkpoint::Checkpoint;
use super::record::{self, Read as Record};
use super::{GENESIS_HASH, MAX_LINE};
use crate::keys::PublicKey;

/// Records verified per batch.
const BATCH: usize = 4096;

/// What a verified log holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    /// Number of records.
    pub records: u64,
    /// `thisHash` of the last record ([`GENESIS_HASH`] for an empty log).
    pub head: String,
    /// The key ids that signed, in order of first use.
    pub kids: Vec<String>,
    /// Records whose `verdict` is `PASSED` / `FAILED`.
    pub passed: u64,
    /// See `passed`.
    pub failed: u64,
    /// The checkpoint's size, when one was given and the log extends it.
    pub checkpoint: Option<u64>,
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The 1-based line.
    pub line: u64,
    /// What is wrong there.
    pub kind: BreakKind,
}

/// What is wrong at a [`Break`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakKind {
    /// The last line has no newline (a torn append, or a cut file).
    Truncated,
    /// Not a record.
    Malformed(String),
    /// `thisHash` does not match the record's content: the record was edited.
    Hash {
        /// SHA-256 of the record's canonical form.
        expected: String,
        /// `thisHash` as written.
        found: String,
    },
    /// Signed by a key that is not among the trusted keys (a wrong key, or a rotated key whose
    /// old public key was not given).
    UnknownKey {
        /// The record's `kid`.
        kid: String,
    },
    /// The signature does not verify with the key its `kid` names.
    Signature {
        /// The record's `kid`.
        kid: String,
    },
    /// `seq` is not the line number: a record is missing, repeated or moved.
    Seq {
        /// The line number.
        expected: u64,
        /// `seq` as written.
        found: u64,
        /// The record is a copy of the one on this earlier line.
        duplicate_of: Option<u64>,
    },
    /// `prevHash` is not the previous record's `thisHash`.
    PrevHash {
        /// The previous record's `thisHash`.
        expected: String,
        /// `prevHash` as written.
        found: String,
    },
    /// The record the checkpoint pins has another hash: the history was rewritten.
    CheckpointHash {
        /// The checkpoint's hash.
        expected: String,
        /// The record's `thisHash`.
        found: String,
    },
    /// The log is shorter than the checkpoint: records were removed from its end.
    CheckpointBeyondLog {
        /// The checkpoint's size.
        size: u64,
        /// Records in the log.
        records: u64,
    },
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = self.line;
        match &self.kind {
            BreakKind::Truncated => write!(
                f,
                "line {l}: truncated (no final newline): an interrupted append or a cut file"
            ),
            BreakKind::Malformed(why) => write!(f, "line {l}: not a record: {why}"),
            BreakKind::Hash { expected, found } => write!(
                f,
                "line {l}: thisHash does not match the record (edited): expected {expected}, found {found}"
            ),
            BreakKind::UnknownKey { kid } => write!(
                f,
                "line {l}: signed by key id {kid}, which is none of the given keys \
                 (a wrong key, or a rotated key: pass the old public key with another --key)"
            ),
            BreakKind::Signature { kid } => {
                write!(
                    f,
                    "line {l}: the signature does not verify with key id {kid}"
                )
            }
            BreakKind::Seq {
                expected,
                found,
                duplicate_of,
            } => {
                write!(f, "line {l}: seq: expected {expected}, found {found}")?;
                match duplicate_of {
                    Some(d) => write!(f, " (a duplicate of line {d})"),
                    None if found > expected => write!(
                        f,
                        " (record {expected} is missing, or records are out of order)"
                    ),
                    None => write!(f, " (records are repeated or out of order)"),
                }
            }
            BreakKind::PrevHash { expected, found } => write!(
                f,
                "line {l}: prevHash: expected {expected} (thisHash of line {}), found {found}",
                l - 1
            ),
            BreakKind::CheckpointHash { expected, found } => write!(
                f,
                "line {l}: the checkpoint pins record {l} with hash {expected}, the log has {found} (the history was rewritten)"
            ),
            BreakKind::CheckpointBeyondLog { size, records } => write!(
                f,
                "the checkpoint pins {size} records, the log has {records} (records were removed)"
            ),
        }
    }
}

/// Why a log did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The log could not be read (exit 2).
    #[error("cannot read the audit log: {0}")]
    Io(#[from] io::Error),
    /// The chain is broken (exit 1).
    #[error("{0}")]
    Broken(Break),
}

/// A line checked on its own (parsed, hashed, signature verified), before the links.
struct Checked {
    line: u64,
    result: Result<Record, BreakKind>,
}

/// A line parsed and hashed, its key found, its signature not yet checked.
struct Parsed {
    rec: Record,
    key: usize,
}

/// Parses one line on its own: JSON, `thisHash`, the key (not the signature).
fn parse_line(line: &[u8], complete: bool, kids: &[String]) -> Result<Parsed, BreakKind> {
    if !complete {
        return Err(if line.len() > MAX_LINE {
            BreakKind::Malformed(format!("longer than {MAX_LINE} bytes"))
        } else {
            BreakKind::Truncated
        });
    }
    let rec = record::read(&line[..line.len() - 1]).map_err(BreakKind::Malformed)?;
    if rec.computed_hash != rec.this_hash {
        return Err(BreakKind::Hash {
            expected: rec.computed_hash,
            found: rec.this_hash,
        });
    }
    let Some(key) = kids.iter().position(|k| *k == rec.kid) else {
        return Err(BreakKind::UnknownKey { kid: rec.kid });
    };
    Ok(Parsed { rec, key })
}

/// One signature checked on its own (the reference the batches fall back to).
fn check_one(p: Parsed, keys: &[PublicKey]) -> Result<Record, BreakKind> {
    let k = &keys[p.key];
    match k.verify_scheme(k.detached_scheme(), &p.rec.signed, &p.rec.signature) {
        Ok(()) => Ok(p.rec),
        Err(_) => Err(BreakKind::Signature { kid: p.rec.kid }),
    }
}

/// Ed25519 signatures checked together per batch of this many.
const SIG_BATCH: usize = 256;

/// Checks the signatures of `parsed` lines: Ed25519 ones in batches
/// (`ed25519_dalek::verify_batch`, one multiscalar multiplication for the batch, about half the
/// cost of one verification each), the others one by one. A batch that fails is checked again
/// one signature at a time with `verify_strict`, so the failure is attributed to exactly the
/// records whose signatures do not verify, as without batches.
///
/// What a passing batch accepts: every signature `verify_strict` accepts, and, besides, only
/// signatures with small-order components that the holder of the private key could make (the
/// batch equation is checked for a random linear combination; it cannot be satisfied for a
/// record the key did not sign). The log trusts that key holder anyway; weak keys are never
/// batched ([`PublicKey::ed25519_batchable`]).
fn check_signatures(
    parsed: Vec<Result<Parsed, BreakKind>>,
    keys: &[PublicKey],
) -> Vec<Result<Record, BreakKind>> {
    let mut out: Vec<Option<Result<Record, BreakKind>>> = Vec::with_capacity(parsed.len());
    // (position in `out`, the record, its key, its signature)
    let mut pending: Vec<(
        usize,
        Parsed,
        ed25519_dalek::VerifyingKey,
        ed25519_dalek::Signature,
    )> = Vec::with_capacity(SIG_BATCH);
    let flush = |pending: &mut Vec<(
        usize,
        Parsed,
        ed25519_dalek::VerifyingKey,
        ed25519_dalek::Signature,
    )>,
                 out: &mut Vec<Option<Result<Record, BreakKind>>>| {
        if pending.is_empty() {
            return;
        }
        let msgs: Vec<&[u8]> = pending.iter().map(|p| p.1.rec.signed.as_slice()).collect();
        let sigs: Vec<ed25519_dalek::Signature> = pending.iter().map(|p| p.3).collect();
        let vks: Vec<ed25519_dalek::VerifyingKey> = pending.iter().map(|p| p.2).collect();
        let ok = ed25519_dalek::verify_batch(&msgs, &sigs, &vks).is_ok();
        for (i, p, _, _) in pending.drain(..) {
            out[i] = Some(if ok { Ok(p.rec) } else { check_one(p, keys) });
        }
    };
    for p in parsed {
        let i = out.len();
        out.push(None);
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                out[i] = Some(Err(e));
                continue;
            }
        };
        let batchable = keys[p.key].ed25519_batchable().copied().and_then(|vk| {
            ed25519_dalek::Signature::from_slice(&p.rec.signature)
                .ok()
                .map(|s| (vk, s))
        });
        match batchable {
            Some((vk, sig)) => {
                pending.push((i, p, vk, sig));
                if pending.len() == SIG_BATCH {
                    flush(&mut pending, &mut out);
                }
            }
            None => out[i] = Some(check_one(p, keys)),
        }
    }
    flush(&mut pending, &mut out);
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(BreakKind::Malformed("could not be checked".into()))))
        .collect()
}

/// Parses and checks lines: JSON, `thisHash`, the key, the signatures; results in line order.
fn check_lines(
    lines: &[(u64, Vec<u8>, bool)],
    kids: &[String],
    keys: &[PublicKey],
) -> Vec<Checked> {
    let parsed = lines
        .iter()
        .map(|(_, l, complete)| parse_line(l, *complete, kids))
        .collect();
    check_signatures(parsed, keys)
        .into_iter()
        .zip(lines)
        .map(|(result, (n, _, _))| Checked { line: *n, result })
        .collect()
}

/// [`check_lines`] over a batch, in parallel across the available cores; results in line order.
fn check_batch(
    lines: &[(u64, Vec<u8>, bool)],
    kids: &[String],
    keys: &[PublicKey],
) -> Vec<Checked> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || lines.len() < 64 {
        return check_lines(lines, kids, keys);
    }
    let per = lines.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(per)
            .map(|c| s.spawn(move || check_lines(c, kids, keys)))
            .collect();
        let mut out = Vec::with_capacity(lines.len());
        for (h, c) in handles.into_iter().zip(lines.chunks(per)) {
            match h.join() {
                Ok(v) => out.extend(v),
                // A worker that died decides nothing: its lines are failures (fail closed).
                Err(_) => out.extend(c.iter().map(|(n, _, _)| Checked {
                    line: *n,
                    result: Err(BreakKind::Malformed("could not be checked".into())),
                })),
            }
        }
        out
    })
}

/// Verifies the log read from `r` against `keys` (every key a record's `kid` may name) and,
/// when given, a checkpoint the log must extend.
pub fn verify_chain<R: Read>(
    r: R,
    keys: &[PublicKey],
    checkpoint: Option<&Checkpoint>,
) -> Result<ChainSummary, ChainError> {
    let kids: Vec<String> = keys.iter().map(PublicKey::keyid).collect();
    let mut reader = BufReader::with_capacity(1 << 16, r);
    let mut summary = ChainSummary {
        records: 0,
        head: GENESIS_HASH.to_owned(),
        kids: Vec::new(),
        passed: 0,
        failed: 0,
        checkpoint: None,
    };
    let mut seen_kids = BTreeSet::new();
    let mut line_no = 0u64;
    // The hash of recent lines, to name duplicates.
    let mut recent: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut batch: Vec<(u64, Vec<u8>, bool)> = Vec::with_capacity(BATCH);
    let mut eof = false;
    while !eof {
        batch.clear();
        while batch.len() < BATCH {
            let mut buf = Vec::with_capacity(1024);
            let n = (&mut reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut buf)?;
            if n == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            let complete = buf.last() == Some(&b'\n');
            batch.push((line_no, buf, complete));
            if !complete {
                // A torn or overlong line ends what can be read as records.
                eof = true;
                break;
            }
        }
        for c in check_batch(&batch, &kids, keys) {
            let at = |kind| ChainError::Broken(Break { line: c.line, kind });
            let rec = c.result.map_err(at)?;
            if rec.seq != c.line {
                return Err(at(BreakKind::Seq {
                    expected: c.line,
                    found: rec.seq,
                    duplicate_of: recent.get(&rec.this_hash).copied(),
                }));
            }
            if rec.prev_hash != summary.head {
                return Err(at(BreakKind::PrevHash {
                    expected: summary.head.clone(),
                    found: rec.prev_hash,
                }));
            }
            if let Some(cp) = checkpoint.filter(|cp| cp.size == c.line && cp.hash != rec.this_hash)
            {
                return Err(at(BreakKind::CheckpointHash {
                    expected: cp.hash.clone(),
                    found: rec.this_hash,
                }));
            }
            if seen_kids.insert(rec.kid.clone()) {
                summary.kids.push(rec.kid.clone());
            }
            match rec.verdict.as_deref() {
                Some("PASSED") => summary.passed += 1,
                Some("FAILED") => summary.failed += 1,
                _ => {}
            }
            if recent.len() > 4 * BATCH {
                recent.clear();
            }
            recent.insert(rec.this_hash.clone(), c.line);
            summary.head = rec.this_hash;
        }
    }
    summary.records = line_no;
    if let Some(cp) = checkpoint {
        if cp.size > line_no {
            return Err(ChainError::Broken(Break {
                line: line_no,
                kind: BreakKind::CheckpointBeyondLog {
                    size: cp.size,
                    records: line_no,
                },
            }));
        }
        summary.checkpoint = Some(cp.size);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::record::{Head, seal};
    use crate::keys::{GenerateAlgorithm, PrivateKey};
    use serde_json::json;

    /// A log of `n` records signed by `k` (the lines, with newlines).
    fn log(n: u64, k: &PrivateKey) -> Vec<String> {
        let mut head = Head::genesis();
        (1..=n)
            .map(|i| {
                let body = json!({"verdict": if i.is_multiple_of(2) { "FAILED" } else { "PASSED" }, "n": i});
                let s = seal(
                    body.as_object().unwrap().clone(),
                    &head,
                    k,
                    "2026-03-01T00:00:00Z",
                )
                .unwrap();
                head = Head {
                    seq: s.seq,
                    hash: s.this_hash,
                };
                String::from_utf8(s.line).unwrap()
            })
            .collect()
    }

    fn broken(lines: &[String], keys: &[PublicKey]) -> Break {
        match verify_chain(lines.concat().as_bytes(), keys, None) {
            Err(ChainError::Broken(b)) => b,
            other => panic!("expected a break, got {other:?}"),
        }
    }

    /// `line` with the `signature` of `other` (a well-formed Ed25519 signature of another
    /// record): the hash still matches, the signature does not.
    fn with_signature_of(line: &str, other: &str) -> String {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        let o: serde_json::Value = serde_json::from_str(other).unwrap();
        v["signature"] = o["signature"].clone();
        let mut out = String::from_utf8(crate::jcs::to_jcs(&v).unwrap()).unwrap();
        out.push('\n');
        out
    }

    #[test]
    fn a_failed_signature_batch_names_exactly_the_first_bad_record() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let keys = [k.public_key().clone()];
        let mut lines = log(1200, &k);
        let s = verify_chain(lines.concat().as_bytes(), &keys, None).unwrap();
        assert_eq!(s.records, 1200);
        // Two forged records in different batches and threads: the first is named.
        lines[899] = with_signature_of(&lines[899], &lines[898]);
        lines[699] = with_signature_of(&lines[699], &lines[698]);
        let b = broken(&lines, &keys);
        assert_eq!(b.line, 700, "{b}");
        assert!(matches!(b.kind, BreakKind::Signature { .. }), "{b}");
        // Its neighbours in the same batch verify: only 900 is left once 700 is mended.
        lines[699] = log(700, &k).pop().unwrap();
        let b = broken(&lines, &keys);
        assert_eq!(b.line, 900, "{b}");
    }

    #[test]
    fn a_whole_chain_verifies_and_every_tamper_is_named() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let keys = [k.public_key().clone()];
        let lines = log(5, &k);
        let s = verify_chain(lines.concat().as_bytes(), &keys, None).unwrap();
        assert_eq!((s.records, s.passed, s.failed), (5, 3, 2));
        assert_eq!(s.kids, vec![k.public_key().keyid()]);

        // Edited record.
        let mut l = lines.clone();
        l[2] = l[2].replace("\"n\":3", "\"n\":30");
        let b = broken(&l, &keys);
        assert_eq!(b.line, 3);
        assert!(matches!(b.kind, BreakKind::Hash { .. }), "{b}");
        assert!(
            b.to_string()
                .starts_with("line 3: thisHash does not match the record (edited)")
        );
        // Deleted record.
        let mut l = lines.clone();
        l.remove(1);
        let b = broken(&l, &keys);
        assert_eq!(
            b.kind,
            BreakKind::Seq {
                expected: 2,
                found: 3,
                duplicate_of: None
            }
        );
        assert!(b.to_string().contains("record 2 is missing"), "{b}");
        // Reordered records.
        let mut l = lines.clone();
        l.swap(2, 3);
        let b = broken(&l, &keys);
        assert_eq!(
            b.kind,
            BreakKind::Seq {
                expected: 3,
                found: 4,
                duplicate_of: None
            }
        );
        // Duplicated record.
        let mut l = lines.clone();
        l.insert(2, l[1].clone());
        let b = broken(&l, &keys);
        assert_eq!(
            b.kind,
            BreakKind::Seq {
                expected: 3,
                found: 2,
                duplicate_of: Some(2)
            }
        );
        assert!(b.to_string().contains("a duplicate of line 2"), "{b}");
        // Wrong key.
        let other = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let b = broken(&lines, &[other.public_key().clone()]);
        assert_eq!(b.line, 1);
        assert!(matches!(b.kind, BreakKind::UnknownKey { .. }), "{b}");
        // Truncated last line.
        let mut l = lines.clone();
        let last = l.pop().unwrap();
        l.push(last[..last.len() / 2].to_owned());
        let b = broken(&l, &keys);
        assert_eq!((b.line, b.kind), (5, BreakKind::Truncated));
        // A record re-signed by another key under the first key's id: the signature fails.
        let forged = log(5, &other);
        let mut l = lines.clone();
        let kid = k.public_key().keyid();
        let okid = other.public_key().keyid();
        l[0] = forged[0].replace(&okid, &kid);
        // (The kid is inside the hashed bytes: rehash so that only the signature is wrong.)
        let mut m: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&l[0]).unwrap();
        let canon = crate::jcs::object_to_jcs_without(&m, &["thisHash", "signature"]).unwrap();
        let h = crate::digest::to_hex(&<sha2::Sha256 as sha2::Digest>::digest(&canon));
        m.insert("thisHash".into(), h.into());
        l[0] = format!("{}\n", serde_json::Value::Object(m));
        let b = broken(&l, &keys);
        assert_eq!(b.line, 1);
        assert!(matches!(b.kind, BreakKind::Signature { .. }), "{b}");
    }

    #[test]
    fn rotation_needs_both_keys() {
        let old = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let new = PrivateKey::generate(GenerateAlgorithm::EcdsaP256).unwrap();
        let mut lines = log(2, &old);
        let r = record::read(lines[1].trim_end().as_bytes()).unwrap();
        let head = Head {
            seq: 2,
            hash: r.this_hash,
        };
        let s = seal(
            json!({"verdict": "PASSED"}).as_object().unwrap().clone(),
            &head,
            &new,
            "t",
        )
        .unwrap();
        lines.push(String::from_utf8(s.line).unwrap());
        let both = [old.public_key().clone(), new.public_key().clone()];
        let s = verify_chain(lines.concat().as_bytes(), &both, None).unwrap();
        assert_eq!(s.kids.len(), 2);
        let b = broken(&lines, &[new.public_key().clone()]);
        assert_eq!(b.line, 1);
        assert!(b.to_string().contains("rotated key"), "{b}");
    }

    #[test]
    fn checkpoints_pin_the_history() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let keys = [k.public_key().clone()];
        let lines = log(4, &k);
        let head3 = record::read(lines[2].trim_end().as_bytes())
            .unwrap()
            .this_hash;
        let cp = Checkpoint {
            origin: "o".into(),
            size: 3,
            hash: head3,
            time: None,
        };
        let s = verify_chain(lines.concat().as_bytes(), &keys, Some(&cp)).unwrap();
        assert_eq!(s.checkpoint, Some(3));
        // The log cut to 2 records.
        let b = match verify_chain(lines[..2].concat().as_bytes(), &keys, Some(&cp)) {
            Err(ChainError::Broken(b)) => b,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            b.kind,
            BreakKind::CheckpointBeyondLog {
                size: 3,
                records: 2
            }
        );
        // A rewritten history (re-signed from record 3 on, with the right key).
        let mut other = lines[..2].to_vec();
        let r = record::read(lines[1].trim_end().as_bytes()).unwrap();
        let mut head = Head {
            seq: 2,
            hash: r.this_hash,
        };
        for i in 3..=4 {
            let s = seal(
                json!({"verdict": "PASSED", "n": i * 10})
                    .as_object()
                    .unwrap()
                    .clone(),
                &head,
                &k,
                "t",
            )
            .unwrap();
            head = Head {
                seq: s.seq,
                hash: s.this_hash,
            };
            other.push(String::from_utf8(s.line).unwrap());
        }
        let b = match verify_chain(other.concat().as_bytes(), &keys, Some(&cp)) {
            Err(ChainError::Broken(b)) => b,
            other => panic!("{other:?}"),
        };
        assert_eq!(b.line, 3);
        assert!(matches!(b.kind, BreakKind::CheckpointHash { .. }), "{b}");
    }

    #[test]
    fn large_batches_report_the_first_bad_signature() {
        let k = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
        let lines = log(300, &k);
        let mut l = lines.clone();
        // Swap in a signature from another record: valid base64, wrong bytes.
        let sig = |s: &str| {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            v["signature"].as_str().unwrap().to_owned()
        };
        for i in [250usize, 120] {
            l[i] = l[i].replace(&sig(&lines[i]), &sig(&lines[i + 1]));
        }
        let b = broken(&l, &[k.public_key().clone()]);
        assert_eq!(b.line, 121);
        assert!(matches!(b.kind, BreakKind::Signature { .. }));
    }
}

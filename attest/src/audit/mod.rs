//! The audit log: a hash-chained, signed JSON Lines file of decisions (tollgate's receipts).
//!
//! Each line is one record, a JSON object in its RFC 8785 (JCS) canonical form:
//!
//! - `seq`: 1, 2, 3, … (the line number);
//! - `prevHash`: the previous record's `thisHash` ([`GENESIS_HASH`], 64 zeros, for the first);
//! - `thisHash`: hex SHA-256 of the record's JCS form without `thisHash` and `signature`;
//! - `signature`: base64 of the signature over the same bytes (ES256/ES384 as DER, Ed25519, or
//!   RS256 PKCS#1 v1.5: what `openssl dgst -verify` / `pkeyutl -verify -rawin` check as is);
//! - `signedAt` (RFC 3339) and `kid` (the signing key's id, on every record so that a rotation
//!   shows), and the caller's fields (the gate's verdict, digests and subjects).
//!
//! Records hold only printable-ASCII strings, integers within ±(2^53 − 1), booleans, arrays and
//! objects, so `jq -cjS 'del(.thisHash, .signature)'` reproduces the signed bytes exactly
//! (`docs/guides/audit-log.md` verifies a log with `openssl`, `jq` and `sha256sum` only).
//!
//! - [`record`]: building ([`record::seal`]) and reading one record;
//! - [`append`]: appending under an exclusive lock, with fsync, refusing a torn last line;
//! - [`verify`]: the whole chain against trusted keys, reporting the first break exactly;
//! - [`checkpoint`]: a signed checkpoint of the head in the C2SP signed-note format.

pub mod append;
pub mod checkpoint;
pub mod record;
pub mod verify;

pub use append::{AppendError, Appended, append};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use record::{Head, RecordError};
pub use verify::{Break, BreakKind, ChainError, ChainSummary, verify_chain};

/// `prevHash` of the first record: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest record line read (1 MiB): a longer line is malformed.
pub const MAX_LINE: usize = 1 << 20;

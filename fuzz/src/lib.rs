//! What every fuzz target asserts: a parser of untrusted input never panics, and either returns
//! a well-formed result or an error that names the file and a place. A violated assertion is a
//! crash libFuzzer records.

use std::collections::HashSet;
use std::path::Path;

use tollgate_verifier::LockfileError;
use tollgate_verifier::lockfile::{self, ParsedLockfile};

/// The oracles for what arrives from the network or a database update (advisories, packuments,
/// sparse-index files, `.npmrc`, `package.json`): one definition, shared with
/// `verifier/tests/untrusted_proptest.rs`.
#[path = "../../verifier/tests/support/untrusted.rs"]
pub mod untrusted;

/// Decodes the input as a lockfile would be read; `None` (after checking the error) when it is
/// not UTF-8.
pub fn decode(path: &Path, data: &[u8]) -> Option<String> {
    match lockfile::decode_text(path, data.to_vec()) {
        Ok(t) => Some(t),
        Err(e) => {
            assert_names_file_and_place(&e, path);
            None
        }
    }
}

/// The error names the file first, then a line or a JSON pointer.
pub fn assert_names_file_and_place(e: &LockfileError, path: &Path) {
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("{}:", path.display())),
        "error does not start with the file: {msg}"
    );
    assert!(
        e.place
            .as_ref()
            .is_some_and(|p| p.line >= 1 || p.pointer.is_some()),
        "error names no place: {msg}"
    );
}

/// Ids unique, edges and roots in range, a root whenever there is a package.
pub fn assert_well_formed(p: &ParsedLockfile) {
    let n = p.packages.len();
    let mut ids = HashSet::new();
    for pkg in &p.packages {
        assert!(ids.insert(pkg.id.as_str()), "duplicate id {}", pkg.id);
    }
    assert!(p.edges.iter().all(|&(f, t, _)| (f as usize) < n && (t as usize) < n));
    assert!(p.roots.iter().all(|&r| r < n));
    assert!(n == 0 || !p.roots.is_empty(), "{n} packages and no root");
}

/// A comparable rendering of a parse result (for differential checks).
pub fn summary(r: &Result<ParsedLockfile, LockfileError>) -> String {
    match r {
        Ok(p) => format!(
            "{}|{:?}|{:?}|{:?}|{:?}",
            p.version, p.packages, p.edges, p.roots, p.warnings
        ),
        Err(e) => format!("error: {e}"),
    }
}

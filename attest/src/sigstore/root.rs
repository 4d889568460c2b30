//! The trusted root a bundle is verified against: the Sigstore production root embedded in the
//! binary (`attest/trust/`, origin in its README), or a `trusted_root.json` the user supplies.
//! Nothing is fetched: refreshing a root through TUF is out of scope by design.

use sigstore_verify::trust_root::TrustedRoot;

use super::error::SigstoreError;

/// The embedded Sigstore production `trusted_root.json`.
pub const PRODUCTION_TRUSTED_ROOT: &str =
    include_str!("../../trust/sigstore-production-trusted_root.json");

/// The largest trusted-root file accepted (the production root is 7 KB).
pub const MAX_TRUSTED_ROOT_SIZE: usize = 4 * 1024 * 1024;

/// A parsed trusted root, ready for [`super::Verifier`].
#[derive(Debug, Clone)]
pub struct TrustRoot {
    pub(crate) root: TrustedRoot,
    origin: RootOrigin,
}

/// Where a [`TrustRoot`] came from, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootOrigin {
    /// The embedded production root.
    EmbeddedProduction,
    /// A file or bytes the caller supplied.
    Supplied,
}

impl TrustRoot {
    /// The embedded Sigstore production root.
    pub fn production() -> Result<TrustRoot, SigstoreError> {
        let root = TrustedRoot::from_json(PRODUCTION_TRUSTED_ROOT)
            .map_err(|e| SigstoreError::TrustedRoot(format!("embedded production root: {e}")))?;
        Ok(TrustRoot {
            root,
            origin: RootOrigin::EmbeddedProduction,
        })
    }

    /// A `trusted_root.json` document (at most [`MAX_TRUSTED_ROOT_SIZE`] bytes).
    pub fn from_json(bytes: &[u8]) -> Result<TrustRoot, SigstoreError> {
        if bytes.len() > MAX_TRUSTED_ROOT_SIZE {
            return Err(SigstoreError::TrustedRoot(format!(
                "larger than the {MAX_TRUSTED_ROOT_SIZE}-byte limit"
            )));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| SigstoreError::TrustedRoot(format!("not UTF-8: {e}")))?;
        let root = TrustedRoot::from_json(text)
            .map_err(|e| SigstoreError::TrustedRoot(format!("not a trusted root: {e}")))?;
        Ok(TrustRoot {
            root,
            origin: RootOrigin::Supplied,
        })
    }

    /// The `sigstore-verify` root inside (the benchmark times the upstream verifier on it).
    pub fn upstream(&self) -> &TrustedRoot {
        &self.root
    }

    /// Where the root came from.
    pub fn origin(&self) -> &RootOrigin {
        &self.origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn embedded_root_is_the_pinned_file_and_parses() {
        let h = sha2::Sha256::digest(PRODUCTION_TRUSTED_ROOT.as_bytes());
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"
        );
        let r = TrustRoot::production().unwrap();
        assert_eq!(r.origin(), &RootOrigin::EmbeddedProduction);
    }

    #[test]
    fn rejects_what_is_not_a_root() {
        for bad in [&b"{"[..], b"[]", b"\xff", b"{\"mediaType\": 1}"] {
            let e = TrustRoot::from_json(bad).unwrap_err();
            assert!(e.is_input_error(), "{e}");
        }
        let big = vec![b' '; MAX_TRUSTED_ROOT_SIZE + 1];
        assert!(
            TrustRoot::from_json(&big)
                .unwrap_err()
                .to_string()
                .contains("limit")
        );
    }
}

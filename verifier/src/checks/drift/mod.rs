//! `lock-drift`: the lockfile does not satisfy its manifest.

mod config;

pub use config::Config;

use std::path::{Path, PathBuf};

use crate::finding::Finding;

use super::CheckCx;

/// Manifests read beside the lockfiles (IO happens in [`Manifests::load`], before checks run).
#[derive(Debug, Clone, Default)]
pub struct Manifests {}

/// Runs the check.
pub fn run(cx: &CheckCx<'_>, _out: &mut Vec<Finding>) {
    let _ = cx.manifests;
}

/// Cargo `path =` dependencies outside the repository (called by `path-outside-repo`).
pub(crate) fn cargo_paths_outside(
    _cx: &CheckCx<'_>,
    _m: &Manifests,
    _root: &Path,
    _allow: &[PathBuf],
    _out: &mut Vec<Finding>,
) {
}

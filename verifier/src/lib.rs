//! # tollgate-verifier
//!
//! The release gate as a library. [`gate::check`] runs it end to end; the `tollgate` binary maps
//! arguments onto it and renders what it returns. Data flows one way, and the modules below are
//! listed in that order:
//!
//! inputs (discovery, lockfiles) → [`graph::Graph`] → loaded data (manifests, the advisory
//! index, registry records) → checks → findings → policy → [`report::Report`] → renderers.
//!
//! Stages that load do the IO ([`discover`], [`lockfile`], [`manifests`], [`advisory`],
//! [`registry`]); [`checks`] are pure functions of what was loaded; [`policy`] decides;
//! [`render`] only shows. Stages that do not need each other's output run two at a time
//! ([`gate::check`]: the manifests and the advisory index load while the lockfiles are parsed;
//! advisory matching runs beside the checks), and what they return does not depend on which
//! thread did what. `ARCHITECTURE.md` at the repository root is the map.

#![forbid(unsafe_code)]

// Shared vocabulary: errors, time, paths and bounded file reads, redaction, HTTP policy.
pub mod error;
pub mod fsio;
pub mod net;
pub mod paths;
pub mod redact;
pub mod time;

// Inputs → graph.
pub mod discover;
pub mod graph;
pub mod lockfile;
pub mod package;
pub mod purl;
pub mod source_urls;
pub mod vex;

// Loaded data.
pub mod advisory;
pub mod manifests;
pub mod provenance;
pub mod registry;

// Checks → findings.
pub mod checks;
pub mod coverage;
pub mod finding;

// Policy → report.
pub mod policy;
pub mod report;
pub mod sources;

// The pipeline, and what reads its result.
pub mod docs;
pub mod evidence;
pub mod gate;
pub mod pipeline;
pub mod render;
pub mod rescan;

pub use discover::{LoadOptions, load_graph};
pub use error::{LoadError, LockfileError};
pub use finding::{Code, Finding, Severity};
pub use graph::{DepKind, Graph, PackageId};
pub use package::{Ecosystem, Package, Source};

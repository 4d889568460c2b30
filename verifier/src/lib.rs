//! # tollgate-verifier
//!
//! Reads lockfiles (`Cargo.lock` v1–v4, npm `package-lock.json` v1–v3 and `npm-shrinkwrap.json`)
//! into one dependency [`graph::Graph`], and (in later stages) runs checks over it and evaluates
//! them against a policy. Data flows one way: lockfile → graph → findings → report.

#![forbid(unsafe_code)]

pub mod advisory;
pub mod discover;
pub mod error;
pub mod fsio;
pub mod graph;
pub mod lockfile;
pub mod manifests;
pub mod package;
pub mod paths;
pub mod purl;

pub use discover::{LoadOptions, load_graph};
pub use error::{LoadError, LockfileError};
pub use graph::{DepKind, Graph, PackageId};
pub use package::{Ecosystem, Package, Source};
pub mod checks;
pub mod finding;
pub mod gate;
pub mod redact;
pub mod registry;
pub mod render;

pub use finding::{Code, Finding, Severity};
pub mod coverage;
pub mod docs;
pub mod pipeline;
pub mod policy;
pub mod report;
pub mod source_urls;
pub mod sources;
pub mod time;

//! in-toto supply-chain layouts (v0.9 semantics) and links, in both wrappings: legacy signed
//! Metablocks and DSSE envelopes, detected per file.
//!
//! Verification follows the reference implementations (python `in_toto.verifylib.in_toto_verify`
//! and in-toto-golang `InTotoVerify`), in this order:
//! 1. every layout key must have signed the layout (Metablock: over the canonical JSON of the
//!    received `signed` value; DSSE: over the PAE of the payload);
//! 2. the layout must not have expired at `now` (`expires <= now` is expired);
//! 3. links are loaded as `<step>.<keyid[:8]>.link` for each authorised key (and, for steps with
//!    in-toto-golang `cert_constraints`, any `<step>.*.link` whose signature carries a
//!    certificate chaining to the layout's root CAs);
//! 4. each step needs `threshold` links validly signed by *distinct* authorised keys (the same
//!    key material under two ids counts once);
//! 5. a link that is itself a layout is a sublayout: verified recursively with the delegating
//!    key, its links in `<step>.<keyid[:8]>/`, and replaced by its summary link;
//! 6. expected commands are compared (a mismatch is a warning, as in the reference);
//! 7. links of one step must agree on materials and products;
//! 8. artefact rules of every step, then inspections (commands run only when asked, see
//!    [`VerifyOptions::run_inspections`]), then the inspections' rules.
//!
//! Stricter than the references, on purpose: a link whose `name` is not the step it is filed
//! under is not counted, and a layout key whose declared id matches none of the ids computed
//! from it is rejected (`keyid mismatch`).

mod certs;
mod inspect;
mod metadata;
pub mod model;
pub mod rules;
mod sign;
mod verify;

use std::path::PathBuf;

use serde::Serialize;

pub use metadata::{Format, Metadata, MetadataError};
pub use model::{Layout, Link};
pub use rules::{ArtifactKind, Rule, RuleFailure};
pub use sign::{SignError, sign_metadata};
pub use verify::verify_layout_file;

/// Verification settings.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The current time, Unix seconds (expiry and certificate validity are checked at it).
    pub now: i64,
    /// Run the layout's inspection commands. Without it, a layout that has inspections fails
    /// closed ([`IntotoError::InspectionsNotRun`]): an inspection is part of what the layout
    /// owner requires, so skipping it cannot pass.
    pub run_inspections: bool,
    /// Time limit per inspection command.
    pub inspection_timeout: std::time::Duration,
    /// Most bytes copied into an inspection's scratch directory.
    pub max_inspection_copy: u64,
}

impl VerifyOptions {
    /// Defaults at `now`: inspections not run, 10 minutes per inspection, 1 GiB copied at most.
    pub fn at(now: i64) -> VerifyOptions {
        VerifyOptions {
            now,
            run_inspections: false,
            inspection_timeout: std::time::Duration::from_secs(600),
            max_inspection_copy: 1 << 30,
        }
    }
}

/// One verified step.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StepReport {
    /// Step name.
    pub name: String,
    /// Required links.
    pub threshold: usize,
    /// Key ids of the functionaries whose links verified.
    pub functionaries: Vec<String>,
    /// `true` when the step was delegated to a sublayout.
    pub sublayout: bool,
}

/// What a successful verification established.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IntotoReport {
    /// Layout wrapping.
    pub layout_format: String,
    /// Layout keys that signed (their primary key ids).
    pub layout_keys: Vec<String>,
    /// `expires` of the layout.
    pub expires: String,
    /// Steps.
    pub steps: Vec<StepReport>,
    /// Inspections that ran.
    pub inspections: Vec<String>,
    /// Non-fatal findings (command misalignment…).
    pub warnings: Vec<String>,
    /// Final products (of the last step): path → hashes.
    pub products: model::Artifacts,
}

/// Why a layout did not verify (or could not be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntotoError {
    /// A file could not be read (input error).
    #[error("{}: {reason}", path.display())]
    Read {
        /// File.
        path: PathBuf,
        /// OS error.
        reason: String,
    },
    /// A layout or link file is malformed (input error).
    #[error(
        "{}{}: malformed {what}: {reason}",
        path.display(),
        place.map(|p| format!(":{p}")).unwrap_or_default()
    )]
    Malformed {
        /// File.
        path: PathBuf,
        /// `layout` or `link`.
        what: &'static str,
        /// What is wrong.
        reason: String,
        /// Where in the file, when known (JSON syntax errors; shape errors of a Metablock's
        /// `signed` value).
        place: Option<crate::json::Place>,
    },
    /// No layout key was given (input error).
    #[error("layout verification needs at least one layout key")]
    NoLayoutKeys,
    /// A layout key did not sign the layout.
    #[error("layout signature: no valid signature by layout key {keyid} ({reason})")]
    LayoutSignature {
        /// Layout file.
        path: PathBuf,
        /// The key that did not sign.
        keyid: String,
        /// Detail.
        reason: String,
    },
    /// The layout has expired.
    #[error("expiry: the layout expired at {expires} (now {now})")]
    Expired {
        /// `expires`.
        expires: String,
        /// The verification time.
        now: String,
    },
    /// Fewer link files than the threshold exist for authorised functionaries.
    #[error(
        "missing link: step `{step}` requires {threshold} link(s) from authorised functionaries, found {found}{}",
        if unauthorized.is_empty() { String::new() } else { format!("; ignored link(s) signed by functionaries the step does not authorise: {}", unauthorized.join(", ")) }
    )]
    MissingLinks {
        /// Step.
        step: String,
        /// Threshold.
        threshold: usize,
        /// Link files found for authorised keys.
        found: usize,
        /// `<step>.*.link` files present for keys the step does not authorise.
        unauthorized: Vec<String>,
    },
    /// Too few links verified under distinct authorised keys.
    #[error(
        "threshold: step `{step}` requires {threshold} link(s) validly signed by distinct authorised functionaries, {valid} verified ({})",
        details.join("; ")
    )]
    LinkThreshold {
        /// Step.
        step: String,
        /// Threshold.
        threshold: usize,
        /// Distinct keys with a valid link.
        valid: usize,
        /// Why the others failed, per file.
        details: Vec<String>,
    },
    /// Links of one step disagree.
    #[error("threshold: links `{a}` and `{b}` of step `{step}` report different artefacts")]
    LinksDiffer {
        /// Step.
        step: String,
        /// One link file.
        a: String,
        /// Another.
        b: String,
    },
    /// An artefact rule failed.
    #[error(
        "rule {} of {item_kind} `{item}` ({}): `{}`: {}",
        failure.index, failure.kind, failure.rule, failure.reason
    )]
    Rule {
        /// `step` or `inspection`.
        item_kind: &'static str,
        /// Its name.
        item: String,
        /// The failure.
        failure: RuleFailure,
    },
    /// The layout has inspections and running them was not allowed.
    #[error(
        "inspections not run: the layout requires inspection(s) {} which execute commands; \
         pass --run-inspections to run them in a scratch directory (verification cannot pass without them)",
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    )]
    InspectionsNotRun {
        /// Inspection names.
        names: Vec<String>,
    },
    /// An inspection could not run or failed.
    #[error("inspection `{name}`: {reason}")]
    Inspection {
        /// Inspection.
        name: String,
        /// What happened.
        reason: String,
    },
    /// A sublayout failed.
    #[error("sublayout of step `{step}`: {source}")]
    Sublayout {
        /// Step.
        step: String,
        /// The inner failure.
        source: Box<IntotoError>,
    },
}

impl IntotoError {
    /// `true` for input errors (exit 2): unreadable or malformed files, missing keys.
    pub fn is_input_error(&self) -> bool {
        match self {
            IntotoError::Read { .. }
            | IntotoError::Malformed { .. }
            | IntotoError::NoLayoutKeys => true,
            IntotoError::Sublayout { source, .. } => source.is_input_error(),
            _ => false,
        }
    }

    /// A short name of the check that failed (for machine-readable reports).
    pub fn check(&self) -> &'static str {
        match self {
            IntotoError::Read { .. }
            | IntotoError::Malformed { .. }
            | IntotoError::NoLayoutKeys => "input",
            IntotoError::LayoutSignature { .. } => "layout-signature",
            IntotoError::Expired { .. } => "expiry",
            IntotoError::MissingLinks { .. } => "missing-link",
            IntotoError::LinkThreshold { .. } | IntotoError::LinksDiffer { .. } => "threshold",
            IntotoError::Rule { .. } => "rule",
            IntotoError::InspectionsNotRun { .. } => "inspections-not-run",
            IntotoError::Inspection { .. } => "inspection",
            IntotoError::Sublayout { source, .. } => source.check(),
        }
    }
}

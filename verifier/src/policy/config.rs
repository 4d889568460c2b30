//! `tollgate.toml`: the policy file. Unknown keys and bad values are errors naming key and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::LineIndex;
use crate::finding::{Code, Severity};
use crate::time::{Duration, Timestamp};

/// The file name looked for.
pub const CONFIG_FILE: &str = "tollgate.toml";

/// What to do with findings of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The severity threshold (`fail-on`) decides.
    #[default]
    Threshold,
    /// Always blocks, whatever the severity.
    Deny,
    /// Reported, never blocks.
    Warn,
    /// Not reported.
    Ignore,
}

/// SLA: how long a finding of each severity may stay open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct SlaConfig {
    /// Critical (default 24h).
    pub critical: Duration,
    /// High (default 7d).
    pub high: Duration,
    /// Medium (default 30d).
    pub medium: Duration,
    /// Low (default 90d).
    pub low: Duration,
}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig {
            critical: Duration(24 * 3600),
            high: Duration(7 * 86_400),
            medium: Duration(30 * 86_400),
            low: Duration(90 * 86_400),
        }
    }
}

impl SlaConfig {
    /// The SLA of a severity, if it has one.
    pub fn for_severity(&self, s: Severity) -> Option<Duration> {
        match s {
            Severity::Critical => Some(self.critical),
            Severity::High => Some(self.high),
            Severity::Medium => Some(self.medium),
            Severity::Low => Some(self.low),
            Severity::None | Severity::Unknown => None,
        }
    }
}

/// A formally accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Waiver {
    /// An advisory id or alias (`RUSTSEC-2020-0071`, `CVE-…`, `GHSA-…`) or a finding kind
    /// (`missing-hash`) or finding id.
    pub id: String,
    /// Only this package name.
    #[serde(default)]
    pub package: Option<String>,
    /// Only versions in this range (Cargo-style requirement: `<0.2`, `=1.2.3`, `>=1, <2`).
    #[serde(default)]
    pub version: Option<String>,
    /// Why the finding is accepted (required).
    pub reason: String,
    /// Who owns the decision.
    #[serde(default)]
    pub owner: Option<String>,
    /// The last day the waiver applies (`YYYY-MM-DD`, inclusive).
    #[serde(default)]
    pub expires: Option<WaiverDate>,
    /// Signed approvals (`[[waiver.approval]]`, written by `tollgate waiver approve`); with
    /// `[policy] require-approved-waivers = true` only approved waivers apply.
    #[serde(default, rename = "approval", skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<WaiverApproval>,
}

/// One approver's signed approval of a waiver (`tollgate_attest::approval`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WaiverApproval {
    /// The approver's key id.
    pub kid: String,
    /// Single-use nonce (recorded in the audit log at first use).
    pub nonce: String,
    /// When it was approved (RFC 3339); it counts only if at most 24 h old at first use.
    pub approved_at: String,
    /// Base64 signature over the approval (see `tollgate_attest::approval::message`).
    pub signature: String,
}

/// `[policy]`: who may approve waivers, and whether only approved waivers apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PolicySection {
    /// Only waivers with valid approvals apply (needs `--audit-log`, where nonces are recorded).
    pub require_approved_waivers: bool,
    /// Distinct approver keys a waiver of a `critical` finding needs (default 1).
    pub critical_approvals: u32,
    /// The approvers: `[[policy.approver]] name = "…"`, `public-key = """PEM"""`.
    #[serde(rename = "approver")]
    pub approvers: Vec<Approver>,
}

impl Default for PolicySection {
    fn default() -> Self {
        PolicySection {
            require_approved_waivers: false,
            critical_approvals: 1,
            approvers: Vec::new(),
        }
    }
}

/// An approver of waivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Approver {
    /// Who (shown in notes).
    pub name: String,
    /// The public key (PEM, inline).
    pub public_key: String,
}

/// A waiver expiry: a TOML date or a `YYYY-MM-DD` string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WaiverDate(pub String);

impl<'de> Deserialize<'de> for WaiverDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Str(String),
            Date(toml::value::Datetime),
        }
        let s = match Raw::deserialize(d)? {
            Raw::Str(s) => s,
            Raw::Date(dt) => dt.to_string(),
        };
        if Timestamp::parse(&s).is_none() || s.len() != 10 {
            return Err(serde::de::Error::custom(date_error(&s)));
        }
        Ok(WaiverDate(s))
    }
}

/// Why `s` is not a `YYYY-MM-DD` date: the shape, or a day that does not exist.
fn date_error(s: &str) -> String {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return format!("invalid date {s:?}: expected YYYY-MM-DD");
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    if !(1..=12).contains(&m) {
        return format!("invalid date {s:?}: there is no month {m}");
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("invalid date {s:?}: {y:04}-{m:02} has {days} days, there is no day {d}")
}

impl WaiverDate {
    /// The first instant the waiver no longer applies (the day after `expires`, 00:00 UTC).
    pub fn end(&self) -> Timestamp {
        Timestamp(Timestamp::parse(&self.0).map(|t| t.0).unwrap_or(0) + 86_400)
    }
}

/// Advisory database settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct AdvisoriesConfig {
    /// Database directory (default: the user cache directory, else the embedded snapshot).
    pub db: Option<PathBuf>,
    /// Warn when the database is older than this many days (default 7).
    pub max_age_days: Option<u32>,
    /// Fail the gate (not only warn) when the database is older than `max-age-days` or of
    /// unknown age (`--fail-on-stale-db`).
    pub fail_on_stale: bool,
    /// Ecosystems (`cargo`, `npm`, or `"*"`) the database may hold no advisories for although
    /// the graph has packages of them. By default such a database is an error: a database with
    /// nothing to match is not "no advisories" (`--allow-empty-db` allows every ecosystem).
    pub allow_empty: Vec<String>,
    /// Sources for `tollgate db update` (directories, archive URLs, git URLs).
    pub sources: Vec<String>,
}

/// The whole `tollgate.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Findings at or above this severity block (default `low`: every vulnerability blocks).
    pub fail_on: Severity,
    /// Block only findings past their SLA (and at or above `fail-on`).
    pub fail_on_overdue: bool,
    /// The severity assumed for findings whose severity is unknown (default `high`: fail closed).
    pub unknown_severity: Severity,
    /// Unmaintained packages (default `warn`).
    pub unmaintained: Action,
    /// Unsound packages (default `warn`).
    pub unsound: Action,
    /// Informational notices (default `warn`).
    pub notice: Action,
    /// Yanked versions (default `deny`).
    pub yanked: Action,
    /// Check dev-only dependencies (default true).
    pub include_dev: bool,
    /// Check optional-only dependencies (default true).
    pub include_optional: bool,
    /// Triage SLAs.
    pub sla: SlaConfig,
    /// Per-kind action overrides, e.g. `install-script = "warn"`.
    pub kinds: BTreeMap<String, Action>,
    /// Per-kind severity overrides, e.g. `weak-hash = "high"`.
    pub severity: BTreeMap<String, Severity>,
    /// Waivers.
    #[serde(rename = "waiver")]
    pub waivers: Vec<Spanned<Waiver>>,
    /// Advisory database.
    pub advisories: AdvisoriesConfig,
    /// Directories (relative to the searched directory) where lockfiles are not looked for,
    /// e.g. test fixtures.
    pub exclude: Vec<PathBuf>,
    /// `[pinning]`: hash pinning checks.
    pub pinning: crate::checks::PinningConfig,
    /// `[sources]`: source checks.
    pub sources: crate::checks::SourcesConfig,
    /// `[registries]`: allowed registries (and where `--verify-registry` asks).
    pub registries: crate::checks::RegistriesConfig,
    /// `[drift]`: manifest vs lockfile.
    pub drift: crate::checks::drift::Config,
    /// `[lockfile]` (`[lockfile.inconsistent]`).
    pub lockfile: crate::checks::LockfileConfig,
    /// `[provenance]`: SLSA provenance policies per package or artefact.
    pub provenance: crate::policy::provenance::ProvenanceConfig,
    /// `[policy]`: waiver approvals.
    pub policy: PolicySection,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fail_on: Severity::Low,
            fail_on_overdue: false,
            unknown_severity: Severity::High,
            unmaintained: Action::Warn,
            unsound: Action::Warn,
            notice: Action::Warn,
            yanked: Action::Deny,
            include_dev: true,
            include_optional: true,
            sla: SlaConfig::default(),
            kinds: BTreeMap::from([("install-script".to_owned(), Action::Warn)]),
            severity: BTreeMap::new(),
            waivers: Vec::new(),
            advisories: AdvisoriesConfig::default(),
            exclude: Vec::new(),
            pinning: Default::default(),
            sources: Default::default(),
            registries: Default::default(),
            drift: Default::default(),
            lockfile: Default::default(),
            provenance: Default::default(),
            policy: PolicySection::default(),
        }
    }
}

/// An error in `tollgate.toml`, naming file, line and key. [`Config::parse`] reports every error
/// of the file at once: the first here, the others in `more` (each shown on its own line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}{}", path.display(), place(*line, *column), more.iter().map(|e| format!("\n{e}")).collect::<String>())]
#[non_exhaustive]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 if unknown).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The file's further errors, in the order found.
    pub more: Vec<ConfigError>,
}

impl ConfigError {
    /// One error.
    pub fn new(path: &Path, line: usize, column: usize, message: String) -> Self {
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
            more: Vec::new(),
        }
    }

    /// The first error with the rest behind it (`None` when there is none).
    fn collect(mut errors: Vec<ConfigError>) -> Option<ConfigError> {
        if errors.is_empty() {
            return None;
        }
        let mut first = errors.remove(0);
        first.more = errors;
        Some(first)
    }
}

/// Most errors reported for one file.
const MAX_ERRORS: usize = 50;

/// The deepest entry of `t` (a table key or an array item) whose key or value span contains
/// `span`, as a path; empty when none does.
fn path_to(t: &DeTable<'_>, span: &std::ops::Range<usize>) -> Vec<PathStep> {
    let inside = |s: std::ops::Range<usize>| s.start <= span.start && span.end <= s.end;
    for (k, v) in t.iter() {
        let step = PathStep::Key(k.get_ref().to_string());
        let deeper = value_path(v, span);
        if !deeper.is_empty() {
            return std::iter::once(step).chain(deeper).collect();
        }
        if inside(k.span()) || inside(v.span()) {
            return vec![step];
        }
    }
    Vec::new()
}

fn value_path(v: &toml::Spanned<DeValue<'_>>, span: &std::ops::Range<usize>) -> Vec<PathStep> {
    match v.get_ref() {
        DeValue::Table(t) => path_to(t, span),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let deeper = value_path(item, span);
                if !deeper.is_empty() {
                    return std::iter::once(PathStep::Index(i)).chain(deeper).collect();
                }
                let s = item.span();
                if s.start <= span.start && span.end <= s.end {
                    return vec![PathStep::Index(i)];
                }
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// One step of a path into the document.
enum PathStep {
    Key(String),
    Index(usize),
}

/// Removes the entry at `path` from `t`; `false` when there is nothing to remove.
fn remove_at<'i>(t: &mut DeTable<'i>, path: &[PathStep]) -> bool {
    let Some((PathStep::Key(k), rest)) = path.split_first() else {
        return false;
    };
    let Some(key) = t
        .keys()
        .find(|x| x.get_ref().as_ref() == k.as_str())
        .cloned()
    else {
        return false;
    };
    if rest.is_empty() {
        return t.remove(&key).is_some();
    }
    t.get_mut(&key)
        .is_some_and(|v| remove_in_value(v.get_mut(), rest))
}

fn remove_in_value<'i>(v: &mut DeValue<'i>, path: &[PathStep]) -> bool {
    match (v, path.split_first()) {
        (DeValue::Table(t), Some(_)) => remove_at(t, path),
        (DeValue::Array(a), Some((PathStep::Index(i), rest))) => {
            if rest.is_empty() {
                let i = *i;
                if i >= a.len() {
                    return false;
                }
                let items: Vec<toml::Spanned<DeValue<'i>>> =
                    std::mem::replace(a, std::iter::empty().collect())
                        .into_iter()
                        .collect();
                *a = items
                    .into_iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, x)| x)
                    .collect();
                true
            } else {
                a.get_mut(*i)
                    .is_some_and(|x| remove_in_value(x.get_mut(), rest))
            }
        }
        _ => false,
    }
}

/// The span of the key `path` (dotted keys as given) in the document.
fn key_span(doc: &DeTable<'_>, path: &[&str]) -> Option<usize> {
    let (first, rest) = path.split_first()?;
    let (k, v) = doc.iter().find(|(k, _)| k.get_ref().as_ref() == *first)?;
    if rest.is_empty() {
        return Some(k.span().start);
    }
    match v.get_ref() {
        DeValue::Table(t) => key_span(t, rest).or(Some(k.span().start)),
        _ => Some(k.span().start),
    }
}

/// `:line:column`, or nothing when the place is unknown (never `:0:0`).
fn place(line: usize, column: usize) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

/// Largest `tollgate.toml` read (a real one is a few KiB).
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

impl Config {
    /// The configuration of the offline checks.
    pub fn checks(&self) -> crate::checks::ChecksConfig {
        crate::checks::ChecksConfig {
            pinning: self.pinning.clone(),
            sources: self.sources.clone(),
            registries: self.registries.clone(),
            drift: self.drift.clone(),
            lockfile: self.lockfile.clone(),
        }
    }

    /// Parses and validates a config file's text. Every error is reported, each at its
    /// line and column from the TOML parser's spans: a value that fails is taken out of the
    /// document and the rest is read again, so one bad key hides no other.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let lines = LineIndex::new(text);
        let err_at = |offset: Option<usize>, message: String| {
            let (line, column) = offset.map(|o| lines.line_col(text, o)).unwrap_or((0, 0));
            ConfigError::new(path, line, column, message)
        };
        let (mut doc, syntax) = DeTable::parse_recoverable(text);
        let mut errors: Vec<ConfigError> = syntax
            .iter()
            .take(MAX_ERRORS)
            .map(|e| err_at(e.span().map(|s| s.start), e.message().trim_end().to_owned()))
            .collect();
        if let Some(e) = ConfigError::collect(errors) {
            return Err(e);
        }
        errors = Vec::new();
        let cfg = loop {
            match Config::deserialize(toml::de::Deserializer::from(doc.clone())) {
                Ok(c) => break c,
                Err(e) => {
                    let span = e.span();
                    errors.push(err_at(
                        span.as_ref().map(|s| s.start),
                        e.message().trim_end().to_owned(),
                    ));
                    let removed = span.is_some_and(|s| {
                        let at = path_to(doc.get_ref(), &s);
                        remove_at(doc.get_mut(), &at)
                    });
                    if !removed || errors.len() >= MAX_ERRORS {
                        return Err(ConfigError::collect(errors).unwrap_or_else(|| {
                            ConfigError::new(path, 0, 0, "invalid config".into())
                        }));
                    }
                }
            }
        };
        for w in &cfg.waivers {
            let at = Some(w.span().start);
            let wv = w.get_ref();
            if wv.reason.trim().is_empty() {
                errors.push(err_at(
                    at,
                    format!("waiver `{}`: `reason` must not be empty", wv.id),
                ));
            }
            if wv.id.trim().is_empty() {
                errors.push(err_at(at, "waiver: `id` must not be empty".into()));
            }
            if let Some(v) = &wv.version
                && semver::VersionReq::parse(v).is_err()
            {
                errors.push(err_at(
                    at,
                    format!(
                        "waiver `{}`: `version = {v:?}` is not a version requirement (e.g. \"<0.2\", \"=1.2.3\")",
                        wv.id
                    ),
                ));
            }
        }
        for (i, a) in cfg.policy.approvers.iter().enumerate() {
            if let Err(e) = tollgate_attest::PublicKey::from_pem(&a.public_key) {
                errors.push(err_at(
                    key_span(doc.get_ref(), &["policy"]),
                    format!(
                        "[[policy.approver]] {} (`{}`): public-key: {e}",
                        i + 1,
                        a.name
                    ),
                ));
            }
        }
        if cfg.policy.critical_approvals == 0 {
            errors.push(err_at(
                key_span(doc.get_ref(), &["policy", "critical-approvals"]),
                "[policy] critical-approvals must be at least 1".into(),
            ));
        }
        if cfg.policy.require_approved_waivers && cfg.policy.approvers.is_empty() {
            errors.push(err_at(
                key_span(doc.get_ref(), &["policy", "require-approved-waivers"]),
                "[policy] require-approved-waivers needs at least one [[policy.approver]]".into(),
            ));
        }
        for w in &cfg.waivers {
            for a in &w.get_ref().approvals {
                if crate::time::Timestamp::parse(&a.approved_at).is_none() {
                    errors.push(err_at(
                        Some(w.span().start),
                        format!(
                            "waiver `{}`: approval approved-at {:?} is not an RFC 3339 time",
                            w.get_ref().id,
                            a.approved_at
                        ),
                    ));
                }
            }
        }
        for (kind, map) in [
            ("packages", &cfg.provenance.packages),
            ("artifacts", &cfg.provenance.artifacts),
        ] {
            for (name, p) in map {
                let complete = if kind == "packages" {
                    crate::policy::provenance::package_policy_complete(p)
                } else {
                    Ok(())
                };
                if let Err(e) = p.validate().map_err(|e| e.to_string()).and(complete) {
                    errors.push(err_at(
                        key_span(doc.get_ref(), &["provenance", kind, name]),
                        format!("[provenance.{kind}.\"{name}\"]: {e}"),
                    ));
                }
            }
        }
        for (table, map) in [
            ("kinds", cfg.kinds.keys().collect::<Vec<_>>()),
            ("severity", cfg.severity.keys().collect()),
        ] {
            for k in map {
                if Code::from_kind(k).is_none() {
                    errors.push(err_at(
                        key_span(doc.get_ref(), &[table, k]),
                        format!("unknown finding kind `{k}` (known: {})", known_kinds()),
                    ));
                }
            }
        }
        match ConfigError::collect(errors) {
            Some(e) => Err(e),
            None => Ok(cfg),
        }
    }

    /// Finds and reads the policy: `explicit` (`--config`) when given; else `tollgate.toml` in
    /// `path`'s directory (`path` itself when it is a directory), else in the current
    /// directory; else the defaults. Returns the file read, if any.
    pub fn discover(
        path: Option<&Path>,
        explicit: Option<&Path>,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        if let Some(p) = explicit {
            return Ok((Config::load(p)?, Some(p.to_path_buf())));
        }
        let base = match path {
            Some(p) if p.is_dir() => p.to_path_buf(),
            Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => PathBuf::from("."),
        };
        for dir in [base, PathBuf::from(".")] {
            let candidate = if dir.as_os_str().is_empty() {
                PathBuf::from(CONFIG_FILE)
            } else {
                dir.join(CONFIG_FILE)
            };
            // A FIFO or directory under the name is read (and refused) rather than skipped.
            if crate::fsio::probe(&candidate).is_ok_and(|p| p != crate::fsio::Probe::Absent) {
                return Ok((Config::load(&candidate)?, Some(candidate)));
            }
        }
        Ok((Config::default(), None))
    }

    /// Reads a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError::new(path, 0, 0, message);
        let bytes =
            crate::fsio::read_regular(path, MAX_CONFIG_SIZE).map_err(|e| err(e.reason()))?;
        let text = crate::lockfile::decode_text(path, bytes).map_err(|e| {
            let (line, column) = e.place.as_ref().map_or((0, 0), |p| (p.line, p.column));
            ConfigError::new(path, line, column, "invalid UTF-8".into())
        })?;
        Config::parse(path, &text)
    }

    /// The action for a finding kind.
    pub fn action_for(&self, code: Code) -> Action {
        if let Some(a) = self.kinds.get(code.kind()) {
            return *a;
        }
        match code {
            Code::Unmaintained => self.unmaintained,
            Code::Unsound => self.unsound,
            Code::Notice => self.notice,
            Code::Yanked => self.yanked,
            _ => Action::Threshold,
        }
    }
}

fn known_kinds() -> String {
    Code::ALL
        .iter()
        .map(|c| c.kind())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The commented default written by `tollgate init`.
pub const DEFAULT_CONFIG_TEMPLATE: &str = r#"# tollgate.toml: the release gate's policy. Every key is optional; shown are the defaults.
# Reference: docs/reference/config.md

# Findings at or above this severity block the release: none < low < medium < high < critical.
fail-on = "low"

# true: block only findings that are past their SLA (and at or above fail-on).
fail-on-overdue = false

# Severity assumed when an advisory has none (fail closed).
unknown-severity = "high"

# What to do with informational advisories and yanked versions: "deny" (always block),
# "warn" (report only), "ignore" (do not report) or "threshold" (fail-on decides).
unmaintained = "warn"
unsound = "warn"
notice = "warn"
yanked = "deny"

# Directories (relative to the searched directory) not searched for lockfiles.
# exclude = ["testdata", "examples"]

# Are dev-only and optional-only dependencies in scope?
include-dev = true
include-optional = true

# Triage SLAs, counted from the advisory's publication (or from when a fix became available,
# whichever is later). A finding past its SLA is "overdue".
[sla]
critical = "24h"
high = "7d"
medium = "30d"
low = "90d"

# Per-kind overrides (kinds: docs/reference/codes.md).
[kinds]
install-script = "warn"

# [severity]
# weak-hash = "high"

# [advisories]
# db = "/path/to/db"            # default: the user cache directory, else the embedded snapshot
# max-age-days = 7              # older (or undated) is stale: a note, or a failure with fail-on-stale
# fail-on-stale = false         # --fail-on-stale-db: a stale database fails the gate
# allow-empty = []              # ecosystems ("cargo", "npm", "*") the database may hold nothing for;
#                               # by default that is an error (exit 2), never "no advisories"
# sources = []                  # `tollgate db update` sources (directories, archive or git URLs);
#                               # default: the RustSec advisory-db and OSV's crates.io and npm exports

# Allowed registries: each ecosystem's public registry (crates.io, registry.npmjs.org) plus these.
# [registries]
# public = true
# npm = ["https://npm.corp.example/"]
# cargo = ["sparse+https://cargo.corp.example/index/"]
# scopes = { "@corp" = "https://npm.corp.example/" }   # scoped packages must come from there
# Where `check --verify-registry` / `--verify-artifacts` fetch from (flags and env beat these):
# npm-url = "https://npm.mirror.example/"     # --registry-url-npm; default: .npmrc, else the lockfile
# cargo-url = "https://cargo.mirror.example/index/"   # --registry-url-cargo; crates.io's sparse index
# mirrors = { "registry+https://git.corp.example/index" = "sparse+https://cargo.corp.example/index/" }
# cache-dir = "/var/cache/tollgate"          # --cache-dir; default: the user cache directory
# artifact-caches = ["~/.cargo/registry/cache"]   # --artifact-cache; read before downloading
# [registries.http]
# concurrency = 16
# connect-timeout = "10s"
# read-timeout = "30s"
# request-timeout = "120s"                  # whole request, body included (stops slow drips)
# retries = 3                               # 429, 5xx and connection failures only; at most 10
# max-retry-after = "60s"
# max-metadata-size = 67108864              # bytes
# max-artifact-size = 536870912             # bytes
# redirect-hosts = []                       # hosts a redirect may lead to (default: same host only)

# Per-check settings: every check has `enabled`, `severity` and `ignore`; some have lists.
# An `ignore` or list entry that matches nothing is reported as stale (a note).
# [pinning.missing-hash]
# ignore = ["left-pad@1.3.0"]
# [pinning.weak-hash]
# accept-sha1 = false                      # sha1-only integrity (md5 and malformed: never)
# [pinning.unpinned-git]                   # git dependencies without a commit: the common keys only
# enabled = true
# [pinning.install-script]
# allow = ["esbuild", "@swc/*"]
# deny = ["evil-*"]
# deny-severity = "high"                   # severity of findings for denied packages
# [sources.unknown-source]
# internal = ["@corp/*"]                   # dependency confusion: must resolve from internal-registries
# internal-registries = ["https://npm.corp.example/"]
# internal-mirrors-public = false          # true: the internal registries also proxy the public one
# check-git = false                        # also check git sources against allow-git
# allow-git = ["github.com/my-org/*"]      # globs over host/path
# allow-urls = ["cdn.example.com/pkgs/*"]  # non-registry URLs (npm tarballs, directory+ sources)
# [sources.credential-in-url]              # a token or password in a lockfile URL: common keys only
# severity = "critical"
# [sources.tarball-mismatch]               # npm: the tarball URL names another package or version
# enabled = true
# [sources.insecure-url]
# allow-hosts = ["localhost"]
# [sources.path-outside-repo]
# allow = ["../shared-crates"]
# [drift]                                   # manifests vs lockfiles (docs/concepts/drift.md)
# enabled = true
# severity = "high"
# use-cargo = false                         # true: also ask `cargo metadata --locked --offline`
# [lockfile.inconsistent]                   # a dependency names a package the lockfile lacks
# enabled = true
# severity = "high"
# ignore = ["my-app"]                       # the package that declares the dependency

# SLSA provenance each package or artefact must have (keys: docs/reference/provenance-policy.md;
# they mirror slsa-verifier's and `gh attestation verify`'s flags). `check --verify-provenance`
# verifies every npm package's attestations and registry signatures and enforces the package
# rules; without the flag, package rules fail the gate rather than pass unchecked.
# [provenance]
# require = ["@myorg/*"]                    # must have verified provenance (globs; "*" = all)
# require-signatures = true                 # registry that signs + unsigned version = finding
# npm-keys = "npm-keys.json"                # default: embedded keys of registry.npmjs.org
# trusted-root = "trusted_root.json"        # default: embedded Sigstore production root
# [provenance.packages."@scope/name"]                        # a name or a glob ("@scope/*")
# source-uri = "github.com/scope/name"                       # required (or repo / owner)
# builder-id = "https://github.com/actions/runner/github-hosted"   # required
# source-versioned-tag = "v2"                                # v2 matches tags v2, v2.1, v2.1.3
# [provenance.artifacts."dist/tool-linux-amd64"]
# source-uri = "github.com/o/tool"
# builder-id = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0"

# A waiver formally accepts a finding until it expires. `reason` is required.
# [[waiver]]
# id = "RUSTSEC-2020-0071"      # advisory id or alias, or a finding kind such as "missing-hash"
# package = "time"              # optional
# version = "<0.2"              # optional version requirement
# reason = "not reachable: we never call the affected function"
# owner = "security@example.com"
# expires = "2026-12-31"        # inclusive; an expired waiver stops applying and is reported
# [[waiver.approval]]           # `tollgate waiver approve` prints one (docs/guides/audit-log.md)

# Signed waiver approvals: with require-approved-waivers only waivers approved by the approvers
# apply (each approval at most 24 h old at first use, its nonce single-use, recorded in the audit
# log: needs `check --audit-log LOG --key KEY`).
# [policy]
# require-approved-waivers = false
# critical-approvals = 1        # distinct approvers a waiver of a critical finding needs
# [[policy.approver]]
# name = "alice"
# public-key = """
# -----BEGIN PUBLIC KEY-----
# ...
# -----END PUBLIC KEY-----
# """
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_template_parses_to_defaults() {
        let c = Config::parse(Path::new("tollgate.toml"), DEFAULT_CONFIG_TEMPLATE).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn rejects_unknown_key_with_line() {
        let e = Config::parse(
            Path::new("t.toml"),
            "fail-on = \"high\"\nfial-on-overdue = true\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("fial-on-overdue"), "{e}");
    }

    #[test]
    fn rejects_bad_severity_with_line() {
        let e = Config::parse(Path::new("t.toml"), "\nfail-on = \"severe\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("t.toml:2:"), "{e}");
    }

    #[test]
    fn rejects_waiver_without_reason() {
        let e = Config::parse(Path::new("t.toml"), "[[waiver]]\nid = \"X\"\n").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = Config::parse(
            Path::new("t.toml"),
            "[[waiver]]\nid = \"X\"\nreason = \" \"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
    }

    #[test]
    fn accepts_waiver_dates_as_toml_dates_or_strings() {
        let c = Config::parse(
            Path::new("t.toml"),
            "[[waiver]]\nid = \"X\"\nreason = \"r\"\nexpires = 2026-12-31\n[[waiver]]\nid = \"Y\"\nreason = \"r\"\nexpires = \"2026-01-01\"\n",
        )
        .unwrap();
        assert_eq!(c.waivers.len(), 2);
        assert!(
            Config::parse(
                Path::new("t.toml"),
                "[[waiver]]\nid = \"X\"\nreason = \"r\"\nexpires = \"soon\"\n"
            )
            .is_err()
        );
    }

    #[test]
    fn accepts_provenance_policies_per_package_and_artifact() {
        let c = Config::parse(
            Path::new("t.toml"),
            "[provenance]\nrequire = [\"@req/*\"]\n[provenance.packages.\"@s/n\"]\nsource-uri = \"github.com/s/n\"\nbuilder-id = \"https://github.com/actions/runner/github-hosted\"\n[provenance.packages.\"@g/*\"]\nowner = \"g\"\nbuilder-id = \"https://github.com/actions/runner/github-hosted\"\n[provenance.artifacts.\"dist/x\"]\nrepo = \"o/x\"\nsource-versioned-tag = \"v2\"\n",
        )
        .unwrap();
        assert!(c.provenance.for_package("@s/n").is_some());
        assert!(c.provenance.for_package("@g/anything").is_some());
        assert!(c.provenance.for_package("@s/other").is_none());
        assert!(c.provenance.requires("@req/x") && c.provenance.requires("@g/y"));
        assert!(!c.provenance.requires("left-pad"));
        assert!(
            c.provenance.require_signatures,
            "signatures are required by default"
        );
        assert_eq!(
            c.provenance
                .for_artifact("dist/x")
                .unwrap()
                .source_versioned_tag
                .as_deref(),
            Some("v2")
        );
    }

    #[test]
    fn rejects_invalid_provenance_policy_with_line() {
        let e = Config::parse(
            Path::new("t.toml"),
            "fail-on = \"low\"\n[provenance.packages.\"left-pad\"]\nsource-versioned-tag = \"2\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("semantic version"), "{e}");
        let e = Config::parse(
            Path::new("t.toml"),
            "[provenance.packages.x]\nsource-uri = \"github.com/o/r\"\nbuilderid = \"x\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("builderid"), "{e}");
        // A package policy names its source and builder; the lockfile gives digest and name.
        for (body, says) in [
            (
                "builder-id = \"https://github.com/actions/runner/github-hosted\"\n",
                "source",
            ),
            ("source-uri = \"github.com/o/r\"\n", "builder-id"),
            (
                "source-uri = \"github.com/o/r\"\nbuilder-id = \"https://github.com/actions/runner/github-hosted\"\npackage-name = \"x\"\n",
                "come from the lockfile",
            ),
        ] {
            let e = Config::parse(
                Path::new("t.toml"),
                &format!("[provenance.packages.x]\n{body}"),
            )
            .unwrap_err();
            assert!(e.message.contains(says), "{body}: {e}");
        }
    }

    #[test]
    fn rejects_bad_duration_and_unknown_kind() {
        assert!(Config::parse(Path::new("t.toml"), "[sla]\nhigh = \"7 days\"\n").is_err());
        let e =
            Config::parse(Path::new("t.toml"), "[kinds]\nmissing-hsh = \"warn\"\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn reports_every_error_at_once_with_its_line() {
        let text = "fail-on = \"severe\"\n\
                    [pinning.missing-hash]\n\
                    ignore = [\"a\"]\n\
                    ignroe = [\"b\"]\n\
                    [sources.insecure-url]\n\
                    allow-hosts = \"localhost\"\n\
                    [kinds]\n\
                    missing-hsh = \"warn\"\n";
        let e = Config::parse(Path::new("t.toml"), text).unwrap_err();
        let all: Vec<(usize, &str)> = std::iter::once(&e)
            .chain(&e.more)
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(all.len(), 4, "{e}");
        assert_eq!(all[0].0, 1);
        assert!(all[0].1.contains("severe"), "{e}");
        assert_eq!(all[1].0, 4);
        assert!(all[1].1.contains("ignroe"), "{e}");
        assert_eq!(all[2].0, 6);
        assert!(all[2].1.contains("sequence"), "{e}");
        assert_eq!(all[3].0, 8);
        assert!(all[3].1.contains("missing-hsh"), "{e}");
        let shown = e.to_string();
        assert_eq!(shown.lines().count(), 4, "{shown}");
        assert!(
            shown.lines().nth(1).unwrap().starts_with("t.toml:4:1: "),
            "{shown}"
        );
    }

    #[test]
    fn one_valid_file_reports_nothing_and_keys_in_text_elsewhere_do_not_misplace_errors() {
        // The unknown kind's name also appears in a comment above: the span, not a text search,
        // places the error.
        let text = "# missing-hsh was a typo\n[kinds]\nmissing-hsh = \"warn\"\n";
        let e = Config::parse(Path::new("t.toml"), text).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert!(e.more.is_empty());
    }
}

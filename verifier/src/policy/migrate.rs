//! `tollgate init --from`: cargo-audit's `.cargo/audit.toml` and cargo-deny's `deny.toml` turned
//! into a `tollgate.toml`, with every setting that has no equivalent listed ([`Migration`]).
//!
//! The mapping is data ([`Mapped`], [`Unmapped`]), the text written is checked by
//! [`Config::parse`] before it is returned (a conversion that tollgate would not accept is an
//! error, never a file). The TOML is written by hand, not serialised: the point of the file is
//! its comments, which say where each setting came from.

use std::fmt::Write as _;
use std::path::Path;

use crate::finding::Severity;
use crate::policy::config::{Config, ConfigError};

/// The tool a configuration file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// cargo-audit (`.cargo/audit.toml`).
    CargoAudit,
    /// cargo-deny (`deny.toml`).
    CargoDeny,
}

impl Tool {
    /// The tool's name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::CargoAudit => "cargo-audit",
            Tool::CargoDeny => "cargo-deny",
        }
    }
}

/// A setting carried over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The source key (`advisories.ignore`).
    pub from: String,
    /// Its line in the source file (0 when unknown).
    pub line: usize,
    /// The tollgate key it became (`[[waiver]]`, `fail-on`).
    pub to: String,
}

/// Why a setting was not carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// tollgate has no such check or setting.
    NoEquivalent,
    /// A command-line flag does it (named in [`Unmapped::instead`]).
    Flag,
    /// tollgate keeps its own advisory index; the tool's database settings do not apply.
    Database,
    /// The value is not one the tool documents.
    BadValue,
}

/// A setting that had no equivalent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The source key (`bans.multiple-versions`, or a whole section: `licenses`).
    pub key: String,
    /// Its line in the source file (0 when unknown).
    pub line: usize,
    /// Why.
    pub gap: Gap,
    /// What to use instead, when there is something (a flag, a command).
    pub instead: Option<&'static str>,
}

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The tool the file belonged to.
    pub tool: Tool,
    /// The `tollgate.toml` text (accepted by [`Config::parse`]).
    pub text: String,
    /// The config it parses to.
    pub config: Config,
    /// What was carried over.
    pub mapped: Vec<Mapped>,
    /// What was not.
    pub unmapped: Vec<Unmapped>,
}

/// Why a file could not be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// Not TOML, or a value of the wrong type (placed at the file's line and column).
    #[error(transparent)]
    Syntax(ConfigError),
    /// Neither cargo-audit's nor cargo-deny's file.
    #[error(
        "{}: not a cargo-audit (.cargo/audit.toml) or cargo-deny (deny.toml) configuration",
        .0.display()
    )]
    UnknownTool(std::path::PathBuf),
    /// The converted text did not parse as a `tollgate.toml` (a bug: reported, never written).
    #[error("{}: the converted policy is not valid: {error}", .file.display())]
    Invalid {
        /// The source file.
        file: std::path::PathBuf,
        /// What tollgate's parser said.
        error: ConfigError,
    },
}

/// Which tool `file` belongs to: by name (`audit.toml`, `deny.toml`), else by content.
pub fn detect(file: &Path, doc: &toml::Table) -> Option<Tool> {
    match file.file_name().and_then(|n| n.to_str()) {
        Some("audit.toml") => return Some(Tool::CargoAudit),
        Some("deny.toml") => return Some(Tool::CargoDeny),
        _ => {}
    }
    let deny_sections = ["bans", "licenses", "sources", "graph"];
    if deny_sections.iter().any(|s| doc.contains_key(*s)) {
        return Some(Tool::CargoDeny);
    }
    let adv = doc.get("advisories").and_then(|v| v.as_table());
    if doc.contains_key("database")
        || doc.contains_key("yanked")
        || adv.is_some_and(|a| {
            a.contains_key("informational_warnings") || a.contains_key("severity_threshold")
        })
    {
        return Some(Tool::CargoAudit);
    }
    if adv.is_some_and(|a| a.keys().any(|k| k.contains('-'))) {
        return Some(Tool::CargoDeny);
    }
    None
}

/// Converts `text` (the contents of `file`).
pub fn migrate(file: &Path, text: &str) -> Result<Migration, MigrateError> {
    let doc = parse_toml(file, text).map_err(MigrateError::Syntax)?;
    let tool = detect(file, &doc).ok_or_else(|| MigrateError::UnknownTool(file.to_path_buf()))?;
    let mut m = Builder::new(file, text);
    match tool {
        Tool::CargoAudit => m.cargo_audit(&doc),
        Tool::CargoDeny => m.cargo_deny(&doc),
    }
    let text = m.render(tool);
    let config = Config::parse(Path::new("tollgate.toml"), &text).map_err(|error| {
        MigrateError::Invalid {
            file: file.to_path_buf(),
            error,
        }
    })?;
    Ok(Migration {
        tool,
        text,
        config,
        mapped: m.mapped,
        unmapped: m.unmapped,
    })
}

fn parse_toml(file: &Path, text: &str) -> Result<toml::Table, ConfigError> {
    toml::from_str::<toml::Table>(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        ConfigError::new(file, line, column, e.message().trim_end().to_owned())
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", q.join(", "))
}

/// An action name of tollgate's (`deny`, `warn`, `ignore`) from cargo-deny's / cargo-audit's
/// lint levels.
fn action_of(level: &str) -> Option<&'static str> {
    match level {
        "deny" => Some("deny"),
        "warn" => Some("warn"),
        "allow" => Some("ignore"),
        _ => None,
    }
}

struct Builder<'a> {
    file: &'a Path,
    text: &'a str,
    top: Vec<String>,
    kinds: Vec<String>,
    advisories: Vec<String>,
    registries: Vec<String>,
    unknown_source: Vec<String>,
    waivers: Vec<String>,
    mapped: Vec<Mapped>,
    unmapped: Vec<Unmapped>,
}

impl<'a> Builder<'a> {
    fn new(file: &'a Path, text: &'a str) -> Self {
        Builder {
            file,
            text,
            top: Vec::new(),
            kinds: Vec::new(),
            advisories: Vec::new(),
            registries: Vec::new(),
            unknown_source: Vec::new(),
            waivers: Vec::new(),
            mapped: Vec::new(),
            unmapped: Vec::new(),
        }
    }

    /// The line of `key` in `[section]` (or of the section header when `key` is empty): a
    /// lexical search, enough to point a reader at the setting.
    fn line_of(&self, section: &str, key: &str) -> usize {
        let mut in_section = section.is_empty();
        for (i, raw) in self.text.lines().enumerate() {
            let l = raw.trim();
            if let Some(h) = l.strip_prefix('[') {
                let name = h
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .unwrap_or("")
                    .trim();
                if key.is_empty() && name == section {
                    return i + 1;
                }
                in_section = name == section;
                continue;
            }
            if in_section && !key.is_empty() {
                let k = l.split('=').next().unwrap_or("").trim().trim_matches('"');
                if k == key && l.contains('=') {
                    return i + 1;
                }
            }
        }
        0
    }

    fn src(&self) -> String {
        self.file.display().to_string()
    }

    fn mapped(&mut self, section: &str, key: &str, to: &str) {
        let line = self.line_of(section, key);
        let from = if section.is_empty() {
            key.to_owned()
        } else {
            format!("{section}.{key}")
        };
        self.mapped.push(Mapped {
            from,
            line,
            to: to.to_owned(),
        });
    }

    fn gap(&mut self, section: &str, key: &str, gap: Gap, instead: Option<&'static str>) {
        let line = self.line_of(section, key);
        let key = match (section.is_empty(), key.is_empty()) {
            (_, true) => section.to_owned(),
            (true, false) => key.to_owned(),
            (false, false) => format!("{section}.{key}"),
        };
        self.unmapped.push(Unmapped {
            key,
            line,
            gap,
            instead,
        });
    }

    fn action(&mut self, section: &str, key: &str, kind: &str, value: Option<&toml::Value>) {
        let Some(v) = value else { return };
        self.action_as(section, key, kind, v, v.as_str().unwrap_or(""));
    }

    /// [`Builder::action`] for a value already translated from `original` (shown in the comment).
    fn action_as(&mut self, section: &str, key: &str, kind: &str, v: &toml::Value, original: &str) {
        match v.as_str().and_then(action_of) {
            Some(a) => {
                let line = format!(
                    "{kind} = {}   # {} [{section}] {key} = {}",
                    quote(a),
                    self.src(),
                    quote(original)
                );
                // The informational kinds and yanked are top-level keys; others go to [kinds].
                let top = matches!(kind, "unmaintained" | "unsound" | "notice" | "yanked");
                let to = if top {
                    kind.to_owned()
                } else {
                    format!("[kinds] {kind}")
                };
                if top {
                    self.top.push(line)
                } else {
                    self.kinds.push(line)
                }
                self.mapped(section, key, &to);
            }
            None => self.gap(section, key, Gap::BadValue, None),
        }
    }

    fn waiver(&mut self, id: &str, package: Option<&str>, version: Option<&str>, reason: &str) {
        let mut w = format!("[[waiver]]\nid = {}\n", quote(id));
        if let Some(p) = package {
            let _ = writeln!(w, "package = {}", quote(p));
        }
        if let Some(v) = version {
            let _ = writeln!(w, "version = {}", quote(v));
        }
        let _ = writeln!(w, "reason = {}", quote(reason));
        w.push_str(
            "# owner = \"…\"          # who decided\n# expires = \"YYYY-MM-DD\" # waivers should end\n",
        );
        self.waivers.push(w);
    }

    fn severity(&mut self, section: &str, key: &str, value: Option<&toml::Value>) {
        let Some(v) = value else { return };
        match v.as_str().and_then(Severity::parse) {
            Some(s) => {
                self.top.push(format!(
                    "fail-on = {}   # {} [{section}] {key}: below it, findings are reported, not blocking",
                    quote(s.as_str()),
                    self.src()
                ));
                self.mapped(section, key, "fail-on");
            }
            None => self.gap(section, key, Gap::BadValue, None),
        }
    }

    fn db_urls(&mut self, section: &str, key: &str, urls: Vec<String>) {
        if urls.is_empty() {
            return;
        }
        self.advisories.push(format!(
            "sources = {}   # {} [{section}] {key} (`tollgate db update` fetches them)",
            quote_list(&urls),
            self.src()
        ));
        self.mapped(section, key, "advisories.sources");
    }

    fn cargo_audit(&mut self, doc: &toml::Table) {
        let empty = toml::Table::new();
        let adv = doc
            .get("advisories")
            .and_then(|v| v.as_table())
            .unwrap_or(&empty);
        let output = doc
            .get("output")
            .and_then(|v| v.as_table())
            .unwrap_or(&empty);
        let deny: Vec<&str> = output
            .get("deny")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for (k, v) in adv {
            match k.as_str() {
                "ignore" => {
                    for id in v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str())
                    {
                        let reason = format!(
                            "ignored in {} (cargo-audit records no reason: state it here)",
                            self.src()
                        );
                        self.waiver(id, None, None, &reason);
                    }
                    self.mapped("advisories", "ignore", "[[waiver]]");
                }
                "severity_threshold" => self.severity("advisories", k, Some(v)),
                "informational_warnings" => {}
                _ => self.gap("advisories", k, Gap::NoEquivalent, None),
            }
        }
        // Informational advisories: shown when listed in informational_warnings (default:
        // unmaintained and unsound), an error when `[output] deny` names them (or `warnings`).
        let shown: Vec<&str> = match adv.get("informational_warnings").and_then(|v| v.as_array()) {
            Some(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            None => vec!["unmaintained", "unsound"],
        };
        let yanked_enabled = doc
            .get("yanked")
            .and_then(|v| v.get("enabled"))
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        for kind in ["unmaintained", "unsound", "notice", "yanked"] {
            let denied = deny.contains(&kind) || deny.contains(&"warnings");
            let level = if kind == "yanked" {
                if !yanked_enabled {
                    "ignore"
                } else if denied {
                    "deny"
                } else {
                    "warn"
                }
            } else if !shown.contains(&kind) {
                "ignore"
            } else if denied {
                "deny"
            } else {
                "warn"
            };
            let why = match kind {
                "yanked" => "[yanked] enabled, [output] deny",
                _ => "[advisories] informational_warnings, [output] deny",
            };
            self.top.push(format!(
                "{kind} = {}   # {} {why}",
                quote(level),
                self.src()
            ));
        }
        if adv.contains_key("informational_warnings") {
            self.mapped(
                "advisories",
                "informational_warnings",
                "unmaintained, unsound, notice",
            );
        }
        if let Some(db) = doc.get("database").and_then(|v| v.as_table()) {
            for (k, v) in db {
                match k.as_str() {
                    "url" => {
                        let urls = v.as_str().map(|s| vec![s.to_owned()]).unwrap_or_default();
                        self.db_urls("database", k, urls);
                    }
                    "path" => self.gap(
                        "database",
                        k,
                        Gap::Database,
                        Some("`tollgate db import PATH` indexes a checkout of the advisory-db"),
                    ),
                    "fetch" => self.gap(
                        "database",
                        k,
                        Gap::Flag,
                        Some("run `tollgate db update` when you want to fetch; `check` never does"),
                    ),
                    "stale" => self.gap(
                        "database",
                        k,
                        Gap::Flag,
                        Some("`[advisories] max-age-days` and `fail-on-stale`"),
                    ),
                    _ => self.gap("database", k, Gap::NoEquivalent, None),
                }
            }
        }
        for (k, _) in output {
            match k.as_str() {
                "deny" => self.mapped("output", k, "unmaintained, unsound, notice, yanked"),
                "format" => self.gap("output", k, Gap::Flag, Some("--format")),
                "quiet" => self.gap("output", k, Gap::Flag, Some("--quiet")),
                "show_tree" => self.gap("output", k, Gap::Flag, Some("`tollgate why PACKAGE`")),
                _ => self.gap("output", k, Gap::NoEquivalent, None),
            }
        }
        if let Some(y) = doc.get("yanked").and_then(|v| v.as_table()) {
            for (k, _) in y {
                match k.as_str() {
                    "enabled" => self.mapped("yanked", k, "yanked"),
                    "update_index" => self.gap(
                        "yanked",
                        k,
                        Gap::Flag,
                        Some("yanked versions are found by `check --verify-registry`"),
                    ),
                    _ => self.gap("yanked", k, Gap::NoEquivalent, None),
                }
            }
        }
        for (section, _) in doc {
            if !matches!(
                section.as_str(),
                "advisories" | "database" | "output" | "yanked"
            ) {
                self.gap(section, "", Gap::NoEquivalent, None);
            }
        }
    }

    fn cargo_deny(&mut self, doc: &toml::Table) {
        let empty = toml::Table::new();
        let adv = doc
            .get("advisories")
            .and_then(|v| v.as_table())
            .unwrap_or(&empty);
        for (k, v) in adv {
            match k.as_str() {
                "ignore" => {
                    for entry in v.as_array().into_iter().flatten() {
                        self.deny_ignore(entry);
                    }
                    self.mapped("advisories", k, "[[waiver]]");
                }
                // v2 scopes (all / workspace / transitive / none) and v1 levels.
                "unmaintained" | "unsound" | "notice" => {
                    let level = v.as_str().unwrap_or("");
                    let level = match level {
                        "all" | "workspace" | "transitive" => "deny",
                        "none" => "allow",
                        l => l,
                    };
                    if matches!(v.as_str(), Some("workspace" | "transitive")) {
                        self.gap(
                            "advisories",
                            k,
                            Gap::NoEquivalent,
                            Some("converted as `deny` for every package: tollgate has no workspace or transitive scope"),
                        );
                    }
                    let value = toml::Value::String(level.to_owned());
                    self.action_as("advisories", k, k, &value, v.as_str().unwrap_or(""));
                }
                "yanked" => self.action("advisories", k, "yanked", Some(v)),
                "vulnerability" => match v.as_str().and_then(action_of) {
                    Some("deny") => self.mapped("advisories", k, "fail-on"),
                    Some(a) => {
                        self.kinds.push(format!(
                            "vulnerability = {}   # {} [advisories] vulnerability",
                            quote(a),
                            self.src()
                        ));
                        self.mapped("advisories", k, "[kinds] vulnerability");
                    }
                    None => self.gap("advisories", k, Gap::BadValue, None),
                },
                "severity-threshold" => self.severity("advisories", k, Some(v)),
                "db-urls" => {
                    let urls = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|u| u.as_str().map(str::to_owned))
                        .collect();
                    self.db_urls("advisories", k, urls);
                }
                "db-path" => self.gap(
                    "advisories",
                    k,
                    Gap::Database,
                    Some("`tollgate db import PATH` indexes a checkout of the advisory-db"),
                ),
                "version" => {}
                _ => self.gap("advisories", k, Gap::NoEquivalent, None),
            }
        }
        if let Some(src) = doc.get("sources").and_then(|v| v.as_table()) {
            self.deny_sources(src);
        }
        for (section, _) in doc {
            match section.as_str() {
                "advisories" | "sources" => {}
                "bans" => self.gap(
                    section,
                    "",
                    Gap::NoEquivalent,
                    Some("no duplicate-version or crate bans; `[pinning.install-script] deny` bans npm packages with install scripts"),
                ),
                "licenses" => self.gap(section, "", Gap::NoEquivalent, Some("keep cargo-deny for licenses")),
                "graph" => self.gap(
                    section,
                    "",
                    Gap::NoEquivalent,
                    Some("tollgate reads every package of the lockfile, all targets and features"),
                ),
                "output" => self.gap(section, "", Gap::Flag, Some("--format")),
                _ => self.gap(section, "", Gap::NoEquivalent, None),
            }
        }
    }

    /// One entry of cargo-deny's `[advisories] ignore`: an id, `{ id, reason }` or
    /// `{ crate = "name@version", reason }` (every advisory of that crate).
    fn deny_ignore(&mut self, entry: &toml::Value) {
        let default_reason = format!("ignored in {}", self.src());
        match entry {
            toml::Value::String(id) if !id.trim().is_empty() => {
                self.waiver(id, None, None, &default_reason)
            }
            toml::Value::Table(t) => {
                let reason = t
                    .get("reason")
                    .and_then(|v| v.as_str())
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or(&default_reason)
                    .to_owned();
                if let Some(id) = t
                    .get("id")
                    .and_then(|v| v.as_str())
                    .filter(|i| !i.trim().is_empty())
                {
                    self.waiver(id, None, None, &reason);
                } else if let Some((name, version)) =
                    t.get("crate").and_then(|v| v.as_str()).and_then(crate_spec)
                {
                    for kind in ["vulnerability", "unmaintained", "unsound", "notice"] {
                        self.waiver(kind, Some(name), version.as_deref(), &reason);
                    }
                } else {
                    self.gap("advisories", "ignore", Gap::BadValue, None);
                }
            }
            _ => self.gap("advisories", "ignore", Gap::BadValue, None),
        }
    }

    fn deny_sources(&mut self, src: &toml::Table) {
        let strings = |k: &str| -> Vec<String> {
            src.get(k)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let mut allow_git: Vec<String> = strings("allow-git").iter().map(|u| git_glob(u)).collect();
        for (k, v) in src {
            match k.as_str() {
                "unknown-registry" => self.action("sources", k, "unknown-source", Some(v)),
                "unknown-git" => {
                    let checked = v.as_str().is_some_and(|l| l != "allow");
                    self.unknown_source.push(format!(
                        "check-git = {checked}   # {} [sources] unknown-git = {}",
                        self.src(),
                        quote(v.as_str().unwrap_or(""))
                    ));
                    self.mapped("sources", k, "[sources.unknown-source] check-git");
                    if !src.contains_key("unknown-registry") && checked {
                        let value = toml::Value::String(v.as_str().unwrap_or("").to_owned());
                        self.action("sources", k, "unknown-source", Some(&value));
                    }
                }
                "allow-registry" => {
                    let mut public = false;
                    let mut others = Vec::new();
                    for r in strings(k) {
                        if is_crates_io(&r) {
                            public = true;
                        } else {
                            others.push(r);
                        }
                    }
                    if !others.is_empty() {
                        self.registries.push(format!(
                            "cargo = {}   # {} [sources] allow-registry",
                            quote_list(&others),
                            self.src()
                        ));
                    }
                    if !public {
                        self.registries.push(format!(
                            "public = false   # {} [sources] allow-registry omits crates.io (this also drops registry.npmjs.org for npm)",
                            self.src()
                        ));
                    }
                    self.mapped("sources", k, "[registries] cargo");
                }
                "allow-git" => self.mapped("sources", k, "[sources.unknown-source] allow-git"),
                "allow-org" => {
                    for (host_key, host) in [
                        ("github", "github.com"),
                        ("gitlab", "gitlab.com"),
                        ("bitbucket", "bitbucket.org"),
                    ] {
                        let orgs = v
                            .get(host_key)
                            .and_then(|o| o.as_array())
                            .into_iter()
                            .flatten()
                            .filter_map(|o| o.as_str());
                        for org in orgs {
                            allow_git.push(format!("{host}/{org}/*"));
                        }
                    }
                    self.mapped("sources", k, "[sources.unknown-source] allow-git");
                }
                "required-git-spec" => self.gap(
                    "sources",
                    k,
                    Gap::NoEquivalent,
                    Some("`[pinning.unpinned-git]` reports git dependencies without a commit"),
                ),
                _ => self.gap("sources", k, Gap::NoEquivalent, None),
            }
        }
        if !allow_git.is_empty() {
            self.unknown_source.push(format!(
                "allow-git = {}   # {} [sources] allow-git / allow-org",
                quote_list(&allow_git),
                self.src()
            ));
        }
    }

    fn render(&self, tool: Tool) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# tollgate.toml, converted from {} ({}) by `tollgate init --from`.",
            self.src(),
            tool.name()
        );
        s.push_str(
            "# Every key not set here has its default: `tollgate init` writes them all, commented.\n\
             # Reference: docs/reference/config.md; guide: docs/guides/migrate-from-cargo-audit.md and\n\
             # migrate-from-cargo-deny.md.\n",
        );
        if !self.unmapped.is_empty() {
            s.push_str("#\n# Settings with no equivalent (not converted):\n");
            for u in &self.unmapped {
                let _ = writeln!(s, "#   {}", describe(u));
            }
        }
        s.push('\n');
        for l in &self.top {
            s.push_str(l);
            s.push('\n');
        }
        let section = |s: &mut String, name: &str, lines: &[String]| {
            if !lines.is_empty() {
                let _ = writeln!(s, "\n[{name}]");
                for l in lines {
                    s.push_str(l);
                    s.push('\n');
                }
            }
        };
        section(&mut s, "kinds", &self.kinds);
        section(&mut s, "advisories", &self.advisories);
        section(&mut s, "registries", &self.registries);
        section(&mut s, "sources.unknown-source", &self.unknown_source);
        for w in &self.waivers {
            s.push('\n');
            s.push_str(w);
        }
        s
    }
}

/// One line about an unmapped setting: `key (line N): why; instead`.
pub fn describe(u: &Unmapped) -> String {
    let place = if u.line > 0 {
        format!(" (line {})", u.line)
    } else {
        String::new()
    };
    let why = match u.gap {
        Gap::NoEquivalent => "no equivalent in tollgate",
        Gap::Flag => "a command-line setting in tollgate",
        Gap::Database => "tollgate keeps its own advisory index",
        Gap::BadValue => "a value the tool does not document; left out",
    };
    match u.instead {
        Some(i) => format!("{}{place}: {why}; {i}", u.key),
        None => format!("{}{place}: {why}", u.key),
    }
}

/// cargo-deny's `crate = "name"` or `"name@version"`: the name and an exact requirement
/// (`None` for a name that is empty or a version that is not one).
fn crate_spec(spec: &str) -> Option<(&str, Option<String>)> {
    let (name, version) = match spec.split_once('@') {
        Some((n, v)) => {
            semver::Version::parse(v).ok()?;
            (n, Some(format!("={v}")))
        }
        None => (spec, None),
    };
    (!name.trim().is_empty()).then_some((name, version))
}

fn is_crates_io(url: &str) -> bool {
    let u = url.trim_end_matches('/');
    u == "https://github.com/rust-lang/crates.io-index"
        || u == "sparse+https://index.crates.io"
        || u == "https://index.crates.io"
}

/// cargo-deny's `allow-git` URL as tollgate's `host/path` glob (scheme, user and `.git` gone).
fn git_glob(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.trim_end_matches('/')
        .trim_end_matches(".git")
        .to_owned()
}

#[cfg(test)]
mod tests;

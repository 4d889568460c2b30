//! Generated reference documentation: `docs/reference/codes.md` and `docs/reference/config.md`
//! are produced from [`Code`] and the `tollgate init` template, and a test keeps them in sync.

use crate::checks::{CHECKS, Stage};
use crate::finding::Code;
use crate::policy::config::DEFAULT_CONFIG_TEMPLATE;

/// The text of `docs/reference/codes.md`.
pub fn codes_markdown() -> String {
    let mut s = String::from(
        "# Finding codes\n\n<!-- generated from verifier/src/finding.rs by `TOLLGATE_BLESS=1 cargo test -p tollgate-verifier --test docs`; do not edit -->\n\n\
Every finding has a stable `code` (`area/kind`) and a `kind` (the JSON contract's field). The default\n\
severity applies when the check has no severity of its own (advisories carry theirs); `[severity]`\n\
and `[kinds]` in `tollgate.toml` override severity and action per kind.\n\n\
| code | kind | default severity | meaning |\n| --- | --- | --- | --- |\n",
    );
    for c in Code::ALL {
        s.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            c.id(),
            c.kind(),
            c.default_severity(),
            c.description()
        ));
    }
    s
}

/// The checks table of `docs/reference/config.md`, one row per [`CHECKS`] entry.
fn checks_table() -> String {
    let mut s = String::from("| section | kinds | stage |\n| --- | --- | --- |\n");
    for e in CHECKS {
        let kinds: Vec<String> = e.codes.iter().map(|c| format!("`{}`", c.kind())).collect();
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            e.section.map_or("-".to_owned(), |s| format!("`[{s}]`")),
            kinds.join(", "),
            match e.stage {
                Stage::Offline => "offline",
                Stage::Registry => "registry (`--verify-registry`, `--verify-artifacts`)",
                Stage::Advisory => "advisory database",
                Stage::Provenance => "provenance (`--verify-provenance`)",
            }
        ));
    }
    s
}

/// The text of `docs/reference/config.md`.
pub fn config_markdown() -> String {
    let checks = checks_table();
    format!(
        "# `tollgate.toml`\n\n<!-- generated from verifier/src/policy/config.rs by `TOLLGATE_BLESS=1 cargo test -p tollgate-verifier --test docs`; do not edit -->\n\n\
`tollgate check` reads `tollgate.toml` from the directory it checks (or the current directory, or\n\
`--config FILE`). Unknown keys and bad values are errors that name the key and the line\n\
(`tollgate.toml:3:1: unknown field ...`), exit code 2. `tollgate init` writes this file:\n\n\
```toml\n{DEFAULT_CONFIG_TEMPLATE}```\n\n\
## Checks\n\n\
Every check (`verifier/src/checks/mod.rs`, `CHECKS`), its section and its stage. Each offline\n\
check's section takes the common keys `enabled` (default `true`), `severity` (default: the kind's,\n\
docs/reference/codes.md) and `ignore` (packages, as `name`, `name@version` or `*` globs, whose\n\
findings of the check are not reported), beside its own keys.\n\n\
{checks}\n\
## Semantics\n\n\
- A finding **blocks** when it is not waived and its action is `deny`, or its action is `threshold`\n\
  (the default for every kind but the informational ones) and its severity is at or above `fail-on`.\n\
  Unknown severities are treated as `unknown-severity` for this comparison.\n\
- With `fail-on-overdue = true`, a finding at or above `fail-on` blocks only once it is past its SLA.\n\
- **SLA age** counts from the advisory's publication, or from the time a fixed version became\n\
  available when that is known and later. A finding past its SLA is *overdue* (`\"overdue\": true`).\n\
- A **waiver** applies to a finding when its `id` equals one of the finding's ids or aliases (or its\n\
  kind / code / finding id), its `package` (if given) equals the package name, and its `version`\n\
  requirement (if given) matches the package version. It applies through the whole `expires` day\n\
  (UTC). An expired waiver stops applying and is listed under `expired_waivers`; a waiver that\n\
  matches no finding is listed under `stale_waivers`.\n\
- Likewise a **stale config entry**, an `ignore` pattern, an allow-list entry (`allow`,\n\
  `allow-hosts`, `allow-git`, `allow-urls`, `internal`, `internal-registries`) or a registry\n\
  mapping (`[registries] npm`, `cargo`, `scopes`) of an enabled check whose removal would change\n\
  none of the check's findings, is reported as a note (`stale config: …`); it never blocks.\n\
- Every error of the file is reported at once, one per line, each at its `line:column`.\n\
- `include-dev = false` drops findings on packages only reached through dev dependencies\n\
  (npm `dev`; Cargo `[dev-dependencies]` of workspace members, by reachability);\n\
  `include-optional = false` likewise for optional ones. npm `devOptional` packages are dropped\n\
  only when both are excluded.\n\
- All times are evaluated at one instant, `--now` (or `TOLLGATE_NOW`), defaulting to the clock.\n"
    )
}

//! `[provenance]` in `tollgate.toml`: SLSA provenance policies per package or artefact; and the
//! stand-alone policy files of `tollgate attest policy-check --policy` (TOML or JSON).
//!
//! The policy itself is [`ProvenancePolicy`] (attest); this module only places it in the
//! configuration and reads files with errors that name file, line and key.

use std::path::Path;

use tollgate_attest::slsa::ProvenancePolicy;

pub use crate::checks::provenance::config::{ProvenanceConfig, package_policy_complete};

use crate::error::LineIndex;
use crate::policy::config::ConfigError;

/// Reads a provenance policy file: JSON when it ends in `.json` or starts with `{`, else TOML.
/// Unknown keys, duplicate JSON keys and bad values are errors naming the line.
pub fn parse_policy_file(path: &Path, text: &str) -> Result<ProvenancePolicy, ConfigError> {
    let err =
        |line: usize, column: usize, message: String| ConfigError::new(path, line, column, message);
    let is_json =
        path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    let policy: ProvenancePolicy = if is_json {
        // Duplicate keys first: a policy that says two things is rejected, not half-read.
        tollgate_attest::json::parse_strict(text.as_bytes())
            .map_err(|e| err(0, 0, e.to_string()))?;
        serde_json::from_str(text).map_err(|e| err(e.line(), e.column(), e.to_string()))?
    } else {
        let lines = LineIndex::new(text);
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| lines.line_col(text, s.start))
                .unwrap_or((0, 0));
            err(line, column, e.message().trim_end().to_owned())
        })?
    };
    policy.validate().map_err(|e| err(0, 0, e.to_string()))?;
    Ok(policy)
}

/// Reads a provenance policy file from disk (at most 1 MiB).
pub fn load_policy_file(path: &Path) -> Result<ProvenancePolicy, ConfigError> {
    let cannot = |message: String| ConfigError::new(path, 0, 0, message);
    let meta = std::fs::metadata(path).map_err(|e| cannot(format!("cannot read: {e}")))?;
    if meta.len() > 1 << 20 {
        return Err(cannot(format!(
            "{} bytes: a policy file is at most 1 MiB",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| cannot(format!("cannot read: {e}")))?;
    parse_policy_file(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_toml_and_json_policy_files() {
        let p = parse_policy_file(
            Path::new("p.toml"),
            "source-uri = \"github.com/o/r\"\nsource-versioned-tag = \"v1\"\n",
        )
        .unwrap();
        assert_eq!(p.source_versioned_tag.as_deref(), Some("v1"));
        let j = parse_policy_file(
            Path::new("p.json"),
            r#"{"source-uri": "github.com/o/r", "source-versioned-tag": "v1"}"#,
        )
        .unwrap();
        assert_eq!(j, p);
    }

    #[test]
    fn rejects_bad_policy_files_naming_the_line() {
        let e = parse_policy_file(Path::new("p.toml"), "\nsource-url = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("source-url"), "{e}");
        let e = parse_policy_file(
            Path::new("p.json"),
            "{\n \"owner\": \"a\",\n \"owner\": \"b\"}",
        )
        .unwrap_err();
        assert!(e.message.contains("duplicate key `owner`"), "{e}");
        let e =
            parse_policy_file(Path::new("p.json"), "{\"digest\": [\"sha256:zz\"]}").unwrap_err();
        assert!(e.message.contains("invalid digest"), "{e}");
        let e = parse_policy_file(
            Path::new("p.toml"),
            "source-tag = \"v1\"\nsource-versioned-tag = \"v1\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("mutually exclusive"), "{e}");
    }
}

//! VEX: CycloneDX `vulnerabilities[].analysis` statements that a finding does not apply
//! (`not_affected` with a justification, `resolved`, `false_positive`), from an SBOM given to
//! `check --sbom` or a separate VEX document (`--vex`). The policy waives the findings they match,
//! with the statement as the typed reason ([`VexAnalysis`]); statements that do not waive
//! (`exploitable`, `in_triage`, `not_affected` without a justification) are kept to be noted.
//!
//! A statement matches a finding when one of its ids (the vulnerability's `id` and the ids of
//! its `references`) is one of the finding's advisory ids or aliases, and one of its `affects`
//! names the finding's package: by purl (type, namespace, name and, when the purl has one,
//! version; qualifiers are ignored), or by the `bom-ref` of the SBOM's component (also inside a
//! BOM-link, `urn:cdx:SERIAL/VERSION#BOM-REF`).

use serde::Deserialize;

use crate::purl::Purl;

/// What a VEX statement says of a vulnerability (CycloneDX `analysis.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexState {
    /// `not_affected`: waives with a justification.
    NotAffected,
    /// `resolved` (or `resolved_with_pedigree`): waives.
    Resolved,
    /// `false_positive`: waives.
    FalsePositive,
    /// `exploitable`: does not waive.
    Exploitable,
    /// `in_triage`: does not waive.
    InTriage,
}

impl VexState {
    /// The states that waive a finding, as the JSON report names them.
    pub const WAIVING: [VexState; 3] = [
        VexState::NotAffected,
        VexState::Resolved,
        VexState::FalsePositive,
    ];

    /// CycloneDX's name.
    pub fn as_str(self) -> &'static str {
        match self {
            VexState::NotAffected => "not_affected",
            VexState::Resolved => "resolved",
            VexState::FalsePositive => "false_positive",
            VexState::Exploitable => "exploitable",
            VexState::InTriage => "in_triage",
        }
    }

    fn parse(s: &str) -> Option<VexState> {
        Some(match s {
            "not_affected" => VexState::NotAffected,
            "resolved" | "resolved_with_pedigree" => VexState::Resolved,
            "false_positive" => VexState::FalsePositive,
            "exploitable" => VexState::Exploitable,
            "in_triage" => VexState::InTriage,
            _ => return None,
        })
    }
}

/// Why a component is not affected (CycloneDX `analysis.justification`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexJustification {
    /// `code_not_present`.
    CodeNotPresent,
    /// `code_not_reachable`.
    CodeNotReachable,
    /// `requires_configuration`.
    RequiresConfiguration,
    /// `requires_dependency`.
    RequiresDependency,
    /// `requires_environment`.
    RequiresEnvironment,
    /// `protected_by_compiler`.
    ProtectedByCompiler,
    /// `protected_at_runtime`.
    ProtectedAtRuntime,
    /// `protected_at_perimeter`.
    ProtectedAtPerimeter,
    /// `protected_by_mitigating_control`.
    ProtectedByMitigatingControl,
}

impl VexJustification {
    /// Every justification.
    pub const ALL: [VexJustification; 9] = [
        VexJustification::CodeNotPresent,
        VexJustification::CodeNotReachable,
        VexJustification::RequiresConfiguration,
        VexJustification::RequiresDependency,
        VexJustification::RequiresEnvironment,
        VexJustification::ProtectedByCompiler,
        VexJustification::ProtectedAtRuntime,
        VexJustification::ProtectedAtPerimeter,
        VexJustification::ProtectedByMitigatingControl,
    ];

    /// CycloneDX's name.
    pub fn as_str(self) -> &'static str {
        match self {
            VexJustification::CodeNotPresent => "code_not_present",
            VexJustification::CodeNotReachable => "code_not_reachable",
            VexJustification::RequiresConfiguration => "requires_configuration",
            VexJustification::RequiresDependency => "requires_dependency",
            VexJustification::RequiresEnvironment => "requires_environment",
            VexJustification::ProtectedByCompiler => "protected_by_compiler",
            VexJustification::ProtectedAtRuntime => "protected_at_runtime",
            VexJustification::ProtectedAtPerimeter => "protected_at_perimeter",
            VexJustification::ProtectedByMitigatingControl => "protected_by_mitigating_control",
        }
    }

    fn parse(s: &str) -> Option<VexJustification> {
        VexJustification::ALL.into_iter().find(|j| j.as_str() == s)
    }
}

/// The analysis of one statement: what waives a finding, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexAnalysis {
    /// The vulnerability id as the statement writes it.
    pub vulnerability: String,
    /// The state.
    pub state: VexState,
    /// The justification (`not_affected`).
    pub justification: Option<VexJustification>,
    /// `analysis.response` (`will_not_fix`, `update`, …), as written.
    pub responses: Vec<String>,
    /// `analysis.detail`.
    pub detail: Option<String>,
    /// The document, as displayed, and the statement's JSON pointer
    /// (`vex.cdx.json#/vulnerabilities/0`).
    pub source: String,
}

impl VexAnalysis {
    /// `true` when the statement waives the findings it matches: `resolved`, `false_positive`,
    /// or `not_affected` with a justification.
    pub fn waives(&self) -> bool {
        match self.state {
            VexState::NotAffected => self.justification.is_some(),
            VexState::Resolved | VexState::FalsePositive => true,
            VexState::Exploitable | VexState::InTriage => false,
        }
    }
}

/// What a statement's `affects[].ref` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VexTarget {
    /// A package URL.
    Purl(Purl),
    /// A component's `bom-ref` (of the SBOM the statement is in, or of a BOM-link).
    BomRef(String),
}

/// One statement: a vulnerability (with its ids), the components it affects, the analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability's id and the ids of its references.
    pub ids: Vec<String>,
    /// The components.
    pub targets: Vec<VexTarget>,
    /// The analysis.
    pub analysis: VexAnalysis,
    /// For a statement inside an SBOM, that SBOM as displayed: its `bom-ref`s name the SBOM's
    /// components (package ids `SBOM#BOM-REF`). `None` for a separate VEX document, whose
    /// `bom-ref`s name components of an SBOM it does not say.
    pub sbom: Option<String>,
}

impl VexStatement {
    /// `true` when the statement is about a finding with these advisory ids and aliases on the
    /// package of this purl and graph id (see the module documentation). Whether it waives is
    /// [`VexAnalysis::waives`].
    pub fn matches(&self, ids: &[String], purl: &str, package_id: &str) -> bool {
        if !self
            .ids
            .iter()
            .any(|id| ids.iter().any(|i| i.eq_ignore_ascii_case(id)))
        {
            return false;
        }
        let purl = Purl::parse(purl).ok();
        self.targets.iter().any(|t| match t {
            VexTarget::Purl(p) => purl.as_ref().is_some_and(|q| same_package(p, q)),
            VexTarget::BomRef(r) => match &self.sbom {
                Some(doc) => {
                    package_id
                        .strip_prefix(doc.as_str())
                        .and_then(|rest| rest.strip_prefix('#'))
                        == Some(r.as_str())
                }
                None => package_id
                    .strip_suffix(r.as_str())
                    .is_some_and(|head| head.ends_with('#')),
            },
        })
    }
}

/// Same type, namespace and name, and the same version when `statement` names one.
fn same_package(statement: &Purl, package: &Purl) -> bool {
    statement.kind == package.kind
        && statement.namespace == package.namespace
        && statement.name == package.name
        && statement
            .version
            .as_ref()
            .is_none_or(|v| package.version.as_ref() == Some(v))
}

/// `vulnerabilities[]` of a CycloneDX document, as serde reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct RawVulnerability {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    references: Vec<RawReference>,
    #[serde(default)]
    analysis: Option<RawAnalysis>,
    #[serde(default)]
    affects: Vec<RawAffects>,
}

#[derive(Debug, Deserialize)]
struct RawReference {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawAnalysis {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    response: Vec<String>,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawAffects {
    #[serde(rename = "ref")]
    reference: String,
}

/// A VEX document: any CycloneDX JSON with `vulnerabilities` (components are not needed).
#[derive(Debug, Deserialize)]
struct RawDoc {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    #[serde(default)]
    vulnerabilities: Vec<RawVulnerability>,
}

/// Why a VEX document could not be read: names the document and the statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {what}")]
pub struct VexError {
    /// The document (and pointer).
    pub source_name: String,
    /// What is wrong.
    pub what: String,
}

/// Reads the statements of a VEX document (`--vex`): CycloneDX JSON with `vulnerabilities`.
pub fn parse_document(display: &str, text: &str) -> Result<Vec<VexStatement>, VexError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: RawDoc = serde_json::from_str(body).map_err(|e| VexError {
        source_name: format!("{display}:{}:{}", e.line(), e.column()),
        what: format!(
            "not a CycloneDX VEX document: {}",
            e.to_string().split(" at line ").next().unwrap_or("")
        ),
    })?;
    if doc.bom_format.as_deref() != Some("CycloneDX") {
        return Err(VexError {
            source_name: display.to_owned(),
            what: "not a CycloneDX VEX document: `bomFormat` is not \"CycloneDX\"".into(),
        });
    }
    statements(display, doc.vulnerabilities, false)
}

/// The statements of `vulnerabilities` (of an SBOM or a VEX document `display`).
pub(crate) fn statements(
    display: &str,
    vulns: Vec<RawVulnerability>,
    in_sbom: bool,
) -> Result<Vec<VexStatement>, VexError> {
    let mut out = Vec::new();
    for (i, v) in vulns.into_iter().enumerate() {
        let source = format!("{display}#/vulnerabilities/{i}");
        let err = |what: String| VexError {
            source_name: source.clone(),
            what,
        };
        let Some(analysis) = v.analysis else {
            // A vulnerability without analysis says nothing about its findings.
            continue;
        };
        let Some(id) = v.id.filter(|s| !s.is_empty()) else {
            return Err(err("a statement with an analysis has no `id`".into()));
        };
        let state = match analysis.state.as_deref() {
            Some(s) => VexState::parse(s).ok_or_else(|| {
                err(format!(
                    "analysis.state `{s}` is not a CycloneDX state (not_affected, resolved, resolved_with_pedigree, false_positive, exploitable, in_triage)"
                ))
            })?,
            None => continue,
        };
        let justification = match analysis.justification.as_deref() {
            Some(j) => Some(VexJustification::parse(j).ok_or_else(|| {
                err(format!(
                    "analysis.justification `{j}` is not a CycloneDX justification"
                ))
            })?),
            None => None,
        };
        if v.affects.is_empty() {
            return Err(err(format!(
                "statement on {id} names no component in `affects`: it would waive nothing, or everything"
            )));
        }
        let targets = v
            .affects
            .into_iter()
            .map(|a| target(&a.reference))
            .collect();
        let mut ids = vec![id.clone()];
        ids.extend(v.references.into_iter().filter_map(|r| r.id));
        out.push(VexStatement {
            ids,
            targets,
            analysis: VexAnalysis {
                vulnerability: id,
                state,
                justification,
                responses: analysis.response,
                detail: analysis.detail,
                source,
            },
            sbom: in_sbom.then(|| display.to_owned()),
        });
    }
    Ok(out)
}

/// What an `affects[].ref` names: a purl, a BOM-link's bom-ref, or a bom-ref.
fn target(r: &str) -> VexTarget {
    let local = match r.strip_prefix("urn:cdx:").and_then(|l| l.split_once('#')) {
        Some((_, frag)) => frag,
        None => r,
    };
    match Purl::parse(local) {
        Ok(p) if local.starts_with("pkg:") => VexTarget::Purl(p),
        _ => VexTarget::BomRef(local.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding's ids, purl and package id.
    struct F(Vec<String>, &'static str, &'static str);

    fn finding(ids: &[&str], purl: &'static str, id: &'static str) -> F {
        F(ids.iter().map(|s| (*s).to_owned()).collect(), purl, id)
    }

    impl VexStatement {
        fn applies(&self, f: &F) -> bool {
            self.matches(&f.0, f.1, f.2)
        }
    }

    fn doc(vulns: &str) -> String {
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{vulns}]}}"#
        )
    }

    #[test]
    fn statements_match_by_id_alias_and_package() {
        let text = doc(
            r#"{"id": "CVE-2020-8203", "references": [{"id": "GHSA-p6mc-m468-83gw"}],
                "analysis": {"state": "not_affected", "justification": "code_not_reachable", "detail": "zipObjectDeep is never called"},
                "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:npm/lodash@4.17.15"}]},
               {"id": "NSWG-ECO-516", "analysis": {"state": "not_affected"}, "affects": [{"ref": "c1"}]},
               {"id": "X-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "pkg:npm/lodash"}]}"#,
        );
        let s = parse_document("vex.json", &text).unwrap();
        assert_eq!(s.len(), 3);
        assert!(s[0].analysis.waives());
        assert_eq!(s[0].analysis.source, "vex.json#/vulnerabilities/0");
        // By alias and purl (qualifiers of the package's purl ignored).
        let f = finding(
            &["GHSA-p6mc-m468-83gw", "CVE-2020-8203"],
            "pkg:npm/lodash@4.17.15",
            "package-lock.json#node_modules/lodash",
        );
        assert!(s[0].applies(&f));
        // Negative twins: another version, another id.
        assert!(!s[0].applies(&finding(&["CVE-2020-8203"], "pkg:npm/lodash@4.17.21", "x")));
        assert!(!s[0].applies(&finding(&["CVE-1"], "pkg:npm/lodash@4.17.15", "x")));
        // By bom-ref; not_affected without a justification does not waive.
        let g = finding(
            &["NSWG-ECO-516"],
            "pkg:npm/lodash@4.17.15",
            "bom.cdx.json#c1",
        );
        assert!(s[1].applies(&g));
        assert!(!s[1].analysis.waives());
        assert!(!s[1].applies(&finding(
            &["NSWG-ECO-516"],
            "pkg:npm/lodash@4.17.15",
            "b#c2"
        )));
        // A purl without version names every version.
        assert!(s[2].applies(&finding(&["x-1"], "pkg:npm/lodash@1.0.0", "x")));
    }

    #[test]
    fn rejects_statements_that_cannot_be_applied() {
        for (v, needle) in [
            (
                r#"{"id": "A", "analysis": {"state": "fixed"}, "affects": [{"ref": "x"}]}"#,
                "vex.json#/vulnerabilities/0: analysis.state `fixed`",
            ),
            (
                r#"{"id": "A", "analysis": {"state": "resolved"}}"#,
                "names no component",
            ),
            (
                r#"{"analysis": {"state": "resolved"}, "affects": [{"ref": "x"}]}"#,
                "has no `id`",
            ),
            (
                r#"{"id": "A", "analysis": {"state": "not_affected", "justification": "because"}, "affects": [{"ref": "x"}]}"#,
                "justification `because`",
            ),
        ] {
            let e = parse_document("vex.json", &doc(v)).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
        assert!(
            parse_document("vex.json", "{\"bomFormat\": \"SPDX\"}")
                .unwrap_err()
                .to_string()
                .contains("not a CycloneDX VEX document")
        );
        // A vulnerability without analysis is no statement.
        assert!(
            parse_document("v", &doc(r#"{"id": "A", "affects": [{"ref": "x"}]}"#))
                .unwrap()
                .is_empty()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panicking(s in "\\PC{0,120}") {
            let _ = parse_document("v", &s);
            let _ = parse_document("v", &doc(&s));
        }
    }
}

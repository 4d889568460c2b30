//! `tollgate sbom vex`: the waived findings of a gate run as a CycloneDX VEX document
//! (`vulnerabilities[]` with `analysis` and `affects`), reproducible like the SBOM.
//!
//! - a finding waived by a VEX statement keeps that statement's analysis (state,
//!   justification, response, detail), so exporting and re-reading gives the same waivers;
//! - a finding waived by a `tollgate.toml` waiver is an accepted risk, not a statement that the
//!   component is unaffected: `state: exploitable`, `response: ["will_not_fix"]`, and the
//!   waiver's id, owner, expiry and reason as the detail. `check --vex` does not waive on such a
//!   statement (the waiver, with its expiry, stays the policy).
//!
//! Statements with the same vulnerability and analysis are one entry whose `affects` lists
//! every package (by purl, sorted).

use std::collections::BTreeMap;

use serde::Serialize;
use tollgate_verifier::policy::Disposition;
use tollgate_verifier::report::Report;
use tollgate_verifier::time::Timestamp;

use crate::SbomError;
use crate::model::{SERIAL_PLACEHOLDER, ToolComponent, Tools};

/// A CycloneDX VEX document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VexBom {
    /// `CycloneDX`.
    pub bom_format: &'static str,
    /// `1.6` or `1.5`.
    pub spec_version: &'static str,
    /// Derived from the content (UUID v5).
    pub serial_number: String,
    /// 1.
    pub version: u32,
    /// Timestamp and tool.
    pub metadata: VexMetadata,
    /// The statements, sorted by id, then analysis.
    pub vulnerabilities: Vec<Vulnerability>,
}

/// `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VexMetadata {
    /// RFC 3339.
    pub timestamp: String,
    /// tollgate.
    pub tools: Tools,
}

/// `vulnerabilities[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vulnerability {
    /// The advisory id (the finding's primary id).
    pub id: String,
    /// What the statement says.
    pub analysis: Analysis,
    /// The packages, by purl.
    pub affects: Vec<Affects>,
}

/// `vulnerabilities[].analysis`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Analysis {
    /// `not_affected`, `resolved`, `false_positive`, `exploitable`.
    pub state: &'static str,
    /// For `not_affected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<&'static str>,
    /// `will_not_fix`, `update`, ….
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<String>,
    /// Why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `vulnerabilities[].affects[]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Affects {
    /// The package's purl (tollgate's SBOMs use it as the `bom-ref` too).
    #[serde(rename = "ref")]
    pub reference: String,
}

/// The VEX document of the waived findings of `report`.
pub fn export(
    report: &Report,
    spec: crate::SpecVersion,
    timestamp: Timestamp,
    tool_version: &str,
) -> VexBom {
    let mut grouped: BTreeMap<(String, Analysis), Vec<String>> = BTreeMap::new();
    for rf in &report.findings {
        let Disposition::Waived {
            waiver,
            reason,
            owner,
            expires,
            vex,
        } = &rf.disposition
        else {
            continue;
        };
        let (Some(id), Some(pkg)) = (rf.finding.ids.first(), &rf.finding.package) else {
            continue;
        };
        let analysis = match vex {
            Some(a) => Analysis {
                state: a.state.as_str(),
                justification: a.justification.map(|j| j.as_str()),
                response: a.responses.clone(),
                detail: a.detail.clone(),
            },
            None => {
                let mut d = format!("accepted by tollgate waiver {waiver}");
                if let Some(o) = owner {
                    d.push_str(&format!(" (owner {o})"));
                }
                if let Some(e) = expires {
                    d.push_str(&format!(" until {e}"));
                }
                d.push_str(&format!(": {reason}"));
                Analysis {
                    state: "exploitable",
                    justification: None,
                    response: vec!["will_not_fix".to_owned()],
                    detail: Some(d),
                }
            }
        };
        grouped
            .entry((id.clone(), analysis))
            .or_default()
            .push(pkg.purl.clone());
    }
    let vulnerabilities = grouped
        .into_iter()
        .map(|((id, analysis), mut purls)| {
            purls.sort();
            purls.dedup();
            Vulnerability {
                id,
                analysis,
                affects: purls
                    .into_iter()
                    .map(|reference| Affects { reference })
                    .collect(),
            }
        })
        .collect();
    VexBom {
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        serial_number: SERIAL_PLACEHOLDER.to_owned(),
        version: 1,
        metadata: VexMetadata {
            timestamp: timestamp.rfc3339(),
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: "tollgate",
                    version: tool_version.to_owned(),
                    external_references: Vec::new(),
                }],
            },
        },
        vulnerabilities,
    }
}

/// The document as pretty-printed JSON with a final newline, its serial number derived from
/// the content as [`crate::to_json`] derives an SBOM's.
pub fn to_json(doc: &mut VexBom) -> Result<Vec<u8>, SbomError> {
    doc.serial_number = SERIAL_PLACEHOLDER.to_owned();
    let mut v = serde_json::to_vec_pretty(&*doc)?;
    v.push(b'\n');
    // The same derivation as an SBOM's (`serialNumber` is the third field here too).
    if let Some(serial) = crate::derive_serial_in_place(&mut v, true)? {
        doc.serial_number = serial;
    }
    Ok(v)
}

//! Severity of an advisory: CVSS base score, else OSV `database_specific.severity`, else unknown.
//!
//! CVSS v3.0, v3.1 and v4.0 vectors are scored with the `cvss` crate (3.x, the RustSec project's
//! crate, features `v3` + `v4`: v3 by the specification's base formula, v4 by the FIRST
//! MacroVector lookup table). v2 vectors are not scored (they only appear next to v3 in practice).

use std::str::FromStr;

use crate::finding::Severity;

/// A scored CVSS vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvssScore {
    /// Base score (0.0 – 10.0).
    pub score: f64,
    /// Qualitative rating.
    pub severity: Severity,
}

/// Scores a CVSS v3.0 / v3.1 / v4.0 vector; `None` when it does not parse or is another version.
pub fn score_cvss(vector: &str) -> Option<CvssScore> {
    let v = vector.trim();
    if !(v.starts_with("CVSS:3.0/") || v.starts_with("CVSS:3.1/") || v.starts_with("CVSS:4.0/")) {
        return None;
    }
    let parsed = cvss::Cvss::from_str(v).ok()?;
    let score = parsed.score();
    Some(CvssScore {
        score,
        severity: Severity::from_cvss_score(score),
    })
}

/// The severity of an advisory from its vector or, without a usable vector, from an OSV
/// `database_specific.severity` word (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`). Informational
/// advisories without either have `default`.
pub fn advisory_severity(
    cvss: Option<&str>,
    db_severity: Option<&str>,
    default: Severity,
) -> (Severity, Option<f64>) {
    if let Some(s) = cvss.and_then(score_cvss) {
        return (s.severity, Some(s.score));
    }
    if let Some(s) = db_severity.and_then(Severity::parse) {
        return (s, None);
    }
    (default, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_known_v3_vectors() {
        // NVD-published base scores.
        let cases = [
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
                Severity::Critical,
            ),
            (
                "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                6.2,
                Severity::Medium,
            ),
            (
                "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N",
                4.8,
                Severity::Medium,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                10.0,
                Severity::Critical,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                7.5,
                Severity::High,
            ),
            (
                "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N",
                2.2,
                Severity::Low,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N",
                0.0,
                Severity::None,
            ),
        ];
        for (v, score, sev) in cases {
            let s = score_cvss(v).unwrap();
            assert_eq!(s.score, score, "{v}");
            assert_eq!(s.severity, sev, "{v}");
        }
    }

    #[test]
    fn scores_known_v4_vectors() {
        // FIRST calculator values.
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
        ];
        for (v, score) in cases {
            assert_eq!(score_cvss(v).unwrap().score, score, "{v}");
        }
    }

    #[test]
    fn rejects_bad_vectors() {
        assert!(score_cvss("CVSS:3.1/AV:X").is_none());
        assert!(score_cvss("AV:N/AC:L/Au:N/C:P/I:P/A:P").is_none());
        assert!(score_cvss("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U").is_none());
    }

    #[test]
    fn falls_back_to_database_severity_then_default() {
        assert_eq!(
            advisory_severity(None, Some("MODERATE"), Severity::Unknown),
            (Severity::Medium, None)
        );
        assert_eq!(
            advisory_severity(Some("garbage"), Some("CRITICAL"), Severity::Unknown).0,
            Severity::Critical
        );
        assert_eq!(
            advisory_severity(None, None, Severity::Unknown),
            (Severity::Unknown, None)
        );
        // a vector wins over the database word
        assert_eq!(
            advisory_severity(
                Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                Some("LOW"),
                Severity::Unknown
            )
            .0,
            Severity::Critical
        );
    }
}

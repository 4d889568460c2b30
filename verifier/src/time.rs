//! Dates and durations without a calendar dependency: advisory dates are `YYYY-MM-DD` or RFC 3339,
//! SLA ages are `24h` / `7d`. Every computation takes an explicit `now` (an injected clock).

use std::fmt;

use tollgate_attest::time::{format_rfc3339, parse_rfc3339};

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses `YYYY-MM-DD` (midnight UTC) or RFC 3339 (`2021-01-05T12:00:00Z`, offsets and
    /// fractional seconds allowed). The calendar arithmetic is the attestation crate's
    /// ([`tollgate_attest::time`]): one implementation for layouts, certificates and advisories.
    ///
    /// A date-time without a zone (`2021-01-05T12:00:00`, as some advisory feeds write) is UTC.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let t = if s.len() == 10 {
            parse_rfc3339(&format!("{s}T00:00:00Z"))
        } else {
            parse_rfc3339(s).or_else(|| {
                let zoneless = s
                    .get(19..)
                    .is_some_and(|t| !t.contains(['Z', 'z', '+', '-']));
                if zoneless {
                    parse_rfc3339(&format!("{s}Z"))
                } else {
                    None
                }
            })
        };
        t.map(Timestamp)
    }

    /// `YYYY-MM-DD`.
    pub fn date_string(self) -> String {
        let mut s = self.rfc3339();
        s.truncate(s.len() - "THH:MM:SSZ".len());
        s
    }

    /// RFC 3339 in UTC, seconds precision.
    pub fn rfc3339(self) -> String {
        format_rfc3339(self.0)
    }

    /// The current time from the system clock (the CLI's default `now`).
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp(d)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// A duration in seconds, written `24h`, `7d`, `2w`, `90d`, `30m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub i64);

impl Duration {
    /// Parses `N[smhdw]`.
    pub fn parse(s: &str) -> Option<Duration> {
        let s = s.trim();
        let unit = s.chars().last()?;
        let n: i64 = s[..s.len() - unit.len_utf8()].trim().parse().ok()?;
        if n < 0 {
            return None;
        }
        let mult = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return None,
        };
        n.checked_mul(mult).map(Duration)
    }

    /// Days (rounded down).
    pub fn days(self) -> i64 {
        self.0 / 86_400
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s % 86_400 == 0 {
            write!(f, "{}d", s / 86_400)
        } else if s >= 86_400 {
            write!(f, "{}d{}h", s / 86_400, s % 86_400 / 3600)
        } else if s >= 3600 {
            write!(f, "{}h", s / 3600)
        } else if s < 60 {
            write!(f, "{s}s")
        } else {
            write!(f, "{}m", s / 60)
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Duration::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid duration {s:?}: expected a number and a unit, e.g. \"24h\", \"7d\", \"2w\""
            ))
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_rfc3339() {
        assert_eq!(Timestamp::parse("1970-01-01"), Some(Timestamp(0)));
        assert_eq!(
            Timestamp::parse("2000-03-01")
                .map(|t| t.date_string())
                .as_deref(),
            Some("2000-03-01")
        );
        assert_eq!(
            Timestamp::parse("2021-01-05T12:00:00Z").map(|t| t.0),
            Some(1_609_848_000)
        );
        assert_eq!(
            Timestamp::parse("2021-01-05T13:00:00+01:00").map(|t| t.0),
            Some(1_609_848_000)
        );
        assert_eq!(
            Timestamp::parse("2021-01-05T12:00:00.123Z").map(|t| t.0),
            Some(1_609_848_000)
        );
        assert_eq!(Timestamp::parse("2021-02-29"), None);
        assert_eq!(
            Timestamp::parse("2024-02-29")
                .map(|t| t.date_string())
                .as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(Timestamp::parse("2021-13-01"), None);
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(Timestamp(1_609_848_000).rfc3339(), "2021-01-05T12:00:00Z");
    }

    #[test]
    fn parses_durations() {
        assert_eq!(Duration::parse("24h"), Some(Duration(86_400)));
        assert_eq!(Duration::parse("7d"), Some(Duration(7 * 86_400)));
        assert_eq!(Duration::parse("2w").map(|d| d.days()), Some(14));
        assert_eq!(Duration::parse("7"), None);
        assert_eq!(Duration::parse("-1d"), None);
        assert_eq!(Duration(86_400).to_string(), "1d");
        assert_eq!(Duration(36 * 3600).to_string(), "1d12h");
    }
}

//! Dates and durations without a calendar dependency: advisory dates are `YYYY-MM-DD` or RFC 3339,
//! SLA ages are `24h` / `7d`. Every computation takes an explicit `now` (an injected clock).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Timestamp {
    /// Parses `YYYY-MM-DD` (midnight UTC) or RFC 3339 (`2021-01-05T12:00:00Z`, offsets and
    /// fractional seconds allowed).
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let t = s.get(r)?;
            t.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| t.parse().ok())?
        };
        let (y, m, d) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let mut secs = days_from_civil(y, m, d) * 86_400;
        if b.len() == 10 {
            return Some(Timestamp(secs));
        }
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        secs += hh * 3600 + mm * 60 + ss;
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            rest = &frac[n..];
        }
        match rest {
            "Z" | "z" => {}
            _ => {
                let sign = match rest.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return None,
                };
                let off = &rest[1..];
                if off.len() != 5 || off.as_bytes()[2] != b':' {
                    return None;
                }
                let oh: i64 = off[..2].parse().ok()?;
                let om: i64 = off[3..].parse().ok()?;
                secs -= sign * (oh * 3600 + om * 60);
            }
        }
        Some(Timestamp(secs))
    }

    /// `YYYY-MM-DD`.
    pub fn date_string(self) -> String {
        let (y, m, d) = civil_from_days(self.0.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// RFC 3339 in UTC, seconds precision.
    pub fn rfc3339(self) -> String {
        let secs = self.0.rem_euclid(86_400);
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date_string(),
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
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

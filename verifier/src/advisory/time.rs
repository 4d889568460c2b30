//! Advisory dates as Unix seconds: thin names over [`crate::time::Timestamp`], the one time type
//! (`now` is always a `Timestamp` the caller passes; nothing here reads a clock).

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (also with a space) into Unix
/// seconds; a time without a zone is read as UTC. `None` on anything else. (The one parser is
/// [`crate::time::Timestamp::parse`].)
pub fn parse_timestamp(s: &str) -> Option<i64> {
    crate::time::Timestamp::parse(s).map(|t| t.0)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_timestamp(secs: i64) -> String {
    crate::time::Timestamp(secs).rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_timestamp("2026-08-21T06:28:40Z").unwrap();
        assert_eq!(format_timestamp(t), "2026-08-21T06:28:40Z");
        assert_eq!(parse_timestamp("1970-01-01"), Some(0));
        assert_eq!(
            parse_timestamp("2020-11-18T12:00:00+01:00"),
            parse_timestamp("2020-11-18T11:00:00Z")
        );
        assert_eq!(
            parse_timestamp("2024-02-29T00:00:00.123Z"),
            parse_timestamp("2024-02-29")
        );
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_timestamp("2020-13-01"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2020-01-01T00:00"), None);
        // Multi-byte text where the zone would start: no panic, no date.
        assert_eq!(parse_timestamp("2020-01-01T00:00:0éé"), None);
        assert_eq!(parse_timestamp("2020-02-31"), None);
    }
}

//! `--now TIME`: one parser for every command that reads the clock (`check`, `intoto verify`,
//! `db import|update|status`), so they accept the same spellings and say the same thing when
//! one is wrong. Unset, the system clock is read once, here.

use tollgate_verifier::time::Timestamp;

/// The clap value parser of `--now` (and `TOLLGATE_NOW`): RFC 3339 (`2026-03-01T12:00:00Z`,
/// offsets and fractions allowed; no zone is UTC) or `YYYY-MM-DD` (midnight UTC).
pub fn parse_now(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).ok_or_else(|| {
        format!("invalid time `{s}`: expected RFC 3339 (2026-03-01T12:00:00Z) or YYYY-MM-DD")
    })
}

/// `--now`, or the system clock.
pub fn now(given: Option<Timestamp>) -> Timestamp {
    given.unwrap_or_else(Timestamp::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_spelling_the_commands_accepted_and_names_the_bad_one() {
        let day = parse_now("2026-03-01").unwrap();
        assert_eq!(parse_now("2026-03-01T00:00:00Z").unwrap(), day);
        assert_eq!(parse_now("2026-03-01T01:00:00+01:00").unwrap(), day);
        assert_eq!(parse_now("2026-03-01 00:00:00.5Z").unwrap(), day);
        assert_eq!(
            parse_now("2026-03-01T00:00:00").unwrap(),
            day,
            "no zone: UTC"
        );
        let e = parse_now("next tuesday").unwrap_err();
        assert!(
            e.contains("`next tuesday`") && e.contains("RFC 3339"),
            "{e}"
        );
        assert!(parse_now("2026-02-30").is_err());
    }
}

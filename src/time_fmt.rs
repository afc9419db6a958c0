//! The time formats OSS uses in a POST form, written and read by hand: they are fixed-width,
//! and the writers run on every signature. Tested against `time`'s own formatting.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::error::{Error, Result};

/// `t` in UTC with sub-seconds dropped: the one normalisation every signing time gets.
///
/// # Errors
/// [`Error::TimeOutOfRange`] unless the UTC year is 0000-9999 (the formats' four digits).
pub(crate) fn normalize(t: OffsetDateTime) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(t.unix_timestamp())
        .ok()
        .filter(|utc| (0..=9999).contains(&utc.year()))
        .ok_or(Error::TimeOutOfRange { time: t })
}

/// Writes `value` as zero-padded decimal filling `out`.
fn put_digits(out: &mut [u8], value: u32) {
    let mut v = value;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + u8::try_from(v % 10).expect("a digit fits in u8");
        v /= 10;
    }
}

/// Fills `template` (e.g. `YYYYMMDDTHHMMSSZ`) with `t`'s fields at the given offsets.
fn fill<const N: usize>(mut template: [u8; N], t: OffsetDateTime, at: [usize; 6]) -> String {
    debug_assert!((0..=9999).contains(&t.year()), "normalize() keeps years to four digits");
    let year = u32::try_from(t.year()).unwrap_or(0);
    let values: [u32; 6] =
        [year, u8::from(t.month()).into(), t.day().into(), t.hour().into(), t.minute().into(), t.second().into()];
    for (i, (value, start)) in values.into_iter().zip(at).enumerate() {
        let width = if i == 0 { 4 } else { 2 };
        put_digits(&mut template[start..start + width], value);
    }
    String::from_utf8(template.to_vec()).expect("digits and ASCII punctuation")
}

/// `YYYYMMDD`: the credential scope's date and the first input of the V4 key derivation.
pub(crate) fn scope_date(date: Date) -> [u8; 8] {
    let mut out = [0u8; 8];
    put_digits(&mut out[..4], u32::try_from(date.year()).unwrap_or(0));
    put_digits(&mut out[4..6], u8::from(date.month()).into());
    put_digits(&mut out[6..], date.day().into());
    out
}

/// `YYYYMMDDTHHMMSSZ`: the `x-oss-date` form field (ISO 8601 basic format). Its first eight
/// characters are the credential scope's date.
pub(crate) fn x_oss_date(t: OffsetDateTime) -> String {
    fill(*b"YYYYMMDDTHHMMSSZ", t, [0, 4, 6, 9, 11, 13])
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`: the policy `expiration`, as JavaScript's `toISOString` and the
/// official samples write it.
pub(crate) fn expiration(t: OffsetDateTime) -> String {
    fill(*b"YYYY-MM-DDTHH:MM:SS.000Z", t, [0, 5, 8, 11, 14, 17])
}

/// `YYYY-MM-DDTHH:MM:SSZ`: RFC 3339 in UTC, the `expiration` of a presigned URL's JSON.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    fill(*b"YYYY-MM-DDTHH:MM:SSZ", t, [0, 5, 8, 11, 14, 17])
}

/// `YYYY-MM-DD`: the date segment of temporary upload keys.
pub(crate) fn iso_date(t: OffsetDateTime) -> String {
    let mut text = expiration(t);
    text.truncate(10);
    text
}

/// `YYYY-MM-DDTHH:MM:SS(.fraction)?Z`, the two forms OSS's own samples use ([PO-EN]:
/// `2014-12-01T12:00:00.000Z` and `2013-12-01T12:00:00Z`). Offsets other than `Z` are refused
/// ([UNVERIFIED] whether OSS accepts `+08:00`).
pub(crate) fn parse_expiration(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':'
    {
        return None;
    }
    let body = s.strip_suffix('Z')?;
    let nanos = match &body[19..] {
        "" => 0,
        frac => {
            let digits = frac.strip_prefix('.')?;
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            // Nanosecond precision; further digits are dropped.
            (0..9).fold(0u32, |n, i| n * 10 + digits.as_bytes().get(i).map_or(0, |d| u32::from(d - b'0')))
        }
    };
    from_digits(body, [0..4, 5..7, 8..10, 11..13, 14..16, 17..19], nanos)
}

/// Parses `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_x_oss_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    from_digits(s, [0..4, 4..6, 6..8, 9..11, 11..13, 13..15], 0)
}

/// The UTC time whose year, month, day, hour, minute and second are the decimal digits of `s`
/// at `fields`, plus `nanos`; `None` if a field is not all digits or the time does not exist.
fn from_digits(s: &str, fields: [std::ops::Range<usize>; 6], nanos: u32) -> Option<OffsetDateTime> {
    let [year, month, day, hour, minute, second] = fields.map(|r| {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse::<u16>().ok() } else { None }
    });
    let byte = |n: Option<u16>| u8::try_from(n?).ok();
    let month = Month::try_from(byte(month)?).ok()?;
    let date = Date::from_calendar_date(i32::from(year?), month, byte(day)?).ok()?;
    let time = Time::from_hms_nano(byte(hour)?, byte(minute)?, byte(second)?, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::macros::{datetime, format_description};

    #[test]
    fn writers_agree_with_the_time_crate() {
        let basic = format_description!("[year][month][day]T[hour][minute][second]Z");
        let extended = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
        for t in [
            datetime!(2024-11-27 06:09:41 UTC),
            datetime!(0000-01-01 00:00:00 UTC),
            datetime!(0009-02-03 04:05:06 UTC),
            datetime!(9999-12-31 23:59:59 UTC),
            datetime!(2024-02-29 12:34:56 UTC),
        ] {
            assert_eq!(x_oss_date(t), t.format(basic).unwrap());
            assert_eq!(expiration(t), t.format(extended).unwrap());
            assert_eq!(iso_date(t), t.date().to_string());
            assert_eq!(
                rfc3339(t),
                t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap()
            );
            assert_eq!(&scope_date(t.date()), &x_oss_date(t).as_bytes()[..8]);
        }
    }

    #[test]
    fn normalize_goes_to_utc_drops_subseconds_and_bounds_the_year() {
        let t = normalize(datetime!(2024-11-27 14:09:41.999 +08:00)).unwrap();
        assert_eq!(t, datetime!(2024-11-27 06:09:41 UTC));
        assert!(t.offset().is_utc());
        assert_eq!(normalize(datetime!(9999-12-31 23:59:59 UTC)), Ok(datetime!(9999-12-31 23:59:59 UTC)));
        for edge in [datetime!(9999-12-31 23:00 -05:00), datetime!(-0001-12-31 23:00 UTC)] {
            assert_eq!(normalize(edge), Err(Error::TimeOutOfRange { time: edge }));
        }
    }

    #[test]
    fn expiration_reading_is_strict() {
        for ok in ["2014-12-01T12:00:00.000Z", "2013-12-01T12:00:00Z", "2024-02-29T00:00:00.5Z"] {
            let want = OffsetDateTime::parse(ok, &Rfc3339).unwrap();
            assert_eq!(parse_expiration(ok), Some(want), "{ok}");
        }
        for bad in [
            "2023-02-19 13:19:00",
            "2023-02-19T13:19:00",
            "2023-02-19T13:19:00+08:00",
            "2023-13-19T13:19:00Z",
            "2023-02-30T13:19:00Z",
            "2023-02-19T1a:19:00Z",
            "2023-02-19T13:19:00.Z",
            "２023-02-19T13:19:00Z",
        ] {
            assert_eq!(parse_expiration(bad), None, "{bad}");
        }
    }

    #[test]
    fn x_oss_date_reading_is_strict() {
        assert_eq!(parse_x_oss_date("20241127T060941Z"), Some(datetime!(2024-11-27 06:09:41 UTC)));
        for bad in ["20241127T060941", "2024-11-27T06:09:41Z", "20241327T060941Z", "2024112T0609410Z"] {
            assert_eq!(parse_x_oss_date(bad), None, "{bad}");
        }
    }
}

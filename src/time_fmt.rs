//! The three time formats OSS uses in a POST form.
//!
//! Written by hand: these run on every signature, and the formats are fixed-width.

use std::ops::Range;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::encoding::Ascii;
use crate::error::{Error, Result};

/// `now` in UTC with sub-seconds dropped: the one normalisation every signer input gets.
pub(crate) fn normalize(now: OffsetDateTime) -> OffsetDateTime {
    if now.offset().is_utc() && now.nanosecond() == 0 {
        return now;
    }
    now.to_offset(UtcOffset::UTC).replace_nanosecond(0).expect("zero nanoseconds is always valid")
}

/// The calendar fields of a time, each computed once.
struct Parts {
    year: u32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// The fields of `t`, whose year must have four digits.
fn parts(t: OffsetDateTime) -> Result<Parts> {
    let (year, month, day) = t.to_calendar_date();
    let year = u32::try_from(year).ok().filter(|y| *y <= 9999).ok_or(Error::TimeOutOfRange { time: t })?;
    let (hour, minute, second) = t.to_hms();
    Ok(Parts { year, month: u8::from(month), day, hour, minute, second })
}

/// Writes `value` as zero-padded decimal filling `out`.
fn put_digits(out: &mut [u8], value: u32) {
    let mut v = value;
    for slot in out.iter_mut().rev() {
        // The digit is below 10, so it always fits in a u8.
        *slot = b'0' + u8::try_from(v % 10).expect("a digit fits in u8");
        v /= 10;
    }
}

/// Writes `YYYY<sep>MM<sep>DD` into the front of `out`.
fn put_date(out: &mut [u8], t: &Parts, sep: Option<u8>) {
    put_digits(&mut out[..4], t.year);
    let mut pos = 4;
    for value in [t.month, t.day] {
        if let Some(sep) = sep {
            out[pos] = sep;
            pos += 1;
        }
        put_digits(&mut out[pos..pos + 2], u32::from(value));
        pos += 2;
    }
}

/// Writes `HH<sep>MM<sep>SS` into the front of `out`.
fn put_time(out: &mut [u8], t: &Parts, sep: Option<u8>) {
    let width = if sep.is_some() { 3 } else { 2 };
    for (i, value) in [t.hour, t.minute, t.second].into_iter().enumerate() {
        put_digits(&mut out[width * i..width * i + 2], u32::from(value));
        if let (Some(sep), true) = (sep, i < 2) {
            out[width * i + 2] = sep;
        }
    }
}

/// `YYYYMMDD`: the credential scope date (also the first eight characters of
/// [`x_oss_date`]).
pub(crate) fn scope_date(t: OffsetDateTime) -> Result<Ascii<8>> {
    let mut out = [0u8; 8];
    put_date(&mut out, &parts(t)?, None);
    Ok(Ascii::new(out))
}

/// `YYYYMMDDTHHMMSSZ`: the `x-oss-date` form field (ISO 8601 basic format).
pub(crate) fn x_oss_date(t: OffsetDateTime) -> Result<Ascii<16>> {
    let t = parts(t)?;
    let mut out = *b"YYYYMMDDTHHMMSSZ";
    put_date(&mut out, &t, None);
    put_time(&mut out[9..15], &t, None);
    Ok(Ascii::new(out))
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`: the policy `expiration`, as JavaScript's `toISOString` and the
/// official samples write it.
pub(crate) fn expiration(t: OffsetDateTime) -> Result<Ascii<24>> {
    let t = parts(t)?;
    let mut out = *b"YYYY-MM-DDTHH:MM:SS.000Z";
    put_date(&mut out, &t, Some(b'-'));
    put_time(&mut out[11..19], &t, Some(b':'));
    Ok(Ascii::new(out))
}

/// `YYYY-MM-DD`: the date segment of temporary upload keys (`temp_upload`).
pub(crate) fn iso_date(t: OffsetDateTime) -> Result<String> {
    let mut out = *b"YYYY-MM-DD";
    put_date(&mut out, &parts(t)?, Some(b'-'));
    Ok(String::from(&*Ascii::new(out)))
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
    let (body, last) = s.split_at(s.len() - 1);
    if last != "Z" {
        return None;
    }
    let nanos = match &body[19..] {
        "" => 0,
        frac => {
            let digits = frac.strip_prefix('.')?;
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            // Nanosecond precision; further digits are dropped.
            let mut n = 0u32;
            for i in 0..9 {
                n = n * 10 + digits.as_bytes().get(i).map_or(0, |d| u32::from(d - b'0'));
            }
            n
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
fn from_digits(s: &str, fields: [Range<usize>; 6], nanos: u32) -> Option<OffsetDateTime> {
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
    use time::macros::datetime;

    #[test]
    fn formats_match_the_seed_samples() {
        // The seed's sample response: x_oss_date 20241127T060941Z, credential date 20241127.
        let t = datetime!(2024-11-27 06:09:41 UTC);
        assert_eq!(&*x_oss_date(t).unwrap(), "20241127T060941Z");
        assert_eq!(&*scope_date(t).unwrap(), "20241127");
        // The seed's policy sample: "2023-12-03T13:00:00.000Z".
        assert_eq!(&*expiration(datetime!(2023-12-03 13:00:00 UTC)).unwrap(), "2023-12-03T13:00:00.000Z");
        // The Cloud Backup seed's TempFileKey date segment: ".../upload/2022-07-29/...".
        assert_eq!(iso_date(datetime!(2022-07-29 23:59:59 UTC)).unwrap(), "2022-07-29");
    }

    #[test]
    fn every_field_lands_in_its_place() {
        let t = datetime!(0987-06-05 04:03:02 UTC);
        assert_eq!(&*x_oss_date(t).unwrap(), "09870605T040302Z");
        assert_eq!(&*scope_date(t).unwrap(), "09870605");
        assert_eq!(&*expiration(t).unwrap(), "0987-06-05T04:03:02.000Z");
        assert_eq!(iso_date(t).unwrap(), "0987-06-05");
        let t = datetime!(2024-12-31 23:59:59 UTC);
        assert_eq!(&*x_oss_date(t).unwrap(), "20241231T235959Z");
        assert_eq!(&*expiration(t).unwrap(), "2024-12-31T23:59:59.000Z");
    }

    #[test]
    fn normalize_goes_to_utc_and_drops_subseconds() {
        let t = datetime!(2024-03-01 07:59:59.999 +08:00);
        let n = normalize(t);
        assert_eq!(n, datetime!(2024-02-29 23:59:59 UTC));
        assert_eq!(n.offset(), UtcOffset::UTC);
        assert_eq!(normalize(datetime!(2024-02-29 23:59:59.5 UTC)), n);
        assert_eq!(normalize(n), n);
    }

    #[test]
    fn years_outside_four_digits_are_refused() {
        // Without time's large-dates feature the largest year is 9999, so only the lower
        // bound can be reached from outside.
        let early = datetime!(2024-01-01 00:00:00 UTC).replace_year(-1).unwrap();
        assert!(matches!(expiration(early), Err(Error::TimeOutOfRange { .. })));
        assert!(matches!(x_oss_date(early), Err(Error::TimeOutOfRange { .. })));
        assert_eq!(&*scope_date(datetime!(9999-12-31 23:59:59 UTC)).unwrap(), "99991231");
        assert_eq!(&*expiration(datetime!(0001-01-01 00:00:00 UTC)).unwrap(), "0001-01-01T00:00:00.000Z");
    }

    #[test]
    fn x_oss_date_parsing_is_strict() {
        assert_eq!(parse_x_oss_date("20240229T235959Z"), Some(datetime!(2024-02-29 23:59:59 UTC)));
        for bad in [
            "20230229T000000Z",
            "2024-02-29T00:00:00Z",
            "20240229T240000Z",
            "20240229T000000",
            "2024022 T000000Z",
            "+0240229T000000Z",
        ] {
            assert_eq!(parse_x_oss_date(bad), None, "{bad}");
        }
    }
}

//! The V4 credential scope, `x-oss-date` and the time window (`docs/oss-rules.md` §4 and §6).

use time::{Date, Duration, OffsetDateTime};

use super::rejection::Rejection;
use crate::field::{CREDENTIAL, DATE};
use crate::policy::MAX_V4_VALIDITY;
use crate::region::Region;
use crate::signing_key::SCOPE_TERMINATOR_V4;
use crate::time_fmt::parse_x_oss_date;

/// A parsed `x-oss-credential`: `<AccessKeyId>/<YYYYMMDD>/<region>/<product>/aliyun_v4_request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scope<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) date: Date,
}

/// Parses the credential and checks it against the verifier's region, then checks
/// `x-oss-date` and the time window (`docs/oss-rules.md` §4 and §6).
///
/// - Five `/`-separated parts ending in `aliyun_v4_request`, else 0002-00000710.
/// - The AccessKey id non-empty without whitespace or control characters, else 0002-00000708
///   (the page's example: a `\t`).
/// - The sign date `YYYYMMDD`, else 0002-00000709.
/// - The product `oss` (or `oss-cloudbox` for a CloudBox region), else 0002-00000710
///   [inferred].
/// - The region equal to the bucket's, else 0002-00000715 ([EC-0002-00000715]: `cn-beijing`
///   against an `oss-cn-hangzhou` bucket).
/// - `x-oss-date` is `YYYYMMDDTHHMMSSZ` ([V4]; no EC found [UNVERIFIED]).
/// - The sign date is `x-oss-date`'s UTC day ([V4] zh), else 0002-00000709 [inferred EC].
/// - `now >= x-oss-date - skew` ([V4]: a 15-minute skew; [EC-0002-00000235]: the request time
///   cannot be earlier than `x-oss-date` minus 15 minutes) and `now <= x-oss-date + 7 days`
///   ([V4]: "at most 7 days"), else 0002-00000709 ("too far from the current time"). Boundaries
///   inclusive [UNVERIFIED].
pub(crate) fn check_v4_scope<'a>(
    credential: &'a str,
    date: &str,
    region: &Region,
    now: OffsetDateTime,
    skew: Duration,
) -> Result<Scope<'a>, Rejection> {
    let parts: Vec<&str> = credential.split('/').collect();
    let Ok([access_key_id, sign_date, scope_region, product, terminator]) = <[&str; 5]>::try_from(parts) else {
        return Err(Rejection::invalid_credential(credential));
    };
    if terminator != SCOPE_TERMINATOR_V4 {
        return Err(Rejection::invalid_credential(credential));
    }
    if access_key_id.is_empty() || access_key_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Rejection::invalid_credential_access_key_id(credential));
    }
    let sign_date = parse_sign_date(sign_date).ok_or_else(|| {
        Rejection::invalid_sign_date("The sign date in x-oss-credential is not YYYYMMDD.", CREDENTIAL, credential)
    })?;
    if product != region.product().as_str() {
        return Err(Rejection::invalid_credential(credential));
    }
    if scope_region != region.id() {
        return Err(Rejection::invalid_signing_region(credential));
    }
    let x_oss_date = parse_x_oss_date(date).ok_or_else(|| Rejection::invalid_x_oss_date(Some(date)))?;
    if x_oss_date.date() != sign_date {
        return Err(Rejection::invalid_sign_date(
            "The sign date in x-oss-credential is not the date of x-oss-date.",
            CREDENTIAL,
            credential,
        ));
    }
    if now < x_oss_date.saturating_sub(skew) {
        return Err(Rejection::invalid_sign_date(
            format!(
                "The x-oss-date in the request is more than {} seconds ahead of the server time.",
                skew.whole_seconds()
            ),
            DATE,
            date,
        ));
    }
    if now > x_oss_date.saturating_add(MAX_V4_VALIDITY) {
        return Err(Rejection::invalid_sign_date("The x-oss-date in the request is more than 7 days old.", DATE, date));
    }
    Ok(Scope { access_key_id, date: sign_date })
}

/// `YYYYMMDD`, a real calendar date: read as the day of an `x-oss-date` at midnight.
fn parse_sign_date(s: &str) -> Option<Date> {
    if s.len() != 8 {
        return None;
    }
    parse_x_oss_date(&format!("{s}T000000Z")).map(OffsetDateTime::date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;
    use time::macros::datetime;

    fn scope_ec(credential: &str, date: &str, now: OffsetDateTime) -> Option<String> {
        let region = Region::new("cn-hangzhou").unwrap();
        check_v4_scope(credential, date, &region, now, Duration::minutes(15))
            .err()
            .and_then(|r| r.ec().map(str::to_owned))
    }

    #[test]
    fn v4_scope_rules() {
        let now = datetime!(2023-12-03 12:12:12 UTC);
        let ok = "AK/20231203/cn-hangzhou/oss/aliyun_v4_request";
        let region = Region::new("cn-hangzhou").unwrap();
        let scope = check_v4_scope(ok, "20231203T121212Z", &region, now, Duration::minutes(15)).unwrap();
        assert_eq!(scope, Scope { access_key_id: "AK", date: time::macros::date!(2023 - 12 - 03) });
        let d = "20231203T121212Z";
        assert_eq!(scope_ec("AK/20231203/cn-hangzhou/oss/aliyun_v4", d, now).as_deref(), Some("0002-00000710"));
        assert_eq!(scope_ec("AK/20231203/cn-hangzhou/oss", d, now).as_deref(), Some("0002-00000710"));
        assert_eq!(
            scope_ec("A/K/20231203/cn-hangzhou/oss/aliyun_v4_request", d, now).as_deref(),
            Some("0002-00000710")
        );
        assert_eq!(scope_ec("AK/20231203/cn-hangzhou/s3/aliyun_v4_request", d, now).as_deref(), Some("0002-00000710"));
        assert_eq!(
            scope_ec("A\tK/20231203/cn-hangzhou/oss/aliyun_v4_request", d, now).as_deref(),
            Some("0002-00000708")
        );
        assert_eq!(scope_ec("/20231203/cn-hangzhou/oss/aliyun_v4_request", d, now).as_deref(), Some("0002-00000708"));
        assert_eq!(
            scope_ec("AK/2023-12-03/cn-hangzhou/oss/aliyun_v4_request", d, now).as_deref(),
            Some("0002-00000709")
        );
        assert_eq!(scope_ec("AK/20231203/cn-beijing/oss/aliyun_v4_request", d, now).as_deref(), Some("0002-00000715"));
        assert_eq!(
            scope_ec("AK/20231203/oss-cn-hangzhou/oss/aliyun_v4_request", d, now).as_deref(),
            Some("0002-00000715")
        );
        assert_eq!(scope_ec("AK/20231202/cn-hangzhou/oss/aliyun_v4_request", d, now).as_deref(), Some("0002-00000709"));
        let r = check_v4_scope(ok, "2023-12-03T12:12:12Z", &region, now, Duration::minutes(15)).unwrap_err();
        assert_eq!((r.code(), r.argument_name()), ("InvalidArgument", Some("x-oss-date")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// The sign date is read as `str::parse` and `Date::from_calendar_date` read it.
        #[test]
        fn scope_readers_agree_with_std(text in "[0-9a-zA-Z/ \t\x7f\u{a0}\u{2028}é+-]{0,24}") {
            let by_std = || -> Option<Date> {
                if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let month = Month::try_from(text[4..6].parse::<u8>().ok()?).ok()?;
                Date::from_calendar_date(text[0..4].parse().ok()?, month, text[6..8].parse().ok()?).ok()
            };
            proptest::prop_assert_eq!(parse_sign_date(&text), by_std());
        }

        #[test]
        fn sign_dates_agree_with_std(y in 0..10_000u32, m in 0..14u32, d in 0..33u32) {
            let text = format!("{y:04}{m:02}{d:02}");
            let by_std = Month::try_from(u8::try_from(m).unwrap())
                .ok()
                .and_then(|month| Date::from_calendar_date(i32::try_from(y).unwrap(), month, u8::try_from(d).unwrap()).ok());
            proptest::prop_assert_eq!(parse_sign_date(&text), by_std);
        }
    }

    #[test]
    fn v4_time_window_is_inclusive() {
        let ok = "AK/20231203/cn-hangzhou/oss/aliyun_v4_request";
        let d = "20231203T121212Z";
        let date = datetime!(2023-12-03 12:12:12 UTC);
        assert_eq!(scope_ec(ok, d, date - Duration::minutes(15)), None);
        assert_eq!(scope_ec(ok, d, date - Duration::minutes(15) - Duration::SECOND).as_deref(), Some("0002-00000709"));
        assert_eq!(scope_ec(ok, d, date + Duration::days(7)), None);
        assert_eq!(scope_ec(ok, d, date + Duration::days(7) + Duration::SECOND).as_deref(), Some("0002-00000709"));
    }
}

//! One pass over a policy document as signers write it, straight into a [`PolicyView`]: no
//! JSON tree, no copies.
//!
//! It reads a subset of the grammar: `{"expiration": ..., "conditions": [...]}` in either
//! order, each condition a one-property map or an operator list, strings without escapes or
//! control characters, and plain non-negative integers. It returns a view only for a text the
//! full reader ([`PolicyView::parse`] through `strict_json`) accepts with the same result, and
//! gives up on anything else (an escape, another number form, an unknown key, a duplicate, an
//! error of any kind), so every rejection and its message still come from the full reader.
//!
//! Given the trusted STS token's JSON literal, when it holds no escape, it takes an
//! `x-oss-security-token` value that starts with that literal without scanning its 600 bytes.

use std::borrow::Cow;

use super::document::{Cond, PolicyView};
use crate::condition::SECURITY_TOKEN;
use crate::credentials::Credentials;
use crate::time_fmt;

/// The trusted STS token's JSON literal when it holds no escape: `"`, the token, `"`, and
/// no `"`, `\` or control character in between.
#[derive(Clone, Copy)]
pub(crate) struct PlainToken<'t>(&'t str);

impl<'t> PlainToken<'t> {
    /// The literal of `credentials`' token, if it needs no escape (JSON escapes every `"`,
    /// `\` and control character, so a literal two bytes longer than its token has none).
    pub(crate) fn of(credentials: &'t Credentials) -> Option<Self> {
        let (token, literal) = (credentials.security_token()?, credentials.token_literal()?.text());
        (literal.len() == token.len() + 2).then_some(Self(literal))
    }
}

/// The document's conditions, read in one pass, or `None` to leave the text to the full
/// reader.
pub(crate) fn parse<'a>(text: &'a str, token: Option<PlainToken<'_>>) -> Option<PolicyView<'a>> {
    let mut r = Reader { text, pos: 0, token };
    r.eat(b'{')?;
    let (mut expiration, mut conditions) = (None, None);
    loop {
        match r.string()? {
            "expiration" if expiration.is_none() => {
                r.eat(b':')?;
                expiration = Some(time_fmt::parse_expiration(r.string()?)?);
            }
            "conditions" if conditions.is_none() => {
                r.eat(b':')?;
                conditions = Some(r.conditions()?);
            }
            _ => return None,
        }
        if !r.next_or_close(b'}')? {
            break;
        }
    }
    r.skip_whitespace();
    (r.pos == text.len()).then_some(())?;
    Some(PolicyView::new(expiration?, conditions?))
}

/// The position of the first `"`, `\\` or control character, looked for eight bytes at a
/// time: the STS token alone is 600 bytes of string.
fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let special = |b: &u8| matches!(b, b'"' | b'\\') || *b < 0x20;
    // The high bit of a byte of `(x - n * ONES) & !x & HIGH` is set if that byte of `x` is below
    // `n` (n <= 0x80), and may be set by the borrow of a lower byte that is: the lowest set bit
    // is always exact, and little-endian puts the first byte lowest.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        let found = below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1) | below(x, 0x20);
        if found != 0 {
            return Some(offset + found.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    chunks.remainder().iter().position(special).map(|i| offset + i)
}

struct Reader<'a, 't> {
    text: &'a str,
    pos: usize,
    token: Option<PlainToken<'t>>,
}

impl<'a> Reader<'a, '_> {
    /// JSON whitespace, as `serde_json` skips it.
    fn skip_whitespace(&mut self) {
        let rest = &self.text.as_bytes()[self.pos..];
        self.pos += rest.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')).count();
    }

    /// The next byte after whitespace.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Consumes `byte` after whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// After an element: `,` (another follows: true) or `close` (the container ends: false).
    fn next_or_close(&mut self, close: u8) -> Option<bool> {
        let byte = self.peek()?;
        self.pos += 1;
        match byte {
            b',' => Some(true),
            _ if byte == close => Some(false),
            _ => None,
        }
    }

    /// A string holding no escape and no control character, borrowed from the text.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let end = start + string_end(&self.text.as_bytes()[start..])?;
        (self.text.as_bytes()[end] == b'"').then_some(())?;
        self.pos = end + 1;
        // Both ends sit next to an ASCII `"`, so they are character boundaries.
        self.text.get(start..end)
    }

    /// The value of `x-oss-security-token`: the trusted token if the text holds its literal
    /// here, else as [`Reader::string`] reads it.
    fn token_string(&mut self) -> Option<&'a str> {
        self.skip_whitespace();
        if let Some(PlainToken(literal)) = self.token
            && self.text.as_bytes()[self.pos..].starts_with(literal.as_bytes())
        {
            // What `string` would read: the literal has no special byte but its closing `"`.
            let start = self.pos + 1;
            self.pos += literal.len();
            return self.text.get(start..self.pos - 1);
        }
        self.string()
    }

    /// A non-negative integer in `u64` written as JSON does (no sign, no leading zero, no
    /// fraction or exponent, which would make it a float for the full reader).
    fn uint(&mut self) -> Option<u64> {
        self.skip_whitespace();
        let rest = &self.text.as_bytes()[self.pos..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || (digits > 1 && rest[0] == b'0') || matches!(rest.get(digits), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let value = self.text.get(self.pos..self.pos + digits)?.parse().ok()?;
        self.pos += digits;
        Some(value)
    }

    /// `[condition, ...]`, not empty.
    fn conditions(&mut self) -> Option<Vec<Cond<'a>>> {
        self.eat(b'[')?;
        let mut conditions = Vec::with_capacity(16);
        loop {
            conditions.push(self.condition()?);
            if !self.next_or_close(b']')? {
                return Some(conditions);
            }
        }
    }

    /// `{"field": "value"}` or `[op, ...]` with exactly three elements.
    fn condition(&mut self) -> Option<Cond<'a>> {
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                let field = self.string()?;
                self.eat(b':')?;
                let value = if field == SECURITY_TOKEN { self.token_string()? } else { self.string()? };
                self.eat(b'}')?;
                Some(Cond::Eq { field: Cow::Borrowed(field), value: Cow::Borrowed(value) })
            }
            b'[' => {
                self.pos += 1;
                let op = self.string()?;
                self.eat(b',')?;
                let condition = if op == "content-length-range" {
                    let min = self.uint()?;
                    self.eat(b',')?;
                    let max = self.uint()?;
                    (min <= max).then_some(Cond::ContentLengthRange { min, max })?
                } else {
                    let name = self.string()?;
                    let field = Cow::Borrowed(name.strip_prefix('$').unwrap_or(name));
                    self.eat(b',')?;
                    match op {
                        "eq" => Cond::Eq { field, value: Cow::Borrowed(self.string()?) },
                        "starts-with" => Cond::StartsWith { field, prefix: Cow::Borrowed(self.string()?) },
                        "in" => Cond::In { field, values: self.strings()? },
                        "not-in" => Cond::NotIn { field, values: self.strings()? },
                        _ => return None,
                    }
                };
                self.eat(b']')?;
                Some(condition)
            }
            _ => None,
        }
    }

    /// `["a", "b", ...]`, possibly empty.
    fn strings(&mut self) -> Option<Vec<Cow<'a, str>>> {
        self.eat(b'[')?;
        let mut values = Vec::new();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(values);
        }
        loop {
            values.push(Cow::Borrowed(self.string()?));
            if !self.next_or_close(b']')? {
                return Some(values);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The full reader's answer, for texts without OSS's `\$` escape.
    fn full(text: &str) -> Option<PolicyView<'_>> {
        PolicyView::parse_full(text).ok()
    }

    const SIGNED: &str = r#"{"expiration":"2024-11-27T07:09:41.000Z","conditions":[{"bucket":"examplebucket"},{"x-oss-signature-version":"OSS4-HMAC-SHA256"},{"x-oss-credential":"AK/20241127/cn-hangzhou/oss/aliyun_v4_request"},{"x-oss-date":"20241127T060941Z"},["content-length-range",1,10485760],["eq","$success_action_status","200"],["starts-with","$key","user-dir/"],["in","$content-type",["image/jpeg","image/png"]],["not-in","$cache-control",["no-cache"]]]}"#;

    #[test]
    fn reads_what_signers_write_as_the_full_reader_does() {
        let spaced = r#" { "conditions" : [ [ "eq" , "key", "a" ] , ["in", "$x", [ ]], {"é": "ü"}, ["content-length-range", 0, 18446744073709551615] ] ,
            "expiration": "2013-12-01T12:00:00Z" } "#;
        for text in [SIGNED, spaced] {
            let quick = parse(text, None).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(Some(&quick), full(text).as_ref(), "{text}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_full_reader() {
        let with = |conds: &str| format!(r#"{{"expiration": "2023-02-19T13:19:00.000Z", "conditions": [{conds}]}}"#);
        let valid_but_unusual = [with(r#"{"a": "\/"}"#), with(r#"{"a": "\\$5"}"#), with(r#"{"a\u0062": "c"}"#)];
        for text in &valid_but_unusual {
            assert!(parse(text, None).is_none() && full(text).is_some(), "{text}");
        }
        let invalid = [
            String::new(),
            "{}".to_owned(),
            with(""),
            with(r#"["content-length-range", 2, 1]"#),
            with(r#"["content-length-range", 01, 2]"#),
            with(r#"["content-length-range", 0, 1e3]"#),
            with(r#"["content-length-range", 0, 1.0]"#),
            with(r#"["content-length-range", -1, 2]"#),
            with(r#"["content-length-range", 1, 18446744073709551616]"#),
            with(r#"["eq", "$a"]"#),
            with(r#"["eq", "$a", "b", "c"]"#),
            with(r#"["ends-with", "$a", "b"]"#),
            with(r#"{"a": "b", "c": "d"}"#),
            with(r#"{"a": 1}"#),
            with(r#"["in", "$a", ["x",]]"#),
            with("{\"a\": \"tab\there\"}"),
            format!("{} x", with(r#"{"a": "b"}"#)),
            r#"{"expiration": "2023-02-19T13:19:00Z", "expiration": "2023-02-19T13:19:00Z", "conditions": [{"a": "b"}]}"#.to_owned(),
            r#"{"expiration": "2023-02-19 13:19:00", "conditions": [{"a": "b"}]}"#.to_owned(),
            r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [{"a": "b"}], "x": 1}"#.to_owned(),
            r#"{"expiration": "2023-02-19T13:19:00Z"}"#.to_owned(),
        ];
        for text in &invalid {
            assert!(parse(text, None).is_none(), "{text}");
        }
    }

    #[test]
    fn string_end_finds_the_first_special_byte_at_any_offset() {
        for len in 0..40 {
            for special in [b'"', b'\\', b'\n', 0, 0x1f] {
                for at in 0..len {
                    for after in [b'"', 0x21, 0x23, 0x1f, 0x20, 0x5d, 0xff] {
                        let mut bytes = vec![b'a'; len];
                        bytes[at] = special;
                        bytes[at + 1..].fill(after);
                        assert_eq!(string_end(&bytes), Some(at), "{len} {special} {at} {after}");
                    }
                }
                assert_eq!(string_end(&vec![b'a'; len]), None);
            }
        }
        let text = "é\u{7f}\u{80}~ !#[]\u{10ffff}ü\"".as_bytes();
        assert_eq!(string_end(text), Some(text.len() - 1));
    }

    /// Bytes that change how a policy reads.
    const SPECIAL: &[u8] = b" \t\n\r{}[]:,\"\\$-+.0123456789eEaz\x01\x7f";

    /// [`SIGNED`] with an `x-oss-security-token` condition holding `literal` after `bucket`.
    fn with_token(literal: &str) -> String {
        let bucket = r#"{"bucket":"examplebucket"},"#;
        SIGNED.replacen(bucket, &format!(r#"{bucket}{{"x-oss-security-token":{literal}}},"#), 1)
    }

    #[test]
    fn plain_tokens_are_the_ones_without_escapes() {
        let creds = |token: &str| Credentials::new("AK", "secret").unwrap().with_security_token(token).unwrap();
        let plain = creds("CAIS+/=é$");
        assert_eq!(PlainToken::of(&plain).map(|t| t.0), Some(r#""CAIS+/=é$""#));
        for token in ["a\"b", "a\\b", "\u{2028}"] {
            let escaped = creds(token);
            assert_eq!(PlainToken::of(&escaped).is_none(), token.contains(['"', '\\']), "{token:?}");
        }
        assert!(PlainToken::of(&Credentials::new("AK", "secret").unwrap()).is_none());
        let text = with_token(r#""CAIS+/=é$""#);
        let quick = parse(&text, PlainToken::of(&plain)).expect("read");
        assert_eq!(Some(&quick), full(&text).as_ref());
        assert_eq!(quick, parse(&text, None).unwrap());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Knowing the trusted token changes no answer: the same token, another one, one that
        /// needs escapes, one that extends or cuts the trusted one, or none, after any edit.
        #[test]
        fn knowing_the_token_agrees_with_not_knowing_it(
            token in "[A-Za-z0-9+/=é\"\\\\$ ]{1,24}",
            other in "[A-Za-z0-9+/=é\"\\\\$ ]{0,24}",
            how in 0..5u8,
            edit in proptest::option::of((any::<prop::sample::Index>(), any::<prop::sample::Index>())),
        ) {
            let creds = Credentials::new("AK", "secret").unwrap().with_security_token(token.as_str()).unwrap();
            let trusted = creds.token_literal().unwrap().text();
            let sent = match how {
                0 => trusted.to_owned(),
                1 => crate::json::cached_literal(&other).text().to_owned(),
                2 => format!("{}{other}\"", &trusted[..trusted.len() - 1]),
                3 => format!("\"{token}\""),
                _ => String::new(),
            };
            let mut bytes = if sent.is_empty() { SIGNED.to_owned() } else { with_token(&sent) }.into_bytes();
            if let Some((at, byte)) = edit {
                let at = at.index(bytes.len());
                bytes[at] = *byte.get(SPECIAL);
            }
            let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
            prop_assert_eq!(parse(text, PlainToken::of(&creds)), parse(text, None), "{}", text);
        }

        /// Whatever an edit does to a signed policy, the quick reader agrees with the full one
        /// or gives up.
        #[test]
        fn agrees_with_the_full_reader_or_gives_up(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..3u8, any::<prop::sample::Index>()), 1..4)
        ) {
            let mut bytes = SIGNED.as_bytes().to_vec();
            for (at, kind, byte) in edits {
                let at = at.index(bytes.len() + 1);
                let byte = *byte.get(SPECIAL);
                match kind {
                    0 => bytes.insert(at, byte),
                    1 if at < bytes.len() => { bytes.remove(at); }
                    _ if at < bytes.len() => bytes[at] = byte,
                    _ => {}
                }
            }
            let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
            if let Some(quick) = parse(text, None) {
                prop_assert_eq!(Some(quick), full(text), "{}", text);
            }
        }
    }
}

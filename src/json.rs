//! The JSON string writer behind the policy document.
//!
//! It escapes exactly what JavaScript's `JSON.stringify` escapes (and so what ali-oss's
//! `policy2Str` writes): `"` and `\`, the short escapes `\b \f \n \r \t`, every other control
//! character below U+0020 as `\u00xx` in lower-case hex. Everything else, U+2028/U+2029, `/`
//! and non-ASCII included, is written raw as UTF-8.

use crate::encoding::{Base64Writer, CachedBase64};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether any byte of `block` needs escaping: a control character, `"`, `\`, or (with
/// `escape_dollar`) `$`. Written without early exit so that it compiles to a few vector
/// compares per 16 bytes.
fn block_needs_escape(block: &[u8; 64], escape_dollar: bool) -> bool {
    // Without dollar escaping, look for a second quote instead: same result, no branch.
    let dollar = if escape_dollar { b'$' } else { b'"' };
    let mut hit = 0u8;
    for &b in block {
        hit |= u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\') | u8::from(b == dollar);
    }
    hit != 0
}

/// How `b` is written inside a JSON string: `None` when raw, else its escape (`""` standing
/// for `\u00xx`).
const fn escape_of(b: u8, escape_dollar: bool) -> Option<&'static str> {
    Some(match b {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        b'\n' => "\\n",
        b'\r' => "\\r",
        b'\t' => "\\t",
        0x08 => "\\b",
        0x0c => "\\f",
        b'$' if escape_dollar => "\\\\$",
        0x00..=0x1f => "",
        _ => return None,
    })
}

/// The index of the first byte at or after `from` that needs escaping, or `bytes.len()`.
///
/// Strings in a policy are mostly long runs that need nothing (an STS token is about 600
/// base64 characters), so they are skipped 64 bytes at a time.
fn next_escape(bytes: &[u8], mut from: usize, escape_dollar: bool) -> usize {
    while let Some(block) = bytes.get(from..from + 64) {
        if block_needs_escape(block.try_into().expect("the slice holds 64 bytes"), escape_dollar) {
            break;
        }
        from += 64;
    }
    bytes[from..].iter().position(|&b| escape_of(b, escape_dollar).is_some()).map_or(bytes.len(), |i| from + i)
}

/// Where JSON text goes: the policy document is written into a `String` when built or shown,
/// and straight as base64 when signed.
pub(crate) trait Sink {
    /// Appends `text`.
    fn put(&mut self, text: &str);

    /// Appends the text of a part whose base64 may be cached.
    fn put_cached(&mut self, part: &CachedBase64) {
        self.put(part.text());
    }
}

impl Sink for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

impl Sink for Base64Writer {
    fn put(&mut self, text: &str) {
        Base64Writer::put(self, text.as_bytes());
    }

    fn put_cached(&mut self, part: &CachedBase64) {
        Base64Writer::put_cached(self, part);
    }
}

/// `value` as a JSON string literal, with its base64 cached (for STS tokens).
pub(crate) fn cached_literal(value: &str) -> CachedBase64 {
    let mut text = String::with_capacity(value.len() + 2);
    push_str(&mut text, value, false);
    CachedBase64::new(text)
}

/// Appends `value` as a JSON string literal (quotes included).
///
/// With `escape_dollar`, every `$` in the value is first written as `\$` (OSS's documented way
/// to write a literal dollar, as the Java SDK does), which JSON then writes as `\\$`.
pub(crate) fn push_str(out: &mut impl Sink, value: &str, escape_dollar: bool) {
    out.put("\"");
    let bytes = value.as_bytes();
    let mut start = 0;
    loop {
        let i = next_escape(bytes, start, escape_dollar);
        // Every byte that needs escaping is ASCII, so `start..i` ends on a char boundary.
        out.put(&value[start..i]);
        let Some(&b) = bytes.get(i) else { break };
        match escape_of(b, escape_dollar) {
            Some("") | None => {
                let code = [b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
                out.put(std::str::from_utf8(&code).expect("an escape is ASCII"));
            }
            Some(escape) => out.put(escape),
        }
        start = i + 1;
    }
    out.put("\"");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lit(s: &str) -> String {
        let mut out = String::new();
        push_str(&mut out, s, false);
        out
    }

    #[test]
    fn escapes_like_json_stringify() {
        // Expected texts are what `JSON.stringify` prints for these strings (ECMA-262
        // QuoteJSONString): short escapes, lower-case \u00xx, U+2028 and `/` left raw.
        assert_eq!(lit("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(lit("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
        assert_eq!(lit("\u{0}\u{1}\u{1f}\u{7f}"), "\"\\u0000\\u0001\\u001f\u{7f}\"");
        assert_eq!(lit("/ <>&' \u{2028}\u{2029} 用户 😀"), "\"/ <>&' \u{2028}\u{2029} 用户 😀\"");
    }

    #[test]
    fn dollar_escape_is_opt_in() {
        let mut out = String::new();
        push_str(&mut out, "user/${filename}", true);
        assert_eq!(out, r#""user/\\${filename}""#);
        assert_eq!(lit("user/${filename}"), r#""user/${filename}""#);
    }

    #[test]
    fn the_block_scan_flags_exactly_the_blocks_holding_an_escape() {
        for b in 0..=u8::MAX {
            for at in [0, 1, 31, 32, 63] {
                let mut block = [b'a'; 64];
                block[at] = b;
                for dollar in [false, true] {
                    assert_eq!(block_needs_escape(&block, dollar), escape_of(b, dollar).is_some(), "{b:#04x} at {at}");
                }
            }
        }
    }

    #[test]
    fn escapes_are_found_in_every_position_of_long_strings() {
        let run = "A".repeat(150);
        for at in 0..run.len() {
            for special in ["\"", "\\", "\u{1}", "\u{7f}", "é", "😀"] {
                let s = format!("{}{special}{}", &run[..at], &run[at..]);
                assert_eq!(lit(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json_and_round_trips(s in any::<String>()) {
            let ours = lit(&s);
            // serde_json's compact writer escapes the same set, the same way.
            prop_assert_eq!(&ours, &serde_json::to_string(&s).unwrap());
            prop_assert_eq!(serde_json::from_str::<String>(&ours).unwrap(), s);
        }
    }
}

//! The JSON string writer behind the policy document.
//!
//! It escapes exactly what JavaScript's `JSON.stringify` escapes (and so what ali-oss's
//! `policy2Str` writes): `"` and `\`, the short escapes `\b \f \n \r \t`, every other control
//! character below U+0020 as `\u00xx` in lower-case hex. Everything else, U+2028/U+2029, `/`
//! and non-ASCII included, is written raw as UTF-8.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `value` as a JSON string literal (quotes included).
///
/// With `escape_dollar`, every `$` in the value is first written as `\$` (OSS's documented way
/// to write a literal dollar, as the Java SDK does), which JSON then writes as `\\$`.
pub(crate) fn push_str(out: &mut String, value: &str, escape_dollar: bool) {
    out.push('"');
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            b'$' if escape_dollar => "\\\\$",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every byte matched above is ASCII, so `start..i` ends on a char boundary.
        out.push_str(&value[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&value[start..]);
    out.push('"');
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

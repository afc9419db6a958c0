//! Percent-encoding (RFC 3986) as OSS's signed strings use it: one encoder for presigned URLs
//! and their canonical requests, one decoder for what a presigned request or an upload callback
//! carries.

/// RFC 3986 unreserved characters, `A-Z a-z 0-9 - . _ ~`, by byte.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    loop {
        table[b as usize] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if b == u8::MAX {
            break table;
        }
        b += 1;
    }
};

/// Appends `bytes` percent-encoded: RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// stay, and `/` too when `keep_slash`; every other byte is `%XX` in upper-case hex (a space is
/// `%20`, never `+`).
pub(crate) fn encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let kept = |b: u8| UNRESERVED[usize::from(b)] || (keep_slash && b == b'/');
    // Written as bytes (runs of kept bytes copied whole), checked as UTF-8 once: every byte
    // written is ASCII.
    let mut buf = std::mem::take(out).into_bytes();
    buf.reserve(bytes.len());
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| !kept(b)) {
        let b = rest[at];
        buf.extend_from_slice(&rest[..at]);
        buf.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        rest = &rest[at + 1..];
    }
    buf.extend_from_slice(rest);
    *out = String::from_utf8(buf).expect("percent-encoding writes ASCII");
}

/// `bytes` percent-encoded, `/` included.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    encode_into(&mut out, bytes, false);
    out
}

/// `text` with each `%XX` (two hex digits) decoded to its byte and, when `plus_is_space`, each
/// `+` to a space; a `%` without two hex digits after it is kept as it is. The flag says whether
/// every `%` was such an escape.
pub(crate) fn decode_lossy(text: &[u8], plus_is_space: bool) -> (Vec<u8>, bool) {
    let hex = |b: Option<&u8>| b.and_then(|&b| char::from(b).to_digit(16));
    let mut out = Vec::with_capacity(text.len());
    let mut well_formed = true;
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match (b, hex(text.get(i + 1)), hex(text.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).expect("two hex digits make a byte"));
                i += 3;
                continue;
            }
            (b'%', ..) => well_formed = false,
            (b'+', ..) if plus_is_space => {
                out.push(b' ');
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(b);
        i += 1;
    }
    (out, well_formed)
}

/// [`decode_lossy`], or `None` when a `%` is not followed by two hex digits.
pub(crate) fn decode(text: &str, plus_is_space: bool) -> Option<Vec<u8>> {
    let (bytes, well_formed) = decode_lossy(text.as_bytes(), plus_is_space);
    well_formed.then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        let all: Vec<u8> = (0..=255).collect();
        let encoded = encode(&all);
        // Python's urllib.parse.quote(bytes(range(256)), safe="~") writes the same text.
        assert!(encoded.starts_with("%00%01"));
        assert!(encoded.contains("%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A"));
        assert!(
            encoded.contains("%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~%7F")
        );
        assert!(encoded.ends_with("%FE%FF"));
        let mut path = String::from("/");
        encode_into(&mut path, "a b/c+d//é~".as_bytes(), true);
        assert_eq!(path, "/a%20b/c%2Bd//%C3%A9~");
        assert_eq!(encode(b"a/b"), "a%2Fb");
    }

    #[test]
    fn decoding_is_python_s_unquote() {
        // Python 3.11 `urllib.parse.unquote_to_bytes` gives the same bytes for each.
        assert_eq!(decode_lossy(b"/a%20b/%2541+c%zz%4", false), (b"/a b/%41+c%zz%4".to_vec(), false));
        assert_eq!(decode_lossy(b"%+F%e9%C3%A9", false), (b"%+F\xe9\xc3\xa9".to_vec(), false));
        assert_eq!(decode("a%2Fb+c", true), Some(b"a/b c".to_vec()));
        assert_eq!(decode("a%2Fb+c", false), Some(b"a/b+c".to_vec()));
        assert_eq!(decode("%+F", true), None, "an escape is a percent and two hex digits");
        assert_eq!(decode("%4", false), None);
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all), false), Some(all), "decode undoes encode");
    }
}

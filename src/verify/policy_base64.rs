//! Decoding the `policy` field: canonical standard base64 (padded, no whitespace, zero
//! trailing bits), as every signer writes it, four characters per table step.
//!
//! It answers only for input the `base64` crate's `STANDARD` engine decodes, with the same
//! bytes, and gives up (`None`) on anything else, which the caller hands to that engine: what
//! is accepted and refused is the engine's decision.
//!
//! Given a text it expects in the document (the trusted STS token's JSON literal, most of a
//! policy), it copies that text's bytes where its cached encoding ([`CachedBase64`]) stands in
//! the input instead of decoding it: the same characters always decode to the same bytes.

use crate::encoding::CachedBase64;

/// Bits set in a table entry for a byte outside the alphabet.
const INVALID: u32 = 0xff00_0000;

/// `TABLES[i][c]`: the 6-bit value of character `c` placed where the `i`-th character of a
/// quantum goes in its 24 bits, or [`INVALID`].
static TABLES: [[u32; 256]; 4] = tables();

const fn tables() -> [[u32; 256]; 4] {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut tables = [[INVALID; 256]; 4];
    let mut value: u32 = 0;
    while value < 64 {
        let c = ALPHABET[value as usize] as usize;
        let mut i = 0;
        while i < 4 {
            tables[i][c] = value << (18 - 6 * i);
            i += 1;
        }
        value += 1;
    }
    tables
}

/// The 24 bits of a quantum, with [`INVALID`] bits set if a character is outside the alphabet.
fn quantum(q: &[u8]) -> u32 {
    TABLES[0][usize::from(q[0])]
        | TABLES[1][usize::from(q[1])]
        | TABLES[2][usize::from(q[2])]
        | TABLES[3][usize::from(q[3])]
}

/// The bytes of `text`, or `None` to leave it to the `base64` crate; where the encoding of
/// `known` stands in `text`, its bytes are copied.
pub(crate) fn decode(text: &str, known: Option<&CachedBase64>) -> Option<Vec<u8>> {
    let input = text.as_bytes();
    if input.is_empty() || input.len() % 4 != 0 {
        return None;
    }
    let (body, last) = input.split_at(input.len() - 4);
    let padding = last.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return None;
    }
    let body_len = body.len() / 4 * 3;
    let mut out = vec![0; body_len + 3 - padding];
    let (out_body, out_last) = out.split_at_mut(body_len);
    let mut seen = 0;
    let mut from = 0;
    if let Some((at, encoded, bytes)) = known.and_then(|known| find_known(body, known)) {
        // `encoded` is the base64 of `bytes` from a quantum on: characters of the alphabet
        // only, no padding, so decoding them would give `bytes` and set no `INVALID` bit.
        seen |= decode_quanta(&body[..at], &mut out_body[..at / 4 * 3]);
        out_body[at / 4 * 3..][..bytes.len()].copy_from_slice(bytes);
        from = at + encoded.len();
    }
    seen |= decode_quanta(&body[from..], &mut out_body[from / 4 * 3..]);
    // The last quantum with its padding read as `A` (zero bits), which must leave the bits
    // no output byte takes at zero.
    let mut q = [b'A'; 4];
    q[..4 - padding].copy_from_slice(&last[..4 - padding]);
    let bits = quantum(&q);
    let unused = [0, 0xff, 0xffff][padding];
    if (seen | bits) & INVALID != 0 || bits & unused != 0 {
        return None;
    }
    out_last.copy_from_slice(&bits.to_be_bytes()[1..4 - padding]);
    Some(out)
}

/// Decodes whole quanta of `body` into `out` (three bytes each) and returns the OR of their
/// bits, with [`INVALID`] bits set if a character is outside the alphabet.
fn decode_quanta(body: &[u8], out: &mut [u8]) -> u32 {
    let mut seen = 0;
    for (q, o) in body.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let bits = quantum(q);
        seen |= bits;
        o.copy_from_slice(&bits.to_be_bytes()[1..]);
    }
    seen
}

/// The first quantum of `body` at which the cached encoding of `known` for one of its three
/// alignments stands whole: its position in `body`, that encoding and the bytes it encodes.
fn find_known<'k>(body: &[u8], known: &'k CachedBase64) -> Option<(usize, &'k [u8], &'k [u8])> {
    let text = known.text().as_bytes();
    // Alignment `skip`: the text's bytes from `skip` on, in whole groups, start a quantum.
    let candidate = |skip: usize| {
        let encoded = known.encoded_after(skip).as_bytes();
        (encoded, &text[skip..skip + encoded.len() / 4 * 3])
    };
    let candidates = [candidate(0), candidate(1), candidate(2)];
    // The first quantum of each (of an empty one, any: it is never taken).
    let heads = candidates.map(|(encoded, _)| encoded.first_chunk().map_or(0, |&head| u32::from_ne_bytes(head)));
    let quanta = body.chunks_exact(4).map(|q| u32::from_ne_bytes(q.try_into().expect("chunks of 4")));
    for (i, q) in quanta.enumerate() {
        if q == heads[0] || q == heads[1] || q == heads[2] {
            let at = 4 * i;
            let found = candidates.iter().find(|(encoded, _)| !encoded.is_empty() && body[at..].starts_with(encoded));
            if let Some(&(encoded, bytes)) = found {
                return Some((at, encoded, bytes));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;

    fn engine(text: &str) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD.decode(text).ok()
    }

    #[test]
    fn decodes_what_the_engine_encodes() {
        for len in 0..70u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            assert_eq!(decode(&text, None), if len == 0 { None } else { Some(bytes) }, "{text}");
        }
    }

    #[test]
    fn gives_up_on_what_the_engine_refuses() {
        for text in [
            "", "A", "AB", "ABC", "AB=A", "A===", "====", "AB==AB==", "QQ=", "QR==", "QUI=QUI=", "QUJ=", " QUI=",
            "QU\nI=", "QU-_",
        ] {
            assert_eq!(decode(text, None), None, "{text:?}");
            assert!(engine(text).is_none() || text.is_empty(), "{text:?}");
        }
    }

    fn encode(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn finds_a_known_text_at_each_alignment() {
        let known = crate::json::cached_literal("CAIS-token+/=é\"x");
        let literal = known.text().as_bytes();
        for prefix in 0..6 {
            let mut doc = vec![b'{'; prefix];
            doc.extend_from_slice(literal);
            doc.extend_from_slice(b"}}}}");
            let text = encode(&doc);
            let (at, encoded, bytes) = find_known(&text.as_bytes()[..text.len() - 4], &known).expect("found");
            let skip = (3 - prefix % 3) % 3;
            assert_eq!(
                (at, encoded, bytes),
                ((prefix + skip) / 3 * 4, known.encoded_after(skip).as_bytes(), &literal[skip..][..bytes.len()])
            );
            assert_eq!(bytes.len(), (literal.len() - skip) / 3 * 3);
            assert_eq!(decode(&text, Some(&known)), Some(doc));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Knowing a text changes no answer: with the literal of the same token, of another
        /// one, of one that needs escapes, at any alignment, after any edit of the base64.
        #[test]
        fn knowing_a_text_agrees_with_not_knowing_it(
            token in "[A-Za-z0-9+/=é\"\\\\$]{1,40}",
            other in "[A-Za-z0-9+/]{1,40}",
            prefix in "[ -~]{0,8}",
            suffix in "[ -~]{0,8}",
            same in any::<bool>(),
            edit in proptest::option::of((any::<prop::sample::Index>(), "[A-Za-z0-9+/=\\-]")),
        ) {
            let known = crate::json::cached_literal(&token);
            let sent = if same { known.text().to_owned() } else { crate::json::cached_literal(&other).text().to_owned() };
            let mut text = encode(format!("{prefix}{sent}{suffix}").as_bytes());
            if let Some((at, c)) = edit {
                let at = at.index(text.len());
                text.replace_range(at..=at, &c);
            }
            prop_assert_eq!(decode(&text, Some(&known)), decode(&text, None), "{}", text);
        }

        /// On any text over the alphabet, padding and a few strangers, the fast decoder agrees
        /// with the engine or gives up where the engine refuses.
        #[test]
        fn agrees_with_the_engine(text in "[A-Za-z0-9+/=\\- \n]{0,24}", bytes in proptest::collection::vec(any::<u8>(), 1..40)) {
            match decode(&text, None) {
                Some(decoded) => prop_assert_eq!(Some(decoded), engine(&text)),
                None => prop_assert!(engine(&text).is_none() || text.is_empty(), "{:?}", text),
            }
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            prop_assert_eq!(decode(&encoded, None), Some(bytes));
        }
    }
}

//! Decoding the `policy` field: canonical standard base64 (padded, no whitespace, zero
//! trailing bits), as every signer writes it, four characters per table step.
//!
//! It answers only for input the `base64` crate's `STANDARD` engine decodes, with the same
//! bytes, and gives up (`None`) on anything else, which the caller hands to that engine: what
//! is accepted and refused is the engine's decision.

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

/// The bytes of `text`, or `None` to leave it to the `base64` crate.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
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
    for (q, o) in body.chunks_exact(4).zip(out_body.chunks_exact_mut(3)) {
        let bits = quantum(q);
        seen |= bits;
        o.copy_from_slice(&bits.to_be_bytes()[1..]);
    }
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
            assert_eq!(decode(&text), if len == 0 { None } else { Some(bytes) }, "{text}");
        }
    }

    #[test]
    fn gives_up_on_what_the_engine_refuses() {
        for text in [
            "", "A", "AB", "ABC", "AB=A", "A===", "====", "AB==AB==", "QQ=", "QR==", "QUI=QUI=", "QUJ=", " QUI=",
            "QU\nI=", "QU-_",
        ] {
            assert_eq!(decode(text), None, "{text:?}");
            assert!(engine(text).is_none() || text.is_empty(), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// On any text over the alphabet, padding and a few strangers, the fast decoder agrees
        /// with the engine or gives up where the engine refuses.
        #[test]
        fn agrees_with_the_engine(text in "[A-Za-z0-9+/=\\- \n]{0,24}", bytes in proptest::collection::vec(any::<u8>(), 1..40)) {
            match decode(&text) {
                Some(decoded) => prop_assert_eq!(Some(decoded), engine(&text)),
                None => prop_assert!(engine(&text).is_none() || text.is_empty(), "{:?}", text),
            }
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            prop_assert_eq!(decode(&encoded), Some(bytes));
        }
    }
}

//! Base64 (the `policy` field) and hex (`x-oss-signature`) on the signing path.
//!
//! Written here rather than taken from the `base64` and `hex` crates because both run on every
//! signature and a signed form is mostly its base64 policy: encoding two characters per table
//! lookup, twelve input bytes per step, into a buffer sized once, takes about half the time of
//! the `base64` crate's general engine on a 1 KB policy (see `benches/post_policy.rs`).

/// The standard base64 alphabet (RFC 4648 §4), which OSS decodes the policy with.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two base64 characters of every 12-bit value.
static PAIRS: [[u8; 2]; 4096] = pairs();

const fn pairs() -> [[u8; 2]; 4096] {
    let mut table = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < table.len() {
        table[i] = [ALPHABET[i >> 6], ALPHABET[i & 63]];
        i += 1;
    }
    table
}

/// Length of the padded base64 text of `n` bytes.
pub(crate) const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// Encodes `buf[from..]` as padded base64 over the front of `buf`, in place, leaving exactly
/// the text in `buf`.
///
/// The in-place walk needs `from >= base64_len(n) - n` for `n = buf.len() - from` (output
/// never overtakes unread input: after `k` groups of three bytes it has written `4k` bytes and
/// read up to `from + 3k`). A caller that lays the input out with that gap in front pays no
/// copy and no second buffer; a shorter gap is first widened by a move.
pub(crate) fn base64_in_place(buf: &mut Vec<u8>, from: usize) {
    let n = buf.len() - from;
    let len = base64_len(n);
    let from = if from >= len - n {
        from
    } else {
        // Not laid out as expected: make it so (only a caller's estimate can lead here).
        let mut moved = vec![0; len - n];
        moved.extend_from_slice(&buf[from..]);
        *buf = moved;
        len - n
    };
    let full = n / 12;
    for k in 0..full {
        let (src, dst) = (from + 12 * k, 16 * k);
        let hi = u64::from_be_bytes(buf[src..src + 8].try_into().expect("8 bytes"));
        let lo = u64::from(u32::from_be_bytes(buf[src + 8..src + 12].try_into().expect("4 bytes")));
        // 96 bits, eight 12-bit indexes, sixteen characters.
        let indexes = [hi >> 52, hi >> 40, hi >> 28, hi >> 16, hi >> 4, hi << 8 | lo >> 24, lo >> 12, lo];
        for (i, index) in indexes.into_iter().enumerate() {
            let index = usize::try_from(index & 0xfff).expect("12 bits fit in usize");
            buf[dst + 2 * i..dst + 2 * i + 2].copy_from_slice(&PAIRS[index]);
        }
    }
    let mut group = 4 * full;
    let mut src = from + 12 * full;
    while src < buf.len() {
        let rest = buf.len() - src;
        let bytes = [buf[src], if rest > 1 { buf[src + 1] } else { 0 }, if rest > 2 { buf[src + 2] } else { 0 }];
        let bits = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        let [first, second] = PAIRS[usize::try_from(bits >> 12).expect("12 bits fit in usize")];
        let [third, fourth] = PAIRS[usize::try_from(bits & 0xfff).expect("12 bits fit in usize")];
        let (third, fourth) = (if rest > 1 { third } else { b'=' }, if rest > 2 { fourth } else { b'=' });
        let dst = 4 * group;
        buf[dst..dst + 4].copy_from_slice(&[first, second, third, fourth]);
        group += 1;
        src += 3;
    }
    buf.truncate(len);
}

/// Lower-case hex of a 32-byte MAC.
pub(crate) fn hex32(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 64];
    for (pair, byte) in text.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&[DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 0xf)]]);
    }
    std::str::from_utf8(&text).expect("hex digits are ASCII").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;

    fn encode(input: &[u8], gap: usize) -> Vec<u8> {
        let mut buf = vec![0xAA; gap];
        buf.extend_from_slice(input);
        base64_in_place(&mut buf, gap);
        buf
    }

    #[test]
    fn rfc_4648_test_vectors() {
        // RFC 4648 §10.
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let gap = base64_len(input.len()) - input.len();
            assert_eq!(encode(input.as_bytes(), gap), want.as_bytes(), "{input:?}");
        }
    }

    #[test]
    fn every_length_and_byte_value_matches_the_base64_crate() {
        let input: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for n in 0..input.len() {
            let gap = base64_len(n) - n;
            let want = base64::engine::general_purpose::STANDARD.encode(&input[..n]);
            assert_eq!(encode(&input[..n], gap), want.as_bytes(), "length {n}");
        }
    }

    #[test]
    fn hex_is_lower_case() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xAB;
        bytes[31] = 0x0F;
        assert_eq!(hex32(&bytes), format!("ab{}0f", "0".repeat(60)));
        assert_eq!(hex32(&[0xFF; 32]), "f".repeat(64));
    }

    proptest! {
        #[test]
        fn any_layout_encodes_like_the_base64_crate(input in proptest::collection::vec(any::<u8>(), 0..300), gap in 0usize..200) {
            let want = base64::engine::general_purpose::STANDARD.encode(&input);
            prop_assert_eq!(encode(&input, gap), want.into_bytes());
        }
    }
}

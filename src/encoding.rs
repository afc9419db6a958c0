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

/// A document written straight into the allocation its base64 text ends up in.
///
/// The document goes behind room for its base64 text (sized from an estimate of its length),
/// and [`Base64Buffer::finish`] encodes it forward into that room. The two regions never
/// overlap, which keeps the encoding loop free of bounds checks and of the stalls an
/// in-place walk over one region suffers; the price is that the text keeps the document's
/// bytes as spare capacity.
pub(crate) struct Base64Buffer {
    buf: Vec<u8>,
    room: usize,
}

impl Base64Buffer {
    /// A buffer for a document of about `estimate` bytes (a longer one costs a move).
    pub(crate) fn with_estimate(estimate: usize) -> Self {
        let room = base64_len(estimate);
        let mut buf = Vec::with_capacity(room + estimate);
        buf.resize(room, 0);
        Self { buf, room }
    }

    /// Appends document bytes.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The padded base64 text of the document.
    pub(crate) fn finish(self) -> String {
        let Self { mut buf, mut room } = self;
        let len = base64_len(buf.len() - room);
        if len > room {
            // The estimate was short (values that needed escaping): widen the room.
            buf.splice(room..room, std::iter::repeat_n(0, len - room));
            room = len;
        }
        let (text, document) = buf.split_at_mut(room);
        encode_into(document, &mut text[..len]);
        buf.truncate(len);
        String::from_utf8(buf).expect("base64 is ASCII")
    }
}

/// Writes the padded base64 text of `input` into `out`, which is exactly that long.
fn encode_into(input: &[u8], out: &mut [u8]) {
    let full = input.len() / 12;
    for (chunk, text) in input.chunks_exact(12).zip(out.chunks_exact_mut(16)) {
        let hi = u64::from_be_bytes(chunk[..8].try_into().expect("8 bytes"));
        let lo = u64::from(u32::from_be_bytes(chunk[8..].try_into().expect("4 bytes")));
        // 96 bits, eight 12-bit indexes, sixteen characters.
        let indexes = [hi >> 52, hi >> 40, hi >> 28, hi >> 16, hi >> 4, hi << 8 | lo >> 24, lo >> 12, lo];
        for (pair, index) in text.chunks_exact_mut(2).zip(indexes) {
            pair.copy_from_slice(&PAIRS[usize::try_from(index & 0xfff).expect("12 bits fit in usize")]);
        }
    }
    for (group, text) in input[12 * full..].chunks(3).zip(out[16 * full..].chunks_exact_mut(4)) {
        let byte = |i: usize| group.get(i).copied().unwrap_or(0);
        let bits = u32::from(byte(0)) << 16 | u32::from(byte(1)) << 8 | u32::from(byte(2));
        let [first, second] = PAIRS[usize::try_from(bits >> 12).expect("12 bits fit in usize")];
        let [third, fourth] = PAIRS[usize::try_from(bits & 0xfff).expect("12 bits fit in usize")];
        let third = if group.len() > 1 { third } else { b'=' };
        let fourth = if group.len() > 2 { fourth } else { b'=' };
        text.copy_from_slice(&[first, second, third, fourth]);
    }
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

    fn encode(input: &[u8], estimate: usize) -> String {
        let mut buf = Base64Buffer::with_estimate(estimate);
        buf.extend(input);
        buf.finish()
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
            assert_eq!(encode(input.as_bytes(), input.len()), want, "{input:?}");
        }
    }

    #[test]
    fn every_length_and_byte_value_matches_the_base64_crate() {
        let input: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for n in 0..input.len() {
            let want = base64::engine::general_purpose::STANDARD.encode(&input[..n]);
            assert_eq!(encode(&input[..n], n), want, "length {n}");
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
        fn any_estimate_encodes_like_the_base64_crate(input in proptest::collection::vec(any::<u8>(), 0..300), estimate in 0usize..400) {
            let want = base64::engine::general_purpose::STANDARD.encode(&input);
            prop_assert_eq!(encode(&input, estimate), want);
        }
    }
}

//! Base64 (the `policy` field) and hex (`x-oss-signature`) on the signing path.
//!
//! Written here rather than taken from the `base64` and `hex` crates because both run on every
//! signature and a signed form is mostly its base64 policy: encoding two characters per table
//! lookup, twelve input bytes per step, into a buffer sized once, takes about half the time of
//! the `base64` crate's general engine on a 1 KB policy (see `benches/post_policy.rs`).

use std::fmt;
use std::sync::OnceLock;

use zeroize::Zeroizing;

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

/// Document text that no signature changes (a policy's own conditions, an STS token), with its
/// base64 cached for each of the three offsets, modulo 3, at which it can start in a document.
///
/// Each encoding is made on first use and kept; text and encodings are zeroized on drop (a
/// token is a secret). Equality is by text.
#[derive(Clone)]
pub(crate) struct CachedBase64 {
    text: Zeroizing<String>,
    encoded: [OnceLock<Zeroizing<String>>; 3],
}

impl CachedBase64 {
    pub(crate) fn new(text: String) -> Self {
        Self { text: Zeroizing::new(text), encoded: Default::default() }
    }

    /// The text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The base64 of the longest run of whole three-byte groups after the first `skip` bytes.
    pub(crate) fn encoded_after(&self, skip: usize) -> &str {
        self.encoded[skip].get_or_init(|| {
            let bytes = &self.text.as_bytes()[skip..];
            let whole = bytes.len() / 3 * 3;
            let mut text = vec![0; whole / 3 * 4];
            encode_into(&bytes[..whole], &mut text);
            Zeroizing::new(String::from_utf8(text).expect("base64 is ASCII"))
        })
    }
}

impl PartialEq for CachedBase64 {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for CachedBase64 {}

impl fmt::Debug for CachedBase64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedBase64").field("len", &self.text.len()).finish_non_exhaustive()
    }
}

/// How many document bytes [`Base64Writer`] stages before encoding them (whole 12-byte steps).
const STAGE: usize = 192;

/// Writes a document straight as base64 into a `String` allocated once.
///
/// Bytes given to [`Base64Writer::put`] are staged on the stack and encoded in batches. A
/// [`CachedBase64`] part costs no encoding: at most two of its bytes are encoded together with
/// what precedes them, then its cached encoding for that offset is copied, and its last one or
/// two bytes are staged for what follows.
pub(crate) struct Base64Writer {
    text: String,
    stage: [u8; STAGE],
    staged: usize,
}

impl Base64Writer {
    /// A writer for a document of about `estimate` bytes (a longer one costs the text a
    /// reallocation).
    pub(crate) fn with_estimate(estimate: usize) -> Self {
        Self { text: String::with_capacity(base64_len(estimate)), stage: [0; STAGE], staged: 0 }
    }

    /// Appends document bytes.
    pub(crate) fn put(&mut self, mut bytes: &[u8]) {
        if let Some(free) = self.stage.get_mut(self.staged..self.staged + bytes.len()) {
            free.copy_from_slice(bytes);
            self.staged += bytes.len();
            return;
        }
        while !bytes.is_empty() {
            let take = (STAGE - self.staged).min(bytes.len());
            self.stage[self.staged..self.staged + take].copy_from_slice(&bytes[..take]);
            self.staged += take;
            bytes = &bytes[take..];
            if self.staged == STAGE {
                self.flush_whole_groups();
            }
        }
    }

    /// Appends the text of `part`, through its cached encoding.
    pub(crate) fn put_cached(&mut self, part: &CachedBase64) {
        // Everything before the staged bytes is encoded in whole groups, so the part starts
        // `staged % 3` bytes into a group; the first `skip` bytes complete that group.
        let bytes = part.text.as_bytes();
        let skip = (3 - self.staged % 3) % 3;
        if bytes.len() <= skip {
            self.put(bytes);
            return;
        }
        self.put(&bytes[..skip]);
        self.flush_whole_groups();
        debug_assert_eq!(self.staged, 0);
        let encoded = part.encoded_after(skip);
        self.text.push_str(encoded);
        self.put(&bytes[skip + encoded.len() / 4 * 3..]);
    }

    fn flush_whole_groups(&mut self) {
        let whole = self.staged / 3 * 3;
        self.push_encoded(whole);
        self.stage.copy_within(whole..self.staged, 0);
        self.staged -= whole;
    }

    /// Encodes the first `n` staged bytes (padded if `n` is not a multiple of 3) onto the text.
    fn push_encoded(&mut self, n: usize) {
        let len = base64_len(n);
        let mut text = [0u8; base64_len(STAGE)];
        encode_into(&self.stage[..n], &mut text[..len]);
        self.text.push_str(std::str::from_utf8(&text[..len]).expect("base64 is ASCII"));
    }

    /// The padded base64 text of the document.
    pub(crate) fn finish(mut self) -> String {
        self.push_encoded(self.staged);
        self.text
    }
}

/// Writes the padded base64 text of `input` into `out`, which is exactly that long.
pub(crate) fn encode_into(input: &[u8], out: &mut [u8]) {
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

/// Fixed-width ASCII text kept inline (`x-oss-date`, a hex signature, the expiration), read as
/// a `str`: a form holds these without an allocation each.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ascii<const N: usize>([u8; N]);

impl<const N: usize> Ascii<N> {
    /// The text of `bytes`, which must be ASCII (checked: the only check there is).
    pub(crate) fn new(bytes: [u8; N]) -> Self {
        assert!(bytes.is_ascii(), "Ascii holds ASCII only");
        Self(bytes)
    }

    /// The text's bytes.
    pub(crate) fn bytes(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> std::ops::Deref for Ascii<N> {
    type Target = str;

    fn deref(&self) -> &str {
        std::str::from_utf8(&self.0).expect("Ascii holds ASCII only")
    }
}

#[cfg(test)]
impl<const N: usize> TryFrom<&str> for Ascii<N> {
    type Error = ();

    fn try_from(text: &str) -> std::result::Result<Self, ()> {
        let bytes: [u8; N] = text.as_bytes().try_into().map_err(|_| ())?;
        if bytes.is_ascii() { Ok(Self(bytes)) } else { Err(()) }
    }
}

/// Lower-case hex of a 32-byte MAC.
pub(crate) fn hex32(bytes: &[u8; 32]) -> Ascii<64> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 64];
    for (pair, byte) in text.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&[DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 0xf)]]);
    }
    Ascii::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;

    fn encode(input: &[u8], estimate: usize) -> String {
        let mut writer = Base64Writer::with_estimate(estimate);
        writer.put(input);
        writer.finish()
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
        assert_eq!(&*hex32(&bytes), format!("ab{}0f", "0".repeat(60)));
        assert_eq!(&*hex32(&[0xFF; 32]), "f".repeat(64));
    }

    #[test]
    fn cached_parts_join_at_every_offset() {
        let part = CachedBase64::new("0123456789abcdefghijklmnopqrstuvwxyz".into());
        for before in 0..8 {
            for after in 0..5 {
                for len in [0, 1, 2, 3, 4, 5, 36] {
                    let part = if len == 36 { part.clone() } else { CachedBase64::new(part.text()[..len].into()) };
                    let (head, tail) = ("H".repeat(before), "T".repeat(after));
                    let mut writer = Base64Writer::with_estimate(0);
                    writer.put(head.as_bytes());
                    writer.put_cached(&part);
                    writer.put_cached(&part);
                    writer.put(tail.as_bytes());
                    let want = format!("{head}{}{}{tail}", part.text(), part.text());
                    assert_eq!(writer.finish(), base64::engine::general_purpose::STANDARD.encode(want));
                }
            }
        }
    }

    #[test]
    fn cached_parts_say_nothing_of_their_text() {
        let part = CachedBase64::new("secret-token".into());
        assert!(!format!("{part:?}").contains("secret"));
        assert_eq!(part, CachedBase64::new("secret-token".into()));
    }

    proptest! {
        #[test]
        fn documents_of_any_shape_encode_like_the_base64_crate(
            pieces in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..400), any::<bool>()), 0..6),
        ) {
            let mut writer = Base64Writer::with_estimate(0);
            let mut want = Vec::new();
            for (bytes, cached) in &pieces {
                want.extend_from_slice(bytes);
                if *cached {
                    // Cached parts are text; hex keeps arbitrary bytes valid UTF-8.
                    let text = hex::encode(bytes);
                    want.truncate(want.len() - bytes.len());
                    want.extend_from_slice(text.as_bytes());
                    writer.put_cached(&CachedBase64::new(text));
                } else {
                    writer.put(bytes);
                }
            }
            prop_assert_eq!(writer.finish(), base64::engine::general_purpose::STANDARD.encode(&want));
        }
    }

    proptest! {
        #[test]
        fn any_estimate_encodes_like_the_base64_crate(input in proptest::collection::vec(any::<u8>(), 0..700), estimate in 0usize..800) {
            let want = base64::engine::general_purpose::STANDARD.encode(&input);
            prop_assert_eq!(encode(&input, estimate), want);
        }
    }
}

//! The base64 V4 policy document of one credential scope, kept so that later signatures
//! re-encode only what changes between them.
//!
//! For one policy, one AccessKey id and STS token, one UTC day and one region, every byte of
//! the V4 document is fixed except two fixed-width values: `expiration` (24 bytes right after
//! `{"expiration":"`) and `x-oss-date` (16 bytes after the credential). A signature in the same
//! scope copies the scope's base64 text and encodes only the base64 groups that cover those two
//! values (about 60 of 1,500 characters for a policy with an STS token), instead of writing
//! and encoding the document again.
//!
//! A template is only kept if it reproduces, byte for byte, the document it was made from
//! (see [`DocumentTemplate::new`]); the property tests in `policy.rs` compare templated and
//! freshly written documents at arbitrary times.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use zeroize::Zeroizing;

use crate::encoding::{self, Ascii, CachedBase64};

/// Where the expiration value starts: right after `{"expiration":"`.
pub(crate) const EXPIRATION_AT: usize = "{\"expiration\":\"".len();
/// The expiration value's length (`YYYY-MM-DDTHH:MM:SS.000Z`).
const EXPIRATION_LEN: usize = 24;
/// The `x-oss-date` value's length (`YYYYMMDDTHHMMSSZ`).
const DATE_LEN: usize = 16;
/// The most document bytes the base64 groups covering `x-oss-date` hold: the value and two
/// more, before it, after it or one each side.
const DATE_GROUPS_MAX: usize = (DATE_LEN + 2).div_ceil(3) * 3;

// The expiration starts and ends on whole base64 groups, so its characters depend on nothing
// around it.
const _: () = assert!(EXPIRATION_AT % 3 == 0 && EXPIRATION_LEN % 3 == 0);

/// One scope's document, as base64, with what it was made for.
pub(crate) struct DocumentTemplate {
    /// `x-oss-credential` as the document holds it: AccessKey id, UTC day, region, product.
    credential: Box<str>,
    /// The STS token literal in the document, if any (the credentials' own, shared).
    token: Option<Arc<CachedBase64>>,
    /// The document's base64 text; it holds the STS token, so it is zeroized on drop.
    base64: Zeroizing<String>,
    /// The UTC day of the scope, `YYYYMMDD`.
    day: [u8; 8],
    /// Where `x-oss-date`'s value starts in the document.
    date_at: usize,
    /// The document bytes of the groups covering `x-oss-date` (its value included, replaced
    /// on every use); the first `date_groups_len` are used.
    date_groups: [u8; DATE_GROUPS_MAX],
    date_groups_len: usize,
}

impl DocumentTemplate {
    /// A template from `base64`, the encoded document written for `credential`, `token`,
    /// `expiration` and `date`, whose `x-oss-date` value starts at `date_at` and is followed
    /// by `after_date` (at least two bytes).
    ///
    /// `None` unless the template gives back `base64` for that expiration and date: a template
    /// that could encode any other document is never kept.
    pub(crate) fn new(
        base64: &str,
        credential: &str,
        token: Option<&Arc<CachedBase64>>,
        (expiration, date): (&Ascii<24>, &Ascii<16>),
        (before_date, date_at, after_date): (&str, usize, &str),
    ) -> Option<Self> {
        let first = date_at / 3 * 3;
        let end = (date_at + DATE_LEN).div_ceil(3) * 3;
        let lead = before_date.as_bytes().get(before_date.len().checked_sub(date_at - first)?..)?;
        let trail = after_date.as_bytes().get(..end - date_at - DATE_LEN)?;
        if first < EXPIRATION_AT + EXPIRATION_LEN || base64.len() < end / 3 * 4 {
            return None;
        }
        let mut date_groups = [0; DATE_GROUPS_MAX];
        for (slot, byte) in date_groups.iter_mut().zip(lead.iter().chain(date.bytes()).chain(trail)) {
            *slot = *byte;
        }
        let template = Self {
            credential: credential.into(),
            token: token.cloned(),
            base64: Zeroizing::new(base64.to_owned()),
            day: *date.bytes().first_chunk().expect("x-oss-date starts with YYYYMMDD"),
            date_at,
            date_groups,
            date_groups_len: end - first,
        };
        (*template.render(expiration, date) == *base64).then_some(template)
    }

    /// Whether the template was made for this credential scope and token.
    fn fits(&self, credential: &str, token: Option<&CachedBase64>) -> bool {
        let same_token = match (&self.token, token) {
            (None, None) => true,
            (Some(mine), Some(theirs)) => std::ptr::eq(Arc::as_ptr(mine), theirs) || **mine == *theirs,
            _ => false,
        };
        same_token && *self.credential == *credential
    }

    /// The base64 document for another expiration and `x-oss-date` in the same scope.
    fn render(&self, expiration: &Ascii<24>, date: &Ascii<16>) -> String {
        let expiration_chars = (EXPIRATION_AT / 3 * 4, (EXPIRATION_AT + EXPIRATION_LEN) / 3 * 4);
        let mut expiration_b64 = [0u8; EXPIRATION_LEN / 3 * 4];
        encoding::encode_into(expiration.bytes(), &mut expiration_b64);

        let first = self.date_at / 3 * 3;
        let mut groups = self.date_groups;
        let offset = self.date_at - first;
        groups[offset..offset + DATE_LEN].copy_from_slice(date.bytes());
        let groups = &groups[..self.date_groups_len];
        let date_chars = (first / 3 * 4, (first + groups.len()) / 3 * 4);
        let mut date_b64 = [0u8; DATE_GROUPS_MAX / 3 * 4];
        let date_b64 = &mut date_b64[..groups.len() / 3 * 4];
        encoding::encode_into(groups, date_b64);

        let text = &self.base64;
        let mut out = String::with_capacity(text.len());
        out.push_str(&text[..expiration_chars.0]);
        out.push_str(std::str::from_utf8(&expiration_b64).expect("base64 is ASCII"));
        out.push_str(&text[expiration_chars.1..date_chars.0]);
        out.push_str(std::str::from_utf8(date_b64).expect("base64 is ASCII"));
        out.push_str(&text[date_chars.1..]);
        out
    }
}

/// How many scopes a policy keeps templates for (per shard): a service signs with one
/// credential and region at a time, and a few more cover STS refreshes.
const TEMPLATES: usize = 4;

/// How many shards a policy's templates are spread over, by thread. Threads signing one shared
/// policy would otherwise all take the same lock, and the lock word would bounce between their
/// cores on every signature (measured: two threads sharing a policy went from 1.79x one thread
/// to 1.21x with one lock; `benches/threads.rs`).
const SHARDS: usize = 16;

/// One shard's templates, alone on its cache lines.
#[derive(Default)]
#[repr(align(128))]
struct Shard(RwLock<Vec<DocumentTemplate>>);

/// The shard of the calling thread: threads are numbered as they first sign.
fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    INDEX.with(|index| *index)
}

/// A policy's templates, shared by its clones and spread over [`SHARDS`] shards by thread; each
/// shard makes its own template of a scope on first use.
#[derive(Default)]
pub(crate) struct Templates {
    /// Made at the policy's second signature.
    shards: OnceLock<Box<[Shard]>>,
    /// Whether the policy wrote a V4 document before. Many services build a policy per request
    /// and sign it once; they should not pay for templates they never use.
    signed_before: AtomicBool,
}

impl Templates {
    /// Whether a V4 document was written with these templates' policy before; the first call
    /// says no.
    pub(crate) fn signed_before(&self) -> bool {
        // A load first: once set, the flag is only read, and readers share its cache line.
        self.signed_before.load(Ordering::Relaxed) || self.signed_before.swap(true, Ordering::Relaxed)
    }

    /// The calling thread's shard.
    fn shard(&self) -> &RwLock<Vec<DocumentTemplate>> {
        let shards = self.shards.get_or_init(|| (0..SHARDS).map(|_| Shard::default()).collect());
        &shards[shard_index()].0
    }

    /// The document for `credential` and `token` at `expiration` and `date`, if a template for
    /// that scope is kept.
    pub(crate) fn render(
        &self,
        credential: &str,
        token: Option<&CachedBase64>,
        expiration: &Ascii<24>,
        date: &Ascii<16>,
    ) -> Option<String> {
        let templates = self.shard().read().unwrap_or_else(PoisonError::into_inner);
        templates.iter().find(|t| t.fits(credential, token)).map(|t| t.render(expiration, date))
    }

    /// Keeps `template`, dropping those of earlier days (a clock-driven service never signs in
    /// them again, and their STS tokens have long expired) and the oldest one when full.
    pub(crate) fn keep(&self, template: DocumentTemplate) {
        let mut templates = self.shard().write().unwrap_or_else(PoisonError::into_inner);
        if templates.iter().any(|t| t.fits(&template.credential, template.token.as_deref())) {
            return;
        }
        templates.retain(|t| t.day >= template.day);
        if templates.len() == TEMPLATES {
            templates.remove(0);
        }
        templates.push(template);
    }

    /// How many templates are kept, all shards together.
    pub(crate) fn len(&self) -> usize {
        self.shards.get().map_or(0, |shards| {
            shards.iter().map(|shard| shard.0.read().unwrap_or_else(PoisonError::into_inner).len()).sum()
        })
    }
}

/// Shows how many templates are kept, never their text (it holds STS tokens).
impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signed_before = self.signed_before.load(Ordering::Relaxed);
        f.debug_struct("Templates")
            .field("kept", &self.len())
            .field("signed_before", &signed_before)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii<const N: usize>(text: &str) -> Ascii<N> {
        Ascii::try_from(text).unwrap()
    }

    /// A document shaped like a V4 policy: the credential pushes the date to `pad` more bytes.
    fn document(pad: usize, expiration: &str, date: &str) -> (String, usize) {
        let before =
            format!("{{\"expiration\":\"{expiration}\",\"c\":[{{\"x-oss-credential\":\"{}\"}}", "k".repeat(pad));
        let before = format!("{before},{{\"x-oss-date\":\"");
        (format!("{before}{date}\"}},{{\"t\":1}}]}}"), before.len())
    }

    fn b64(text: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn renders_other_times_like_a_fresh_encoding_at_every_alignment() {
        let (e1, d1) = ("2024-11-27T07:09:41.000Z", "20241127T060941Z");
        let (e2, d2) = ("2024-12-04T23:59:59.000Z", "20241127T235959Z");
        for pad in 0..6 {
            let (doc, date_at) = document(pad, e1, d1);
            let template = DocumentTemplate::new(
                &b64(&doc),
                "cred",
                None,
                (&ascii(e1), &ascii(d1)),
                ("},{\"x-oss-date\":\"", date_at, "\"},{\"t\":1}]}"),
            )
            .expect("reproduces its own document");
            let (other, _) = document(pad, e2, d2);
            assert_eq!(template.render(&ascii(e2), &ascii(d2)), b64(&other), "pad {pad}");
        }
    }

    #[test]
    fn a_template_that_would_not_reproduce_its_document_is_not_kept() {
        let (e, d) = ("2024-11-27T07:09:41.000Z", "20241127T060941Z");
        let (doc, date_at) = document(1, e, d);
        let parts = |at| ("},{\"x-oss-date\":\"", at, "\"},{\"t\":1}]}");
        let keep = |at| DocumentTemplate::new(&b64(&doc), "cred", None, (&ascii(e), &ascii(d)), parts(at)).is_some();
        assert!(keep(date_at));
        assert!(!keep(date_at + 1), "a wrong offset must be caught");
        assert!(!keep(date_at - 1), "a wrong offset must be caught");
        let other_time = DocumentTemplate::new(
            &b64(&doc),
            "cred",
            None,
            (&ascii("2024-11-27T07:09:42.000Z"), &ascii(d)),
            parts(date_at),
        );
        assert!(other_time.is_none(), "values other than the document's must be caught");
    }

    #[test]
    fn templates_fit_their_scope_and_token_only() {
        let (e, d) = ("2024-11-27T07:09:41.000Z", "20241127T060941Z");
        let (doc, date_at) = document(0, e, d);
        let token = Arc::new(CachedBase64::new("\"CAIS\"".to_owned()));
        let make = |cred: &str, token: Option<&Arc<CachedBase64>>| {
            DocumentTemplate::new(
                &b64(&doc),
                cred,
                token,
                (&ascii(e), &ascii(d)),
                ("},{\"x-oss-date\":\"", date_at, "\"},{\"t\":1}]}"),
            )
            .unwrap()
        };
        let templates = Templates::default();
        templates.keep(make("a/20241127", Some(&token)));
        let same_text = CachedBase64::new("\"CAIS\"".to_owned());
        assert!(templates.render("a/20241127", Some(&token), &ascii(e), &ascii(d)).is_some());
        assert!(templates.render("a/20241127", Some(&same_text), &ascii(e), &ascii(d)).is_some());
        assert!(templates.render("a/20241127", None, &ascii(e), &ascii(d)).is_none());
        assert!(templates.render("a/20241128", Some(&token), &ascii(e), &ascii(d)).is_none());
        for id in ["b", "c", "d", "e"] {
            templates.keep(make(&format!("{id}/20241127"), None));
        }
        assert_eq!(templates.len(), TEMPLATES);
        assert!(templates.render("a/20241127", Some(&token), &ascii(e), &ascii(d)).is_none(), "the oldest goes first");
        assert!(templates.render("e/20241127", None, &ascii(e), &ascii(d)).is_some());
    }

    #[test]
    fn only_the_first_signature_is_new() {
        let templates = Templates::default();
        assert!(!templates.signed_before());
        assert!(templates.signed_before());
        assert!(templates.signed_before());
    }

    #[test]
    fn a_new_day_drops_the_templates_of_earlier_days() {
        let template = |day: &str| {
            let (e, d) = ("2024-11-27T07:09:41.000Z", format!("{day}T060941Z"));
            let (doc, date_at) = document(0, e, &d);
            let parts = ("},{\"x-oss-date\":\"", date_at, "\"},{\"t\":1}]}");
            DocumentTemplate::new(&b64(&doc), &format!("a/{day}"), None, (&ascii(e), &ascii(&d)), parts).unwrap()
        };
        let templates = Templates::default();
        templates.keep(template("20241127"));
        templates.keep(template("20241128"));
        assert_eq!(templates.len(), 1);
        templates.keep(template("20241127"));
        assert_eq!(templates.len(), 2, "a late signature for the day before is still kept");
    }
}

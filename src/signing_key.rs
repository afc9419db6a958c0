//! The V4 signing key (OSS4-HMAC-SHA256), the signatures made with it, and a key cache for
//! services.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::Date;
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::region::{Product, Region};
use crate::time_fmt;

type HmacSha256 = Hmac<Sha256>;

// A keyed state, the signing key in all but name, is wiped when dropped: `Hmac<Sha256>` holds
// two SHA-256 cores (keyed with K^ipad and K^opad), each zeroized by its own `Drop` with the
// `zeroize` feature of `sha2`. The build fails if that feature is ever lost.
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<<Sha256 as sha2::digest::block_api::CoreProxy>::Core>();
};

/// The prefix of the first HMAC key: `"aliyun_v4" + AccessKeySecret`.
const KEY_PREFIX_V4: &str = "aliyun_v4";
/// The final segment of the credential scope and the last derivation input.
pub(crate) const SCOPE_TERMINATOR_V4: &str = "aliyun_v4_request";

fn hmac_sha256(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// A derived V4 signing key for one secret, UTC date, region and product.
///
/// It keeps the HMAC state already keyed with the key, so a signature clones it and hashes the
/// string to sign: no key padding per signature. The key bytes and the keyed state (and each
/// clone a signature makes of it) are zeroized on drop and never shown by `Debug`.
///
/// ```
/// use oss_post_policy::{Region, SigningKey};
/// use oss_post_policy::time::{Date, Month};
///
/// // Public vector "alibaba-cloud-kit-v4-presign-post" (tests/vectors/public-vectors.json).
/// let date = Date::from_calendar_date(2024, Month::July, 13).expect("a valid date");
/// let key = SigningKey::derive("access_key_secret", date, &Region::new("us-west-1")?);
/// assert_eq!(key.to_hex().as_str(), "ab259f9d7ed156e0c3ae542c3dd04bc1de07d1339e2d76b2128ef4324c639bec");
/// assert!(!format!("{key:?}").contains("ab259f9d"));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    key: Zeroizing<[u8; 32]>,
    keyed: HmacSha256,
    date: Date,
}

impl SigningKey {
    /// Derives the key from the AccessKey secret for `date` (UTC) and the region's id and
    /// product.
    pub fn derive(secret: &str, date: Date, region: &Region) -> Self {
        let mut first = Zeroizing::new(Vec::with_capacity(KEY_PREFIX_V4.len() + secret.len()));
        first.extend_from_slice(KEY_PREFIX_V4.as_bytes());
        first.extend_from_slice(secret.as_bytes());
        let ymd = time_fmt::scope_date(date);
        // kDate = HMAC("aliyun_v4" + secret, YYYYMMDD); kRegion = HMAC(kDate, region);
        // kService = HMAC(kRegion, product); kSigning = HMAC(kService, "aliyun_v4_request")
        let k_date = hmac_sha256(&first, &ymd);
        let k_region = hmac_sha256(&*k_date, region.id().as_bytes());
        let k_service = hmac_sha256(&*k_region, region.product().as_str().as_bytes());
        let key = hmac_sha256(&*k_service, SCOPE_TERMINATOR_V4.as_bytes());
        let keyed = HmacSha256::new_from_slice(&*key).expect("HMAC takes keys of any length");
        Self { key, keyed, date }
    }

    /// The UTC date the key is valid for.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The V4 signature: lower-case hex HMAC-SHA256 of the string to sign (for a POST form,
    /// the base64 policy).
    pub fn sign(&self, string_to_sign: &[u8]) -> String {
        let mut text = [0u8; 64];
        hex::encode_to_slice(self.keyed.clone().chain_update(string_to_sign).finalize().into_bytes(), &mut text)
            .expect("32 bytes fill 64 hex digits");
        String::from_utf8(text.to_vec()).expect("hex digits are ASCII")
    }

    /// Whether `signature` is the V4 signature of `string_to_sign` exactly as [`SigningKey::sign`]
    /// writes it (64 lower-case hex digits; whether OSS accepts upper case is \[UNVERIFIED\]),
    /// compared in constant time.
    pub fn verify(&self, string_to_sign: &[u8], signature: &str) -> bool {
        let mut bytes = [0u8; 32];
        !signature.bytes().any(|b| b.is_ascii_uppercase())
            && hex::decode_to_slice(signature, &mut bytes).is_ok()
            && self.keyed.clone().chain_update(string_to_sign).verify_slice(&bytes).is_ok()
    }

    /// The key bytes as lower-case hex, for known-answer tests against other implementations.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.key))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("date", &self.date).field("key", &"<redacted>").finish_non_exhaustive()
    }
}

/// What a derived key depends on besides the region: the secret (by its fingerprint, so a
/// rotated secret under the same id never reuses a stale key), the UTC date and the product.
/// The AccessKey id is no input of the derivation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Slot {
    fingerprint: [u8; 32],
    date: Date,
    product: Product,
}

/// The keys of one slot, by region id.
type Keys = HashMap<Slot, Vec<(Box<str>, Arc<SigningKey>)>>;

/// Derived signing keys, so the four-HMAC derivation runs once per UTC day per secret and
/// region.
///
/// A cache is a handle: its clones share the same keys, between threads too. Hand one to
/// every [`Signer`](crate::Signer) and [`Verifier`](crate::Verifier) that should share keys.
/// Entries for days before the newest one seen are dropped as new days arrive, so the cache
/// holds about one key per secret and region.
///
/// ```
/// use oss_post_policy::{Credentials, Region, SigningKeyCache};
/// use oss_post_policy::time::{Date, Month};
///
/// let cache = SigningKeyCache::new();
/// let shared = cache.clone();
/// let creds = Credentials::example();
/// let region = Region::new("cn-hangzhou")?;
/// let day = Date::from_calendar_date(2024, Month::November, 27).expect("a valid date");
/// let a = cache.get(&creds, day, &region);
/// let b = shared.get(&creds, day, &region);
/// assert!(std::sync::Arc::ptr_eq(&a, &b));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct SigningKeyCache {
    keys: Arc<RwLock<Keys>>,
}

impl SigningKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The key for these credentials, date and region, derived on first use.
    ///
    /// A lookup hashes nothing secret: the secret is known by the fingerprint [`Credentials`]
    /// computed once, and hits take a shared read lock.
    pub fn get(&self, credentials: &Credentials, date: Date, region: &Region) -> Arc<SigningKey> {
        let slot = Slot { fingerprint: *credentials.secret_fingerprint(), date, product: region.product() };
        let find =
            |keys: &Keys| keys.get(&slot)?.iter().find(|(id, _)| **id == *region.id()).map(|(_, key)| Arc::clone(key));
        if let Some(key) = find(&self.keys.read().unwrap_or_else(PoisonError::into_inner)) {
            return key;
        }
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have derived it between the two locks.
        if let Some(key) = find(&keys) {
            return key;
        }
        // Keys for earlier days are never asked for again by a clock-driven service.
        keys.retain(|slot, _| slot.date >= date);
        let key = Arc::new(SigningKey::derive(credentials.access_key_secret(), date, region));
        keys.entry(slot).or_default().push((region.id().into(), Arc::clone(&key)));
        key
    }

    /// How many keys the cache holds.
    pub fn len(&self) -> usize {
        self.keys.read().unwrap_or_else(PoisonError::into_inner).values().map(Vec::len).sum()
    }

    /// Whether the cache holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache").field("keys", &self.len()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    // From tests/vectors/public-vectors.json "alibaba-cloud-kit-v4-presign-post"
    // (cozy-elixir/alibaba_cloud_kit, re-computed with Python's hmac).
    const KIT_KEY: &str = "ab259f9d7ed156e0c3ae542c3dd04bc1de07d1339e2d76b2128ef4324c639bec";
    const KIT_POLICY_B64: &str = "eyJjb25kaXRpb25zIjpbeyJidWNrZXQiOiJleGFtcGxlLWJ1Y2tldCJ9LHsieC1vc3Mtc2lnbmF0dXJlLXZlcnNpb24iOiJPU1M0LUhNQUMtU0hBMjU2In0seyJ4LW9zcy1jcmVkZW50aWFsIjoiYWNjZXNzX2tleV9pZC8yMDI0MDcxMy91cy13ZXN0LTEvb3NzL2FsaXl1bl92NF9yZXF1ZXN0In0seyJ4LW9zcy1kYXRlIjoiMjAyNDA3MTNUMTMzNDE0WiJ9LFsiZXEiLCIka2V5Iiwib2JqZWN0L3ByZXNpZ25fcG9zdF9vYmplY3QucG5nIl0sWyJlcSIsIiR4LW9zcy1vYmplY3QtYWNsIiwicHJpdmF0ZSJdLFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLDEsMTA0ODU3NjAwXV0sImV4cGlyYXRpb24iOiIyMDI0LTA3LTEzVDE0OjM0OjE0WiJ9";
    const KIT_SIGNATURE: &str = "43fb9eb04136cdaaab110bfb33c4c7daba4beebdad63889e7f3a460242596d04";

    #[test]
    fn derivation_matches_the_public_vector() {
        let key = SigningKey::derive("access_key_secret", date!(2024 - 07 - 13), &Region::new("us-west-1").unwrap());
        assert_eq!(key.to_hex().as_str(), KIT_KEY);
        assert_eq!(key.sign(KIT_POLICY_B64.as_bytes()), KIT_SIGNATURE);
        assert!(key.verify(KIT_POLICY_B64.as_bytes(), KIT_SIGNATURE));
        assert!(!key.verify(KIT_POLICY_B64.as_bytes(), &KIT_SIGNATURE.to_uppercase()), "sign writes lower case");
        let mut wrong = KIT_SIGNATURE.to_owned();
        wrong.replace_range(63.., "5");
        assert!(!key.verify(KIT_POLICY_B64.as_bytes(), &wrong));
        assert!(!key.verify(KIT_POLICY_B64.as_bytes(), &KIT_SIGNATURE[..62]));
        assert!(!key.verify(b"other", KIT_SIGNATURE));
        assert_eq!(key.date(), date!(2024 - 07 - 13));
    }

    #[test]
    fn secrets_of_any_length_derive_the_same_as_a_plain_hmac_chain() {
        // Either side of the 64-byte HMAC block, past which HMAC hashes its key first.
        for len in [1, 54, 55, 56, 100] {
            let secret = "s".repeat(len);
            let chain = |key: &[u8], data: &str| {
                let mut mac = HmacSha256::new_from_slice(key).unwrap();
                mac.update(data.as_bytes());
                mac.finalize().into_bytes().to_vec()
            };
            let k = chain(format!("aliyun_v4{secret}").as_bytes(), "20240713");
            let k = chain(&k, "us-west-1");
            let k = chain(&k, "oss");
            let k = chain(&k, "aliyun_v4_request");
            let key = SigningKey::derive(&secret, date!(2024 - 07 - 13), &Region::new("us-west-1").unwrap());
            assert_eq!(key.to_hex().as_str(), hex::encode(k), "secret of {len} bytes");
        }
    }

    #[test]
    fn every_derivation_input_matters() {
        let base =
            SigningKey::derive("access_key_secret", date!(2024 - 07 - 13), &Region::new("us-west-1").unwrap()).to_hex();
        for other in [
            SigningKey::derive("access_key_secreT", date!(2024 - 07 - 13), &Region::new("us-west-1").unwrap()),
            SigningKey::derive("access_key_secret", date!(2024 - 07 - 14), &Region::new("us-west-1").unwrap()),
            SigningKey::derive("access_key_secret", date!(2024 - 07 - 13), &Region::new("us-west-2").unwrap()),
            SigningKey::derive(
                "access_key_secret",
                date!(2024 - 07 - 13),
                &Region::cloudbox("us-west-1", "us-west-1").unwrap(),
            ),
        ] {
            assert_ne!(other.to_hex(), base);
        }
    }

    #[test]
    fn debug_is_redacted() {
        let key = SigningKey::derive("access_key_secret", date!(2024 - 07 - 13), &Region::new("us-west-1").unwrap());
        assert_eq!(format!("{key:?}"), "SigningKey { date: 2024-07-13, key: \"<redacted>\", .. }");
        assert!(!format!("{key:?}").contains(KIT_KEY));
    }

    #[test]
    fn cache_derives_once_per_day_and_forgets_old_days() {
        let cache = SigningKeyCache::new();
        let creds = Credentials::new("access_key_id", "access_key_secret").unwrap();
        let region = Region::new("us-west-1").unwrap();
        let a = cache.get(&creds, date!(2024 - 07 - 13), &region);
        assert_eq!(a.to_hex().as_str(), KIT_KEY);
        assert!(Arc::ptr_eq(&a, &cache.get(&creds, date!(2024 - 07 - 13), &region)));
        // The id is no input of the derivation: the same secret under another id (or with a
        // token) shares the key.
        let same_secret = Credentials::new("other_id", "access_key_secret").unwrap().with_security_token("t").unwrap();
        assert!(Arc::ptr_eq(&a, &cache.get(&same_secret, date!(2024 - 07 - 13), &region)));
        let other_region = cache.get(&creds, date!(2024 - 07 - 13), &Region::new("cn-hangzhou").unwrap());
        assert!(!Arc::ptr_eq(&a, &other_region));
        assert_eq!(cache.len(), 2);
        cache.get(&creds, date!(2024 - 07 - 14), &region);
        assert_eq!(cache.len(), 1, "the day before is dropped");
        // A rotated secret under the same id gets its own key.
        let rotated = Credentials::new("access_key_id", "new_secret").unwrap();
        let r = cache.get(&rotated, date!(2024 - 07 - 14), &region);
        assert_ne!(r.to_hex(), cache.get(&creds, date!(2024 - 07 - 14), &region).to_hex());
    }

    #[test]
    fn cache_is_shared_between_threads() {
        let cache = SigningKeyCache::new();
        let creds = Credentials::new("access_key_id", "access_key_secret").unwrap();
        let region = Region::new("us-west-1").unwrap();
        let keys: Vec<_> = (0..4)
            .map(|_| {
                let (cache, creds, region) = (cache.clone(), creds.clone(), region.clone());
                std::thread::spawn(move || cache.get(&creds, date!(2024 - 07 - 13), &region).to_hex())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        assert!(keys.iter().all(|k| k.as_str() == KIT_KEY));
        assert_eq!(cache.len(), 1);
    }
}

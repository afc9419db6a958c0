//! Regions, products, bucket names and the upload URL a form is posted to.

use std::fmt;

use crate::error::{Error, Result};

/// The product segment of the V4 credential scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Product {
    /// Public-cloud OSS: `oss`.
    Oss,
    /// OSS on CloudBox: `oss-cloudbox`; the scope's region is then the CloudBox id.
    CloudBox,
}

impl Product {
    /// The scope segment: `oss` or `oss-cloudbox`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Oss => "oss",
            Self::CloudBox => "oss-cloudbox",
        }
    }
}

/// A validated region: the signing scope's region id and product, plus what builds the URL.
///
/// `oss-cn-hangzhou` is accepted and normalised to `cn-hangzhou`, as ali-oss's
/// `getStandardRegion` does: V4 scopes carry the bare region id.
///
/// ```
/// use oss_post_policy::Region;
///
/// assert_eq!(Region::new("oss-cn-hangzhou")?.id(), "cn-hangzhou");
/// assert!(Region::new("CN_Hangzhou").is_err());
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    id: String,
    product: Product,
    /// For CloudBox: the region the CloudBox sits in, used only for its URL.
    location: Option<String>,
}

fn check_region_id(region: &str) -> Result<String> {
    let id = region.strip_prefix("oss-").unwrap_or(region);
    let reason = if id.is_empty() {
        Some("it is empty")
    } else if !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        Some("only lower-case letters, digits and '-' are allowed")
    } else if id.starts_with('-') || id.ends_with('-') {
        Some("it starts or ends with '-'")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidRegion { region: region.to_owned(), reason }),
        None => Ok(id.to_owned()),
    }
}

impl Region {
    /// A public-cloud OSS region such as `cn-hangzhou` (an `oss-` prefix is dropped).
    ///
    /// # Errors
    /// [`Error::InvalidRegion`] unless the id is non-empty `[a-z0-9-]` without a leading or
    /// trailing `-`.
    pub fn new(region: &str) -> Result<Self> {
        Ok(Self { id: check_region_id(region)?, product: Product::Oss, location: None })
    }

    /// An OSS-on-CloudBox target: the scope region is the CloudBox id, the product
    /// `oss-cloudbox`; `region` is where the CloudBox is, for the upload URL.
    ///
    /// # Errors
    /// [`Error::InvalidRegion`] for either id, by the rules of [`Region::new`].
    pub fn cloudbox(cloudbox_id: &str, region: &str) -> Result<Self> {
        Ok(Self {
            id: check_region_id(cloudbox_id)?,
            product: Product::CloudBox,
            location: Some(check_region_id(region)?),
        })
    }

    /// The scope region id, e.g. `cn-hangzhou` (for CloudBox, the CloudBox id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scope product.
    pub fn product(&self) -> Product {
        self.product
    }

    /// The URL a form for `bucket` is posted to.
    ///
    /// ```
    /// use oss_post_policy::{Bucket, Endpoint, Region};
    ///
    /// let region = Region::new("cn-hangzhou")?;
    /// let bucket = Bucket::new("examplebucket")?;
    /// assert_eq!(region.upload_url(&bucket, &Endpoint::Public), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
    /// assert_eq!(region.upload_url(&bucket, &Endpoint::Internal), "https://examplebucket.oss-cn-hangzhou-internal.aliyuncs.com");
    /// # Ok::<(), oss_post_policy::Error>(())
    /// ```
    pub fn upload_url(&self, bucket: &Bucket, endpoint: &Endpoint) -> String {
        match (endpoint, &self.location) {
            (Endpoint::Custom(origin), _) => origin.clone(),
            (Endpoint::Public, None) => format!("https://{bucket}.oss-{}.aliyuncs.com", self.id),
            (Endpoint::Internal, None) => format!("https://{bucket}.oss-{}-internal.aliyuncs.com", self.id),
            (Endpoint::Public, Some(loc)) => format!("https://{bucket}.{}.{loc}.oss-cloudbox.aliyuncs.com", self.id),
            (Endpoint::Internal, Some(loc)) => {
                format!("https://{bucket}.{}.{loc}.oss-cloudbox-control.aliyuncs.com", self.id)
            }
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Where the browser posts the form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Endpoint {
    /// Virtual-hosted public endpoint: `https://{bucket}.oss-{region}.aliyuncs.com`.
    #[default]
    Public,
    /// The region's internal (VPC) endpoint: `https://{bucket}.oss-{region}-internal.aliyuncs.com`.
    Internal,
    /// A custom domain bound to the bucket, or a local OSS-compatible endpoint; built with
    /// [`Endpoint::custom`].
    Custom(String),
}

impl Endpoint {
    /// A custom origin such as `https://uploads.example.com` (a trailing `/` is dropped).
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] unless it is `http://` or `https://` followed by a host, with
    /// no whitespace, query or fragment.
    pub fn custom(origin: &str) -> Result<Self> {
        let trimmed = origin.strip_suffix('/').unwrap_or(origin);
        let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
        let reason = match rest {
            None => Some("it must start with http:// or https://"),
            Some("") => Some("it has no host"),
            Some(r) if r.chars().any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#') => {
                Some("it contains whitespace, control characters, '?' or '#'")
            }
            Some(_) => None,
        };
        match reason {
            Some(reason) => Err(Error::InvalidEndpoint { endpoint: origin.to_owned(), reason }),
            None => Ok(Self::Custom(trimmed.to_owned())),
        }
    }
}

/// A validated OSS bucket name: 3-63 characters of `[a-z0-9-]`, no leading or trailing `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bucket(String);

impl Bucket {
    /// Checks `name` against OSS's bucket naming rules.
    ///
    /// # Errors
    /// [`Error::InvalidBucketName`] naming the rule broken.
    pub fn new(name: &str) -> Result<Self> {
        let reason = if !(3..=63).contains(&name.len()) {
            Some("it must be 3 to 63 characters long")
        } else if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            Some("only lower-case letters, digits and '-' are allowed")
        } else if name.starts_with('-') || name.ends_with('-') {
            Some("it must not start or end with '-'")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidBucketName { bucket: name.to_owned(), reason }),
            None => Ok(Self(name.to_owned())),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_normalised_like_ali_oss() {
        assert_eq!(Region::new("oss-cn-hangzhou").unwrap().id(), "cn-hangzhou");
        assert_eq!(Region::new("us-west-1").unwrap().id(), "us-west-1");
        assert_eq!(Region::new("cn-hangzhou").unwrap().product().as_str(), "oss");
        for bad in ["", "oss-", "CN-hangzhou", "cn_hangzhou", "cn hangzhou", "-cn", "cn-", "cn-杭州"] {
            assert!(
                matches!(Region::new(bad), Err(Error::InvalidRegion { ref region, .. }) if region == bad),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn cloudbox_uses_its_id_and_product() {
        let r = Region::cloudbox("cb-f8z7yvzgwfkl9q0h****", "cn-shanghai");
        assert!(r.is_err(), "'*' is not allowed");
        let r = Region::cloudbox("cb-f8z7yvzgwfkl9q0h", "cn-shanghai").unwrap();
        assert_eq!((r.id(), r.product().as_str()), ("cb-f8z7yvzgwfkl9q0h", "oss-cloudbox"));
        let b = Bucket::new("box").unwrap();
        assert_eq!(
            r.upload_url(&b, &Endpoint::Public),
            "https://box.cb-f8z7yvzgwfkl9q0h.cn-shanghai.oss-cloudbox.aliyuncs.com"
        );
    }

    #[test]
    fn bucket_names_follow_oss_rules() {
        for ok in ["abc", "examplebucket", "a-1-b", &"a".repeat(63)] {
            assert_eq!(Bucket::new(ok).unwrap().as_str(), ok);
        }
        for bad in ["ab", &"a".repeat(64), "Abc", "a_b", "-abc", "abc-", "a.b", "桶桶桶"] {
            assert!(
                matches!(Bucket::new(bad), Err(Error::InvalidBucketName { ref bucket, .. }) if bucket == bad),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn custom_endpoints_are_origins() {
        assert_eq!(
            Endpoint::custom("https://up.example.com/").unwrap(),
            Endpoint::Custom("https://up.example.com".into())
        );
        assert_eq!(
            Endpoint::custom("http://127.0.0.1:8000").unwrap(),
            Endpoint::Custom("http://127.0.0.1:8000".into())
        );
        for bad in ["ftp://x", "https://", "up.example.com", "https://a b", "https://a?x=1"] {
            assert!(matches!(Endpoint::custom(bad), Err(Error::InvalidEndpoint { .. })), "{bad:?} accepted");
        }
        let r = Region::new("cn-hangzhou").unwrap();
        let b = Bucket::new("examplebucket").unwrap();
        assert_eq!(r.upload_url(&b, &Endpoint::custom("https://cdn.example.com").unwrap()), "https://cdn.example.com");
    }
}

//! Amazon S3 buckets.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::Encryption;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Bucket {
    pub id: String,
    #[serde(default = "super::common::yes")]
    pub versioning: bool,
    /// Delete objects this many days after creation.
    pub expire_after_days: Option<u32>,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default = "super::common::yes")]
    pub retain: bool,
}

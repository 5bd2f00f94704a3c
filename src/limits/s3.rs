//! Amazon S3 bucket lifecycle rules.

use super::Limit;

/// `Expiration.Days` and `NoncurrentVersionExpiration.NoncurrentDays`: the API model sets no
/// bounds (an `Integer`); its documentation says "a non-zero positive integer".
pub static EXPIRE_DAYS: Limit = Limit {
    id: "s3::expire-days",
    min: 1,
    max: i32::MAX as i64,
    unit: "days",
    source: "S3 API PutBucketLifecycleConfiguration, LifecycleExpiration.Days",
    as_of: "2026-12-05",
};

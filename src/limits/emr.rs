//! Amazon EMR.

use super::Limit;

pub static CORE_INSTANCES: Limit = Limit {
    id: "emr::core-instances",
    min: 1,
    max: 256,
    unit: "instances",
    source: "EMR API InstanceGroupConfig InstanceCount (pipe bound; the account's EC2 quota decides)",
    as_of: "2026-05-20",
};

/// Spark Structured Streaming with the MSK IAM auth library needs Spark 3.x: EMR 6 or 7.
pub const MIN_RELEASE_MAJOR: u32 = 6;

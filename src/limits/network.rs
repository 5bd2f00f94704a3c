//! VPC attachments: the subnets and security groups a networked component is given.

use super::Limit;

const VPC_CONFIG: &str = "Lambda API VpcConfig; KinesisAnalyticsV2 API VpcConfiguration; Firehose API VpcConfiguration";

pub static SUBNETS: Limit =
    Limit { id: "network::subnets", min: 1, max: 16, unit: "subnets", source: VPC_CONFIG, as_of: "2026-12-05" };

/// Lambda, MSK, Redshift and OpenSearch take an empty list (the VPC's default group).
pub static SECURITY_GROUPS: Limit = Limit {
    id: "network::security-groups",
    min: 0,
    max: 5,
    unit: "security groups",
    source: VPC_CONFIG,
    as_of: "2026-12-05",
};

/// Flink applications, and Firehose streams delivering into a VPC (they join the OpenSearch
/// domain's network), refuse an empty list.
pub static SECURITY_GROUPS_REQUIRED: Limit = Limit {
    id: "network::security-groups",
    min: 1,
    max: 5,
    unit: "security groups",
    source: "KinesisAnalyticsV2 API VpcConfiguration SecurityGroupIds; Firehose API VpcConfiguration SecurityGroupIds",
    as_of: "2026-12-05",
};

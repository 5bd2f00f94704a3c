//! Amazon OpenSearch Service.

use super::Limit;

pub static INSTANCE_COUNT: Limit = Limit {
    id: "opensearch::instance-count",
    min: 1,
    max: 1002,
    unit: "data nodes",
    source: "docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html",
    as_of: "2026-05-20",
};

pub static STORAGE_GIB: Limit = Limit {
    id: "opensearch::storage",
    min: 10,
    max: 24_576,
    unit: "GiB per node (gp3; the instance type sets the real maximum)",
    source: "docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html#ebsresource",
    as_of: "2026-05-20",
};

pub static ZONES: Limit = Limit {
    id: "opensearch::zone-awareness",
    min: 2,
    max: 3,
    unit: "Availability Zones",
    source: "OpenSearch API ZoneAwarenessConfig AvailabilityZoneCount",
    as_of: "2026-05-20",
};

/// AWS's storage rule: source data × (1 + replicas) × 1.45 (10 % indexing overhead, 5 % Linux
/// reserve, 20 % service overhead).
pub const STORAGE_OVERHEAD: f64 = 1.45;
/// OpenSearch's default `number_of_replicas`.
pub const DEFAULT_REPLICAS: u32 = 1;
pub const STORAGE_SOURCE: &str =
    "docs.aws.amazon.com/opensearch-service/latest/developerguide/bp-storage.html (read 2026-12-01)";

/// GiB per data node to keep `kib_per_second` for `days`, with one replica of each shard.
pub fn storage_gib_for(kib_per_second: f64, days: u32, nodes: u32) -> u32 {
    let source_gib = kib_per_second * 86_400.0 * f64::from(days) / (1024.0 * 1024.0);
    let total = source_gib * f64::from(1 + DEFAULT_REPLICAS) * STORAGE_OVERHEAD;
    ((total / f64::from(nodes.max(1))).ceil() as u32).max(STORAGE_GIB.min as u32)
}

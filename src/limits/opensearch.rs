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

//! Amazon MSK.

use super::{Limit, Retired};

pub static STORAGE_GIB: Limit = Limit {
    id: "msk::storage",
    min: 1,
    max: 16_384,
    unit: "GiB per broker",
    source: "Kafka API BrokerEBSVolumeInfo VolumeSizeGB",
    as_of: "2026-05-20",
};

pub static SUBNETS: Limit = Limit {
    id: "msk::subnets",
    min: 2,
    max: 3,
    unit: "subnets in distinct Availability Zones",
    source: "docs.aws.amazon.com/msk/latest/developerguide/msk-create-cluster.html",
    as_of: "2026-05-20",
};

/// Brokers per ZooKeeper-based cluster (60 with KRaft), default quota.
pub static BROKERS: Limit = Limit {
    id: "msk::broker-count",
    min: 1,
    max: 30,
    unit: "brokers",
    source: "docs.aws.amazon.com/msk/latest/developerguide/limits.html",
    as_of: "2026-05-20",
};

const VERSIONS: &str = "docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html";
/// Dates published after the AWS page snapshot above, as copied from it by endoflife.date (2026-07-23).
const LATER: &str = "supported-kafka-versions.html via endoflife.date/amazon-msk";

/// Kafka versions past end of support on MSK (read 2026-11-22; 3.8.x is the recommended version).
pub static RETIRED_KAFKA_VERSIONS: &[Retired] = &[
    Retired { name: "1.1.1", since: "2024-06-05", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.1.0", since: "2024-06-05", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.2.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.3.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.4.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.4.1.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.5.1", since: "2024-06-08", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.2", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.6.3", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.7.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.7.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.7.2", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.8.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.8.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.1.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.2.0", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.3.1", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.3.2", since: "2024-09-11", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "2.8.2.tiered", since: "2025-01-14", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.4.0", since: "2025-08-04", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.5.1", since: "2025-10-23", replacement: "3.8.x", source: VERSIONS },
    Retired { name: "3.6.0", since: "2026-06-01", replacement: "3.8.x", source: LATER },
    Retired { name: "3.7.x", since: "2026-09-01", replacement: "3.8.x", source: LATER },
    Retired { name: "3.7.x.kraft", since: "2026-09-01", replacement: "3.8.x", source: LATER },
];

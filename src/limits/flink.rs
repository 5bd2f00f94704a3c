//! Amazon Managed Service for Apache Flink (Kinesis Data Analytics v2 API).

use super::{Limit, Retired};

pub static PARALLELISM: Limit = Limit {
    id: "flink::parallelism",
    min: 1,
    max: 256,
    unit: "",
    source: "docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html (default maximum)",
    as_of: "2026-05-20",
};

pub static PARALLELISM_PER_KPU: Limit = Limit {
    id: "flink::parallelism-per-kpu",
    min: 1,
    max: 8,
    unit: "",
    source: "docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html (the API sets only the minimum)",
    as_of: "2026-12-05",
};

/// `CheckpointConfiguration.CheckpointInterval` (a `long`, at least 1 in the API model).
pub static CHECKPOINT_INTERVAL_MS: Limit = Limit {
    id: "flink::checkpoint-interval",
    min: 1,
    max: i64::MAX,
    unit: "ms",
    source: "KinesisAnalyticsV2 API CheckpointConfiguration",
    as_of: "2026-12-05",
};

/// Entries in the `pipe` property group: the ones pipe sets (Region, connected streams) and the
/// blueprint's `properties`.
pub static PROPERTIES: Limit = Limit {
    id: "flink::properties",
    min: 1,
    max: 50,
    unit: "properties in a group",
    source: "KinesisAnalyticsV2 API PropertyGroup PropertyMap",
    as_of: "2026-12-05",
};

/// Characters in a property's key and in its value.
pub static PROPERTY_LENGTH: Limit = Limit {
    id: "flink::property-length",
    min: 1,
    max: 2048,
    unit: "characters",
    source: "KinesisAnalyticsV2 API PropertyGroup PropertyMap (PropertyKey, PropertyValue)",
    as_of: "2026-12-05",
};

/// KPUs per application (default quota); KPUs = ceil(parallelism ÷ parallelism per KPU).
pub const MAX_KPUS: u32 = 64;
pub const KPU_SOURCE: &str = "docs.aws.amazon.com/managed-flink/latest/java/limits.html";

pub const SUPPORTED_RUNTIMES: &[&str] =
    &["FLINK-1_15", "FLINK-1_18", "FLINK-1_19", "FLINK-1_20", "FLINK-2_2", "FLINK-2_3"];

const VERSIONS: &str = "docs.aws.amazon.com/managed-flink/latest/java/earlier.html";

pub static RETIRED_RUNTIMES: &[Retired] = &[
    Retired {
        name: "SQL-1_0",
        since: "2025-10-15",
        replacement: "`FLINK-1_20` and rewrite the SQL as a Flink SQL job; Kinesis Data Analytics for SQL applications are deleted from 2026-01-27",
        source: "docs.aws.amazon.com/kinesisanalytics/latest/dev/discontinuation.html",
    },
    Retired { name: "FLINK-1_6", since: "2023-11-05", replacement: "`FLINK-1_20`", source: VERSIONS },
    Retired { name: "FLINK-1_8", since: "2023-11-05", replacement: "`FLINK-1_20`", source: VERSIONS },
    Retired { name: "FLINK-1_11", since: "2024-11-05", replacement: "`FLINK-1_20`", source: VERSIONS },
    Retired { name: "FLINK-1_13", since: "2025-10-16", replacement: "`FLINK-1_20`", source: VERSIONS },
];

/// KiB/s one KPU processes, for `parallelism: auto`. AWS publishes no figure and advises
/// load-testing (how-scaling.html); this is pipe's planning figure for a job that parses, filters
/// and aggregates JSON records, shown as an assumption wherever it is used.
pub const ASSUMED_KIB_PER_SECOND_PER_KPU: f64 = 1024.0;
pub const SCALING_SOURCE: &str = "docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html (read 2026-12-01)";

/// KPUs an application is given: parallelism ÷ parallelism per KPU, rounded up.
pub fn kpus(parallelism: u32, parallelism_per_kpu: u32) -> u32 {
    parallelism.div_ceil(parallelism_per_kpu.max(1))
}

/// KPUs the flow needs at the assumed throughput per KPU.
pub fn kpus_for(kib_per_second: f64) -> u32 {
    ((kib_per_second / ASSUMED_KIB_PER_SECOND_PER_KPU).ceil() as u32).max(1)
}

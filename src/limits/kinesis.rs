//! Amazon Kinesis Data Streams.

use super::Limit;

const QUOTAS: &str = "docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html";

pub static RETENTION_HOURS: Limit = Limit {
    id: "kinesis::retention-hours",
    min: 24,
    max: 8760,
    unit: "hours",
    source: "Kinesis API IncreaseStreamRetentionPeriod (its text: at most 8760 hours); streams/latest/dev/kinesis-extended-retention.html",
    as_of: "2026-12-05",
};

pub static MAX_RECORD_SIZE_KIB: Limit = Limit {
    id: "kinesis::max-record-size",
    min: 1024,
    max: 10240,
    unit: "KiB",
    source: "Kinesis API CreateStream MaxRecordSizeInKiB",
    as_of: "2026-12-05",
};

pub static SHARDS: Limit =
    Limit { id: "kinesis::shard-count", min: 1, max: 10_000, unit: "shards", source: QUOTAS, as_of: "2026-05-20" };

/// Write capacity of one shard: 1 MiB/s or 1,000 records/s, partition keys included.
pub const SHARD_WRITE_KIB_PER_SECOND: f64 = 1024.0;
pub const SHARD_WRITE_RECORDS_PER_SECOND: f64 = 1000.0;
/// Read capacity of one shard shared by all polling consumers: 2 MiB/s and 5 GetRecords calls/s.
pub const SHARD_READ_KIB_PER_SECOND: f64 = 2048.0;
pub const SHARD_READ_CALLS_PER_SECOND: u32 = 5;
/// Enhanced fan-out consumers per stream (On-demand Standard and Provisioned).
pub const MAX_EFO_CONSUMERS: usize = 20;
pub const SOURCE: &str = QUOTAS;
/// A new on-demand stream accepts 4 MB/s of writes, then scales with the traffic it sees.
pub const ON_DEMAND_INITIAL_WRITE_KIB_PER_SECOND: f64 = 4.0 * 1000.0 * 1000.0 / 1024.0;

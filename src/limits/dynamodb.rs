//! Amazon DynamoDB capacity units.

const PROVISIONED: &str = "aws.amazon.com/dynamodb/pricing/provisioned (Key terms; read 2026-12-01)";
pub const SOURCE: &str = PROVISIONED;

/// One write capacity unit: one write per second of an item up to 1 KB.
pub const WRITE_UNIT_KIB: f64 = 1.0;
/// One read capacity unit: one strongly consistent read per second of an item up to 4 KB, or two
/// eventually consistent ones.
pub const READ_UNIT_KIB: f64 = 4.0;

/// Write units for `writes` items per second of `item_kib` each.
pub fn write_units(writes: f64, item_kib: f64) -> u32 {
    ((writes * (item_kib / WRITE_UNIT_KIB).ceil().max(1.0)).ceil() as u32).max(1)
}

/// Read units for `reads` eventually consistent reads per second of `item_kib` each.
pub fn read_units(reads: f64, item_kib: f64) -> u32 {
    ((reads * (item_kib / READ_UNIT_KIB).ceil().max(1.0) / 2.0).ceil() as u32).max(1)
}

/// One partition serves up to 1,000 write units, and a table's stream has a shard per partition.
pub const WRITE_UNITS_PER_PARTITION: f64 = 1000.0;
pub const PARTITIONS_SOURCE: &str =
    "docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.Partitions.html (read 2026-12-01)";

/// Stream shards a table with `write_units` has (one per partition, at least one).
pub fn stream_shards(write_units: u32) -> u32 {
    ((f64::from(write_units) / WRITE_UNITS_PER_PARTITION).ceil() as u32).max(1)
}

/// Request units per second an on-demand table serves by default, for reads and for writes.
pub const ON_DEMAND_UNITS_PER_SECOND: f64 = 40_000.0;
pub const QUOTAS_SOURCE: &str =
    "docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html (read 2026-12-01)";

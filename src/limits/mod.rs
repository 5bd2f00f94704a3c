//! The dated catalogue of AWS limits pipe enforces, each with its source.
//!
//! AWS limits drift; every entry says when it was read and where, so a reviewer can re-check it.
//! Unless an entry says otherwise, values were read from the AWS API models and the service quotas
//! pages named in `source`: those dated 2026-12-05 were re-read then, against botocore 1.44.18,
//! which `tests/facts.rs` checks every entry with a model counterpart against on every run.
//! A [`Limit`] is also the validation rule that enforces it: its `id` is the rule id users see.

pub mod dynamodb;
pub mod emr;
pub mod engines;
pub mod firehose;
pub mod flink;
pub mod formats;
pub mod glue;
pub mod kinesis;
pub mod lambda;
pub mod msk;
pub mod names;
pub mod network;
pub mod opensearch;
pub mod redshift;
pub mod s3;
pub mod sns;

/// An inclusive range a single field must fall in.
#[derive(Debug)]
pub struct Limit {
    pub id: &'static str,
    pub min: i64,
    pub max: i64,
    pub unit: &'static str,
    pub source: &'static str,
    pub as_of: &'static str,
}

impl Limit {
    pub fn contains(&self, value: i64) -> bool {
        (self.min..=self.max).contains(&value)
    }

    /// "24 to 8760 hours"
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() { String::new() } else { format!(" {}", self.unit) };
        format!("{} to {}{unit}", self.min, self.max)
    }
}

/// Every range limit, for `pipe rules`.
pub fn all() -> Vec<&'static Limit> {
    vec![
        &kinesis::RETENTION_HOURS,
        &kinesis::MAX_RECORD_SIZE_KIB,
        &kinesis::SHARDS,
        &firehose::BUFFER_SIZE_MIB,
        &firehose::OPENSEARCH_BUFFER_SIZE_MIB,
        &firehose::BUFFER_INTERVAL_SECONDS,
        &firehose::PREFIX_LENGTH,
        &lambda::MEMORY_MIB,
        &lambda::TIMEOUT_SECONDS,
        &lambda::BATCH_SIZE,
        &lambda::BATCH_WINDOW_SECONDS,
        &lambda::PARALLELIZATION,
        &lambda::MAX_RECORD_AGE_SECONDS,
        &lambda::RETRIES,
        &msk::STORAGE_GIB,
        &msk::SUBNETS,
        &msk::BROKERS,
        &glue::WORKERS,
        &glue::WINDOW_SECONDS,
        &flink::PARALLELISM,
        &flink::PARALLELISM_PER_KPU,
        &flink::CHECKPOINT_INTERVAL_MS,
        &flink::PROPERTIES,
        &flink::PROPERTY_LENGTH,
        &opensearch::INSTANCE_COUNT,
        &opensearch::STORAGE_GIB,
        &opensearch::ZONES,
        &redshift::BASE_CAPACITY_RPUS,
        &redshift::NODES,
        &emr::CORE_INSTANCES,
        &s3::EXPIRE_DAYS,
        &network::SUBNETS,
        &network::SECURITY_GROUPS,
        &network::SECURITY_GROUPS_REQUIRED,
    ]
}

/// A version or runtime AWS has retired, with the date and what to use instead.
#[derive(Debug)]
pub struct Retired {
    pub name: &'static str,
    /// The date after which it can no longer be used for new resources (ISO 8601).
    pub since: &'static str,
    pub replacement: &'static str,
    pub source: &'static str,
}

/// Finds `name` in a table of retired versions.
pub fn retired<'a>(table: &'a [Retired], name: &str) -> Option<&'a Retired> {
    table.iter().find(|r| r.name == name)
}

//! AWS Lambda functions and their event source mappings.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Network, Refs, StartingPosition, Throughput};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lambda {
    pub id: String,
    /// Event sources: Kinesis streams, DynamoDB tables with a stream, or an MSK cluster.
    #[serde(default)]
    pub from: Refs,
    /// What the function writes to or calls; pipe grants exactly those permissions.
    #[serde(default)]
    pub to: Refs,
    /// Directory of the function's code, relative to the blueprint file.
    pub code: String,
    /// `file.function` inside the code directory.
    #[serde(default = "default_handler")]
    pub handler: String,
    /// Lambda runtime identifier, e.g. `python3.12`.
    pub runtime: String,
    #[serde(default = "default_memory")]
    pub memory_mib: u32,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u32,
    #[serde(default)]
    pub architecture: Architecture,
    #[serde(default)]
    pub batch: Batch,
    /// MSK sources: the topic read.
    pub topic: Option<String>,
    /// An sns-topic or s3-bucket that receives records of batches that failed all retries.
    pub on_failure: Option<String>,
    /// Extra environment variables. pipe adds one per `to` target, named after its id:
    /// `offers` (a stream) → `OFFERS_STREAM_NAME`, `fleet-alerts` (a topic) → `FLEET_ALERTS_TOPIC_ARN`.
    #[serde(default)]
    pub environment: IndexMap<String, String>,
    pub reserved_concurrency: Option<u32>,
    /// Run inside a VPC (needed to reach MSK).
    pub network: Option<Network>,
    /// What it writes to each `to` target, by id, where it filters or aggregates (records/s
    /// and record size); a target not listed gets what it reads. Sizing and cost follow it.
    #[serde(default)]
    pub output: IndexMap<String, Throughput>,
}

fn default_handler() -> String {
    "handler.handler".to_string()
}

fn default_memory() -> u32 {
    256
}

fn default_timeout() -> u32 {
    60
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    #[default]
    Arm64,
    X86_64,
}

/// How records are batched and retried for every event source of the function.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Batch {
    /// Records per invocation (1 to 10000).
    pub size: u32,
    /// Seconds to gather a batch (0 to 300).
    pub window_seconds: u32,
    /// Concurrent batches per shard (1 to 10).
    pub parallelization: u32,
    pub starting_position: StartingPosition,
    /// Discard records older than this many seconds (60 to 604800, or -1 for never).
    pub max_record_age_seconds: i32,
    /// Retries of a failed batch (0 to 10000, or -1 until the record expires).
    pub retries: i32,
    /// Split a failing batch in two to isolate the bad record.
    pub bisect_on_error: bool,
    /// Let the function report the records that failed (`batchItemFailures`).
    pub report_batch_item_failures: bool,
    /// Read through a dedicated enhanced fan-out consumer instead of polling the shards.
    pub enhanced_fan_out: bool,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            size: 100,
            window_seconds: 0,
            parallelization: 1,
            starting_position: StartingPosition::Latest,
            max_record_age_seconds: 3600,
            retries: 3,
            bisect_on_error: true,
            report_batch_item_failures: true,
            enhanced_fan_out: false,
        }
    }
}

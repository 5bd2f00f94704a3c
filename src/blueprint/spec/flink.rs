//! Amazon Managed Service for Apache Flink applications.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Network, Refs, Size, Throughput};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlinkApplication {
    pub id: String,
    /// The Kinesis stream or MSK cluster read.
    #[serde(default)]
    pub from: Refs,
    /// Sinks: kinesis-stream, firehose, s3-bucket or msk-cluster.
    #[serde(default)]
    pub to: Refs,
    /// MSK source: the topic read.
    pub topic: Option<String>,
    /// MSK sink: the topic written.
    pub output_topic: Option<String>,
    /// `RuntimeEnvironment`, e.g. `FLINK-1_20`. `SQL-1_0` (Kinesis Data Analytics SQL) is retired.
    #[serde(default = "default_runtime")]
    pub runtime: String,
    /// The application code directory (a PyFlink job with `main.py`, or a Java job's JAR),
    /// relative to the blueprint file.
    pub code: String,
    /// Total parallelism (1 or more), or `auto` for the KPUs the declared throughput needs.
    #[serde(default = "one_task")]
    pub parallelism: Size,
    /// Parallel tasks per KPU (1 to 8).
    #[serde(default = "one")]
    pub parallelism_per_kpu: u32,
    #[serde(default = "super::common::yes")]
    pub autoscaling: bool,
    /// Checkpoint interval in milliseconds; 60000 when omitted.
    pub checkpoint_interval_ms: Option<u64>,
    /// Runtime properties given to the job in the `pipe` property group.
    #[serde(default)]
    pub properties: IndexMap<String, String>,
    pub network: Option<Network>,
    /// What it writes to each `to` target, by id, where it filters or aggregates (records/s
    /// and record size); a target not listed gets what it reads. Sizing and cost follow it.
    #[serde(default)]
    pub output: IndexMap<String, Throughput>,
}

fn default_runtime() -> String {
    "FLINK-1_20".to_string()
}

fn one_task() -> Size {
    Size::Count(1)
}

fn one() -> u32 {
    1
}

//! Spark Structured Streaming on an Amazon EMR cluster.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Network, Refs, Throughput};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmrSparkStreaming {
    pub id: String,
    /// The MSK cluster read.
    #[serde(default)]
    pub from: Refs,
    /// Sinks: opensearch-domain or s3-bucket.
    #[serde(default)]
    pub to: Refs,
    /// The topic read from the MSK cluster.
    pub topic: String,
    /// The PySpark script submitted as a step, relative to the blueprint file.
    pub code: String,
    /// EMR release, e.g. `emr-7.5.0` (Spark 3.5).
    pub release_label: String,
    #[serde(default = "default_instance")]
    pub instance_type: String,
    #[serde(default = "default_core")]
    pub core_instances: u32,
    /// The cluster's subnet (the first is used) and security groups.
    pub network: Network,
    /// What it writes to each `to` target, by id, where it filters or aggregates (records/s
    /// and record size); a target not listed gets what it reads. Sizing and cost follow it.
    #[serde(default)]
    pub output: IndexMap<String, Throughput>,
}

fn default_instance() -> String {
    "m5.xlarge".to_string()
}

fn default_core() -> u32 {
    2
}

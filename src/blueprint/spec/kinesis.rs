//! Amazon Kinesis Data Streams.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Encryption, Size};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KinesisStream {
    pub id: String,
    #[serde(default)]
    pub capacity: Capacity,
    /// How long records stay readable, in hours (24 to 8760).
    #[serde(default = "default_retention")]
    pub retention_hours: u32,
    #[serde(default)]
    pub encryption: Encryption,
    /// Largest record accepted, in KiB (1024 to 10240); AWS's default is 1024.
    pub max_record_size_kib: Option<u32>,
    /// Keep the stream (and its records) when the pipeline is destroyed or the stream replaced.
    #[serde(default = "super::common::yes")]
    pub retain: bool,
}

fn default_retention() -> u32 {
    24
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    #[serde(default)]
    pub mode: CapacityMode,
    /// Provisioned mode only: a shard count, or `auto` to size from the declared throughput.
    pub shards: Option<Size>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityMode {
    /// A fixed number of shards, sized by pipe or by you.
    #[default]
    Provisioned,
    /// AWS scales the stream; billed per GB and stream-hour.
    OnDemand,
}

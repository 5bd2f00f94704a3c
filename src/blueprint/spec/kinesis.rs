//! Amazon Kinesis Data Streams.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use super::common::Encryption;

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
    pub shards: Option<Shards>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    Auto,
    Count(u32),
}

impl<'de> Deserialize<'de> for Shards {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ShardsVisitor;
        impl Visitor<'_> for ShardsVisitor {
            type Value = Shards;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`auto` or a whole number of shards")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Shards, E> {
                u32::try_from(n).map(Shards::Count).map_err(|_| E::custom(format!("`{n}` shards is too many")))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Shards, E> {
                match text {
                    "auto" => Ok(Shards::Auto),
                    _ => text
                        .parse::<u64>()
                        .map_err(|_| E::custom(format!("expected `auto` or a whole number of shards, found `{text}`")))
                        .and_then(|n| self.visit_u64(n)),
                }
            }
        }
        deserializer.deserialize_any(ShardsVisitor)
    }
}

impl JsonSchema for Shards {
    fn schema_name() -> Cow<'static, str> {
        "Shards".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`auto` (sized from the declared throughput) or a shard count.",
            "anyOf": [ { "const": "auto" }, { "type": "integer", "minimum": 1 } ]
        })
    }
}

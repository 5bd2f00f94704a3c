//! Ingestion layer: how data gets from its source into stream storage.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::Refs;

/// A producer using the Kinesis API (PutRecords) or the Kinesis Producer Library. pipe renders the
/// IAM policy the producer needs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KinesisProducer {
    pub id: String,
    #[serde(default)]
    pub from: Refs,
    #[serde(default)]
    pub to: Refs,
    #[serde(default)]
    pub library: ProducerLibrary,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProducerLibrary {
    /// The AWS SDK's PutRecords.
    #[default]
    Sdk,
    /// The Kinesis Producer Library, which aggregates small records.
    Kpl,
}

/// The Kinesis Agent on the servers that hold the log files. No AWS resource: pipe writes the
/// agent's `agent.json` and the IAM policy it needs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KinesisAgent {
    pub id: String,
    #[serde(default)]
    pub from: Refs,
    #[serde(default)]
    pub to: Refs,
    /// Convert each line to JSON (CSV by the source's columns, logs by their format) before sending.
    #[serde(default = "super::common::yes")]
    pub convert_to_json: bool,
}

/// A Kafka producer writing to MSK topics with IAM authentication.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KafkaProducer {
    pub id: String,
    #[serde(default)]
    pub from: Refs,
    #[serde(default)]
    pub to: Refs,
    /// The topic written to; it must be declared on the cluster.
    pub topic: String,
}

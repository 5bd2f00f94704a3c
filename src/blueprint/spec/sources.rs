//! Source layer: what produces the data. No AWS resource; the declared throughput drives sizing.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::Throughput;

/// An application that writes records through the AWS SDK or the KPL.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub id: String,
    pub description: Option<String>,
    pub throughput: Throughput,
    /// One record as the source sends it: `pipe test` writes records shaped like it.
    pub sample: Option<IndexMap<String, serde_json::Value>>,
}

/// A fleet of devices or sensors (trucks, badge readers, cabs).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Devices {
    pub id: String,
    pub description: Option<String>,
    /// How many devices send data.
    pub count: Option<u32>,
    /// Throughput of the whole fleet.
    pub throughput: Throughput,
    /// One record as the source sends it: `pipe test` writes records shaped like it.
    pub sample: Option<IndexMap<String, serde_json::Value>>,
}

/// Log files on servers, read by the Kinesis Agent.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogFiles {
    pub id: String,
    pub description: Option<String>,
    /// Absolute file patterns on the servers, e.g. `/var/log/badges/*.log`.
    pub paths: Vec<String>,
    pub format: LogFormat,
    /// Field names of a CSV line, in order (required for `format: csv`).
    #[serde(default)]
    pub columns: Vec<String>,
    pub throughput: Throughput,
    /// One record as the source sends it: `pipe test` writes records shaped like it.
    pub sample: Option<IndexMap<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Comma-separated values, one record a line.
    Csv,
    /// One JSON object a line.
    Json,
    /// Apache common log format.
    CommonApacheLog,
    /// Apache combined log format.
    CombinedApacheLog,
    /// RFC 3164 syslog.
    Syslog,
}

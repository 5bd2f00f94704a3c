//! AWS Glue streaming ETL jobs and the Data Catalog table that describes their source stream.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Column, Refs, Size, StartingPosition, Throughput};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlueStreamingJob {
    pub id: String,
    /// The Kinesis stream or MSK cluster read.
    #[serde(default)]
    pub from: Refs,
    /// Where results go (dynamodb-table, s3-bucket, kinesis-stream).
    #[serde(default)]
    pub to: Refs,
    /// DynamoDB tables read to enrich or join each micro-batch.
    #[serde(default)]
    pub lookups: Refs,
    /// MSK source: the topic read.
    pub topic: Option<String>,
    /// Where the job's workers run: needed to reach an MSK cluster, which lives in a VPC.
    pub network: Option<GlueNetwork>,
    /// What it writes to each `to` target, by id, where it filters or aggregates (records/s
    /// and record size); a target not listed gets what it reads. Sizing and cost follow it.
    #[serde(default)]
    pub output: IndexMap<String, Throughput>,
    /// The PySpark script, relative to the blueprint file.
    pub code: String,
    /// Pinned Glue version (`4.0`, `5.0`); Glue's own default changes under you.
    pub glue_version: String,
    #[serde(default)]
    pub worker_type: WorkerType,
    /// Workers including the driver (2 or more), or `auto` to size from the declared throughput.
    #[serde(default = "default_workers")]
    pub workers: Size,
    /// Micro-batch window in seconds.
    #[serde(default = "default_window")]
    pub window_seconds: u32,
    #[serde(default)]
    pub starting_position: StartingPosition,
    /// The Data Catalog table pipe defines for the source stream.
    pub catalog: StreamTable,
    /// Extra job arguments (`--name: value`), passed to the script.
    #[serde(default)]
    pub arguments: IndexMap<String, String>,
}

fn default_workers() -> Size {
    Size::Count(2)
}

fn default_window() -> u32 {
    100
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum WorkerType {
    /// 0.25 DPU; streaming jobs on Glue 3.0 and later only.
    #[serde(rename = "G.025X")]
    G025X,
    #[default]
    #[serde(rename = "G.1X")]
    G1X,
    #[serde(rename = "G.2X")]
    G2X,
    #[serde(rename = "G.4X")]
    G4X,
    #[serde(rename = "G.8X")]
    G8X,
}

impl WorkerType {
    pub fn name(self) -> &'static str {
        match self {
            WorkerType::G025X => "G.025X",
            WorkerType::G1X => "G.1X",
            WorkerType::G2X => "G.2X",
            WorkerType::G4X => "G.4X",
            WorkerType::G8X => "G.8X",
        }
    }
}

/// A Glue network connection: the one subnet (and its Availability Zone, which Glue asks for
/// separately) that the job's workers join, with their security groups.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlueNetwork {
    /// Subnet id (`subnet-...`) in the cluster's VPC.
    pub subnet: String,
    /// The subnet's Availability Zone, e.g. `us-east-1a`.
    pub availability_zone: String,
    /// Security group ids (`sg-...`) the brokers accept.
    pub security_groups: Vec<String>,
}

/// A Glue Data Catalog table over a stream, so the job (and Athena) read typed columns.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamTable {
    /// Catalog database name (created by pipe).
    pub database: String,
    pub table: String,
    /// Columns of the JSON records, in Hive types (`string`, `bigint`, `double`, `timestamp`).
    pub columns: Vec<Column>,
}

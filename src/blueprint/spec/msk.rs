//! Amazon MSK clusters and their topics.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Encryption, Network, Size};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MskCluster {
    pub id: String,
    #[serde(default)]
    pub deployment: MskDeployment,
    /// Apache Kafka version as MSK names it, e.g. `3.6.0` or `3.8.x`.
    pub kafka_version: Option<String>,
    /// Provisioned: broker instance type, e.g. `kafka.m7g.large`.
    pub broker_type: Option<String>,
    /// Provisioned: number of brokers, a multiple of the number of subnets, or `auto` to size
    /// from the declared throughput, replication and broker type.
    pub brokers: Option<Size>,
    /// Provisioned: EBS storage per broker in GiB (1 to 16384), or `auto` to size from the
    /// declared throughput, the topics' retention and replication.
    pub storage_gib: Option<Size>,
    /// Two or three subnets in distinct Availability Zones.
    pub network: Network,
    #[serde(default)]
    pub auth: MskAuth,
    /// Encryption between clients and brokers.
    #[serde(default)]
    pub in_transit: InTransit,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default = "super::common::yes")]
    pub retain: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MskDeployment {
    #[default]
    Provisioned,
    Serverless,
}

/// Client authentication methods; at least one must be on.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MskAuth {
    pub iam: bool,
    pub scram: bool,
    pub tls: bool,
    /// Unauthenticated access; `pipe validate` rejects it.
    pub unauthenticated: bool,
}

impl Default for MskAuth {
    fn default() -> Self {
        MskAuth { iam: true, scram: false, tls: false, unauthenticated: false }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InTransit {
    #[default]
    Tls,
    TlsPlaintext,
    Plaintext,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: String,
    pub partitions: u32,
    #[serde(default = "default_replication")]
    pub replication_factor: u32,
    /// Hours a record is kept; the broker default (168) when omitted.
    pub retention_hours: Option<u32>,
}

fn default_replication() -> u32 {
    3
}

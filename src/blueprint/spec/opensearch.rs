//! Amazon OpenSearch Service domains.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Encryption, Network, Size};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpensearchDomain {
    pub id: String,
    /// `OpenSearch_X.Y` or `Elasticsearch_X.Y`.
    #[serde(default = "default_engine")]
    pub engine_version: String,
    #[serde(default = "default_instance")]
    pub instance_type: String,
    #[serde(default = "default_count")]
    pub instance_count: u32,
    /// Spread data nodes over this many Availability Zones (2 or 3).
    pub zone_awareness: Option<u32>,
    pub dedicated_masters: Option<DedicatedMasters>,
    /// EBS gp3 storage per data node in GiB, or `auto` to size from the declared throughput
    /// kept for `retention_days`.
    #[serde(default = "default_storage")]
    pub storage_gib: Size,
    /// Days of documents the domain keeps (with one replica each): what `storage_gib: auto` sizes for.
    pub retention_days: Option<u32>,
    /// VPC placement; a public endpoint when omitted (`pipe validate` warns).
    pub network: Option<Network>,
    #[serde(default = "super::common::yes")]
    pub enforce_https: bool,
    #[serde(default = "super::common::yes")]
    pub node_to_node_encryption: bool,
    #[serde(default = "super::common::yes")]
    pub fine_grained_access: bool,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default = "super::common::yes")]
    pub retain: bool,
}

fn default_engine() -> String {
    "OpenSearch_2.19".to_string()
}

fn default_instance() -> String {
    "r6g.large.search".to_string()
}

fn default_count() -> u32 {
    2
}

fn default_storage() -> Size {
    Size::Count(100)
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedicatedMasters {
    pub instance_type: String,
    /// 3 or 5 or more (never 4: the quorum would not survive losing two).
    pub count: u32,
}

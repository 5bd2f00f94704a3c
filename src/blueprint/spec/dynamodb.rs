//! Amazon DynamoDB tables, optionally with a stream.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Encryption, Size};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamodbTable {
    pub id: String,
    pub partition_key: Key,
    pub sort_key: Option<Key>,
    #[serde(default)]
    pub billing: Billing,
    /// Provisioned billing: read and write capacity units, or `auto` to size them from the
    /// declared throughput of the components that write and look up the table.
    pub read_capacity: Option<Size>,
    pub write_capacity: Option<Size>,
    /// Turn on DynamoDB Streams with this view of each change.
    pub stream: Option<StreamView>,
    #[serde(default = "super::common::yes")]
    pub point_in_time_recovery: bool,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default = "super::common::yes")]
    pub retain: bool,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: KeyType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum KeyType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Billing {
    #[default]
    OnDemand,
    Provisioned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StreamView {
    NewImage,
    OldImage,
    NewAndOldImages,
    KeysOnly,
}

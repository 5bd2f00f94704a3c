//! Amazon SNS topics.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::Encryption;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    pub id: String,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    #[serde(default)]
    pub encryption: Encryption,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub protocol: Protocol,
    /// Address, phone number or URL (usually a variable).
    pub endpoint: String,
    /// Message attribute → accepted values; only matching messages are delivered.
    #[serde(default)]
    pub filter: IndexMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    Email,
    Sms,
    Https,
}

//! Amazon Redshift, serverless or provisioned. The admin password is always managed by AWS
//! Secrets Manager, so it never appears in a blueprint, template or plan.

use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{Encryption, Network};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redshift {
    pub id: String,
    #[serde(default)]
    pub deployment: RedshiftDeployment,
    /// Serverless: base capacity in RPUs (8 to 512, in steps of 8).
    pub base_capacity_rpus: Option<u32>,
    /// Provisioned: node type, e.g. `ra3.xlplus`.
    pub node_type: Option<String>,
    /// Provisioned: number of nodes.
    pub nodes: Option<u32>,
    #[serde(default = "default_database")]
    pub database: String,
    pub network: Network,
    /// Tables pipe creates, each from a SQL file relative to the blueprint.
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default = "super::common::yes")]
    pub retain: bool,
}

fn default_database() -> String {
    "dev".to_string()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RedshiftDeployment {
    #[default]
    Serverless,
    Cluster,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: String,
    /// `CREATE TABLE` statement, relative to the blueprint file.
    pub ddl: String,
}

//! Value types shared by several component kinds.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// One component id or a list of them: `to: offers` or `to: [archive, alerts]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs(pub Vec<String>);

impl Refs {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for Refs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RefsVisitor;
        impl<'de> Visitor<'de> for RefsVisitor {
            type Value = Refs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a component id or a list of ids")
            }
            fn visit_str<E: de::Error>(self, id: &str) -> Result<Refs, E> {
                Ok(Refs(vec![id.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, id: u64) -> Result<Refs, E> {
                Ok(Refs(vec![id.to_string()]))
            }
            fn visit_none<E: de::Error>(self) -> Result<Refs, E> {
                Ok(Refs::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Refs, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(Refs(ids))
            }
        }
        deserializer.deserialize_any(RefsVisitor)
    }
}

impl JsonSchema for Refs {
    fn schema_name() -> Cow<'static, str> {
        "Refs".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A component id, or a list of component ids.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }
}

/// What a producer writes: the figures every capacity rule starts from.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Throughput {
    /// Records written per second at peak.
    pub records_per_second: u32,
    /// Average record size in KiB (1 KiB = 1024 bytes), partition key included.
    pub record_kib: f64,
}

impl Throughput {
    pub fn kib_per_second(&self) -> f64 {
        f64::from(self.records_per_second) * self.record_kib
    }
}

/// Where a networked service runs. Ids are usually passed in as variables.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Subnet ids (`subnet-...`), one per Availability Zone.
    pub subnets: Vec<String>,
    /// Security group ids (`sg-...`).
    #[serde(default)]
    pub security_groups: Vec<String>,
}

/// Encryption at rest with AWS KMS. On by default.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Encryption {
    /// Set to `false` only for data that is public anyway; `pipe validate` warns.
    pub enabled: bool,
    /// A KMS key ARN or alias; the AWS managed key of the service when omitted.
    pub kms_key: Option<String>,
}

impl Default for Encryption {
    fn default() -> Self {
        Encryption { enabled: true, kms_key: None }
    }
}

/// Where a consumer starts reading a stream it has not read before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StartingPosition {
    #[default]
    Latest,
    TrimHorizon,
}

/// A column of a table pipe defines (Glue Data Catalog, Redshift).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    /// The column type in the table's own type system (`string`, `double`, `timestamp`, ...).
    #[serde(rename = "type")]
    pub type_: String,
}

pub fn yes() -> bool {
    true
}

/// A capacity figure AWS asks for: `auto` (pipe sizes it from the declared throughput) or a whole
/// number the blueprint chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Auto,
    Count(u32),
}

impl Size {
    /// The declared number, or the sized one for `auto`.
    pub fn or_sized(self, sized: impl FnOnce() -> u32) -> u32 {
        match self {
            Size::Count(n) => n,
            Size::Auto => sized(),
        }
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = Size;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`auto` or a whole number")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Size, E> {
                u32::try_from(n).map(Size::Count).map_err(|_| E::custom(format!("`{n}` is too large")))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Size, E> {
                u64::try_from(n)
                    .map_err(|_| E::custom(format!("expected `auto` or a whole number, found `{n}`")))
                    .and_then(|n| self.visit_u64(n))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Size, E> {
                match text {
                    "auto" => Ok(Size::Auto),
                    _ => text
                        .parse::<u64>()
                        .map_err(|_| E::custom(format!("expected `auto` or a whole number, found `{text}`")))
                        .and_then(|n| self.visit_u64(n)),
                }
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

impl JsonSchema for Size {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`auto` (sized from the declared throughput) or a whole number.",
            "anyOf": [ { "const": "auto" }, { "type": "integer", "minimum": 1 } ]
        })
    }
}

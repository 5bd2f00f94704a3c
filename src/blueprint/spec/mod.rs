//! The blueprint format, version 1: the typed model a blueprint file decodes into.
//!
//! Doc comments here are the descriptions in `schemas/blueprint.schema.json`, which editors show.

pub mod common;
pub mod dynamodb;
pub mod emr;
pub mod firehose;
pub mod flink;
pub mod glue;
pub mod ingestion;
pub mod kinesis;
pub mod lambda;
pub mod monitoring;
pub mod msk;
pub mod opensearch;
pub mod redshift;
pub mod s3;
pub mod sagemaker;
pub mod sns;
pub mod sources;

use std::collections::HashMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::decode::recover_each;

/// One streaming pipeline in the five layers of streaming architecture.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pipe blueprint")]
pub struct Blueprint {
    /// Blueprint format version. Always `1`.
    pub version: u32,
    /// Prefix of every physical name: lowercase letters, digits and hyphens, starting with a letter.
    pub name: String,
    pub description: Option<String>,
    /// Values for `{{ name }}` templates in this file. `--vars-file` and `--var name=value` override them.
    #[serde(default)]
    pub vars: IndexMap<String, serde_json::Value>,
    /// Tags on every taggable resource, next to pipe's own `pipe:pipeline` and `pipe:component`.
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    /// What produces the data.
    #[serde(default, deserialize_with = "recover_each")]
    pub source: Vec<Component>,
    /// How data gets into stream storage.
    #[serde(default, deserialize_with = "recover_each")]
    pub ingestion: Vec<Component>,
    /// Where the stream is kept.
    #[serde(default, deserialize_with = "recover_each")]
    pub storage: Vec<Component>,
    /// What reads and transforms the stream.
    #[serde(default, deserialize_with = "recover_each")]
    pub processing: Vec<Component>,
    /// Where results end up.
    #[serde(default, deserialize_with = "recover_each")]
    pub destination: Vec<Component>,
    /// The CloudWatch alarms and dashboard that watch the pipeline.
    #[serde(default)]
    pub monitoring: monitoring::Monitoring,
    /// How `pipe plan`, `apply` and `destroy` deploy the pipeline.
    #[serde(default)]
    pub deploy: Deploy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    /// The target when `--target` is not given.
    #[serde(default)]
    pub target: DeployTarget,
    /// CloudFormation target: the stack refuses deletion (and `pipe destroy` with it) until this is
    /// turned off again.
    #[serde(default)]
    pub termination_protection: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeployTarget {
    /// One CloudFormation stack per pipeline, through change sets.
    #[default]
    Cloudformation,
    /// Direct calls to the service APIs; no stack.
    Sdk,
}

/// The JSON Schema of the blueprint format, as checked in at `schemas/blueprint.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07().into_generator().into_root_schema_for::<Blueprint>();
    serde_json::to_string_pretty(&schema).expect("the schema serialises")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Source,
    Ingestion,
    Storage,
    Processing,
    Destination,
}

impl Layer {
    pub const ALL: [Layer; 5] =
        [Layer::Source, Layer::Ingestion, Layer::Storage, Layer::Processing, Layer::Destination];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Source => "source",
            Layer::Ingestion => "ingestion",
            Layer::Storage => "storage",
            Layer::Processing => "processing",
            Layer::Destination => "destination",
        }
    }
}

/// A component with where it stands in the blueprint.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub layer: Layer,
    pub index: usize,
    pub component: &'a Component,
}

/// A connection as written in a component: which field (`from`, `lookups` or `to`), where, and
/// the id it names.
#[derive(Debug, Clone)]
pub struct Link<'a> {
    pub field: &'static str,
    pub path: String,
    pub id: &'a str,
}

impl<'a> Placed<'a> {
    /// The component's connections, reads (`from`, `lookups`) first, each with its field path
    /// (`processing[0].from[1]`).
    pub fn links(&self) -> Vec<Link<'a>> {
        let mut counters: HashMap<&str, usize> = HashMap::new();
        let mut links: Vec<Link<'a>> = Vec::new();
        for (field, id) in self.component.from() {
            let n = counters.entry(field).or_default();
            links.push(Link { field, path: self.field(&format!("{field}[{n}]")), id });
            *n += 1;
        }
        for (n, id) in self.component.to().iter().enumerate() {
            links.push(Link { field: "to", path: self.field(&format!("to[{n}]")), id });
        }
        links
    }
}

impl Placed<'_> {
    /// Field path of the component, e.g. `storage[0]`.
    pub fn path(&self) -> String {
        format!("{}[{}]", self.layer.name(), self.index)
    }

    pub fn field(&self, field: &str) -> String {
        format!("{}[{}].{field}", self.layer.name(), self.index)
    }
}

impl Blueprint {
    pub fn layer(&self, layer: Layer) -> &[Component] {
        match layer {
            Layer::Source => &self.source,
            Layer::Ingestion => &self.ingestion,
            Layer::Storage => &self.storage,
            Layer::Processing => &self.processing,
            Layer::Destination => &self.destination,
        }
    }

    /// Every component, layer by layer, in file order.
    pub fn components(&self) -> impl Iterator<Item = Placed<'_>> {
        Layer::ALL.into_iter().flat_map(move |layer| {
            self.layer(layer).iter().enumerate().map(move |(index, component)| Placed { layer, index, component })
        })
    }
}

macro_rules! components {
    ($($kind:literal => $variant:ident($ty:ty) in [$($layer:ident),+];)*) => {
        /// A component of the pipeline; `kind` says which.
        #[derive(Debug, Clone, Deserialize, JsonSchema)]
        #[schemars(tag = "kind")]
        pub enum Component {
            $(#[serde(rename = $kind)] $variant($ty),)*
        }

        impl Component {
            pub const KINDS: &[&str] = &[$($kind),*];

            pub fn kind(&self) -> &'static str {
                match self { $(Component::$variant(_) => $kind,)* }
            }

            pub fn id(&self) -> &str {
                match self { $(Component::$variant(c) => &c.id,)* }
            }

            /// The layers a kind may stand in.
            pub fn layers_of(kind: &str) -> &'static [Layer] {
                match kind { $($kind => &[$(Layer::$layer),+],)* _ => &[] }
            }
        }
    };
}

components! {
    "application" => Application(sources::Application) in [Source];
    "devices" => Devices(sources::Devices) in [Source];
    "log-files" => LogFiles(sources::LogFiles) in [Source];
    "kinesis-producer" => KinesisProducer(ingestion::KinesisProducer) in [Ingestion];
    "kinesis-agent" => KinesisAgent(ingestion::KinesisAgent) in [Ingestion];
    "kafka-producer" => KafkaProducer(ingestion::KafkaProducer) in [Ingestion];
    "kinesis-stream" => KinesisStream(kinesis::KinesisStream) in [Storage, Destination];
    "msk-cluster" => MskCluster(msk::MskCluster) in [Storage];
    "firehose" => Firehose(firehose::Firehose) in [Ingestion, Processing, Destination];
    "lambda" => Lambda(lambda::Lambda) in [Processing];
    "glue-streaming-job" => GlueStreamingJob(glue::GlueStreamingJob) in [Processing];
    "flink-application" => FlinkApplication(flink::FlinkApplication) in [Processing];
    "emr-spark-streaming" => EmrSparkStreaming(emr::EmrSparkStreaming) in [Processing];
    "sagemaker-endpoint" => SagemakerEndpoint(sagemaker::SagemakerEndpoint) in [Processing];
    "dynamodb-table" => DynamodbTable(dynamodb::DynamodbTable) in [Storage, Destination];
    "s3-bucket" => S3Bucket(s3::S3Bucket) in [Storage, Destination];
    "redshift" => Redshift(redshift::Redshift) in [Destination];
    "opensearch-domain" => OpensearchDomain(opensearch::OpensearchDomain) in [Destination];
    "sns-topic" => SnsTopic(sns::SnsTopic) in [Destination];
}

impl Component {
    /// Ids this component reads from, as written in its `from` (and `lookups`).
    pub fn from(&self) -> Vec<(&'static str, &str)> {
        let (field, refs) = match self {
            Component::KinesisProducer(c) => ("from", &c.from),
            Component::KinesisAgent(c) => ("from", &c.from),
            Component::KafkaProducer(c) => ("from", &c.from),
            Component::Firehose(c) => ("from", &c.from),
            Component::Lambda(c) => ("from", &c.from),
            Component::FlinkApplication(c) => ("from", &c.from),
            Component::EmrSparkStreaming(c) => ("from", &c.from),
            Component::GlueStreamingJob(c) => {
                return c
                    .from
                    .iter()
                    .map(|id| ("from", id))
                    .chain(c.lookups.iter().map(|id| ("lookups", id)))
                    .collect();
            }
            _ => return Vec::new(),
        };
        refs.iter().map(|id| (field, id)).collect()
    }

    /// Ids this component writes to or calls, as written in its `to`.
    pub fn to(&self) -> &[String] {
        match self {
            Component::KinesisProducer(c) => &c.to.0,
            Component::KinesisAgent(c) => &c.to.0,
            Component::KafkaProducer(c) => &c.to.0,
            Component::Firehose(c) => &c.to.0,
            Component::Lambda(c) => &c.to.0,
            Component::GlueStreamingJob(c) => &c.to.0,
            Component::FlinkApplication(c) => &c.to.0,
            Component::EmrSparkStreaming(c) => &c.to.0,
            _ => &[],
        }
    }

    /// Files and directories the component ships, as (field path suffix, path relative to the blueprint).
    pub fn code_paths(&self) -> Vec<(String, &str)> {
        match self {
            Component::Lambda(c) => vec![("code".to_string(), c.code.as_str())],
            Component::GlueStreamingJob(c) => vec![("code".to_string(), c.code.as_str())],
            Component::FlinkApplication(c) => vec![("code".to_string(), c.code.as_str())],
            Component::EmrSparkStreaming(c) => vec![("code".to_string(), c.code.as_str())],
            Component::Redshift(c) => {
                c.tables.iter().enumerate().map(|(i, t)| (format!("tables[{i}].ddl"), t.ddl.as_str())).collect()
            }
            _ => Vec::new(),
        }
    }
}

//! Edge contracts: for every connection a blueprint may declare, what the running pipeline gives
//! the component that acts on it — permissions, a network path, the names it finds the other end
//! by, and the catalog objects it needs.
//!
//! One table serves the validator and the model. The validator accepts exactly the connections
//! listed here (`graph::edge`, `firehose::ref-kind`, `lambda::on-failure-kind`), and the model
//! builds each one from its row, so an edge that validates is an edge that runs.

use std::borrow::Cow;

use crate::blueprint::graph::{Edge, Graph};
use crate::blueprint::spec::Component;
use crate::blueprint::spec::common::Network;

/// The field a connection is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `to:` on the sending end or `from:` on the receiving end: data flows from → to.
    Flow,
    /// Glue `lookups`: the job reads a table to enrich records.
    Lookup,
    /// Lambda `on_failure`: records of batches that failed every retry.
    OnFailure,
    /// Firehose `intermediate`: the bucket that stages Redshift loads or keeps rejected documents.
    Intermediate,
    /// Firehose `processor`: the function that transforms records before delivery.
    Processor,
}

impl Via {
    /// The field of the acting component that names the other end.
    pub fn field(self) -> &'static str {
        match self {
            Via::Flow => "to",
            Via::Lookup => "lookups",
            Via::OnFailure => "on_failure",
            Via::Intermediate => "intermediate",
            Via::Processor => "processor",
        }
    }
}

/// Which end of the connection acts (holds the role or policy and the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    From,
    To,
    /// A source feeding a producer: both run outside AWS and pipe creates nothing for the edge.
    Neither,
}

/// What the actor does to the other end, as IAM sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    None,
    Read,
    Write,
    Lookup,
    Invoke,
}

/// How the actor reaches the other end over the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Through the services' public endpoints.
    Public,
    /// When the other end lives in a VPC, the actor joins it: its own `network` when it declares
    /// one, else the other end's subnets and security groups, with ENI permissions on its role.
    JoinVpc,
    /// Lambda's MSK pollers connect from the cluster's own subnets; the function's role manages
    /// the network interfaces there, and the function itself may stay outside the VPC.
    EventSourcePoller,
    /// Firehose reaches MSK through multi-VPC private connectivity: the cluster turns it on for
    /// IAM clients and a cluster policy lets the Firehose service create the connection.
    PrivateLink,
}

/// How the actor learns which resource is at the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// Nothing: the source runs outside AWS and its owner points it at the producer.
    Outside,
    /// The actor's own resource names the other end: an event source mapping, a Firehose source
    /// or destination, an on-failure destination.
    Settings,
    /// Named by convention in the actor's configuration: `<ID>_<ATTRIBUTE>` environment
    /// variables (Lambda), `--<id>_<attribute>` arguments (Glue, Spark on EMR), `<id>.<attribute>`
    /// properties (Flink). [`attributes`] lists each kind's attributes.
    Convention,
    /// The Kinesis Agent's `agent.json`.
    AgentConfig,
    /// A stack output, for producers that run outside AWS.
    Output,
    /// The Glue job's Data Catalog table over its source names the stream.
    Catalog,
}

/// Catalog objects the connection needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalog {
    None,
    /// The Glue job's `catalog` table over the stream it reads.
    StreamTable,
    /// Firehose record format conversion reads its schema from a Glue table: created by pipe from
    /// `format_conversion.columns`, or an existing one `pipe plan` checks for.
    ConversionSchema,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    pub from: &'static str,
    pub to: &'static str,
    pub via: Via,
    pub actor: Actor,
    pub grant: Grant,
    pub reach: Reach,
    pub discovery: Discovery,
    pub catalog: Catalog,
}

const fn edge(from: &'static str, to: &'static str, actor: Actor, grant: Grant, discovery: Discovery) -> Contract {
    Contract { from, to, via: Via::Flow, actor, grant, reach: Reach::Public, discovery, catalog: Catalog::None }
}

impl Contract {
    const fn via(mut self, via: Via) -> Self {
        self.via = via;
        self
    }

    const fn reach(mut self, reach: Reach) -> Self {
        self.reach = reach;
        self
    }

    const fn catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = catalog;
        self
    }

    /// The IAM access the actor needs, given how it reads Kinesis.
    pub fn access(&self, enhanced_fan_out: bool) -> Option<Access> {
        match self.grant {
            Grant::None | Grant::Invoke => None,
            Grant::Read => Some(Access::Read { enhanced_fan_out }),
            Grant::Write => Some(Access::Write),
            Grant::Lookup => Some(Access::Lookup),
        }
    }
}

use Actor::{From, Neither, To};
use Discovery::{AgentConfig, Catalog as ByCatalog, Convention, Output, Outside, Settings};
use Grant::{Invoke, Lookup, Read, Write};

/// Every connection pipe accepts, with what the running pipeline gives its actor.
pub static CONTRACTS: &[Contract] = &[
    // Sources and producers run outside AWS.
    edge("application", "kinesis-producer", Neither, Grant::None, Outside),
    edge("application", "kafka-producer", Neither, Grant::None, Outside),
    edge("devices", "kinesis-producer", Neither, Grant::None, Outside),
    edge("devices", "kafka-producer", Neither, Grant::None, Outside),
    edge("log-files", "kinesis-agent", To, Grant::None, AgentConfig),
    edge("kinesis-producer", "kinesis-stream", From, Write, Output),
    edge("kinesis-producer", "firehose", From, Write, Output),
    edge("kinesis-agent", "kinesis-stream", From, Write, AgentConfig),
    edge("kinesis-agent", "firehose", From, Write, AgentConfig),
    edge("kafka-producer", "msk-cluster", From, Write, Output),
    // Stream storage and its consumers.
    edge("kinesis-stream", "lambda", To, Read, Settings),
    edge("kinesis-stream", "firehose", To, Read, Settings),
    edge("kinesis-stream", "glue-streaming-job", To, Read, ByCatalog).catalog(Catalog::StreamTable),
    edge("kinesis-stream", "flink-application", To, Read, Convention),
    edge("msk-cluster", "lambda", To, Read, Settings).reach(Reach::EventSourcePoller),
    edge("msk-cluster", "firehose", To, Read, Settings).reach(Reach::PrivateLink),
    edge("msk-cluster", "glue-streaming-job", To, Read, Convention).reach(Reach::JoinVpc).catalog(Catalog::StreamTable),
    edge("msk-cluster", "flink-application", To, Read, Convention).reach(Reach::JoinVpc),
    edge("msk-cluster", "emr-spark-streaming", To, Read, Convention).reach(Reach::JoinVpc),
    edge("dynamodb-table", "lambda", To, Read, Settings),
    edge("dynamodb-table", "glue-streaming-job", To, Lookup, Convention).via(Via::Lookup),
    // Delivery.
    edge("firehose", "s3-bucket", From, Write, Settings).catalog(Catalog::ConversionSchema),
    edge("firehose", "redshift", From, Write, Settings),
    edge("firehose", "opensearch-domain", From, Write, Settings).reach(Reach::JoinVpc),
    edge("firehose", "s3-bucket", From, Write, Settings).via(Via::Intermediate),
    edge("firehose", "lambda", From, Invoke, Settings).via(Via::Processor),
    // Processing writes.
    edge("lambda", "kinesis-stream", From, Write, Convention),
    edge("lambda", "firehose", From, Write, Convention),
    edge("lambda", "dynamodb-table", From, Write, Convention),
    edge("lambda", "sns-topic", From, Write, Convention),
    edge("lambda", "s3-bucket", From, Write, Convention),
    edge("lambda", "sagemaker-endpoint", From, Write, Convention),
    edge("lambda", "sns-topic", From, Write, Settings).via(Via::OnFailure),
    edge("lambda", "s3-bucket", From, Write, Settings).via(Via::OnFailure),
    edge("glue-streaming-job", "dynamodb-table", From, Write, Convention),
    edge("glue-streaming-job", "s3-bucket", From, Write, Convention),
    edge("glue-streaming-job", "kinesis-stream", From, Write, Convention),
    edge("flink-application", "kinesis-stream", From, Write, Convention),
    edge("flink-application", "firehose", From, Write, Convention),
    edge("flink-application", "s3-bucket", From, Write, Convention),
    edge("flink-application", "msk-cluster", From, Write, Convention).reach(Reach::JoinVpc),
    edge("emr-spark-streaming", "opensearch-domain", From, Write, Convention).reach(Reach::JoinVpc),
    edge("emr-spark-streaming", "s3-bucket", From, Write, Convention),
];

/// The field a graph edge is written in.
pub fn via_of(edge: &Edge) -> Via {
    if edge.lookup { Via::Lookup } else { Via::Flow }
}

/// The contract of a connection of this kind, if pipe accepts it.
pub fn find(from: &str, to: &str, via: Via) -> Option<&'static Contract> {
    CONTRACTS.iter().find(|c| c.from == from && c.to == to && c.via == via)
}

/// The kinds `from` may name through `via`, in table order.
pub fn targets(from: &str, via: Via) -> Vec<&'static str> {
    CONTRACTS.iter().filter(|c| c.from == from && c.via == via).map(|c| c.to).collect()
}

/// The network a VPC-only component lives in: MSK clusters, Redshift warehouses, and OpenSearch
/// domains placed in a VPC.
pub fn vpc_of(component: &Component) -> Option<&Network> {
    match component {
        Component::MskCluster(c) => Some(&c.network),
        Component::Redshift(c) => Some(&c.network),
        Component::OpensearchDomain(c) => c.network.as_ref(),
        _ => None,
    }
}

/// The network an actor declares for itself.
pub fn declared_network(actor: &Component) -> Option<&Network> {
    match actor {
        Component::Lambda(c) => c.network.as_ref(),
        Component::FlinkApplication(c) => c.network.as_ref(),
        Component::EmrSparkStreaming(c) => Some(&c.network),
        _ => None,
    }
}

/// A connection seen from the component that acts on it.
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    pub contract: &'static Contract,
    /// The component at the other end.
    pub other: &'a Component,
    /// True when the actor consumes the other end (it is the `to` of the edge).
    pub reads: bool,
}

/// The graph's connections (`from`/`to` and `lookups`) on which `actor` acts, in edge order.
pub fn acting<'a>(graph: &Graph<'a>, actor: &str) -> Vec<Acting<'a>> {
    graph
        .edges
        .iter()
        .filter_map(|edge| {
            let contract = find(edge.from.component.kind(), edge.to.component.kind(), via_of(edge))?;
            match contract.actor {
                From if edge.from.component.id() == actor => {
                    Some(Acting { contract, other: edge.to.component, reads: false })
                }
                To if edge.to.component.id() == actor => {
                    Some(Acting { contract, other: edge.from.component, reads: true })
                }
                _ => None,
            }
        })
        .collect()
}

/// The connections on which another component acts on `id`.
pub fn acting_on<'a>(graph: &Graph<'a>, id: &str) -> Vec<Acting<'a>> {
    graph
        .edges
        .iter()
        .filter(|edge| edge.from.component.id() == id || edge.to.component.id() == id)
        .filter_map(|edge| {
            let contract = find(edge.from.component.kind(), edge.to.component.kind(), via_of(edge))?;
            let (actor, reads) = match contract.actor {
                From => (edge.from.component, false),
                To => (edge.to.component, true),
                Neither => return None,
            };
            (actor.id() != id).then_some(Acting { contract, other: actor, reads })
        })
        .collect()
}

/// The VPC-only components `actor` joins the network of, per [`Reach::JoinVpc`].
pub fn vpc_peers<'a>(graph: &Graph<'a>, actor: &str) -> Vec<&'a Component> {
    acting(graph, actor)
        .into_iter()
        .filter(|a| a.contract.reach == Reach::JoinVpc && vpc_of(a.other).is_some())
        .map(|a| a.other)
        .collect()
}

/// Where `actor` runs when it must reach a VPC: its own network, else that of the first VPC-only
/// component it connects to (the validator makes sure they agree).
pub fn network_for<'a>(graph: &Graph<'a>, actor: &'a Component) -> Option<Cow<'a, Network>> {
    let peers = vpc_peers(graph, actor.id());
    if let Some(own) = declared_network(actor) {
        return Some(Cow::Borrowed(own));
    }
    peers.first().and_then(|peer| vpc_of(peer)).map(Cow::Borrowed)
}

/// The access an actor's edge grants it, which the model turns into IAM statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Consume a stream (Kinesis, a DynamoDB stream, an MSK topic).
    Read { enhanced_fan_out: bool },
    /// Write or call (put records, publish, invoke, index documents).
    Write,
    /// Read a table to enrich records (Glue `lookups`).
    Lookup,
}

/// One value the actor learns about the other end.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// `stream_name`, `cluster_arn`, ...: spelled per idiom by [`Idiom::key`].
    pub name: &'static str,
    pub value: Known,
}

/// Where an attribute's value comes from: the deployed component, or the blueprint itself. The
/// model writes the first as the template's reference to the component.
#[derive(Debug, Clone, PartialEq)]
pub enum Known {
    /// What the component's resource returns for `Ref`.
    Ref,
    /// One of the attributes of the component's resource (`Fn::GetAtt`).
    Attribute(&'static str),
    /// A value the blueprint states.
    Text(String),
}

/// One configuration entry an actor gets by convention: `key` names `value` of component `of`.
pub struct Entry<'a> {
    pub key: String,
    pub of: &'a Component,
    pub value: Known,
}

/// What a component's connections are named by, under [`Discovery::Convention`]. `topic` is the
/// Kafka topic the actor reads or writes, for MSK.
pub fn attributes(other: &Component, topic: Option<&str>) -> Vec<Attribute> {
    let attribute = |name, value| Attribute { name, value };
    match other {
        Component::KinesisStream(_) => {
            vec![attribute("stream_name", Known::Ref), attribute("stream_arn", Known::Attribute("Arn"))]
        }
        Component::Firehose(_) => vec![attribute("delivery_stream_name", Known::Ref)],
        Component::DynamodbTable(_) => vec![attribute("table_name", Known::Ref)],
        Component::S3Bucket(_) => vec![attribute("bucket_name", Known::Ref)],
        Component::SnsTopic(_) => vec![attribute("topic_arn", Known::Ref)],
        Component::SagemakerEndpoint(_) => vec![attribute("endpoint_name", Known::Attribute("EndpointName"))],
        Component::MskCluster(_) => {
            let mut attributes = vec![attribute("cluster_arn", Known::Ref)];
            attributes.extend(topic.map(|t| attribute("topic", Known::Text(t.to_string()))));
            attributes
        }
        Component::OpensearchDomain(_) => vec![attribute("endpoint", Known::Attribute("DomainEndpoint"))],
        _ => Vec::new(),
    }
}

/// How a kind of actor takes its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idiom {
    /// Lambda environment variables: `OFFERS_STREAM_NAME`.
    Environment,
    /// Glue job and spark-submit arguments: `--offers_stream_name`.
    Arguments,
    /// Flink runtime properties in the `pipe` group: `offers.stream.name`.
    Properties,
}

impl Idiom {
    pub fn of(actor: &Component) -> Option<Idiom> {
        match actor {
            Component::Lambda(_) => Some(Idiom::Environment),
            Component::GlueStreamingJob(_) | Component::EmrSparkStreaming(_) => Some(Idiom::Arguments),
            Component::FlinkApplication(_) => Some(Idiom::Properties),
            _ => None,
        }
    }

    /// The key under which the actor finds `attribute` of component `id`.
    pub fn key(self, id: &str, attribute: &str) -> String {
        match self {
            Idiom::Environment => format!("{id}_{attribute}").to_uppercase().replace('-', "_"),
            Idiom::Arguments => format!("--{}_{attribute}", id.replace('-', "_")),
            Idiom::Properties => format!("{id}.{}", attribute.replace('_', ".")),
        }
    }
}

/// The Kafka topic `actor` reads (`reads`) or writes on an MSK cluster.
pub fn topic_of(actor: &Component, reads: bool) -> Option<&str> {
    match (actor, reads) {
        (Component::Lambda(c), true) => c.topic.as_deref(),
        (Component::Firehose(c), true) => c.topic.as_deref(),
        (Component::GlueStreamingJob(c), true) => c.topic.as_deref(),
        (Component::FlinkApplication(c), true) => c.topic.as_deref(),
        (Component::FlinkApplication(c), false) => c.output_topic.as_deref(),
        (Component::EmrSparkStreaming(c), true) => Some(&c.topic),
        (Component::KafkaProducer(c), false) => Some(&c.topic),
        _ => None,
    }
}

/// The field that names the topic of [`topic_of`], for diagnostics.
pub fn topic_field(reads: bool, actor: &Component) -> &'static str {
    match (actor, reads) {
        (Component::FlinkApplication(_), false) => "output_topic",
        _ => "topic",
    }
}

/// Every configuration entry an actor gets by convention, in edge order.
pub fn configuration<'a>(graph: &Graph<'a>, actor: &Component) -> Vec<Entry<'a>> {
    let Some(idiom) = Idiom::of(actor) else { return Vec::new() };
    let mut entries: Vec<Entry<'a>> = Vec::new();
    for acting in acting(graph, actor.id()) {
        if acting.contract.discovery != Discovery::Convention {
            continue;
        }
        for attribute in attributes(acting.other, topic_of(actor, acting.reads)) {
            let key = idiom.key(acting.other.id(), attribute.name);
            if !entries.iter().any(|e| e.key == key) {
                entries.push(Entry { key, of: acting.other, value: attribute.value });
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_in_the_table_exists_and_rows_are_unique() {
        for (i, contract) in CONTRACTS.iter().enumerate() {
            assert!(Component::KINDS.contains(&contract.from), "{}", contract.from);
            assert!(Component::KINDS.contains(&contract.to), "{}", contract.to);
            assert_eq!(find(contract.from, contract.to, contract.via), Some(&CONTRACTS[i]), "duplicate row");
        }
    }

    #[test]
    fn idioms_spell_one_convention() {
        assert_eq!(Idiom::Environment.key("fleet-alerts", "topic_arn"), "FLEET_ALERTS_TOPIC_ARN");
        assert_eq!(Idiom::Arguments.key("orders", "table_name"), "--orders_table_name");
        assert_eq!(Idiom::Arguments.key("price-list", "table_name"), "--price_list_table_name");
        assert_eq!(Idiom::Properties.key("archive", "delivery_stream_name"), "archive.delivery.stream.name");
    }
}

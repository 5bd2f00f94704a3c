//! What `pipe test` does with a deployed pipeline, derived from the blueprint: where it writes
//! synthetic records, what they look like, and where each component downstream can be seen to
//! receive them (or why it cannot be).

use indexmap::IndexMap;
use serde_json::Value;

use crate::blueprint::graph::Graph;
use crate::blueprint::spec::Component;
use crate::blueprint::spec::common::Column;
use crate::blueprint::spec::firehose::{Compression, Firehose, OutputFormat};

use super::refs::logical_id;

#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// Where the records go in: the streams and Direct PUT delivery streams the ingestion writes.
    pub entries: Vec<Entry>,
    /// Why some ingestion cannot be written to by pipe (a Kafka topic needs a Kafka client).
    pub unwritable: Vec<String>,
    pub shape: Shape,
    /// Every component downstream of an entry, in the order the records reach them.
    pub hops: Vec<Hop>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub component: String,
    /// The logical id of its stream or delivery stream.
    pub resource: String,
    pub delivery_stream: bool,
}

/// What one synthetic record looks like.
#[derive(Debug, Clone, Default)]
pub enum Shape {
    /// The source's `sample:`, as written.
    Sample(IndexMap<String, Value>),
    /// Typed columns a catalog table or format conversion declares for the records.
    Columns(Vec<Column>),
    /// Field names of CSV log lines, sent as JSON by the agent.
    Fields(Vec<String>),
    /// Nothing says: the records carry only pipe's marker.
    #[default]
    Free,
}

#[derive(Debug, Clone)]
pub struct Hop {
    pub component: String,
    pub kind: String,
    /// The nearest component upstream that runs code, which decides what (if anything) it passes
    /// on: not seeing the records after it is no fault of the pipeline.
    pub after_code: Option<String>,
    /// It runs code of the blueprint's, which may write anywhere.
    pub runs_code: bool,
    pub watch: Watch,
}

#[derive(Debug, Clone)]
pub enum Watch {
    /// A Kinesis stream: its records are read back from when the test began.
    Stream { resource: String },
    /// A bucket a Firehose stream delivers to: objects written since the test began.
    Objects(Delivery),
    /// A Firehose stream: seen when what it delivers to is.
    Through { destination: String },
    /// What it does cannot be seen from outside (code's side effects).
    Unobservable(String),
    /// Observable in principle; pipe does not look yet, and says why.
    Unchecked(String),
}

/// How a Firehose stream writes a bucket.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub bucket: String,
    /// `Prefix` as rendered; `pipe test` evaluates its `!{timestamp:...}` parts.
    pub prefix: Option<String>,
    pub compression: Compression,
    /// Parquet or ORC: objects hold columns, not the records' text.
    pub converted_to: Option<&'static str>,
    pub interval_seconds: u32,
    /// Objects a warehouse's COPY loads from: Firehose may still be reading them.
    pub staged: bool,
    /// Dynamic partitioning's keys: name → the jq expression over a record that gives its value.
    pub partitions: IndexMap<String, String>,
}

pub fn of(graph: &Graph) -> Probe {
    let mut probe = Probe::default();
    for placed in graph.blueprint.components() {
        let ingestion = match placed.component {
            Component::KinesisProducer(_) | Component::KinesisAgent(_) | Component::KafkaProducer(_) => {
                placed.component
            }
            _ => continue,
        };
        for edge in graph.readers_of(ingestion.id()) {
            let target = edge.to.component;
            let entry = match target {
                Component::KinesisStream(_) => {
                    Entry { component: target.id().into(), resource: logical_id(target), delivery_stream: false }
                }
                Component::Firehose(_) => {
                    Entry { component: target.id().into(), resource: logical_id(target), delivery_stream: true }
                }
                other => {
                    probe.unwritable.push(format!(
                        "`{}` writes to the {} `{}`: pipe test writes Kinesis streams and Firehose streams; a Kafka topic needs a Kafka client",
                        ingestion.id(),
                        other.kind(),
                        other.id()
                    ));
                    continue;
                }
            };
            if !probe.entries.contains(&entry) {
                probe.entries.push(entry);
            }
        }
    }
    probe.shape = shape(graph, &probe.entries);
    probe.hops = hops(graph, &probe.entries);
    probe
}

/// The `sample:` of a source feeding an entry; else the columns something downstream reads the
/// records with; else a CSV source's field names.
fn shape(graph: &Graph, entries: &[Entry]) -> Shape {
    let upstream_sources =
        entries.iter().flat_map(|e| graph.inputs_of(&e.component)).flat_map(|e| graph.inputs_of(e.from.component.id()));
    let mut fields = None;
    for edge in upstream_sources {
        let source = edge.from.component;
        let sample = match source {
            Component::Application(c) => &c.sample,
            Component::Devices(c) => &c.sample,
            Component::LogFiles(c) => &c.sample,
            _ => continue,
        };
        if let Some(sample) = sample {
            return Shape::Sample(sample.clone());
        }
        if let Component::LogFiles(c) = source
            && !c.columns.is_empty()
        {
            fields = Some(c.columns.clone());
        }
    }
    let readers = entries.iter().flat_map(|e| graph.readers_of(&e.component)).map(|e| e.to.component);
    let entry_firehoses = entries.iter().filter_map(|e| graph.get(&e.component)).map(|p| p.component);
    for component in readers.chain(entry_firehoses) {
        let columns = match component {
            Component::GlueStreamingJob(job) => &job.catalog.columns,
            Component::Firehose(f) => match &f.format_conversion {
                Some(conversion) => &conversion.columns,
                None => continue,
            },
            _ => continue,
        };
        if !columns.is_empty() {
            return Shape::Columns(columns.clone());
        }
    }
    fields.map_or(Shape::Free, Shape::Fields)
}

fn runs_code(component: &Component) -> bool {
    matches!(
        component,
        Component::Lambda(_)
            | Component::GlueStreamingJob(_)
            | Component::FlinkApplication(_)
            | Component::EmrSparkStreaming(_)
            | Component::SagemakerEndpoint(_)
    )
}

/// Breadth first from the entries: each component once, after the nearest code on its way.
fn hops(graph: &Graph, entries: &[Entry]) -> Vec<Hop> {
    let mut queue: std::collections::VecDeque<(&Component, Option<String>, Option<&Firehose>)> =
        entries.iter().filter_map(|e| graph.get(&e.component)).map(|p| (p.component, None, None)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut hops = Vec::new();
    while let Some((component, after_code, delivered_by)) = queue.pop_front() {
        if !seen.insert(component.id().to_string()) {
            continue;
        }
        let after_code = match delivered_by {
            Some(firehose) => firehose.processor.clone().or(after_code),
            None => after_code,
        };
        hops.push(Hop {
            component: component.id().into(),
            kind: component.kind().into(),
            after_code: after_code.clone(),
            runs_code: runs_code(component),
            watch: watch(graph, component, delivered_by),
        });
        let passes_on = if runs_code(component) { Some(component.id().to_string()) } else { after_code };
        let firehose = match component {
            Component::Firehose(f) => Some(f),
            _ => None,
        };
        for edge in graph.readers_of(component.id()) {
            queue.push_back((edge.to.component, passes_on.clone(), firehose));
        }
    }
    hops
}

/// How `firehose` writes objects into `bucket` (a destination, or a warehouse's staging bucket).
fn delivery(bucket: String, firehose: &Firehose, staged: bool) -> Delivery {
    Delivery {
        bucket,
        prefix: firehose.prefix.clone(),
        compression: firehose.compression,
        converted_to: firehose.format_conversion.as_ref().map(|c| match c.output {
            OutputFormat::Parquet => "Parquet",
            OutputFormat::Orc => "ORC",
        }),
        interval_seconds: firehose.buffer.interval_seconds,
        staged,
        partitions: firehose.dynamic_partitioning.as_ref().map(|d| d.keys.clone()).unwrap_or_default(),
    }
}

fn watch(graph: &Graph, component: &Component, delivered_by: Option<&Firehose>) -> Watch {
    match component {
        Component::KinesisStream(_) => Watch::Stream { resource: logical_id(component) },
        Component::Firehose(f) => match graph.readers_of(&f.id).next().map(|e| e.to.component) {
            // Records reach a warehouse through objects staged for COPY, which can be read.
            Some(Component::Redshift(_)) => match f.intermediate.as_deref().and_then(|id| graph.get(id)) {
                Some(staging) => Watch::Objects(delivery(logical_id(staging.component), f, true)),
                None => Watch::Unchecked("it stages records in a bucket the blueprint does not name".into()),
            },
            Some(destination) => Watch::Through { destination: destination.id().into() },
            None => Watch::Unchecked("it delivers nowhere pipe knows".into()),
        },
        Component::S3Bucket(_) => match delivered_by {
            Some(firehose) => Watch::Objects(delivery(logical_id(component), firehose, false)),
            None => Watch::Unobservable("what code writes to a bucket, and where, is the code's choice".into()),
        },
        Component::Lambda(_)
        | Component::GlueStreamingJob(_)
        | Component::FlinkApplication(_)
        | Component::EmrSparkStreaming(_)
        | Component::SagemakerEndpoint(_) => Watch::Unobservable(format!(
            "a {} runs code: its side effects are not visible from outside",
            component.kind()
        )),
        Component::DynamodbTable(_) => {
            Watch::Unobservable("items are what the code upstream makes of the records, under keys it chooses".into())
        }
        Component::OpensearchDomain(_) => Watch::Unchecked(
            "documents are read through the domain's signed HTTPS endpoint, which pipe test does not query yet".into(),
        ),
        Component::Redshift(_) => Watch::Unchecked(
            "loaded rows are read with SQL, which pipe test does not run yet; the COPY's source objects are checked on the way"
                .into(),
        ),
        Component::SnsTopic(_) => Watch::Unobservable("notifications leave AWS (email, SMS, HTTPS)".into()),
        Component::MskCluster(_) => Watch::Unchecked("reading a Kafka topic needs a Kafka client".into()),
        other => Watch::Unobservable(format!("a {} holds no records", other.kind())),
    }
}

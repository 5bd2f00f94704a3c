//! What each component does in a month, from the declared flow: the usage that prices multiply.

use indexmap::IndexMap;

use crate::blueprint::graph::{Flow, Graph, declared_outputs};
use crate::blueprint::spec::Component;
use crate::blueprint::spec::firehose::Firehose;
use crate::capacity;
use crate::limits::firehose::delivery;
use crate::limits::sns::ASSUMED_ALERTS_PER_SECOND;

/// Hours in a month, as AWS's pricing pages count them.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Seconds in that month: what a per-second flow comes to.
pub const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// Records and KiB per second into the component.
    pub flow: Option<Flow>,
    /// Components that read it.
    pub readers: u32,
    /// Of those, the ones reading a Kinesis stream through an enhanced fan-out consumer.
    pub fan_out_readers: u32,
    /// DynamoDB: records per second that look the table up.
    pub lookups: Option<Flow>,
    /// Lambda: invocations per second.
    pub invocations_per_second: Option<f64>,
    /// A warehouse: seconds between the loads its Firehose stream delivers.
    pub delivery_seconds: Option<f64>,
    /// A bucket: the Firehose stream that delivers into it splits each delivery by partition key.
    pub partitioned: bool,
    /// What the flow into it rests on that the blueprint does not declare.
    pub assumes: Vec<String>,
}

/// Every component's usage, by id.
pub fn of(graph: &Graph) -> IndexMap<String, Usage> {
    graph
        .blueprint
        .components()
        .map(|placed| {
            let id = placed.component.id();
            let staged_by = staging_stream(graph, id);
            let usage = Usage {
                flow: graph.flow(id).or_else(|| graph.flow(&staged_by?.id)),
                readers: graph.readers_of(id).count() as u32,
                fan_out_readers: graph
                    .readers_of(id)
                    .filter(|edge| matches!(edge.to.component, Component::Lambda(f) if f.batch.enhanced_fan_out))
                    .count() as u32,
                lookups: capacity::dynamodb::lookups(graph, id),
                invocations_per_second: match placed.component {
                    Component::Lambda(function) => capacity::lambda::invocations_per_second(graph, function),
                    _ => None,
                },
                delivery_seconds: delivery_seconds(graph, id).or_else(|| every_delivery(graph, staged_by?)),
                partitioned: graph.inputs_of(id).any(
                    |edge| matches!(edge.from.component, Component::Firehose(f) if f.dynamic_partitioning.is_some()),
                ),
                assumes: assumptions(graph, id, &mut Vec::new()),
            };
            (id.to_string(), usage)
        })
        .collect()
}

/// The undeclared outputs the flow into `id` is sized from, on every path from the sources: a
/// processor with no `output:` for its target is assumed to write all it reads there (or alerts,
/// to a topic only people read), the `capacity::assumed-output` warning's assumption.
fn assumptions<'g>(graph: &'g Graph, id: &'g str, visiting: &mut Vec<&'g str>) -> Vec<String> {
    if visiting.contains(&id) {
        return Vec::new();
    }
    visiting.push(id);
    let mut found = Vec::new();
    for edge in graph.inputs_of(id) {
        let from = edge.from.component;
        let Some(outputs) = declared_outputs(from) else {
            found.extend(assumptions(graph, from.id(), visiting));
            continue;
        };
        if outputs.contains_key(id) {
            continue;
        }
        found.push(match graph.assumes_alerts(from, id) {
            true => format!(
                "`{}` declares no `output.{id}`: assumed to send alerts, {ASSUMED_ALERTS_PER_SECOND} a second",
                from.id()
            ),
            false => format!("`{}` declares no `output.{id}`: assumed to write every record it reads", from.id()),
        });
        found.extend(assumptions(graph, from.id(), visiting));
    }
    visiting.pop();
    found.dedup();
    found
}

/// How often the Firehose streams that load `id` deliver, at the declared flow.
fn delivery_seconds(graph: &Graph, id: &str) -> Option<f64> {
    graph.inputs_of(id).find_map(|edge| match edge.from.component {
        Component::Firehose(stream) => every_delivery(graph, stream),
        _ => None,
    })
}

fn every_delivery(graph: &Graph, stream: &Firehose) -> Option<f64> {
    let flow = graph.flow(&stream.id)?;
    Some(delivery(flow.kib_per_second, stream.buffer.size_mib, stream.buffer.interval_seconds).1)
}

/// The Firehose stream that stages everything it loads into Redshift in bucket `id`: each
/// delivery is an object there before the COPY reads it.
fn staging_stream<'g>(graph: &'g Graph, id: &str) -> Option<&'g Firehose> {
    graph.blueprint.components().find_map(|placed| match placed.component {
        Component::Firehose(stream) if stream.copy.is_some() && stream.intermediate.as_deref() == Some(id) => {
            Some(stream)
        }
        _ => None,
    })
}

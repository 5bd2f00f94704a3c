//! What each component does in a month, from the declared flow: the usage that prices multiply.

use indexmap::IndexMap;

use crate::blueprint::graph::{Flow, Graph};
use crate::blueprint::spec::Component;
use crate::capacity;
use crate::limits::firehose::delivery;

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
}

/// Every component's usage, by id.
pub fn of(graph: &Graph) -> IndexMap<String, Usage> {
    graph
        .blueprint
        .components()
        .map(|placed| {
            let id = placed.component.id();
            let usage = Usage {
                flow: graph.flow(id),
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
                delivery_seconds: delivery_seconds(graph, id),
            };
            (id.to_string(), usage)
        })
        .collect()
}

/// How often the Firehose streams that load `id` deliver, at the declared flow.
fn delivery_seconds(graph: &Graph, id: &str) -> Option<f64> {
    graph.inputs_of(id).find_map(|edge| match edge.from.component {
        Component::Firehose(stream) => {
            let flow = graph.flow(&stream.id)?;
            Some(delivery(flow.kib_per_second, stream.buffer.size_mib, stream.buffer.interval_seconds).1)
        }
        _ => None,
    })
}

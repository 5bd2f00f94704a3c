//! Kinesis Data Streams: shards for the writes and the polling readers, and the load on each.

use crate::blueprint::graph::{Flow, Graph};
use crate::blueprint::spec::Component;
use crate::blueprint::spec::common::Size;
use crate::blueprint::spec::kinesis::{CapacityMode, KinesisStream};
use crate::diagnostic::{Rule, Severity};
use crate::limits::kinesis::{
    ON_DEMAND_INITIAL_WRITE_KIB_PER_SECOND, SHARD_READ_CALLS_PER_SECOND, SHARD_READ_KIB_PER_SECOND,
    SHARD_WRITE_KIB_PER_SECOND, SHARD_WRITE_RECORDS_PER_SECOND, SOURCE,
};

use super::{Figure, Load, Need, Report, thousands};

pub static TOO_FEW_SHARDS: Rule = Rule {
    id: "kinesis::shards-for-throughput",
    severity: Severity::Error,
    summary: "shards ≥ max(write KiB/s ÷ 1024, records/s ÷ 1000, polling read KiB/s ÷ 2048)",
};

/// Shards a provisioned stream needs for its writes and for its polling readers.
pub fn required_shards(flow: Flow, polling_readers: usize) -> u32 {
    let write = (flow.kib_per_second / SHARD_WRITE_KIB_PER_SECOND)
        .max(flow.records_per_second / SHARD_WRITE_RECORDS_PER_SECOND);
    let read = flow.kib_per_second * polling_readers as f64 / SHARD_READ_KIB_PER_SECOND;
    (write.max(read).ceil() as u32).max(1)
}

/// Consumers of `stream` that poll its shards (GetRecords), sharing each shard's read budget.
pub fn polling_readers(graph: &Graph, stream: &str) -> usize {
    graph.readers_of(stream).filter(|e| is_polling(e.to.component)).count()
}

/// A consumer that reads a stream through GetRecords, sharing the shard's read budget.
pub fn is_polling(component: &Component) -> bool {
    match component {
        Component::Lambda(c) => !c.batch.enhanced_fan_out,
        Component::Firehose(_) | Component::GlueStreamingJob(_) | Component::FlinkApplication(_) => true,
        _ => false,
    }
}

/// The shard count of a provisioned stream; `None` for an on-demand one.
pub fn shards(graph: &Graph, stream: &KinesisStream) -> Option<Figure> {
    if stream.capacity.mode == CapacityMode::OnDemand {
        return None;
    }
    let polling = polling_readers(graph, &stream.id);
    let needed = match graph.flow(&stream.id) {
        Some(flow) => Ok(Need { value: required_shards(flow, polling), why: sizing(flow, polling) }),
        None => Err(super::no_flow("shards")),
    };
    Some(Figure {
        field: "capacity.shards",
        unit: "shards",
        rule: &TOO_FEW_SHARDS,
        // An omitted count is sized like `auto`: one shard when nothing declares a throughput.
        declared: stream.capacity.shards.unwrap_or(Size::Auto),
        needed,
        fallback: 1,
    })
}

/// How the needed shards follow from the flow: the terms of `required_shards`, in words.
fn sizing(flow: Flow, polling: usize) -> String {
    let mut terms = vec![
        format!("{} records/s ÷ 1000", thousands(flow.records_per_second)),
        format!("{} KiB/s written ÷ 1024", thousands(flow.kib_per_second)),
    ];
    if polling > 0 {
        let read = flow.kib_per_second * polling as f64;
        terms.push(format!("{} KiB/s read by {polling} polling consumers ÷ 2048", thousands(read)));
    }
    format!("the largest of {}", terms.join(", "))
}

pub fn assess(graph: &Graph, stream: &KinesisStream, report: &mut Report) {
    let polling = polling_readers(graph, &stream.id);
    let flow = report.flow.unwrap_or_default();
    match shards(graph, stream) {
        Some(figure) => {
            let shards = f64::from(figure.value());
            report.loads.extend([
                Load::new("shard writes", flow.kib_per_second, shards * SHARD_WRITE_KIB_PER_SECOND, "KiB/s", SOURCE),
                Load::new(
                    "shard write records",
                    flow.records_per_second,
                    shards * SHARD_WRITE_RECORDS_PER_SECOND,
                    "records/s",
                    SOURCE,
                ),
                Load::new(
                    "shared reads (polling consumers)",
                    flow.kib_per_second * polling as f64,
                    shards * SHARD_READ_KIB_PER_SECOND,
                    "KiB/s",
                    SOURCE,
                ),
                Load::new(
                    "read calls per shard",
                    polling as f64,
                    f64::from(SHARD_READ_CALLS_PER_SECOND),
                    "calls/s",
                    SOURCE,
                ),
            ]);
            report.figures.push(figure);
        }
        None => report.loads.push(Load::new(
            "writes (on-demand, before it scales)",
            flow.kib_per_second,
            ON_DEMAND_INITIAL_WRITE_KIB_PER_SECOND,
            "KiB/s",
            SOURCE,
        )),
    }
}

//! Kinesis Data Streams: field ranges, capacity from declared throughput, and the read budget that
//! polling consumers share.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::kinesis::{
    MAX_EFO_CONSUMERS, MAX_RECORD_SIZE_KIB, RETENTION_HOURS, SHARD_READ_CALLS_PER_SECOND, SHARD_READ_KIB_PER_SECOND,
    SHARD_WRITE_KIB_PER_SECOND, SHARD_WRITE_RECORDS_PER_SECOND, SHARDS, SOURCE,
};

use super::super::graph::{Flow, Graph};
use super::super::spec::Component;
use super::super::spec::kinesis::{CapacityMode, KinesisStream, Shards};
use super::Context;

pub static ON_DEMAND_SHARDS: Rule = Rule {
    id: "kinesis::on-demand-shards",
    severity: Severity::Error,
    summary: "on-demand streams take no shard count",
};
pub static TOO_FEW_SHARDS: Rule = Rule {
    id: "kinesis::shards-for-throughput",
    severity: Severity::Error,
    summary: "shards ≥ max(write KiB/s ÷ 1024, records/s ÷ 1000, polling read KiB/s ÷ 2048)",
};
pub static READ_BUDGET: Rule = Rule {
    id: "kinesis::read-budget",
    severity: Severity::Error,
    summary: "polling consumers of a shard share 5 reads/s; beyond that, use enhanced fan-out",
};
pub static EFO_CONSUMERS: Rule = Rule {
    id: "kinesis::efo-consumers",
    severity: Severity::Error,
    summary: "at most 20 enhanced fan-out consumers per stream",
};
pub static RECORD_SIZE: Rule = Rule {
    id: "kinesis::record-size",
    severity: Severity::Error,
    summary: "declared records fit the stream's largest record size",
};

pub static RULES: &[&Rule] = &[&ON_DEMAND_SHARDS, &TOO_FEW_SHARDS, &READ_BUDGET, &EFO_CONSUMERS, &RECORD_SIZE];

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

/// Shards a provisioned stream gets for `shards: auto`, or when nothing declares a throughput, one.
pub fn auto_shards(graph: &Graph, stream: &str) -> u32 {
    graph.flow(stream).map_or(1, |flow| required_shards(flow, polling_readers(graph, stream)))
}

/// A consumer that reads a stream through GetRecords, sharing the shard's read budget.
fn is_polling(component: &Component) -> bool {
    match component {
        Component::Lambda(c) => !c.batch.enhanced_fan_out,
        Component::Firehose(_) | Component::GlueStreamingJob(_) | Component::FlinkApplication(_) => true,
        _ => false,
    }
}

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::KinesisStream(stream) = placed.component else { continue };
        cx.range(&RETENTION_HOURS, placed.field("retention_hours"), i64::from(stream.retention_hours));
        if let Some(size) = stream.max_record_size_kib {
            cx.range(&MAX_RECORD_SIZE_KIB, placed.field("max_record_size_kib"), i64::from(size));
        }
        let readers: Vec<&Component> = cx.readers_of(&stream.id).map(|e| e.to.component).collect();
        let polling = readers.iter().filter(|c| is_polling(c)).count();
        let efo = readers.len() - polling;
        if efo > MAX_EFO_CONSUMERS {
            found.push(
                Diagnostic::new(&EFO_CONSUMERS, format!("{efo} enhanced fan-out consumers read `{}`", stream.id))
                    .at(placed.path())
                    .expected(format!("at most {MAX_EFO_CONSUMERS} ({SOURCE})"))
                    .hint("split the consumers over two streams, or let some poll"),
            );
        }
        if polling as u32 > SHARD_READ_CALLS_PER_SECOND {
            found.push(
                Diagnostic::new(&READ_BUDGET, format!("{polling} polling consumers share the 5 reads per second of each shard of `{}`", stream.id))
                    .at(placed.path())
                    .expected(format!("at most {SHARD_READ_CALLS_PER_SECOND} polling consumers; each polls every shard about once a second"))
                    .hint("set `batch.enhanced_fan_out: true` on Lambda consumers so each gets its own 2 MiB/s per shard"),
            );
        }
        let flow = cx.flow(&stream.id);
        if let Some(flow) = flow {
            record_size(&mut found, &placed.field("max_record_size_kib"), stream, flow);
        }
        match (stream.capacity.mode, stream.capacity.shards) {
            (CapacityMode::OnDemand, Some(_)) => found.push(
                Diagnostic::new(&ON_DEMAND_SHARDS, "an on-demand stream takes no shard count")
                    .at(placed.field("capacity.shards"))
                    .hint("remove `shards`, or set `mode: provisioned` to choose the shard count"),
            ),
            (CapacityMode::Provisioned, Some(Shards::Count(shards))) => {
                cx.range(&SHARDS, placed.field("capacity.shards"), i64::from(shards));
                let Some(flow) = flow else { continue };
                let needed = required_shards(flow, polling);
                if shards < needed {
                    found.push(
                        Diagnostic::new(
                            &TOO_FEW_SHARDS,
                            format!("{shards} shards cannot carry the declared throughput; it needs {needed}"),
                        )
                        .at(placed.field("capacity.shards"))
                        .expected(sizing(needed, flow, polling))
                        .hint("set `shards: auto` to size from the declared throughput"),
                    );
                }
            }
            _ => {}
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

/// How `needed` shards follow from the flow: the terms of `required_shards`, in words.
fn sizing(needed: u32, flow: Flow, polling: usize) -> String {
    let mut terms = vec![
        format!("{:.0} records/s ÷ 1000", flow.records_per_second),
        format!("{:.0} KiB/s written ÷ 1024", flow.kib_per_second),
    ];
    if polling > 0 {
        let read = flow.kib_per_second * polling as f64;
        terms.push(format!("{read:.0} KiB/s read by {polling} polling consumers ÷ 2048"));
    }
    format!("at least {needed} shards, the largest of {}", terms.join(", "))
}

fn record_size(found: &mut Vec<Diagnostic>, path: &str, stream: &KinesisStream, flow: Flow) {
    let max = stream.max_record_size_kib.unwrap_or(MAX_RECORD_SIZE_KIB.min as u32);
    let average = if flow.records_per_second > 0.0 { flow.kib_per_second / flow.records_per_second } else { 0.0 };
    if average > f64::from(max) {
        found.push(
            Diagnostic::new(
                &RECORD_SIZE,
                format!("records of {average:.0} KiB are larger than `{}` accepts", stream.id),
            )
            .at(path.to_string())
            .expected(format!("records of at most {max} KiB"))
            .hint("raise `max_record_size_kib` (up to 10240) or make records smaller"),
        );
    }
}

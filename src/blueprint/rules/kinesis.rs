//! Kinesis Data Streams: field ranges, record sizes and the read budget that polling consumers
//! share. Shards against the flow are `capacity`'s.

use crate::capacity::kinesis::is_polling;
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::kinesis::{
    MAX_EFO_CONSUMERS, MAX_RECORD_SIZE_KIB, RETENTION_HOURS, SHARD_READ_CALLS_PER_SECOND, SHARDS, SOURCE,
};

use super::super::graph::Flow;
use super::super::spec::Component;
use super::super::spec::common::Size;
use super::super::spec::kinesis::{CapacityMode, KinesisStream};
use super::Context;

pub static ON_DEMAND_SHARDS: Rule = Rule {
    id: "kinesis::on-demand-shards",
    severity: Severity::Error,
    summary: "on-demand streams take no shard count",
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

pub static RULES: &[&Rule] = &[&ON_DEMAND_SHARDS, &READ_BUDGET, &EFO_CONSUMERS, &RECORD_SIZE];

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
                Diagnostic::new(&READ_BUDGET, format!(
                    "{polling} polling consumers share the {SHARD_READ_CALLS_PER_SECOND} reads per second of each shard of `{}`",
                    stream.id
                ))
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
            (CapacityMode::Provisioned, Some(Size::Count(shards))) => {
                cx.range(&SHARDS, placed.field("capacity.shards"), i64::from(shards));
            }
            _ => {}
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
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
            .hint(format!("raise `max_record_size_kib` (up to {}) or make records smaller", MAX_RECORD_SIZE_KIB.max)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A summary is a static line, so it cannot be built from the limit it cites: it must at
    /// least say the same figure.
    #[test]
    fn summaries_say_the_limits_they_cite() {
        assert!(READ_BUDGET.summary.contains(&format!("share {SHARD_READ_CALLS_PER_SECOND} reads/s")));
        assert!(EFO_CONSUMERS.summary.contains(&format!("at most {MAX_EFO_CONSUMERS} ")));
    }
}

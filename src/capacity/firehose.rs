//! Amazon Data Firehose: the objects and delivery delay the buffer gives, and the Direct PUT quota.

use crate::blueprint::graph::Graph;
use crate::blueprint::spec::Component;
use crate::blueprint::spec::firehose::Firehose;
use crate::diagnostic::{Rule, Severity};
use crate::limits::firehose::{
    BUFFERING_SOURCE, DIRECT_PUT_KIB_PER_SECOND, DIRECT_PUT_RECORDS_PER_SECOND, DIRECT_PUT_SOURCE,
    MIN_BUFFERED_SECONDS, delivery,
};

use super::{Load, Report, thousands};

pub static SMALL_BUFFER: Rule = Rule {
    id: "firehose::buffer-for-throughput",
    severity: Severity::Warning,
    summary: "the buffer holds more than 10 seconds of the declared flow",
};

/// Whether records reach the stream through Direct PUT (no stream or cluster feeds it).
pub fn is_direct_put(graph: &Graph, firehose: &Firehose) -> bool {
    !graph
        .inputs_of(&firehose.id)
        .any(|e| matches!(e.from.component, Component::KinesisStream(_) | Component::MskCluster(_)))
}

/// Seconds of the flow the buffer holds, when the flow is known.
pub fn buffered_seconds(report: &Report, firehose: &Firehose) -> Option<f64> {
    let flow = report.flow.filter(|f| f.kib_per_second > 0.0)?;
    Some(f64::from(firehose.buffer.size_mib) * 1024.0 / flow.kib_per_second)
}

pub fn assess(graph: &Graph, firehose: &Firehose, report: &mut Report) {
    let Some(flow) = report.flow else { return };
    let (object_kib, seconds) =
        delivery(flow.kib_per_second, firehose.buffer.size_mib, firehose.buffer.interval_seconds);
    let trigger = if seconds < f64::from(firehose.buffer.interval_seconds) { "buffer size" } else { "buffer interval" };
    report.notes.push(format!(
        "objects of about {} KiB every {seconds:.0} s (the {trigger} comes first; {BUFFERING_SOURCE})",
        thousands(object_kib)
    ));
    if let Some(held) = buffered_seconds(report, firehose)
        && held < MIN_BUFFERED_SECONDS
    {
        report.notes.push(format!("the buffer holds {held:.1} s of the flow; AWS advises more than 10 s"));
    }
    if is_direct_put(graph, firehose) {
        report.loads.extend([
            Load::new(
                "Direct PUT records",
                flow.records_per_second,
                DIRECT_PUT_RECORDS_PER_SECOND,
                "records/s",
                DIRECT_PUT_SOURCE,
            ),
            Load::new("Direct PUT data", flow.kib_per_second, DIRECT_PUT_KIB_PER_SECOND, "KiB/s", DIRECT_PUT_SOURCE),
        ]);
    }
}

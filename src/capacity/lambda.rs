//! AWS Lambda: the concurrency its event source mappings imply, and how often it is invoked.

use crate::blueprint::graph::{Flow, Graph};
use crate::blueprint::spec::Component;
use crate::blueprint::spec::lambda::Lambda;
use crate::diagnostic::{Rule, Severity};
use crate::limits::lambda::{ACCOUNT_CONCURRENCY, CONCURRENCY_SOURCE};

use super::{Load, Report, dynamodb, kinesis};

pub static CONCURRENCY: Rule = Rule {
    id: "lambda::concurrency",
    severity: Severity::Warning,
    summary: "shards × parallelization (partitions for MSK) fit the function's reserved or the account's concurrency",
};

/// Batches that can run at once: per Kinesis or DynamoDB stream shard × parallelization; per MSK
/// partition of the topic read.
pub fn concurrency(graph: &Graph, function: &Lambda) -> u32 {
    shards_read(graph, function).into_iter().map(|(shards, per_shard)| shards * per_shard).sum()
}

/// (shards or partitions, concurrent batches per shard) of each source.
fn shards_read(graph: &Graph, function: &Lambda) -> Vec<(u32, u32)> {
    let parallel = function.batch.parallelization.max(1);
    graph
        .inputs_of(&function.id)
        .filter_map(|edge| match edge.from.component {
            Component::KinesisStream(stream) => {
                let shards = kinesis::shards(graph, stream).map_or_else(
                    || graph.flow(&stream.id).map_or(4, |f| kinesis::required_shards(f, 0).max(4)),
                    |f| f.value(),
                );
                Some((shards, parallel))
            }
            Component::DynamodbTable(table) => Some((dynamodb::stream_shard_count(graph, table), parallel)),
            Component::MskCluster(cluster) => {
                let topic = function.topic.as_deref();
                let partitions =
                    cluster.topics.iter().filter(|t| Some(t.name.as_str()) == topic).map(|t| t.partitions).sum();
                Some((partitions, 1))
            }
            _ => None,
        })
        .collect()
}

/// The concurrency the function may use: its reservation, or the account's default quota.
pub fn concurrency_limit(function: &Lambda) -> (u32, &'static str) {
    match function.reserved_concurrency {
        Some(reserved) => (reserved, "the function's `reserved_concurrency`"),
        None => (ACCOUNT_CONCURRENCY, CONCURRENCY_SOURCE),
    }
}

/// Invocations per second: per shard, a batch when `size` records arrived, or at least one per
/// batching window (one poll a second with no window) while records flow.
pub fn invocations_per_second(graph: &Graph, function: &Lambda) -> Option<f64> {
    let flow: Flow = graph.flow(&function.id)?;
    let shards: u32 = shards_read(graph, function).iter().map(|(s, _)| s).sum::<u32>().max(1);
    let per_shard = flow.records_per_second / f64::from(shards);
    let by_size = per_shard / f64::from(function.batch.size.max(1));
    let by_window = per_shard.min(1.0 / f64::from(function.batch.window_seconds.max(1)));
    Some(by_size.max(by_window) * f64::from(shards))
}

pub fn assess(graph: &Graph, function: &Lambda, report: &mut Report) {
    let (limit, source) = concurrency_limit(function);
    report.loads.push(Load::new(
        "concurrency",
        f64::from(concurrency(graph, function)),
        f64::from(limit),
        "executions",
        source,
    ));
    if let Some(invocations) = invocations_per_second(graph, function) {
        report.notes.push(format!("about {invocations:.1} invocations/s of up to {} records", function.batch.size));
    }
}

//! Amazon OpenSearch Service: storage per data node for the retention.

use crate::blueprint::graph::Graph;
use crate::blueprint::spec::opensearch::OpensearchDomain;
use crate::diagnostic::{Rule, Severity};
use crate::limits::opensearch::{DEFAULT_REPLICAS, STORAGE_OVERHEAD, STORAGE_SOURCE, storage_gib_for};

use super::{Figure, Load, Need, Report, thousands};

pub static TOO_LITTLE_STORAGE: Rule = Rule {
    id: "opensearch::storage-for-retention",
    severity: Severity::Error,
    summary: "storage per node holds retention_days of the declared flow × (1 + replicas) × 1.45",
};

pub fn storage(graph: &Graph, domain: &OpensearchDomain) -> Figure {
    let nodes = domain.instance_count.max(1);
    let needed = match (graph.flow(&domain.id), domain.retention_days) {
        (None, _) => Err(super::no_flow("storage")),
        (Some(_), None) => Err("`retention_days` is not set, so pipe cannot size the storage".to_string()),
        (Some(flow), Some(days)) => Ok(Need {
            value: storage_gib_for(flow.kib_per_second, days, nodes),
            why: format!(
                "{} KiB/s × {days} days × (1 + {DEFAULT_REPLICAS} replica) × {STORAGE_OVERHEAD} ÷ {nodes} nodes",
                thousands(flow.kib_per_second)
            ),
        }),
    };
    Figure {
        field: "storage_gib",
        unit: "GiB per node",
        rule: &TOO_LITTLE_STORAGE,
        declared: domain.storage_gib,
        needed,
        fallback: 100,
    }
}

pub fn assess(graph: &Graph, domain: &OpensearchDomain, report: &mut Report) {
    let figure = storage(graph, domain);
    if let (Some(flow), Some(days)) = (report.flow, domain.retention_days) {
        let source_gib = flow.kib_per_second * 86_400.0 * f64::from(days) / (1024.0 * 1024.0);
        let stored =
            source_gib * f64::from(1 + DEFAULT_REPLICAS) * STORAGE_OVERHEAD / f64::from(domain.instance_count.max(1));
        report.loads.push(Load::new("storage per node", stored, f64::from(figure.value()), "GiB", STORAGE_SOURCE));
    }
    report.figures.push(figure);
}

//! Amazon DynamoDB: write units for what the pipeline writes, read units for its lookups.

use crate::blueprint::graph::{Flow, Graph};
use crate::blueprint::spec::dynamodb::{Billing, DynamodbTable};
use crate::diagnostic::{Rule, Severity};
use crate::limits::dynamodb::{
    ON_DEMAND_UNITS_PER_SECOND, QUOTAS_SOURCE, SOURCE, read_units, stream_shards, write_units,
};

use super::{Figure, Load, Need, Report, thousands};

pub static TOO_FEW_UNITS: Rule = Rule {
    id: "dynamodb::capacity-for-throughput",
    severity: Severity::Error,
    summary: "write units ≥ writes/s × ⌈item KiB⌉; read units ≥ lookups/s × ⌈item KiB ÷ 4⌉ ÷ 2",
};

/// Records per second that components look the table up with (one eventually consistent read each).
pub fn lookups(graph: &Graph, table: &str) -> Option<Flow> {
    let flows: Vec<Flow> = graph
        .edges
        .iter()
        .filter(|e| e.lookup && e.from.component.id() == table)
        .filter_map(|e| graph.flow(e.to.component.id()))
        .collect();
    (!flows.is_empty()).then(|| Flow {
        records_per_second: flows.iter().map(|f| f.records_per_second).sum(),
        kib_per_second: flows.iter().map(|f| f.kib_per_second).sum(),
    })
}

fn item_kib(flow: Flow) -> f64 {
    if flow.records_per_second > 0.0 { flow.kib_per_second / flow.records_per_second } else { 1.0 }
}

/// Write units of a provisioned table.
pub fn write_capacity(graph: &Graph, table: &DynamodbTable) -> Option<Figure> {
    let declared = table.write_capacity.filter(|_| table.billing == Billing::Provisioned)?;
    let needed = match graph.flow(&table.id) {
        None => Err(super::no_flow("write capacity")),
        Some(flow) => Ok(Need {
            value: write_units(flow.records_per_second, item_kib(flow)),
            why: format!(
                "{} writes/s × ⌈{:.2} KiB per item ÷ 1 KiB⌉",
                thousands(flow.records_per_second),
                item_kib(flow)
            ),
        }),
    };
    Some(Figure { field: "write_capacity", unit: "write units", rule: &TOO_FEW_UNITS, declared, needed, fallback: 1 })
}

/// Read units of a provisioned table.
pub fn read_capacity(graph: &Graph, table: &DynamodbTable) -> Option<Figure> {
    let declared = table.read_capacity.filter(|_| table.billing == Billing::Provisioned)?;
    let item = graph.flow(&table.id).map_or(1.0, item_kib);
    let needed = match lookups(graph, &table.id) {
        None => Err("no component looks the table up, so pipe cannot size its read capacity".to_string()),
        Some(reads) => Ok(Need {
            value: read_units(reads.records_per_second, item),
            why: format!(
                "{} lookups/s × ⌈{item:.2} KiB per item ÷ 4 KiB⌉ ÷ 2 (eventually consistent)",
                thousands(reads.records_per_second)
            ),
        }),
    };
    Some(Figure { field: "read_capacity", unit: "read units", rule: &TOO_FEW_UNITS, declared, needed, fallback: 1 })
}

/// Write units the table consumes per second, whatever its billing.
pub fn writes_in_units(graph: &Graph, table: &DynamodbTable) -> u32 {
    graph.flow(&table.id).map_or(1, |flow| write_units(flow.records_per_second, item_kib(flow)))
}

/// Shards of the table's stream, which Lambda reads one batch at a time each.
pub fn stream_shard_count(graph: &Graph, table: &DynamodbTable) -> u32 {
    let units = write_capacity(graph, table).map_or_else(|| writes_in_units(graph, table), |f| f.value());
    stream_shards(units)
}

pub fn assess(graph: &Graph, table: &DynamodbTable, report: &mut Report) {
    let flow = report.flow;
    let item = flow.map_or(1.0, item_kib);
    let writes = flow.map_or(0.0, |f| f.records_per_second * (item).ceil().max(1.0));
    let reads = lookups(graph, &table.id).map_or(0.0, |r| r.records_per_second * (item / 4.0).ceil().max(1.0) / 2.0);
    match table.billing {
        Billing::Provisioned => {
            for figure in [write_capacity(graph, table), read_capacity(graph, table)].into_iter().flatten() {
                let used = if figure.field == "write_capacity" { writes } else { reads };
                report.loads.push(Load::new(figure.unit, used, f64::from(figure.value()), "units/s", SOURCE));
                report.figures.push(figure);
            }
        }
        Billing::OnDemand => report.loads.extend([
            Load::new(
                "write request units (on-demand table quota)",
                writes,
                ON_DEMAND_UNITS_PER_SECOND,
                "units/s",
                QUOTAS_SOURCE,
            ),
            Load::new(
                "read request units (on-demand table quota)",
                reads,
                ON_DEMAND_UNITS_PER_SECOND,
                "units/s",
                QUOTAS_SOURCE,
            ),
        ]),
    }
}

//! `pipe validate --explain`: each component's size and the load on each of its limits.

use std::fmt::Write;

use super::{Report, thousands};

pub fn render(pipeline: &str, reports: &[Report]) -> String {
    let mut out = format!("Capacity of `{pipeline}` at the declared throughput:\n");
    for report in reports.iter().filter(|r| !r.figures.is_empty() || !r.loads.is_empty() || !r.notes.is_empty()) {
        let sizes = report.sizes();
        let size = if sizes.is_empty() { String::new() } else { format!(": {}", sizes.join(", ")) };
        let _ = writeln!(out, "\n{} ({}, {}){size}", report.component, report.kind, report.path);
        if let Some(flow) = report.flow {
            let _ = writeln!(
                out,
                "  flow in: {} records/s, {} KiB/s",
                thousands(flow.records_per_second),
                thousands(flow.kib_per_second)
            );
        }
        let width = report.loads.iter().map(|l| l.what.chars().count()).max().unwrap_or(0);
        for load in &report.loads {
            let _ = writeln!(
                out,
                "  {:<width$}  {} of {} {}  {:>4.0} %  headroom {} {}",
                load.what,
                figure(load.used),
                figure(load.limit),
                load.unit,
                load.percent(),
                figure(load.headroom()),
                load.unit,
            );
        }
        for note in &report.notes {
            let _ = writeln!(out, "  note: {note}");
        }
    }
    out
}

/// Whole numbers with separators; small fractional figures keep one decimal.
fn figure(value: f64) -> String {
    if value.abs() < 10.0 && value.fract().abs() > f64::EPSILON { format!("{value:.1}") } else { thousands(value) }
}

//! Managed Service for Apache Flink: KPUs for the flow.

use crate::blueprint::graph::Graph;
use crate::blueprint::spec::flink::FlinkApplication;
use crate::diagnostic::{Rule, Severity};
use crate::limits::flink::{ASSUMED_KIB_PER_SECOND_PER_KPU, KPU_SOURCE, MAX_KPUS, SCALING_SOURCE, kpus, kpus_for};

use super::{Figure, Load, Need, Report, thousands};

pub static TOO_FEW_KPUS: Rule = Rule {
    id: "flink::kpus-for-throughput",
    severity: Severity::Error,
    summary: "parallelism ÷ parallelism per KPU gives the KPUs the declared flow needs (1 MiB/s per KPU assumed)",
};

const ASSUMED: &str = "assumed 1 MiB/s per KPU: AWS publishes no figure and advises load-testing";

/// The application's parallelism: `auto` gives the KPUs the flow needs × parallelism per KPU.
pub fn parallelism(graph: &Graph, app: &FlinkApplication) -> Figure {
    let per_kpu = app.parallelism_per_kpu.max(1);
    let needed = match graph.flow(&app.id) {
        None => Err(super::no_flow("parallelism")),
        Some(flow) => {
            let kpus = kpus_for(flow.kib_per_second);
            Ok(Need {
                value: kpus * per_kpu,
                why: format!(
                    "{} KiB/s ÷ {} KiB/s per KPU = {kpus} KPUs × {per_kpu} parallelism per KPU ({ASSUMED})",
                    thousands(flow.kib_per_second),
                    thousands(ASSUMED_KIB_PER_SECOND_PER_KPU)
                ),
            })
        }
    };
    Figure {
        field: "parallelism",
        unit: "parallelism",
        rule: &TOO_FEW_KPUS,
        declared: app.parallelism,
        needed,
        fallback: 1,
    }
}

pub fn assess(graph: &Graph, app: &FlinkApplication, report: &mut Report) {
    let figure = parallelism(graph, app);
    let kpus = kpus(figure.value(), app.parallelism_per_kpu);
    let flow = report.flow.unwrap_or_default();
    report.loads.extend([
        Load::new(
            "processing",
            flow.kib_per_second,
            f64::from(kpus) * ASSUMED_KIB_PER_SECOND_PER_KPU,
            "KiB/s",
            SCALING_SOURCE,
        ),
        Load::new("KPUs", f64::from(kpus), f64::from(MAX_KPUS), "KPUs", KPU_SOURCE),
    ]);
    report.notes.push(format!("{kpus} KPUs + 1 for orchestration; {ASSUMED}"));
    report.figures.push(figure);
}

//! AWS Glue streaming jobs: workers for the flow.

use crate::blueprint::graph::Graph;
use crate::blueprint::spec::glue::{GlueStreamingJob, WorkerType};
use crate::diagnostic::{Rule, Severity};
use crate::limits::glue::{ASSUMED_KIB_PER_SECOND_PER_DPU, WORKERS_SOURCE, workers_for};

use super::{Figure, Load, Need, Report, thousands};

pub static TOO_FEW_WORKERS: Rule = Rule {
    id: "glue::workers-for-throughput",
    severity: Severity::Error,
    summary: "one driver plus executors for the declared flow (1 MiB/s per DPU assumed)",
};

const ASSUMED: &str = "assumed 1 MiB/s per DPU: AWS publishes no figure and advises load-testing";

/// DPUs of one worker (worker-types.html).
pub fn dpu(worker: WorkerType) -> f64 {
    match worker {
        WorkerType::G025X => 0.25,
        WorkerType::G1X => 1.0,
        WorkerType::G2X => 2.0,
        WorkerType::G4X => 4.0,
        WorkerType::G8X => 8.0,
    }
}

pub fn workers(graph: &Graph, job: &GlueStreamingJob) -> Figure {
    let per_worker = dpu(job.worker_type);
    let needed = match graph.flow(&job.id) {
        None => Err(super::no_flow("workers")),
        Some(flow) => Ok(Need {
            value: workers_for(flow.kib_per_second, per_worker),
            why: format!(
                "1 driver + {} KiB/s ÷ ({} KiB/s per DPU × {per_worker} DPU per {} worker), at least 2 ({ASSUMED})",
                thousands(flow.kib_per_second),
                thousands(ASSUMED_KIB_PER_SECOND_PER_DPU),
                job.worker_type.name()
            ),
        }),
    };
    Figure { field: "workers", unit: "workers", rule: &TOO_FEW_WORKERS, declared: job.workers, needed, fallback: 2 }
}

pub fn assess(graph: &Graph, job: &GlueStreamingJob, report: &mut Report) {
    let figure = workers(graph, job);
    let executors = f64::from(figure.value().saturating_sub(1));
    let flow = report.flow.unwrap_or_default();
    let capacity = executors * dpu(job.worker_type) * ASSUMED_KIB_PER_SECOND_PER_DPU;
    report.loads.push(Load::new("processing", flow.kib_per_second, capacity, "KiB/s", WORKERS_SOURCE));
    report.notes.push(format!(
        "{} DPU of {} workers; {ASSUMED}",
        f64::from(figure.value()) * dpu(job.worker_type),
        job.worker_type.name()
    ));
    report.figures.push(figure);
}

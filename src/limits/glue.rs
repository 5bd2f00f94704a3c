//! AWS Glue.

use super::{Limit, Retired};

pub static WORKERS: Limit = Limit {
    id: "glue::workers",
    min: 2,
    max: 299,
    unit: "workers",
    source: "docs.aws.amazon.com/glue/latest/dg/add-job.html (the API's NumberOfWorkers sets no bounds)",
    as_of: "2026-05-20",
};

pub static WINDOW_SECONDS: Limit = Limit {
    id: "glue::window",
    min: 1,
    max: 3600,
    unit: "seconds",
    source: "docs.aws.amazon.com/glue/latest/dg/glue-streaming-concepts.html (windowSize)",
    as_of: "2026-05-20",
};

/// The versions that run `gluestreaming` jobs are the rows of `engines::GLUE`.
///
/// Released versions whose streaming support pipe has not confirmed: the release notes (read
/// 2026-12-05) list them with Spark 3.5.6 (5.1) and Spark 4.1.1 (6.0), and say nothing of
/// streaming jobs.
pub const UNCONFIRMED_VERSIONS: &[&str] = &["5.1", "6.0"];

const RELEASES: &str = "docs.aws.amazon.com/glue/latest/dg/release-notes.html";

pub static RETIRED_VERSIONS: &[Retired] = &[
    Retired { name: "0.9", since: "2022-06-01", replacement: "4.0", source: RELEASES },
    Retired { name: "1.0", since: "2022-06-01", replacement: "4.0", source: RELEASES },
    Retired { name: "2.0", since: "2024-01-31", replacement: "4.0", source: RELEASES },
];

/// G.025X workers exist for streaming jobs from Glue 3.0 on.
pub const G025X_MIN_VERSION: &str = "3.0";

/// KiB/s one DPU of executors processes in a streaming job, for `workers: auto`. AWS publishes no
/// figure (the Glue streaming best-practices post says to load-test); this is pipe's planning
/// figure, shown as an assumption wherever it is used.
pub const ASSUMED_KIB_PER_SECOND_PER_DPU: f64 = 1024.0;
pub const WORKERS_SOURCE: &str =
    "docs.aws.amazon.com/glue/latest/dg/worker-types.html (DPU per worker type; read 2026-12-01)";

/// Workers a streaming job needs: one runs the driver, the rest run executors that together
/// process the flow at the assumed throughput per DPU. At least the API's minimum of two.
pub fn workers_for(kib_per_second: f64, dpu_per_worker: f64) -> u32 {
    let executors = (kib_per_second / (ASSUMED_KIB_PER_SECOND_PER_DPU * dpu_per_worker)).ceil() as u32;
    (executors + 1).max(WORKERS.min as u32)
}

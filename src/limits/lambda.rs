//! AWS Lambda and its event source mappings.

use super::{Limit, Retired};

const ESM: &str = "Lambda API CreateEventSourceMapping";
const FUNCTION: &str =
    "Lambda API CreateFunction; lambda/latest/dg/configuration-memory.html and configuration-timeout.html";

pub static MEMORY_MIB: Limit =
    Limit { id: "lambda::memory", min: 128, max: 10_240, unit: "MiB", source: FUNCTION, as_of: "2026-12-05" };
pub static TIMEOUT_SECONDS: Limit =
    Limit { id: "lambda::timeout", min: 1, max: 900, unit: "seconds", source: FUNCTION, as_of: "2026-12-05" };
pub static BATCH_SIZE: Limit =
    Limit { id: "lambda::batch-size", min: 1, max: 10_000, unit: "records", source: ESM, as_of: "2026-12-05" };
pub static BATCH_WINDOW_SECONDS: Limit =
    Limit { id: "lambda::batch-window", min: 0, max: 300, unit: "seconds", source: ESM, as_of: "2026-12-05" };
pub static PARALLELIZATION: Limit = Limit {
    id: "lambda::parallelization",
    min: 1,
    max: 10,
    unit: "batches per shard",
    source: ESM,
    as_of: "2026-12-05",
};
/// -1 (never discard) is also accepted.
pub static MAX_RECORD_AGE_SECONDS: Limit = Limit {
    id: "lambda::max-record-age",
    min: 60,
    max: 604_800,
    unit: "seconds (or -1)",
    source: ESM,
    as_of: "2026-12-05",
};
/// -1 (retry until the record expires) is also accepted.
pub static RETRIES: Limit =
    Limit { id: "lambda::retries", min: 0, max: 10_000, unit: "(or -1)", source: ESM, as_of: "2026-12-05" };

/// DynamoDB Streams keep change records for 24 hours.
pub const DYNAMODB_STREAM_RETENTION_HOURS: u32 = 24;

/// Runtimes Lambda supports and has not deprecated, as of 2026-12-05: the runtimes page, and the
/// newer members of the API's `Runtime` enum (botocore 1.44.18: nodejs26.x, python3.15 and the
/// Java runtimes on Amazon Linux 2023), which the page copy predates.
pub const SUPPORTED_RUNTIMES: &[&str] = &[
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "python3.15",
    "nodejs22.x",
    "nodejs24.x",
    "nodejs26.x",
    "java8.al2",
    "java8.al2023",
    "java11",
    "java11.al2023",
    "java17",
    "java17.al2023",
    "java21",
    "java25",
    "dotnet10",
    "ruby3.3",
    "ruby3.4",
    "ruby4.0",
    "provided.al2023",
];

/// AWS's runtime table, as copied into cfn-lint's runtime lifecycle data (cfn-lint 1.58.0,
/// `LmbdRuntimeLifecycle.json`) and endoflife.date (2026-08-15); both agree.
const RUNTIMES_PAGE: &str = "docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

/// Runtimes past their deprecation date: AWS no longer patches them, and Lambda blocks creating
/// functions on them (2024 for the oldest, 2027-02-01 for the rest). pipe refuses them from the
/// deprecation date on.
pub static RETIRED_RUNTIMES: &[Retired] = &[
    Retired { name: "python2.7", since: "2021-07-15", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.6", since: "2022-07-18", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.7", since: "2023-12-04", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.8", since: "2024-10-14", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.9", since: "2025-12-15", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.10", since: "2026-10-31", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "nodejs", since: "2016-08-30", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs4.3", since: "2020-03-05", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs4.3-edge", since: "2020-03-05", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs6.10", since: "2019-08-12", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs8.10", since: "2020-03-06", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs10.x", since: "2021-07-30", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs12.x", since: "2023-03-31", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs14.x", since: "2023-12-04", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs16.x", since: "2024-06-12", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs18.x", since: "2025-09-01", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs20.x", since: "2026-04-30", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "java8", since: "2024-01-08", replacement: "java21", source: RUNTIMES_PAGE },
    Retired { name: "go1.x", since: "2024-01-08", replacement: "provided.al2023", source: RUNTIMES_PAGE },
    Retired { name: "provided", since: "2024-01-08", replacement: "provided.al2023", source: RUNTIMES_PAGE },
    Retired { name: "provided.al2", since: "2026-07-31", replacement: "provided.al2023", source: RUNTIMES_PAGE },
    Retired { name: "dotnetcore1.0", since: "2019-06-27", replacement: "dotnet10", source: RUNTIMES_PAGE },
    Retired { name: "dotnetcore2.0", since: "2019-05-30", replacement: "dotnet10", source: RUNTIMES_PAGE },
    Retired { name: "dotnetcore2.1", since: "2022-01-05", replacement: "dotnet10", source: RUNTIMES_PAGE },
    Retired { name: "dotnetcore3.1", since: "2023-04-03", replacement: "dotnet10", source: RUNTIMES_PAGE },
    Retired { name: "dotnet6", since: "2024-12-20", replacement: "dotnet10", source: RUNTIMES_PAGE },
    Retired { name: "dotnet8", since: "2026-11-10", replacement: "dotnet10", source: RUNTIMES_PAGE },
    Retired { name: "ruby2.5", since: "2021-07-30", replacement: "ruby3.4", source: RUNTIMES_PAGE },
    Retired { name: "ruby2.7", since: "2023-12-07", replacement: "ruby3.4", source: RUNTIMES_PAGE },
    Retired { name: "ruby3.2", since: "2026-03-31", replacement: "ruby3.4", source: RUNTIMES_PAGE },
];

/// Concurrent executions per account and Region, shared by every function (default quota).
pub const ACCOUNT_CONCURRENCY: u32 = 1000;
pub const CONCURRENCY_SOURCE: &str =
    "docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (read 2026-12-01)";

/// With active tracing, Lambda records the first invocation each second and this share of the
/// rest (the X-Ray default sampling rule, which a function cannot change): docs.aws.amazon.com/
/// xray/latest/devguide/xray-console-sampling.html, lambda/latest/dg/services-xray.html (read
/// 2026-12-05).
pub const TRACED_PER_SECOND: f64 = 1.0;
pub const TRACED_SHARE_OF_THE_REST: f64 = 0.05;

/// Traces a function with active tracing records per second at `invocations_per_second`.
pub fn traced_per_second(invocations_per_second: f64) -> f64 {
    invocations_per_second.min(TRACED_PER_SECOND)
        + (invocations_per_second - TRACED_PER_SECOND).max(0.0) * TRACED_SHARE_OF_THE_REST
}

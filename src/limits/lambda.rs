//! AWS Lambda and its event source mappings.

use super::{Limit, Retired};

const ESM: &str = "Lambda API CreateEventSourceMapping";
const FUNCTION: &str = "Lambda API CreateFunction";

pub static MEMORY_MIB: Limit =
    Limit { id: "lambda::memory", min: 128, max: 10_240, unit: "MiB", source: FUNCTION, as_of: "2026-05-20" };
pub static TIMEOUT_SECONDS: Limit =
    Limit { id: "lambda::timeout", min: 1, max: 900, unit: "seconds", source: FUNCTION, as_of: "2026-05-20" };
pub static BATCH_SIZE: Limit =
    Limit { id: "lambda::batch-size", min: 1, max: 10_000, unit: "records", source: ESM, as_of: "2026-05-20" };
pub static BATCH_WINDOW_SECONDS: Limit =
    Limit { id: "lambda::batch-window", min: 0, max: 300, unit: "seconds", source: ESM, as_of: "2026-05-20" };
pub static PARALLELIZATION: Limit = Limit {
    id: "lambda::parallelization",
    min: 1,
    max: 10,
    unit: "batches per shard",
    source: ESM,
    as_of: "2026-05-20",
};
/// -1 (never discard) is also accepted.
pub static MAX_RECORD_AGE_SECONDS: Limit = Limit {
    id: "lambda::max-record-age",
    min: 60,
    max: 604_800,
    unit: "seconds (or -1)",
    source: ESM,
    as_of: "2026-05-20",
};
/// -1 (retry until the record expires) is also accepted.
pub static RETRIES: Limit =
    Limit { id: "lambda::retries", min: 0, max: 10_000, unit: "(or -1)", source: ESM, as_of: "2026-05-20" };

/// DynamoDB Streams keep change records for 24 hours.
pub const DYNAMODB_STREAM_RETENTION_HOURS: u32 = 24;

/// Runtimes Lambda supports and has not deprecated, as of 2026-11-22.
pub const SUPPORTED_RUNTIMES: &[&str] = &[
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "nodejs22.x",
    "nodejs24.x",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "dotnet8",
    "dotnet10",
    "ruby3.3",
    "ruby3.4",
    "provided.al2023",
];

/// AWS's runtime table, as copied into cfn-lint's runtime lifecycle data (2026-06-02) and
/// endoflife.date (2026-08-15); both agree.
const RUNTIMES_PAGE: &str = "docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

/// Runtimes past their deprecation date: AWS no longer patches them, and Lambda blocks creating
/// functions on them (2024 for the oldest, 2027-02-01 for the rest). pipe refuses them from the
/// deprecation date on.
pub static RETIRED_RUNTIMES: &[Retired] = &[
    Retired { name: "python3.7", since: "2023-12-04", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.8", since: "2024-10-14", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.9", since: "2025-12-15", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "python3.10", since: "2026-10-31", replacement: "python3.13", source: RUNTIMES_PAGE },
    Retired { name: "nodejs14.x", since: "2023-12-04", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs16.x", since: "2024-06-12", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs18.x", since: "2025-09-01", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "nodejs20.x", since: "2026-04-30", replacement: "nodejs24.x", source: RUNTIMES_PAGE },
    Retired { name: "java8", since: "2024-01-08", replacement: "java21", source: RUNTIMES_PAGE },
    Retired { name: "go1.x", since: "2024-01-08", replacement: "provided.al2023", source: RUNTIMES_PAGE },
    Retired { name: "provided", since: "2024-01-08", replacement: "provided.al2023", source: RUNTIMES_PAGE },
    Retired { name: "provided.al2", since: "2026-07-31", replacement: "provided.al2023", source: RUNTIMES_PAGE },
    Retired { name: "dotnet6", since: "2024-12-20", replacement: "dotnet8", source: RUNTIMES_PAGE },
    Retired { name: "ruby3.2", since: "2026-03-31", replacement: "ruby3.4", source: RUNTIMES_PAGE },
];

/// Concurrent executions per account and Region, shared by every function (default quota).
pub const ACCOUNT_CONCURRENCY: u32 = 1000;
pub const CONCURRENCY_SOURCE: &str =
    "docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (read 2026-12-01)";

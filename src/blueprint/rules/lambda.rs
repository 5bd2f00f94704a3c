//! Lambda functions and their event source mappings.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::lambda::{
    BATCH_SIZE, BATCH_WINDOW_SECONDS, DYNAMODB_STREAM_RETENTION_HOURS, MAX_RECORD_AGE_SECONDS, MEMORY_MIB,
    PARALLELIZATION, RETIRED_RUNTIMES, RETRIES, SUPPORTED_RUNTIMES, TIMEOUT_SECONDS,
};
use crate::limits::retired;

use super::super::spec::lambda::Lambda;
use super::super::spec::{Component, Placed};
use super::Context;

pub static RUNTIME_RETIRED: Rule = Rule {
    id: "lambda::runtime-retired",
    severity: Severity::Error,
    summary: "runtimes past deprecation are rejected",
};
pub static RUNTIME_UNKNOWN: Rule =
    Rule { id: "lambda::runtime-unknown", severity: Severity::Warning, summary: "the runtime is one pipe knows" };
pub static RECORD_AGE_RETENTION: Rule = Rule {
    id: "lambda::max-record-age-retention",
    severity: Severity::Error,
    summary: "`max_record_age_seconds` is no longer than the source keeps records",
};
pub static DYNAMODB_STREAM: Rule = Rule {
    id: "lambda::dynamodb-stream",
    severity: Severity::Error,
    summary: "a function reads a DynamoDB table only through the table's stream",
};
pub static ON_FAILURE: Rule = Rule {
    id: "lambda::on-failure",
    severity: Severity::Warning,
    summary: "stream consumers keep failed batches in an on-failure destination",
};
pub static UNBOUNDED: Rule = Rule {
    id: "lambda::unbounded-retries",
    severity: Severity::Warning,
    summary: "retries and record age are bounded, so one bad record cannot block a shard",
};
pub static NO_BISECT: Rule = Rule {
    id: "lambda::bisect",
    severity: Severity::Warning,
    summary: "failing batches are split to isolate the bad record",
};

pub static RULES: &[&Rule] =
    &[&RUNTIME_RETIRED, &RUNTIME_UNKNOWN, &RECORD_AGE_RETENTION, &DYNAMODB_STREAM, &ON_FAILURE, &UNBOUNDED, &NO_BISECT];

pub fn check(cx: &mut Context) {
    for placed in cx.blueprint.components() {
        if let Component::Lambda(lambda) = placed.component {
            ranges(cx, placed, lambda);
            runtime(cx, placed, lambda);
            sources(cx, placed, lambda);
        }
    }
}

fn ranges(cx: &mut Context, placed: Placed, lambda: &Lambda) {
    let batch = &lambda.batch;
    cx.range(&MEMORY_MIB, placed.field("memory_mib"), i64::from(lambda.memory_mib));
    cx.range(&TIMEOUT_SECONDS, placed.field("timeout_seconds"), i64::from(lambda.timeout_seconds));
    cx.range(&BATCH_SIZE, placed.field("batch.size"), i64::from(batch.size));
    cx.range(&BATCH_WINDOW_SECONDS, placed.field("batch.window_seconds"), i64::from(batch.window_seconds));
    cx.range(&PARALLELIZATION, placed.field("batch.parallelization"), i64::from(batch.parallelization));
    if batch.max_record_age_seconds != -1 {
        cx.range(
            &MAX_RECORD_AGE_SECONDS,
            placed.field("batch.max_record_age_seconds"),
            i64::from(batch.max_record_age_seconds),
        );
    }
    if batch.retries != -1 {
        cx.range(&RETRIES, placed.field("batch.retries"), i64::from(batch.retries));
    }
}

fn runtime(cx: &mut Context, placed: Placed, lambda: &Lambda) {
    if let Some(gone) = retired(RETIRED_RUNTIMES, &lambda.runtime) {
        cx.report(
            Diagnostic::new(&RUNTIME_RETIRED, format!("runtime `{}` was deprecated on {}", gone.name, gone.since))
                .at(placed.field("runtime"))
                .expected(crate::diagnostic::one_of(SUPPORTED_RUNTIMES))
                .hint(format!("use `{}` ({})", gone.replacement, gone.source)),
        );
    } else if !SUPPORTED_RUNTIMES.contains(&lambda.runtime.as_str()) {
        cx.report(
            Diagnostic::new(&RUNTIME_UNKNOWN, format!("`{}` is not a Lambda runtime pipe knows", lambda.runtime))
                .at(placed.field("runtime"))
                .expected(crate::diagnostic::one_of(SUPPORTED_RUNTIMES))
                .hint("if AWS added it recently, this warning is safe to ignore"),
        );
    }
}

fn sources(cx: &mut Context, placed: Placed, lambda: &Lambda) {
    let batch = &lambda.batch;
    let sources: Vec<Placed> = cx.inputs_of(&lambda.id).map(|e| e.from).collect();
    let mut found = Vec::new();
    for source in &sources {
        let retention_hours = match source.component {
            Component::KinesisStream(stream) => Some(stream.retention_hours),
            Component::DynamodbTable(table) => {
                if table.stream.is_none() {
                    found.push(
                        Diagnostic::new(
                            &DYNAMODB_STREAM,
                            format!("table `{}` has no stream for `{}` to read", table.id, lambda.id),
                        )
                        .at(source.field("stream"))
                        .hint("add `stream: new-image` (or another view) to the table"),
                    );
                }
                Some(DYNAMODB_STREAM_RETENTION_HOURS)
            }
            _ => None,
        };
        let age = batch.max_record_age_seconds;
        if let Some(hours) = retention_hours
            && age > 0
            && i64::from(age) > i64::from(hours) * 3600
        {
            found.push(
                Diagnostic::new(
                    &RECORD_AGE_RETENTION,
                    format!("records older than {age} s are already gone from `{}`", source.component.id()),
                )
                .at(placed.field("batch.max_record_age_seconds"))
                .expected(format!(
                    "at most {} seconds ({hours} h retention of `{}`)",
                    u64::from(hours) * 3600,
                    source.component.id()
                ))
                .hint("lower `max_record_age_seconds`, or raise the source's retention"),
            );
        }
    }
    let streams =
        sources.iter().any(|s| matches!(s.component, Component::KinesisStream(_) | Component::DynamodbTable(_)));
    if streams {
        if lambda.on_failure.is_none() {
            found.push(
                Diagnostic::new(
                    &ON_FAILURE,
                    format!("batches that fail every retry in `{}` are dropped without a trace", lambda.id),
                )
                .at(placed.path())
                .hint("set `on_failure:` to an sns-topic or s3-bucket that keeps their records"),
            );
        }
        if batch.retries == -1 && batch.max_record_age_seconds == -1 {
            found.push(
                Diagnostic::new(
                    &UNBOUNDED,
                    "a failing record is retried until it expires, blocking its shard meanwhile",
                )
                .at(placed.field("batch.retries"))
                .hint("bound `retries` or `max_record_age_seconds`"),
            );
        }
        if !batch.bisect_on_error {
            found.push(
                Diagnostic::new(&NO_BISECT, "one bad record fails its whole batch on every retry")
                    .at(placed.field("batch.bisect_on_error"))
                    .hint("set `bisect_on_error: true`"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

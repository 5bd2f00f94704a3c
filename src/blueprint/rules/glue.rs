//! Glue streaming jobs.

use crate::diagnostic::{Diagnostic, Rule, Severity, one_of};
use crate::limits::engines::{GLUE, names, runtime};
use crate::limits::glue::{G025X_MIN_VERSION, RETIRED_VERSIONS, UNCONFIRMED_VERSIONS, WINDOW_SECONDS, WORKERS};
use crate::limits::retired;

use super::super::spec::Component;
use super::super::spec::glue::WorkerType;
use super::Context;

pub static VERSION: Rule = Rule {
    id: "glue::version",
    severity: Severity::Error,
    summary: "streaming jobs pin a Glue version that runs them and is supported",
};
pub static VERSION_UNCONFIRMED: Rule = Rule {
    id: "glue::version-unconfirmed",
    severity: Severity::Warning,
    summary: "a Glue version newer than those pipe has seen run streaming jobs",
};
pub static WORKER_TYPE: Rule =
    Rule { id: "glue::worker-type", severity: Severity::Error, summary: "G.025X workers need Glue 3.0 or later" };
pub static SOURCE: Rule = Rule {
    id: "glue::source",
    severity: Severity::Error,
    summary: "a streaming job reads exactly one Kinesis stream or MSK cluster",
};
pub static COLUMNS: Rule = Rule {
    id: "glue::catalog-columns",
    severity: Severity::Error,
    summary: "the stream's catalog table declares its columns",
};

pub static RULES: &[&Rule] = &[&VERSION, &VERSION_UNCONFIRMED, &WORKER_TYPE, &SOURCE, &COLUMNS];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::GlueStreamingJob(job) = placed.component else { continue };
        let workers = crate::capacity::glue::workers(&cx.graph, job).value();
        cx.range(&WORKERS, placed.field("workers"), i64::from(workers));
        cx.range(&WINDOW_SECONDS, placed.field("window_seconds"), i64::from(job.window_seconds));
        if let Some(gone) = retired(RETIRED_VERSIONS, &job.glue_version) {
            found.push(
                Diagnostic::new(&VERSION, format!("Glue {} reached end of support on {}", gone.name, gone.since))
                    .at(placed.field("glue_version"))
                    .expected(one_of(&names(GLUE)))
                    .hint(format!("use `{}` ({})", gone.replacement, gone.source)),
            );
        } else if UNCONFIRMED_VERSIONS.contains(&job.glue_version.as_str()) {
            found.push(
                Diagnostic::new(
                    &VERSION_UNCONFIRMED,
                    format!("Glue `{}` is released, and pipe has not seen it run streaming jobs", job.glue_version),
                )
                .at(placed.field("glue_version"))
                .expected(one_of(&names(GLUE)))
                .hint("check the release notes for streaming support (docs.aws.amazon.com/glue/latest/dg/release-notes.html), or pin a version listed"),
            );
        } else if runtime(GLUE, &job.glue_version).is_none() {
            found.push(
                Diagnostic::new(&VERSION, format!("Glue `{}` does not run streaming jobs", job.glue_version))
                    .at(placed.field("glue_version"))
                    .expected(one_of(&names(GLUE))),
            );
        }
        if job.worker_type == WorkerType::G025X && !at_least(&job.glue_version, G025X_MIN_VERSION) {
            found.push(
                Diagnostic::new(
                    &WORKER_TYPE,
                    format!("`{}` workers need Glue {G025X_MIN_VERSION} or later", job.worker_type.name()),
                )
                .at(placed.field("worker_type"))
                .hint("raise `glue_version` or use `G.1X`"),
            );
        }
        let streams = cx
            .inputs_of(&job.id)
            .filter(|e| matches!(e.from.component, Component::KinesisStream(_) | Component::MskCluster(_)))
            .count();
        if streams != 1 {
            found.push(
                Diagnostic::new(&SOURCE, format!("`{}` reads {streams} streams", job.id))
                    .at(placed.field("from"))
                    .expected("exactly one kinesis-stream or msk-cluster")
                    .hint("join other data through `lookups`; run one job per stream"),
            );
        }
        if job.catalog.columns.is_empty() {
            found.push(
                Diagnostic::new(&COLUMNS, "the catalog table has no columns").at(placed.field("catalog.columns")).hint(
                    "list the fields of the JSON records with their types, e.g. `{ name: user_id, type: string }`",
                ),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

/// Whether Glue version `version` (`major.minor`) is `min` or later, compared as numbers so that
/// `10.0` comes after `3.0`. A version that is not two numbers counts as older.
fn at_least(version: &str, min: &str) -> bool {
    let parse = |v: &str| -> Option<(u32, u32)> {
        let (major, minor) = v.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    match (parse(version), parse(min)) {
        (Some(v), Some(m)) => v >= m,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::at_least;

    #[test]
    fn versions_compare_as_numbers() {
        assert!(at_least("10.0", "3.0"));
        assert!(at_least("3.0", "3.0"));
        assert!(!at_least("2.0", "3.0"));
        assert!(!at_least("auto", "3.0"));
    }
}

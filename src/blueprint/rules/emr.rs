//! Spark Streaming on EMR.

use crate::diagnostic::one_of;
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::emr::{CORE_INSTANCES, MIN_RELEASE_MAJOR};
use crate::limits::engines::{EMR, names, runtime};

use super::super::spec::Component;
use super::Context;

pub static RELEASE: Rule = Rule {
    id: "emr::release",
    severity: Severity::Error,
    summary: "EMR releases read `emr-X.Y.Z`, 6.0 or later (Spark 3)",
};

pub static CONNECTORS: Rule = Rule {
    id: "emr::connectors",
    severity: Severity::Error,
    summary: "the release is one pipe knows the Kafka, MSK IAM and OpenSearch connectors for",
};

pub static RULES: &[&Rule] = &[&RELEASE, &CONNECTORS];

/// The major version of a release label such as `emr-7.5.0`.
fn release_major(label: &str) -> Option<u32> {
    let parts: Vec<&str> = label.strip_prefix("emr-")?.split('.').collect();
    let numbers: Vec<u32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    (numbers.len() == 3).then(|| numbers[0])
}

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::EmrSparkStreaming(job) = placed.component else { continue };
        cx.range(&CORE_INSTANCES, placed.field("core_instances"), i64::from(job.core_instances));
        if release_major(&job.release_label).is_none_or(|major| major < MIN_RELEASE_MAJOR) {
            found.push(
                Diagnostic::new(&RELEASE, format!("`{}` is not a usable EMR release", job.release_label))
                    .at(placed.field("release_label"))
                    .expected(format!("`emr-X.Y.Z` with X ≥ {MIN_RELEASE_MAJOR}, e.g. `emr-7.5.0`")),
            );
        } else if runtime(EMR, &job.release_label).is_none() {
            found.push(
                Diagnostic::new(&CONNECTORS, format!("pipe knows no connector set for `{}`", job.release_label))
                    .at(placed.field("release_label"))
                    .expected(one_of(&names(EMR)))
                    .hint("the Kafka connector must match the release's Spark version; pin a release listed"),
            );
        }
        for source in cx.inputs_of(&job.id).map(|e| e.from) {
            if let Component::MskCluster(cluster) = source.component {
                found.extend(super::msk::unknown_topic(cluster, &source, &job.topic, placed.field("topic")));
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

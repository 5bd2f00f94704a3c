//! Managed Service for Apache Flink applications.

use crate::blueprint::contract;
use crate::diagnostic::{Diagnostic, Rule, Severity, one_of};
use crate::limits::engines::{FLINK, names, runtime};
use crate::limits::flink::{
    CHECKPOINT_INTERVAL_MS, KPU_SOURCE, MAX_KPUS, PARALLELISM, PARALLELISM_PER_KPU, PROPERTIES, PROPERTY_LENGTH,
    RETIRED_RUNTIMES, SUPPORTED_RUNTIMES,
};
use crate::limits::retired;

use super::super::spec::Component;
use super::Context;

pub static RUNTIME_RETIRED: Rule = Rule {
    id: "flink::runtime-retired",
    severity: Severity::Error,
    summary: "retired runtimes (Kinesis Data Analytics SQL, old Flink) are rejected",
};
pub static RUNTIME_UNKNOWN: Rule =
    Rule { id: "flink::runtime-unknown", severity: Severity::Warning, summary: "the runtime is one pipe knows" };
pub static CONNECTORS: Rule = Rule {
    id: "flink::connectors",
    severity: Severity::Error,
    summary: "the runtime is one pipe knows the Kinesis and Firehose connectors for",
};
pub static KPUS: Rule = Rule {
    id: "flink::kpus",
    severity: Severity::Error,
    summary: "parallelism ÷ parallelism per KPU fits the 64-KPU quota",
};
pub static SOURCE: Rule =
    Rule { id: "flink::source", severity: Severity::Error, summary: "an application reads at least one stream" };

pub static RULES: &[&Rule] = &[&RUNTIME_RETIRED, &RUNTIME_UNKNOWN, &CONNECTORS, &KPUS, &SOURCE];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::FlinkApplication(app) = placed.component else { continue };
        if let Some(gone) = retired(RETIRED_RUNTIMES, &app.runtime) {
            found.push(
                Diagnostic::new(&RUNTIME_RETIRED, format!("runtime `{}` is retired since {}", gone.name, gone.since))
                    .at(placed.field("runtime"))
                    .expected(one_of(SUPPORTED_RUNTIMES))
                    .hint(format!("use {} ({})", gone.replacement, gone.source)),
            );
        } else if !SUPPORTED_RUNTIMES.contains(&app.runtime.as_str()) {
            found.push(
                Diagnostic::new(&RUNTIME_UNKNOWN, format!("`{}` is not a Flink runtime pipe knows", app.runtime))
                    .at(placed.field("runtime"))
                    .expected(one_of(SUPPORTED_RUNTIMES)),
            );
        } else if runtime(FLINK, &app.runtime).is_none() {
            found.push(
                Diagnostic::new(
                    &CONNECTORS,
                    format!("pipe knows no Kinesis and Firehose connector set for `{}`", app.runtime),
                )
                .at(placed.field("runtime"))
                .expected(one_of(&names(FLINK)))
                .hint("the job's tables need connectors built for its Flink version; pin a runtime listed"),
            );
        }
        let parallelism = crate::capacity::flink::parallelism(&cx.graph, app).value();
        cx.range(&PARALLELISM, placed.field("parallelism"), i64::from(parallelism));
        cx.range(&PARALLELISM_PER_KPU, placed.field("parallelism_per_kpu"), i64::from(app.parallelism_per_kpu));
        if let Some(interval) = app.checkpoint_interval_ms {
            let interval = i64::try_from(interval).unwrap_or(i64::MAX);
            cx.range(&CHECKPOINT_INTERVAL_MS, placed.field("checkpoint_interval_ms"), interval);
        }
        // pipe's own entries: the Region and what the connected streams and topics are called.
        let own = 1 + contract::configuration(&cx.graph, placed.component).len();
        let total = own + app.properties.len();
        if !PROPERTIES.contains(total as i64) {
            found.push(
                Diagnostic::with_id(
                    PROPERTIES.id,
                    Severity::Error,
                    format!(
                        "{} properties and the {own} pipe sets make {total} in one property group",
                        app.properties.len()
                    ),
                )
                .at(placed.field("properties"))
                .expected(format!("at most {} in all ({})", PROPERTIES.max, PROPERTIES.source)),
            );
        }
        for (key, value) in &app.properties {
            for (part, text) in [("name", key), ("value", value)] {
                let length = text.chars().count();
                if !PROPERTY_LENGTH.contains(length as i64) {
                    found.push(
                        Diagnostic::with_id(
                            PROPERTY_LENGTH.id,
                            Severity::Error,
                            format!("the {part} of property `{key}` is {length} characters long"),
                        )
                        .at(placed.field(&format!("properties.{key}")))
                        .expected(format!(
                            "{} ({})",
                            PROPERTY_LENGTH.describe(),
                            PROPERTY_LENGTH.source
                        )),
                    );
                }
            }
        }
        let kpus = crate::limits::flink::kpus(parallelism, app.parallelism_per_kpu);
        if kpus > MAX_KPUS {
            found.push(
                Diagnostic::new(
                    &KPUS,
                    format!("parallelism {parallelism} at {} per KPU needs {kpus} KPUs", app.parallelism_per_kpu),
                )
                .at(placed.field("parallelism"))
                .expected(format!("at most {MAX_KPUS} KPUs ({KPU_SOURCE})"))
                .hint("raise `parallelism_per_kpu` or request a quota increase"),
            );
        }
        if cx.inputs_of(&app.id).next().is_none() {
            found.push(
                Diagnostic::new(&SOURCE, format!("`{}` reads no stream", app.id))
                    .at(placed.field("from"))
                    .hint("add `from: <kinesis-stream or msk-cluster id>`"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

//! Declared capacity against the declared flow: a figure too small for it, `auto` that cannot be
//! sized, and the warnings where AWS would throttle or deliver late.

use crate::blueprint::graph::declared_outputs;
use crate::blueprint::spec::Component;
use crate::capacity::{self, Report, firehose, lambda};
use crate::diagnostic::{Diagnostic, Rule, Severity};

use super::Context;

pub static CANNOT_SIZE: Rule = Rule {
    id: "capacity::auto",
    severity: Severity::Error,
    summary: "`auto` needs a declared throughput upstream (and the figures its formula uses)",
};

pub static OUTPUT_TARGET: Rule = Rule {
    id: "capacity::output-target",
    severity: Severity::Error,
    summary: "each `output:` entry names one of the component's `to` targets",
};

pub static RULES: &[&Rule] = &[
    &CANNOT_SIZE,
    &OUTPUT_TARGET,
    &capacity::kinesis::TOO_FEW_SHARDS,
    &capacity::msk::TOO_FEW_BROKERS,
    &capacity::msk::TOO_LITTLE_STORAGE,
    &capacity::flink::TOO_FEW_KPUS,
    &capacity::glue::TOO_FEW_WORKERS,
    &capacity::dynamodb::TOO_FEW_UNITS,
    &capacity::opensearch::TOO_LITTLE_STORAGE,
    &lambda::CONCURRENCY,
    &firehose::SMALL_BUFFER,
];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        for target in declared_outputs(placed.component).into_iter().flat_map(|o| o.keys()) {
            if !placed.component.to().contains(target) {
                found.push(
                    Diagnostic::new(
                        &OUTPUT_TARGET,
                        format!("`{target}` is not one of the targets `{}` writes to", placed.component.id()),
                    )
                    .at(placed.field(&format!("output.{target}")))
                    .expected(crate::diagnostic::one_of(placed.component.to())),
                );
            }
        }
        let report = capacity::of(&cx.graph, placed);
        figures(&mut found, &report, &placed.path());
        match placed.component {
            Component::Lambda(function) => concurrency(&mut found, &report, &placed.path(), function),
            Component::Firehose(stream) => buffer(&mut found, &report, &placed.field("buffer.size_mib"), stream),
            _ => {}
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

fn figures(found: &mut Vec<Diagnostic>, report: &Report, path: &str) {
    for figure in &report.figures {
        let at = format!("{path}.{}", figure.field);
        if let Some(need) = figure.shortfall() {
            found.push(
                Diagnostic::new(
                    figure.rule,
                    format!("{} {}: the declared throughput needs {}", figure.value(), figure.unit, need.value),
                )
                .at(&at)
                .expected(format!("at least {} {}: {}", need.value, figure.unit, need.why))
                .hint(format!("set `{}: auto` to size it from the declared throughput", leaf(figure.field))),
            );
        }
        if let (true, Err(why)) = (figure.is_auto() && figure.field != "capacity.shards", &figure.needed) {
            found.push(
                Diagnostic::new(&CANNOT_SIZE, format!("`{}: auto` cannot be sized: {why}", leaf(figure.field)))
                    .at(&at)
                    .hint("declare `throughput` on the sources that feed it, or set a number"),
            );
        }
    }
}

fn leaf(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

fn concurrency(
    found: &mut Vec<Diagnostic>,
    report: &Report,
    path: &str,
    function: &crate::blueprint::spec::lambda::Lambda,
) {
    let Some(load) = report.loads.iter().find(|l| l.what == "concurrency") else { return };
    if load.used > load.limit {
        let field = if function.reserved_concurrency.is_some() {
            format!("{path}.reserved_concurrency")
        } else {
            path.to_string()
        };
        found.push(
            Diagnostic::new(
                &lambda::CONCURRENCY,
                format!(
                    "its event sources run up to {:.0} batches at once, over the {:.0} it may use",
                    load.used, load.limit
                ),
            )
            .at(field)
            .expected(format!("at most {:.0} ({})", load.limit, load.source))
            .hint("lower `batch.parallelization`, raise `reserved_concurrency`, or request a higher account quota"),
        );
    }
}

fn buffer(
    found: &mut Vec<Diagnostic>,
    report: &Report,
    path: &str,
    stream: &crate::blueprint::spec::firehose::Firehose,
) {
    let Some(held) = firehose::buffered_seconds(report, stream) else { return };
    if held < crate::limits::firehose::MIN_BUFFERED_SECONDS {
        let flow = report.flow.unwrap_or_default();
        let needed = (flow.kib_per_second * crate::limits::firehose::MIN_BUFFERED_SECONDS / 1024.0).ceil();
        found.push(
            Diagnostic::new(
                &firehose::SMALL_BUFFER,
                format!("the buffer fills in {held:.1} s at the declared throughput"),
            )
            .at(path)
            .expected(format!(
                "at least {needed:.0} MiB, 10 s of {:.0} KiB/s ({})",
                flow.kib_per_second,
                crate::limits::firehose::BUFFERING_SOURCE
            ))
            .hint("raise `buffer.size_mib`: small buffers make many small objects and more requests"),
        );
    }
}

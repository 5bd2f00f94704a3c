//! Declared capacity against the declared flow: a figure too small for it, `auto` that cannot be
//! sized, and the warnings where AWS would throttle or deliver late.

use crate::blueprint::graph::declared_outputs;
use crate::blueprint::spec::sns::{Protocol, SnsTopic};
use crate::blueprint::spec::{Component, Placed};
use crate::capacity::{self, Report, firehose, lambda};
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::sns::{
    ALERTS_PER_SECOND, ASSUMED_ALERT_KIB, ASSUMED_ALERTS_PER_SECOND, EMAIL_DELIVERIES_PER_SECOND, EMAIL_RATE_SOURCE,
};

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

pub static ASSUMED_OUTPUT: Rule = Rule {
    id: "capacity::assumed-output",
    severity: Severity::Warning,
    summary: "a processor's `to` target without an `output:` entry is sized and priced at everything it reads",
};

pub static ALERT_RATE: Rule = Rule {
    id: "capacity::alert-rate",
    severity: Severity::Warning,
    summary: "email and SMS subscriptions receive an alert rate (SNS deactivates email past 10 per second)",
};

pub static RULES: &[&Rule] = &[
    &CANNOT_SIZE,
    &OUTPUT_TARGET,
    &ASSUMED_OUTPUT,
    &ALERT_RATE,
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
        assumed_outputs(&mut found, cx, &placed);
        if let Component::SnsTopic(topic) = placed.component {
            alert_rate(&mut found, cx, &placed, topic);
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

/// A processor passes on, to a target it declares no `output:` for, every record it reads: the
/// flow model's assumption, said where it sizes and prices something.
fn assumed_outputs(found: &mut Vec<Diagnostic>, cx: &Context, placed: &Placed) {
    let (Some(outputs), Some(flow)) = (declared_outputs(placed.component), cx.graph.flow(placed.component.id())) else {
        return;
    };
    // An unknown target is the reference rules' to report.
    let assumed = |target: &&String| !outputs.contains_key(*target) && cx.graph.get(target).is_some();
    for (index, target) in placed.component.to().iter().enumerate().filter(|(_, t)| assumed(t)) {
        let id = placed.component.id();
        let assumption = match cx.graph.assumes_alerts(placed.component, target) {
            true => format!(
                "`{id}` is assumed to send `{target}`, which only people read, alerts at {ASSUMED_ALERTS_PER_SECOND} per second of {ASSUMED_ALERT_KIB} KiB"
            ),
            false => format!(
                "`{id}` is assumed to write every record it reads to `{target}` ({} records/s)",
                rate(flow.records_per_second)
            ),
        };
        found.push(
            Diagnostic::new(&ASSUMED_OUTPUT, format!("{assumption}: declare `output.{target}`"))
            .at(placed.field(&format!("to[{index}]")))
            .hint(format!(
                "`output: {{ {target}: {{ records_per_second: N, record_kib: K }} }}` with what it writes there; a filter or an alert writes far fewer"
            )),
        );
    }
}

/// Email and SMS subscriptions of a topic fed more than an alert rate.
fn alert_rate(found: &mut Vec<Diagnostic>, cx: &Context, placed: &Placed, topic: &SnsTopic) {
    let Some(flow) = cx.graph.flow(&topic.id).filter(|f| f.records_per_second > ALERTS_PER_SECOND) else { return };
    for (index, subscription) in topic.subscriptions.iter().enumerate() {
        let (what, beyond) = match subscription.protocol {
            Protocol::Email => ("emails", flow.records_per_second > EMAIL_DELIVERIES_PER_SECOND),
            Protocol::Sms => ("text messages", false),
            _ => continue,
        };
        let monthly = flow.records_per_second * crate::capacity::usage::SECONDS_PER_MONTH;
        let deactivated = match beyond {
            true => format!(
                "; SNS deactivates an email subscription sent more than {EMAIL_DELIVERIES_PER_SECOND} per second"
            ),
            false => String::new(),
        };
        let mut diagnostic = Diagnostic::new(
            &ALERT_RATE,
            format!(
                "`{}` would send {} {what} per second to `{}`, {} a month{deactivated}",
                topic.id,
                rate(flow.records_per_second),
                subscription.endpoint,
                crate::capacity::thousands(monthly)
            ),
        )
        .at(placed.field(&format!("subscriptions[{index}].protocol")))
        .hint("declare the alert rate as the `output:` of what writes to the topic, or subscribe a queue or function");
        if beyond {
            diagnostic = diagnostic.note(format!("email delivery rate: {EMAIL_RATE_SOURCE}"));
        }
        found.push(diagnostic);
    }
}

fn rate(per_second: f64) -> String {
    if per_second >= 10.0 { format!("{per_second:.0}") } else { format!("{per_second:.2}") }
}

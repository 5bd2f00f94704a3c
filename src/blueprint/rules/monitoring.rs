//! `monitoring:`: the topic alarms notify, and the thresholds a blueprint overrides.

use crate::diagnostic::{Diagnostic, Rule, Severity, did_you_mean};

use super::super::alarms;
use super::super::spec::Component;
use super::super::spec::monitoring::AlarmSet;
use super::Context;

pub static NOTIFY: Rule = Rule {
    id: "monitoring::notify",
    severity: Severity::Error,
    summary: "alarms notify an `sns-topic` of the blueprint",
};
pub static NOBODY: Rule = Rule {
    id: "monitoring::nobody-paged",
    severity: Severity::Warning,
    summary: "alarms without `monitoring.notify` change state in CloudWatch and tell no one",
};
pub static OVERRIDE: Rule = Rule {
    id: "monitoring::override",
    severity: Severity::Error,
    summary: "an override names a component and one of the alarms pipe sets on its kind",
};

pub static MANAGED_KEY: Rule = Rule {
    id: "monitoring::managed-key",
    severity: Severity::Error,
    summary: "CloudWatch cannot publish to a topic encrypted with the AWS managed key `alias/aws/sns`",
};

pub static RULES: &[&Rule] = &[&NOTIFY, &NOBODY, &OVERRIDE, &MANAGED_KEY];

pub fn check(cx: &mut Context) {
    let monitoring = &cx.blueprint.monitoring;
    let mut found = Vec::new();
    match &monitoring.notify {
        Some(id) => match cx.graph.get(id).map(|p| (p, p.component)) {
            Some((placed, Component::SnsTopic(topic))) => {
                // The AWS managed key's policy cannot be changed to let CloudWatch use it
                // (sns/latest/dg/sns-key-management.html, "Compatibility with AWS services").
                let key = topic.encryption.kms_key.as_deref().filter(|_| topic.encryption.enabled);
                if key.is_some_and(|key| key == "alias/aws/sns" || key.ends_with(":alias/aws/sns")) {
                    found.push(
                        Diagnostic::new(
                            &MANAGED_KEY,
                            format!("alarms notify `{id}`, whose key `alias/aws/sns` CloudWatch may not use: every notification would be dropped"),
                        )
                        .at(placed.field("encryption.kms_key"))
                        .hint("remove `kms_key`: pipe makes the topic a key that lets CloudWatch publish; or name a customer managed key whose policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*"),
                    );
                }
            }
            Some((_, other)) => found.push(
                Diagnostic::new(&NOTIFY, format!("`{id}` is a {}, not an sns-topic", other.kind()))
                    .at("monitoring.notify".to_string())
                    .hint("name an `sns-topic` component; an email subscription on it reaches people"),
            ),
            None => found.push(closest(
                cx,
                id,
                Diagnostic::new(&NOTIFY, format!("no component `{id}` to notify")).at("monitoring.notify".to_string()),
            )),
        },
        None if monitoring.alarms == AlarmSet::Default => {
            let watched: Vec<String> = cx
                .blueprint
                .components()
                .filter_map(|p| {
                    let names: Vec<&str> = alarms::of(p.component.kind()).map(|a| a.name).collect();
                    (!names.is_empty()).then(|| format!("{} ({})", p.component.id(), names.join(", ")))
                })
                .collect();
            if !watched.is_empty() {
                found.push(
                    Diagnostic::new(&NOBODY, format!("the alarms on {} would page nobody", watched.join("; ")))
                        .at("name".to_string())
                        .hint("set `monitoring: { notify: <sns-topic id> }`, or `monitoring: { alarms: none }`"),
                );
            }
        }
        None => {}
    }
    for (id, thresholds) in &monitoring.overrides {
        let Some(placed) = cx.graph.get(id) else {
            let unknown = Diagnostic::new(&OVERRIDE, format!("no component `{id}` to override alarms of"))
                .at(format!("monitoring.overrides.{id}"));
            found.push(closest(cx, id, unknown));
            continue;
        };
        let kind = placed.component.kind();
        let names: Vec<&str> = alarms::of(kind).map(|a| a.name).collect();
        for (name, threshold) in thresholds {
            let path = format!("monitoring.overrides.{id}.{name}");
            if !names.contains(&name.as_str()) {
                let mut diagnostic =
                    Diagnostic::new(&OVERRIDE, format!("pipe sets no `{name}` alarm on a {kind}")).at(path);
                diagnostic = match (did_you_mean(name, names.iter().copied()), names.is_empty()) {
                    (_, true) => diagnostic.hint(format!("a {kind} has no alarms")),
                    (Some(close), _) => diagnostic.hint(format!("did you mean `{close}`?")),
                    (None, _) => diagnostic.expected(names.join(", ")),
                };
                found.push(diagnostic);
            } else if !threshold.is_finite() || *threshold < 0.0 {
                found.push(
                    Diagnostic::new(&OVERRIDE, format!("`{threshold}` is not a threshold"))
                        .at(path)
                        .expected("a number, 0 or more, in the alarm's unit"),
                );
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

/// `diagnostic` about an unknown component `id`, with the closest id the blueprint has.
fn closest(cx: &Context, id: &str, diagnostic: Diagnostic) -> Diagnostic {
    let ids: Vec<&str> = cx.blueprint.components().map(|p| p.component.id()).collect();
    match did_you_mean(id, ids.iter().copied()) {
        Some(close) => diagnostic.hint(format!("did you mean `{close}`?")),
        None => diagnostic,
    }
}

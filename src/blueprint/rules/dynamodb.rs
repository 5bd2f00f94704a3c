//! DynamoDB tables, plus the smaller kinds that have a rule or two: EMR and SageMaker.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::emr::{CORE_INSTANCES, MIN_RELEASE_MAJOR};

use super::super::spec::Component;
use super::super::spec::dynamodb::Billing;
use super::Context;

pub static CAPACITY: Rule = Rule {
    id: "dynamodb::capacity",
    severity: Severity::Error,
    summary: "provisioned tables set read and write capacity; on-demand tables set neither",
};
pub static EMR_RELEASE: Rule = Rule {
    id: "emr::release",
    severity: Severity::Error,
    summary: "EMR releases read `emr-X.Y.Z`, 6.0 or later (Spark 3)",
};
pub static SAGEMAKER_INSTANCE: Rule = Rule {
    id: "sagemaker::instance-type",
    severity: Severity::Error,
    summary: "endpoint instance types start with `ml.`",
};

pub static RULES: &[&Rule] = &[&CAPACITY, &EMR_RELEASE, &SAGEMAKER_INSTANCE];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        match placed.component {
            Component::DynamodbTable(table) => {
                let capacities = [("read_capacity", table.read_capacity), ("write_capacity", table.write_capacity)];
                for (field, value) in capacities {
                    match (table.billing, value) {
                        (Billing::Provisioned, None) => found.push(
                            Diagnostic::new(&CAPACITY, format!("a provisioned table needs `{field}`"))
                                .at(placed.path())
                                .hint(format!("add `{field}:`, or use `billing: on-demand`")),
                        ),
                        (Billing::Provisioned, Some(0)) => found.push(
                            Diagnostic::new(&CAPACITY, format!("`{field}` is 0"))
                                .at(placed.field(field))
                                .expected("at least 1"),
                        ),
                        (Billing::OnDemand, Some(_)) => found.push(
                            Diagnostic::new(&CAPACITY, format!("an on-demand table takes no `{field}`"))
                                .at(placed.field(field))
                                .hint("remove it, or set `billing: provisioned`"),
                        ),
                        _ => {}
                    }
                }
            }
            Component::EmrSparkStreaming(job) => {
                cx.range(&CORE_INSTANCES, placed.field("core_instances"), i64::from(job.core_instances));
                let major = job
                    .release_label
                    .strip_prefix("emr-")
                    .and_then(|v| {
                        let parts: Vec<&str> = v.split('.').collect();
                        (parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()))
                            .then(|| parts[0].parse::<u32>().ok())
                    })
                    .flatten();
                if major.is_none_or(|m| m < MIN_RELEASE_MAJOR) {
                    found.push(
                        Diagnostic::new(&EMR_RELEASE, format!("`{}` is not a usable EMR release", job.release_label))
                            .at(placed.field("release_label"))
                            .expected(format!("`emr-X.Y.Z` with X ≥ {MIN_RELEASE_MAJOR}, e.g. `emr-7.5.0`")),
                    );
                }
                for target in cx.inputs_of(&job.id).map(|e| e.from) {
                    if let Component::MskCluster(cluster) = target.component {
                        found.extend(super::msk::unknown_topic(cluster, &target, &job.topic, placed.field("topic")));
                    }
                }
            }
            Component::SagemakerEndpoint(endpoint) if !endpoint.instance_type.starts_with("ml.") => {
                found.push(
                    Diagnostic::new(
                        &SAGEMAKER_INSTANCE,
                        format!("`{}` is not a SageMaker instance type", endpoint.instance_type),
                    )
                    .at(placed.field("instance_type"))
                    .expected("e.g. `ml.m5.large`"),
                );
            }
            _ => {}
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

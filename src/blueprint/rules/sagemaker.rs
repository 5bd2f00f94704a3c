//! SageMaker endpoints.

use crate::diagnostic::{Diagnostic, Rule, Severity};

use super::super::spec::Component;
use super::Context;

pub static INSTANCE_TYPE: Rule = Rule {
    id: "sagemaker::instance-type",
    severity: Severity::Error,
    summary: "endpoint instance types start with `ml.`",
};

pub static RULES: &[&Rule] = &[&INSTANCE_TYPE];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::SagemakerEndpoint(endpoint) = placed.component else { continue };
        if !endpoint.instance_type.starts_with("ml.") {
            found.push(
                Diagnostic::new(
                    &INSTANCE_TYPE,
                    format!("`{}` is not a SageMaker instance type", endpoint.instance_type),
                )
                .at(placed.field("instance_type"))
                .expected("an `ml.` type, e.g. `ml.m5.large`"),
            );
        }
        if endpoint.instance_count == 0 {
            found.push(
                Diagnostic::new(&INSTANCE_TYPE, "an endpoint needs at least one instance")
                    .at(placed.field("instance_count"))
                    .expected("at least 1"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

//! Redshift: serverless capacity or cluster shape.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::redshift::{BASE_CAPACITY_RPUS, NODES};

use super::super::spec::Component;
use super::super::spec::redshift::RedshiftDeployment;
use super::Context;

pub static DEPLOYMENT_FIELDS: Rule = Rule {
    id: "redshift::deployment-fields",
    severity: Severity::Error,
    summary: "serverless sets base capacity only; a cluster sets node type and count",
};
pub static RPU_STEP: Rule = Rule {
    id: "redshift::base-capacity-step",
    severity: Severity::Error,
    summary: "base capacity is 4 RPUs or a multiple of 8",
};

pub static RULES: &[&Rule] = &[&DEPLOYMENT_FIELDS, &RPU_STEP];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::Redshift(redshift) = placed.component else { continue };
        match redshift.deployment {
            RedshiftDeployment::Serverless => {
                for (field, set) in [("node_type", redshift.node_type.is_some()), ("nodes", redshift.nodes.is_some())] {
                    if set {
                        found.push(
                            Diagnostic::new(&DEPLOYMENT_FIELDS, format!("Redshift Serverless takes no `{field}`"))
                                .at(placed.field(field))
                                .hint("set `base_capacity_rpus`, or `deployment: cluster`"),
                        );
                    }
                }
                if let Some(rpus) = redshift.base_capacity_rpus {
                    cx.range(&BASE_CAPACITY_RPUS, placed.field("base_capacity_rpus"), i64::from(rpus));
                    if rpus != 4 && !rpus.is_multiple_of(8) {
                        found.push(
                            Diagnostic::new(&RPU_STEP, format!("{rpus} RPUs is not a multiple of 8"))
                                .at(placed.field("base_capacity_rpus"))
                                .expected(format!("4, or 8, 16, 24, … 512; nearest: {}", (rpus / 8).max(1) * 8)),
                        );
                    }
                }
            }
            RedshiftDeployment::Cluster => {
                if redshift.base_capacity_rpus.is_some() {
                    found.push(
                        Diagnostic::new(&DEPLOYMENT_FIELDS, "a provisioned cluster takes no `base_capacity_rpus`")
                            .at(placed.field("base_capacity_rpus")),
                    );
                }
                for (field, set) in [("node_type", redshift.node_type.is_some()), ("nodes", redshift.nodes.is_some())] {
                    if !set {
                        found.push(
                            Diagnostic::new(&DEPLOYMENT_FIELDS, format!("a provisioned cluster needs `{field}`"))
                                .at(placed.path())
                                .hint(format!("add `{field}:`, e.g. `node_type: ra3.xlplus` and `nodes: 2`")),
                        );
                    }
                }
                if let Some(nodes) = redshift.nodes {
                    cx.range(&NODES, placed.field("nodes"), i64::from(nodes));
                }
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

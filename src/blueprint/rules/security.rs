//! Security settings that apply across kinds.

use crate::diagnostic::{Diagnostic, Rule, Severity};

use super::super::spec::Component;
use super::super::spec::common::Encryption;
use super::Context;

pub static ENCRYPTION_OFF: Rule = Rule {
    id: "security::encryption-off",
    severity: Severity::Warning,
    summary: "data at rest is encrypted with KMS unless the blueprint says otherwise",
};

pub static RULES: &[&Rule] = &[&ENCRYPTION_OFF];

pub(super) fn encryption(component: &Component) -> Option<&Encryption> {
    match component {
        Component::KinesisStream(c) => Some(&c.encryption),
        Component::Firehose(c) => Some(&c.encryption),
        Component::DynamodbTable(c) => Some(&c.encryption),
        Component::S3Bucket(c) => Some(&c.encryption),
        Component::SnsTopic(c) => Some(&c.encryption),
        Component::Redshift(c) => Some(&c.encryption),
        Component::MskCluster(c) => Some(&c.encryption),
        Component::OpensearchDomain(c) => Some(&c.encryption),
        _ => None,
    }
}

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        if encryption(placed.component).is_some_and(|e| !e.enabled) {
            found.push(
                Diagnostic::new(&ENCRYPTION_OFF, format!("`{}` stores data unencrypted", placed.component.id()))
                    .at(placed.field("encryption.enabled"))
                    .hint("remove `enabled: false` unless the data is public anyway"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

//! DynamoDB tables.

use crate::diagnostic::{Diagnostic, Rule, Severity};

use super::super::spec::Component;
use super::super::spec::common::Size;
use super::super::spec::dynamodb::Billing;
use super::Context;

pub static CAPACITY: Rule = Rule {
    id: "dynamodb::capacity",
    severity: Severity::Error,
    summary: "provisioned tables set read and write capacity; on-demand tables set neither",
};
pub static RULES: &[&Rule] = &[&CAPACITY];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let Component::DynamodbTable(table) = placed.component else { continue };
        let capacities = [("read_capacity", table.read_capacity), ("write_capacity", table.write_capacity)];
        for (field, value) in capacities {
            match (table.billing, value) {
                (Billing::Provisioned, None) => found.push(
                    Diagnostic::new(&CAPACITY, format!("a provisioned table needs `{field}`"))
                        .at(placed.path())
                        .hint(format!("add `{field}:`, or use `billing: on-demand`")),
                ),
                (Billing::Provisioned, Some(Size::Count(0))) => found.push(
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
    found.into_iter().for_each(|d| cx.report(d));
}

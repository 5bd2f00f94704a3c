//! The blueprint's version and name, and the physical names derived from them.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::names::{NAME_MAX, is_name, name_rule, physical_name_max};

use super::Context;

pub static VERSION: Rule =
    Rule { id: "blueprint::version", severity: Severity::Error, summary: "the blueprint format version is 1" };
pub static NAME: Rule = Rule {
    id: "blueprint::name",
    severity: Severity::Error,
    summary: "the pipeline name is lowercase letters, digits and single hyphens, starting with a letter, at most 32 characters",
};
pub static PHYSICAL_NAME: Rule = Rule {
    id: "names::too-long",
    severity: Severity::Error,
    summary: "`<name>-<id>` fits the naming rules of the service it names",
};

pub static RULES: &[&Rule] = &[&VERSION, &NAME, &PHYSICAL_NAME];

pub fn check(cx: &mut Context) {
    let blueprint = cx.blueprint;
    if blueprint.version != 1 {
        cx.report(
            Diagnostic::new(&VERSION, format!("blueprint format version {} is not supported", blueprint.version))
                .at("version")
                .expected("`1`")
                .hint("this pipe reads version 1 blueprints"),
        );
    }
    if !is_name(&blueprint.name, NAME_MAX) {
        cx.report(
            Diagnostic::new(&NAME, format!("`{}` is not a valid pipeline name", blueprint.name))
                .at("name")
                .expected(name_rule(NAME_MAX))
                .hint("the name prefixes every AWS resource name, and most services allow little else"),
        );
        return;
    }
    for placed in blueprint.components() {
        let kind = placed.component.kind();
        let Some((max, rule)) = physical_name_max(kind) else { continue };
        let physical = format!("{}-{}", blueprint.name, placed.component.id());
        if physical.len() > max {
            cx.report(
                Diagnostic::new(
                    &PHYSICAL_NAME,
                    format!("resource name `{physical}` is {} characters long", physical.len()),
                )
                .at(placed.field("id"))
                .expected(format!("at most {max} characters ({rule})"))
                .hint("shorten the blueprint `name` or this component's `id`"),
            );
        }
    }
}

//! The component graph: ids, layers, references, the edges AWS supports, and cycles.

use std::collections::HashMap;

use crate::blueprint::contract::{self, Via};
use crate::diagnostic::{Diagnostic, Rule, Severity, did_you_mean, one_of};
use crate::limits::names::{ID_MAX, is_name, name_rule};

use super::super::spec::Component;
use super::Context;

pub static DUPLICATE_ID: Rule =
    Rule { id: "graph::duplicate-id", severity: Severity::Error, summary: "component ids are unique in a blueprint" };
pub static ID_FORMAT: Rule = Rule {
    id: "graph::id-format",
    severity: Severity::Error,
    summary: "ids are lowercase letters, digits and single hyphens, start with a letter, do not end with one, at most 32 characters",
};
pub static LAYER: Rule =
    Rule { id: "graph::layer", severity: Severity::Error, summary: "each kind stands in a layer it belongs to" };
pub static UNKNOWN_REF: Rule = Rule {
    id: "graph::unknown-ref",
    severity: Severity::Error,
    summary: "references name a component of the blueprint",
};
pub static EDGE: Rule = Rule {
    id: "graph::edge",
    severity: Severity::Error,
    summary: "data flows only along connections AWS supports (e.g. Firehose reads Kinesis or MSK)",
};
pub static CYCLE: Rule =
    Rule { id: "graph::cycle", severity: Severity::Error, summary: "data does not flow in a circle" };
pub static SELF_REF: Rule =
    Rule { id: "graph::self-ref", severity: Severity::Error, summary: "a component does not read or write itself" };

pub static REF_KIND: Rule = Rule {
    id: "graph::ref-kind",
    severity: Severity::Error,
    summary: "`on_failure`, `intermediate` and `processor` name a component of a kind the field takes",
};
pub static EMPTY: Rule =
    Rule { id: "graph::empty", severity: Severity::Error, summary: "a blueprint declares at least one component" };

pub static RESERVED_ID: Rule = Rule {
    id: "graph::reserved-id",
    severity: Severity::Error,
    summary: "`pipe` and `monitoring` name what pipe adds (the code bucket, the alarms' dashboard), not a component",
};

/// The component labels pipe gives what it adds to every pipeline: plans, costs and `pipe status`
/// would show a component of the same id as one with them.
const RESERVED_IDS: &[&str] = &["pipe", "monitoring"];

pub static RULES: &[&Rule] =
    &[&DUPLICATE_ID, &RESERVED_ID, &ID_FORMAT, &LAYER, &UNKNOWN_REF, &EDGE, &REF_KIND, &CYCLE, &SELF_REF, &EMPTY];

pub fn check(cx: &mut Context) {
    if cx.blueprint.components().next().is_none() && cx.declared_none() {
        cx.report(
            Diagnostic::new(&EMPTY, format!("pipeline `{}` has no components", cx.blueprint.name))
                .at("name")
                .hint("declare at least one component under `source`, `ingestion`, `storage`, `processing` or `destination`; `pipe init --scenario <name>` starts from a working pipeline"),
        );
        return;
    }
    ids_and_layers(cx);
    references(cx);
    edges(cx);
    ref_kinds(cx);
    cycles(cx);
}

fn ids_and_layers(cx: &mut Context) {
    let mut first: HashMap<&str, String> = HashMap::new();
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let id = placed.component.id();
        if !is_name(id, ID_MAX) {
            found.push(
                Diagnostic::new(&ID_FORMAT, format!("id `{id}` is not a valid component id"))
                    .at(placed.field("id"))
                    .expected(name_rule(ID_MAX))
                    .hint("ids become part of AWS resource names, which allow little else"),
            );
        }
        if RESERVED_IDS.contains(&id) {
            found.push(
                Diagnostic::new(&RESERVED_ID, format!("id `{id}` is the label of what pipe adds to every pipeline"))
                    .at(placed.field("id"))
                    .hint(format!("name the component after what it does, e.g. `{id}-{}`", placed.component.kind())),
            );
        }
        if let Some(earlier) = first.get(id) {
            found.push(
                Diagnostic::new(&DUPLICATE_ID, format!("id `{id}` is already used by `{earlier}`"))
                    .at(placed.field("id"))
                    .hint("give each component its own id; `from` and `to` refer to components by id"),
            );
        } else {
            first.insert(id, placed.path());
        }
        let kind = placed.component.kind();
        let layers = Component::layers_of(kind);
        if !layers.contains(&placed.layer) {
            let names: Vec<&str> = layers.iter().map(|l| l.name()).collect();
            found.push(
                Diagnostic::new(&LAYER, format!("a `{kind}` does not belong in `{}`", placed.layer.name()))
                    .at(placed.field("kind"))
                    .expected(format!("a `{kind}` in {}", one_of(&names)))
                    .hint(format!("move this component under `{}:`", names[0])),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

/// Every id written in a reference field, with its path.
fn references<'a>(cx: &mut Context<'a>) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let mut refs: Vec<(String, &str)> = placed.links().into_iter().map(|link| (link.path, link.id)).collect();
        refs.extend(single_refs(placed.component).into_iter().map(|(via, id)| (placed.field(via.field()), id)));
        for (path, id) in refs {
            if id == placed.component.id() {
                found.push(Diagnostic::new(&SELF_REF, format!("`{id}` refers to itself")).at(path));
            } else if !cx.is_declared(id) {
                let mut d = Diagnostic::new(&UNKNOWN_REF, format!("no component has id `{id}`")).at(path);
                d = match did_you_mean(id, cx.known_ids()) {
                    Some(close) => d.hint(format!("did you mean `{close}`?")),
                    None => d.hint("declare the component, or fix the id"),
                };
                found.push(d);
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

/// Reference fields that name one component, with the kind of connection each makes.
fn single_refs(component: &Component) -> Vec<(Via, &str)> {
    let mut refs = Vec::new();
    match component {
        Component::Lambda(c) => refs.extend(c.on_failure.as_deref().map(|id| (Via::OnFailure, id))),
        Component::Firehose(c) => {
            refs.extend(c.intermediate.as_deref().map(|id| (Via::Intermediate, id)));
            refs.extend(c.processor.as_deref().map(|id| (Via::Processor, id)));
        }
        _ => {}
    }
    refs
}

/// A single reference names a kind its field connects to, per the edge contracts.
fn ref_kinds(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let from = placed.component.kind();
        for (via, id) in single_refs(placed.component) {
            let Some(target) = cx.get(id).filter(|t| t.component.id() != placed.component.id()) else { continue };
            let to = target.component.kind();
            if contract::find(from, to, via).is_none() {
                let kinds: Vec<String> = contract::targets(from, via).iter().map(|k| format!("a `{k}`")).collect();
                found.push(
                    Diagnostic::new(&REF_KIND, format!("{} `{id}` has kind `{to}`", via.field().replace('_', "-")))
                        .at(placed.field(via.field()))
                        .expected(kinds.join(" or ")),
                );
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

fn edges(cx: &mut Context) {
    let mut found = Vec::new();
    for edge in &cx.edges {
        let (from, to) = (edge.from.component.kind(), edge.to.component.kind());
        if contract::find(from, to, contract::via_of(edge)).is_some() {
            continue;
        }
        let possible = contract::targets(from, contract::via_of(edge));
        let expected = if possible.is_empty() {
            format!("nothing: `{from}` is an end point")
        } else {
            format!("`{from}` sends to {}", one_of(&possible))
        };
        found.push(
            Diagnostic::new(&EDGE, format!("`{from}` cannot send data to `{to}`"))
                .at(edge.path.clone())
                .expected(expected)
                .hint(format!(
                    "`{}` → `{}` is not a connection AWS supports",
                    edge.from.component.id(),
                    edge.to.component.id()
                )),
        );
    }
    found.into_iter().for_each(|d| cx.report(d));
}

fn cycles(cx: &mut Context) {
    // Depth-first search; a back edge closes a cycle. Colour: 0 new, 1 on the stack, 2 done.
    let ids: Vec<&str> = cx.blueprint.components().map(|p| p.component.id()).collect();
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let mut found = Vec::new();
    for &start in &ids {
        if colour.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let outgoing: Vec<&super::super::graph::Edge> =
                cx.edges.iter().filter(|e| !e.lookup && e.from.component.id() == node).collect();
            if let Some(edge) = outgoing.get(*next) {
                *next += 1;
                let target = edge.to.component.id();
                match colour.get(target).copied().unwrap_or(0) {
                    0 => {
                        colour.insert(target, 1);
                        stack.push((target, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut ring: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                        ring.push(target);
                        found.push(
                            Diagnostic::new(&CYCLE, format!("data flows in a circle: {}", ring.join(" → ")))
                                .at(edge.path.clone())
                                .hint("a pipeline flows one way from source to destination; remove one of these connections"),
                        );
                    }
                    _ => {}
                }
            } else {
                colour.insert(node, 2);
                stack.pop();
            }
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::spec::Layer;

    #[test]
    fn layers_cover_every_kind() {
        for kind in Component::KINDS {
            assert!(!Component::layers_of(kind).is_empty(), "{kind}");
        }
        assert!(Component::layers_of("kinesis-stream").contains(&Layer::Storage));
    }
}

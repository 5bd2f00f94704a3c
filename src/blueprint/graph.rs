//! The component graph of a blueprint: components by id, the data flows between them, and the
//! throughput that reaches each. Validation rules and the compiled model both read it.

use std::collections::{HashMap, HashSet};

use super::spec::common::Throughput;
use super::spec::sns::Protocol;
use super::spec::{Blueprint, Component, Placed};
use crate::limits::sns::{ASSUMED_ALERT_KIB, ASSUMED_ALERTS_PER_SECOND};

/// A data flow between two components, as the blueprint declares it.
#[derive(Debug, Clone)]
pub struct Edge<'a> {
    pub from: Placed<'a>,
    pub to: Placed<'a>,
    /// The `from`/`to` entry that declares it.
    pub path: String,
    /// A lookup (Glue `lookups`) reads a table; it does not consume a stream.
    pub lookup: bool,
}

/// Records and KiB per second flowing into a component, estimated from declared source throughput.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flow {
    pub records_per_second: f64,
    pub kib_per_second: f64,
}

impl Flow {
    fn of(throughput: &Throughput) -> Flow {
        Flow {
            records_per_second: f64::from(throughput.records_per_second),
            kib_per_second: throughput.kib_per_second(),
        }
    }
}

pub struct Graph<'a> {
    pub blueprint: &'a Blueprint,
    by_id: HashMap<&'a str, Placed<'a>>,
    pub edges: Vec<Edge<'a>>,
}

impl<'a> Graph<'a> {
    pub fn new(blueprint: &'a Blueprint) -> Self {
        let mut by_id = HashMap::new();
        for placed in blueprint.components() {
            by_id.entry(placed.component.id()).or_insert(placed);
        }
        let mut graph = Graph { blueprint, by_id, edges: Vec::new() };
        graph.edges = graph.collect_edges();
        graph
    }

    /// Edges between distinct components; a component naming itself is reported by the graph rules.
    fn collect_edges(&self) -> Vec<Edge<'a>> {
        let mut edges: Vec<Edge<'a>> = Vec::new();
        let mut seen = HashSet::new();
        for placed in self.blueprint.components() {
            for link in placed.links() {
                let Some(&other) = self.by_id.get(link.id) else { continue };
                if link.id == placed.component.id() {
                    continue;
                }
                let lookup = link.field == "lookups";
                let (from, to) = if link.field == "to" { (placed, other) } else { (other, placed) };
                if seen.insert((from.component.id(), to.component.id(), lookup)) {
                    edges.push(Edge { from, to, path: link.path, lookup });
                }
            }
        }
        edges
    }

    pub fn get(&self, id: &str) -> Option<Placed<'a>> {
        self.by_id.get(id).copied()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn known_ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().copied()
    }

    /// Stream edges into `id` (lookups excluded).
    pub fn readers_of(&self, id: &str) -> impl Iterator<Item = &Edge<'a>> {
        self.edges.iter().filter(move |e| !e.lookup && e.from.component.id() == id)
    }

    pub fn inputs_of(&self, id: &str) -> impl Iterator<Item = &Edge<'a>> {
        self.edges.iter().filter(move |e| !e.lookup && e.to.component.id() == id)
    }

    /// The flow into (or, for a source, out of) a component: declared source throughput passed
    /// through every component on the way, since each forwards what it reads. `None` when nothing
    /// upstream declares a throughput.
    /// The flow `from` sends to `to`: its declared `output:` for `to`, else all it carries.
    pub fn flow_between(&self, from: &str, to: &str) -> Option<Flow> {
        self.sent(self.get(from)?.component, to, &mut Vec::new())
    }

    /// Whether what `from` sends `to` is sized as alerts: `from` processes records, declares no
    /// `output:` for `to`, and `to` is a topic only people read (email and SMS subscriptions),
    /// which a processor feeds with alerts, not with everything it reads.
    pub fn assumes_alerts(&self, from: &Component, to: &str) -> bool {
        let people_only = |topic: &super::spec::sns::SnsTopic| {
            !topic.subscriptions.is_empty()
                && topic.subscriptions.iter().all(|s| matches!(s.protocol, Protocol::Email | Protocol::Sms))
        };
        declared_outputs(from).is_some_and(|outputs| !outputs.contains_key(to))
            && matches!(self.get(to).map(|p| p.component), Some(Component::SnsTopic(topic)) if people_only(topic))
    }

    /// The flow `from` sends `to`: its declared `output:` for `to`; an assumed alert rate to a
    /// topic only people read; else all it carries.
    fn sent<'s>(&'s self, from: &'s Component, to: &str, visiting: &mut Vec<&'s str>) -> Option<Flow> {
        if let Some(output) = declared_output(from, to) {
            return Some(Flow::of(output));
        }
        let carried = self.flow_guarded(from.id(), visiting)?;
        Some(match self.assumes_alerts(from, to) {
            true => Flow {
                records_per_second: ASSUMED_ALERTS_PER_SECOND,
                kib_per_second: ASSUMED_ALERTS_PER_SECOND * ASSUMED_ALERT_KIB,
            },
            false => carried,
        })
    }

    pub fn flow(&self, id: &str) -> Option<Flow> {
        self.flow_guarded(id, &mut Vec::new())
    }

    fn flow_guarded<'s>(&'s self, id: &'s str, visiting: &mut Vec<&'s str>) -> Option<Flow> {
        if visiting.contains(&id) {
            return None; // a cycle, reported by the graph rules
        }
        let placed = self.get(id)?;
        if let Some(throughput) = declared_throughput(placed.component) {
            return Some(Flow::of(throughput));
        }
        visiting.push(id);
        let inputs: Vec<&Placed> = self.inputs_of(id).map(|e| &e.from).collect();
        let flows: Vec<Flow> =
            inputs.into_iter().filter_map(|input| self.sent(input.component, id, visiting)).collect();
        visiting.pop();
        if flows.is_empty() {
            return None;
        }
        Some(flows.iter().fold(Flow::default(), |sum, f| Flow {
            records_per_second: sum.records_per_second + f.records_per_second,
            kib_per_second: sum.kib_per_second + f.kib_per_second,
        }))
    }
}

/// What a processor declares it writes to `target`, when that differs from what it reads.
fn declared_output<'c>(component: &'c Component, target: &str) -> Option<&'c Throughput> {
    declared_outputs(component)?.get(target)
}

/// A processor's `output:` by target id.
pub fn declared_outputs(component: &Component) -> Option<&indexmap::IndexMap<String, Throughput>> {
    match component {
        Component::FlinkApplication(c) => Some(&c.output),
        Component::Lambda(c) => Some(&c.output),
        Component::GlueStreamingJob(c) => Some(&c.output),
        Component::EmrSparkStreaming(c) => Some(&c.output),
        _ => None,
    }
}

fn declared_throughput(component: &Component) -> Option<&Throughput> {
    match component {
        Component::Application(c) => Some(&c.throughput),
        Component::Devices(c) => Some(&c.throughput),
        Component::LogFiles(c) => Some(&c.throughput),
        _ => None,
    }
}

//! `pipe graph`: the pipeline in its five layers, each component with its size, each edge with
//! the flow it carries. One drawing model, two syntaxes (Mermaid and Graphviz DOT).

pub mod dot;
pub mod mermaid;

use crate::blueprint::graph::{Flow, Graph};
use crate::blueprint::spec::{Component, Layer};
use crate::capacity::{self, thousands};

pub struct Drawing {
    pub title: String,
    pub layers: Vec<(Layer, Vec<Node>)>,
    pub edges: Vec<Edge>,
}

pub struct Node {
    pub id: String,
    /// Lines under the id: kind, then sizes.
    pub lines: Vec<String>,
}

pub struct Edge {
    pub from: String,
    pub to: String,
    /// "2,000 rec/s · 1,953 KiB/s", "lookup", or empty when no flow is declared.
    pub label: String,
}

pub fn draw(graph: &Graph) -> Drawing {
    let reports = capacity::report(graph);
    let layers = Layer::ALL
        .into_iter()
        .map(|layer| {
            let nodes = graph
                .blueprint
                .layer(layer)
                .iter()
                .map(|component| {
                    let report = reports.iter().find(|r| r.component == component.id());
                    let mut lines = vec![component.kind().to_string()];
                    lines.extend(report.into_iter().flat_map(capacity::Report::sizes));
                    Node { id: component.id().to_string(), lines }
                })
                .collect();
            (layer, nodes)
        })
        .collect();
    let mut edges: Vec<Edge> = graph
        .edges
        .iter()
        .map(|edge| Edge {
            from: edge.from.component.id().to_string(),
            to: edge.to.component.id().to_string(),
            label: if edge.lookup {
                "lookup".to_string()
            } else {
                graph.flow_between(edge.from.component.id(), edge.to.component.id()).map(label).unwrap_or_default()
            },
        })
        .collect();
    // Where a function sends what failed every retry: not the flow, but a path data takes.
    for placed in graph.blueprint.components() {
        if let Component::Lambda(lambda) = placed.component
            && let Some(destination) = lambda.on_failure.as_deref().filter(|d| graph.contains(d))
        {
            edges.push(Edge { from: lambda.id.clone(), to: destination.to_string(), label: "on failure".to_string() });
        }
    }
    Drawing { title: graph.blueprint.name.clone(), layers, edges }
}

fn label(flow: Flow) -> String {
    format!("{} rec/s · {} KiB/s", thousands(flow.records_per_second), thousands(flow.kib_per_second))
}

/// An id both syntaxes accept unquoted: letters, digits and `_`.
fn node_id(id: &str) -> String {
    let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("n_{safe}")
}

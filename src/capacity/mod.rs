//! How big each component must be for the flow the blueprint declares, and how hard that flow
//! loads it. One place answers both, so `validate` (a declared figure too small), the compiled
//! model (`auto`), `validate --explain`, `pipe graph` and `pipe cost` agree.
//!
//! The formulas and the limits they use live in `crate::limits`, each with its source and date.

pub mod dynamodb;
pub mod firehose;
pub mod flink;
pub mod glue;
pub mod kinesis;
pub mod lambda;
pub mod msk;
pub mod opensearch;
pub mod usage;
pub mod view;

use serde::Serialize;

use crate::blueprint::graph::{Flow, Graph};
use crate::blueprint::spec::common::Size;
use crate::blueprint::spec::{Component, Placed};
use crate::diagnostic::Rule;

/// One capacity figure AWS asks for: what the blueprint declares and what the flow needs.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The blueprint field under the component, e.g. `capacity.shards`.
    pub field: &'static str,
    /// What it counts: `shards`, `brokers`, `GiB per broker`.
    pub unit: &'static str,
    /// The rule that reports a declared figure below the need.
    pub rule: &'static Rule,
    pub declared: Size,
    /// What the flow needs, or why pipe cannot tell.
    pub needed: Result<Need, String>,
    /// What `auto` becomes when pipe cannot size it (validation reports that case).
    pub fallback: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub value: u32,
    /// How the value follows from the flow, in words.
    pub why: String,
}

impl Figure {
    /// The number deployed: the declared one, or the sized one for `auto`.
    pub fn value(&self) -> u32 {
        self.declared.or_sized(|| self.needed.as_ref().map_or(self.fallback, |n| n.value))
    }

    pub fn is_auto(&self) -> bool {
        self.declared == Size::Auto
    }

    /// The need a declared figure falls short of.
    pub fn shortfall(&self) -> Option<&Need> {
        match (self.declared, &self.needed) {
            (Size::Count(n), Ok(need)) if n < need.value => Some(need),
            _ => None,
        }
    }
}

/// How hard the flow loads one limit of a component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Load {
    pub what: String,
    pub used: f64,
    pub limit: f64,
    pub unit: &'static str,
    /// Where the limit comes from (and "assumed" when AWS publishes none).
    pub source: &'static str,
}

impl Load {
    pub fn new(what: impl Into<String>, used: f64, limit: f64, unit: &'static str, source: &'static str) -> Self {
        Load { what: what.into(), used, limit, unit, source }
    }

    pub fn percent(&self) -> f64 {
        if self.limit > 0.0 { self.used / self.limit * 100.0 } else { 0.0 }
    }

    pub fn headroom(&self) -> f64 {
        self.limit - self.used
    }
}

/// Everything known about one component's size and load.
#[derive(Debug, Clone)]
pub struct Report {
    pub component: String,
    pub kind: &'static str,
    /// Its place in the blueprint: `storage[0]`.
    pub path: String,
    /// The flow into it (out of it, for a source).
    pub flow: Option<Flow>,
    pub figures: Vec<Figure>,
    pub loads: Vec<Load>,
    /// Derived facts and the assumptions behind them.
    pub notes: Vec<String>,
}

impl Report {
    pub fn figure(&self, field: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.field == field)
    }

    /// "2 shards (auto)", one entry per figure.
    pub fn sizes(&self) -> Vec<String> {
        self.figures
            .iter()
            .map(|f| format!("{} {}{}", f.value(), f.unit, if f.is_auto() { " (auto)" } else { "" }))
            .collect()
    }
}

/// The report of every component, in blueprint order.
pub fn report(graph: &Graph) -> Vec<Report> {
    graph.blueprint.components().map(|placed| of(graph, placed)).collect()
}

/// The report of one component.
pub fn of(graph: &Graph, placed: Placed) -> Report {
    let mut report = Report {
        component: placed.component.id().to_string(),
        kind: placed.component.kind(),
        path: placed.path(),
        flow: graph.flow(placed.component.id()),
        figures: Vec::new(),
        loads: Vec::new(),
        notes: Vec::new(),
    };
    match placed.component {
        Component::KinesisStream(c) => kinesis::assess(graph, c, &mut report),
        Component::MskCluster(c) => msk::assess(graph, c, &mut report),
        Component::FlinkApplication(c) => flink::assess(graph, c, &mut report),
        Component::GlueStreamingJob(c) => glue::assess(graph, c, &mut report),
        Component::DynamodbTable(c) => dynamodb::assess(graph, c, &mut report),
        Component::Lambda(c) => lambda::assess(graph, c, &mut report),
        Component::Firehose(c) => firehose::assess(graph, c, &mut report),
        Component::OpensearchDomain(c) => opensearch::assess(graph, c, &mut report),
        _ => {}
    }
    report
}

/// Why `auto` cannot be sized when nothing upstream declares a throughput.
fn no_flow(unit: &str) -> String {
    format!("nothing upstream declares a `throughput`, so pipe cannot size the {unit}")
}

/// Money as people read it: "$1,234.56".
pub fn usd(value: f64) -> String {
    let cents = (value * 100.0).round() / 100.0;
    format!("${}.{:02}", thousands(cents.trunc()), ((cents.fract().abs()) * 100.0).round() as u32)
}

/// Thousands separators for figures people read: 12,000.
pub fn thousands(value: f64) -> String {
    let rounded = value.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0 { format!("-{out}") } else { out }
}

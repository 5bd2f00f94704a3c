//! Validation rules: everything pipe checks once a blueprint has decoded.
//!
//! One file per concern. Each check reads the typed blueprint through [`Context`] and reports
//! [`Diagnostic`]s with a field path; the loader turns paths into source spans. All rules run, so
//! a file's problems are reported together.

mod capacity;
mod code;
mod connections;
mod dynamodb;
mod emr;
mod firehose;
mod flink;
mod glue;
mod graph;
pub mod kinesis;
mod lambda;
mod monitoring;
mod msk;
mod names;
mod opensearch;
mod redshift;
mod sagemaker;
mod security;
mod sources;
mod values;

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::Limit;

use super::graph::Graph;
use super::spec::Blueprint;

/// One concern's rules and the check that reports them.
struct Concern {
    rules: &'static [&'static Rule],
    check: fn(&mut Context),
}

/// Every concern, in the order its checks run (names and the graph first: later checks read
/// what they establish).
static CONCERNS: &[Concern] = &[
    Concern { rules: names::RULES, check: names::check },
    Concern { rules: graph::RULES, check: graph::check },
    Concern { rules: connections::RULES, check: connections::check },
    Concern { rules: code::RULES, check: code::check },
    Concern { rules: sources::RULES, check: sources::check },
    Concern { rules: kinesis::RULES, check: kinesis::check },
    Concern { rules: capacity::RULES, check: capacity::check },
    Concern { rules: firehose::RULES, check: firehose::check },
    Concern { rules: lambda::RULES, check: lambda::check },
    Concern { rules: msk::RULES, check: msk::check },
    Concern { rules: glue::RULES, check: glue::check },
    Concern { rules: flink::RULES, check: flink::check },
    Concern { rules: opensearch::RULES, check: opensearch::check },
    Concern { rules: redshift::RULES, check: redshift::check },
    Concern { rules: dynamodb::RULES, check: dynamodb::check },
    Concern { rules: emr::RULES, check: emr::check },
    Concern { rules: sagemaker::RULES, check: sagemaker::check },
    Concern { rules: security::RULES, check: security::check },
    Concern { rules: values::RULES, check: values::check },
    Concern { rules: monitoring::RULES, check: monitoring::check },
];

/// Every named rule, for `pipe rules` and the docs (range limits are listed from `limits`).
pub fn all() -> Vec<&'static Rule> {
    CONCERNS.iter().flat_map(|concern| concern.rules.iter().copied()).collect()
}

pub fn check(blueprint: &Blueprint, base_dir: &Path, declared_ids: &HashSet<String>) -> Vec<Diagnostic> {
    let mut cx = Context::new(blueprint, base_dir, declared_ids);
    for concern in CONCERNS {
        (concern.check)(&mut cx);
    }
    cx.diagnostics
}

pub struct Context<'a> {
    pub graph: Graph<'a>,
    pub base_dir: &'a Path,
    declared: &'a HashSet<String>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> std::ops::Deref for Context<'a> {
    type Target = Graph<'a>;

    fn deref(&self) -> &Graph<'a> {
        &self.graph
    }
}

impl<'a> Context<'a> {
    fn new(blueprint: &'a Blueprint, base_dir: &'a Path, declared: &'a HashSet<String>) -> Self {
        Context { graph: Graph::new(blueprint), base_dir, declared, diagnostics: Vec::new() }
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// True when the file declares no component at all, not even one that failed to decode.
    pub fn declared_none(&self) -> bool {
        self.declared.is_empty()
    }

    /// True for ids declared in the file, even by a component that failed to decode.
    pub fn is_declared(&self, id: &str) -> bool {
        self.graph.contains(id) || self.declared.contains(id)
    }

    /// Reports `value` if it falls outside `limit`.
    pub fn range(&mut self, limit: &Limit, path: String, value: i64) {
        if limit.contains(value) {
            return;
        }
        let field = path.rsplit('.').next().unwrap_or(&path).to_string();
        let diagnostic =
            Diagnostic::with_id(limit.id, Severity::Error, format!("`{field}` is {value}, outside the allowed range"))
                .at(path)
                .expected(limit.describe())
                .hint(format!("AWS limit as of {} ({})", limit.as_of, limit.source));
        self.report(diagnostic);
    }
}

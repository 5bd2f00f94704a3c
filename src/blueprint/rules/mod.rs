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

/// Every named rule, for `pipe rules` and the docs (range limits are listed from `limits`).
pub fn all() -> Vec<&'static Rule> {
    [
        graph::RULES,
        names::RULES,
        code::RULES,
        connections::RULES,
        kinesis::RULES,
        capacity::RULES,
        firehose::RULES,
        lambda::RULES,
        msk::RULES,
        glue::RULES,
        flink::RULES,
        opensearch::RULES,
        redshift::RULES,
        dynamodb::RULES,
        emr::RULES,
        sagemaker::RULES,
        sources::RULES,
        security::RULES,
        values::RULES,
    ]
    .concat()
}

pub fn check(blueprint: &Blueprint, base_dir: &Path, declared_ids: &HashSet<String>) -> Vec<Diagnostic> {
    let mut cx = Context::new(blueprint, base_dir, declared_ids);
    names::check(&mut cx);
    graph::check(&mut cx);
    connections::check(&mut cx);
    code::check(&mut cx);
    sources::check(&mut cx);
    kinesis::check(&mut cx);
    capacity::check(&mut cx);
    firehose::check(&mut cx);
    lambda::check(&mut cx);
    msk::check(&mut cx);
    glue::check(&mut cx);
    flink::check(&mut cx);
    opensearch::check(&mut cx);
    redshift::check(&mut cx);
    dynamodb::check(&mut cx);
    emr::check(&mut cx);
    sagemaker::check(&mut cx);
    security::check(&mut cx);
    values::check(&mut cx);
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

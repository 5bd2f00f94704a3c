//! Blueprints: loading a file into the typed model and validating it.
//!
//! `load` runs the stages in order — read (size, UTF-8), parse (YAML into a spanned tree), decode
//! (typed model, templates rendered), check (rules) — and collects what every stage finds into one
//! report, with each problem located in the file.

pub mod alarms;
pub mod contract;
pub mod decode;
pub mod graph;
pub mod rules;
pub mod spec;
pub mod vars;
pub mod yaml;

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostic::{Diagnostic, FileReport, Rule, Severity, SourceFile, Span};

use decode::Decoder;
use spec::{Blueprint, Layer};
use vars::{Templater, Vars};
use yaml::Node;

pub static NOT_A_MAPPING: Rule = Rule {
    id: "blueprint::shape",
    severity: Severity::Error,
    summary: "a blueprint is a mapping with `version`, `name` and the five layers",
};

/// A blueprint file after every stage that could run.
#[derive(Debug)]
pub struct Loaded {
    pub report: FileReport,
    /// The typed blueprint, when it decoded far enough to be checked.
    pub blueprint: Option<Blueprint>,
}

impl Loaded {
    pub fn is_valid(&self) -> bool {
        self.blueprint.is_some() && self.report.errors() == 0
    }
}

/// Loads and validates one blueprint file. `overrides` are the `--vars-file` and `--var` values.
/// `Err` only when the file cannot be read at all.
pub fn load(path: &Path, overrides: &Vars) -> std::io::Result<Loaded> {
    let source = match yaml::read(path)? {
        Ok(source) => source,
        Err((source, diagnostic)) => {
            return Ok(Loaded { report: FileReport::new(source, vec![diagnostic]), blueprint: None });
        }
    };
    let (blueprint, diagnostics) = load_source(&source, overrides);
    Ok(Loaded { report: FileReport::new(source, diagnostics), blueprint })
}

/// The stages after reading, on text already in memory.
pub fn load_source(source: &SourceFile, overrides: &Vars) -> (Option<Blueprint>, Vec<Diagnostic>) {
    let (root, mut diagnostics) = yaml::parse(source.text());
    let Some(root) = root else {
        if diagnostics.is_empty() {
            diagnostics.push(
                Diagnostic::new(&NOT_A_MAPPING, "the file holds no YAML document")
                    .span(Span::point(crate::diagnostic::Pos { line: 1, column: 0, char_index: 0 }))
                    .hint("start from `pipe init --scenario <name>`; a blueprint begins with `version: 1` and `name:`"),
            );
        }
        return (None, diagnostics);
    };
    if !matches!(root.value, yaml::Value::Map(_)) {
        diagnostics.push(
            Diagnostic::new(&NOT_A_MAPPING, format!("the file holds {}, not a blueprint", root.describe()))
                .span(Span::point(root.span.start))
                .hint("start from `pipe init --scenario <name>`; a blueprint begins with `version: 1` and `name:`"),
        );
        return (None, diagnostics);
    }

    let mut vars = Vars::default();
    if let Some(entry) = root.get("vars") {
        vars.extend_from_node(&entry.value, &vars::Origin::Blueprint);
    }
    vars.merge(overrides);
    let templater = Templater::new(vars);
    let decoder = Decoder::new(&templater);
    let blueprint = decoder.decode::<Blueprint>(&root);
    let decode_errors = decoder.into_diagnostics();
    diagnostics.extend(unknown_overrides(&root, overrides, &templater));

    // A `version` or `name` that failed to decode holds a placeholder the rules would misread.
    // (Broken components are dropped by the decoder, and other top-level fields feed no rule.)
    let top_level_clean = !decode_errors
        .iter()
        .any(|d| d.rule != decode::UNKNOWN_FIELD.id && matches!(d.path.as_deref(), None | Some("version" | "name")));
    diagnostics.extend(decode_errors);
    let blueprint = blueprint.filter(|_| top_level_clean);
    if let Some(blueprint) = &blueprint {
        let found = rules::check(blueprint, base_dir(source.path()), &declared_ids(&root));
        diagnostics.extend(found.into_iter().map(|d| locate(&root, &templater, d)));
    }
    (blueprint, diagnostics)
}

/// Variables set from outside (`--var`, `--vars-file`) that the blueprint neither declares under
/// `vars:` nor uses in a template: a typo, or a flag for another blueprint.
fn unknown_overrides(root: &yaml::Node, overrides: &Vars, templater: &Templater) -> Vec<Diagnostic> {
    let declared: Vec<&str> = root
        .get("vars")
        .map(|entry| entry.value.entries().iter().map(|e| e.key.as_str()).collect())
        .unwrap_or_default();
    let at = root.get("vars").map_or(root.span.start, |entry| entry.value.span.start);
    overrides
        .names()
        .filter(|name| !declared.contains(name) && !templater.uses(name))
        .map(|name| {
            let origin = overrides.origin(name).map(ToString::to_string).unwrap_or_default();
            let hint = match crate::diagnostic::did_you_mean(name, declared.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if declared.is_empty() => "this blueprint declares no `vars:` and its templates use none".into(),
                None => format!("declared variables: {}", crate::diagnostic::one_of(&declared)),
            };
            Diagnostic::new(&vars::UNKNOWN_VAR, format!("`{name}`, set by {origin}, is no variable of this blueprint"))
                .span(Span::point(at))
                .hint(hint)
        })
        .collect()
}

/// The directory a blueprint's code paths start from: the file's own directory.
pub fn base_dir(blueprint_file: &Path) -> &Path {
    blueprint_file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Reads a `--vars-file`: a YAML mapping of variable values.
pub fn load_vars_file(path: &Path) -> Result<Vars, String> {
    let source = match yaml::read(path).map_err(|e| e.to_string())? {
        Ok(source) => source,
        Err((_, diagnostic)) => return Err(diagnostic.message),
    };
    let (root, diagnostics) = yaml::parse(source.text());
    if let Some(first) = diagnostics.first() {
        let at = first.span.map(|s| format!(":{}:{}", s.start.line, s.start.column + 1)).unwrap_or_default();
        return Err(format!("{}{at}: {}", path.display(), first.message));
    }
    match root {
        Some(node @ Node { value: yaml::Value::Map(_), .. }) => {
            let mut vars = Vars::default();
            vars.extend_from_node(&node, &vars::Origin::VarsFile(path.display().to_string()));
            Ok(vars)
        }
        _ => Err(format!("{}: a vars file is a mapping of names to values", path.display())),
    }
}

/// Every `id` written in a layer, including components that failed to decode, so references to
/// them are not reported as dangling.
fn declared_ids(root: &Node) -> HashSet<String> {
    Layer::ALL
        .iter()
        .filter_map(|layer| root.get(layer.name()))
        .flat_map(|entry| match &entry.value.value {
            yaml::Value::Seq(items) => items.iter().collect(),
            _ => Vec::new(),
        })
        .filter_map(|item| item.get("id").and_then(|id| id.value.scalar()).map(str::to_string))
        .collect()
}

/// Gives a rule's diagnostic the span of its field path: the value itself for a scalar, the key
/// for a mapping or list, and the nearest enclosing field when the field is absent. A value written
/// as a template also gets a note naming each variable it used and where that was set.
fn locate(root: &Node, templater: &Templater, mut diagnostic: Diagnostic) -> Diagnostic {
    let Some(path) = diagnostic.path.clone() else { return diagnostic };
    let (span, node) = find(root, &path);
    if let Some(yaml::Value::Scalar { text, .. }) = node.map(|n| &n.value) {
        diagnostic.notes.extend(templater.provenance(text));
    }
    if diagnostic.span.is_some() { diagnostic } else { diagnostic.span(span) }
}

/// The span of a field path, and its node when the whole path exists.
fn find<'n>(root: &'n Node, path: &str) -> (Span, Option<&'n Node>) {
    let mut node = root;
    let mut span = Span::point(root.span.start);
    let complete = 'walk: {
        for part in path.split('.') {
            let (key, indices) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
            let Some(entry) = node.get(key) else { break 'walk false };
            node = &entry.value;
            span = if matches!(node.value, yaml::Value::Scalar { .. }) { node.span } else { entry.key_span };
            for index in indices.split('[').filter(|s| !s.is_empty()) {
                let index: usize = index.trim_end_matches(']').parse().unwrap_or(usize::MAX);
                let yaml::Value::Seq(items) = &node.value else { break 'walk false };
                let Some(item) = items.get(index) else { break 'walk false };
                node = item;
                span = match &node.value {
                    yaml::Value::Scalar { .. } => node.span,
                    _ => node.entries().first().map_or(Span::point(node.span.start), |e| e.key_span),
                };
            }
        }
        true
    };
    (span, complete.then_some(node))
}

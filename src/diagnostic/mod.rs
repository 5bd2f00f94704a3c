//! Diagnostics: what is wrong, where, what is allowed and what to do about it.
//!
//! Every problem pipe finds in a blueprint becomes a [`Diagnostic`] carrying a stable rule id, the
//! field path and a source span. They are rendered for people in one place ([`text`]) and for
//! machines in another ([`json`]).

pub mod json;
mod source;
pub mod text;

pub use source::{Pos, SourceFile, Span};

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A named check with a stable id (`kinesis::retention-range`) that users can search for.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// One line on what the rule protects against, shown by `pipe rules`.
    pub summary: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub rule: &'static str,
    pub message: String,
    /// Field path in the blueprint, e.g. `processing[0].batch.parallelization`.
    pub path: Option<String>,
    pub span: Option<Span>,
    /// Short text shown under the caret.
    pub label: Option<String>,
    /// The allowed range or the valid choices.
    pub expected: Option<String>,
    pub hint: Option<String>,
    /// A second place that explains the first, such as the earlier definition of a duplicate.
    pub related: Option<(Span, String)>,
    /// Further facts, such as which variable a templated value came from.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(rule: &Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: rule.severity,
            rule: rule.id,
            message: message.into(),
            path: None,
            span: None,
            label: None,
            expected: None,
            hint: None,
            related: None,
            notes: Vec::new(),
        }
    }

    /// A diagnostic for a rule known only by id, such as a limit of the catalogue.
    pub fn with_id(id: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic::new(&Rule { id, severity, summary: "" }, message)
    }

    /// The field path; the empty path (the whole document) is no path at all.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into()).filter(|p| !p.is_empty());
        self
    }

    pub fn span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related = Some((span, message.into()));
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The diagnostics of one file, in source order.
#[derive(Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn new(source: SourceFile, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| {
            let start = d.span.map(|s| s.start);
            (start.map(|p| p.char_index), d.severity == Severity::Warning, d.rule)
        });
        diagnostics.dedup();
        FileReport { source, diagnostics }
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// "did you mean `x`?" for a misspelt name, if one candidate is close enough.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Renders a list of names as "`a`, `b` or `c`".
pub fn one_of<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

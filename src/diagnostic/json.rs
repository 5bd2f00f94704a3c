//! Diagnostics for machines. The shape is versioned by `format_version`: fields are only ever
//! added within a version.

use serde::Serialize;

use super::{Diagnostic, FileReport, Severity};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Output<'a> {
    format_version: u32,
    files: Vec<File<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct File<'a> {
    path: String,
    valid: bool,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    severity: Severity,
    rule: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    /// 1-based line and column (in characters) of the start and end of the offending text.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    valid: usize,
    errors: usize,
    warnings: usize,
}

pub fn render(reports: &[FileReport]) -> String {
    let output = Output {
        format_version: FORMAT_VERSION,
        files: reports.iter().map(file).collect(),
        summary: Summary {
            files: reports.len(),
            valid: reports.iter().filter(|r| r.errors() == 0).count(),
            errors: reports.iter().map(FileReport::errors).sum(),
            warnings: reports.iter().map(FileReport::warnings).sum(),
        },
    };
    serde_json::to_string_pretty(&output).expect("diagnostics serialise to JSON")
}

/// One file's entry of the document `render` writes, for documents that embed a file's
/// diagnostics (a plan of several blueprints).
pub fn file_value(report: &FileReport) -> serde_json::Value {
    serde_json::to_value(file(report)).expect("diagnostics serialise to JSON")
}

fn file(report: &FileReport) -> File<'_> {
    File {
        path: report.source.path().display().to_string(),
        valid: report.errors() == 0,
        diagnostics: report.diagnostics.iter().map(entry).collect(),
    }
}

fn entry(d: &Diagnostic) -> Entry<'_> {
    Entry {
        severity: d.severity,
        rule: d.rule,
        message: &d.message,
        path: d.path.as_deref(),
        line: d.span.map(|s| s.start.line),
        column: d.span.map(|s| s.start.column + 1),
        end_line: d.span.map(|s| s.end.line),
        end_column: d.span.map(|s| s.end.column + 1),
        expected: d.expected.as_deref(),
        hint: d.hint.as_deref(),
        notes: &d.notes,
    }
}

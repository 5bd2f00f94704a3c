//! Diagnostics for people: a caret under the offending text, the field path, the allowed values
//! and a hint. Reads the same with or without colour.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{Diagnostic, FileReport, Severity, SourceFile, Span};

pub fn render(report: &FileReport, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let path = report.source.path().display().to_string();
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        out.push_str(&renderer.render(&[group(diagnostic, &report.source, &path)]));
        out.push_str("\n\n");
    }
    out
}

fn group<'a>(d: &'a Diagnostic, source: &'a SourceFile, path: &'a str) -> Group<'a> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut elements = Vec::new();
    if let Some(span) = d.span {
        let (excerpt, first_line, primary) = excerpt(source, span, d.related.as_ref().map(|r| r.0));
        let mut snippet = Snippet::source(excerpt)
            .line_start(first_line)
            .path(path)
            .annotation(AnnotationKind::Primary.span(primary.0).label(caret_label(d)));
        if let (Some((_, message)), Some(related)) = (&d.related, primary.1) {
            snippet = snippet.annotation(AnnotationKind::Context.span(related).label(message.as_str()));
        }
        elements.push(snippet.into());
    } else {
        elements.push(Level::NOTE.message(format!("in {path}")).into());
    }
    if let Some(field) = &d.path {
        elements.push(Level::NOTE.message(format!("at `{field}`")).into());
    }
    for note in &d.notes {
        elements.push(Level::NOTE.message(note.as_str()).into());
    }
    if let Some(expected) = &d.expected
        && caret_label(d) != Some(expected.as_str())
    {
        elements.push(Level::NOTE.message(format!("expected {expected}")).into());
    }
    if let Some(hint) = &d.hint {
        elements.push(Level::HELP.message(hint.as_str()).into());
    }
    let title = level.primary_title(d.message.as_str()).id(d.rule);
    elements
        .into_iter()
        .fold(Group::with_title(title), |group, element: annotate_snippets::Element| group.element(element))
}

/// Text under the caret: the label, or a short expectation. Long lists read better as a note.
fn caret_label(d: &Diagnostic) -> Option<&str> {
    const LONGEST: usize = 60;
    d.label.as_deref().or(d.expected.as_deref()).filter(|text| text.chars().count() <= LONGEST)
}

type Annotated = (Range<usize>, Option<Range<usize>>);

/// The lines that hold the span (and the related span, if any), with both ranges made relative to
/// the excerpt. Quoting only those lines keeps rendering cheap for large files.
fn excerpt(source: &SourceFile, span: Span, related: Option<Span>) -> (String, usize, Annotated) {
    let text = source.text();
    let absolute = |s: Span| {
        let start = source.byte_offset(s.start);
        let end = source.byte_offset(s.end).max(start);
        // An empty span still needs one visible character under the caret.
        let end = if end == start { next_char_boundary(text, start) } else { end };
        start..end
    };
    let primary = absolute(span);
    let related = related.map(absolute);
    let first = related.as_ref().map_or(primary.start, |r| r.start.min(primary.start));
    let last = related.as_ref().map_or(primary.end, |r| r.end.max(primary.end));
    let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[last.max(line_start)..].find('\n').map_or(text.len(), |i| last.max(line_start) + i);
    let first_line = text[..line_start].matches('\n').count() + 1;
    let shift = |r: Range<usize>| (r.start - line_start)..(r.end.min(line_end) - line_start).max(r.start - line_start);
    (text[line_start..line_end].to_string(), first_line, (shift(primary), related.map(shift)))
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| if c == '\n' { at } else { at + c.len_utf8() })
}

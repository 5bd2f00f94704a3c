//! YAML text → a tree of nodes that remember where they came from.
//!
//! The tree is built from saphyr-parser's event stream rather than deserialised in one step, so
//! that every later stage can point at source positions, and so that every bound against hostile
//! input is enforced here, while the tree grows: file size, nesting depth, node count (which bounds
//! alias expansion), duplicate keys and tags. Scalars stay text; what they mean is decided by the
//! field that reads them (see `decode`), so `no` stays the string "no" unless a boolean is expected.

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::diagnostic::{Diagnostic, Pos, Rule, Severity, SourceFile, Span};

/// Blueprints are small; anything larger is a mistake or an attack.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Deeper than any blueprint needs, shallow enough that recursive code over the tree is safe.
pub const MAX_DEPTH: usize = 64;
/// Counts every node after alias expansion, so an alias bomb stops here.
pub const MAX_NODES: usize = 100_000;

pub static FILE_TOO_LARGE: Rule =
    Rule { id: "yaml::file-too-large", severity: Severity::Error, summary: "a blueprint file is at most 1 MiB" };
pub static NOT_UTF8: Rule =
    Rule { id: "yaml::not-utf8", severity: Severity::Error, summary: "a blueprint file is UTF-8 text" };
pub static SYNTAX: Rule = Rule { id: "yaml::syntax", severity: Severity::Error, summary: "the file is valid YAML" };
pub static DOCUMENTS: Rule = Rule {
    id: "yaml::documents",
    severity: Severity::Error,
    summary: "a blueprint file holds exactly one YAML document",
};
pub static TOO_DEEP: Rule =
    Rule { id: "yaml::too-deep", severity: Severity::Error, summary: "nesting is at most 64 levels deep" };
pub static TOO_MANY_NODES: Rule = Rule {
    id: "yaml::too-many-nodes",
    severity: Severity::Error,
    summary: "at most 100,000 values, counting each alias expansion",
};
pub static DUPLICATE_KEY: Rule =
    Rule { id: "yaml::duplicate-key", severity: Severity::Error, summary: "a key appears once per mapping" };
pub static KEY_TYPE: Rule =
    Rule { id: "yaml::key-type", severity: Severity::Error, summary: "mapping keys are plain strings" };
pub static TAG: Rule = Rule {
    id: "yaml::tag",
    severity: Severity::Error,
    summary: "YAML tags such as `!Ref` are not part of the blueprint format",
};
pub static UNKNOWN_ANCHOR: Rule =
    Rule { id: "yaml::unknown-anchor", severity: Severity::Error, summary: "every alias names an earlier anchor" };

pub static RULES: &[&Rule] = &[
    &FILE_TOO_LARGE,
    &NOT_UTF8,
    &SYNTAX,
    &DOCUMENTS,
    &TOO_DEEP,
    &TOO_MANY_NODES,
    &DUPLICATE_KEY,
    &KEY_TYPE,
    &TAG,
    &UNKNOWN_ANCHOR,
];

#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    /// `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// `~`, `null` or nothing at all, written plain.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// What the node is, for messages: "a mapping", "a list", "`yes`".
    pub fn describe(&self) -> String {
        match &self.value {
            _ if self.is_null() => "nothing (null)".to_string(),
            Value::Scalar { text, .. } if text.chars().count() <= 40 => format!("`{text}`"),
            Value::Scalar { .. } => "a long string".to_string(),
            Value::Seq(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|e| 1 + e.value.size()).sum(),
        }
    }
}

/// Reads a blueprint file within the size bound and checks that it is UTF-8.
/// `Err` carries the I/O error for a file that cannot be read at all.
pub fn read(path: &Path) -> std::io::Result<Result<SourceFile, (SourceFile, Diagnostic)>> {
    use std::io::Read;
    let file = fs_err::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let diagnostic = Diagnostic::new(&FILE_TOO_LARGE, format!("file is larger than {} KiB", MAX_FILE_BYTES / 1024))
            .hint("a blueprint describes one pipeline and fits in a few KiB; split large projects into one file per pipeline");
        return Ok(Err((SourceFile::new(path, ""), diagnostic)));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(error) => {
            let bytes = error.as_bytes();
            let valid = error.utf8_error().valid_up_to();
            let pos = SourceFile::pos_at_byte(bytes, valid);
            let text = String::from_utf8_lossy(bytes).into_owned();
            let diagnostic = Diagnostic::new(&NOT_UTF8, format!("invalid UTF-8 at byte {valid}"))
                .span(Span::point(pos))
                .hint("save the file as UTF-8");
            Err((SourceFile::new(path, text), diagnostic))
        }
    })
}

/// Parses one YAML document. Returns the tree (if the document could be read to its end) and every
/// problem found on the way.
pub fn parse(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(next)) => next,
            Some(Err(error)) => {
                let at = Span::point(pos(*error.marker()));
                // The scanner bounds flow nesting itself; say so in pipe's terms.
                let diagnostic = if error.info().contains("recursion limit") {
                    too_deep(at)
                } else if error.info().contains("unknown anchor") {
                    unknown_anchor(at)
                } else {
                    Diagnostic::new(&SYNTAX, format!("YAML syntax error: {}", error.info())).span(at)
                };
                builder.diagnostics.push(diagnostic);
                return (None, builder.diagnostics);
            }
        };
        let span = Span { start: pos(span.start), end: pos(span.end) };
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    let diagnostic = Diagnostic::new(&DOCUMENTS, "a second YAML document starts here")
                        .span(span)
                        .hint("a blueprint file describes one pipeline: put each pipeline in a file of its own");
                    builder.diagnostics.push(diagnostic);
                    break;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            Event::Scalar(text, style, anchor, tag) => {
                builder.reject_tag(tag.as_deref(), span);
                let plain = style == ScalarStyle::Plain;
                let node = Node { span, value: Value::Scalar { text: text.into_owned(), plain } };
                if !builder.complete(node, anchor) {
                    break;
                }
            }
            Event::SequenceStart(anchor, tag) => {
                builder.reject_tag(tag.as_deref(), span);
                if !builder.open(Frame::Seq { start: span, anchor, items: Vec::new() }) {
                    break;
                }
            }
            Event::MappingStart(anchor, tag) => {
                builder.reject_tag(tag.as_deref(), span);
                let frame = Frame::Map { start: span, anchor, entries: Vec::new(), seen: HashMap::new(), key: None };
                if !builder.open(frame) {
                    break;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = builder.stack.pop() else { break };
                let (node, anchor) = frame.close(span);
                if !builder.complete(node, anchor) {
                    break;
                }
            }
            Event::Alias(anchor) => {
                if !builder.alias(anchor, span) {
                    break;
                }
            }
        }
    }
    (builder.root, builder.diagnostics)
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(&TOO_DEEP, format!("nesting is deeper than {MAX_DEPTH} levels"))
        .span(span)
        .hint("blueprints nest a few levels at most; check for runaway brackets")
}

fn unknown_anchor(span: Span) -> Diagnostic {
    Diagnostic::new(&UNKNOWN_ANCHOR, "alias refers to no anchor defined before it")
        .span(span)
        .hint("define `&name` on a value before using `*name`")
}

fn pos(marker: Marker) -> Pos {
    Pos { line: marker.line(), column: marker.col(), char_index: marker.index() }
}

enum Frame {
    Seq { start: Span, anchor: usize, items: Vec<Node> },
    Map { start: Span, anchor: usize, entries: Vec<Entry>, seen: HashMap<String, Span>, key: Option<Node> },
}

impl Frame {
    fn close(self, end: Span) -> (Node, usize) {
        match self {
            Frame::Seq { start, anchor, items } => {
                (Node { span: Span { start: start.start, end: end.end }, value: Value::Seq(items) }, anchor)
            }
            Frame::Map { start, anchor, entries, .. } => {
                (Node { span: Span { start: start.start, end: end.end }, value: Value::Map(entries) }, anchor)
            }
        }
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Builder {
    fn reject_tag(&mut self, tag: Option<&saphyr_parser::Tag>, span: Span) {
        if let Some(tag) = tag {
            let diagnostic = Diagnostic::new(&TAG, format!("YAML tag `{}{}` is not supported", tag.handle, tag.suffix))
                .span(span)
                .hint("blueprints hold plain values; pipe writes CloudFormation functions such as `!Ref` itself");
            self.diagnostics.push(diagnostic);
        }
    }

    /// Counts `added` nodes against the budget; false (with a diagnostic) once it is spent.
    fn spend(&mut self, added: usize, span: Span) -> bool {
        self.nodes += added;
        if self.nodes > MAX_NODES {
            let diagnostic =
                Diagnostic::new(&TOO_MANY_NODES, format!("the document expands to more than {MAX_NODES} values"))
                    .span(span)
                    .hint("aliases (`*name`) count once per use; an anchor expanded inside another anchor multiplies");
            self.diagnostics.push(diagnostic);
            return false;
        }
        true
    }

    fn open(&mut self, frame: Frame) -> bool {
        let span = match &frame {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        };
        if self.stack.len() >= MAX_DEPTH {
            self.diagnostics.push(too_deep(span));
            return false;
        }
        self.stack.push(frame);
        self.spend(1, span)
    }

    fn alias(&mut self, anchor: usize, span: Span) -> bool {
        let Some(node) = self.anchors.get(&anchor) else {
            self.diagnostics.push(unknown_anchor(span));
            return false;
        };
        let size = node.size();
        if !self.spend(size, span) {
            return false;
        }
        let node = Node { span, value: self.anchors[&anchor].value.clone() };
        self.attach(node)
    }

    /// A node is finished: remember its anchor and attach it to its parent.
    fn complete(&mut self, node: Node, anchor: usize) -> bool {
        if matches!(node.value, Value::Scalar { .. }) && !self.spend(1, node.span) {
            return false;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.attach(node)
    }

    fn attach(&mut self, node: Node) -> bool {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { key: key @ None, .. }) => *key = Some(node),
            Some(Frame::Map { key: key @ Some(_), entries, seen, .. }) => {
                let key = key.take().expect("matched Some");
                let Value::Scalar { text, .. } = key.value else {
                    let diagnostic = Diagnostic::new(&KEY_TYPE, format!("mapping key is {}", key.describe()))
                        .span(key.span)
                        .hint("keys are plain names such as `retention_hours`");
                    self.diagnostics.push(diagnostic);
                    return true;
                };
                if let Some(first) = seen.get(&text) {
                    let diagnostic =
                        Diagnostic::new(&DUPLICATE_KEY, format!("key `{text}` appears twice in this mapping"))
                            .span(key.span)
                            .label("second definition")
                            .related(*first, "first defined here")
                            .hint("YAML keeps only one of them; delete one or merge them");
                    self.diagnostics.push(diagnostic);
                    return true;
                }
                seen.insert(text.clone(), key.span);
                entries.push(Entry { key: text, key_span: key.span, value: node });
            }
        }
        true
    }
}

//! Source text and positions, so any diagnostic can point at the exact spot in a file.

use std::path::{Path, PathBuf};

/// A position in a source file. `line` is 1-based; `column` and `char_index` count characters
/// (not bytes), as the YAML scanner reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub char_index: usize,
}

/// A half-open range of source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn point(pos: Pos) -> Self {
        Span { start: pos, end: pos }
    }
}

/// A file as read from disk, kept whole so diagnostics can quote it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offset of a character position; positions past the end clamp to the end.
    pub fn byte_offset(&self, pos: Pos) -> usize {
        if self.text.is_ascii() {
            return pos.char_index.min(self.text.len());
        }
        self.text.char_indices().nth(pos.char_index).map_or(self.text.len(), |(offset, _)| offset)
    }

    /// The position of a byte offset, for errors found before the YAML scanner ran.
    pub fn pos_at_byte(text: &[u8], offset: usize) -> Pos {
        let before = &text[..offset.min(text.len())];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let prefix = String::from_utf8_lossy(before);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count();
        Pos { line: before.iter().filter(|&&b| b == b'\n').count() + 1, column, char_index: prefix.chars().count() }
    }
}

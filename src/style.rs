//! Colour: one palette for everything pipe writes, applied only when colour is on (a terminal
//! and no `NO_COLOR`, which the caller decides).

/// What a piece of text is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A heading or summary line.
    Heading,
    /// A failure, or what apply refuses.
    Error,
    /// A caution: security changes, warnings.
    Warning,
    /// A command that did what it was asked.
    Success,
    /// A resource made or adopted.
    Added,
    /// A resource changed in place.
    Changed,
    /// A resource deleted or replaced.
    Removed,
    /// Work outside a resource's properties.
    Step,
}

/// `text` in `style` when `color`, else as it is.
pub fn paint(text: &str, style: Style, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match style {
        Style::Heading => "1",
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Success => "1;32",
        Style::Added => "32",
        Style::Changed => "33",
        Style::Removed => "31",
        Style::Step => "36",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

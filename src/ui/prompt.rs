//! The one question pipe asks: go ahead?

use std::io::{BufRead, IsTerminal, Write};

/// Asks on the terminal; anything but `yes` declines. Not on a terminal, there is nobody to ask:
/// the caller must have passed `--yes`.
pub fn confirm(question: &str) -> std::io::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let mut stderr = std::io::stderr();
    write!(stderr, "{question} Only `yes` goes ahead: ")?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

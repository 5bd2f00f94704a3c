//! What people see while pipe works: progress bars on a terminal, timestamped lines in logs,
//! and the confirmation prompt.

pub mod progress;
pub mod prompt;

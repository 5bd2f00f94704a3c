//! `pipe schema`: the JSON Schema of the blueprint format, generated from the Rust types.

use std::io::Write;

use super::{Error, Outcome};

pub fn run() -> Result<Outcome, Error> {
    writeln!(std::io::stdout(), "{}", crate::blueprint::spec::json_schema())?;
    Ok(Outcome::Success)
}

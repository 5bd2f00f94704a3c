//! `pipe rules`: every check `pipe validate` runs, by id.

use std::io::Write;

use crate::blueprint::{NOT_A_MAPPING, decode, rules, vars, yaml};
use crate::diagnostic::Severity;
use crate::limits;

use super::{Error, Outcome};

pub fn run() -> Result<Outcome, Error> {
    let mut out = std::io::stdout().lock();
    let mut named: Vec<_> =
        [yaml::RULES, decode::RULES, &[&NOT_A_MAPPING, &vars::TEMPLATE, &vars::UNKNOWN_VAR]].concat();
    named.extend(rules::all());
    for rule in named {
        let level = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(out, "{:40} {level:7}  {}", rule.id, rule.summary)?;
    }
    for limit in limits::all() {
        writeln!(out, "{:40} {:7}  {} (AWS, {}; {})", limit.id, "error", limit.describe(), limit.as_of, limit.source)?;
    }
    Ok(Outcome::Success)
}

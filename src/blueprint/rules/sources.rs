//! Sources: declared throughput and log file descriptions.

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::limits::kinesis::MAX_RECORD_SIZE_KIB;

use super::super::spec::Component;
use super::super::spec::sources::LogFormat;
use super::Context;

pub static THROUGHPUT: Rule = Rule {
    id: "source::throughput",
    severity: Severity::Error,
    summary: "declared throughput is positive and records fit the largest record AWS streams accept",
};
pub static CSV_COLUMNS: Rule =
    Rule { id: "source::csv-columns", severity: Severity::Error, summary: "CSV log files name their columns" };
pub static LOG_PATHS: Rule =
    Rule { id: "source::log-paths", severity: Severity::Error, summary: "log file patterns are absolute paths" };

pub static RULES: &[&Rule] = &[&THROUGHPUT, &CSV_COLUMNS, &LOG_PATHS];

pub fn check(cx: &mut Context) {
    let mut found = Vec::new();
    for placed in cx.blueprint.components() {
        let throughput = match placed.component {
            Component::Application(c) => &c.throughput,
            Component::Devices(c) => &c.throughput,
            Component::LogFiles(c) => {
                if c.format == LogFormat::Csv && c.columns.is_empty() {
                    found.push(
                        Diagnostic::new(&CSV_COLUMNS, "CSV log files need their column names")
                            .at(placed.field("format"))
                            .hint("add `columns: [...]` in the order fields appear on a line; the Kinesis Agent names JSON fields after them"),
                    );
                }
                for (i, path) in c.paths.iter().enumerate() {
                    if !path.starts_with('/') {
                        found.push(
                            Diagnostic::new(&LOG_PATHS, format!("`{path}` is not an absolute path"))
                                .at(placed.field(&format!("paths[{i}]")))
                                .hint("the Kinesis Agent's `filePattern` is absolute, e.g. `/var/log/app/*.log`"),
                        );
                    }
                }
                if c.paths.is_empty() {
                    found.push(Diagnostic::new(&LOG_PATHS, "no log file patterns").at(placed.field("paths")));
                }
                &c.throughput
            }
            _ => continue,
        };
        let max_kib = MAX_RECORD_SIZE_KIB.max as f64;
        if throughput.record_kib <= 0.0 || throughput.record_kib > max_kib || !throughput.record_kib.is_finite() {
            found.push(
                Diagnostic::new(&THROUGHPUT, format!("`record_kib` is {}", throughput.record_kib))
                    .at(placed.field("throughput.record_kib"))
                    .expected(format!("more than 0 and at most {max_kib} KiB"))
                    .hint("the average size of one record in KiB, e.g. `0.5` for 512 bytes"),
            );
        }
        if throughput.records_per_second == 0 {
            found.push(
                Diagnostic::new(&THROUGHPUT, "`records_per_second` is 0")
                    .at(placed.field("throughput.records_per_second"))
                    .expected("at least 1")
                    .hint("declare the peak rate; pipe sizes streams from it"),
            );
        }
    }
    found.into_iter().for_each(|d| cx.report(d));
}

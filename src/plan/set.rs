//! The plans of several blueprints made in one run (`pipe plan DIR`): one summary, one
//! pull-request comment with a section per pipeline, one JSON document and one exit code, so a
//! pull request that touches three blueprints gets one comment, not three.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::diagnostic::{FileReport, json as diagnostics_json, text as diagnostics_text};
use crate::style::{Style, paint};

use super::{Plan, cautions, markdown, text};

/// Bumped whenever a field of the JSON document changes meaning or disappears; additions keep it.
/// Each planned entry holds a plan document with its own `format_version`.
pub const FORMAT_VERSION: u32 = 1;

/// What one run planned, blueprint by blueprint, in the order the blueprints were given.
#[derive(Debug, Default)]
pub struct PlanSet {
    pub entries: Vec<Entry>,
    /// Blueprints the compared revision had and the working tree no longer has
    /// (`--changed-since`): their pipelines stay deployed until someone destroys them.
    pub removed: Vec<String>,
}

#[derive(Debug)]
pub struct Entry {
    /// The blueprint file, as given or found.
    pub blueprint: String,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    Planned(Box<Plan>),
    /// The blueprint has errors: nothing was planned.
    Invalid(FileReport),
    /// Planning ran and stopped: the error, as said to people.
    Failed(String),
}

/// How many blueprints ended which way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub changes: usize,
    pub unchanged: usize,
    pub invalid: usize,
    pub failed: usize,
}

impl Outcome {
    fn status(&self) -> &'static str {
        match self {
            Outcome::Planned(plan) if plan.has_changes() => "changes",
            Outcome::Planned(_) => "no_changes",
            Outcome::Invalid(_) => "invalid",
            Outcome::Failed(_) => "failed",
        }
    }
}

impl PlanSet {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for entry in &self.entries {
            match &entry.outcome {
                Outcome::Planned(plan) if plan.has_changes() => counts.changes += 1,
                Outcome::Planned(_) => counts.unchanged += 1,
                Outcome::Invalid(_) => counts.invalid += 1,
                Outcome::Failed(_) => counts.failed += 1,
            }
        }
        counts
    }

    /// One line for the whole run: `3 blueprints: 2 with changes, 1 failed`.
    pub fn summary_line(&self) -> String {
        let counts = self.counts();
        let total = match self.entries.len() {
            0 => "No blueprints to plan".to_string(),
            1 => "1 blueprint".to_string(),
            n => format!("{n} blueprints"),
        };
        let parts: Vec<String> = [
            (counts.changes, "with changes"),
            (counts.unchanged, "without changes"),
            (counts.invalid, "invalid"),
            (counts.failed, "failed"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if parts.is_empty() { total } else { format!("{total}: {}", parts.join(", ")) }
    }

    /// Each plan as `pipe plan FILE` shows it, then the run's summary. Invalid blueprints'
    /// diagnostics are on stderr already, where `pipe plan FILE` writes them.
    pub fn text(&self, color: bool) -> String {
        let mut out = String::new();
        for entry in &self.entries {
            match &entry.outcome {
                Outcome::Planned(plan) => out.push_str(&text::render(plan, color)),
                Outcome::Invalid(report) => {
                    let _ = writeln!(
                        out,
                        "`{}`: not planned, {} (listed above)",
                        entry.blueprint,
                        plural(report.errors(), "error")
                    );
                }
                Outcome::Failed(error) => {
                    let _ =
                        writeln!(out, "`{}`: {} {error}", entry.blueprint, paint("plan failed:", Style::Error, color));
                }
            }
            out.push('\n');
        }
        for removed in &self.removed {
            let _ = writeln!(out, "`{removed}` was removed: {}", REMOVED);
        }
        let counts = self.counts();
        let style = if counts.failed + counts.invalid > 0 { Style::Error } else { Style::Heading };
        let _ = writeln!(out, "{}", paint(&self.summary_line(), style, color));
        out
    }

    /// One pull-request comment: the summary, a table of the blueprints, then a section per
    /// pipeline as `pipe plan FILE --output markdown` writes it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## pipe plan\n\n**{}**\n", self.summary_line());
        if !self.entries.is_empty() {
            let _ = writeln!(out, "| blueprint | pipeline | plan |\n|---|---|---|");
        }
        for entry in &self.entries {
            let (pipeline, result) = match &entry.outcome {
                Outcome::Planned(plan) if plan.has_changes() => {
                    let titles: Vec<String> = cautions::of(plan).iter().map(|c| format!("**{}**", c.title)).collect();
                    let cautioned = if titles.is_empty() { String::new() } else { format!(" ({})", titles.join(", ")) };
                    (format!("`{}`", plan.pipeline), plan.summary().line() + &cautioned)
                }
                Outcome::Planned(plan) if plan.drift_left().next().is_some() => {
                    (format!("`{}`", plan.pipeline), "no changes; **changed outside pipe**".to_string())
                }
                Outcome::Planned(plan) => (format!("`{}`", plan.pipeline), "no changes".to_string()),
                Outcome::Invalid(report) => (String::new(), format!("invalid: {}", plural(report.errors(), "error"))),
                Outcome::Failed(_) => (String::new(), "plan failed".to_string()),
            };
            let _ = writeln!(out, "| `{}` | {pipeline} | {result} |", entry.blueprint);
        }
        if !self.removed.is_empty() {
            let _ = writeln!(out, "\n> [!NOTE]\n> **Blueprints removed**: {REMOVED}");
            for removed in &self.removed {
                let _ = writeln!(out, "> - `{removed}`");
            }
        }
        for entry in &self.entries {
            out.push('\n');
            match &entry.outcome {
                Outcome::Planned(plan) => out.push_str(&markdown::render(plan)),
                Outcome::Invalid(report) => {
                    let _ = writeln!(
                        out,
                        "### `{}`: invalid, not planned\n\n```\n{}```",
                        entry.blueprint,
                        diagnostics_text::render(report, false)
                    );
                }
                Outcome::Failed(error) => {
                    let _ = writeln!(out, "### `{}`: plan failed\n\n```\n{error}\n```", entry.blueprint);
                }
            }
        }
        out
    }

    /// The run as one versioned document: a summary, and per blueprint its status and its plan
    /// (the document `pipe plan FILE --output json` writes), diagnostics or error.
    pub fn to_json(&self) -> String {
        let counts = self.counts();
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|entry| {
                let mut value = json!({ "blueprint": entry.blueprint, "status": entry.outcome.status() });
                let (key, detail) = match &entry.outcome {
                    Outcome::Planned(plan) => ("plan", serde_json::to_value(plan).expect("a plan serialises")),
                    Outcome::Invalid(report) => {
                        ("diagnostics", diagnostics_json::file_value(report)["diagnostics"].take())
                    }
                    Outcome::Failed(error) => ("error", json!(error)),
                };
                value[key] = detail;
                value
            })
            .collect();
        let document = json!({
            "format_version": FORMAT_VERSION,
            "summary": {
                "blueprints": self.entries.len(),
                "changes": counts.changes,
                "unchanged": counts.unchanged,
                "invalid": counts.invalid,
                "failed": counts.failed,
            },
            "plans": entries,
            "removed": self.removed,
        });
        serde_json::to_string_pretty(&document).expect("a plan set serialises")
    }
}

const REMOVED: &str = "its pipeline stays deployed until `pipe destroy` runs on the blueprint as it was";

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Kind};

    fn set() -> PlanSet {
        let created = Action {
            kind: Kind::Create,
            component: "positions".into(),
            resource: "PositionsStream".into(),
            resource_type: "AWS::Kinesis::Stream".into(),
            ..Action::default()
        };
        let unchanged = Action { kind: Kind::NoChange, ..created.clone() };
        PlanSet {
            entries: vec![
                Entry {
                    blueprint: "a.yaml".into(),
                    outcome: Outcome::Planned(Box::new(crate::plan::sample(vec![created]))),
                },
                Entry {
                    blueprint: "b.yaml".into(),
                    outcome: Outcome::Planned(Box::new(crate::plan::sample(vec![unchanged]))),
                },
                Entry { blueprint: "c.yaml".into(), outcome: Outcome::Failed("the stack is busy".into()) },
            ],
            removed: vec!["old.yaml".into()],
        }
    }

    #[test]
    fn one_summary_counts_every_way_a_blueprint_ends() {
        let set = set();
        assert_eq!(set.counts(), Counts { changes: 1, unchanged: 1, invalid: 0, failed: 1 });
        assert_eq!(set.summary_line(), "3 blueprints: 1 with changes, 1 without changes, 1 failed");
        assert_eq!(PlanSet::default().summary_line(), "No blueprints to plan");
    }

    #[test]
    fn the_json_document_gives_each_blueprint_its_status_and_plan_or_error() {
        let document: Value = serde_json::from_str(&set().to_json()).expect("JSON");
        assert_eq!(document["format_version"], 1);
        assert_eq!(document["summary"]["failed"], 1);
        let statuses: Vec<&str> =
            document["plans"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["changes", "no_changes", "failed"]);
        assert_eq!(document["plans"][0]["plan"]["actions"][0]["resource"], "PositionsStream");
        assert_eq!(document["plans"][2]["error"], "the stack is busy");
        assert_eq!(document["removed"][0], "old.yaml");
    }

    #[test]
    fn the_comment_lists_every_blueprint_before_the_sections() {
        let comment = set().markdown();
        let table = &comment[comment.find("| blueprint").unwrap()..comment.find("> [!NOTE]").unwrap()];
        assert_eq!(
            table,
            "| blueprint | pipeline | plan |\n|---|---|---|\n\
             | `a.yaml` | `internet-offering` | 1 to create, 0 to update, 0 to REPLACE, 0 to delete |\n\
             | `b.yaml` | `internet-offering` | no changes |\n\
             | `c.yaml` |  | plan failed |\n\n"
        );
        assert!(comment.ends_with("### `c.yaml`: plan failed\n\n```\nthe stack is busy\n```\n"), "{comment}");
    }
}

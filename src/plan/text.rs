//! The plan for people at a terminal: the summary line, then data-loss risks, then security
//! changes, then everything else. Colour only when the caller says so.

use std::fmt::Write;

use serde_json::Value;

use super::cautions::{self, Subject};
use super::{Action, Change, Kind, Plan};
use crate::style::{Style, paint};

impl Kind {
    /// The sign and style an action of this kind is shown with.
    pub fn mark(self) -> (&'static str, Style) {
        match self {
            Kind::Create => ("+", Style::Added),
            Kind::Import => ("<=", Style::Added),
            Kind::Update => ("~", Style::Changed),
            Kind::Replace => ("-/+", Style::Removed),
            Kind::Delete => ("-", Style::Removed),
            Kind::Step | Kind::NoChange => (">", Style::Step),
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Kind::Create => "create",
            Kind::Import => "import",
            Kind::Update => "update",
            Kind::Replace => "REPLACE",
            Kind::Delete => "delete",
            Kind::Step => "run",
            Kind::NoChange => "keep",
        }
    }
}

impl Action {
    /// `SignupsStream (AWS::Kinesis::Stream internet-offering-signups, component `signups`)`
    pub fn heading(&self) -> String {
        let name = self.physical_id.as_deref().map(|id| format!(" {id}")).unwrap_or_default();
        format!("{} ({}{name}, component `{}`)", self.resource, self.resource_type, self.component)
    }
}

impl Change {
    /// `ShardCount: 2 → 16 (forces replacement)`; an item a list gained or lost is
    /// `Statement[2]: + {...}` or `Statement[1]: - {...}`.
    pub fn line(&self) -> String {
        let replace = if self.forces_replacement { " (forces replacement)" } else { "" };
        let field = self.field.as_ref().map(|f| format!("  [{f}]")).unwrap_or_default();
        let value = match (self.before.as_ref(), self.after.as_ref(), self.path.ends_with(']')) {
            (None, Some(added), true) => format!("+ {}", shown(Some(added))),
            (Some(removed), None, true) => format!("- {}", shown(Some(removed))),
            (before, after, _) => format!("{} → {}", shown(before), shown(after)),
        };
        format!("{}: {value}{replace}{field}", self.path)
    }
}

pub fn render(plan: &Plan, color: bool) -> String {
    let paint = |text: &str, style: Style| paint(text, style, color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan for `{}` ({} target, account {}, {})",
        plan.pipeline, plan.target, plan.account, plan.region
    );
    if !plan.has_changes() {
        let _ = writeln!(out, "No changes: live matches the blueprint ({} resources checked).", plan.actions.len());
        drifted(plan, &mut out);
        notes(plan, &mut out);
        manual_steps(plan, &mut out);
        return out;
    }
    let _ = writeln!(out, "{}", paint(&plan.summary().line(), Style::Heading));

    for caution in cautions::of(plan) {
        let (heading, style) = match caution.refusal {
            Some(refusal) => (format!("{} (apply {refusal}):", caution.title), Style::Error),
            None => (format!("{}:", caution.title), Style::Warning),
        };
        let _ = writeln!(out, "\n{}", paint(&heading, style));
        for item in &caution.items {
            let details = item.detail_lines();
            match item.subject {
                Subject::Text(text) => {
                    let _ = writeln!(out, "  ! {text}");
                }
                Subject::Resource(resource) => {
                    let _ = writeln!(out, "  ! {resource}: {}", details.join("; "));
                }
                Subject::Action(action) => {
                    let _ = writeln!(out, "  ! {} {}", action.kind.verb(), action.heading());
                    for detail in details {
                        let _ = writeln!(out, "      {detail}");
                    }
                }
            }
        }
    }

    let _ = writeln!(out, "\nActions, in order:");
    for action in plan.actions.iter().filter(|a| a.kind != Kind::NoChange) {
        let (sign, style) = action.kind.mark();
        let drift = match (action.drift, action.unfinished) {
            (true, _) => " [drift: changed outside pipe]",
            (_, true) => " [unfinished: the last apply stopped here]",
            _ => "",
        };
        let _ = writeln!(out, "  {} {} {}{drift}", paint(sign, style), action.kind.verb(), action.heading());
        if let Some(reason) = &action.reason {
            let _ = writeln!(out, "      because {reason}");
        }
        for change in &action.changes {
            let _ = writeln!(out, "      {}", change.line());
        }
        for step in &action.steps {
            let _ = writeln!(out, "      step: {step}");
        }
    }
    let unchanged = plan.actions.iter().filter(|a| a.kind == Kind::NoChange).count();
    if unchanged > 0 {
        let _ = writeln!(out, "\n{unchanged} resources unchanged.");
    }
    drifted(plan, &mut out);
    if let Some(cost) = &plan.cost {
        out.push('\n');
        for line in cost.lines() {
            let _ = writeln!(out, "{line}");
        }
    }
    notes(plan, &mut out);
    manual_steps(plan, &mut out);
    out
}

/// Drift that applying leaves in place (CloudFormation changes only what the template changes).
fn drifted(plan: &Plan, out: &mut String) {
    let drifted: Vec<&Action> = plan.drift_left().collect();
    if drifted.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nChanged outside pipe, and left so by this plan:");
    for action in drifted {
        let _ = writeln!(out, "  ~ {}", action.heading());
        if let Some(reason) = &action.reason {
            let _ = writeln!(out, "      because {reason}");
        }
        for change in &action.changes {
            let _ = writeln!(out, "      {}", change.line());
        }
    }
}

/// Values held where AWS cannot shrink them, and where leftovers were not looked for: listed
/// with or without changes.
fn notes(plan: &Plan, out: &mut String) {
    for (heading, lines) in [("Kept as deployed:", &plan.kept), ("Not checked:", &plan.unchecked)] {
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        for line in lines {
            let _ = writeln!(out, "  - {line}");
        }
    }
}

/// What pipe cannot do: listed with or without changes, since it stays the user's to do.
fn manual_steps(plan: &Plan, out: &mut String) {
    if plan.manual_steps.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nSteps pipe cannot take, for you to do once:");
    for manual in &plan.manual_steps {
        let _ = writeln!(out, "  - `{}`: {}", manual.component, manual.step);
    }
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "(unset)".to_string(),
        Some(Value::String(text)) => format!("{text:?}"),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn drift_a_plan_leaves_in_place_is_shown_apart() {
        let drifted = Action {
            kind: Kind::NoChange,
            component: "enrich".into(),
            resource: "EnrichSignupsMapping".into(),
            resource_type: "AWS::Lambda::EventSourceMapping".into(),
            drift: true,
            reason: Some("changed outside pipe; CloudFormation leaves it so until the blueprint changes it".into()),
            changes: vec![Change {
                path: "BatchSize".into(),
                before: Some(json!(10)),
                after: Some(json!(100)),
                forces_replacement: false,
                field: None,
            }],
            ..Action::default()
        };
        let plan = crate::plan::sample(vec![drifted]);
        assert_eq!(
            render(&plan, false),
            "Plan for `internet-offering` (cloudformation target, account 123456789012, eu-west-1)\n\
             No changes: live matches the blueprint (1 resources checked).\n\n\
             Changed outside pipe, and left so by this plan:\n  \
             ~ EnrichSignupsMapping (AWS::Lambda::EventSourceMapping, component `enrich`)\n      \
             because changed outside pipe; CloudFormation leaves it so until the blueprint changes it\n      \
             BatchSize: 10 → 100\n"
        );
    }
}

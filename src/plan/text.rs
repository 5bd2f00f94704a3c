//! The plan for people at a terminal: the summary line, then data-loss risks, then security
//! changes, then everything else. Colour only when the caller says so.

use std::fmt::Write;

use serde_json::Value;

use super::{Action, Change, Kind, Plan};

/// `text` in the ANSI colour `code` when `color`, else as it is.
pub fn paint(text: &str, code: &str, color: bool) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

/// The sign and colour an action of `kind` is shown with.
pub fn mark(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Create => ("+", "32"),
        Kind::Import => ("<=", "32"),
        Kind::Update => ("~", "33"),
        Kind::Replace => ("-/+", "31"),
        Kind::Delete => ("-", "31"),
        Kind::Step | Kind::NoChange => (">", "36"),
    }
}

pub fn render(plan: &Plan, color: bool) -> String {
    let paint = |text: &str, code: &str| paint(text, code, color);
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
    let _ = writeln!(out, "{}", paint(&plan.summary().line(), "1"));

    if !plan.missing_prerequisites.is_empty() {
        let _ = writeln!(out, "\n{}", paint("Missing prerequisites (apply refuses until they exist):", "1;31"));
        for missing in &plan.missing_prerequisites {
            let _ = writeln!(out, "  ! {missing}");
        }
    }

    let blocked: Vec<&Action> = plan.blocked().collect();
    if !blocked.is_empty() {
        let _ = writeln!(out, "\n{}", paint("Blocked (apply refuses the plan whatever its flags):", "1;31"));
        for action in blocked {
            let _ = writeln!(out, "  ! {} {}", verb(action.kind), heading(action));
            let _ = writeln!(out, "      {}", action.blocked.as_deref().unwrap_or_default());
        }
    }

    let risky: Vec<&Action> = plan.data_loss().collect();
    if !risky.is_empty() {
        let _ = writeln!(out, "\n{}", paint("Data loss (apply refuses these without --allow-data-loss):", "1;31"));
        for action in risky {
            let loss = action.data_loss.as_ref().expect("filtered on data loss");
            let _ = writeln!(out, "  ! {} {}", verb(action.kind), heading(action));
            let _ = writeln!(out, "      lost: {}", loss.lost);
            let _ = writeln!(out, "      safer: {}", loss.safer_path);
        }
    }
    let security: Vec<&Action> = plan.actions.iter().filter(|a| !a.security.is_empty()).collect();
    if !security.is_empty() {
        let _ = writeln!(out, "\n{}", paint("Security changes:", "1;33"));
        for action in security {
            for line in &action.security {
                let _ = writeln!(out, "  ! {}: {line}", action.resource);
            }
        }
    }

    let _ = writeln!(out, "\nActions, in order:");
    for action in plan.actions.iter().filter(|a| a.kind != Kind::NoChange) {
        let (sign, code) = mark(action.kind);
        let drift = if action.drift { " [drift: changed outside pipe]" } else { "" };
        let _ = writeln!(out, "  {} {} {}{drift}", paint(sign, code), verb(action.kind), heading(action));
        if let Some(reason) = &action.reason {
            let _ = writeln!(out, "      because {reason}");
        }
        for change in &action.changes {
            let _ = writeln!(out, "      {}", change_line(change));
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
    let drifted: Vec<&Action> = plan.actions.iter().filter(|a| a.kind == Kind::NoChange && a.drift).collect();
    if drifted.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nChanged outside pipe, and left so by this plan:");
    for action in drifted {
        let _ = writeln!(out, "  ~ {}", heading(action));
        if let Some(reason) = &action.reason {
            let _ = writeln!(out, "      because {reason}");
        }
        for change in &action.changes {
            let _ = writeln!(out, "      {}", change_line(change));
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

pub fn verb(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "create",
        Kind::Import => "import",
        Kind::Update => "update",
        Kind::Replace => "REPLACE",
        Kind::Delete => "delete",
        Kind::Step => "run",
        Kind::NoChange => "keep",
    }
}

/// `SignupsStream (AWS::Kinesis::Stream internet-offering-signups, component `signups`)`
pub fn heading(action: &Action) -> String {
    let name = action.physical_id.as_deref().map(|id| format!(" {id}")).unwrap_or_default();
    format!("{} ({}{name}, component `{}`)", action.resource, action.resource_type, action.component)
}

/// `ShardCount: 2 → 16 (forces replacement)`
pub fn change_line(change: &Change) -> String {
    let replace = if change.forces_replacement { " (forces replacement)" } else { "" };
    let field = change.field.as_ref().map(|f| format!("  [{f}]")).unwrap_or_default();
    format!("{}: {} → {}{replace}{field}", change.path, shown(change.before.as_ref()), shown(change.after.as_ref()))
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
    use crate::plan::{Fingerprint, Source};

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
        let plan = Plan {
            format_version: 1,
            pipeline: "internet-offering".into(),
            target: "cloudformation".into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            actions: vec![drifted],
            missing_prerequisites: Vec::new(),
            manual_steps: Vec::new(),
            kept: Vec::new(),
            unchecked: Vec::new(),
            source: Source { blueprint: "b.yaml".into(), vars: Vec::new(), vars_files: Vec::new() },
            fingerprint: Fingerprint { model: String::new(), vars: String::new(), live: Vec::new() },
            change_set: None,
            cost: None,
        };
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

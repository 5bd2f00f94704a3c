//! The plan as a pull-request comment: the same order as the text view, in GitHub Markdown.

use std::fmt::Write;

use super::cautions::{self, Subject};
use super::{Kind, Plan};

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### pipe plan: `{}` ({} target, {} / {})\n",
        plan.pipeline, plan.target, plan.account, plan.region
    );
    let kept = note("NOTE", "Kept as deployed", &plan.kept) + &note("WARNING", "Not checked", &plan.unchecked);
    if !plan.has_changes() {
        let _ = writeln!(out, "No changes: live matches the blueprint.");
        if !kept.is_empty() {
            out.push('\n');
            out.push_str(&kept);
        }
        drifted(plan, &mut out);
        manual_steps(plan, &mut out);
        return out;
    }
    out.push_str(&kept);
    let _ = writeln!(out, "**{}**\n", plan.summary().line());
    for caution in cautions::of(plan) {
        match caution.refusal {
            Some(refusal) => {
                let refusal =
                    refusal.split(' ').map(|w| if w.starts_with("--") { format!("`{w}`") } else { w.to_string() });
                let refusal = refusal.collect::<Vec<_>>().join(" ");
                let _ = writeln!(out, "> [!CAUTION]\n> **{}**: `pipe apply` {refusal}.", caution.title);
            }
            None => {
                let _ = writeln!(out, "> [!WARNING]\n> **{}**", caution.title);
            }
        }
        for item in &caution.items {
            let subject = match item.subject {
                Subject::Text(text) => text.to_string(),
                Subject::Resource(resource) => format!("`{resource}`"),
                Subject::Action(action) => format!("{} {}", action.kind.verb(), code(&action.heading())),
            };
            let details = item.detail_lines();
            if details.is_empty() {
                let _ = writeln!(out, "> - {subject}");
            } else {
                let _ = writeln!(out, "> - {subject}: {}", details.join("; "));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "| action | resource | type | component |\n|---|---|---|---|");
    for action in plan.actions.iter().filter(|a| a.kind != Kind::NoChange) {
        let drift = match (action.drift, action.unfinished) {
            (true, _) => " (drift)",
            (_, true) => " (unfinished)",
            _ => "",
        };
        let _ = writeln!(
            out,
            "| {}{drift} | `{}` | `{}` | `{}` |",
            action.kind.verb(),
            action.resource,
            action.resource_type,
            action.component
        );
    }
    let detailed: Vec<_> = plan.actions.iter().filter(|a| !a.changes.is_empty() || !a.steps.is_empty()).collect();
    if !detailed.is_empty() {
        let _ = writeln!(out, "\n<details><summary>Property changes</summary>\n\n```");
        for action in detailed {
            let _ = writeln!(out, "{} {}", action.kind.verb(), action.heading());
            if let Some(reason) = &action.reason {
                let _ = writeln!(out, "  because {reason}");
            }
            for change in &action.changes {
                let _ = writeln!(out, "  {}", change.line());
            }
            for step in &action.steps {
                let _ = writeln!(out, "  step: {step}");
            }
        }
        let _ = writeln!(out, "```\n\n</details>");
    }
    drifted(plan, &mut out);
    manual_steps(plan, &mut out);
    if let Some(cost) = &plan.cost {
        let _ = writeln!(out, "\n```\n{}\n```", cost.lines().join("\n"));
    }
    out
}

/// Drift that applying leaves in place, as the text view shows it apart.
fn drifted(plan: &Plan, out: &mut String) {
    let drifted: Vec<_> = plan.drift_left().collect();
    if drifted.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n> [!WARNING]\n> **Changed outside pipe, and left so by this plan**");
    for action in drifted {
        let mut said: Vec<String> = action.reason.iter().map(|reason| format!("because {reason}")).collect();
        said.extend(action.changes.iter().map(|c| code(&c.line())));
        let _ = writeln!(out, "> - {}: {}", code(&action.heading()), said.join("; "));
    }
}

/// What the pipeline leaves to you, shown whether or not the plan changes anything, as the text
/// view does.
fn manual_steps(plan: &Plan, out: &mut String) {
    if plan.manual_steps.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n**Steps pipe cannot take**, for you to do once:");
    for manual in &plan.manual_steps {
        let _ = writeln!(out, "- `{}`: {}", manual.component, manual.step);
    }
}

/// Inline code that survives backticks inside the text.
fn code(text: &str) -> String {
    format!("`` {} ``", text)
}

/// A GitHub alert of `kind` listing `lines` under `heading`; nothing without lines.
fn note(kind: &str, heading: &str, lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let listed: String = lines.iter().map(|line| format!("> - {line}\n")).collect();
    format!("> [!{kind}]\n> **{heading}**\n{listed}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ManualStep;

    #[test]
    fn a_plan_without_changes_still_lists_what_is_left_to_you() {
        let plan = Plan {
            pipeline: "variants".into(),
            target: "sdk".into(),
            manual_steps: vec![ManualStep { component: "kafka".into(), step: "create topic `events`".into() }],
            ..crate::plan::sample(Vec::new())
        };
        assert_eq!(
            render(&plan),
            "### pipe plan: `variants` (sdk target, 123456789012 / eu-west-1)\n\nNo changes: live matches the blueprint.\n\n\
             **Steps pipe cannot take**, for you to do once:\n- `kafka`: create topic `events`\n"
        );
    }

    #[test]
    fn cautions_come_first_in_the_text_views_order() {
        use crate::plan::{Action, DataLoss, Kind};
        let mut table = Action {
            kind: Kind::Replace,
            component: "orders".into(),
            resource: "OrdersTable".into(),
            resource_type: "AWS::DynamoDB::Table".into(),
            ..Action::default()
        };
        table.data_loss = Some(DataLoss { lost: "every item".into(), safer_path: "export it first".into() });
        table.security = vec!["encryption turned off".into()];
        let plan = Plan { missing_prerequisites: vec!["Glue table `db.t`".into()], ..crate::plan::sample(vec![table]) };
        let rendered = render(&plan);
        let cautions =
            &rendered[rendered.find("> [!CAUTION]").expect("cautions")..rendered.find("| action").expect("table")];
        assert_eq!(
            cautions,
            "> [!CAUTION]\n> **Missing prerequisites**: `pipe apply` refuses until they exist.\n> - Glue table `db.t`\n\n\
             > [!CAUTION]\n> **Data loss**: `pipe apply` refuses these without `--allow-data-loss`.\n\
             > - REPLACE `` OrdersTable (AWS::DynamoDB::Table, component `orders`) ``: lost: every item; safer: export it first\n\n\
             > [!WARNING]\n> **Security changes**\n> - `OrdersTable`: encryption turned off\n\n"
        );
    }
}

//! `pipe diff`: every property where what is deployed differs from the blueprint, before and
//! after; IAM statement changes in a section of their own, marked where they broaden access.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::plan::{Action, Kind, risk};
use crate::style::{Style, paint};

use super::live::{self, TargetArgs};
use super::{Error, Outcome, OutputFormat, VarArgs, color_stdout};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The blueprint to compare with what is deployed.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// `text` for people, `json` (the actions with their changes) for scripts.
    #[arg(long, value_enum, default_value = "text")]
    output: OutputFormat,
    /// Exit 2 when anything differs (0 when nothing does), as `git diff --exit-code`.
    #[arg(long)]
    exit_code: bool,
}

impl DiffArgs {
    pub fn exit_code(&self) -> bool {
        self.exit_code
    }
}

pub fn run(args: &DiffArgs) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(&args.file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let runtime = live::runtime()?;
    let actions = runtime.block_on(async {
        let deployment = args.target.connect(&compiled).await?;
        Ok::<_, Error>(deployment.differences(&compiled).await?)
    })?;
    // What the blueprint changes, and what changed outside pipe (drift a plan leaves in place).
    let differing: Vec<&Action> =
        actions.iter().filter(|a| (a.kind != Kind::NoChange || a.drift) && a.kind != Kind::Step).collect();
    let mut stdout = std::io::stdout();
    match args.output {
        OutputFormat::Json => {
            let body = serde_json::json!({
                "format_version": crate::plan::FORMAT_VERSION,
                "pipeline": compiled.pipeline.name,
                "differences": differing,
            });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&body).expect("serialises"))?;
        }
        OutputFormat::Text => write!(stdout, "{}", render(&differing, color_stdout()))?,
    }
    Ok(if args.exit_code && !differing.is_empty() { Outcome::Changes } else { Outcome::Success })
}

/// The text view: resources and their non-IAM changes, then the IAM statement changes.
fn render(differing: &[&Action], color: bool) -> String {
    if differing.is_empty() {
        return "No differences: what is deployed matches the blueprint.\n".to_string();
    }
    let paint = |text: String, style: Style| paint(&text, style, color);
    let mut out = String::new();
    for action in differing {
        let verb = if action.kind == Kind::NoChange { "changed outside pipe:" } else { action.kind.verb() };
        out.push_str(&paint(format!("{verb} {}\n", action.heading()), action.kind.mark().1));
        if action.kind == Kind::Create {
            out.push_str("    not deployed\n");
        }
        if let Some(reason) = action.reason.as_ref().filter(|_| action.drift) {
            out.push_str(&format!("    because {reason}\n"));
        }
        for change in action.changes.iter().filter(|c| !risk::is_policy(&c.path)) {
            out.push_str(&format!("    {}\n", change.line()));
        }
    }
    let iam: Vec<&&Action> = differing.iter().filter(|a| a.changes.iter().any(|c| risk::is_policy(&c.path))).collect();
    if !iam.is_empty() {
        out.push_str("\nIAM statements:\n");
        for action in iam {
            out.push_str(&format!("  {}\n", action.heading()));
            for change in action.changes.iter().filter(|c| risk::is_policy(&c.path)) {
                out.push_str(&format!("    {}\n", change.line()));
            }
            for line in &action.security {
                out.push_str(&paint(format!("    ! broadens access: {line}\n"), Style::Removed));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::Change;

    #[test]
    fn iam_statement_changes_have_their_own_section_marked_where_they_broaden_access() {
        let change = |path: &str, before, after| Change {
            path: path.into(),
            before: Some(before),
            after: Some(after),
            forces_replacement: false,
            field: None,
        };
        let role = Action {
            kind: Kind::Update,
            component: "enrich".into(),
            resource: "EnrichRole".into(),
            resource_type: "AWS::IAM::Role".into(),
            changes: vec![
                change("MaxSessionDuration", json!(3600), json!(7200)),
                change("Policies[0].PolicyDocument.Statement[1].Action[0]", json!("sns:Publish"), json!("sns:*")),
            ],
            security: vec!["grants `sns:*` on `arn:aws:sns:eu-west-1:123456789012:offers` (Policies)".into()],
            ..Action::default()
        };
        assert_eq!(
            render(&[&role], false),
            "update EnrichRole (AWS::IAM::Role, component `enrich`)\n    MaxSessionDuration: 3600 → 7200\n\n\
             IAM statements:\n  EnrichRole (AWS::IAM::Role, component `enrich`)\n    \
             Policies[0].PolicyDocument.Statement[1].Action[0]: \"sns:Publish\" → \"sns:*\"\n    \
             ! broadens access: grants `sns:*` on `arn:aws:sns:eu-west-1:123456789012:offers` (Policies)\n"
        );
    }
}

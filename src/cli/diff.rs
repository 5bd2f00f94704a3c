//! `pipe diff`: every property where live differs from the blueprint, before and after.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::plan::Kind;
use crate::plan::text::{change_line, heading, verb};

use super::live::{self, TargetArgs};
use super::{Error, Outcome, OutputFormat, VarArgs};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The blueprint to compare with live.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// `text` for people, `json` (the plan's actions with their changes) for scripts.
    #[arg(long, value_enum, default_value = "text")]
    output: OutputFormat,
}

pub fn run(args: &DiffArgs) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(&args.file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let runtime = live::runtime()?;
    let plan = runtime.block_on(async {
        let (deployment, mut plan) = args.target.plan(&compiled).await?;
        deployment.discard(&mut plan).await?;
        Ok::<_, Error>(plan)
    })?;
    let differing: Vec<_> = plan.actions.iter().filter(|a| a.kind != Kind::NoChange).collect();
    let mut stdout = std::io::stdout();
    match args.output {
        OutputFormat::Json => {
            let body = serde_json::json!({ "format_version": plan.format_version, "pipeline": plan.pipeline, "differences": differing });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&body).expect("serialises"))?;
        }
        OutputFormat::Text if differing.is_empty() => writeln!(stdout, "No differences: live matches the blueprint.")?,
        OutputFormat::Text => {
            for action in differing {
                writeln!(stdout, "{} {}", verb(action.kind), heading(action))?;
                if action.kind == Kind::Create {
                    writeln!(stdout, "    does not exist")?;
                }
                for change in &action.changes {
                    writeln!(stdout, "    {}", change_line(change))?;
                }
            }
        }
    }
    Ok(Outcome::Success)
}

//! `pipe apply`: converge a blueprint (or exactly a saved plan) with live, with progress.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::backend::Options;
use crate::plan::Plan;

use super::live::{self, TargetArgs, failed};
use super::plan::{PlanFormat, show};
use super::{Error, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A blueprint, or a plan saved with `pipe plan --out`.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
    /// Allow replacing or deleting data stores (streams, tables, buckets, clusters, domains).
    #[arg(long)]
    allow_data_loss: bool,
    /// A resource of a stack in UPDATE_ROLLBACK_FAILED that CloudFormation is to count as rolled
    /// back (its logical id, as the plan names it; repeatable). CloudFormation target only.
    #[arg(long, value_name = "ID")]
    skip_resource: Vec<String>,
    /// How many resources to converge at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
}

pub fn run(args: &ApplyArgs) -> Result<Outcome, Error> {
    let text = fs_err::read_to_string(&args.file)?;
    let saved = text.trim_start().starts_with('{').then(|| Plan::from_json(&text)).transpose().map_err(Error::Usage)?;
    let (file, vars) = match &saved {
        Some(plan) => (PathBuf::from(&plan.source.blueprint), live::vars_of(&plan.source)),
        None => (args.file.clone(), args.vars.clone()),
    };
    let Some(compiled) = live::compile(&file, &vars)? else { return Ok(Outcome::Invalid) };
    let runtime = live::runtime()?;
    runtime.block_on(async {
        // A saved plan applies with the target it was made for, unless told otherwise.
        let target = saved.as_ref().map_or_else(|| args.target.clone(), |plan| args.target.or_target(&plan.target));
        let (deployment, mut plan) = target.plan(&compiled, false).await?;
        if let Some(saved) = &saved {
            // Made again, the plan must match the saved one; a saved change set must still be
            // executable as it was.
            let stale = refuse_if_stale(saved, &plan);
            let current = stale.is_ok() && deployment.is_current(saved).await?;
            deployment.discard(&mut plan).await?;
            stale?;
            if !current {
                return Err(failed(
                    "the saved plan is stale: its change set can no longer be executed (the stack changed since); run `pipe plan --out` again",
                ));
            }
            plan = saved.clone();
        }
        let mut stdout = std::io::stdout();
        write!(stdout, "{}", show(&plan, PlanFormat::Text))?;
        if !plan.has_changes() {
            return Ok(Outcome::Success);
        }
        let blocked: Vec<String> =
            plan.blocked().map(|a| format!("{}: {}", a.resource, a.blocked.as_deref().unwrap_or_default())).collect();
        let refused = if !blocked.is_empty() {
            Some(failed(format!("the plan holds what the target cannot do:\n  {}", blocked.join("\n  "))))
        } else if !plan.missing_prerequisites.is_empty() {
            Some(failed(format!(
                "the pipeline relies on what does not exist yet:\n  {}",
                plan.missing_prerequisites.join("\n  ")
            )))
        } else if let Err(refused) = plan.refuse_data_loss(args.allow_data_loss) {
            Some(failed(refused))
        } else if !args.yes && !confirm(&plan)? {
            Some(Error::Usage("apply cancelled: nothing was changed".into()))
        } else {
            None
        };
        if let Some(refused) = refused {
            deployment.discard(&mut plan).await?;
            return Err(refused);
        }
        let options = Options {
            concurrency: usize::from(args.concurrency),
            allow_data_loss: args.allow_data_loss,
            skip_resources: args.skip_resource.clone(),
            stop: Some(super::signals::listen()?),
        };
        let progress = crate::ui::progress::for_stderr(std::io::stderr().is_terminal());
        let start = Instant::now();
        match deployment.apply(&plan, options, progress.as_ref()).await {
            Ok(_) => {
                writeln!(
                    stdout,
                    "\nApply complete in {}: {}. `pipe plan` now shows no changes.",
                    crate::ui::progress::seconds(start.elapsed()),
                    plan.summary().done_line()
                )?;
                Ok(Outcome::Success)
            }
            Err(error) => Err(live::stopped_part_way(
                error,
                "run `pipe apply` again to resume: it finds what exists and converges the rest",
            )),
        }
    })
}

fn confirm(plan: &Plan) -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage("no terminal to confirm on: pass --yes to apply without asking".into()));
    }
    Ok(crate::ui::prompt::confirm(&format!("Apply these changes to `{}`?", plan.pipeline))?)
}

/// A saved plan applies only to the inputs and live state it was made from.
fn refuse_if_stale(saved: &Plan, now: &Plan) -> Result<(), Error> {
    let moved = saved.stale_reasons(now);
    if moved.is_empty() {
        return Ok(());
    }
    Err(failed(format!("the saved plan is stale: {}; run `pipe plan --out` again", moved.join("; "))))
}

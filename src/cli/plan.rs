//! `pipe plan`: what converging a blueprint would change, risk first.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::plan::{Plan, markdown, text};

use super::live::{self, TargetArgs};
use super::{Error, Outcome, VarArgs, color_stdout};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The blueprint to plan.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// `text` for people, `json` for scripts (versioned), `markdown` for a pull-request comment.
    #[arg(long, value_enum, default_value = "text")]
    output: PlanFormat,
    /// Save the plan to FILE, for `pipe apply FILE` to apply exactly it.
    #[arg(short = 'o', long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit 0 when there is nothing to change, 2 when there is, 1 on error.
    #[arg(long)]
    detailed_exitcode: bool,
    /// CloudFormation target: also run drift detection on the stack and show what changed
    /// outside pipe (a scan of every resource; the SDK target always compares what is live).
    #[arg(long)]
    detect_drift: bool,
    /// Price the cost lines with these overrides (as `pipe cost --prices`).
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
}

impl PlanArgs {
    pub fn detailed_exitcode(&self) -> bool {
        self.detailed_exitcode
    }
}

pub fn run(args: &PlanArgs) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(&args.file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let runtime = live::runtime()?;
    let plan = runtime.block_on(async {
        let (deployment, mut plan) = args.target.plan(&compiled, args.detect_drift).await?;
        let book = super::cost::price_book(args.prices.as_deref())?;
        plan.cost = Some(crate::cost::delta::of(&compiled.pipeline, &plan, &book));
        match &args.out {
            Some(path) => fs_err::write(path, plan.to_json())?,
            // Nobody can apply this plan's change set: do not leave it behind.
            None => deployment.discard(&mut plan).await?,
        }
        Ok::<_, Error>(plan)
    })?;
    write!(std::io::stdout(), "{}", show(&plan, args.output))?;
    Ok(if args.detailed_exitcode && plan.has_changes() { Outcome::Changes } else { Outcome::Success })
}

pub fn show(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => text::render(plan, color_stdout()),
        PlanFormat::Json => plan.to_json(),
        PlanFormat::Markdown => markdown::render(plan),
    }
}

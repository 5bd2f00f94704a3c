//! `pipe plan`: what converging a blueprint would change, risk first; for several blueprints
//! (files, directories, or those a git revision changed), every plan and one summary.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use futures::StreamExt;

use crate::backend::Compiled;
use crate::backend::aws::Account;
use crate::cost::prices::PriceBook;
use crate::plan::set::{self, PlanSet};
use crate::plan::{Plan, markdown, text};

use super::live::{self, Checked, TargetArgs};
use super::select::Selection;
use super::{Error, Outcome, VarArgs, color_stdout};

/// How many blueprints are planned at once: each plan makes many calls of its own.
const PLANNED_AT_ONCE: usize = 4;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// One blueprint file gives its plan; several, a directory or `--changed-since` give every
    /// plan and one summary (`--output json`: one document of all of them).
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// `text` for people, `json` for scripts (versioned), `markdown` for a pull-request comment.
    #[arg(long, value_enum, default_value = "text")]
    output: PlanFormat,
    /// Save the plan to FILE, for `pipe apply FILE` to apply exactly it (one blueprint only).
    #[arg(short = 'o', long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit 0 when there is nothing to change, 2 when there is, 1 on error (in any blueprint).
    #[arg(long)]
    detailed_exitcode: bool,
    /// CloudFormation target: also run CloudFormation's drift detection on the stack, which
    /// tells resources deleted outside pipe (every plan reads live and shows what changed).
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
    match args.selection.single_file() {
        Some(file) => run_one(args, file),
        None => run_many(args),
    }
}

fn run_one(args: &PlanArgs, file: &Path) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let book = super::cost::price_book(args.prices.as_deref())?;
    let plan = live::runtime()?.block_on(async {
        let account = args.target.account().await?;
        plan_one(args, account, &compiled, &book, args.out.as_deref()).await
    })?;
    write!(std::io::stdout(), "{}", show(&plan, args.output))?;
    Ok(if args.detailed_exitcode && plan.has_changes() { Outcome::Changes } else { Outcome::Success })
}

/// Plans every selected blueprint, up to `PLANNED_AT_ONCE` at a time, each to its end: one
/// that fails or is invalid is reported in its place and the others are still planned.
fn run_many(args: &PlanArgs) -> Result<Outcome, Error> {
    if args.out.is_some() {
        return Err(Error::Usage("`--out` saves one plan for `pipe apply`: give one blueprint file".into()));
    }
    let selected = args.selection.resolve(&args.vars.load()?, &args.vars.vars_files)?;
    let book = super::cost::price_book(args.prices.as_deref())?;
    let checked: Vec<(String, Result<Checked, Error>)> =
        selected.files.iter().map(|file| (file.display().to_string(), live::check(file, &args.vars))).collect();
    let entries = live::runtime()?.block_on(async {
        let account = match checked.iter().any(|(_, c)| matches!(c, Ok(Checked::Valid(_)))) {
            true => Some(args.target.account().await?),
            false => None,
        };
        let planned = futures::stream::iter(checked).map(|(blueprint, checked)| {
            let (account, book) = (account.clone(), &book);
            async move {
                let outcome = match checked {
                    Err(error) => set::Outcome::Failed(error.to_string()),
                    Ok(Checked::Invalid(report)) => set::Outcome::Invalid(report),
                    Ok(Checked::Valid(compiled)) => {
                        let account = account.expect("connected: a blueprint is valid");
                        match plan_one(args, account, &compiled, book, None).await {
                            Ok(plan) => set::Outcome::Planned(Box::new(plan)),
                            Err(error) => set::Outcome::Failed(error.to_string()),
                        }
                    }
                };
                set::Entry { blueprint, outcome }
            }
        });
        Ok::<_, Error>(planned.buffered(PLANNED_AT_ONCE).collect::<Vec<_>>().await)
    })?;
    let removed = selected.removed.iter().map(|p| p.display().to_string()).collect();
    let plans = PlanSet { entries, removed };
    let shown = match args.output {
        PlanFormat::Text => plans.text(color_stdout()),
        PlanFormat::Json => plans.to_json() + "\n",
        PlanFormat::Markdown => plans.markdown(),
    };
    write!(std::io::stdout(), "{shown}")?;
    let counts = plans.counts();
    Ok(match (counts.failed + counts.invalid, counts.changes) {
        (0, 0) => Outcome::Success,
        (0, _) if args.detailed_exitcode => Outcome::Changes,
        (0, _) => Outcome::Success,
        _ => Outcome::Failed,
    })
}

/// Plans `compiled` in `account` and prices it; the plan is saved to `out`, or its change set
/// dropped, since nobody can apply it then.
async fn plan_one(
    args: &PlanArgs,
    account: Account,
    compiled: &Compiled,
    book: &PriceBook,
    out: Option<&Path>,
) -> Result<Plan, Error> {
    let deployment = args.target.deploy(account, compiled).await?;
    let mut plan = deployment.plan(compiled, args.detect_drift).await?;
    plan.cost = Some(crate::cost::delta::of(&compiled.pipeline, &plan, book));
    match out {
        Some(path) => fs_err::write(path, plan.to_json())?,
        None => deployment.discard(&mut plan).await?,
    }
    Ok(plan)
}

pub fn show(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => text::render(plan, color_stdout()),
        PlanFormat::Json => plan.to_json(),
        PlanFormat::Markdown => markdown::render(plan),
    }
}

//! `pipe destroy`: delete a pipeline's resources, dependents first; data stores are kept
//! unless `--allow-data-loss`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use crate::backend::Options;

use super::live::{self, TargetArgs};
use super::{Error, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The blueprint whose pipeline to delete.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
    /// Delete data stores too (streams, tables, buckets, clusters, domains), with their data.
    #[arg(long)]
    allow_data_loss: bool,
}

pub fn run(args: &DestroyArgs) -> Result<Outcome, Error> {
    let Some(compiled) = live::compile(&args.file, &args.vars)? else { return Ok(Outcome::Invalid) };
    let runtime = live::runtime()?;
    runtime.block_on(async {
        let deployment = args.target.connect(&compiled).await?;
        let mut stdout = std::io::stdout();
        if !deployment.exists().await? {
            writeln!(stdout, "Nothing to destroy: no resource of `{}` exists.", compiled.pipeline.name)?;
            return Ok(Outcome::Success);
        }
        writeln!(stdout, "Destroying `{}`.", compiled.pipeline.name)?;
        if !args.yes {
            if !std::io::stdin().is_terminal() {
                return Err(Error::Usage("no terminal to confirm on: pass --yes to destroy without asking".into()));
            }
            if !crate::ui::prompt::confirm(&format!("Delete the resources of `{}`?", compiled.pipeline.name))? {
                return Err(Error::Usage("destroy cancelled: nothing was deleted".into()));
            }
        }
        let options = Options {
            concurrency: 8,
            allow_data_loss: args.allow_data_loss,
            stop: Some(super::signals::listen()?),
            ..Options::default()
        };
        let progress = crate::ui::progress::for_stderr(std::io::stderr().is_terminal());
        let (done, kept) = deployment
            .destroy(options, progress.as_ref())
            .await
            .map_err(|e| live::stopped_part_way(e, "run `pipe destroy` again to resume"))?;
        writeln!(stdout, "\nDeleted {} resources.", done.len())?;
        if !kept.is_empty() {
            writeln!(stdout, "Kept these data stores and their data (pass --allow-data-loss to delete them):")?;
            for store in kept {
                writeln!(stdout, "  {store}")?;
            }
        }
        Ok(Outcome::Success)
    })
}

//! `pipe render`: the CloudFormation template of a valid blueprint.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::blueprint;
use crate::render::{self, Format};

use super::{Error, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The blueprint to render.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    /// Template format (`--output` is a format in every command; `--format` is its old name).
    #[arg(long = "output", alias = "format", value_enum, default_value = "yaml")]
    format: Format,
    /// Write the template to PATH instead of stdout (as `plan --out`).
    #[arg(short = 'o', long = "out", value_name = "PATH")]
    out: Option<PathBuf>,
    /// Also package the code into DIR, laid out as in the artifacts bucket (then
    /// `aws s3 sync DIR s3://BUCKET/`), with each Kinesis Agent's `agent.json` under `agents/`.
    #[arg(long, value_name = "DIR")]
    artifacts: Option<PathBuf>,
}

pub fn run(args: &RenderArgs) -> Result<Outcome, Error> {
    let Some(blueprint) = super::load_valid(&args.file, &args.vars, "rendered")? else { return Ok(Outcome::Invalid) };
    let mut stderr = std::io::stderr();
    let pipeline = crate::model::compile(&blueprint, blueprint::base_dir(&args.file))?;
    let rendered = render::render(&pipeline, args.format)
        .map_err(|e| Error::Usage(format!("{e}; split the pipeline into two blueprints")))?;
    match &args.out {
        Some(path) => fs_err::write(path, &rendered.text)?,
        None => std::io::stdout().write_all(rendered.text.as_bytes())?,
    }
    if let Some(dir) = &args.artifacts {
        let written = crate::package::write(&pipeline, dir)?;
        writeln!(stderr, "packaged {} files into `{}`", written.len(), dir.display())?;
    }
    if rendered.needs_upload {
        writeln!(
            stderr,
            "note: the template is {} bytes, over the {} CloudFormation takes inline: upload it to S3 and deploy it with `--template-url`",
            rendered.text.len(),
            render::INLINE_BODY_BYTES
        )?;
    }
    Ok(Outcome::Success)
}

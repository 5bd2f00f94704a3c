//! `pipe graph`: draw a blueprint's pipeline, sized, with the flow on each edge.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::blueprint::graph::Graph;
use crate::diagram::{self, dot, mermaid};

use super::{Error, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The blueprint to draw.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    /// `mermaid` (renders in GitHub pull requests and READMEs) or `dot` (Graphviz: `dot -Tsvg`).
    #[arg(long, value_enum, default_value = "mermaid")]
    output: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

pub fn run(args: &GraphArgs) -> Result<Outcome, Error> {
    let Some(blueprint) = super::load_valid(&args.file, &args.vars, "drawn")? else { return Ok(Outcome::Invalid) };
    let drawing = diagram::draw(&Graph::new(&blueprint));
    let text = match args.output {
        GraphFormat::Mermaid => mermaid::render(&drawing),
        GraphFormat::Dot => dot::render(&drawing),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}

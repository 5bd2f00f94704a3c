//! `pipe validate`: check blueprint files and report every problem.

use std::io::Write;

use clap::Args;

use crate::diagnostic::{FileReport, json, text};

use super::select::Selection;
use super::{Error, Outcome, OutputFormat, VarArgs, use_color};
use crate::style::{Style, paint};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    vars: VarArgs,
    /// `text` for people (on stderr), `json` for machines (on stdout).
    #[arg(long, value_enum, default_value = "text")]
    output: OutputFormat,
    /// Also show, per component of each valid blueprint, its size and the load on each of its
    /// limits at the declared throughput (on stdout).
    #[arg(long)]
    explain: bool,
}

pub fn run(args: &ValidateArgs) -> Result<Outcome, Error> {
    let overrides = args.vars.load()?;
    let selected = args.selection.resolve(&overrides, &args.vars.vars_files)?;
    let files = selected.files;
    if args.explain && args.output == OutputFormat::Json {
        return Err(Error::Usage("`--explain` shows text; `pipe cost --output json` gives the figures".into()));
    }
    let mut reports = Vec::with_capacity(files.len());
    let mut explained = String::new();
    for file in &files {
        let loaded = super::load(file, &overrides)?;
        if let (true, Some(blueprint)) = (args.explain && loaded.report.errors() == 0, &loaded.blueprint) {
            let graph = crate::blueprint::graph::Graph::new(blueprint);
            explained.push_str(&crate::capacity::view::render(&blueprint.name, &crate::capacity::report(&graph)));
        }
        reports.push(loaded.report);
    }
    let invalid = reports.iter().any(|r| r.errors() > 0);
    match args.output {
        OutputFormat::Json => writeln!(std::io::stdout(), "{}", json::render(&reports))?,
        // Only `--changed-since` selects none; a directory without blueprints is an error.
        OutputFormat::Text if reports.is_empty() => writeln!(std::io::stderr(), "ok: no blueprint changed")?,
        OutputFormat::Text => write!(std::io::stderr(), "{}", render_text(&reports, use_color()))?,
    }
    write!(std::io::stdout(), "{explained}")?;
    for removed in &selected.removed {
        writeln!(
            std::io::stderr(),
            "note: `{}` was removed; its pipeline stays deployed until destroyed",
            removed.display()
        )?;
    }
    Ok(if invalid { Outcome::Invalid } else { Outcome::Success })
}

fn render_text(reports: &[FileReport], color: bool) -> String {
    let mut out = String::new();
    for report in reports {
        out.push_str(&text::render(report, color));
    }
    let invalid = reports.iter().filter(|r| r.errors() > 0).count();
    let errors: usize = reports.iter().map(FileReport::errors).sum();
    let warnings: usize = reports.iter().map(FileReport::warnings).sum();
    let files = match reports {
        [one] => format!("`{}`", one.source.path().display()),
        _ => format!("{} blueprints", reports.len()),
    };
    let warned = match warnings {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    let line = if invalid == 0 {
        let style = if warnings == 0 { Style::Success } else { Style::Warning };
        format!("{}: {files} valid{warned}\n", paint("ok", style, color))
    } else {
        let plural = if errors == 1 { "" } else { "s" };
        let which = if reports.len() == 1 { String::new() } else { format!(" in {invalid} of them") };
        format!("{}: {files}: {errors} error{plural}{which}{warned}\n", paint("invalid", Style::Error, color))
    };
    out.push_str(&line);
    out
}

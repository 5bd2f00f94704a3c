//! `pipe validate`: check blueprint files and report every problem.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::diagnostic::{FileReport, json, text};

use super::{Error, Outcome, OutputFormat, VarArgs, use_color};
use crate::style::{Style, paint};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Blueprint files, or directories whose `*.yaml` and `*.yml` files are blueprints.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
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
    let files = blueprint_files(&args.paths)?;
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
        OutputFormat::Text => write!(std::io::stderr(), "{}", render_text(&reports, use_color()))?,
    }
    write!(std::io::stdout(), "{explained}")?;
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

/// Files as given, and the `*.yaml`/`*.yml` files of directories, sorted; each path once.
fn blueprint_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = fs_err::read_dir(path)?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| p.is_file() && is_yaml(p))
                .collect();
            if found.is_empty() {
                return Err(Error::Usage(format!("no `*.yaml` or `*.yml` files in `{}`", path.display())));
            }
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(Error::Usage(format!("`{}` does not exist", path.display())));
        }
    }
    files.dedup();
    Ok(files)
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

//! `pipe init`: write a scenario blueprint and its code to start from.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::diagnostic::{did_you_mean, one_of};
use crate::scenarios::{self, Scenario};

use super::{Error, Outcome};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["scenario", "list"]))]
pub struct InitArgs {
    /// The whitepaper scenario to copy (see `--list`).
    #[arg(long, value_name = "NAME")]
    scenario: Option<String>,
    /// Where to write the blueprint; its code goes in a directory beside it. Default: `./<NAME>.yaml`.
    #[arg(requires = "scenario")]
    path: Option<PathBuf>,
    /// List the scenarios.
    #[arg(long)]
    list: bool,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &InitArgs) -> Result<Outcome, Error> {
    let mut out = std::io::stdout().lock();
    let Some(name) = &args.scenario else {
        let scenarios = scenarios::all();
        let width = scenarios.iter().map(|s| s.name.len()).max().unwrap_or(0);
        for scenario in scenarios {
            writeln!(out, "{:width$}  {}", scenario.name, scenario.description())?;
        }
        return Ok(Outcome::Success);
    };
    let scenario = scenarios::find(name).ok_or_else(|| unknown(name))?;
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from(format!("{name}.yaml")));
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    // The shipped blueprints point their editor schema at the repository's `schemas/`; a blueprint
    // written elsewhere gets the schema beside it and a modeline that resolves there.
    let blueprint = scenario.blueprint.replacen(SHIPPED_SCHEMA, &format!("$schema={SCHEMA_FILE}"), 1);
    let schema = format!("{}\n", crate::blueprint::spec::json_schema());
    let mut writes: Vec<(PathBuf, &[u8])> = vec![(path.clone(), blueprint.as_bytes())];
    writes.extend(scenario.code_files().into_iter().map(|(relative, contents)| (dir.join(relative), contents)));
    let schema_path = dir.join(SCHEMA_FILE);
    if !args.force
        && let Some((existing, _)) = writes.iter().find(|(p, _)| p.exists())
    {
        return Err(Error::Usage(format!("`{}` exists; pass `--force` to overwrite", existing.display())));
    }
    // The schema is the same for every blueprint pipe writes: refreshed, never a reason to refuse.
    writes.push((schema_path, schema.as_bytes()));
    for (target, contents) in &writes {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(target, contents)?;
    }
    let code = writes.len() - 2;
    writeln!(
        out,
        "wrote `{}`, {code} code files and the editor schema `{SCHEMA_FILE}` for scenario `{name}`",
        path.display()
    )?;
    writeln!(out, "next: `pipe validate {}`", path.display())?;
    Ok(Outcome::Success)
}

/// Where the shipped blueprints' modeline points, and the file `init` writes beside a blueprint.
const SHIPPED_SCHEMA: &str = "$schema=../schemas/blueprint.schema.json";
const SCHEMA_FILE: &str = "blueprint.schema.json";

fn unknown(name: &str) -> Error {
    let names: Vec<&str> = scenarios::all().iter().map(|s: &Scenario| s.name).collect();
    let suggestion =
        did_you_mean(name, names.iter().copied()).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
    Error::Usage(format!("no scenario `{name}`{suggestion} (scenarios: {})", one_of(&names)))
}

//! Command-line interface: clap definitions here, one handler per subcommand beside them.
//!
//! Exit codes: 0 success, 1 a blueprint is invalid or a command against AWS failed, 2 a usage or
//! I/O error, 130 and 143 an apply or destroy stopped by SIGINT and SIGTERM. `plan --detailed-exitcode`
//! follows Terraform: 0 no changes, 1 any error, 2 changes.

mod apply;
mod cost;
mod destroy;
mod diff;
mod graph;
mod init;
mod live;
mod plan;
mod render;
mod rules;
mod schema;
mod select;
mod shell;
mod signals;
mod status;
mod test;
mod validate;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::blueprint::vars::Vars;
use crate::style::{Style, paint};

/// Provision AWS streaming pipelines from YAML blueprints.
#[derive(Debug, Parser)]
#[command(name = "pipe", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check blueprints: schema, cross-layer rules and AWS limits. Reports every problem.
    Validate(validate::ValidateArgs),
    /// Start a blueprint from one of the whitepaper scenarios.
    Init(init::InitArgs),
    /// Render a blueprint as a CloudFormation template.
    Render(render::RenderArgs),
    /// Print the JSON Schema of the blueprint format.
    Schema,
    /// List the validation rules and the AWS limits they enforce.
    Rules,
    /// Show what applying a blueprint would change, risk first.
    Plan(plan::PlanArgs),
    /// Converge live with a blueprint, or with a plan saved by `plan --out`.
    Apply(apply::ApplyArgs),
    /// Show every property where live differs from a blueprint.
    Diff(diff::DiffArgs),
    /// Delete a pipeline's resources; data stores are kept unless `--allow-data-loss`.
    Destroy(destroy::DestroyArgs),
    /// Estimate a blueprint's monthly cost at its declared throughput, with dated prices.
    Cost(cost::CostArgs),
    /// Show a deployed pipeline's health: what is there, its alarms and their metrics (exit 3
    /// when an alarm fires or something is missing).
    Status(status::StatusArgs),
    /// Write a few marked records into a deployed pipeline and follow them to every component
    /// pipe can observe; remove what it wrote where it can (exit 3 when one did not receive them).
    Test(test::TestArgs),
    /// Draw a blueprint's pipeline (Mermaid or Graphviz DOT), sized, with the flow on each edge.
    Graph(graph::GraphArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    Man,
}

/// `--var` and `--vars-file`, for every command that reads blueprints.
#[derive(Debug, Clone, Args)]
struct VarArgs {
    /// Set a blueprint variable, overriding `vars:` and `--vars-file` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// Read variables from a YAML file of `name: value` pairs (repeatable; later files win).
    #[arg(long = "vars-file", value_name = "FILE")]
    vars_files: Vec<PathBuf>,
}

impl VarArgs {
    fn load(&self) -> Result<Vars, Error> {
        let mut vars = Vars::default();
        for file in &self.vars_files {
            vars.merge(&crate::blueprint::load_vars_file(file).map_err(Error::Usage)?);
        }
        for (name, value) in &self.vars {
            vars.set_plain(name, value);
        }
        Ok(vars)
    }
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE, found `{text}`")),
    }
}

/// Loads and validates a blueprint; a file that cannot be read is a usage error.
fn load(path: &std::path::Path, overrides: &Vars) -> Result<crate::blueprint::Loaded, Error> {
    crate::blueprint::load(path, overrides).map_err(|e| Error::Usage(format!("cannot read `{}`: {e}", path.display())))
}

/// Loads `path` for a command that needs a valid blueprint: reports its diagnostics on stderr,
/// and `Ok(None)` (after saying `not <done>`) when it has errors.
fn load_valid(
    path: &std::path::Path,
    vars: &VarArgs,
    done: &str,
) -> Result<Option<crate::blueprint::spec::Blueprint>, Error> {
    let loaded = load(path, &vars.load()?)?;
    let mut stderr = std::io::stderr();
    if !loaded.report.diagnostics.is_empty() {
        write!(stderr, "{}", crate::diagnostic::text::render(&loaded.report, use_color()))?;
    }
    let valid = loaded.blueprint.filter(|_| loaded.report.errors() == 0);
    if valid.is_none() {
        writeln!(stderr, "not {done}: fix the errors above first")?;
    }
    Ok(valid)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

/// What ends a command early; rendered once, in `main`.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A command against AWS ran and could not finish.
    #[error("{0}")]
    Failed(String),
    /// A signal stopped the command: what it did and how to resume, and the exit code.
    #[error("{0}")]
    Stopped(String, u8),
}

impl From<crate::backend::Error> for Error {
    fn from(error: crate::backend::Error) -> Self {
        Error::Failed(error.to_string())
    }
}

/// Result of a command that ran to its end.
enum Outcome {
    Success,
    /// The command ran, and found blueprints invalid.
    Invalid,
    /// `plan --detailed-exitcode` found changes to make.
    Changes,
    /// The command ran to its end, and some of its work failed (already reported).
    Failed,
    /// `status` found an alarm firing or a component missing; `test` found records missing.
    Unhealthy,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Exit 2 means "changes" for these: a usage error then exits 1, so the two stay apart.
    let detailed = matches!(&cli.command, Command::Plan(args) if args.detailed_exitcode())
        || matches!(&cli.command, Command::Diff(args) if args.exit_code())
        || matches!(&cli.command, Command::Status(_) | Command::Test(_));
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Schema => schema::run(),
        Command::Rules => rules::run(),
        Command::Plan(args) => plan::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Destroy(args) => destroy::run(&args),
        Command::Cost(args) => cost::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man => shell::man(),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid | Outcome::Failed) => ExitCode::from(1),
        Ok(Outcome::Changes) => ExitCode::from(2),
        Ok(Outcome::Unhealthy) => ExitCode::from(3),
        // A closed pipe (`pipe schema | head`) is the reader's choice, not a failure.
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "{}: {error}", paint("error", Style::Error, use_color()));
            match error {
                Error::Stopped(_, code) => ExitCode::from(code),
                Error::Failed(_) => ExitCode::from(1),
                _ if detailed => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

/// Colour on stderr: a terminal, and no `NO_COLOR`.
fn use_color() -> bool {
    color_allowed() && std::io::stderr().is_terminal()
}

/// Colour on stdout: a terminal, and no `NO_COLOR`.
fn color_stdout() -> bool {
    color_allowed() && std::io::stdout().is_terminal()
}

fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

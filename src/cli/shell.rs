//! `pipe completions SHELL` and `pipe man`: the command line described for shells and `man`,
//! from the same definitions clap parses with.

use std::io::Write;

use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell as Generator;

use super::{Cli, Error, Outcome};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Prints the completion script for a shell: `pipe completions bash > /etc/bash_completion.d/pipe`.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome, Error> {
    let shell = match args.shell {
        Shell::Bash => Generator::Bash,
        Shell::Zsh => Generator::Zsh,
        Shell::Fish => Generator::Fish,
        Shell::Powershell => Generator::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "pipe", &mut script);
    std::io::stdout().write_all(&script)?;
    Ok(Outcome::Success)
}

/// Prints the manual page (roff): `pipe man > pipe.1`.
pub fn man() -> Result<Outcome, Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    std::io::stdout().write_all(&page)?;
    Ok(Outcome::Success)
}

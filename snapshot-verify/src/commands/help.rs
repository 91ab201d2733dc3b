//! `completions` and `man`: generated from the command-line definition (clap_complete,
//! clap_mangen), so they never drift from `--help`.

use crate::cli::{Cli, CompletionsArgs, ManArgs, ShellArg};
use crate::exit::ExitStatus;
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};
use std::path::Path;

/// `completions SHELL`: the script on stdout.
pub fn completions(args: &CompletionsArgs) -> Result<ExitStatus> {
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
        ShellArg::Elvish => Shell::Elvish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "snapshot-verify", &mut buf);
    let mut out = io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `man`: the main page on stdout, or every page into `--dir`.
pub fn man(args: &ManArgs) -> Result<ExitStatus> {
    let cmd = Cli::command();
    match &args.dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            let mut out = io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
        Some(dir) => write_pages(cmd, dir)?,
    }
    Ok(ExitStatus::Success)
}

/// `snapshot-verify.1` and `snapshot-verify-COMMAND.1` (and `…-manifest-create.1`) in `dir`.
fn write_pages(cmd: clap::Command, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    clap_mangen::generate_to(cmd, dir).with_context(|| format!("could not write the pages to {}", dir.display()))?;
    Ok(())
}

//! One module per command; each returns the run's [`ExitStatus`].

mod check;
mod codes;
pub mod diff;
mod hash;
mod help;
pub mod manifest;

use crate::cli::{Cli, Command, ManifestCommand};
use crate::exit::ExitStatus;
use anyhow::Result;

pub use check::available_threads;

/// Runs the command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => check::check(args),
        Command::Inspect(args) => check::inspect(args),
        Command::Codes(args) => codes::codes(&args),
        Command::Hash(args) => hash::hash(&args),
        Command::Manifest(ManifestCommand::Create { file, remote }) => manifest::create(&file, &remote),
        Command::Manifest(ManifestCommand::Verify { file, remote, manifest, format }) => {
            manifest::verify(&file, &remote, &manifest, format)
        }
        Command::Diff(args) => diff::diff(args),
        Command::Completions(args) => help::completions(&args),
        Command::Man(args) => help::man(&args),
    }
}

//! `codes`.

use crate::cli::{CodesArgs, SimpleFormat};
use crate::config::Config;
use crate::exit::ExitStatus;
use crate::render::codes;
use anyhow::Result;
use std::io::{self, Write};

/// Lists the finding catalogue, with the effective levels when a policy is in force.
pub fn codes(args: &CodesArgs) -> Result<ExitStatus> {
    let config = Config::load(&args.policy)?;
    let policy = config.policy(&args.policy)?;
    let mut out = io::stdout().lock();
    match args.format {
        SimpleFormat::Human => codes::human_with(&mut out, &policy)?,
        SimpleFormat::Json => codes::json_with(&mut out, &policy)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

//! `codes`.

use crate::cli::{CodesArgs, SimpleFormat};
use crate::exit::ExitStatus;
use crate::render::codes;
use anyhow::Result;
use std::io::{self, Write};

/// Lists the finding catalogue.
pub fn codes(args: &CodesArgs) -> Result<ExitStatus> {
    let mut out = io::stdout().lock();
    match args.format {
        SimpleFormat::Human => codes::human(&mut out)?,
        SimpleFormat::Json => codes::json(&mut out)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

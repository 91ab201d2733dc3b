//! `--format json`: the core's report, byte for byte what the browser module emits.
//!
//! One file named by one argument prints exactly `report.to_json()` and a newline. When the
//! arguments can name several files (several arguments, a directory or a pattern) it prints a
//! JSON array of reports, even of one. Files that could not be verified have no report: they
//! are left out of the array, their error goes to stderr and the exit code is 2.

use super::Ctx;
use crate::engine::Outcome;
use std::io::{self, Write};

/// The `json` renderer.
#[derive(Debug)]
pub struct Json {
    ctx: Ctx,
}

impl Json {
    /// A renderer for `ctx`.
    pub fn new(ctx: Ctx) -> Json {
        Json { ctx }
    }

    /// Prints the report or the array.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        let reports: Vec<_> = all.iter().filter_map(|o| o.result.as_ref().ok()).map(|c| &c.report).collect();
        if !self.ctx.many {
            for report in reports {
                writeln!(out, "{}", report.to_json().map_err(io::Error::other)?)?;
            }
            return Ok(());
        }
        let text = serde_json::to_string_pretty(&reports).map_err(io::Error::other)?;
        writeln!(out, "{text}")
    }
}

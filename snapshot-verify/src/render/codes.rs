//! `codes`: the finding catalogue, for people or programs.

use serde::Serialize;
use snapshot_core::Code;
use std::io::{self, Write};

#[derive(Serialize)]
struct Entry {
    code: &'static str,
    severity: &'static str,
    rule: &'static str,
    family: &'static str,
    description: &'static str,
}

fn entries() -> Vec<Entry> {
    Code::ALL
        .iter()
        .map(|&c| Entry {
            code: c.as_str(),
            severity: c.default_severity().as_str(),
            rule: c.rule(),
            family: c.family().as_str(),
            description: c.description(),
        })
        .collect()
}

/// A table: code, default severity, rule, then the description on its own indented line.
pub fn human(out: &mut impl Write) -> io::Result<()> {
    let all = entries();
    let width = all.iter().map(|e| e.code.len()).max().unwrap_or(0);
    for e in &all {
        writeln!(out, "{:<width$}  {:<7}  {:<10}  {}", e.code, e.severity, e.rule, e.family)?;
        writeln!(out, "    {}", e.description)?;
    }
    writeln!(out, "{} codes", all.len())
}

/// A JSON array of `{code, severity, rule, family, description}`, in catalogue order.
pub fn json(out: &mut impl Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&entries()).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

//! `codes`: the finding catalogue, for people or programs.

use serde::Serialize;
use snapshot_core::{Code, Policy, PolicyLevel};
use std::io::{self, Write};

#[derive(Serialize)]
struct Entry {
    code: &'static str,
    severity: &'static str,
    rule: &'static str,
    family: &'static str,
    description: &'static str,
    /// With a policy: `error`, `warning`, `info` or `allowed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    effective: Option<&'static str>,
    /// With a policy: the selector of the directive that decides, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'static str>,
}

fn entries(policy: &Policy) -> Vec<Entry> {
    Code::ALL
        .iter()
        .map(|&c| {
            let decided = policy.decide(c);
            let effective = match decided {
                Some(d) if d.level == PolicyLevel::Allow => "allowed",
                Some(d) => d.level.severity().as_str(),
                None => c.default_severity().as_str(),
            };
            Entry {
                code: c.as_str(),
                severity: c.default_severity().as_str(),
                rule: c.rule(),
                family: c.family().as_str(),
                description: c.description(),
                effective: (!policy.is_empty()).then_some(effective),
                policy: decided.map(|d| d.selector.as_str()),
            }
        })
        .collect()
}

/// A table: code, default severity, rule, then the description on its own indented line.
pub fn human(out: &mut impl Write) -> io::Result<()> {
    human_with(out, &Policy::new())
}

/// [`human`], with each code's effective level under `policy` when it is not empty
/// (`key-material  warning  S2  security  -> allowed (by key-material)`).
pub fn human_with(out: &mut impl Write, policy: &Policy) -> io::Result<()> {
    let all = entries(policy);
    let width = all.iter().map(|e| e.code.len()).max().unwrap_or(0);
    for e in &all {
        write!(out, "{:<width$}  {:<7}  {:<10}  {}", e.code, e.severity, e.rule, e.family)?;
        match (e.effective, e.policy) {
            (Some(level), Some(by)) => writeln!(out, "  -> {level} (by {by})")?,
            _ => writeln!(out)?,
        }
        writeln!(out, "    {}", e.description)?;
    }
    writeln!(out, "{} codes", all.len())
}

/// A JSON array of `{code, severity, rule, family, description}`, in catalogue order.
pub fn json(out: &mut impl Write) -> io::Result<()> {
    json_with(out, &Policy::new())
}

/// [`json`], plus `effective` (and `policy`, the deciding selector) when `policy` is not empty.
pub fn json_with(out: &mut impl Write, policy: &Policy) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&entries(policy)).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

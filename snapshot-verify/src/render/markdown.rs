//! `--format markdown`: a summary table and each file's findings, for CI job summaries
//! (`>> $GITHUB_STEP_SUMMARY`) and merge-request comments.
//!
//! Text from the archive (entry names, messages) is escaped, so a hostile name cannot inject
//! markup, links or table cells.

use super::Ctx;
use super::text::{self, duration};
use crate::engine::Outcome;
use crate::exit::ExitStatus;
use snapshot_core::Severity;
use std::io::{self, Write};

/// The `markdown` renderer.
#[derive(Debug)]
pub struct Markdown {
    ctx: Ctx,
}

impl Markdown {
    /// A renderer for `ctx`.
    pub fn new(ctx: Ctx) -> Markdown {
        Markdown { ctx }
    }

    /// Writes the document.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        let failed = all.iter().filter(|o| o.status(self.ctx.fail_on) != ExitStatus::Success).count();
        writeln!(out, "## snapshot-verify: {}, {failed} failed", text::plural(all.len(), "file"))?;
        writeln!(out)?;
        writeln!(out, "| File | Era | Version | Verdict | Errors | Warnings | Time |")?;
        writeln!(out, "| --- | --- | --- | --- | ---: | ---: | ---: |")?;
        for o in all {
            let icon = match o.status(self.ctx.fail_on) {
                ExitStatus::Success if text::file_verdict(o) == "pass" => "✅",
                ExitStatus::Success => "⚠️",
                _ => "❌",
            };
            let (e, w) = match &o.result {
                Ok(c) => (c.report.summary().errors.to_string(), c.report.summary().warnings.to_string()),
                Err(_) => ("-".to_owned(), "-".to_owned()),
            };
            writeln!(
                out,
                "| {} | {} | {} | {icon} {}{} | {e} | {w} | {} |",
                code(&o.file, true),
                cell(text::era(o)),
                cell(text::version(o)),
                text::file_verdict(o),
                text::sampled(o),
                duration(o.elapsed)
            )?;
        }
        for o in all {
            self.file(out, o)?;
        }
        Ok(())
    }

    fn file(&self, out: &mut impl Write, o: &Outcome) -> io::Result<()> {
        let c = match &o.result {
            Ok(c) => c,
            Err(err) => {
                writeln!(out, "\n### {}\n", code(&o.file, false))?;
                return writeln!(out, "- ❌ **could not be verified**: {}", inline(&format!("{err:#}")));
            }
        };
        let shown: Vec<_> = c.report.findings().iter().filter(|f| f.severity != Severity::Info).collect();
        let infos: Vec<_> = c.report.findings().iter().filter(|f| f.severity == Severity::Info).collect();
        if shown.is_empty() && infos.is_empty() && c.problems.is_empty() {
            return Ok(());
        }
        writeln!(out, "\n### {}\n", code(&o.file, false))?;
        for p in &c.problems {
            writeln!(out, "- ❌ **{}**: {}", p.kind(), inline(&p.message()))?;
        }
        let line = |f: &snapshot_core::Finding| {
            let mut s = format!("{} ({})", code(f.code.as_str(), false), inline(f.rule));
            if let Some(p) = &f.path {
                s += &format!(" in {}", code(p, false));
            }
            if let Some(o) = f.offset {
                s += &format!(" at offset {o}");
            }
            s + ": " + &inline(&f.message)
        };
        for f in shown {
            let icon = if f.severity == Severity::Error { "❌ **error**" } else { "⚠️ **warning**" };
            writeln!(out, "- {icon} {}", line(f))?;
        }
        if !infos.is_empty() {
            writeln!(out, "\n<details><summary>{}</summary>\n", text::plural(infos.len(), "info"))?;
            for f in infos {
                writeln!(out, "- {}", line(f))?;
            }
            writeln!(out, "\n</details>")?;
        }
        Ok(())
    }
}

/// Escapes inline text: Markdown punctuation and HTML.
pub(super) fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A table cell that is plain text.
fn cell(s: &str) -> String {
    inline(s)
}

/// A code span that holds `s` whatever backticks it contains; `in_table` also escapes `|`,
/// which GitHub's tables split on even inside code.
pub(super) fn code(s: &str, in_table: bool) -> String {
    let mut s: String = s.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    if in_table {
        s = s.replace('|', "\\|");
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_fences_code_with_backticks() {
        assert_eq!(inline("a|b <img> *x* [l](u)\n"), "a\\|b \\<img\\> \\*x\\* \\[l\\](u) ");
        assert_eq!(code("pg_data", false), "`pg_data`");
        assert_eq!(code("a`b", false), "`` a`b ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
    }
}

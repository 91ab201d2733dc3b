//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the run and the pull request.
//!
//! Each error finding becomes `::error file=F,title=CODE::MESSAGE` and each warning
//! `::warning …` (infos are left out); failures outside the report (checksum mismatch,
//! incomplete run, a file that could not be verified) are `::error`s too. A plain line per
//! file and one at the end summarise the run in the log. Values are escaped as the Actions
//! toolkit does: `%`, `\r` and `\n` everywhere, and `:` and `,` in properties.

use super::Ctx;
use super::text;
use crate::engine::Outcome;
use crate::exit::ExitStatus;
use snapshot_core::Severity;
use std::io::{self, Write};

/// The `github` renderer.
#[derive(Debug)]
pub struct Github {
    ctx: Ctx,
}

impl Github {
    /// A renderer for `ctx`.
    pub fn new(ctx: Ctx) -> Github {
        Github { ctx }
    }

    /// The annotations of one file.
    pub fn file(&mut self, out: &mut impl Write, o: &Outcome) -> io::Result<()> {
        let file = property(&o.file);
        let c = match &o.result {
            Ok(c) => c,
            Err(err) => {
                writeln!(out, "::error file={file},title=could-not-run::{}", data(&format!("{err:#}")))?;
                return writeln!(out, "snapshot-verify: {}: could not be verified", o.file);
            }
        };
        for f in c.report.findings() {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => continue,
            };
            let mut message = format!("[{}]", f.rule);
            if let Some(p) = &f.path {
                message += &format!(" {p}");
            }
            if let Some(off) = f.offset {
                message += &format!(" @ offset {off}");
            }
            message += &format!(": {}", f.message);
            writeln!(out, "::{level} file={file},title={}::{}", property(f.code.as_str()), data(&message))?;
        }
        for p in &c.problems {
            writeln!(out, "::error file={file},title={}::{}", property(p.kind()), data(&p.message()))?;
        }
        let s = c.report.summary();
        writeln!(
            out,
            "snapshot-verify: {}: {} ({}, {})",
            o.file,
            text::file_verdict(o),
            text::plural(s.errors, "error"),
            text::plural(s.warnings, "warning")
        )
    }

    /// The closing summary line.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        let failed = all.iter().filter(|o| o.status(self.ctx.fail_on) != ExitStatus::Success).count();
        writeln!(out, "snapshot-verify: {} verified, {failed} failed", text::plural(all.len(), "file"))
    }
}

/// Escapes a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(data("50%\r\nnext: a,b"), "50%25%0D%0Anext: a,b");
        assert_eq!(property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}

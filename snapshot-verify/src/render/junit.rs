//! `--format junit`: JUnit XML as Jenkins, GitLab and GitHub test reporters read it.
//!
//! One `<testsuite>` per file (named by its path), one `<testcase>` per check family (see
//! [`snapshot_core::code::Family`]): `container`, `data`, `names`, `metadata`, `payload`, `target`,
//! `security`. Each error finding is a `<failure>` of its testcase (`type` is the code), and so
//! is each warning with `--fail-on warning`; otherwise warnings are listed in the testcase's
//! `<system-out>`. Info findings are left out. A `sha256` testcase is added when
//! `--expect-sha256` is given, and an incomplete run is a failure of `data`. A file that could
//! not be verified is a suite with one testcase, `verify`, holding an `<error>`.
//!
//! The document follows the Jenkins `junit-10.xsd` shape (the common denominator of CI
//! readers): `testsuites > testsuite > (properties?, testcase*)`, `testcase > (error*,
//! failure*, system-out?)`, counts as integers, times in seconds. Every text and attribute is
//! escaped, and characters XML 1.0 forbids (control characters in hostile entry names) are
//! replaced with U+FFFD.

use super::Ctx;
use super::text;
use crate::cli::FailOn;
use crate::engine::{Checked, Outcome, Problem};
use snapshot_core::Severity;
use snapshot_core::code::Family;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The `junit` renderer.
#[derive(Debug)]
pub struct Junit {
    ctx: Ctx,
}

/// One testcase being built.
struct Case {
    name: &'static str,
    failures: Vec<(String, String, String)>,
    errors: Vec<(String, String)>,
    out: Vec<String>,
}

impl Junit {
    /// A renderer for `ctx`.
    pub fn new(ctx: Ctx) -> Junit {
        Junit { ctx }
    }

    /// Writes the whole document.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        let mut suites = String::new();
        let (mut tests, mut failures, mut errors, mut time) = (0, 0, 0, 0.0);
        for o in all {
            let cases = match &o.result {
                Ok(c) => cases(c, self.ctx.fail_on),
                Err(err) => vec![Case {
                    name: "verify",
                    failures: Vec::new(),
                    errors: vec![("could-not-run".to_owned(), format!("{err:#}"))],
                    out: Vec::new(),
                }],
            };
            let suite_failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
            let suite_errors = cases.iter().filter(|c| c.failures.is_empty() && !c.errors.is_empty()).count();
            tests += cases.len();
            failures += suite_failures;
            errors += suite_errors;
            time += o.elapsed.as_secs_f64();
            write_suite(&mut suites, o, &cases, suite_failures, suite_errors);
        }
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="snapshot-verify" tests="{tests}" failures="{failures}" errors="{errors}" time="{time:.3}">"#
        )?;
        out.write_all(suites.as_bytes())?;
        writeln!(out, "</testsuites>")
    }
}

fn cases(c: &Checked, fail_on: FailOn) -> Vec<Case> {
    let mut cases: Vec<Case> = Family::ALL
        .map(|f| Case { name: f.as_str(), failures: Vec::new(), errors: Vec::new(), out: Vec::new() })
        .into();
    for f in c.report.findings() {
        let Some(case) = cases.iter_mut().find(|k| k.name == f.code.family().as_str()) else { continue };
        let mut place = String::new();
        if let Some(p) = &f.path {
            place += &format!(" {p}");
        }
        if let Some(o) = f.offset {
            place += &format!(" @ offset {o}");
        }
        let line = format!("{} {} [{}]{place}: {}", f.severity.as_str(), f.code.as_str(), f.rule, f.message);
        let fails = f.severity == Severity::Error || (f.severity == Severity::Warning && fail_on == FailOn::Warning);
        // A finding the baseline knows does not fail the run, so it does not fail its case either.
        if fails && !f.baseline {
            let message = format!("[{}]{place}: {}", f.rule, f.message);
            case.failures.push((f.code.as_str().to_owned(), message, line));
        } else if f.severity == Severity::Warning || fails {
            case.out.push(line);
        }
    }
    let mut sha = None;
    for p in &c.problems {
        match p {
            Problem::Incomplete { .. } => {
                if let Some(data) = cases.iter_mut().find(|k| k.name == "data") {
                    data.failures.push((p.kind().to_owned(), p.message(), p.message()));
                }
            }
            Problem::ShaMismatch { .. } => {
                sha.get_or_insert_with(|| Case { name: "sha256", failures: vec![], errors: vec![], out: vec![] })
                    .failures
                    .push((p.kind().to_owned(), p.message(), p.message()));
            }
            Problem::ShaNoExpectation(_) => {
                sha.get_or_insert_with(|| Case { name: "sha256", failures: vec![], errors: vec![], out: vec![] })
                    .errors
                    .push((p.kind().to_owned(), p.message()));
            }
        }
    }
    cases.extend(sha);
    cases
}

fn write_suite(s: &mut String, o: &Outcome, cases: &[Case], failures: usize, errors: usize) {
    let name = attr(&o.file);
    let _ = writeln!(
        s,
        r#"  <testsuite name="{name}" tests="{}" failures="{failures}" errors="{errors}" skipped="0" time="{:.3}">"#,
        cases.len(),
        o.elapsed.as_secs_f64()
    );
    if let Ok(c) = &o.result {
        let r = &c.report;
        let mut props = vec![("verdict", text::file_verdict(o).to_owned())];
        if let Some(era) = &r.snapshot().era {
            props.push(("era", era.id.to_owned()));
        }
        if let Some(v) = &r.snapshot().snapshot_version {
            props.push(("snapshot_version", v.clone()));
        }
        if let Some(sha) = &r.file().sha256 {
            props.push(("sha256", sha.clone()));
        }
        props.push(("size", r.file().size.to_string()));
        let _ = writeln!(s, "    <properties>");
        for (k, v) in props {
            let _ = writeln!(s, r#"      <property name="{k}" value="{}"/>"#, attr(&v));
        }
        let _ = writeln!(s, "    </properties>");
    }
    for case in cases {
        let head = format!(r#"    <testcase name="{}" classname="{name}" time="0""#, case.name);
        if case.failures.is_empty() && case.errors.is_empty() && case.out.is_empty() {
            let _ = writeln!(s, "{head}/>");
            continue;
        }
        let _ = writeln!(s, "{head}>");
        for (ty, message) in &case.errors {
            let _ = writeln!(
                s,
                r#"      <error type="{}" message="{}">{}</error>"#,
                attr(ty),
                attr(message),
                body_text(message)
            );
        }
        for (ty, message, body) in &case.failures {
            let _ = writeln!(
                s,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                attr(ty),
                attr(message),
                body_text(body)
            );
        }
        if !case.out.is_empty() {
            let _ = writeln!(s, "      <system-out>{}</system-out>", body_text(&case.out.join("\n")));
        }
        let _ = writeln!(s, "    </testcase>");
    }
    let _ = writeln!(s, "  </testsuite>");
}

/// Escapes an attribute value (newlines and tabs as character references, so they survive
/// attribute-value normalisation).
fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes element text.
fn body_text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_newlines_and_forbidden_characters() {
        assert_eq!(attr("a<b>&\"c'\n\t\r"), "a&lt;b&gt;&amp;&quot;c&apos;&#10;&#9;&#13;");
        assert_eq!(body_text("x\"\n\u{1}\u{7f}"), "x\"\n\u{FFFD}\u{7f}");
    }
}

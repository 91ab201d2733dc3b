//! `--format jsonl`: one JSON object per line, written as things happen, for log pipelines.
//!
//! # Wire format
//!
//! Every line is an object whose `event` member says what it is. Files verified in parallel
//! interleave their events; `file` (the path as given) tells them apart. The list of events
//! and their members may grow; existing members keep their meaning.
//!
//! - `{"event":"file-start","file":F}`: verification of F begins.
//! - `{"event":"progress","file":F,"done":N,"total":M}`: bytes of compressed entry data checked
//!   so far, at `full` level only: once when the data pass starts (`done` 0), at most once a
//!   second while it runs, and once when it ends. For a URL, `bytes_fetched` and `requests`
//!   say what reading it cost so far (the report's `source` has the totals).
//! - `{"event":"finding","file":F,"code":…,"severity":…,"rule":…,"message":…,"path":…,
//!   "offset":…}`: one per finding, as in the report (`path` and `offset` only when known).
//! - `{"event":"file-done","file":F,"verdict":V,"exit_code":C,"elapsed_ms":T,"problems":[…],
//!   "report":{…}}`: `verdict` is the report's (`pass`, `pass-with-warnings`, `fail`) or the
//!   CLI's (`sha256-mismatch`, `incomplete`); `problems` lists failures outside the report as
//!   `{"kind":…,"message":…}`; `report` is the full report.
//! - `{"event":"file-error","file":F,"error":…,"exit_code":2,"elapsed_ms":T}`: F could not be
//!   verified (unreadable, missing, a pattern that matched nothing).
//! - `{"event":"summary","files":N,"passed":…,"failed":…,"errors":…,"exit_code":C,
//!   "elapsed_ms":T}`: the last line; `errors` counts files that could not be verified.

use super::Ctx;
use super::text;
use crate::engine::{Outcome, Phase, Progress};
use crate::exit::ExitStatus;
use serde::Serialize;
use snapshot_core::Finding;
use snapshot_core::report::Report;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// Running progress is written at most this often per file.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

#[derive(Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
enum Line<'a> {
    FileStart {
        file: &'a str,
    },
    Progress {
        file: &'a str,
        done: u64,
        total: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        bytes_fetched: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        requests: Option<u64>,
    },
    Finding {
        file: &'a str,
        #[serde(flatten)]
        finding: &'a Finding,
    },
    FileDone {
        file: &'a str,
        verdict: &'a str,
        exit_code: u8,
        elapsed_ms: u128,
        problems: Vec<ProblemLine>,
        report: &'a Report,
    },
    FileError {
        file: &'a str,
        error: String,
        exit_code: u8,
        elapsed_ms: u128,
    },
    Summary {
        files: usize,
        passed: usize,
        failed: usize,
        errors: usize,
        exit_code: u8,
        elapsed_ms: u128,
    },
}

#[derive(Serialize)]
struct ProblemLine {
    kind: &'static str,
    message: String,
}

/// The `jsonl` renderer.
#[derive(Debug)]
pub struct Jsonl {
    ctx: Ctx,
    start: Instant,
    last_progress: HashMap<String, Instant>,
}

impl Jsonl {
    /// A renderer for `ctx`.
    pub fn new(ctx: Ctx) -> Jsonl {
        Jsonl { ctx, start: Instant::now(), last_progress: HashMap::new() }
    }

    fn line(out: &mut impl Write, line: &Line) -> io::Result<()> {
        serde_json::to_writer(&mut *out, line).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// `file-start`.
    pub fn started(&mut self, out: &mut impl Write, file: &str) -> io::Result<()> {
        Self::line(out, &Line::FileStart { file })
    }

    /// `progress`, throttled.
    pub fn progress(&mut self, out: &mut impl Write, file: &str, p: Progress) -> io::Result<()> {
        if p.phase == Phase::Running {
            let now = Instant::now();
            match self.last_progress.get(file) {
                Some(last) if now.duration_since(*last) < PROGRESS_EVERY => return Ok(()),
                _ => {}
            }
            self.last_progress.insert(file.to_owned(), now);
        } else if p.phase == Phase::Start {
            self.last_progress.insert(file.to_owned(), Instant::now());
        } else {
            self.last_progress.remove(file);
        }
        let (bytes_fetched, requests) = (p.fetched.map(|f| f.0), p.fetched.map(|f| f.1));
        Self::line(out, &Line::Progress { file, done: p.done, total: p.total, bytes_fetched, requests })
    }

    /// `finding`s and `file-done`, or `file-error`.
    pub fn completed(&mut self, out: &mut impl Write, o: &Outcome) -> io::Result<()> {
        let file = o.file.as_str();
        let exit_code = o.status(self.ctx.fail_on).code();
        let elapsed_ms = o.elapsed.as_millis();
        match &o.result {
            Ok(c) => {
                for finding in c.report.findings() {
                    Self::line(out, &Line::Finding { file, finding })?;
                }
                let problems =
                    c.problems.iter().map(|p| ProblemLine { kind: p.kind(), message: p.message() }).collect();
                let verdict = text::file_verdict(o);
                Self::line(out, &Line::FileDone { file, verdict, exit_code, elapsed_ms, problems, report: &c.report })
            }
            Err(err) => Self::line(out, &Line::FileError { file, error: format!("{err:#}"), exit_code, elapsed_ms }),
        }
    }

    /// `summary`.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        let statuses: Vec<ExitStatus> = all.iter().map(|o| o.status(self.ctx.fail_on)).collect();
        let count = |s| statuses.iter().filter(|&&x| x == s).count();
        let exit_code = statuses.iter().copied().max().unwrap_or(ExitStatus::Error).code();
        Self::line(
            out,
            &Line::Summary {
                files: all.len(),
                passed: count(ExitStatus::Success),
                failed: count(ExitStatus::Failure),
                errors: count(ExitStatus::Error),
                exit_code,
                elapsed_ms: self.start.elapsed().as_millis(),
            },
        )
    }
}

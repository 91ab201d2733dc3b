//! Renderers: one module per `--format`, each writing to any `io::Write`.
//!
//! [`Renderer`] dispatches the events of a run to the chosen format. `started`, `progress` and
//! `completed` arrive as they happen (in completion order when files run in parallel); `file`
//! arrives in input order; `finish` gets every outcome, in input order.

pub mod codes;
pub mod diff;
mod github;
mod human;
mod json;
mod jsonl;
mod junit;
mod markdown;
pub mod style;
pub mod text;

use crate::cli::{FailOn, Format};
use crate::engine::{Outcome, Progress};
use std::io::{self, Write};

/// What every renderer needs to know about the run.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// The output format.
    pub format: Format,
    /// The exit threshold (JUnit and GitHub also fail warnings when it is `warning`).
    pub fail_on: FailOn,
    /// Whether the arguments can name several files.
    pub many: bool,
    /// Whether this is a full-level run (progress events are only sent for those).
    pub full: bool,
    /// Colours for the human format.
    pub style: style::Style,
}

impl Ctx {
    /// A context for a run; colour is decided here (stdout a terminal and `NO_COLOR` unset).
    pub fn new(format: Format, fail_on: FailOn, many: bool, full: bool) -> Ctx {
        Ctx { format, fail_on, many, full, style: style::Style::detect() }
    }
}

/// The renderer of one format.
#[derive(Debug)]
pub enum Renderer {
    /// `human`.
    Human(human::Human),
    /// `json`.
    Json(json::Json),
    /// `jsonl`.
    Jsonl(jsonl::Jsonl),
    /// `junit`.
    Junit(junit::Junit),
    /// `github`.
    Github(github::Github),
    /// `markdown`.
    Markdown(markdown::Markdown),
}

impl Renderer {
    /// The renderer for `ctx.format`.
    pub fn new(ctx: Ctx) -> Renderer {
        match ctx.format {
            Format::Human => Renderer::Human(human::Human::new(ctx)),
            Format::Json => Renderer::Json(json::Json::new(ctx)),
            Format::Jsonl => Renderer::Jsonl(jsonl::Jsonl::new(ctx)),
            Format::Junit => Renderer::Junit(junit::Junit::new(ctx)),
            Format::Github => Renderer::Github(github::Github::new(ctx)),
            Format::Markdown => Renderer::Markdown(markdown::Markdown::new(ctx)),
        }
    }

    /// Whether the format writes as things happen (start and progress events).
    pub fn streams(&self) -> bool {
        matches!(self, Renderer::Jsonl(_))
    }

    /// A file is being opened.
    pub fn started(&mut self, out: &mut impl Write, file: &str) -> io::Result<()> {
        match self {
            Renderer::Jsonl(r) => r.started(out, file),
            _ => Ok(()),
        }
    }

    /// A file's data pass advanced.
    pub fn progress(&mut self, out: &mut impl Write, file: &str, p: Progress) -> io::Result<()> {
        match self {
            Renderer::Jsonl(r) => r.progress(out, file, p),
            _ => Ok(()),
        }
    }

    /// A file is done (completion order).
    pub fn completed(&mut self, out: &mut impl Write, outcome: &Outcome) -> io::Result<()> {
        match self {
            Renderer::Jsonl(r) => r.completed(out, outcome),
            _ => Ok(()),
        }
    }

    /// A file is done (input order).
    pub fn file(&mut self, out: &mut impl Write, outcome: &Outcome) -> io::Result<()> {
        match self {
            Renderer::Human(r) => r.file(out, outcome),
            Renderer::Github(r) => r.file(out, outcome),
            _ => Ok(()),
        }
    }

    /// The run is done.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        match self {
            Renderer::Human(r) => r.finish(out, all),
            Renderer::Json(r) => r.finish(out, all),
            Renderer::Jsonl(r) => r.finish(out, all),
            Renderer::Junit(r) => r.finish(out, all),
            Renderer::Github(r) => r.finish(out, all),
            Renderer::Markdown(r) => r.finish(out, all),
        }
    }
}

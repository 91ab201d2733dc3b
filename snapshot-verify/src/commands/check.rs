//! `check` and `inspect`: verify files in parallel and render their reports in input order.
//!
//! Files are handed to `min(--jobs, files)` workers; each file's data pass gets an equal share
//! of `--jobs` threads, so the run never uses more than `--jobs` verification threads (plus one
//! hashing thread per file in flight). Workers send [`Event`]s to this thread, which alone
//! writes to stdout and draws progress bars on stderr. Streaming formats (`jsonl`) see events
//! as they happen; the others see each file in input order as soon as it and every file before
//! it are done.

use crate::baseline::{self, Known};
use crate::cli::{CheckArgs, FailOn, Format, InspectArgs, LevelArg, SimpleFormat};
use crate::config::Config;
use crate::engine::{self, Event, Outcome, Phase, Plan};
use crate::exit::ExitStatus;
use crate::hash::Expected;
use crate::inputs::{self, Expanded};
use crate::render::{Ctx, Renderer};
use anyhow::{Context, Result, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use snapshot_core::{Options, Sampling};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The default `--jobs`: the CPUs this process may use.
pub fn available_threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// `check`.
pub fn check(args: CheckArgs) -> Result<ExitStatus> {
    let config = Config::load(&args.policy)?;
    let level = args.level.or(config.level).unwrap_or(LevelArg::Full);
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let max_duration = args.max_duration.or(config.max_duration);
    let known = args.baseline.as_deref().map(Known::read).transpose()?;
    let expected = args.expect_sha256.as_deref().map(Expected::parse).transpose()?;
    let (expanded, many) = inputs::expand(&args.paths, &inputs::Remote::from_args(&args.remote, args.shard));
    if matches!(expected, Some(Expected::Hex(_))) && many {
        bail!("--expect-sha256 HEX names one file's checksum; use --expect-sha256 @FILE.sha256 for several files");
    }
    if args.sample.is_some() && level != LevelArg::Full {
        bail!("--sample needs --level full: the quick level reads no entry data to sample");
    }
    let sample = args.sample.map(|sample| Sampling { sample, seed: args.seed.unwrap_or(0) });
    let plan = Plan {
        opts: Options { sample, ..config.options(level, &args.target, &args.policy)? },
        sha256: args.sha256 || config.sha256 == Some(true),
        expected,
        threads: 1,
        deadline: max_duration.map(|s| (Instant::now() + Duration::from_secs_f64(s), s)),
        cancel: AtomicBool::new(false),
        entries: false,
    };
    let ctx = Ctx::new(args.format, fail_on, many, level == LevelArg::Full);
    let jobs = args.jobs.map_or_else(available_threads, usize::from);
    let baselines = Baselines { known, many, write: args.write_baseline };
    execute(plan, expanded, ctx, jobs, baselines)
}

/// `--baseline` (read before the run) and `--write-baseline` (written after it).
#[derive(Default)]
struct Baselines {
    known: Option<Known>,
    many: bool,
    write: Option<PathBuf>,
}

/// `inspect`: `check --level quick` of one file, in `human` or `json`.
pub fn inspect(args: InspectArgs) -> Result<ExitStatus> {
    let config = Config::load(&args.policy)?;
    let plan = Plan {
        opts: config.options(LevelArg::Quick, &args.target, &args.policy)?,
        sha256: false,
        expected: None,
        threads: 1,
        deadline: None,
        cancel: AtomicBool::new(false),
        entries: false,
    };
    let format = match args.format {
        SimpleFormat::Human => Format::Human,
        SimpleFormat::Json => Format::Json,
    };
    let ctx = Ctx::new(format, FailOn::Error, false, false);
    let input = inputs::single(&args.file, &inputs::Remote::from_args(&args.remote, None))?;
    execute(plan, vec![Ok(input)], ctx, 1, Baselines::default())
}

fn execute(mut plan: Plan, expanded: Vec<Expanded>, ctx: Ctx, jobs: usize, baselines: Baselines) -> Result<ExitStatus> {
    let mut todo = Vec::new();
    let mut ready = Vec::new();
    let mut files = Vec::new();
    for (index, e) in expanded.into_iter().enumerate() {
        match e {
            Ok(input) => {
                files.push(input.display());
                todo.push((index, input));
            }
            Err((arg, error)) => {
                files.push(arg.clone());
                ready.push(Outcome { index, file: arg, elapsed: Duration::ZERO, result: Err(error) });
            }
        }
    }
    let workers = jobs.min(todo.len()).max(1);
    plan.threads = (jobs / workers).max(1);
    let fail_on = ctx.fail_on;
    let bars = (ctx.full && io::stderr().is_terminal()).then(Bars::new);
    let sink = Sink {
        render: Renderer::new(ctx),
        // Buffered: a report is written in one go, not a system call per line. Every event that
        // must reach a reader as it happens (jsonl's start and progress lines, each file's
        // result) flushes.
        out: io::BufWriter::new(io::stdout().lock()),
        bars,
        files,
        pending: BTreeMap::new(),
        done: Vec::new(),
        fail_on,
        baselines,
    };
    let plan = &plan;
    let todo = &todo;
    let next = &AtomicUsize::new(0);
    let work = move |tx: mpsc::Sender<Event>| {
        while let Some((index, input)) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
            if plan.cancel.load(Ordering::Relaxed) {
                break;
            }
            let outcome = engine::verify_file(*index, input, plan, &tx);
            if tx.send(Event::Done(Box::new(outcome))).is_err() {
                break;
            }
        }
    };
    let drain = |mut sink: Sink<_>, ready: Vec<Outcome>, rx: mpsc::Receiver<Event>| {
        for outcome in ready {
            sink.event(Event::Done(Box::new(outcome)))?;
        }
        for event in rx {
            sink.event(event)?;
        }
        sink.finish()
    };
    // One file and nothing to show while it runs (`inspect`, a quick check): no thread to start.
    // Its events wait in the channel and are written when it is done. (Not with several files:
    // each file's result is printed as soon as it is known.)
    if todo.len() <= 1 && !sink.render.streams() && sink.bars.is_none() {
        let (tx, rx) = mpsc::channel();
        work(tx);
        return drain(sink, ready, rx);
    }
    thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers.min(todo.len()) {
            let tx = tx.clone();
            s.spawn(move || work(tx));
        }
        drop(tx);
        let result = drain(sink, ready, rx);
        if result.is_err() {
            plan.cancel.store(true, Ordering::Relaxed);
        }
        result
    })
}

/// The writing end: renders events, keeps input order, tracks the worst status.
struct Sink<W: Write> {
    render: Renderer,
    out: W,
    bars: Option<Bars>,
    files: Vec<String>,
    pending: BTreeMap<usize, Outcome>,
    done: Vec<Outcome>,
    fail_on: FailOn,
    baselines: Baselines,
}

impl<W: Write> Sink<W> {
    fn event(&mut self, event: Event) -> Result<()> {
        let Sink { render, out, bars, files, .. } = self;
        // Only the streaming format writes on start and progress; hiding the bars for nothing
        // would make them flicker.
        let streams = render.streams();
        match event {
            Event::Started(i) if streams => suspended(bars, &mut || {
                render.started(out, &files[i])?;
                out.flush()
            })?,
            Event::Started(_) => {}
            Event::Progress(i, p) => {
                if let Some(b) = bars.as_mut() {
                    b.update(i, &files[i], p);
                }
                if streams {
                    suspended(bars, &mut || {
                        render.progress(out, &files[i], p)?;
                        out.flush()
                    })?;
                }
            }
            Event::Done(mut outcome) => {
                if let (Some(known), Ok(checked)) = (&self.baselines.known, &mut outcome.result) {
                    let name = checked.report.file().name.clone();
                    checked.report.apply_baseline(&known.for_file(&name, self.baselines.many));
                }
                if let Some(b) = bars.as_mut() {
                    b.remove(outcome.index);
                }
                suspended(bars, &mut || {
                    if let Err(err) = &outcome.result {
                        print_file_error(&outcome.file, err);
                    }
                    render.completed(out, &outcome)?;
                    out.flush()
                })?;
                self.pending.insert(outcome.index, *outcome);
                while let Some(outcome) = self.pending.remove(&self.done.len()) {
                    let Sink { render, out, bars, .. } = self;
                    suspended(bars, &mut || {
                        render.file(out, &outcome)?;
                        out.flush()
                    })?;
                    self.done.push(outcome);
                }
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<ExitStatus> {
        if let Some(b) = &self.bars {
            b.multi.clear().ok();
        }
        self.render.finish(&mut self.out, &self.done)?;
        self.out.flush()?;
        if let Some(path) = &self.baselines.write {
            let reports: Vec<_> = self.done.iter().filter_map(|o| o.result.as_ref().ok()).map(|c| &c.report).collect();
            std::fs::write(path, baseline::render(&reports)?)
                .with_context(|| format!("writing the baseline {}", path.display()))?;
        }
        Ok(self.done.iter().map(|o| o.status(self.fail_on)).max().unwrap_or(ExitStatus::Error))
    }
}

/// Runs `f` with the progress bars hidden, so that output on a shared terminal stays clean.
fn suspended(bars: &Option<Bars>, f: &mut dyn FnMut() -> io::Result<()>) -> io::Result<()> {
    match bars {
        Some(b) => b.multi.suspend(f),
        None => f(),
    }
}

/// Why a file could not be verified, on stderr in the same shape as a fatal error.
fn print_file_error(file: &str, err: &anyhow::Error) {
    let mut stderr = io::stderr().lock();
    writeln!(stderr, "snapshot-verify: error: {file}: {err}").ok();
    for cause in err.chain().skip(1) {
        writeln!(stderr, "  Cause: {cause}").ok();
    }
}

/// Progress bars on stderr, one per file in its data pass.
struct Bars {
    multi: MultiProgress,
    bars: HashMap<usize, ProgressBar>,
}

impl Bars {
    fn new() -> Bars {
        Bars { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()), bars: HashMap::new() }
    }

    fn update(&mut self, index: usize, file: &str, p: engine::Progress) {
        if p.phase == Phase::End {
            self.remove(index);
            return;
        }
        let bar = self.bars.entry(index).or_insert_with(|| {
            let style =
                ProgressStyle::with_template("{msg:24!} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            let bar = self.multi.add(ProgressBar::new(p.total).with_style(style));
            bar.set_message(file.rsplit('/').next().unwrap_or(file).to_owned());
            bar
        });
        bar.set_position(p.done.min(p.total));
    }

    fn remove(&mut self, index: usize) {
        if let Some(bar) = self.bars.remove(&index) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }
}

impl Outcome {
    /// The exit status this file calls for.
    pub fn status(&self, fail_on: FailOn) -> ExitStatus {
        let Ok(checked) = &self.result else { return ExitStatus::Error };
        let summary = checked.report.summary();
        // With a baseline, only the findings it does not know count.
        let (errors, warnings) =
            summary.baseline.map_or((summary.errors, summary.warnings), |b| (b.new_errors, b.new_warnings));
        let findings = if errors > 0 || (fail_on == FailOn::Warning && warnings > 0) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        };
        checked.problems.iter().map(|p| p.status()).fold(findings, Ord::max)
    }
}

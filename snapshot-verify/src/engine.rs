//! The verification engine: runs one file's verification (the `check` and `inspect` commands
//! in `commands/check.rs` schedule many files over it). That is the quick phase, the data pass
//! on a pool of threads, the whole-file SHA-256 on a thread of its own (the pool is one worker
//! short while it runs), and what the CLI adds on top of the core's report (checksum
//! comparison, time limit).

use crate::hash::{Expected, sha256_source};
use crate::inputs::{Input, Opened};
use crate::source::{Counting, Spanned};
use anyhow::{Context, Result, anyhow};
use snapshot_core::report::Report;
use snapshot_core::{Code, EntryJob, Finding, JobOutcome, Options, Verifier, read_full};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How often the data pass reports progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What verifying each file needs; shared by every file of a run.
#[derive(Debug)]
pub struct Plan {
    /// Core options; `file_name` is set per file.
    pub opts: Options,
    /// Compute the whole-file SHA-256.
    pub sha256: bool,
    /// The digest each file must have.
    pub expected: Option<Expected>,
    /// Threads for one file's data pass.
    pub threads: usize,
    /// When to stop starting entry checks (`--max-duration`), and the limit as given.
    pub deadline: Option<(Instant, f64)>,
    /// Set when the run is abandoned (the output pipe closed): stop as soon as possible.
    pub cancel: AtomicBool,
    /// Keep the central directory's entry list in [`Checked::entries`] (for `diff`).
    pub entries: bool,
}

impl Plan {
    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|(at, _)| Instant::now() >= at)
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Progress of one file's data pass, in compressed input bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes done.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
    /// Which report this is.
    pub phase: Phase,
    /// For a remote source: `(bytes fetched, requests)` so far.
    pub fetched: Option<(u64, u64)>,
}

/// Where in the data pass a [`Progress`] was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The data pass starts.
    Start,
    /// While it runs.
    Running,
    /// It ended (or stopped at the deadline).
    End,
}

/// What the file workers tell the thread that writes the output.
#[derive(Debug)]
pub enum Event {
    /// File `index` is being opened.
    Started(usize),
    /// Its data pass advanced.
    Progress(usize, Progress),
    /// It is done (boxed: a report is large, the other events are small).
    Done(Box<Outcome>),
}

/// The result of one file.
#[derive(Debug)]
pub struct Outcome {
    /// Its position among the inputs.
    pub index: usize,
    /// The path as given (or the argument that matched nothing).
    pub file: String,
    /// Wall time.
    pub elapsed: Duration,
    /// The report, or why there is none.
    pub result: Result<Checked>,
}

/// A verified file: the core's report and what the CLI found on top of it.
#[derive(Debug)]
pub struct Checked {
    /// The core's report (with `file.sha256` set when hashed).
    pub report: Report,
    /// Failures the report cannot express.
    pub problems: Vec<Problem>,
    /// The entries, when [`Plan::entries`] asked for them (empty otherwise).
    pub entries: Vec<snapshot_core::EntryInfo>,
}

/// A failure outside the core's findings.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The whole-file SHA-256 differs from `--expect-sha256`.
    ShaMismatch {
        /// What it should be.
        expected: String,
        /// What it is.
        actual: String,
    },
    /// `--expect-sha256 @FILE` has no usable line for this file.
    ShaNoExpectation(String),
    /// `--max-duration` stopped the run before every entry (or the hash) was done.
    Incomplete {
        /// The limit, in seconds.
        after: f64,
        /// Entry checks never started.
        skipped: usize,
        /// Entry checks in all.
        jobs: usize,
        /// The whole-file hash did not finish.
        hash_unfinished: bool,
    },
}

impl Problem {
    /// A stable kebab-case name, for machine formats.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::ShaMismatch { .. } => "sha256-mismatch",
            Problem::ShaNoExpectation(_) => "sha256-no-expectation",
            Problem::Incomplete { .. } => "incomplete",
        }
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            Problem::ShaMismatch { expected, actual } => {
                format!("SHA-256 mismatch: expected {expected}, got {actual}")
            }
            Problem::ShaNoExpectation(why) => format!("no expected SHA-256: {why}"),
            Problem::Incomplete { after, skipped, jobs, hash_unfinished } => {
                let mut s = format!("verification incomplete: stopped after {} s", fmt_secs(*after));
                if *skipped > 0 {
                    s += &format!("; the data of {skipped} of {jobs} entries was not verified");
                }
                if *hash_unfinished {
                    s += "; the SHA-256 was not finished";
                }
                s
            }
        }
    }

    /// The exit status it calls for.
    pub fn status(&self) -> crate::exit::ExitStatus {
        match self {
            Problem::ShaNoExpectation(_) => crate::exit::ExitStatus::Error,
            _ => crate::exit::ExitStatus::Failure,
        }
    }
}

fn fmt_secs(s: f64) -> String {
    if s.fract() == 0.0 { format!("{s:.0}") } else { format!("{s}") }
}

/// Verifies one file, sending progress on `events`.
pub fn verify_file(index: usize, input: &Input, plan: &Plan, events: &Sender<Event>) -> Outcome {
    let start = Instant::now();
    let _ = events.send(Event::Started(index));
    let result = verify(index, input, plan, events);
    Outcome { index, file: input.display(), elapsed: start.elapsed(), result }
}

fn verify(index: usize, input: &Input, plan: &Plan, events: &Sender<Event>) -> Result<Checked> {
    let src = input.open()?;
    let file_name = input.file_name();
    let opts = Options { file_name, ..plan.opts.clone() };
    let expected = plan.expected.as_ref().map(|e| e.for_file(&input.path));
    let abort = AtomicBool::new(false);
    let want_hash = plan.sha256 || expected.is_some();
    // While the hash runs the data pass uses one worker fewer (see `run_jobs`).
    let hashing = AtomicBool::new(want_hash);
    let this = thread::current();
    // A remote source's hash starts with the data pass, which it then shares a transfer with.
    src.hold_hash(want_hash);
    thread::scope(|s| {
        let hasher = want_hash.then(|| {
            s.spawn(|| {
                let stop = || abort.load(Ordering::Relaxed) || plan.cancelled() || plan.past_deadline();
                let digest = sha256_source(src.hash_source(), &stop);
                hashing.store(false, Ordering::Release);
                this.unpark();
                digest
            })
        });
        let mut release = Release { src: &src, abort: &abort, failed: true };
        let verified = verify_data(index, &src, opts, plan, events, &hashing);
        release.failed = verified.is_err();
        drop(release);
        let sha = hasher.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        // A remote read that failed may have looked like a damaged archive to the core.
        if let Some(err) = src.failure() {
            return Err(err.context("could not read the archive"));
        }
        let (mut report, mut incomplete, entries) = verified?;
        if let Some(source) = src.source_info() {
            report.set_source(source);
        }
        let mut problems = Vec::new();
        match sha.transpose().context("could not compute the SHA-256")? {
            Some(Some(hex)) => {
                if let Some(Ok(want)) = &expected
                    && *want != hex
                {
                    problems.push(Problem::ShaMismatch { expected: want.clone(), actual: hex.clone() });
                }
                report.set_sha256(hex);
            }
            Some(None) => {
                if plan.cancelled() {
                    return Err(anyhow!("cancelled"));
                }
                if let Some(Problem::Incomplete { hash_unfinished, .. }) = &mut incomplete {
                    *hash_unfinished = true;
                } else {
                    let after = plan.deadline.map_or(0.0, |(_, secs)| secs);
                    incomplete = Some(Problem::Incomplete { after, skipped: 0, jobs: 0, hash_unfinished: true });
                }
            }
            None => {}
        }
        if let Some(Err(why)) = expected {
            problems.push(Problem::ShaNoExpectation(why));
        }
        if let Some(p) = incomplete {
            note_incomplete(&mut report, &p);
            problems.push(p);
        }
        Ok(Checked { report, problems, entries })
    })
}

/// The quick phase, then the data pass. Returns the report and, when the deadline stopped the
/// pass early, the [`Problem::Incomplete`] to record, and the entries when the plan wants them.
fn verify_data(
    index: usize,
    src: &Opened,
    opts: Options,
    plan: &Plan,
    events: &Sender<Event>,
    hashing: &AtomicBool,
) -> Result<(Report, Option<Problem>, Vec<snapshot_core::EntryInfo>)> {
    let mut verifier = Verifier::new(src, opts).context("could not verify the archive")?;
    let entries = if plan.entries { verifier.entries() } else { Vec::new() };
    let jobs = verifier.take_jobs();
    src.hold_hash(false);
    let count = jobs.len();
    let mut incomplete = None;
    if count > 0 {
        let progress = |mut p: Progress| {
            p.fetched = src.fetched();
            let _ = events.send(Event::Progress(index, p));
        };
        let pass = run_jobs(src, jobs, plan, hashing, &progress).context("could not verify the archive")?;
        // Should the report's conclusion read the archive on this thread, the hash must not wait
        // for it (it reads nothing today: the pass is over for this thread).
        src.leave_pass();
        if plan.cancelled() {
            return Err(anyhow!("cancelled"));
        }
        for outcome in pass.outcomes {
            verifier.absorb(outcome);
        }
        if pass.skipped > 0 {
            let after = plan.deadline.map_or(0.0, |(_, secs)| secs);
            incomplete =
                Some(Problem::Incomplete { after, skipped: pass.skipped, jobs: count, hash_unfinished: false });
        }
    }
    Ok((verifier.finish(src), incomplete, entries))
}

/// What a data pass returns.
struct Pass {
    outcomes: Vec<JobOutcome>,
    /// Jobs never started because the deadline passed.
    skipped: usize,
}

/// Runs `jobs` on `plan.threads` scoped threads in [`pass_order`], small neighbours in batches
/// read with one `pread` each, reporting progress from the calling thread.
///
/// While the whole-file hash still runs (`hashing`), one worker fewer starts, and the missing
/// one starts when the hash ends: the hash is a thread of its own, and a third busy thread on
/// two cores would time-slice the largest entry, the pass's critical path (measured on
/// `bench-a.zip`: 778 ms with three threads on two cores against 667 ms without the hash).
fn run_jobs(
    src: &Opened,
    mut jobs: Vec<EntryJob>,
    plan: &Plan,
    hashing: &AtomicBool,
    progress: &dyn Fn(Progress),
) -> Result<Pass> {
    let in_file_order = src.fetched().is_some();
    if in_file_order {
        // A remote source: read in file order, so that the data pass (and the hash, when it
        // runs) consume one transfer of the file within a bounded window (remote::cache).
        // Largest first, each worker's read-ahead would land in entries another worker reads
        // much later, after the cache dropped them: bench-a.zip fetched 1.9x its size.
        jobs.sort_by_key(|j| j.data_range().start);
    } else {
        pass_order(&mut jobs);
    }
    let total: u64 = jobs.iter().map(EntryJob::input_len).sum();
    let threads = plan.threads.clamp(1, jobs.len());
    // (Not while a remote source is hashed: the hash then follows the data pass, light.)
    let first =
        if hashing.load(Ordering::Acquire) && !in_file_order { threads.saturating_sub(1).max(1) } else { threads };
    let queue = Mutex::new(jobs.into_iter().peekable());
    let done = AtomicU64::new(0);
    let outcomes = Mutex::new(Vec::new());
    let failure = Mutex::new(None);
    let halt = AtomicBool::new(false);
    let monitor = thread::current();
    // Workers still running. Each decrements it and wakes the monitor as its last act, even
    // when it panics (a thread's `is_finished` turns true only later, so it cannot serve here).
    let running = AtomicUsize::new(first);
    progress(Progress { done: 0, total, phase: Phase::Start, fetched: None });
    let work = &|| {
        let _finished = Finished { running: &running, monitor: &monitor, src };
        let mut span = Vec::new();
        'pull: loop {
            if halt.load(Ordering::Relaxed) || plan.cancelled() || plan.past_deadline() {
                break;
            }
            let batch = next_batch(&mut queue.lock().unwrap_or_else(PoisonError::into_inner));
            let Some(range) = batch.first().zip(batch.last()).map(|(a, z)| a.data_range().start..z.data_range().end)
            else {
                break;
            };
            // A batch of small neighbours is read with one pread; its jobs copy from it.
            let got = if batch.len() > 1 { read_span(src, range.start, range.end, &mut span) } else { 0 };
            let spanned = Spanned::new(src, range.start, &span[..got]);
            for job in batch {
                if plan.cancelled() {
                    break 'pull;
                }
                let counting = Counting::new(&spanned, &done, job.input_len(), &plan.cancel);
                match job.run(&counting) {
                    Ok(outcome) => {
                        counting.settle();
                        outcomes.lock().unwrap_or_else(PoisonError::into_inner).push(outcome);
                    }
                    Err(err) => {
                        halt.store(true, Ordering::Relaxed);
                        failure.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(err);
                        break 'pull;
                    }
                }
            }
        }
    };
    thread::scope(|s| {
        for _ in 0..first {
            s.spawn(work);
        }
        let mut started = first;
        let mut last = Instant::now();
        while running.load(Ordering::Acquire) > 0 {
            thread::park_timeout(PROGRESS_EVERY);
            if started < threads && !hashing.load(Ordering::Acquire) {
                started += 1;
                running.fetch_add(1, Ordering::AcqRel);
                s.spawn(work);
            }
            if last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                progress(Progress { done: done.load(Ordering::Relaxed), total, phase: Phase::Running, fetched: None });
            }
        }
    });
    if let Some(err) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(err.into());
    }
    let skipped = queue.into_inner().unwrap_or_else(PoisonError::into_inner).count();
    progress(Progress { done: done.load(Ordering::Relaxed), total, phase: Phase::End, fetched: None });
    Ok(Pass { outcomes: outcomes.into_inner().unwrap_or_else(PoisonError::into_inner), skipped })
}

/// Jobs with less compressed data than this run in batches of neighbours.
const SMALL_JOB: u64 = 256 << 10;
/// The most bytes of the file one batch spans (and reads at once).
const BATCH_SPAN: u64 = 1 << 20;

/// Large jobs first, largest first (the largest entry is the pass's critical path); then the
/// small ones in file order, so that a worker can take a run of neighbours as one batch.
fn pass_order(jobs: &mut [EntryJob]) {
    jobs.sort_by_key(|j| {
        let small = j.input_len() < SMALL_JOB;
        (small, std::cmp::Reverse(if small { 0 } else { j.input_len() }), j.data_range().start)
    });
}

/// The next job, or the next run of small jobs that follow each other in the file within
/// [`BATCH_SPAN`] bytes (the queue holds them in file order).
fn next_batch(queue: &mut std::iter::Peekable<std::vec::IntoIter<EntryJob>>) -> Vec<EntryJob> {
    let Some(first) = queue.next() else { return Vec::new() };
    let small = first.input_len() < SMALL_JOB;
    let (start, mut end) = (first.data_range().start, first.data_range().end);
    let mut batch = vec![first];
    while small
        && let Some(job) = queue.next_if(|j| {
            let r = j.data_range();
            j.input_len() < SMALL_JOB && r.start >= end && r.end.saturating_sub(start) <= BATCH_SPAN
        })
    {
        end = job.data_range().end;
        batch.push(job);
    }
    batch
}

/// Reads `start..end` of the file into `buf`; returns how much it got (less at the file's end,
/// nothing on a read error, which the jobs then meet reading for themselves).
fn read_span(src: &Opened, start: u64, end: u64, buf: &mut Vec<u8>) -> usize {
    let want = usize::try_from(end.saturating_sub(start)).unwrap_or(0).min(BATCH_SPAN as usize);
    buf.resize(want, 0);
    read_full(src, start, buf).unwrap_or(0)
}

/// Releases a remote source's hash when dropped, on every path out of the data pass. A pass that
/// failed, or panicked (`failed` is still set while unwinding), first tells the hash to stop:
/// the scope's join must not wait for a hash still held (one read per `MAX_WAIT`, 30 s) or
/// reading the rest of the file for nothing.
struct Release<'a> {
    src: &'a Opened,
    abort: &'a AtomicBool,
    failed: bool,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        if self.failed {
            self.abort.store(true, Ordering::Relaxed);
        }
        self.src.hold_hash(false);
    }
}

/// Marks a data-pass worker finished when dropped; a remote source then no longer waits for it.
struct Finished<'a> {
    running: &'a AtomicUsize,
    monitor: &'a thread::Thread,
    src: &'a Opened,
}

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.src.leave_pass();
        self.running.fetch_sub(1, Ordering::Release);
        self.monitor.unpark();
    }
}

/// Records an incomplete run in the report itself, so that the JSON says so too.
fn note_incomplete(report: &mut Report, problem: &Problem) {
    report.push_finding(Finding::new(Code::VerificationIncomplete, problem.message()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use snapshot_core::report::Level;
    use snapshot_tests::zipw::{Entry, ZipBuilder};

    /// Jobs of an archive with `n` small files and a few large ones, in the pass's order.
    fn jobs(n: usize) -> Vec<EntryJob> {
        let mut zip = ZipBuilder::new();
        for i in 0..n {
            let data: Vec<u8> = (0..(i % 7) * 3000 + 100).map(|k| (k * 31 + i) as u8).collect();
            zip = zip.push(Entry::file(format!("bp/{i}.yaml"), data));
            if i % 500 == 250 {
                let big: Vec<u8> = (0..400_000u32).map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
                zip = zip.push(Entry::file(format!("big/{i}.bin"), big).stored());
            }
        }
        let bytes = zip.build();
        let opts = Options { level: Level::Full, ..Options::default() };
        let mut v = Verifier::new(&bytes.as_slice(), opts).unwrap();
        let mut jobs = v.take_jobs();
        pass_order(&mut jobs);
        jobs
    }

    #[test]
    fn batches_are_runs_of_small_neighbours_and_cover_every_job() {
        let all = jobs(2000);
        let count = all.len();
        let mut queue = all.into_iter().peekable();
        let (mut seen, mut batches, mut big) = (0, 0, 0);
        loop {
            let batch = next_batch(&mut queue);
            if batch.is_empty() {
                break;
            }
            seen += batch.len();
            if batch[0].input_len() >= SMALL_JOB {
                assert_eq!(batch.len(), 1, "a large job runs alone");
                big += 1;
                continue;
            }
            batches += 1;
            let span = batch[0].data_range().start..batch[batch.len() - 1].data_range().end;
            assert!(span.end - span.start <= BATCH_SPAN, "{span:?}");
            for pair in batch.windows(2) {
                assert!(pair[0].data_range().end <= pair[1].data_range().start, "in file order");
            }
            assert!(batch.iter().all(|j| j.input_len() < SMALL_JOB));
        }
        assert_eq!(seen, count);
        assert_eq!(big, 4);
        // 2,000 small files of about 10 KB fit in far fewer 1 MiB batches than files.
        assert!(batches > 1 && batches < count / 20, "{batches} batches for {count} jobs");
    }
}

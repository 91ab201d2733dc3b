//! The full verification on a pool of workers, the browser's counterpart of the native CLI's
//! thread pool (`snapshot-verify/src/engine.rs` `run_jobs`).
//!
//! Workers share no memory, so every worker opens the same file and runs the quick phase itself
//! (the core's [`Verifier::new`] is deterministic: the same file and options give the same jobs
//! in the same order), then keeps only the jobs it is told to run, by their position in that
//! order. One worker, the planner, also keeps the [`Verifier`]: it plans the batches (the
//! engine's order: large jobs first, largest first, then runs of small neighbours in file
//! order), absorbs every outcome (its own directly, the others' as [`JobOutcome::to_wire`]
//! text) and builds the report, which is byte-identical to the one a single worker builds.

use crate::verify::finish_json;
use crate::{Error, options};
use snapshot_core::{EntryJob, JobOutcome, Level, ReadAt, RunningJob, Verifier};

/// Jobs with less compressed data than this run in batches of neighbours (as in the engine).
const SMALL_JOB: u64 = 256 << 10;
/// The most bytes of the file one batch spans. Larger than the engine's 1 MiB: a batch costs a
/// round trip through the page, and the reader's window (up to 8 MiB) serves a batch's reads.
const BATCH_SPAN: u64 = 4 << 20;

/// One worker's part of a pooled verification.
#[derive(Debug)]
pub struct Pool {
    /// The planner's verifier; `None` in the other workers.
    verifier: Option<Verifier>,
    /// The jobs, by position; taken when started.
    jobs: Vec<Option<EntryJob>>,
    running: Option<RunningJob>,
    /// Outcomes of the jobs this worker ran, not yet handed on.
    finished: Vec<JobOutcome>,
    /// Compressed bytes of the jobs this worker finished.
    done: u64,
    report: Option<String>,
    sha256: Option<String>,
}

impl Pool {
    /// Runs the quick phase at level full with the options JSON (see [`options::parse`]).
    /// `planner`: keep the verifier, to plan, absorb and report.
    pub fn new(src: &dyn ReadAt, options_json: &str, planner: bool) -> Result<Pool, Error> {
        let opts = options::parse(options_json, Level::Full)?;
        let mut verifier = Verifier::new(src, opts)?;
        let jobs = verifier.take_jobs().into_iter().map(Some).collect();
        let verifier = planner.then_some(verifier);
        Ok(Pool { verifier, jobs, running: None, finished: Vec::new(), done: 0, report: None, sha256: None })
    }

    /// The batches to run, as job positions, in the order to hand them out, with the
    /// compressed bytes of each: `{"batches": [[3], [0, 1, 2], …], "bytes": [n, …], "total": n}`.
    pub fn plan_json(&self) -> String {
        let (batches, bytes) = self.plan();
        let total: u64 = bytes.iter().sum();
        serde_json::json!({ "batches": batches, "bytes": bytes, "total": total }).to_string()
    }

    /// See [`Pool::plan_json`].
    pub fn plan(&self) -> (Vec<Vec<usize>>, Vec<u64>) {
        let mut order: Vec<(usize, u64, u64, u64)> = self
            .jobs
            .iter()
            .enumerate()
            .filter_map(|(i, j)| j.as_ref().map(|j| (i, j.input_len(), j.data_range().start, j.data_range().end)))
            .collect();
        order.sort_by_key(|&(_, len, start, _)| {
            let small = len < SMALL_JOB;
            (small, std::cmp::Reverse(if small { 0 } else { len }), start)
        });
        let (mut batches, mut bytes) = (Vec::new(), Vec::new());
        let mut queue = order.into_iter().peekable();
        while let Some((i, len, start, mut end)) = queue.next() {
            let mut batch = vec![i];
            let mut sum = len;
            while len < SMALL_JOB
                && let Some((j, l, _, e)) =
                    queue.next_if(|&(_, l, s, e)| l < SMALL_JOB && s >= end && e.saturating_sub(start) <= BATCH_SPAN)
            {
                batch.push(j);
                sum = sum.saturating_add(l);
                end = e;
            }
            batches.push(batch);
            bytes.push(sum);
        }
        (batches, bytes)
    }

    /// Starts the job at `position`.
    pub fn start(&mut self, position: usize) -> Result<(), Error> {
        if self.running.is_some() {
            return Err(Error::State("a job is still running"));
        }
        let job = self.jobs.get_mut(position).and_then(Option::take).ok_or(Error::State("no such job, or it ran"))?;
        self.running = Some(job.start());
        Ok(())
    }

    /// Advances the running job by about `budget` bytes. Returns `true` when it is done (or
    /// none runs).
    pub fn step(&mut self, src: &dyn ReadAt, budget: u64) -> Result<bool, Error> {
        let Some(running) = self.running.as_mut() else { return Ok(true) };
        let len = running.progress().1;
        match running.step(src, budget)? {
            None => Ok(false),
            Some(outcome) => {
                self.running = None;
                self.done = self.done.saturating_add(len);
                self.finished.push(outcome);
                Ok(true)
            }
        }
    }

    /// Compressed bytes of the jobs this worker finished, plus the running one's progress.
    pub fn done(&self) -> u64 {
        self.done.saturating_add(self.running.as_ref().map_or(0, |r| r.progress().0))
    }

    /// The outcomes finished since the last call, as wire text for the planner.
    pub fn take_wire(&mut self) -> String {
        JobOutcome::to_wire(&std::mem::take(&mut self.finished))
    }

    /// The planner: absorbs its own finished outcomes.
    pub fn absorb_own(&mut self) -> Result<(), Error> {
        let verifier = self.verifier.as_mut().ok_or(Error::State("only the planner absorbs outcomes"))?;
        for outcome in self.finished.drain(..) {
            verifier.absorb(outcome);
        }
        Ok(())
    }

    /// The planner: absorbs outcomes another worker sent as wire text.
    pub fn absorb_wire(&mut self, text: &str) -> Result<(), Error> {
        let verifier = self.verifier.as_mut().ok_or(Error::State("only the planner absorbs outcomes"))?;
        for outcome in JobOutcome::from_wire(text)? {
            verifier.absorb(outcome);
        }
        Ok(())
    }

    /// Records the whole-file SHA-256 for the report.
    pub fn set_sha256(&mut self, hex: &str) {
        self.sha256 = Some(hex.to_ascii_lowercase());
    }

    /// The planner: the full report as pretty JSON, once every outcome was absorbed (the
    /// caller's duty: the pool cannot know which other workers' outcomes are still on the way).
    pub fn report_json(&mut self, src: &dyn ReadAt) -> Result<String, Error> {
        if let Some(json) = &self.report {
            return Ok(json.clone());
        }
        self.absorb_own()?;
        let verifier = self.verifier.take().ok_or(Error::State("only the planner builds the report"))?;
        let json = finish_json(verifier, self.sha256.take(), src)?;
        self.report = Some(json.clone());
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snapshot_tests::cloudify::era_samples;
    use snapshot_tests::hostile::cases;

    /// A pooled run with `workers` workers taking batches in turn; returns the report.
    fn pooled(bytes: &[u8], options: &str, workers: usize) -> String {
        let src = &bytes;
        let mut planner = Pool::new(src, options, true).unwrap();
        let mut others: Vec<Pool> = (1..workers).map(|_| Pool::new(src, options, false).unwrap()).collect();
        let (batches, bytes_of) = planner.plan();
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), planner.jobs.len(), "every job once");
        for (n, batch) in batches.iter().enumerate() {
            let worker = n % workers;
            let pool = if worker == 0 { &mut planner } else { &mut others[worker - 1] };
            let before = pool.done();
            for &position in batch {
                pool.start(position).unwrap();
                while !pool.step(src, 1000).unwrap() {}
            }
            assert_eq!(pool.done() - before, bytes_of[n]);
            if worker != 0 {
                let wire = others[worker - 1].take_wire();
                planner.absorb_wire(&wire).unwrap();
            }
        }
        planner.report_json(src).unwrap()
    }

    #[test]
    fn pooled_reports_equal_the_single_worker_report() {
        let options = r#"{"file_name":"s.zip","target_version":"7.0.4"}"#;
        let mut samples: Vec<Vec<u8>> = era_samples().iter().map(|s| s.bytes()).collect();
        samples.extend(cases().into_iter().map(|c| c.bytes));
        for bytes in &samples {
            let mut single = crate::verify::FullVerify::new(&bytes.as_slice(), options).unwrap();
            while !single.step(&bytes.as_slice(), u64::MAX).unwrap() {}
            let expected = single.report_json(&bytes.as_slice()).unwrap();
            for workers in [1, 2, 3] {
                assert_eq!(pooled(bytes, options, workers), expected, "{workers} workers");
            }
        }
    }

    #[test]
    fn only_the_planner_absorbs_and_reports() {
        let bytes = era_samples()[0].bytes();
        let mut other = Pool::new(&bytes.as_slice(), "", false).unwrap();
        assert!(other.absorb_wire("[]").is_err());
        assert!(other.report_json(&bytes.as_slice()).is_err());
        assert!(other.start(usize::MAX).is_err());
    }
}

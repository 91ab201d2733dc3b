//! The orchestration: quick phase, resumable data pass, report.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::arith::SaturatingSum;
use crate::code::Code;
use crate::data::{DataCheck, EntryOutcome, Step};
use crate::report::*;
use crate::sample;
use crate::snapshot::content::{Analyzer, Facts};
use crate::snapshot::{self, Ctx, Semantics};
use crate::source::ReadAt;
use crate::zip::{self, Archive, ParseLimits};
use crate::{Error, Options};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Verification in progress. Create it with [`Verifier::new`] (the quick phase), drive the data
/// pass with [`Verifier::step`] (or hand [`Verifier::take_jobs`] to threads), then call
/// [`Verifier::finish`] for the report.
///
/// At [`Level::Quick`] there is no data pass: `finish` right after `new`.
pub struct Verifier {
    opts: Options,
    size: u64,
    archive: Option<Arc<Archive>>,
    findings: Vec<Finding>,
    /// Findings past their code's cap ([`Code::listed_at_most`]), summarised once in the report.
    omitted: BTreeMap<Code, u64>,
    semantics: Semantics,
    queue: VecDeque<Pending>,
    current: Option<Check>,
    outcomes: Vec<Outcome>,
    total: u64,
    done: u64,
    /// What a sampled data pass left out (`Options::sample`).
    sample: Option<SampleInfo>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("total", &self.total).field("done", &self.done).finish()
    }
}

/// The data pass's check of one entry, with the snapshot layer's analyzer attached.
type Check = DataCheck<Box<dyn Analyzer>>;
/// Its outcome, with the analyzer's facts.
type Outcome = EntryOutcome<Box<Facts>>;

/// A queued data check. Its [`DataCheck`] (buffers, name, inflate state) exists only while it
/// runs: a queue of 100,000 entries holds 100,000 of these small records, not of checks.
struct Pending {
    index: usize,
    /// Output budget left for this entry.
    budget: u64,
    analyzer: Option<Box<dyn Analyzer>>,
}

impl Pending {
    fn check(self, archive: &Archive) -> Check {
        DataCheck::new(&archive.entries[self.index], self.analyzer, self.budget)
    }
}

/// One entry's data check, for front ends that run checks on their own threads or workers.
/// Run it against any reader of the same file.
pub struct EntryJob {
    archive: Arc<Archive>,
    pending: Pending,
}

impl std::fmt::Debug for EntryJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryJob").field("index", &self.pending.index).finish()
    }
}

/// The result of an [`EntryJob`], to hand back with [`Verifier::absorb`].
/// Front ends that run jobs in other processes or workers (the browser's pool) move it as text
/// with [`JobOutcome::to_wire`] and [`JobOutcome::from_wire`] (`snapshot/wire.rs`).
#[derive(Debug)]
pub struct JobOutcome(pub(crate) Outcome);

impl EntryJob {
    /// Compressed bytes the job reads.
    pub fn input_len(&self) -> u64 {
        self.archive.entries[self.pending.index].compressed_size
    }

    /// Where in the file the job reads: its entry's compressed data. Front ends may batch the
    /// reads of jobs that lie close together.
    pub fn data_range(&self) -> std::ops::Range<u64> {
        self.archive.entries[self.pending.index].data_span()
    }

    /// Runs the job to the end.
    pub fn run(self, src: &dyn ReadAt) -> Result<JobOutcome, Error> {
        self.pending.check(&self.archive).run(src).map(JobOutcome)
    }

    /// Starts the job for a front end that runs it in bounded steps (a browser worker must
    /// yield between steps to see a cancel and post progress).
    pub fn start(self) -> RunningJob {
        RunningJob { check: self.pending.check(&self.archive) }
    }
}

/// An [`EntryJob`] being run in steps; see [`EntryJob::start`].
pub struct RunningJob {
    check: Check,
}

impl std::fmt::Debug for RunningJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningJob").field("done", &self.check.input_done()).finish()
    }
}

impl RunningJob {
    /// Compressed bytes read so far, and in all.
    pub fn progress(&self) -> (u64, u64) {
        (self.check.input_done(), self.check.input_len())
    }

    /// Reads about `budget` more bytes of input; the outcome once the entry is done.
    pub fn step(&mut self, src: &dyn ReadAt, budget: u64) -> Result<Option<JobOutcome>, Error> {
        Ok(match self.check.step(src, budget.max(1))? {
            Step::More => None,
            Step::Done(outcome) => Some(JobOutcome(outcome)),
        })
    }
}

impl Verifier {
    /// Runs the quick phase: end records, central directory, local headers, names, and the
    /// snapshot's metadata and small JSON members. Queues the data pass when the level is full.
    pub fn new(src: &dyn ReadAt, opts: Options) -> Result<Verifier, Error> {
        let mut findings = Vec::new();
        let limits = ParseLimits { max_entries: opts.limits.max_entries, gap_scan_bytes: opts.limits.gap_scan };
        let mut omitted = BTreeMap::new();
        let archive = zip::parse_counted(src, limits, &mut findings, &mut omitted)?;
        let mut semantics = Semantics::default();
        let mut queue = VecDeque::new();
        let mut total = 0u64;
        let mut sample = None;
        if let Some(archive) = &archive {
            let mut ctx = Ctx {
                src,
                archive,
                opts: &opts,
                findings: &mut findings,
                omitted: &mut omitted,
                json_budget: opts.limits.quick_json_budget,
            };
            semantics = snapshot::inspect(&mut ctx)?;
            if opts.level == Level::Full {
                let mut order: Vec<&zip::Entry> = archive.entries.iter().filter(|e| needs_data_check(e)).collect();
                order.sort_by_key(|e| e.local_offset);
                sample =
                    opts.sample.map(|s| sample::apply(s, &mut order, |e| snapshot::restore_critical(&semantics, e)));
                let mut budget = opts.limits.max_output;
                for e in order {
                    let analyzer = snapshot::analyzer_for(&semantics, e);
                    queue.push_back(Pending { index: e.index, budget, analyzer });
                    budget = budget.saturating_sub(e.uncompressed_size);
                    total = total.saturating_add(e.compressed_size);
                }
            }
        }
        crate::report::cap_per_code(&mut findings, &mut omitted);
        Ok(Verifier {
            size: src.size(),
            opts,
            archive: archive.map(Arc::new),
            findings,
            omitted,
            semantics,
            queue,
            current: None,
            outcomes: Vec::new(),
            total,
            done: 0,
            sample,
        })
    }

    /// Every entry as the central directory lists it (empty when there is none), from the
    /// archive the quick phase parsed: `diff` compares two lists without parsing again.
    pub fn entries(&self) -> Vec<crate::EntryInfo> {
        self.archive.as_deref().map_or_else(Vec::new, crate::entries::list)
    }

    /// Compressed bytes the data pass reads in total, and how many it has read.
    pub fn progress(&self) -> (u64, u64) {
        let current = self.current.as_ref().map_or(0, Check::input_done);
        (self.done.saturating_add(current), self.total)
    }

    /// Advances the data pass by about `budget` bytes of input. Returns `true` when the pass is
    /// complete. Cancelling is simply not calling it again.
    pub fn step(&mut self, src: &dyn ReadAt, budget: u64) -> Result<bool, Error> {
        let mut left = budget;
        loop {
            if self.current.is_none()
                && let Some(archive) = &self.archive
            {
                self.current = self.queue.pop_front().map(|p| p.check(archive));
            }
            let Some(check) = self.current.as_mut() else {
                return Ok(true);
            };
            let before = check.input_done();
            let step = check.step(src, left)?;
            let after = check.input_done();
            left = left.saturating_sub(after.saturating_sub(before));
            match step {
                Step::More => return Ok(false),
                Step::Done(outcome) => {
                    self.done = self.done.saturating_add(check.input_len());
                    self.current = None;
                    self.outcomes.push(outcome);
                    if left == 0 {
                        return Ok(self.queue.is_empty());
                    }
                }
            }
        }
    }

    /// Takes every queued data check as an independent job, for front ends that run them in
    /// parallel. Hand each result back with [`Verifier::absorb`].
    pub fn take_jobs(&mut self) -> Vec<EntryJob> {
        let Some(archive) = &self.archive else { return Vec::new() };
        self.queue.drain(..).map(|pending| EntryJob { archive: Arc::clone(archive), pending }).collect()
    }

    /// Records the result of a job from [`Verifier::take_jobs`].
    pub fn absorb(&mut self, outcome: JobOutcome) {
        self.outcomes.push(outcome.0);
    }

    /// Builds the report. Outcomes are merged in central-directory order, so the report is the
    /// same however the data pass was scheduled.
    pub fn finish(mut self, src: &dyn ReadAt) -> Report {
        self.outcomes.sort_by_key(|o| o.index);
        let mut verified = 0u64;
        let mut facts = Vec::new();
        let mut data_findings = Vec::new();
        for o in std::mem::take(&mut self.outcomes) {
            verified = verified.saturating_add(u64::from(o.verified));
            data_findings.extend(o.findings);
            if let Some(f) = o.facts {
                facts.push((o.index, *f));
            }
        }
        crate::report::cap_per_code(&mut data_findings, &mut self.omitted);
        self.findings.extend(data_findings);
        let (snapshot, security, archive_info) = match &self.archive {
            Some(archive) => {
                let mut ctx = Ctx {
                    src,
                    archive,
                    opts: &self.opts,
                    findings: &mut self.findings,
                    omitted: &mut self.omitted,
                    json_budget: 0,
                };
                let semantics = std::mem::take(&mut self.semantics);
                let (info, security) = snapshot::conclude(&mut ctx, semantics, facts);
                self.findings.extend(saturated_totals(archive));
                (info, security, Some(archive_info(archive)))
            }
            None => (SnapshotInfo::default(), Security::default(), None),
        };
        // One cap policy for the whole report: each phase already trimmed its own list; this
        // trims their union and adds one summary per capped code.
        crate::report::cap_per_code(&mut self.findings, &mut self.omitted);
        self.findings.extend(crate::report::omitted_findings(&self.omitted));
        self.findings.extend(self.sample.as_ref().map(sample::finding));
        let file = FileInfo { name: self.opts.file_name.clone(), size: self.size, sha256: None };
        let settings = Settings {
            level: self.opts.level,
            target_version: self.opts.target_version.clone(),
            edition: self.opts.edition,
            restore_certificates: self.opts.restore_certificates,
            runtime: self.opts.runtime,
            policy: self.opts.policy.clone(),
        };
        let summary = Summary {
            entries: archive_info.as_ref().map_or(0, |a| a.entries),
            entries_verified: verified,
            ..Summary::default()
        };
        let mut report = Report::new(file, settings, summary, archive_info, snapshot, security, self.findings);
        report.set_sample(self.sample);
        report
    }
}

/// Verifies an archive in one call, sequentially. Front ends that want progress, cancellation
/// or parallelism drive a [`Verifier`] instead; the report is the same.
pub fn verify(src: &dyn ReadAt, opts: &Options) -> Result<Report, Error> {
    let mut v = Verifier::new(src, opts.clone())?;
    while !v.step(src, u64::MAX)? {}
    Ok(v.finish(src))
}

/// Directory entries without data (including the Python 2.7 quirk: DEFLATE with 0 compressed
/// bytes) and entries with the same quirk for empty files are not inflated (A5).
fn needs_data_check(e: &zip::Entry) -> bool {
    if !e.readable || e.data_offset.is_none() {
        return false;
    }
    let empty_quirk = e.compressed_size == 0 && e.uncompressed_size == 0 && e.crc == 0;
    !(empty_quirk || (e.is_dir() && e.uncompressed_size == 0))
}

fn archive_info(a: &Archive) -> ArchiveInfo {
    let mut info = ArchiveInfo {
        entries: a.entries.len() as u64,
        zip64: a.zip64,
        archive_offset: a.concat,
        central_directory_offset: a.cd_offset,
        central_directory_size: a.cd_size,
        comment_length: a.comment_len,
        ..ArchiveInfo::default()
    };
    for e in &a.entries {
        if e.is_dir() {
            info.directories = info.directories.saturating_add(1);
        } else {
            info.files = info.files.saturating_add(1);
        }
        info.compressed_size = info.compressed_size.saturating_add(e.compressed_size);
        info.uncompressed_size = info.uncompressed_size.saturating_add(e.uncompressed_size);
        match e.method {
            zip::METHOD_STORED => info.stored = info.stored.saturating_add(1),
            zip::METHOD_DEFLATE => info.deflated = info.deflated.saturating_add(1),
            _ => info.other_methods = info.other_methods.saturating_add(1),
        }
    }
    info
}

/// The archive's totals and the preview's part sizes are sums of declared sizes that saturate at
/// 2^64 - 1 (a part's sum fits when the total does). When a total does not fit, a finding says
/// so: the figure then means "more than that", and the declared sizes are impossible.
fn saturated_totals(a: &Archive) -> Vec<Finding> {
    let over = |size: fn(&zip::Entry) -> u64| a.entries.iter().map(size).checked_sum().is_none();
    let mut out = Vec::new();
    if over(|e| e.uncompressed_size) {
        out.push(Finding::new(
            Code::RatioImpossible,
            format!(
                "the entries' declared uncompressed sizes add up to more than 2^64 bytes, which no archive holds: the sizes are lies, and the report's uncompressed totals (the archive's and the preview parts') show {}, meaning more than that",
                u64::MAX
            ),
        ));
    }
    if over(|e| e.compressed_size) {
        out.push(Finding::new(
            Code::EntryOverlapsCentralDirectory,
            format!(
                "the entries' declared compressed sizes add up to more than 2^64 bytes, more than the file holds: some entry's data would run into the central directory and end records, and the report's compressed totals (the archive's and the preview parts') show {}, meaning more than that",
                u64::MAX
            ),
        ));
    }
    out
}

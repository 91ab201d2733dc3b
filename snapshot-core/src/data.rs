//! Entry data verification (A5, H17, H18): decompress each entry in bounded steps and require
//! that the stream ends exactly at the compressed size, produces exactly the declared size and
//! matches the CRC-32, including a stored CRC of 0.
//!
//! A [`DataCheck`] is resumable: [`DataCheck::step`] consumes at most a byte budget of input,
//! so the browser can yield between steps and native front ends can run many checks on threads.
//! Memory per check is two fixed buffers and the inflate state, whatever the entry declares.
//!
//! The pass knows ZIP data only. What the bytes mean is a [`ContentSink`]'s business: the
//! caller attaches one to a check, the check feeds it every decompressed chunk in order and
//! hands back what it concluded, without knowing its type.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::Error;
use crate::arith::{to_u64, to_usize};
use crate::code::Code;
use crate::report::Finding;
use crate::source::{ReadAt, read_full};
use crate::zip::{Entry, METHOD_DEFLATE, METHOD_STORED};
use flate2::{Decompress, FlushDecompress, Status};

/// Input read per call to the source.
const IN_CHUNK: usize = 1 << 20;
/// Output produced per inflate call.
const OUT_CHUNK: usize = 256 << 10;
/// DEFLATE expands at most 1032:1; a little slack covers block headers on tiny inputs.
const MAX_RATIO: u64 = 1032;

/// A consumer of an entry's decompressed bytes, attached to its [`DataCheck`].
pub(crate) trait ContentSink {
    /// What the sink hands back when the check ends.
    type Output;
    /// The next chunk of decompressed bytes (chunks of any size, in order).
    fn feed(&mut self, bytes: &[u8]);
    /// Called once at the end. `verified` is false when the data was damaged or cut short.
    fn finish(self, verified: bool) -> Self::Output;
}

/// A sink that hands each chunk to a closure and concludes nothing.
pub(crate) struct Tap<'a>(pub &'a mut dyn FnMut(&[u8]));

impl ContentSink for Tap<'_> {
    type Output = ();
    fn feed(&mut self, bytes: &[u8]) {
        (self.0)(bytes);
    }
    fn finish(self, _verified: bool) {}
}

/// What one entry's check found.
#[derive(Debug)]
pub(crate) struct EntryOutcome<T> {
    /// The entry's index in the central directory.
    pub index: usize,
    /// Data findings (CRC, sizes, stream errors).
    pub findings: Vec<Finding>,
    /// Whether the data matched CRC and sizes exactly.
    pub verified: bool,
    /// What the content sink concluded, when one was attached.
    pub facts: Option<T>,
    /// Decompressed bytes produced.
    pub output: u64,
}

/// The resumable check of one entry, feeding its content to a sink of type `S`.
pub(crate) struct DataCheck<S: ContentSink> {
    index: usize,
    name: String,
    method: u16,
    crc_declared: u32,
    usize_declared: u64,
    data_offset: u64,
    end: u64,
    pos: u64,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    inflater: Option<Decompress>,
    crc: crate::crc::Crc32,
    out_total: u64,
    out_limit: u64,
    sink: Option<S>,
    findings: Vec<Finding>,
}

impl<S: ContentSink> std::fmt::Debug for DataCheck<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataCheck").field("index", &self.index).field("name", &self.name).finish()
    }
}

/// Why decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The stream ended (deflate end marker, or all stored bytes read).
    Complete,
    /// Output reached the limit before the stream ended.
    Limit,
    /// Input ran out before the stream ended.
    Incomplete,
}

/// Whether a step finished the entry.
pub(crate) enum Step<T> {
    /// More input remains.
    More,
    /// The entry is done.
    Done(EntryOutcome<T>),
}

impl<S: ContentSink> DataCheck<S> {
    /// Prepares the check of a readable entry (`entry.data_offset` is known and the method is
    /// stored or deflate), feeding `sink` when there is one. `output_budget` caps decompressed
    /// output whatever the entry declares.
    pub(crate) fn new(entry: &Entry, sink: Option<S>, output_budget: u64) -> DataCheck<S> {
        let span = entry.data_span();
        let by_ratio = entry.compressed_size.saturating_mul(MAX_RATIO).saturating_add(1 << 16);
        // Stop one byte past the declared size: that byte proves the size is a lie.
        let out_limit = entry.uncompressed_size.saturating_add(1).min(by_ratio).min(output_budget);
        DataCheck {
            index: entry.index,
            name: entry.name.clone(),
            method: entry.method,
            crc_declared: entry.crc,
            usize_declared: entry.uncompressed_size,
            data_offset: span.start,
            end: span.end,
            pos: span.start,
            input: Vec::new(),
            in_start: 0,
            in_end: 0,
            output: Vec::new(),
            // Created on the first step: a queue of thousands of checks must not hold thousands
            // of inflate states (each one allocates its window).
            inflater: None,
            crc: crate::crc::Crc32::new(),
            out_total: 0,
            out_limit,
            sink,
            findings: Vec::new(),
        }
    }

    /// Compressed bytes this check reads in total.
    pub(crate) fn input_len(&self) -> u64 {
        self.end.saturating_sub(self.data_offset)
    }

    /// Compressed bytes consumed so far.
    pub(crate) fn input_done(&self) -> u64 {
        // data_offset <= pos <= end, and the unconsumed input was read from below pos.
        self.pos.saturating_sub(self.data_offset).saturating_sub(to_u64(self.in_end.saturating_sub(self.in_start)))
    }

    /// Consumes up to `budget` bytes of input (at least one chunk's worth of progress).
    pub(crate) fn step(&mut self, src: &dyn ReadAt, budget: u64) -> Result<Step<S::Output>, Error> {
        let mut spent = 0u64;
        loop {
            if self.in_start == self.in_end && self.pos < self.end {
                if spent >= budget {
                    return Ok(Step::More);
                }
                let n = to_usize(self.end.saturating_sub(self.pos)).min(IN_CHUNK);
                if self.input.len() < n {
                    self.input.resize(n, 0);
                }
                let got = read_full(src, self.pos, &mut self.input[..n])?;
                if got == 0 {
                    let msg = format!(
                        "the file ends at byte {} inside this entry's data, which needs bytes up to {}",
                        self.pos, self.end
                    );
                    return Ok(self.fail(Code::Truncated, msg));
                }
                // got <= n <= end - pos: neither sum can overflow, saturating says so for the lint.
                self.pos = self.pos.saturating_add(to_u64(got));
                self.in_start = 0;
                self.in_end = got;
                spent = spent.saturating_add(to_u64(got));
            }
            match self.method {
                METHOD_STORED => {
                    let chunk = &self.input[self.in_start..self.in_end];
                    let take = to_usize(self.out_limit.saturating_sub(self.out_total)).min(chunk.len());
                    self.crc.update(&chunk[..take]);
                    if let Some(sink) = self.sink.as_mut() {
                        sink.feed(&chunk[..take]);
                    }
                    self.out_total = self.out_total.saturating_add(to_u64(take));
                    self.in_start = self.in_end;
                    if self.out_total >= self.out_limit {
                        return Ok(self.finish(End::Limit));
                    }
                    if self.pos >= self.end {
                        return Ok(self.finish(End::Complete));
                    }
                }
                _ => {
                    if self.output.is_empty() {
                        // Small entries (most of a snapshot's) need small buffers: zeroing
                        // 256 KiB per blueprint file cost more than inflating it.
                        let size = to_usize(self.out_limit).clamp(1, OUT_CHUNK);
                        self.output.resize(size, 0);
                    }
                    if self.method != METHOD_DEFLATE {
                        return Ok(self.fail(Code::DataNotVerified, "no decoder for this method".into()));
                    }
                    let inflater = self.inflater.get_or_insert_with(|| Decompress::new(false));
                    if self.out_total >= self.out_limit {
                        return Ok(self.finish(End::Limit));
                    }
                    let before_in = inflater.total_in();
                    let before_out = inflater.total_out();
                    // (to_usize saturates: on wasm32 `as usize` would truncate a remainder of 4 GiB to 0.)
                    let room = to_usize(self.out_limit.saturating_sub(self.out_total)).min(self.output.len());
                    let status = inflater.decompress(
                        &self.input[self.in_start..self.in_end],
                        &mut self.output[..room],
                        FlushDecompress::None,
                    );
                    // The decoder's counters only grow, by at most the slices it was given.
                    let consumed = to_usize(inflater.total_in().saturating_sub(before_in));
                    let produced = to_usize(inflater.total_out().saturating_sub(before_out));
                    self.in_start = self.in_start.saturating_add(consumed);
                    self.crc.update(&self.output[..produced]);
                    if let Some(sink) = self.sink.as_mut() {
                        sink.feed(&self.output[..produced]);
                    }
                    self.out_total = self.out_total.saturating_add(to_u64(produced));
                    match status {
                        Err(e) => {
                            let msg = format!(
                                "the DEFLATE stream is corrupt after {} compressed and {} decompressed bytes: {e}",
                                self.input_done(),
                                self.out_total
                            );
                            return Ok(self.fail(Code::DeflateInvalid, msg));
                        }
                        Ok(Status::StreamEnd) => {
                            let left = to_u64(self.in_end.saturating_sub(self.in_start))
                                .saturating_add(self.end.saturating_sub(self.pos));
                            if left > 0 {
                                let msg = format!(
                                    "the DEFLATE stream ends {left} bytes before the declared compressed size; those bytes are hidden slack"
                                );
                                self.findings.push(self.finding(Code::CompressedSizeMismatch, msg));
                            }
                            return Ok(self.finish(End::Complete));
                        }
                        Ok(_) => {}
                    }
                    if consumed == 0 && produced == 0 && self.in_start == self.in_end && self.pos >= self.end {
                        let msg = format!(
                            "the DEFLATE stream is not finished when the declared {} compressed bytes end: the stream was cut or the size lies",
                            self.input_len()
                        );
                        self.findings.push(self.finding(Code::CompressedSizeMismatch, msg));
                        return Ok(self.finish(End::Incomplete));
                    }
                    if consumed == 0 && produced == 0 && self.in_start < self.in_end {
                        // The decoder refuses to move: treat as a corrupt stream rather than spin.
                        let msg = "the DEFLATE stream stalls: the decoder accepts no more input".to_string();
                        return Ok(self.fail(Code::DeflateInvalid, msg));
                    }
                }
            }
        }
    }

    fn finding(&self, code: Code, message: String) -> Finding {
        Finding::new(code, message).at_path(&self.name).at_offset(self.data_offset)
    }

    fn fail(&mut self, code: Code, message: String) -> Step<S::Output> {
        self.findings.push(self.finding(code, message));
        self.done(false)
    }

    /// Size and CRC verdicts.
    fn finish(&mut self, end: End) -> Step<S::Output> {
        match end {
            End::Limit if self.out_limit > self.usize_declared => {
                let msg = format!(
                    "decompresses to more than the declared {} bytes (stopped there); Python's testzip() and unzip -t do not notice",
                    self.usize_declared
                );
                self.findings.push(self.finding(Code::SizeMismatch, msg));
            }
            End::Limit => {
                let msg = format!(
                    "decompression stopped at the output budget of {} bytes before the entry ended",
                    self.out_limit
                );
                self.findings.push(self.finding(Code::OutputBudgetExceeded, msg));
            }
            End::Complete if self.out_total != self.usize_declared => {
                let msg = format!(
                    "decompresses to {} bytes but declares {}; unzip -t does not notice",
                    self.out_total, self.usize_declared
                );
                self.findings.push(self.finding(Code::SizeMismatch, msg));
            }
            End::Complete | End::Incomplete => {}
        }
        if end == End::Complete {
            let crc = std::mem::take(&mut self.crc).finalize();
            if crc != self.crc_declared {
                let msg = format!(
                    "the data's CRC-32 is {crc:08x} but the entry declares {:08x}: the data is corrupt",
                    self.crc_declared
                );
                self.findings.push(self.finding(Code::CrcMismatch, msg));
            }
        }
        let verified = end == End::Complete && self.findings.is_empty();
        self.done(verified)
    }

    fn done(&mut self, verified: bool) -> Step<S::Output> {
        let facts = self.sink.take().map(|sink| sink.finish(verified));
        Step::Done(EntryOutcome {
            index: self.index,
            findings: std::mem::take(&mut self.findings),
            verified,
            facts,
            output: self.out_total,
        })
    }

    /// Runs the check to the end.
    pub(crate) fn run(mut self, src: &dyn ReadAt) -> Result<EntryOutcome<S::Output>, Error> {
        loop {
            if let Step::Done(outcome) = self.step(src, u64::MAX)? {
                return Ok(outcome);
            }
        }
    }
}

/// Reads a small member whole, verifying it on the way. `Err(findings)` when its data is broken
/// or larger than `cap`; the data findings are the same ones a full check reports.
pub(crate) fn read_member(src: &dyn ReadAt, entry: &Entry, cap: u64) -> Result<Result<Vec<u8>, Vec<Finding>>, Error> {
    if !entry.readable || entry.data_offset.is_none() {
        return Ok(Err(Vec::new()));
    }
    if entry.uncompressed_size > cap {
        return Ok(Err(Vec::new()));
    }
    let outcome = DataCheck::new(entry, Some(Collect(Vec::new())), cap).run(src)?;
    match outcome.facts {
        Some(bytes) if outcome.verified => Ok(Ok(bytes)),
        _ => Ok(Err(outcome.findings)),
    }
}

/// A sink that keeps the bytes (for small members only; the caller caps the size).
struct Collect(Vec<u8>);

impl ContentSink for Collect {
    type Output = Vec<u8>;
    fn feed(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(self, _verified: bool) -> Vec<u8> {
        self.0
    }
}

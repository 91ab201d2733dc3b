//! The bookkeeping of a [`super::RemoteSource`]'s block cache, with no I/O: which blocks are
//! held or in flight, the read-ahead streams, how far the hash and the data pass may run apart,
//! and what goes when the cache is full.
//!
//! - **Blocks.** The object is cached in [`BLOCK`]-sized blocks, each absent, `Pending` (claimed
//!   by one GET in flight: nobody fetches it again) or `Ready`.
//! - **Streams.** A read that continues where an earlier one stopped is a stream; its read-ahead
//!   window doubles per read from [`RA_MIN`] to [`RA_MAX`] and is refilled only when less than
//!   three quarters of it are claimed (more GETs in flight over a slow link: with 20 ms per
//!   request, 1 GB read 7 % faster than at half), so the background GETs are about a quarter
//!   of a full window ([`CHUNK`]) each. A read served entirely by the cache does not start a
//!   stream: the quick level's prefetched local headers (a dense run of them in the hint) never
//!   set off read-ahead past their end.
//! - **One transfer for the hash and the data pass.** The engine reads a remote source's
//!   entries in file order. While the hash runs, the hash and every data reader stay within
//!   [`SPAN`] of whichever of them is furthest behind; that one never waits, so they cannot
//!   deadlock. A party that waits is recorded at the offset it waits to read (it needs nothing
//!   behind it any more, so its old position holds nobody back) and stays active while it
//!   waits. A reader leaves when its worker runs out of jobs ([`State::leave`]) and the hash
//!   when it has read the last byte; one that has not read for [`IDLE`] (a stopped hash, a
//!   reader gone without leaving) stops counting. Everything still needed lies
//!   within `SPAN + RA_MAX` of the party furthest behind, which [`BUDGET`] holds: blocks behind
//!   every party go first, then those beyond that reach and beyond every party's own
//!   read-ahead (furthest first), then the least recently used. Without the hash the data
//!   readers may drift far apart (one inflating a large member, one on small ones), and each
//!   keeps its own read-ahead.
//! - **Memory.** Held blocks never exceed [`BUDGET`] after a GET is stored; at most
//!   [`IN_FLIGHT`] background GETs of at most [`CHUNK`] bytes are in flight per source.

use super::error::RemoteError;
use bytes::Bytes;
use std::collections::HashMap;
use std::ops::Range;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// Cache granularity.
pub const BLOCK: u64 = 16 << 10;
/// The largest single GET.
pub const CHUNK: u64 = 4 << 20;
/// The most bytes of fetched blocks kept.
pub const BUDGET: u64 = 48 << 20;
/// The first read-ahead window of a stream.
pub const RA_MIN: u64 = 512 << 10;
/// The largest read-ahead window. With 20 ms per request a stream's transfer is bound by its
/// window; 24 MiB (with SPAN at 8 MiB) read 5.6 GB in 7.9-9.3 s instead of 10.3 s, but left no
/// slack below the trim level, and readers descheduled on a loaded machine then made the source
/// fetch up to 1.4x the file.
pub const RA_MAX: u64 = 16 << 20;
/// Background GETs in flight per source (4 -> 6: with 20 ms per request, 1 GB in 2.65 s -> 2.1 s;
/// 8 gained nothing more, the read-ahead window being the limit then).
pub const IN_FLIGHT: usize = 6;
/// How far ahead of the party furthest behind the hash and the data readers may read.
pub const SPAN: u64 = 12 << 20;
/// A party idle this long no longer holds the others back: only a safety net (a hash stopped
/// early, a reader busy without reading), since readers and the hash leave when done. Longer
/// than a thread is descheduled on a loaded machine, after which what it still needs could be
/// dropped; short enough that a party busy elsewhere delays the others little.
pub const IDLE: Duration = Duration::from_secs(1);
/// The most streams followed at once.
const STREAMS: usize = 16;

const _: () = assert!(SPAN + RA_MAX + CHUNK <= BUDGET / 4 * 3, "the budget must hold what the readers still need");
/// Beyond a party's read-ahead window, what its current read may span.
const READ_MARGIN: u64 = 1 << 20;
const _: () = assert!(2 * (RA_MAX + READ_MARGIN) <= BUDGET / 4 * 3, "without the hash, two readers' read-ahead fits");

#[derive(Default)]
pub struct State {
    pub blocks: HashMap<u64, Slot>,
    /// Bytes in `Ready` blocks, and the most there ever were after a GET was stored.
    pub held: u64,
    pub peak_held: u64,
    tick: u64,
    streams: Vec<Stream>,
    pub failed: Option<RemoteError>,
    /// Where the hash reads next, once it started, and when it last read.
    pub hash_pos: Option<u64>,
    pub hash_at: Option<Instant>,
    /// Data-pass readers: last offset read and when.
    pub readers: HashMap<ThreadId, (u64, Instant)>,
    /// Readers that left the data pass: a later read of theirs (the report's last look at the
    /// archive) holds nobody back.
    left: Vec<ThreadId>,
    /// The hash waits until the data pass starts ([`State::hold_hash`]).
    hash_held: bool,
}

pub enum Slot {
    Pending,
    Ready(Bytes, u64),
}

#[derive(Clone, Copy)]
struct Stream {
    next: u64,
    window: u64,
    /// Blocks up to here were claimed already.
    ahead: u64,
    tick: u64,
}

/// What one read must fetch: `demand` before it can copy, `background` for its stream.
pub struct Claim {
    pub demand: Vec<Range<u64>>,
    pub background: Vec<Range<u64>>,
}

impl State {
    /// Marks the missing blocks of `offset..end` (and of the stream's read-ahead window) pending;
    /// returns the byte ranges to fetch (`size` is the object's size).
    pub fn claim(&mut self, size: u64, offset: u64, end: u64, reader: Option<ThreadId>) -> Claim {
        self.tick += 1;
        let tick = self.tick;
        if let Some(id) = reader {
            self.record(id, offset, Instant::now());
        }
        let clip = |r: Range<u64>| r.start * BLOCK..(r.end * BLOCK).min(size);
        let demand: Vec<Range<u64>> =
            self.claim_blocks(offset / BLOCK, (end - 1) / BLOCK + 1).into_iter().map(clip).collect();
        // A read that starts where a stream stopped (or a little after) continues it.
        let found =
            self.streams.iter().position(|s| offset >= s.next.saturating_sub(BLOCK) && offset <= s.next + BLOCK);
        let i = match found {
            Some(i) => {
                let s = &mut self.streams[i];
                s.window = (s.window * 2).clamp(RA_MIN, RA_MAX);
                s.next = end;
                s.tick = tick;
                i
            }
            // Served by the cache (a prefetched header, another stream's blocks): no stream.
            None if demand.is_empty() => return Claim { demand, background: Vec::new() },
            None => {
                let window = if end - offset >= RA_MIN { RA_MIN } else { 0 };
                let fresh = Stream { next: end, window, ahead: end, tick };
                if self.streams.len() < STREAMS {
                    self.streams.push(fresh);
                    self.streams.len() - 1
                } else {
                    let (i, _) = self.streams.iter().enumerate().min_by_key(|(_, s)| s.tick).unwrap_or((0, &fresh));
                    self.streams[i] = fresh;
                    i
                }
            }
        };
        let s = self.streams[i];
        let mut background = Vec::new();
        let have = s.ahead.max(end);
        if s.window > 0 && have < end + s.window / 4 * 3 {
            let last = size.div_ceil(BLOCK);
            let (from, to) = (have.div_ceil(BLOCK).min(last), (end + s.window).div_ceil(BLOCK).min(last));
            background = self.claim_blocks(from, to).into_iter().map(clip).flat_map(|r| split(r, CHUNK)).collect();
            self.streams[i].ahead = to * BLOCK;
        }
        Claim { demand, background }
    }

    /// Marks the blocks of `from..to` that are absent pending; returns them as runs.
    pub fn claim_blocks(&mut self, from: u64, to: u64) -> Vec<Range<u64>> {
        let mut runs: Vec<Range<u64>> = Vec::new();
        for b in from..to {
            if self.blocks.contains_key(&b) {
                continue;
            }
            self.blocks.insert(b, Slot::Pending);
            match runs.last_mut() {
                Some(r) if r.end == b => r.end = b + 1,
                _ => runs.push(b..b + 1),
            }
        }
        runs
    }

    /// Stores a finished GET that starts at `start` (block-aligned), then trims to the budget.
    pub fn store(&mut self, start: u64, bytes: &Bytes) {
        self.tick += 1;
        let tick = self.tick;
        let mut at = 0u64;
        let len = bytes.len() as u64;
        while at < len {
            let n = BLOCK.min(len - at);
            let piece = bytes.slice(at as usize..(at + n) as usize);
            if let Some(Slot::Ready(old, _)) = self.blocks.insert((start + at) / BLOCK, Slot::Ready(piece, tick)) {
                self.held -= old.len() as u64;
            }
            self.held += n;
            at += n;
        }
        self.evict();
        self.peak_held = self.peak_held.max(self.held);
    }

    /// A GET failed: remember why, and forget its claims so that nobody waits for them.
    pub fn fail(&mut self, err: RemoteError) {
        self.failed.get_or_insert(err);
        self.blocks.retain(|_, s| !matches!(s, Slot::Pending));
    }

    /// Whether a read at `offset` must wait for the others (see the module docs): `reader` is a
    /// data reader's thread, `None` the hash, which also waits while it is held. Records the
    /// party at `offset` first.
    pub fn must_wait(&mut self, offset: u64, reader: Option<ThreadId>) -> bool {
        let now = Instant::now();
        self.readers.retain(|_, (_, at)| now.duration_since(*at) < IDLE);
        let others = match reader {
            None if self.hash_held => return true,
            None => {
                self.hash_pos = Some(offset);
                self.hash_at = Some(now);
                self.readers.values().map(|&(o, _)| o).min()
            }
            Some(id) => {
                self.record(id, offset, now);
                if !self.hash_running(now) {
                    return false;
                }
                let readers = self.readers.iter().filter(|&(&r, _)| r != id).map(|(_, &(o, _))| o);
                readers.chain(self.hash_pos).min()
            }
        };
        others.is_some_and(|low| offset > low.saturating_add(SPAN))
    }

    /// Holds the hash until the data pass starts (`true`) or releases it (see
    /// [`super::RemoteSource::hold_hash`]). A held hash is a party at offset 0 that holds no
    /// reader back; from its release it runs at 0 until its first read says otherwise, so that
    /// a data reader starting before that read cannot run ahead of it. (One did: its member's
    /// blocks were dropped before the hash reached them, and 3-6 % of the file was fetched
    /// twice.) The quick phase's readers are done: their last offsets hold nobody back.
    pub fn hold_hash(&mut self, hold: bool) {
        if hold {
            self.hash_pos = Some(0);
        } else if self.hash_held && self.hash_pos.is_some() {
            self.hash_at = Some(Instant::now());
        }
        self.hash_held = hold;
        self.readers.clear();
    }

    /// Records where a data reader reads, unless it left.
    fn record(&mut self, id: ThreadId, offset: u64, now: Instant) {
        if !self.left.contains(&id) {
            self.readers.insert(id, (offset, now));
        }
    }

    /// A data reader whose worker ran out of jobs leaves: it holds nobody back any more.
    pub fn leave(&mut self, id: ThreadId) {
        self.readers.remove(&id);
        if !self.left.contains(&id) {
            self.left.push(id);
        }
    }

    /// The hash read up to `end` of `size` bytes; having read the last one, it leaves.
    pub fn hash_read(&mut self, end: u64, size: u64) {
        if end >= size {
            (self.hash_pos, self.hash_at) = (None, None);
        } else {
            (self.hash_pos, self.hash_at) = (Some(end), Some(Instant::now()));
        }
    }

    /// Whether the hash has read within the last [`IDLE`] and not finished: only then does it
    /// hold the data readers within [`SPAN`] of each other.
    fn hash_running(&self, now: Instant) -> bool {
        !self.hash_held && self.hash_at.is_some_and(|at| now.duration_since(at) < IDLE)
    }

    /// Drops blocks down to 3/4 of [`BUDGET`]: first those behind every reader, then those
    /// beyond what the readers will reach soon, furthest first (in a pass in file order, the
    /// ones needed last: the quick level's prefetch just ahead of the readers stays), then the
    /// least recently used of what the readers still need.
    ///
    /// What they will reach soon: each party's read-ahead, `RA_MAX` (and [`READ_MARGIN`]) from
    /// where it reads, and while the hash runs `SPAN + RA_MAX` from the party furthest behind
    /// (everyone is then within `SPAN` of it). Without the hash nothing keeps the data readers
    /// together (a worker inflating a large entry lags far behind one on small entries): the
    /// read-ahead of the one in front, fetched and not yet read, must not be what goes first,
    /// and two windows fit below the trim level.
    fn evict(&mut self) {
        if self.held <= BUDGET {
            return;
        }
        let parties: Vec<u64> = self.readers.values().map(|&(o, _)| o).chain(self.hash_pos).collect();
        let low = parties.iter().copied().min().unwrap_or(0);
        let reach = |from: u64, len: u64| from / BLOCK..from.saturating_add(len) / BLOCK + 1;
        let mut keep: Vec<Range<u64>> = parties.iter().map(|&p| reach(p, RA_MAX + READ_MARGIN)).collect();
        if self.hash_running(Instant::now()) {
            keep.push(reach(low, SPAN + RA_MAX));
        }
        let mut ready: Vec<(u8, u64, u64)> = self
            .blocks
            .iter()
            .filter_map(|(&b, s)| match s {
                Slot::Ready(_, _) if b < low / BLOCK => Some((0, b, b)),
                Slot::Ready(_, used) if keep.iter().any(|k| k.contains(&b)) => Some((2, *used, b)),
                Slot::Ready(_, _) => Some((1, u64::MAX - b, b)),
                Slot::Pending => None,
            })
            .collect();
        ready.sort_unstable();
        for (_, _, b) in ready {
            if self.held <= BUDGET / 4 * 3 {
                break;
            }
            if let Some(Slot::Ready(bytes, _)) = self.blocks.remove(&b) {
                self.held -= bytes.len() as u64;
            }
        }
    }

    /// A tick for a block just read (least recently used order).
    pub fn touch(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }
}

/// `r` cut into pieces of at most `max` bytes.
pub fn split(r: Range<u64>, max: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut at = r.start;
    while at < r.end {
        let end = (at + max).min(r.end);
        out.push(at..end);
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_never_holds_more_than_the_budget_and_drops_what_every_reader_passed_first() {
        let mut st = State::default();
        st.readers.insert(std::thread::current().id(), (40 << 20, Instant::now()));
        for k in 0..20u64 {
            st.store(k * CHUNK, &Bytes::from(vec![0u8; CHUNK as usize]));
            assert!(st.held <= BUDGET, "{} after {k}", st.held);
        }
        assert!(st.peak_held <= BUDGET);
        assert!(matches!(st.blocks.get(&((40 << 20) / BLOCK)), Some(Slot::Ready(..))), "the reader's next block");
        assert!(!st.blocks.contains_key(&0), "a block every reader passed");
    }

    #[test]
    fn beyond_the_readers_reach_the_furthest_blocks_go_first() {
        let [a] = thread_ids();
        let mut st = State::default();
        st.readers.insert(a, (0, Instant::now()));
        // The quick level's prefetch: near (100 MiB) and far (300 MiB) ahead of the reader.
        st.store(100 << 20, &Bytes::from(vec![0u8; 4 << 20]));
        st.store(300 << 20, &Bytes::from(vec![0u8; 16 << 20]));
        // The reader's window fills the cache past its budget.
        let mut at = 0;
        while st.held + CHUNK <= BUDGET {
            st.store(at, &Bytes::from(vec![0u8; CHUNK as usize]));
            at += CHUNK;
        }
        st.store(at, &Bytes::from(vec![0u8; CHUNK as usize]));
        assert!(st.held <= BUDGET / 4 * 3 + CHUNK);
        assert!(!st.blocks.contains_key(&((300 << 20) / BLOCK)), "the far prefetch went first");
        for b in (100 << 20) / BLOCK..(104 << 20) / BLOCK {
            assert!(matches!(st.blocks.get(&b), Some(Slot::Ready(..))), "the near one stays");
        }
        assert!(matches!(st.blocks.get(&0), Some(Slot::Ready(..))), "the reader's own window stays");
    }

    fn thread_ids<const N: usize>() -> [ThreadId; N] {
        std::array::from_fn(|_| std::thread::spawn(|| std::thread::current().id()).join().unwrap())
    }

    const MIB: u64 = 1 << 20;

    #[test]
    fn a_waiting_party_counts_where_it_waits_so_its_old_position_holds_nobody_back() {
        let [a, b] = thread_ids();
        let mut st = State::default();
        assert!(!st.must_wait(0, None), "the hash starts");
        assert!(!st.must_wait(MIB, Some(b)), "b reads a small entry");
        assert!(!st.must_wait(0, Some(a)), "a starts a large one");
        assert!(!st.must_wait(10 * MIB, None));
        // b, done at 1 MiB, holds a back while it reads nothing…
        assert!(st.must_wait(MIB + SPAN + 1, Some(a)));
        // …until it asks for its next entry far ahead: it waits there, and a may go on.
        assert!(st.must_wait(100 * MIB, Some(b)), "b is more than SPAN ahead of the others");
        assert!(!st.must_wait(MIB + SPAN + 1, Some(a)));
        // The hash stays within SPAN of a (now furthest behind), and a within SPAN of the hash.
        assert!(st.must_wait(MIB + 2 * SPAN + 2, None));
        assert!(!st.must_wait(MIB + SPAN + 1, None));
        // Without a running hash the data readers do not wait for each other.
        st.hash_at = None;
        assert!(!st.must_wait(100 * MIB, Some(b)));
    }

    #[test]
    fn a_released_hash_holds_the_readers_back_before_its_first_read() {
        let [a] = thread_ids();
        let mut st = State::default();
        st.hold_hash(true);
        // The quick phase reads anywhere (the central directory at the end) while the hash waits.
        assert!(!st.must_wait(90 * MIB, Some(a)));
        assert!(st.must_wait(0, None), "held");
        // The data pass starts: a worker's first member lies far into the file, and the hash
        // thread has not read yet. The worker must not run ahead of where the hash starts.
        st.hold_hash(false);
        assert!(st.must_wait(90 * MIB, Some(a)));
        assert!(!st.must_wait(0, None), "the hash is furthest behind");
        assert!(!st.must_wait(SPAN, None));
        assert!(st.must_wait(90 * MIB, Some(a)));
    }

    #[test]
    fn a_reader_that_left_and_a_hash_that_finished_hold_nobody_back() {
        let [a, b] = thread_ids();
        let size = 100 * MIB;
        let mut st = State::default();
        st.hash_read(0, size);
        assert!(!st.must_wait(0, Some(a)));
        assert!(st.must_wait(2 * SPAN, Some(b)), "the hash and a hold b");
        assert!(st.must_wait(SPAN + MIB, None), "a holds the hash");
        // a's worker ran out of jobs: however recently it read, it holds nobody back…
        st.leave(a);
        assert!(!st.must_wait(SPAN + MIB, None));
        st.hash_read(SPAN + MIB, size);
        // …even when it reads once more (the report's last look at the archive).
        let _ = st.claim(size, 0, 4096, Some(a));
        assert!(!st.must_wait(SPAN + MIB, None), "a left");
        assert!(!st.must_wait(2 * SPAN, Some(b)), "within SPAN of the hash");
        assert!(st.must_wait(3 * SPAN, Some(b)), "the hash still runs");
        // The hash read the last byte: the data readers no longer wait for each other.
        st.hash_read(size, size);
        assert!(!st.must_wait(3 * SPAN, Some(b)));
        assert!(st.hash_pos.is_none());
        // A hash that finished while held (a small file, a long quick phase) stays finished
        // when the data pass releases it.
        let mut st = State::default();
        st.hold_hash(true);
        st.hash_read(MIB, MIB);
        st.hold_hash(false);
        assert!(!st.must_wait(0, Some(a)));
        assert!(!st.must_wait(3 * SPAN, Some(b)), "no hash runs");
    }

    #[test]
    fn whoever_is_furthest_behind_never_waits_so_the_parties_cannot_deadlock() {
        let readers = thread_ids::<3>();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % (200 * MIB)
        };
        for _ in 0..2_000 {
            let mut st = State::default();
            let hash = next();
            st.must_wait(hash, None);
            let mut at = Vec::new();
            for &r in &readers {
                at.push(next());
                st.must_wait(at[at.len() - 1], Some(r));
            }
            let low = at.iter().copied().chain([hash]).min().unwrap();
            if hash == low {
                assert!(!st.must_wait(hash, None), "the hash at {hash}, readers at {at:?}");
            }
            for (&r, &o) in readers.iter().zip(&at) {
                if o == low {
                    assert!(!st.must_wait(o, Some(r)), "a reader at {o}, hash at {hash}, readers at {at:?}");
                }
                // Everyone who may read is within SPAN of the party furthest behind.
                assert!(st.must_wait(o, Some(r)) || o <= low + SPAN);
            }
        }
    }

    #[test]
    fn reads_served_by_the_cache_start_no_read_ahead_and_streams_fetch_whole_chunks() {
        let size = 1 << 30;
        let mut st = State::default();
        // A prefetched dense region: reads inside it fetch nothing, and nothing past it.
        st.store(0, &Bytes::from(vec![0u8; 4 << 20]));
        let mut at = 0;
        while at + 700 <= 4 << 20 {
            let c = st.claim(size, at, at + 700, None);
            assert!(c.demand.is_empty() && c.background.is_empty(), "at {at}");
            at += 700;
        }
        // A data pass that reads on past it: after a few reads, GETs of a quarter of a window.
        let mut pieces = Vec::new();
        while at < 200 << 20 {
            let c = st.claim(size, at, at + (64 << 10), None);
            pieces.extend(c.demand.into_iter().chain(c.background).map(|r| r.end - r.start));
            // The blocks read up to here are consumed (a partly read one is still needed).
            for b in at / BLOCK..(at + (64 << 10)) / BLOCK {
                st.blocks.remove(&b);
            }
            at += 64 << 10;
        }
        let fetched: u64 = pieces.iter().sum();
        assert!(((196 << 20)..=(196 << 20) + RA_MAX).contains(&fetched), "{fetched}");
        // Most bytes come in GETs of a whole CHUNK (the window refills a quarter of itself).
        let big: u64 = pieces.iter().filter(|&&n| n == CHUNK).sum();
        assert!(big >= fetched / 10 * 9, "{} GETs: {pieces:?}", pieces.len());
    }
}

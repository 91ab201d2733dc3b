//! [`RemoteSource`]: the core's read seam over one remote object.
//!
//! - Opening sends a HEAD (size, ETag, version) — or, for a presigned URL, which is signed for
//!   GET only, a suffix GET — and then reads the tail (end records, most central directories)
//!   and the local headers the central directory names, in a few parallel ranged GETs
//!   ([`super::hints`]).
//! - Every later GET is pinned with `If-Match: <ETag>` (and the version id where the store has
//!   versions), and its `Content-Range` total must be the size seen first: an object replaced
//!   during the check fails the run (exit 2) instead of mixing two versions into a report.
//! - Reads go through a cache of [`BLOCK`]-sized blocks shared by every thread. A reader that
//!   reads on where it stopped is a stream: its read-ahead window doubles up to [`RA_MAX`], and
//!   the blocks ahead are fetched in the background, at most [`IN_FLIGHT`] GETs at a time.
//!   Memory stays under [`BUDGET`] (plus what is in flight): least recently used blocks go first.
//! - The whole-file hash reads through [`HashView`], which stays at most [`LEAD`] bytes ahead of
//!   the slowest active data-pass reader; blocks between them are kept, so the data pass and the
//!   hash share one transfer of the file.

use super::Settings;
use super::error::{self, Cause, RemoteError};
use super::store::{self, Stats};
use bytes::Bytes;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use snapshot_core::ReadAt;
use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// Cache granularity.
pub const BLOCK: u64 = 16 << 10;
/// The largest single GET.
const CHUNK: u64 = 4 << 20;
/// The most bytes of fetched blocks kept.
pub const BUDGET: u64 = 96 << 20;
/// The first read-ahead window of a stream, and the largest.
const RA_MIN: u64 = 512 << 10;
const RA_MAX: u64 = 16 << 20;
/// Background GETs in flight per source.
pub const IN_FLIGHT: usize = 6;
/// How far the hash may run ahead of the slowest active data-pass reader.
const LEAD: u64 = 32 << 20;
/// A reader idle this long no longer holds the others back.
const IDLE: Duration = Duration::from_millis(300);
/// The longest one read waits for the others.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// What opening reads from the end of the object.
const TAIL: u64 = 256 << 10;

/// The runtime every remote source shares: two I/O threads.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("remote-io")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the I/O runtime: {e}"))
    })
}

/// Runs `f` to completion on the shared I/O runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

/// One remote object, read with pinned ranged GETs through a shared block cache.
pub struct RemoteSource {
    inner: Arc<Inner>,
    hash: HashView,
}

struct Inner {
    store: Arc<dyn ObjectStore>,
    path: Path,
    size: u64,
    etag: Option<String>,
    version: Option<String>,
    stats: Arc<Stats>,
    state: Mutex<State>,
    changed: Condvar,
    slots: Arc<tokio::sync::Semaphore>,
}

#[derive(Default)]
struct State {
    blocks: HashMap<u64, Slot>,
    /// Bytes in `Ready` blocks.
    held: u64,
    tick: u64,
    streams: Vec<Stream>,
    failed: Option<RemoteError>,
    /// Where the hash reads next, once it started, and when it last read.
    hash_pos: Option<u64>,
    hash_at: Option<Instant>,
    /// Data-pass readers: last offset read and when.
    readers: HashMap<ThreadId, (u64, Instant)>,
}

enum Slot {
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

impl RemoteSource {
    /// Opens `url`: the first request, the tail, and the local headers.
    pub fn open(url: &url::Url, settings: &Settings) -> Result<RemoteSource, RemoteError> {
        let stats = Arc::new(Stats::default());
        let (store, path) = store::build(url, settings, Arc::clone(&stats))?;
        if path.as_ref().is_empty() {
            return Err(RemoteError::new(Cause::Usage, "the URL names a bucket, not an object"));
        }
        let presigned = matches!(url.scheme(), "http" | "https") && url.query().is_some();
        RemoteSource::from_store(store, path, stats, presigned)
    }

    /// [`RemoteSource::open`] over a store already built; `presigned` starts with a suffix
    /// GET instead of a HEAD.
    fn from_store(
        store: Arc<dyn ObjectStore>,
        path: Path,
        stats: Arc<Stats>,
        presigned: bool,
    ) -> Result<RemoteSource, RemoteError> {
        let rt = runtime();
        let (meta, first) = if presigned {
            let opts = GetOptions { range: Some(GetRange::Suffix(TAIL)), ..Default::default() };
            rt.block_on(async {
                let r = store.get_opts(&path, opts).await.map_err(RemoteError::from_store)?;
                let (meta, range) = (r.meta.clone(), r.range.clone());
                let bytes = r.bytes().await.map_err(RemoteError::from_store)?;
                Ok::<_, RemoteError>((meta, Some((range, bytes))))
            })?
        } else {
            (rt.block_on(store.head(&path)).map_err(RemoteError::from_store)?, None)
        };
        let inner = Arc::new(Inner {
            store,
            path,
            size: meta.size,
            etag: meta.e_tag,
            version: meta.version,
            stats,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            slots: Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT)),
        });
        let src = RemoteSource { hash: HashView(Arc::clone(&inner)), inner };
        if let Some((range, bytes)) = first {
            src.inner.stats.bytes.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
            src.inner.insert(range.start, bytes);
        }
        let tail = src.inner.size.saturating_sub(TAIL)..src.inner.size;
        src.inner.fetch_now(&[tail])?;
        let wanted = super::hints::wanted(&src, (BUDGET / 2) as usize);
        src.inner.fetch_now(&wanted)?;
        Ok(src)
    }

    /// `(bytes fetched, requests)` so far.
    pub fn fetched(&self) -> (u64, u64) {
        self.inner.stats.get()
    }

    /// The first failure, if any read failed: the run must not report.
    pub fn failure(&self) -> Option<RemoteError> {
        self.inner.lock().failed.clone()
    }

    /// The view the whole-file hash reads through.
    pub fn hash_view(&self) -> &HashView {
        &self.hash
    }
}

impl Inner {
    fn read(self: &Arc<Self>, offset: u64, buf: &mut [u8], hash: bool) -> io::Result<usize> {
        let inner = self;
        let Some(left) = inner.size.checked_sub(offset).filter(|&l| l > 0) else { return Ok(0) };
        let len = (buf.len() as u64).min(left);
        if len == 0 {
            return Ok(0);
        }
        let end = offset + len;
        inner.throttle(offset, hash);
        let (demand, background) = inner.claim(offset, end, hash);
        for piece in background {
            inner.spawn_fetch(piece);
        }
        inner.fetch_claimed(demand);
        inner.copy(offset, &mut buf[..len as usize]).map_err(io::Error::other)?;
        if hash {
            let mut st = inner.lock();
            st.hash_pos = Some(end);
            st.hash_at = Some(Instant::now());
        }
        Ok(len as usize)
    }
}

impl ReadAt for RemoteSource {
    fn size(&self) -> u64 {
        self.inner.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(offset, buf, false)
    }
}

/// The whole-file hash's view of a [`RemoteSource`] (see the module docs).
pub struct HashView(Arc<Inner>);

impl ReadAt for HashView {
    fn size(&self) -> u64 {
        self.0.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(offset, buf, true)
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the missing blocks of `offset..end` (and of the stream's read-ahead window)
    /// pending; returns the byte ranges to fetch now and in the background.
    fn claim(&self, offset: u64, end: u64, hash: bool) -> (Vec<Range<u64>>, Vec<Range<u64>>) {
        let mut st = self.lock();
        st.tick += 1;
        let tick = st.tick;
        if !hash {
            st.readers.insert(thread::current().id(), (offset, Instant::now()));
        }
        // A read that starts where a stream stopped (or a little after) continues it.
        let found = st.streams.iter().position(|s| offset >= s.next.saturating_sub(BLOCK) && offset <= s.next + BLOCK);
        let stream = match found {
            Some(i) => {
                let s = &mut st.streams[i];
                s.window = (s.window * 2).clamp(RA_MIN, RA_MAX);
                s.next = end;
                s.tick = tick;
                *s
            }
            None => {
                let fresh =
                    Stream { next: end, window: if end - offset >= RA_MIN { RA_MIN } else { 0 }, ahead: end, tick };
                if st.streams.len() < 16 {
                    st.streams.push(fresh);
                } else if let Some(old) = st.streams.iter_mut().min_by_key(|s| s.tick) {
                    *old = fresh;
                }
                fresh
            }
        };
        let demand = st.claim_blocks(offset / BLOCK, (end - 1) / BLOCK + 1);
        let mut background = Vec::new();
        if stream.window > 0 {
            let last = self.size.div_ceil(BLOCK);
            let from = stream.ahead.max(end).div_ceil(BLOCK).min(last);
            let to = (end + stream.window).div_ceil(BLOCK).min(last);
            background = st.claim_blocks(from, to);
            let ahead = to * BLOCK;
            if let Some(s) = st.streams.iter_mut().find(|s| s.tick == tick) {
                s.ahead = s.ahead.max(ahead);
            }
        }
        let clip = |r: Range<u64>| r.start * BLOCK..(r.end * BLOCK).min(self.size);
        (
            demand.into_iter().map(clip).collect(),
            background.into_iter().map(clip).flat_map(|r| split(r, CHUNK)).collect(),
        )
    }

    /// Claims the missing blocks of `ranges`, fetches them and waits for all of `ranges`.
    fn fetch_now(&self, ranges: &[Range<u64>]) -> Result<(), RemoteError> {
        let claimed: Vec<Range<u64>> = {
            let mut st = self.lock();
            ranges
                .iter()
                .filter(|r| r.start < r.end)
                .flat_map(|r| st.claim_blocks(r.start / BLOCK, (r.end - 1) / BLOCK + 1))
                .map(|b| b.start * BLOCK..(b.end * BLOCK).min(self.size))
                .collect()
        };
        self.fetch_claimed(claimed);
        self.wait(ranges)
    }

    /// Fetches byte ranges whose blocks this thread claimed, up to [`IN_FLIGHT`] GETs at once.
    fn fetch_claimed(&self, ranges: Vec<Range<u64>>) {
        let pieces: Vec<Range<u64>> = ranges.into_iter().flat_map(|r| split(r, CHUNK)).collect();
        if pieces.is_empty() {
            return;
        }
        use futures_util::StreamExt;
        let results: Vec<(u64, Result<Bytes, RemoteError>)> = runtime().block_on(
            futures_util::stream::iter(pieces.into_iter().map(|p| async move { (p.start, self.get(p).await) }))
                .buffer_unordered(IN_FLIGHT)
                .collect(),
        );
        for (start, result) in results {
            self.complete(start, result);
        }
    }

    fn spawn_fetch(self: &Arc<Self>, piece: Range<u64>) {
        let this = Arc::clone(self);
        runtime().spawn(async move {
            let permit = Arc::clone(&this.slots).acquire_owned().await;
            let result = this.get(piece.clone()).await;
            drop(permit);
            this.complete(piece.start, result);
        });
    }

    /// One pinned ranged GET.
    async fn get(&self, range: Range<u64>) -> Result<Bytes, RemoteError> {
        let want = range.end - range.start;
        let opts = GetOptions {
            range: Some(GetRange::Bounded(range.clone())),
            if_match: self.etag.clone(),
            version: self.version.clone(),
            ..Default::default()
        };
        let r = self.store.get_opts(&self.path, opts).await.map_err(RemoteError::from_store)?;
        if r.meta.size != self.size || (self.etag.is_some() && r.meta.e_tag.is_some() && r.meta.e_tag != self.etag) {
            return Err(RemoteError::new(Cause::Changed, error::changed()));
        }
        if r.range != range {
            return Err(RemoteError::new(Cause::RangeIgnored, error::range_ignored()));
        }
        let bytes = r.bytes().await.map_err(RemoteError::from_store)?;
        self.stats.bytes.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        if bytes.len() as u64 != want {
            return Err(RemoteError::new(Cause::Connection, "the server sent fewer bytes than the range it announced"));
        }
        Ok(bytes)
    }

    /// Stores a finished GET (or its failure) and wakes the waiting readers.
    fn complete(&self, start: u64, result: Result<Bytes, RemoteError>) {
        let mut st = self.lock();
        match result {
            Ok(bytes) => {
                st.tick += 1;
                let tick = st.tick;
                let mut at = 0u64;
                let len = bytes.len() as u64;
                while at < len {
                    let n = BLOCK.min(len - at);
                    let block = (start + at) / BLOCK;
                    let piece = bytes.slice(at as usize..(at + n) as usize);
                    if let Some(Slot::Ready(old, _)) = st.blocks.insert(block, Slot::Ready(piece, tick)) {
                        st.held -= old.len() as u64;
                    }
                    st.held += n;
                    at += n;
                }
                self.evict(&mut st);
            }
            Err(err) => {
                st.failed.get_or_insert(err);
                st.blocks.retain(|_, s| !matches!(s, Slot::Pending));
            }
        }
        drop(st);
        self.changed.notify_all();
    }

    /// Inserts bytes that start at `start` (the presigned first GET), whole blocks only.
    fn insert(&self, start: u64, bytes: Bytes) {
        let first = start.div_ceil(BLOCK) * BLOCK;
        let skip = (first - start) as usize;
        if skip < bytes.len() {
            self.complete(first, Ok(bytes.slice(skip..)));
        }
    }

    /// Waits until every block of `ranges` is ready.
    fn wait(&self, ranges: &[Range<u64>]) -> Result<(), RemoteError> {
        let mut st = self.lock();
        loop {
            if let Some(err) = &st.failed {
                return Err(err.clone());
            }
            let missing = ranges.iter().filter(|r| r.start < r.end).any(|r| {
                (r.start / BLOCK..(r.end - 1) / BLOCK + 1).any(|b| !matches!(st.blocks.get(&b), Some(Slot::Ready(..))))
            });
            if !missing {
                return Ok(());
            }
            // A block that is neither ready nor pending was evicted or dropped: claim it again.
            let lost: Vec<Range<u64>> = ranges
                .iter()
                .filter(|r| r.start < r.end)
                .flat_map(|r| st.claim_blocks(r.start / BLOCK, (r.end - 1) / BLOCK + 1))
                .map(|b| b.start * BLOCK..(b.end * BLOCK).min(self.size))
                .collect();
            if !lost.is_empty() {
                drop(st);
                for piece in lost.into_iter().flat_map(|r| split(r, CHUNK)) {
                    let result = runtime().block_on(self.get(piece.clone()));
                    self.complete(piece.start, result);
                }
                st = self.lock();
                continue;
            }
            st = self.changed.wait_timeout(st, Duration::from_millis(200)).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Copies `buf.len()` bytes at `offset` out of the cache, waiting for pending blocks.
    fn copy(&self, offset: u64, buf: &mut [u8]) -> Result<(), RemoteError> {
        let end = offset + buf.len() as u64;
        self.wait(std::slice::from_ref(&(offset..end)))?;
        let mut st = self.lock();
        st.tick += 1;
        let tick = st.tick;
        let mut at = offset;
        while at < end {
            let block = at / BLOCK;
            let Some(Slot::Ready(bytes, used)) = st.blocks.get_mut(&block) else {
                drop(st);
                // Evicted between the wait and the copy: read again.
                return self.copy(offset, buf);
            };
            *used = tick;
            let from = (at - block * BLOCK) as usize;
            let n = (bytes.len() - from.min(bytes.len())).min((end - at) as usize);
            if n == 0 {
                return Err(RemoteError::new(Cause::Other, "a cached block is shorter than expected"));
            }
            let dst = (at - offset) as usize;
            buf[dst..dst + n].copy_from_slice(&bytes[from..from + n]);
            at += n as u64;
        }
        Ok(())
    }

    /// Keeps the hash and the data pass close, so that the blocks one fetched are still cached
    /// when the other reads them: the hash waits while it is more than [`LEAD`] ahead of the
    /// slowest active data reader, a data reader while it is more than [`BUDGET`]/2 ahead of an
    /// active hash. The party furthest behind never waits, so neither can deadlock; readers idle
    /// for [`IDLE`] (or waiting here) stop counting, and no wait lasts more than [`MAX_WAIT`].
    fn throttle(&self, offset: u64, hash: bool) {
        let start = Instant::now();
        let mut st = self.lock();
        loop {
            let now = Instant::now();
            st.readers.retain(|_, (_, at)| now.duration_since(*at) < IDLE);
            let ahead = if hash {
                st.readers.values().map(|(o, _)| *o).min().is_some_and(|min| offset > min.saturating_add(LEAD))
            } else {
                let active = st.hash_at.is_some_and(|at| now.duration_since(at) < IDLE);
                active && st.hash_pos.is_some_and(|h| offset > h.saturating_add(BUDGET / 2))
            };
            if !ahead || st.failed.is_some() || start.elapsed() > MAX_WAIT {
                return;
            }
            st = self.changed.wait_timeout(st, Duration::from_millis(10)).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Drops least recently used blocks down to 3/4 of [`BUDGET`]; blocks between the slowest
    /// reader and the hash (which both still need) go last.
    fn evict(&self, st: &mut State) {
        if st.held <= BUDGET {
            return;
        }
        // What the laggard of {hash, data pass} still needs, up to what the leader reads ahead.
        let slowest = st.readers.values().map(|(o, _)| *o).min();
        let keep = st.hash_pos.map(|h| {
            let (low, high) = slowest.map_or((h, h), |s| (s.min(h), s.max(h)));
            low / BLOCK..high.saturating_add(LEAD + RA_MAX) / BLOCK + 1
        });
        let mut ready: Vec<(bool, u64, u64)> = st
            .blocks
            .iter()
            .filter_map(|(&b, s)| match s {
                Slot::Ready(_, used) => Some((keep.as_ref().is_some_and(|k| k.contains(&b)), *used, b)),
                Slot::Pending => None,
            })
            .collect();
        ready.sort_unstable();
        for (_, _, b) in ready {
            if st.held <= BUDGET / 4 * 3 {
                break;
            }
            if let Some(Slot::Ready(bytes, _)) = st.blocks.remove(&b) {
                st.held -= bytes.len() as u64;
            }
        }
    }
}

impl State {
    /// Marks the blocks of `from..to` that are absent pending; returns them as runs.
    fn claim_blocks(&mut self, from: u64, to: u64) -> Vec<Range<u64>> {
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
}

/// `r` cut into pieces of at most `max` bytes.
fn split(r: Range<u64>, max: u64) -> Vec<Range<u64>> {
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
    use object_store::PutPayload;
    use object_store::memory::InMemory;
    use std::sync::atomic::Ordering;

    fn served(bytes: &[u8]) -> RemoteSource {
        let store = Arc::new(InMemory::new());
        let path = Path::from("a/b.zip");
        block_on(store.put(&path, PutPayload::from(bytes.to_vec()))).unwrap();
        RemoteSource::from_store(store, path, Arc::new(Stats::default()), false).unwrap()
    }

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect()
    }

    #[test]
    fn reads_anywhere_return_the_object_s_bytes() {
        let data = pattern(3 * CHUNK as usize + 12_345);
        let src = served(&data);
        assert_eq!(src.size(), data.len() as u64);
        for (at, len) in [(0usize, 10usize), (BLOCK as usize - 3, 7), (1_000_000, 300_000), (data.len() - 5, 100)] {
            let mut buf = vec![0u8; len];
            let n = src.read_at(at as u64, &mut buf).unwrap();
            assert_eq!(&buf[..n], &data[at..(at + len).min(data.len())]);
        }
        let mut buf = [0u8; 4];
        assert_eq!(src.read_at(data.len() as u64, &mut buf).unwrap(), 0);
        assert_eq!(src.read_at(u64::MAX, &mut buf).unwrap(), 0);
    }

    #[test]
    fn a_data_pass_and_the_hash_share_one_transfer_with_bounded_memory() {
        let data = pattern(200 << 20);
        let src = served(&data);
        let before = src.inner.stats.bytes.load(Ordering::Relaxed);
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut buf = vec![0u8; 64 << 10];
                let mut at = 0u64;
                let mut ok = true;
                while at < src.size() {
                    let n = src.read_at(at, &mut buf).unwrap();
                    ok &= buf[..n] == data[at as usize..at as usize + n];
                    at += n as u64;
                }
                ok
            });
            let digest = crate::hash::sha256_source(src.hash_view(), &|| false).unwrap().unwrap();
            assert_eq!(digest, snapshot_core::sha256::sha256_hex(&data));
            assert!(reader.join().unwrap());
        });
        let fetched = src.inner.stats.bytes.load(Ordering::Relaxed) - before;
        assert!(fetched <= data.len() as u64 * 11 / 10, "fetched {fetched} for {}", data.len());
        assert!(src.inner.lock().held <= BUDGET, "{}", src.inner.lock().held);
    }

    #[test]
    fn a_replaced_object_fails_reads_instead_of_mixing_versions() {
        let store = Arc::new(InMemory::new());
        let path = Path::from("x.zip");
        let data = pattern(4 << 20);
        block_on(store.put(&path, PutPayload::from(data.clone()))).unwrap();
        let src = RemoteSource::from_store(store.clone(), path.clone(), Arc::new(Stats::default()), false).unwrap();
        block_on(store.put(&path, PutPayload::from(pattern(4 << 20).into_iter().rev().collect::<Vec<u8>>()))).unwrap();
        let mut buf = vec![0u8; 1 << 20];
        let err = src.read_at(1 << 20, &mut buf).unwrap_err();
        assert!(err.to_string().contains("changed during the check"), "{err}");
        assert_eq!(src.failure().map(|e| e.cause()), Some(Cause::Changed));
    }
}

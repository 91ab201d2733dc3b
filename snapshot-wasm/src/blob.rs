//! [`ReadAt`] over a `Blob` (a user's `File`), read with `FileReaderSync` inside a dedicated
//! worker.
//!
//! Every `FileReaderSync` call costs far more than its bytes (a Blob slice, an IPC round trip
//! and a fresh `ArrayBuffer`), so small reads are served from one cached window of at most
//! [`WINDOW`] bytes. The window grows while reads move forward through the file (the local
//! headers of densely packed entries, the data pass) and shrinks back to [`MIN_FILL`] when they
//! jump (the local headers of entries megabytes apart), so a sparse walk does not read the
//! whole file. Reads of [`WINDOW`] bytes or more (hashing) bypass the window and are copied
//! once, straight into the caller's buffer. The file is never copied whole.
//!
//! The same window serves an `http(s)` URL ([`BlobSource::from_url`]): its backend makes one
//! ranged request per fill (`crate::http`), where a call costs even more.

use snapshot_core::ReadAt;
use std::cell::{Cell, RefCell};
use std::io;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, FileReaderSync};

/// The largest window (and the size from which reads bypass it).
pub const WINDOW: usize = 8 << 20;

/// The smallest window fill, used after a jump.
pub const MIN_FILL: usize = 64 << 10;

/// JavaScript numbers are exact up to 2^53; Blob offsets beyond that cannot be expressed.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// What the user sees when the file was modified, moved or deleted after it was chosen.
/// Chromium and Firefox raise `NotReadableError` (or `NotFoundError`) for a snapshot `File`
/// whose modification time or size no longer match.
pub const FILE_CHANGED: &str = "the file changed on disk after it was chosen; choose it again";

/// Counters for tests and the benchmark.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadStats {
    /// `FileReaderSync` calls that filled the window.
    pub fills: u64,
    /// `FileReaderSync` calls that bypassed the window.
    pub direct: u64,
    /// Bytes transferred from JavaScript in total.
    pub bytes: u64,
    /// Reads served (partly) from the window without a call.
    pub hits: u64,
}

/// The cached window: `data` holds the file's bytes from `start`.
#[derive(Debug, Default)]
struct Window {
    start: u64,
    data: Vec<u8>,
    /// The next fill's size: doubles on forward reads, resets on jumps.
    readahead: usize,
}

impl Window {
    fn end(&self) -> u64 {
        // start < size < 2^53 and the window is at most 8 MiB: cannot overflow.
        self.start.saturating_add(self.data.len() as u64)
    }

    fn contains(&self, offset: u64) -> bool {
        offset >= self.start && offset < self.end()
    }
}

/// Where the window's bytes come from: one call per fill (or per large direct read).
pub(crate) trait Backend {
    /// Reads from `start` into `dest` (`start + dest.len()` is within the size and below 2^53).
    /// May deliver fewer bytes than asked, never more.
    fn read_into(&self, start: u64, dest: &mut [u8]) -> io::Result<usize>;
}

/// A `Blob` read with `FileReaderSync`.
struct BlobBackend {
    blob: Blob,
    reader: FileReaderSync,
}

impl Backend for BlobBackend {
    fn read_into(&self, start: u64, dest: &mut [u8]) -> io::Result<usize> {
        let end = start.saturating_add(dest.len() as u64);
        // f64 offsets: the i32 variant overflows past 2 GiB.
        let part = self.blob.slice_with_f64_and_f64(start as f64, end as f64).map_err(js_to_io)?;
        let buffer = self.reader.read_as_array_buffer(&part).map_err(js_to_io)?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        let n = (bytes.length() as usize).min(dest.len());
        bytes.subarray(0, n as u32).copy_to(&mut dest[..n]);
        Ok(n)
    }
}

/// A positional reader over a `Blob` (or a URL). Only usable inside a worker
/// (`FileReaderSync` and synchronous XHR do not exist on the main thread).
pub struct BlobSource {
    backend: Box<dyn Backend>,
    size: u64,
    window: RefCell<Window>,
    stats: Cell<ReadStats>,
}

impl std::fmt::Debug for BlobSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobSource").field("size", &self.size).field("stats", &self.stats.get()).finish()
    }
}

impl BlobSource {
    /// A reader over `blob`. Its size is fixed now: a file that changes later fails to read.
    pub fn new(blob: Blob) -> Result<BlobSource, JsValue> {
        let reader = FileReaderSync::new()?;
        // Blob sizes are integral and far below 2^53, so the conversion is exact.
        let size = blob.size() as u64;
        Ok(BlobSource::with_backend(Box::new(BlobBackend { blob, reader }), size))
    }

    /// A reader of `size` bytes served by `backend`.
    pub(crate) fn with_backend(backend: Box<dyn Backend>, size: u64) -> BlobSource {
        let window = RefCell::new(Window { readahead: MIN_FILL, ..Window::default() });
        BlobSource { backend, size, window, stats: Cell::new(ReadStats::default()) }
    }

    /// The read counters so far.
    pub fn stats(&self) -> ReadStats {
        self.stats.get()
    }

    fn count(&self, f: impl FnOnce(&mut ReadStats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// Reads `[start, start + dest.len())` from the Blob into `dest` with one `FileReaderSync`
    /// call. Returns the bytes delivered, which may be fewer than asked (never trusted to be
    /// exact) but never more.
    fn read_blob(&self, start: u64, dest: &mut [u8]) -> io::Result<usize> {
        let end = start.saturating_add(dest.len() as u64).min(self.size);
        if start >= end {
            return Ok(0);
        }
        if end > MAX_SAFE_INTEGER {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "offset beyond 2^53 bytes"));
        }
        // start < end <= size: the length fits in dest.
        let want = (end - start) as usize;
        let n = self.backend.read_into(start, &mut dest[..want])?;
        self.count(|s| s.bytes += n as u64);
        Ok(n)
    }

    /// Refills the window at `offset` for a read of `len` bytes, choosing the fill size from
    /// the access pattern.
    fn fill(&self, w: &mut Window, offset: u64, len: usize) -> io::Result<()> {
        let forward = !w.data.is_empty() && offset >= w.start && offset <= w.end() + w.readahead as u64;
        w.readahead = if forward { (w.readahead * 2).min(WINDOW) } else { MIN_FILL };
        let want = (w.readahead.max(len).min(WINDOW) as u64).min(self.size - offset) as usize;
        let mut data = std::mem::take(&mut w.data);
        if data.capacity() == 0 {
            // Reserve the largest window once, so growing it later never reallocates (and never
            // fragments the wasm heap); small files get a window of their own size.
            data.reserve_exact((WINDOW as u64).min(self.size) as usize);
        }
        data.resize(want, 0);
        let result = self.read_blob(offset, &mut data);
        let got = *result.as_ref().unwrap_or(&0);
        data.truncate(got);
        w.start = offset;
        w.data = data;
        self.count(|s| s.fills += 1);
        result.map(drop)
    }
}

impl ReadAt for BlobSource {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let mut w = self.window.borrow_mut();
        if w.contains(offset) {
            self.count(|s| s.hits += 1);
        } else if buf.len() >= WINDOW {
            // Large sequential reads (hashing): one copy, straight into the caller's buffer.
            drop(w);
            self.count(|s| s.direct += 1);
            return self.read_blob(offset, buf);
        } else {
            self.fill(&mut w, offset, buf.len())?;
            if !w.contains(offset) {
                // The Blob delivered nothing although the offset is inside its size.
                return Err(io::Error::other(FILE_CHANGED));
            }
        }
        let at = (offset - w.start) as usize;
        let n = buf.len().min(w.data.len() - at);
        buf[..n].copy_from_slice(&w.data[at..at + n]);
        Ok(n)
    }
}

/// Maps a `FileReaderSync`/`Blob.slice` exception to an I/O error with a message a person can
/// act on.
fn js_to_io(err: JsValue) -> io::Error {
    let field = |key: &str| {
        js_sys::Reflect::get(&err, &JsValue::from_str(key)).ok().and_then(|v| v.as_string()).unwrap_or_default()
    };
    let name = field("name");
    match name.as_str() {
        "NotReadableError" | "NotFoundError" => io::Error::other(FILE_CHANGED),
        "SecurityError" => io::Error::new(io::ErrorKind::PermissionDenied, "the browser refused to read the file"),
        _ => {
            let message = match err.dyn_ref::<js_sys::Error>() {
                Some(e) => String::from(e.message()),
                None => field("message"),
            };
            let text = match (name.is_empty(), message.is_empty()) {
                (false, false) => format!("{name}: {message}"),
                (false, true) => name,
                (true, false) => message,
                (true, true) => format!("{err:?}"),
            };
            io::Error::other(text)
        }
    }
}

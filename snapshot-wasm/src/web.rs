//! The JavaScript API (wasm-bindgen exports). Every export is convert → call → convert; the
//! work lives in the platform-free modules.
//!
//! Long work is split into `step(budget_bytes)` calls so the worker can yield between them,
//! receive a cancel message, and post progress. Errors are thrown as JavaScript `Error`s whose
//! message is meant for the user.

use crate::blob::BlobSource;
use crate::hash::Sha256Stream;
use crate::verify::FullVerify;
use snapshot_core::ReadAt;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

/// Runs once when the module is instantiated: routes Rust panic messages to `console.error`.
/// A panic still traps (`RuntimeError: unreachable`); the worker catches it and re-instantiates.
#[wasm_bindgen(start)]
fn start() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn source(file: Blob) -> Result<BlobSource, JsError> {
    BlobSource::new(file)
        .map_err(|_| JsError::new("FileReaderSync is unavailable: run this module in a dedicated worker"))
}

/// Converts a JavaScript byte offset to `u64`, refusing negatives, fractions and values past 2^53.
fn offset(value: f64) -> Result<u64, JsError> {
    if value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0 {
        Ok(value as u64)
    } else {
        Err(JsError::new("offsets must be whole numbers from 0 to 2^53 - 1"))
    }
}

/// The quick report as pretty JSON: the same bytes the CLI prints for
/// `snapshot-verify check --level quick --format json` with the same options.
///
/// `options_json`: `{"target_version": "7.0.4" | null, "edition": "premium" | "community",
/// "file_name": "snap.zip"}`, every field optional. Reads only the end records, the central
/// directory, the local headers and the small JSON members.
#[wasm_bindgen]
pub fn inspect(file: Blob, options_json: &str) -> Result<String, JsError> {
    let src = source(file)?;
    crate::inspect_json(&src, options_json).map_err(js_err)
}

/// The finding catalogue as JSON: `[{code, severity, rule, family, description}]`.
#[wasm_bindgen]
pub fn codes_json() -> String {
    crate::codes_json()
}

/// Panics on purpose, so tests can prove a trap does not kill the worker.
#[wasm_bindgen]
pub fn debug_panic(message: &str) {
    panic!("debug_panic: {message}");
}

/// SHA-256 of a whole file, in steps.
#[wasm_bindgen]
pub struct Sha256Job {
    src: BlobSource,
    stream: Sha256Stream,
}

#[wasm_bindgen]
impl Sha256Job {
    /// Starts hashing `file` (its size is fixed now).
    #[wasm_bindgen(constructor)]
    pub fn new(file: Blob) -> Result<Sha256Job, JsError> {
        let src = source(file)?;
        let stream = Sha256Stream::new(src.size());
        Ok(Sha256Job { src, stream })
    }

    /// Hashes about `budget_bytes` more bytes (at least one 8 MiB read). Returns `true` when done.
    pub fn step(&mut self, budget_bytes: f64) -> Result<bool, JsError> {
        self.stream.step(&self.src, offset(budget_bytes)?).map_err(js_err)
    }

    /// Bytes hashed so far.
    pub fn done(&self) -> f64 {
        self.stream.done() as f64
    }

    /// The file's size.
    pub fn total(&self) -> f64 {
        self.stream.total() as f64
    }

    /// The digest as lowercase hex; throws before the job is done.
    pub fn hex(&self) -> Result<String, JsError> {
        self.stream.hex().ok_or_else(|| JsError::new("the hash has not finished"))
    }
}

/// Full verification (every entry decompressed and checked), in steps.
#[wasm_bindgen]
pub struct VerifyJob {
    src: BlobSource,
    job: FullVerify,
}

#[wasm_bindgen]
impl VerifyJob {
    /// Runs the quick phase of `file` with the options JSON (as for `inspect`) at level full.
    #[wasm_bindgen(constructor)]
    pub fn new(file: Blob, options_json: &str) -> Result<VerifyJob, JsError> {
        let src = source(file)?;
        let job = FullVerify::new(&src, options_json).map_err(js_err)?;
        Ok(VerifyJob { src, job })
    }

    /// Checks about `budget_bytes` more bytes of compressed data. Returns `true` when done.
    pub fn step(&mut self, budget_bytes: f64) -> Result<bool, JsError> {
        self.job.step(&self.src, offset(budget_bytes)?).map_err(js_err)
    }

    /// Compressed bytes checked so far.
    pub fn done(&self) -> f64 {
        self.job.progress().0 as f64
    }

    /// Compressed bytes to check in total.
    pub fn total(&self) -> f64 {
        self.job.progress().1 as f64
    }

    /// Records the whole-file SHA-256 (from a `Sha256Job`) so the report carries it.
    pub fn set_sha256(&mut self, hex: &str) {
        self.job.set_sha256(hex);
    }

    /// The full report as pretty JSON; throws before `step` returned `true`.
    pub fn report_json(&mut self) -> Result<String, JsError> {
        self.job.report_json(&self.src).map_err(js_err)
    }
}

/// Direct access to the Blob reader, for tests and the benchmark: positional reads through the
/// same window cache the verifier uses, and its counters.
#[wasm_bindgen]
pub struct BlobProbe {
    src: BlobSource,
}

#[wasm_bindgen]
impl BlobProbe {
    /// A reader over `file`.
    #[wasm_bindgen(constructor)]
    pub fn new(file: Blob) -> Result<BlobProbe, JsError> {
        Ok(BlobProbe { src: source(file)? })
    }

    /// The size the reader fixed at creation.
    pub fn size(&self) -> f64 {
        self.src.size() as f64
    }

    /// One `read_at(offset, len)` call: may return fewer bytes than asked (a short read).
    pub fn read(&self, offset_bytes: f64, len: u32) -> Result<Vec<u8>, JsError> {
        let mut buf = vec![0u8; len as usize];
        let n = self.src.read_at(offset(offset_bytes)?, &mut buf).map_err(js_err)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Reads `[offset, offset + len)` in `chunk`-byte reads and returns the bytes' sum mod 2^32,
    /// so big ranges can be probed without returning them.
    pub fn checksum(&self, offset_bytes: f64, len: f64, chunk: u32) -> Result<u32, JsError> {
        let (mut at, end) = (offset(offset_bytes)?, offset(offset_bytes)? + offset(len)?);
        let mut buf = vec![0u8; chunk.max(1) as usize];
        let mut sum = 0u32;
        while at < end {
            let want = ((end - at) as usize).min(buf.len());
            let n = self.src.read_at(at, &mut buf[..want]).map_err(js_err)?;
            if n == 0 {
                break;
            }
            sum = buf[..n].iter().fold(sum, |s, &b| s.wrapping_add(u32::from(b)));
            at += n as u64;
        }
        Ok(sum)
    }

    /// Window fills so far.
    pub fn fills(&self) -> f64 {
        self.src.stats().fills as f64
    }

    /// Reads that bypassed the window so far.
    pub fn direct_reads(&self) -> f64 {
        self.src.stats().direct as f64
    }

    /// Reads served from the window so far.
    pub fn hits(&self) -> f64 {
        self.src.stats().hits as f64
    }

    /// Bytes transferred from JavaScript so far.
    pub fn bytes_read(&self) -> f64 {
        self.src.stats().bytes as f64
    }
}

//! Test hooks, compiled only with the `testing` feature (`scripts/build-wasm.sh --testing`, which
//! the browser tests and the benchmark use); a release build leaves them out of the module.
//!
//! * `debug_panic` traps on purpose, so tests can prove the worker survives a panic;
//! * `BlobProbe` reads through the Blob reader directly and exposes its counters;
//! * `floor_inflate` runs the verifier's inflater (and CRC-32) alone on bytes already in memory:
//!   the benchmark's floor for one worker.

use crate::blob::BlobSource;
use crate::web::{js_err, offset, source};
use snapshot_core::ReadAt;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

/// Panics on purpose, so tests can prove a trap does not kill the worker.
#[wasm_bindgen]
pub fn debug_panic(message: &str) {
    panic!("debug_panic: {message}");
}

/// Inflates `raw` (one entry's raw DEFLATE data) with the verifier's inflater, flate2 on zlib-rs,
/// into a 256 KiB buffer, and with `crc` also runs crc32fast over the output, as the data pass
/// does; returns `[bytes out, CRC-32 (0 without crc)]`. No File reads, no report: what the data
/// pass of one worker cannot go below.
#[wasm_bindgen]
pub fn floor_inflate(raw: &[u8], crc: bool) -> Result<Box<[f64]>, JsError> {
    use flate2::{Decompress, FlushDecompress, Status};
    let mut d = Decompress::new(false);
    let mut out = vec![0u8; 256 << 10];
    let mut hasher = crc32fast::Hasher::new();
    let mut at = 0usize;
    loop {
        let before = (d.total_in(), d.total_out());
        let status =
            d.decompress(&raw[at..], &mut out, FlushDecompress::None).map_err(|e| JsError::new(&e.to_string()))?;
        at = at.saturating_add(usize::try_from(d.total_in() - before.0).unwrap_or(usize::MAX)).min(raw.len());
        let produced = usize::try_from(d.total_out() - before.1).unwrap_or(0).min(out.len());
        if crc {
            hasher.update(&out[..produced]);
        }
        // The end, or no progress at all (the input ran out, or the stream is cut short).
        if status == Status::StreamEnd || (produced == 0 && d.total_in() == before.0) {
            break;
        }
    }
    let sum = if crc { f64::from(hasher.finalize()) } else { 0.0 };
    Ok(Box::new([d.total_out() as f64, sum]))
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
            // Not `as usize`: on wasm32 a remainder of exactly 4 GiB would truncate to 0 and end
            // the loop early (a remainder of 4 GiB + k to k).
            let want = usize::try_from(end - at).unwrap_or(usize::MAX).min(buf.len());
            let n = self.src.read_at(at, &mut buf[..want]).map_err(js_err)?;
            if n == 0 {
                break;
            }
            sum = buf[..n].iter().fold(sum, |s, &b| s.wrapping_add(u32::from(b)));
            at = at.saturating_add(n as u64);
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

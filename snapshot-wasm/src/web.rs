//! The JavaScript API (wasm-bindgen exports). Every export is convert → call → convert; the
//! work lives in the platform-free modules.
//!
//! Long work is split into `step(budget_bytes)` calls so the worker can yield between them,
//! receive a cancel message, and post progress. Errors are thrown as JavaScript `Error`s whose
//! message is meant for the user.

use crate::blob::BlobSource;
use crate::pool::Pool;
use crate::verify::FullVerify;
use snapshot_core::ReadAt;
use snapshot_core::sha256::Sha256Stream;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

/// Runs once when the module is instantiated: routes Rust panic messages to `console.error`.
/// A panic still traps (`RuntimeError: unreachable`); the worker catches it and re-instantiates.
#[wasm_bindgen(start)]
fn start() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}

pub(crate) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

pub(crate) fn source(file: Blob) -> Result<BlobSource, JsError> {
    BlobSource::new(file)
        .map_err(|_| JsError::new("FileReaderSync is unavailable: run this module in a dedicated worker"))
}

/// A reader over a `Blob`, or over a URL the worker probed: `{url, size, etag?}` (see
/// `http.rs`; the probe is `probeUrl` in `www/lib/snapshot-worker.js`).
pub(crate) fn any_source(value: JsValue) -> Result<BlobSource, JsError> {
    if let Some(blob) = value.dyn_ref::<Blob>() {
        return source(blob.clone());
    }
    let field = |key: &str| js_sys::Reflect::get(&value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let (url, size) = (field("url").as_string(), field("size").as_f64());
    let (Some(url), Some(size)) = (url, size) else {
        return Err(JsError::new("the source must be a Blob or {url, size, etag} from the URL probe"));
    };
    Ok(crate::http::url_source(url, offset(size)?, field("etag").as_string()))
}

/// The quick report of a `Blob` or a probed URL `{url, size, etag}`; see [`inspect`].
#[wasm_bindgen]
pub fn inspect_source(source: JsValue, options_json: &str) -> Result<String, JsError> {
    let src = any_source(source)?;
    crate::inspect_json(&src, options_json).map_err(js_err)
}

/// Converts a JavaScript byte offset to `u64`, refusing negatives, fractions and values past 2^53.
pub(crate) fn offset(value: f64) -> Result<u64, JsError> {
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
/// "runtime": "single-host" | "kubernetes", "file_name": "snap.zip"}`, every field optional. Reads only the end records, the central
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
        // Reads of a whole window bypass the Blob reader's cache: one copy per 8 MiB.
        let stream = Sha256Stream::with_chunk(src.size(), crate::blob::WINDOW);
        Ok(Sha256Job { src, stream })
    }

    /// Starts hashing a `Blob` or a probed URL `{url, size, etag}`.
    #[wasm_bindgen(js_name = fromSource)]
    pub fn from_source(source: JsValue) -> Result<Sha256Job, JsError> {
        let src = any_source(source)?;
        let stream = Sha256Stream::with_chunk(src.size(), crate::blob::WINDOW);
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

    /// Runs the quick phase of a `Blob` or a probed URL `{url, size, etag}`.
    #[wasm_bindgen(js_name = fromSource)]
    pub fn from_source(source: JsValue, options_json: &str) -> Result<VerifyJob, JsError> {
        let src = any_source(source)?;
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

/// One worker's part of a full verification on a pool of workers (see `pool.rs`): every worker
/// opens the source; the planner (`planner = true`) plans the batches, absorbs the others'
/// outcomes and builds the report, byte-identical to `VerifyJob`'s.
#[wasm_bindgen]
pub struct PoolJob {
    src: BlobSource,
    pool: Pool,
}

#[wasm_bindgen]
impl PoolJob {
    /// Runs the quick phase of a `Blob` or a probed URL `{url, size, etag}` at level full.
    #[wasm_bindgen(constructor)]
    pub fn new(source: JsValue, options_json: &str, planner: bool) -> Result<PoolJob, JsError> {
        let src = any_source(source)?;
        let pool = Pool::new(&src, options_json, planner).map_err(js_err)?;
        Ok(PoolJob { src, pool })
    }

    /// `{"batches": [[position, …], …], "bytes": [n, …], "total": n}`: the batches in the
    /// order to hand them out.
    pub fn plan_json(&self) -> String {
        self.pool.plan_json()
    }

    /// Starts the job at `position`.
    pub fn start(&mut self, position: u32) -> Result<(), JsError> {
        self.pool.start(position as usize).map_err(js_err)
    }

    /// Advances the running job by about `budget_bytes`; `true` when it is done.
    pub fn step(&mut self, budget_bytes: f64) -> Result<bool, JsError> {
        self.pool.step(&self.src, offset(budget_bytes)?).map_err(js_err)
    }

    /// Compressed bytes this worker checked so far.
    pub fn done(&self) -> f64 {
        self.pool.done() as f64
    }

    /// The outcomes finished since the last call, as text for the planner's `absorb`.
    pub fn take_outcomes(&mut self) -> String {
        self.pool.take_wire()
    }

    /// The planner: absorbs its own finished outcomes.
    pub fn absorb_own(&mut self) -> Result<(), JsError> {
        self.pool.absorb_own().map_err(js_err)
    }

    /// The planner: absorbs another worker's `take_outcomes` text.
    pub fn absorb(&mut self, outcomes: &str) -> Result<(), JsError> {
        self.pool.absorb_wire(outcomes).map_err(js_err)
    }

    /// Records the whole-file SHA-256 so the report carries it.
    pub fn set_sha256(&mut self, hex: &str) {
        self.pool.set_sha256(hex);
    }

    /// The planner: the full report as pretty JSON, once every outcome was absorbed.
    pub fn report_json(&mut self) -> Result<String, JsError> {
        self.pool.report_json(&self.src).map_err(js_err)
    }
}

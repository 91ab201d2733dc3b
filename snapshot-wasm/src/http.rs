//! The window's backend for an `http(s)` URL: one synchronous ranged `XMLHttpRequest` per fill,
//! inside the worker (`Range: bytes=a-b`, answered with `206 Partial Content`).
//!
//! The worker first probes the URL with an asynchronous `fetch` (it can abort a `200` without
//! downloading the body, which a synchronous request cannot): that gives the size and the
//! `ETag` this reader starts from. Every later response must be a `206` for the same object:
//! the same total size in `Content-Range` and, when the server sent one, the same `ETag`. The
//! requests carry no `If-Match`: it is not a CORS-safelisted header, so it would cost a
//! preflight per read on servers that allow it and fail on those that do not.
//!
//! Errors carry a stable tag in their text (`[cors]`, `[no-range]`, `[changed]`, `[http]`) that
//! the worker maps to `SnapshotError.code`; the rest of the text is for people.

use crate::blob::{Backend, BlobSource};
use std::io;
use wasm_bindgen::JsCast;
use web_sys::{XmlHttpRequest, XmlHttpRequestResponseType};

/// The request failed without a response: the browser blocked it (CORS) or the network failed.
pub const CORS: &str = "[cors] the server did not allow this page to read the URL (CORS), or it could not be reached";
/// The server answered a ranged request with the whole object.
pub const NO_RANGE: &str = "[no-range] the server does not answer range requests (HTTP 200 instead of 206), so the URL cannot be checked without downloading it whole";
/// The object changed between two reads.
pub const CHANGED: &str = "[changed] the object at the URL changed while it was being checked; check it again";

/// Ranged reads of one object at `url`.
pub(crate) struct HttpBackend {
    url: String,
    size: u64,
    etag: Option<String>,
}

impl HttpBackend {
    /// A backend for the object the probe found: `size` bytes, with `etag` when it had one.
    pub(crate) fn new(url: String, size: u64, etag: Option<String>) -> HttpBackend {
        HttpBackend { url, size, etag: etag.filter(|e| !e.is_empty()) }
    }

    fn request(&self, start: u64, end: u64) -> Result<XmlHttpRequest, io::Error> {
        let fail = |_| io::Error::other(CORS);
        let xhr = XmlHttpRequest::new().map_err(fail)?;
        xhr.open_with_async("GET", &self.url, false).map_err(fail)?;
        xhr.set_request_header("Range", &format!("bytes={start}-{}", end - 1)).map_err(fail)?;
        xhr.set_response_type(XmlHttpRequestResponseType::Arraybuffer);
        // A synchronous request throws a NetworkError for CORS refusals and network failures.
        xhr.send().map_err(fail)?;
        Ok(xhr)
    }
}

/// The total size in a `Content-Range: bytes a-b/total` header.
fn total_of(content_range: &str) -> Option<u64> {
    content_range.rsplit_once('/').and_then(|(_, total)| total.trim().parse().ok())
}

impl Backend for HttpBackend {
    fn read_into(&self, start: u64, dest: &mut [u8]) -> io::Result<usize> {
        let end = start.saturating_add(dest.len() as u64).min(self.size);
        if start >= end {
            return Ok(0);
        }
        let xhr = self.request(start, end)?;
        let status = xhr.status().unwrap_or(0);
        match status {
            206 => {}
            200 => return Err(io::Error::other(NO_RANGE)),
            0 => return Err(io::Error::other(CORS)),
            412 | 416 => return Err(io::Error::other(CHANGED)),
            other => return Err(io::Error::other(format!("[http] the server answered HTTP {other}"))),
        }
        let header = |name: &str| xhr.get_response_header(name).ok().flatten();
        if header("Content-Range").and_then(|r| total_of(&r)).is_some_and(|total| total != self.size) {
            return Err(io::Error::other(CHANGED));
        }
        if let (Some(want), Some(got)) = (&self.etag, header("ETag"))
            && *want != got
        {
            return Err(io::Error::other(CHANGED));
        }
        let buffer = xhr.response().map_err(|_| io::Error::other(CORS))?;
        let buffer = buffer.dyn_into::<js_sys::ArrayBuffer>().map_err(|_| io::Error::other(CORS))?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        let n = (bytes.length() as usize).min(dest.len());
        bytes.subarray(0, n as u32).copy_to(&mut dest[..n]);
        Ok(n)
    }
}

/// A windowed reader over the object at `url` that the probe found (`size`, `etag`).
pub(crate) fn url_source(url: String, size: u64, etag: Option<String>) -> BlobSource {
    BlobSource::with_backend(Box::new(HttpBackend::new(url, size, etag)), size)
}

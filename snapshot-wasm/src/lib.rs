//! snapshot-core in the browser.
//!
//! The module runs inside a dedicated Web Worker and reads the user's `File` through
//! `FileReaderSync` in bounded windows (`blob::BlobSource`, wasm32 only), so a multi-GB
//! snapshot is verified without ever being copied whole into memory. It exports three
//! cancellable operations to JavaScript (see `web.rs`):
//!
//! * `inspect(file, options_json)`: the quick report, byte-identical to the CLI's
//!   `snapshot-verify check --level quick --format json` for the same options;
//! * `Sha256Job`: the SHA-256 of the whole file, in bounded steps (the core's
//!   `Sha256Stream`, the same one the CLI drives);
//! * `VerifyJob`: the full report (every entry decompressed and checked), in bounded steps;
//! * `PoolJob`: the same report built on a pool of workers ([`pool`]: one plans and merges,
//!   all run the core's entry jobs in steps).
//!
//! Each also reads an `http(s)` URL instead of a `Blob` (`inspect_source`, `fromSource`, the
//! `PoolJob` constructor): one synchronous ranged XHR per window fill (`http.rs`, wasm32 only).
//!
//! Everything that does not touch the browser is platform-free and builds natively, so the
//! same code paths are tested with `cargo test` over byte slices: [`inspect_json`],
//! [`codes_json`], [`options::parse`] and [`verify::FullVerify`].

#![warn(missing_docs)]

#[cfg(target_arch = "wasm32")]
pub mod blob;
#[cfg(target_arch = "wasm32")]
mod http;
pub mod options;
pub mod pool;
#[cfg(all(target_arch = "wasm32", feature = "testing"))]
mod testing;
pub mod verify;
#[cfg(target_arch = "wasm32")]
mod web;

use snapshot_core::{Code, ReadAt};
use std::fmt;

/// Why an operation of this module could not run. Problems *in* the archive are findings in
/// the report, never errors.
#[derive(Debug)]
pub enum Error {
    /// The options JSON is malformed.
    Options(String),
    /// The core could not run (a read failed, e.g. the file changed on disk).
    Core(snapshot_core::Error),
    /// A method was called in the wrong state (e.g. a result before the job finished).
    State(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Options(msg) => write!(f, "invalid options: {msg}"),
            Error::Core(e) => e.fmt(f),
            Error::State(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {}

impl From<snapshot_core::Error> for Error {
    fn from(e: snapshot_core::Error) -> Error {
        Error::Core(e)
    }
}

/// The quick report of `src` as pretty JSON, exactly what the CLI prints for
/// `check --level quick --format json` with the same options.
///
/// `options_json` is `{"target_version": "7.0.4" | null, "edition": "premium" | "community",
/// "runtime": "single-host" | "kubernetes", "file_name": "snap.zip"}`; every field is optional.
pub fn inspect_json(src: &dyn ReadAt, options_json: &str) -> Result<String, Error> {
    let opts = options::parse(options_json, snapshot_core::Level::Quick)?;
    Ok(snapshot_core::verify(src, &opts)?.to_json()?)
}

/// The finding catalogue as a JSON array of `{code, severity, rule, family, description}`, in
/// catalogue order, so the page can explain and group every finding in plain language.
pub fn codes_json() -> String {
    let codes: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "code": c.as_str(),
                "severity": c.default_severity().as_str(),
                "rule": c.rule(),
                "family": c.family().as_str(),
                "description": c.description(),
            })
        })
        .collect();
    serde_json::Value::Array(codes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_ZIP: &[u8] = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    #[test]
    fn inspect_json_equals_the_core_report() {
        let json = inspect_json(&EMPTY_ZIP, r#"{"file_name":"empty.zip","target_version":"7.0.4"}"#).unwrap();
        let opts = snapshot_core::Options {
            file_name: "empty.zip".into(),
            target_version: Some("7.0.4".into()),
            ..Default::default()
        };
        assert_eq!(json, snapshot_core::verify(&EMPTY_ZIP, &opts).unwrap().to_json().unwrap());
        assert!(json.contains("\"not-a-snapshot\""));
    }

    #[test]
    fn inspect_json_rejects_bad_options() {
        let err = inspect_json(&EMPTY_ZIP, r#"{"edition":"gold"}"#).unwrap_err();
        assert!(err.to_string().starts_with("invalid options:"), "{err}");
    }

    #[test]
    fn codes_json_lists_the_whole_catalogue() {
        let codes: Vec<serde_json::Value> = serde_json::from_str(&codes_json()).unwrap();
        assert_eq!(codes.len(), Code::ALL.len());
        let first = &codes[0];
        assert_eq!(first["code"], Code::ALL[0].as_str());
        assert_eq!(first["family"], Code::ALL[0].family().as_str());
        assert!(first["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

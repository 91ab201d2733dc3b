//! The few ways verification can fail to run. Problems *in* the archive are never errors: they
//! are findings in the report.
//!
//! There is no "cancelled" error: the core never learns of a cancellation. A front end cancels
//! by not calling [`crate::Verifier::step`] again (or by dropping its jobs); a job already
//! running on another thread is stopped by the front end's reader failing its reads, and the
//! front end, which knows it asked to stop, reports that rather than the read error.

use std::{fmt, io};

/// Verification could not run to the end, or its report could not be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The source failed to deliver bytes (an I/O error, or in the browser a file that changed
    /// on disk after it was chosen).
    Read {
        /// Where the failed read started.
        offset: u64,
        /// What the source reported.
        source: io::Error,
    },
    /// The report could not be serialized to JSON.
    Json(serde_json::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { offset, source } => write!(f, "could not read the archive at byte {offset}: {source}"),
            Error::Json(e) => write!(f, "could not write the report as JSON: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } => Some(source),
            Error::Json(e) => Some(e),
        }
    }
}

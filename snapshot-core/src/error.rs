//! The few ways verification can fail to run. Problems *in* the archive are never errors: they
//! are findings in the report.

use std::{fmt, io};

/// Verification could not run to the end.
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
    /// The caller asked to stop.
    Cancelled,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { offset, source } => write!(f, "could not read the archive at byte {offset}: {source}"),
            Error::Cancelled => f.write_str("verification was cancelled"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } => Some(source),
            Error::Cancelled => None,
        }
    }
}
